// The JS baseline plans the same calls as the wasm core: node --test bench/js_baseline.test.mjs
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Core } from "../host-shims/core.mjs";
import { makeBatch, BENCH_CONFIG } from "./make_batch.mjs";
import { meta, SINGLE } from "./node_bench.mjs";
import { planBatchJs, parseConfig } from "./js_baseline.mjs";

const root = fileURLToPath(new URL("../", import.meta.url));
const module = await WebAssembly.compile(readFileSync(`${root}host-shims/wasm/ajs_edge.wasm`));
const encoder = new TextEncoder();
const decoder = new TextDecoder();

async function both(config, path, body, extraMeta = {}) {
  const core = await Core.instantiate(module);
  core.configure(JSON.stringify(config));
  const bytes = encoder.encode(typeof body === "string" ? body : JSON.stringify(body));
  const m = { ...meta(path), ...extraMeta };
  return { wasm: core.handle(m, bytes), js: planBatchJs(parseConfig(JSON.stringify(config)), m, bytes) };
}

function assertSamePlan({ wasm, js }) {
  assert.equal(js.status, wasm.status);
  assert.deepEqual(js.replyHeaders, wasm.replyHeaders);
  assert.deepEqual(JSON.parse(decoder.decode(js.replyBody)), JSON.parse(decoder.decode(wasm.replyBody)));
  assert.deepEqual(js.counters, wasm.counters);
  assert.deepEqual(js.notes, wasm.notes);
  assert.equal(js.requests.length, wasm.requests.length);
  for (let i = 0; i < wasm.requests.length; i++) {
    const [a, b] = [js.requests[i], wasm.requests[i]];
    for (const k of ["destination", "method", "url", "messageId", "orderKey"]) assert.equal(a[k], b[k], `request ${i} ${k}`);
    assert.deepEqual(a.headers, b.headers, `request ${i} headers`);
    assert.ok(a.body instanceof Uint8Array);
    // Key order may differ and Boost.JSON prints doubles as 4.95E1: compare values, not text.
    assert.deepEqual(JSON.parse(decoder.decode(a.body)), JSON.parse(decoder.decode(b.body)), `request ${i} body`);
  }
}

test("bench batch: same plan as the wasm core", async () => {
  const batch = makeBatch();
  const plans = await both(BENCH_CONFIG, "/v1/batch", batch);
  assert.equal(plans.wasm.requests.length, 1150);
  assertSamePlan(plans);
  const sent = new Set(batch.batch.map((m) => m.messageId));
  assert.ok(plans.js.requests.every((r) => sent.has(r.messageId)), "no generated messageIds");
  // Gainsight and PX share one serialization of each message, as in the core.
  const gainsight = new Map(plans.js.requests.filter((r) => r.destination === "gainsight").map((r) => [r.messageId, r.body]));
  for (const r of plans.js.requests) if (r.destination === "gainsightPx" && gainsight.has(r.messageId)) assert.equal(r.body, gainsight.get(r.messageId));
});

test("single track: same plan as the wasm core", async () => {
  assertSamePlan(await both(BENCH_CONFIG, "/v1/t", SINGLE));
});

// Paths the bench input does not take: pages/groups/tags on, fallbacks, numeric ids, dates,
// rejections, generated messageIds, integrations and consent.
const EDGE_CONFIG = { sources: [{ writeKey: "wk_edge", destinations: {
  gist: { apiKey: { secret: "GIST_API_KEY" }, endpoint: "https://gist.test/", pages: true, groups: "company", tags: true },
  gainsight: { accessKey: { secret: "GS" }, whitelistTrackEvents: ["order completed", "signedUp"], consentCategories: ["Analytics"] },
  gainsightPx: { apiKey: { secret: "PX" }, region: "europe" },
} }, { writeKey: "wk_tag", destinations: { gist: { apiKey: { secret: "G2" }, groups: "tag", pageEventName: "Page View", pages: true } } }] };

const edgeBatch = (writeKey) => ({ writeKey, sentAt: "2026-08-01T12:00:00+02:00", context: { app: { name: "x" }, ip: "198.51.100.1" }, integrations: { Extra: true }, batch: [
  { type: "identify", userId: 42, traits: { first_name: " Ada ", last_name: "Lovelace", email: " ada@example.com ", createdAt: 1785578400123,
    birthday: "1990-12-10", HTMLVersion: 5.25, "Plan Name": "pro", visits: 3.0, lastLogin_at: "1785578400", nested: { deepKey: { x: [1, "a", null, true, 2.5] } },
    unsubscribed: "true", tags: { vip: true, churned: false, " vip ": true } } },
  { type: "identify", userId: "u2", traits: { name: "No Email" } },
  { type: "identify", userId: "u3", context: { traits: { email: "c@example.com" } }, traits: { email: "bad email@x", tags: "a, b,,a" } },
  { type: "track", anonymousId: "anon-1", event: "Order Completed", properties: { email: "p@example.com", cart: { items: [{ sku: "s" }], total: 10 } } },
  { type: "track", anonymousId: "anon-2", event: "Other" },
  { type: "track", userId: "u4", event: "signed_up", timestamp: "2026-08-01T09:59:00.123456+01:00", context: { consent: { categoryPreferences: { Analytics: false } } } },
  { type: "track", userId: "u5", event: "Signed Up", sentAt: "nonsense", timestamp: "2026-02-30T00:00:00Z", integrations: { All: false, "Gainsight PX Cloud (Actions)": {} } },
  { type: "page", userId: "u6", name: "Pricing", properties: { name: "Ignored" } },
  { type: "page", userId: "u7", properties: { name: 17 } },
  { type: "page", anonymousId: "anon-3" },
  { type: "group", userId: "u8", groupId: 1234, traits: { name: "ACME", email: "co@acme.test", createdAt: "2020-01-01T00:00:00Z", employees: 12 } },
  { type: "group", anonymousId: "anon-4", groupId: "g" },
  { type: "screen", userId: "u9", name: "Home", writeKey },
  { type: "alias", userId: "u10", previousId: "old" },
  { type: "track", userId: "u11" },
  { type: "bogus", userId: "u12" },
  { type: "track", event: "No Identity" },
  "not an object",
  { type: "track", userId: "u13", event: "Gist Off", integrations: { Gist: false }, messageId: 7 },
] });

test("edge batch (pages, company groups, tags on): same plan as the wasm core", async () => {
  const plans = await both(EDGE_CONFIG, "/v1/batch", edgeBatch("wk_edge"), { headers: { "cf-connecting-ip": "203.0.113.7" } });
  assert.ok(plans.wasm.requests.length > 20);
  assertSamePlan(plans);
});

test("edge batch (groups as tags, fixed page name, Basic auth): same plan as the wasm core", async () => {
  const batch = { ...edgeBatch(undefined), writeKey: undefined };
  assertSamePlan(await both(EDGE_CONFIG, "/v1/b", batch, { headers: { authorization: "Basic " + btoa("wk_tag:") } }));
});

test("rejections: same replies as the wasm core", async () => {
  assertSamePlan(await both(EDGE_CONFIG, "/v1/batch", { batch: [{ type: "track", userId: "u", event: "e", writeKey: "nope" }] }));
  assertSamePlan(await both(EDGE_CONFIG, "/v1/batch", { writeKey: "wk_edge", batch: {} }));
  assertSamePlan(await both(EDGE_CONFIG, "/v1/batch", { writeKey: "wk_edge", batch: [{ type: "track", userId: "u", event: "e", big: "x".repeat(33000) }] }));
  assertSamePlan(await both(EDGE_CONFIG, "/v1/i", { writeKey: "wk_edge", traits: {} }));
  assertSamePlan(await both(EDGE_CONFIG, "/v1/nope", {}));
  assertSamePlan(await both(EDGE_CONFIG, "/v1/track", { writeKey: "wk_edge", userId: "u", event: "e" }, { method: "GET" }));
});

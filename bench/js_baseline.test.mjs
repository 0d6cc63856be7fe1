// The JS baseline plans the same calls as the wasm core: node --test bench/js_baseline.test.mjs
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Core } from "../host-shims/core/core.mjs";
import { makeBatch, makeSmallBatch, BENCH_CONFIG } from "./make_batch.mjs";
import { meta, SINGLE } from "./node_bench.mjs";
import { planBatchJs, parseConfig, queueMessagesJs } from "./js_baseline.mjs";
import { decodeMessage } from "../host-shims/delivery/chain.mjs";
import { WORKLOADS } from "./make_batch.mjs";

const root = fileURLToPath(new URL("../", import.meta.url));
const module = await WebAssembly.compile(readFileSync(`${root}build/wasm/ajs_edge.wasm`));
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
  assert.deepEqual(js.rateLimits, wasm.rateLimits);
  assert.equal(js.requests.length, wasm.requests.length);
  for (let i = 0; i < wasm.requests.length; i++) {
    const [a, b] = [js.requests[i], wasm.requests[i]];
    for (const k of ["destination", "method", "url", "messageId", "orderKey", "scope", "ordinal", "flags"]) assert.equal(a[k], b[k], `request ${i} ${k}`);
    assert.deepEqual(a.headers, b.headers, `request ${i} headers`);
    assert.equal(typeof a.body, "string");
    // Key order may differ: compare values, not text.
    assert.deepEqual(JSON.parse(a.body), JSON.parse(decoder.decode(b.body)), `request ${i} body`);
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

test("2,500 small events: same plan as the wasm core", async () => {
  const plans = await both(BENCH_CONFIG, "/v1/batch", makeSmallBatch());
  assert.equal(plans.wasm.requests.length, 7500);
  assertSamePlan(plans);
});

test("the durable path: the same queue messages as the core writes, chain for chain, message for message", async () => {
  for (const w of WORKLOADS) {
    const core = await Core.instantiate(module);
    core.configure(JSON.stringify(BENCH_CONFIG));
    const bytes = encoder.encode(w.body());
    const wasm = core.handle({ ...meta(w.path), queue: true }, bytes).messages.map((m) => decodeMessage(m.bytes));
    const js = queueMessagesJs(planBatchJs(parseConfig(JSON.stringify(BENCH_CONFIG)), meta(w.path), bytes)).map((m) => decodeMessage(encoder.encode(m)));
    // Bodies compared as values (key order may differ).
    const values = (message) => (message.v === 2 ? message.chains : [message]).map((c) => ({ ...c, calls: c.calls.map((call) => ({ ...call, body: JSON.parse(call.body) })) }));
    assert.equal(js.length, wasm.length, w.name);
    assert.ok(wasm.length >= 1);
    for (let i = 0; i < wasm.length; i++) assert.deepEqual(values(js[i]), values(wasm[i]), `${w.name} message ${i}`);
  }
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

// The security rules (#10): each one through both implementations.
const SECURE_CONFIG = { allowInsecureEndpoints: true, sources: [
  { writeKey: "wk_a", destinations: {
    gist: { apiKey: { secret: "GIST_A" }, endpoint: "http://127.0.0.1:9/gist", pages: true, tags: true },
    gainsight: { accessKey: { secret: "GS_A" } },
    gainsightPx: { apiKey: { secret: "PX_A" }, region: "us2" } } },
  { writeKey: "wk_b", rateLimits: { clientIp: null }, destinations: { gist: { apiKey: { secret: "GIST_A" }, endpoint: "http://127.0.0.1:9/gist" } } },
  { writeKey: "wk_c", rateLimits: null, destinations: { gist: { apiKey: { secret: "GIST_C" } } } },
  { writeKey: "wk_d", rateLimits: { writeKey: "MY_LIMIT", clientIp: false }, destinations: { gainsight: { accessKey: { secret: "GS_D" } } } },
] };
const IP = { headers: { "cf-connecting-ip": "198.51.100.23" } };
const identify = (writeKey, tags, extra = {}) =>
  ({ writeKey, type: "identify", userId: "u1", messageId: "m-1", traits: { email: "u1@example.com", tags }, ...extra });
const thirtyTags = Array.from({ length: 30 }, (_, i) => `tag-${i % 25}`).concat(["tag-25", "tag-26", " tag-3 "]);

test("scopes and ordinals: Gist tag calls count up, scopes name destination, source and account", async () => {
  const plans = await both(SECURE_CONFIG, "/v1/i", identify("wk_a", ["x", "y"]), IP);
  assertSamePlan(plans);
  assert.deepEqual(plans.js.requests.map((r) => r.ordinal), [0, 1, 2, 0, 0]);
  assert.match(plans.js.requests[0].scope, /^gist:[0-9a-f]{16}:[0-9a-f]{16}$/);
});

test("identify with 30 tags: at most 20, one note, tags on and off", async () => {
  const on = await both(SECURE_CONFIG, "/v1/i", identify("wk_a", thirtyTags), IP);
  assertSamePlan(on);
  assert.equal(on.js.requests.filter((r) => r.url.endsWith("/tags")).length, 20);
  assert.deepEqual(on.js.notes, [{ kind: "dropped", destination: "gist", messageId: "m-1", reason: "gist.tags_over_limit" }]);
  const objectTags = Object.fromEntries(thirtyTags.map((t, i) => [t, i % 3 !== 0]));
  assertSamePlan(await both(SECURE_CONFIG, "/v1/i", identify("wk_a", objectTags), IP));
  const off = await both(SECURE_CONFIG, "/v1/i", identify("wk_c", thirtyTags.join(",")), IP);
  assertSamePlan(off);
  assert.equal(JSON.parse(off.js.requests[0].body).tags.length, 20);
  assert.equal(off.js.notes.length, 1);
  assertSamePlan(await both(SECURE_CONFIG, "/v1/b", { writeKey: "wk_c", batch: [identify(undefined, objectTags), identify(undefined, ["a", "a"])] }, IP));
});

test("envelope context that pushes one item over 32 KB: refused, nothing planned", async () => {
  const items = [{ type: "track", userId: "u", event: "e", properties: { pad: "p".repeat(20000) } }, { type: "track", userId: "u", event: "e" }];
  const batch = { writeKey: "wk_a", context: { big: "c".repeat(13000) }, batch: items };
  const plans = await both(SECURE_CONFIG, "/v1/batch", batch, IP);
  assertSamePlan(plans);
  assert.equal(plans.js.status, 400);
  assert.deepEqual(plans.js.rateLimits, []);
  // The item's own context members are not copied: then it fits.
  items[0].context = { big: "own" };
  const fits = await both(SECURE_CONFIG, "/v1/batch", batch, IP);
  assertSamePlan(fits);
  assert.equal(fits.js.status, 200);
});

test("20 KB envelope context over 2,500 items: expansion refused", async () => {
  const batch = { writeKey: "wk_a", context: { big: "c".repeat(20000) }, batch: Array.from({ length: 2600 }, (_, i) => ({ type: "track", userId: "u", event: "e" + i })) };
  const plans = await both(SECURE_CONFIG, "/v1/batch", batch, IP);
  assertSamePlan(plans);
  assert.match(JSON.parse(decoder.decode(plans.js.replyBody)).message, /copied into each of its 2500 items/);
});

// Ten levels of 100-byte keys over `leaves` leaves: each flattened key repeats all ten (~1,070 bytes).
function nestedTraits(leaves) {
  let traits = Object.fromEntries(Array.from({ length: leaves }, (_, i) => ["k" + i, i]));
  for (let depth = 0; depth < 10; depth++) traits = { ["level" + depth + "x".repeat(100)]: traits };
  return traits;
}

test("Gist flattened keys over 64 KB: the body is not sent, one note; the other destinations still are", async () => {
  const message = identify("wk_a", undefined, { traits: { ...nestedTraits(400), email: "u1@example.com" } }); // ~430 KB of keys
  const single = await both(SECURE_CONFIG, "/v1/identify", message, IP);
  assertSamePlan(single);
  assert.equal(single.js.status, 200);
  assert.deepEqual(single.js.notes, [{ kind: "dropped", destination: "gist", messageId: "m-1", reason: "gist.properties_too_large" }]);
  assert.deepEqual(single.js.requests.map((r) => r.destination), ["gainsight", "gainsightPx"]);
  // Checked before the user_id / email checks, for events and company groups too.
  assertSamePlan(await both(SECURE_CONFIG, "/v1/i", { ...message, userId: undefined, anonymousId: "a" }, IP));
  assertSamePlan(await both(SECURE_CONFIG, "/v1/t", { writeKey: "wk_a", type: "track", anonymousId: "a", event: "e", properties: nestedTraits(100) }, IP));
  const group = await both(EDGE_CONFIG, "/v1/g", { writeKey: "wk_edge", userId: "u", groupId: "g", traits: nestedTraits(100) }, IP);
  assertSamePlan(group);
  assert.equal(group.js.notes.at(-1).reason, "gist.properties_too_large");
  // Exactly 64 KB of keys (64 × 1,024 UTF-8 bytes, event keys as sent) is sent; one more key is not.
  const properties = (n) => ({ ["é".repeat(510)]: Object.fromEntries(Array.from({ length: n }, (_, i) => ["k" + String(i).padStart(2, "0"), i])) });
  const track = (n) => ({ writeKey: "wk_a", type: "track", userId: "u", event: "e", messageId: "t-" + n, properties: properties(n) });
  const fits = await both(SECURE_CONFIG, "/v1/t", track(64), IP);
  assertSamePlan(fits);
  assert.equal(Object.keys(JSON.parse(fits.js.requests[0].body).properties).length, 64);
  const over = await both(SECURE_CONFIG, "/v1/t", track(65), IP);
  assertSamePlan(over);
  assert.deepEqual(over.js.notes, [{ kind: "dropped", destination: "gist", messageId: "t-65", reason: "gist.properties_too_large" }]);
});

test("batch over the byte budget (20 identifies, 60 nested leaves each, Gist only): 400, all counted as rejected, nothing planned", async () => {
  const batch = { writeKey: "wk_c", batch: Array.from({ length: 20 }, (_, i) =>
    ({ type: "identify", userId: "u" + i, messageId: "m-" + i, traits: { ...nestedTraits(60), email: "u@example.com" } })) }; // ~64 KB of keys each
  const plans = await both(SECURE_CONFIG, "/v1/batch", batch, IP);
  assertSamePlan(plans);
  assert.equal(plans.js.status, 400);
  assert.match(JSON.parse(decoder.decode(plans.js.replyBody)).message, /^refused: .* \(32 calls a message \+ 64, at most 25000; /);
  assert.deepEqual([plans.js.requests.length, plans.js.notes.length], [0, 0]);
  assert.deepEqual(plans.js.counters, { received: 20, accepted: 0, rejected: 20 });
  assert.equal(plans.js.rateLimits.length, 2);
  // One of them alone fits its budget.
  const one = await both(SECURE_CONFIG, "/v1/batch", { ...batch, batch: batch.batch.slice(0, 1) }, IP);
  assertSamePlan(one);
  assert.deepEqual([one.js.status, one.js.requests.length], [200, 1]);
});

test("at most 25,000 calls a request: 2,500 identifies with 9 tags (12 calls each) refused, 2,000 planned", async () => {
  const batch = { writeKey: "wk_a", batch: Array.from({ length: 2500 }, (_, i) =>
    ({ type: "identify", userId: "u" + i, messageId: "m-" + i, traits: { email: "u@example.com", tags: ["a", "b", "c", "d", "e", "f", "g", "h", "i"] } })) };
  const plans = await both(SECURE_CONFIG, "/v1/batch", batch, IP);
  assertSamePlan(plans);
  assert.match(JSON.parse(decoder.decode(plans.js.replyBody)).message, /^refused: this request would make the Worker send 25008\+ calls .* budget of 25000 calls/);
  assert.deepEqual(plans.js.counters, { received: 2500, accepted: 0, rejected: 2500 });
  batch.batch.length = 2000; // 24,000 calls
  const fits = await both(SECURE_CONFIG, "/v1/batch", batch, IP);
  assertSamePlan(fits);
  assert.equal(fits.js.requests.length, 24000);
});

test("items past 2,500: counted, one note for all of them", async () => {
  const items = Array.from({ length: 2500 }, (_, i) => ({ type: "track", userId: "u", event: "e" + i }));
  const batch = { writeKey: "wk_c", batch: items.concat(Array.from({ length: 300 }, (_, i) => (i % 2 ? "not an object" : { type: "bogus" }))) };
  const plans = await both(SECURE_CONFIG, "/v1/batch", batch, IP);
  assertSamePlan(plans);
  assert.equal(plans.js.requests.length, 2500);
  assert.deepEqual(plans.js.notes, [{ kind: "dropped", destination: "", messageId: "", reason: "batch_item_limit" }]);
  assert.deepEqual(plans.js.counters, { received: 2800, accepted: 2500, rejected: 300 });
});

// What write_json writes, for reference: JSON.stringify escapes strings the same way (no lone
// surrogates here) and writes numbers as the core does.
const written = (v) => encoder.encode(JSON.stringify(typeof v === "string" ? JSON.parse(v) : v)).length;

test("numbers measured as written: 1e20 is 21 bytes, single and batch", async () => {
  const track = (n, pad = "") => `{"type":"track","userId":"u","event":"e","properties":{"pad":"${pad}","n":[${Array(n).fill("1e20").join(",")}]}}`;
  const single = (n, pad) => `{"writeKey":"wk_a",` + track(n, pad).slice(1);
  const big = single(2000); // 10 KB as sent, 44 KB as written
  assert.ok(encoder.encode(big).length < 11000 && written(big) > 40000);
  const plans = await both(SECURE_CONFIG, "/v1/t", big, IP);
  assertSamePlan(plans);
  assert.deepEqual([plans.js.status, JSON.parse(decoder.decode(plans.js.replyBody)).message], [400, "message exceeds the 32 KB limit"]);
  assert.deepEqual(plans.js.counters, { received: 0, accepted: 0, rejected: 0 });
  assert.equal(plans.js.rateLimits.length, 2);
  // Exactly 32 KB as written passes; one byte more does not.
  const pad = 32768 - written(single(1400));
  const atLimit = await both(SECURE_CONFIG, "/v1/t", single(1400, "p".repeat(pad)), IP);
  assertSamePlan(atLimit);
  assert.equal(atLimit.js.status, 200);
  assert.ok(atLimit.js.requests.find((r) => r.destination === "gainsight").body.includes(",100000000000000000000,"));
  assertSamePlan(await both(SECURE_CONFIG, "/v1/t", single(1400, "p".repeat(pad + 1)), IP));
  // In a batch, however small the request, every item is measured.
  const batch = await both(SECURE_CONFIG, "/v1/batch", `{"writeKey":"wk_a","batch":[${track(1)},${track(2000)}]}`, IP);
  assertSamePlan(batch);
  assert.match(JSON.parse(decoder.decode(batch.js.replyBody)).message, /^batch\[1\] exceeds the 32 KB limit per message/);
  assert.deepEqual(batch.js.rateLimits, []);
  const itemPad = 32768 - written(track(1400));
  assertSamePlan(await both(SECURE_CONFIG, "/v1/batch", `{"writeKey":"wk_a","batch":[${track(1)},${track(1400, "p".repeat(itemPad))}]}`, IP));
  const overBy1 = await both(SECURE_CONFIG, "/v1/batch", `{"writeKey":"wk_a","batch":[${track(1400, "p".repeat(itemPad + 1))}]}`, IP);
  assertSamePlan(overBy1);
  assert.equal(overBy1.js.status, 400);
});

test("escapes counted: an item with the envelope's context at exactly 32 KB as written passes, one byte more does not", async () => {
  const text = "line\nquote\" back\\ \u0001\t é € 😀 \u2028 \u007f ".repeat(400); // \u0001: 6 bytes written; U+2028 as is
  const item = { type: "track", userId: "u", event: "e", properties: { text } };
  const extra = (context) => "context".length + 4 + written(context);
  const fill = 32768 - written(item) - extra({ big: "" });
  assert.ok(fill > 1000 && written(item) - encoder.encode(text).length > 3000); // the escapes alone add 3.6 KB
  for (const [big, status] of [["c".repeat(fill), 200], ["c".repeat(fill + 1), 400], ["é".repeat(Math.floor(fill / 2)) + "c".repeat(fill % 2), 200]]) {
    const plans = await both(SECURE_CONFIG, "/v1/batch", { writeKey: "wk_a", context: { big }, batch: [item] }, IP);
    assertSamePlan(plans);
    assert.equal(plans.js.status, status);
  }
  // The item's own context: only the members it lacks are added.
  const own = { ...item, context: { big: "own" } };
  assertSamePlan(await both(SECURE_CONFIG, "/v1/batch", { writeKey: "wk_a", context: { big: "c".repeat(fill + 1), "a\nb": "x".repeat(20) }, batch: [own] }, IP));
});

// Two places the core once measured short (found by this baseline): a double written in 25 bytes,
// and escapes in an envelope member's key.
test("a double JavaScript writes in 25 bytes (-0.0000033333333333333333) is counted at its length", async () => {
  const body = `{"writeKey":"wk_a","type":"track","userId":"u","event":"e","properties":{"n":[${Array(1300).fill("-3.3333333333333333e-6").join(",")}]}}`;
  assert.ok(encoder.encode(body).length < 30000 && written(body) > 33000);
  const plans = await both(SECURE_CONFIG, "/v1/t", body, IP);
  assert.equal(plans.wasm.status, 400, "the core accepts a message 33.9 KB as written");
  assertSamePlan(plans);
});

test("an envelope member's key is counted as written, escapes included", async () => {
  const item = { type: "track", userId: "u", event: "e", context: { big: "own" } };
  const value = "x".repeat(32769 - written(item) - ',"a\\nb":""'.length); // merged in: one byte over 32 KB as written
  const plans = await both(SECURE_CONFIG, "/v1/batch", { writeKey: "wk_a", context: { big: "c".repeat(20000), "a\nb": value }, batch: [item] }, IP);
  assert.equal(plans.js.status, 400);
  assert.equal(plans.wasm.status, 400, "the core accepts an item 32,769 bytes as written");
  assertSamePlan(plans);
});

test("two sources in one batch with a client IP: every client-IP limit first, then every writeKey limit", async () => {
  const track = (writeKey, i) => ({ writeKey, type: "track", userId: "u", event: "e", messageId: "m-" + i });
  const plans = await both(SECURE_CONFIG, "/v1/batch", { batch: [track("wk_a", 1), track("wk_c", 2), track("wk_a", 3)] }, IP);
  assertSamePlan(plans);
  const [ipA, ipC, wkA, wkC] = plans.js.rateLimits;
  assert.deepEqual(plans.js.rateLimits.map((l) => l.binding), ["RATE_LIMIT_CLIENT_IP", "RATE_LIMIT_CLIENT_IP", "RATE_LIMIT_WRITE_KEY", "RATE_LIMIT_WRITE_KEY"]);
  assert.equal(ipA.key, `ip:${wkA.key.slice(3)}:198.51.100.23`);
  assert.equal(ipC.key, `ip:${wkC.key.slice(3)}:198.51.100.23`);
  assert.notEqual(wkA.key, wkC.key);
});

test("two sources, same messageId: different scopes; rate-limit keys per source and client IP", async () => {
  const track = (writeKey) => ({ writeKey, type: "track", userId: "u", event: "Order", messageId: "order-1001" });
  const batch = { batch: [track("wk_a"), track("wk_b"), track("wk_c"), track("wk_a"), track("wk_d")] };
  const plans = await both(SECURE_CONFIG, "/v1/batch", batch, { headers: { "cf-connecting-ip": "2001:db8::1" } });
  assertSamePlan(plans);
  const gist = plans.js.requests.filter((r) => r.destination === "gist");
  assert.equal(new Set(gist.map((r) => r.scope)).size, 3);
  assert.deepEqual(gist.map((r) => r.ordinal), [0, 0, 0, 1]);
  assert.deepEqual(plans.js.rateLimits.map((l) => l.binding),
    ["RATE_LIMIT_CLIENT_IP", "RATE_LIMIT_CLIENT_IP", "RATE_LIMIT_WRITE_KEY", "RATE_LIMIT_WRITE_KEY", "RATE_LIMIT_WRITE_KEY", "MY_LIMIT"]);
  assertSamePlan(await both(SECURE_CONFIG, "/v1/batch", batch, { headers: {} })); // no client IP: no IP keys
  assertSamePlan(await both(SECURE_CONFIG, "/v1/b", { writeKey: "wk_c", batch: ["not an object"] }, IP));
  assertSamePlan(await both(SECURE_CONFIG, "/v1/t", { ...track("wk_c"), event: "" }, IP)); // rejected, still counted
});

test("http:// endpoints refused unless allowInsecureEndpoints", async () => {
  const config = { ...SECURE_CONFIG, allowInsecureEndpoints: false };
  const core = await Core.instantiate(module);
  assert.throws(() => core.configure(JSON.stringify(config)));
  assert.throws(() => parseConfig(JSON.stringify(config)), /https:\/\//);
});

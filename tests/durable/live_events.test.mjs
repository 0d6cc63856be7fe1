// The console's live view (issue #16; host-shims/durable/live.mjs): the last requests each source
// had accepted, recorded only while an operator has armed it. In workerd, the real Worker (the wasi
// core) through tests/support/console_worker.mjs, which counts every call a request makes to the
// DELIVERY_OPS objects:
//   - not armed: nothing recorded, and no call per request (one read of the state per isolate)
//   - armed: each accepted request under its source, newest last, with exact summaries; one call each
//   - refused requests (unknown writeKey, bad JSON, invalid events), settings and preflights: never
//   - the ring: the last 50 requests of a source; at most 20 sources
//   - disarm forgets, and stops recording at once; validation of the admin routes
// And in plain Node, the summaries built from a body (liveSummaries).
import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { startWorker, deliveryOptions, basic } from "../support/harness.mjs";
import { startRecordingServer } from "../support/capture_server.mjs";
import { Core } from "../../host-shims/core/core.mjs";
import { liveSummaries, LIVE_EVENT_JSON_CHARS } from "../../host-shims/durable/live.mjs";

const HOST = { name: "console", script: "tests/support/console_worker.mjs" };
const TOKEN = "admin-live-token-8e41";
const PX_KEY = "AP-LIVE-KEY-1";
const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const encode = (value) => new TextEncoder().encode(typeof value === "string" ? value : JSON.stringify(value));
const quiet = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// A summary as live.mjs writes it.
const summary = (message, type = message.type) => ({
  type,
  event: message.event ?? null,
  name: message.name ?? null,
  userId: message.userId ?? null,
  anonymousId: message.anonymousId ?? null,
  messageId: message.messageId ?? null,
  json: JSON.stringify(message),
});

describe("the summaries of a request's events (plain Node)", () => {
  test("a single-message path names the type; each field is the message's, or null", () => {
    const track = { event: "Signed Up", userId: "u1", messageId: "m1", properties: { plan: "pro" } };
    assert.deepEqual(liveSummaries(encode(track), "/collect/v1/t"), { events: [summary(track, "track")], more: 0 });
    const page = { type: "track", name: "Pricing", anonymousId: "a1", userId: 42 };
    assert.deepEqual(liveSummaries(encode(page), "/v1/page"), { events: [{ ...summary(page, "page"), userId: "42" }], more: 0 });
  });

  test("a batch: each item's own type, the first 20 summarized, `more` counts the rest; an event's JSON clipped to 2 KB", () => {
    const batch = Array.from({ length: 23 }, (_, i) => ({ type: i % 2 ? "identify" : "track", event: i % 2 ? undefined : `E${i}`, userId: `u${i}`, messageId: `m${i}` }));
    batch[0].properties = { blob: "x".repeat(3000) };
    const { events, more } = liveSummaries(encode({ batch, sentAt: "2031-01-01T00:00:00.000Z" }), "/v1/batch");
    assert.equal(more, 3);
    assert.deepEqual(events.slice(1), batch.slice(1, 20).map((m) => summary(m)));
    assert.equal(events[0].json, JSON.stringify(batch[0]).slice(0, LIVE_EVENT_JSON_CHARS));
    assert.equal(events[0].json.length, 2048);
    assert.deepEqual({ ...events[0], json: "" }, { ...summary(batch[0]), json: "" });
  });

  test("a body that is not JSON is one entry saying so, its text clipped", () => {
    assert.deepEqual(liveSummaries(encode("{nope"), "/v1/t"), {
      events: [{
        type: "unreadable", event: null, name: null, userId: null, anonymousId: null, messageId: null,
        error: `the body is not JSON this page can read (${(() => { try { JSON.parse("{nope"); } catch (e) { return e.message; } })()})`,
        json: "{nope",
      }],
      more: 0,
    });
  });
});

describe("the live view [workerd]", () => {
  let worker, px, sourceId, otherId;
  const config = (pxUrl) => ({
    allowInsecureEndpoints: true,
    sources: [
      { writeKey: "wk_live", name: "Shop", destinations: { gainsightPx: { apiKey: { secret: "GAINSIGHT_PX_API_KEY" }, endpoint: pxUrl } } },
      { writeKey: "wk_strict", name: "Strict", rejectInvalidEvents: true, destinations: { gainsightPx: { apiKey: { secret: "GAINSIGHT_PX_API_KEY" }, endpoint: pxUrl } } },
    ],
  });

  before(async () => {
    px = await startRecordingServer();
    const text = JSON.stringify(config(px.url));
    // The source ids, as the core names them (a hash of the writeKey).
    const core = await Core.instantiate(await WebAssembly.compile(readFileSync(new URL("../../build/wasm/ajs_edge.wasm", import.meta.url))));
    const sources = core.configure(text).sources;
    [sourceId, otherId] = ["wk_live", "wk_strict"].map((k) => sources.find((s) => s.writeKey === k).id);
    worker = await startWorker(HOST, {
      bindings: { AJS_EDGE_CONFIG: text, GAINSIGHT_PX_API_KEY: PX_KEY, ADMIN_TOKEN: TOKEN, DELIVERY_TIMEOUT_MS: "5000" },
      ...deliveryOptions(),
    });
  });
  after(async () => {
    await worker?.dispose();
    await px?.close();
  });

  const opsCalls = async () => (await (await worker.fetch("/test/ops-calls", { method: "POST" })).json()).calls;
  const ops = async (object, method, ...args) => {
    const res = await worker.fetch("/test/ops", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ object, method, args }) });
    return (await res.json()).result;
  };
  const admin = async (method, path, body, token = TOKEN) => {
    const res = await worker.fetch(path, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { "content-type": "application/json" } : {}) },
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });
    return { status: res.status, body: await res.json() };
  };
  // A beacon as analytics.js or a server library sends it. → the reply's status
  const send = async (path, body, { writeKey = "wk_live", method = "POST" } = {}) => {
    const res = await worker.fetch(path, {
      method,
      headers: { authorization: basic(writeKey), "content-type": "text/plain" },
      body: method === "POST" ? (typeof body === "string" ? body : JSON.stringify(body)) : undefined,
    });
    await res.arrayBuffer();
    return res.status;
  };
  // Waits for the recording (after the reply: ctx.waitUntil) to be readable.
  const recorded = async (source, n, after = 0) => {
    const deadline = Date.now() + 5000;
    for (;;) {
      const { body } = await admin("GET", `/admin/live?after=${after}`);
      const entries = body.sources[source] ?? [];
      if (entries.length >= n) return { body, entries };
      if (Date.now() > deadline) throw new Error(`${n} recorded requests of ${source} awaited, ${entries.length} seen`);
      await quiet(25);
    }
  };
  const track = (i, extra = {}) => ({ event: `Event ${i}`, userId: "u1", messageId: `m-${i}`, properties: { i }, ...extra });

  test("not armed: accepted requests are not recorded and make no Durable Object call (the state is read once per isolate)", async () => {
    for (let i = 0; i < 5; i++) assert.equal(await send("/v1/track", track(i)), 200);
    await quiet(300);
    assert.deepEqual(await opsCalls(), ["live.liveUntil"]);
    for (let i = 5; i < 10; i++) assert.equal(await send("/v1/track", track(i)), 200);
    await quiet(300);
    assert.deepEqual(await opsCalls(), []);
    assert.deepEqual((await admin("GET", "/admin/live")).body, { armed: false, until: null, sources: {}, more: false });
  });

  test("armed: each accepted request appears under its source, newest last, with exact summaries; one call each", async () => {
    const before = Date.now();
    const armed = await admin("POST", "/admin/live", { minutes: 1 });
    assert.equal(armed.status, 200);
    assert.equal(armed.body.armed, true);
    assert.ok(armed.body.until >= before + 60_000 && armed.body.until <= Date.now() + 60_000, `until ${armed.body.until}`);
    await opsCalls();

    const one = track(1, { anonymousId: "a1" });
    const batch = [{ type: "identify", userId: "u2", traits: { email: "u2@example.com" }, messageId: "m-b1" }, { type: "page", name: "Pricing", anonymousId: "a2", messageId: "m-b2" }];
    assert.equal(await send("/v1/t", one), 200);
    assert.equal(await send("/v1/batch", { batch }), 200);
    const { body, entries } = await recorded(sourceId, 2);
    assert.deepEqual(Object.keys(body.sources), [sourceId]);
    assert.equal(body.armed, true);
    assert.equal(body.until, armed.body.until);
    for (const e of entries) {
      assert.match(e.at, ISO_MS);
      assert.ok(Date.parse(e.at) >= before && Date.parse(e.at) <= Date.now());
    }
    assert.ok(entries[1].seq > entries[0].seq);
    assert.deepEqual(entries.map(({ at, seq, ...e }) => e), [
      { path: "/v1/t", status: 200, counters: { received: 1, accepted: 1, rejected: 0 }, events: [summary(one, "track")], more: 0 },
      { path: "/v1/batch", status: 200, counters: { received: 2, accepted: 2, rejected: 0 }, events: batch.map((m) => summary(m)), more: 0 },
    ]);
    // One call a recorded request (the rest are this test's reads).
    assert.deepEqual((await opsCalls()).filter((c) => c !== "live.readLive"), ["live.recordLive", "live.recordLive"]);
    // Only what came after a seq.
    const later = (await admin("GET", `/admin/live?after=${entries[0].seq}`)).body.sources[sourceId];
    assert.deepEqual(later.map((e) => e.seq), [entries[1].seq]);
  });

  test("refused requests are never recorded: an unknown writeKey, a body that is not JSON, an invalid event refused; nor settings or preflights", async () => {
    const { entries: seen } = await recorded(sourceId, 0);
    const after = seen.at(-1)?.seq ?? 0;
    await opsCalls();
    assert.equal(await send("/v1/track", track(20), { writeKey: "wk_unknown" }), 401);
    assert.equal(await send("/v1/track", "{not json"), 400);
    assert.equal(await send("/v1/track", { event: "No user" }, { writeKey: "wk_strict" }), 400); // rejectInvalidEvents
    assert.equal(await send("/v1/projects/wk_live/settings", undefined, { method: "GET" }), 200);
    const preflight = await worker.fetch("/v1/t", { method: "OPTIONS", headers: { origin: "https://shop.example", "access-control-request-method": "POST" } });
    await preflight.arrayBuffer();
    assert.equal(await send("/v1/track", track(21), { writeKey: "wk_strict" }), 200); // the one accepted
    const { body, entries } = await recorded(otherId, 1, after);
    assert.deepEqual(Object.keys(body.sources), [otherId]);
    assert.deepEqual(entries.map((e) => e.events.map((ev) => ev.messageId)), [["m-21"]]);
    await quiet(300);
    assert.deepEqual((await opsCalls()).filter((c) => c !== "live.readLive"), ["live.recordLive"]);
  });

  test("the ring keeps the last 50 requests of a source", async () => {
    await admin("DELETE", "/admin/live");
    await admin("POST", "/admin/live", { minutes: 1 });
    for (let i = 0; i < 55; i++) assert.equal(await send("/v1/t", track(100 + i)), 200);
    const deadline = Date.now() + 5000;
    let ids;
    do {
      ids = ((await admin("GET", "/admin/live")).body.sources[sourceId] ?? []).map((e) => e.events[0].messageId);
      if (ids.at(-1) === "m-154") break;
      await quiet(25);
    } while (Date.now() < deadline);
    assert.deepEqual(ids, Array.from({ length: 50 }, (_, i) => `m-${105 + i}`));
  });

  test("at most 20 sources: past that, the source heard from least recently goes", async () => {
    await ops("live", "armLive", Date.now() + 60_000);
    const ids = Array.from({ length: 21 }, (_, i) => i.toString(16).padStart(16, "0"));
    for (const id of ids) assert.equal(await ops("live", "recordLive", [id], { at: Date.now(), path: "/v1/t", status: 200, counters: {}, events: [], more: 0 }), true);
    // The ring test's source went first (heard from least recently), then the first new one.
    assert.deepEqual(await ops("live", "liveRows"), ids.slice(1).map((source) => ({ source, n: 1 })));
  });

  test("a read returns about 1 MB at most: `more` says to read on from the last seq, and nothing is lost or repeated", async () => {
    await admin("DELETE", "/admin/live");
    await ops("live", "armLive", Date.now() + 60_000);
    const big = "f".repeat(16);
    for (let i = 0; i < 30; i++) {
      const entry = { at: Date.now(), path: `/v1/t/${i}`, status: 200, counters: {}, events: [{ json: "x".repeat(40_000) }], more: 0 };
      assert.equal(await ops("live", "recordLive", [big], entry), true);
    }
    const first = (await admin("GET", "/admin/live")).body;
    assert.equal(first.more, true);
    const got = first.sources[big].map((e) => e.path);
    assert.ok(got.length >= 20 && got.length < 30, `${got.length} in the first read`);
    const second = (await admin("GET", `/admin/live?after=${first.sources[big].at(-1).seq}`)).body;
    assert.equal(second.more, false);
    assert.deepEqual([...got, ...second.sources[big].map((e) => e.path)], Array.from({ length: 30 }, (_, i) => `/v1/t/${i}`));
    await admin("DELETE", "/admin/live");
  });

  test("disarm: DELETE /admin/live forgets what was recorded, and this isolate stops recording at once", async () => {
    await admin("POST", "/admin/live", { minutes: 1 });
    assert.equal(await send("/v1/t", track(200)), 200);
    await recorded(sourceId, 1);
    assert.deepEqual(await admin("DELETE", "/admin/live"), { status: 200, body: { armed: false, until: null } });
    await opsCalls();
    assert.equal(await send("/v1/t", track(201)), 200);
    await quiet(300);
    assert.deepEqual(await opsCalls(), []);
    assert.deepEqual((await admin("GET", "/admin/live")).body, { armed: false, until: null, sources: {}, more: false });
    // An arming that has run out records nothing either (the object checks, whatever an isolate cached).
    await ops("live", "armLive", Date.now() - 1);
    assert.equal(await ops("live", "recordLive", [sourceId], { at: Date.now(), path: "/v1/t", status: 200, counters: {}, events: [], more: 0 }), false);
  });

  test("the admin routes: minutes 1…60, after a seq; 400 JSON otherwise, 405 for other methods, 401 without the token", async () => {
    for (const body of [{ minutes: 0 }, { minutes: 61 }, { minutes: 1.5 }, { minutes: "10" }, [], "{nope"]) {
      const r = await admin("POST", "/admin/live", body);
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.equal(r.body.code, "invalid_request");
    }
    assert.equal((await admin("GET", "/admin/live?after=abc")).status, 400);
    assert.equal((await admin("PUT", "/admin/live")).status, 405);
    assert.equal((await admin("GET", "/admin/live", undefined, null)).status, 401);
    assert.equal((await admin("POST", "/admin/live", { minutes: 1 }, "wrong")).status, 401);
    const armed = await admin("POST", "/admin/live");
    assert.ok(Math.abs(armed.body.until - (Date.now() + 10 * 60_000)) < 5000, "10 minutes by default");
    await admin("DELETE", "/admin/live");
  });
});

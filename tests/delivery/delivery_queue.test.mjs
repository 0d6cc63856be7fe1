// Durable delivery in real workerd (Miniflare's local Queues and Durable Objects), on the wasi
// build (delivery is host code): the 200 comes after the calls are queued, the consumer fills the
// secrets in and keeps each user's order, client retries are deduplicated, Retry-After is obeyed,
// permanent failures and exhausted retries become dead letters an operator lists and replays,
// chains over the message limit go through the payload store. Without a queue a configured Worker
// does not load, unless DELIVERY_MODE = "inline" says to deliver without one. Each test looks only at its own users, dead
// letters and counter deltas, so it passes alone and in any order.
import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { BUILDS, WORKERD_BUILDS, jsonLogs } from "../support/harness.mjs";
import { waitFor } from "../support/capture_server.mjs";
import { startDelivery, deliveredId, SECRETS } from "../support/delivery_fixture.mjs";
import { NO_QUEUE } from "../../host-shims/delivery/delivery_config.mjs";

const SECRET_FORMS = [...Object.values(SECRETS), Buffer.from(`${SECRETS.GAINSIGHT_PX_API_KEY}:`).toString("base64")];
const noSecret = (value) => {
  const text = JSON.stringify(value);
  for (const s of SECRET_FORMS) assert.ok(!text.includes(s), "no credential");
};
const user = (id, n = 1, extra = {}) => [
  { type: "identify", userId: id, messageId: `${id}-0`, traits: { email: `${id}@example.com`, seq: `${id}-0` } },
  ...Array.from({ length: n }, (_, i) => ({ type: "track", userId: id, messageId: `${id}-${i + 1}`, event: "Clicked", properties: { seq: `${id}-${i + 1}`, ...extra } })),
];
const ids = (list, d) => list.map((f) => deliveredId(d, f.body));
const DESTS = ["gist", "gainsight", "gainsightPx"];

for (const build of WORKERD_BUILDS) {
  describe(`durable delivery, queue [${build.name}]`, () => {
    let ctx;
    before(async () => {
      ctx = await startDelivery(build, { bindings: { DELIVERY_MAX_ATTEMPTS: "3", DELIVERY_RETRY_AFTER_MAX_S: "2" } });
    });
    after(async () => {
      await ctx?.dispose();
    });
    const delivered = () => ctx.delivered();
    const until = (probe, what, timeoutMs = 15_000) => waitFor(probe, { what, timeoutMs, intervalMs: 25 });

    test("200 once queued; the consumer fills in the secrets; Gist gets the contact before the event", async () => {
      const res = await ctx.post("/v1/batch", { writeKey: "wk", batch: user("alice", 2) });
      assert.deepEqual([res.status, res.body], [200, { success: true }]);
      const alice = (d) => delivered()[d].filter((f) => deliveredId(d, f.body)?.startsWith("alice-"));
      await until(() => DESTS.every((d) => alice(d).length === 3), "3 calls per destination");
      for (const d of DESTS) assert.deepEqual(ids(alice(d), d), ["alice-0", "alice-1", "alice-2"]);
      const { gist, gainsight, px } = ctx.fakes;
      const mine = (list) => list.filter((r) => JSON.stringify(r.body).includes('"alice-'));
      assert.ok(mine(gist.requests).every((r) => r.headers.authorization === `Bearer ${SECRETS.GIST_API_KEY}`));
      assert.deepEqual(mine(gist.requests).map((r) => `${r.method} ${r.path}`), ["POST /contacts", "POST /events", "POST /events"]);
      assert.ok(mine(gainsight.received).every((r) => r.headers.accesskey === SECRETS.GAINSIGHT_ACCESS_KEY));
      assert.equal(mine(px.received).length, 3);
      const mode = jsonLogs(ctx.worker.logs).find((l) => l.at === "delivery-mode");
      assert.deepEqual(mode, { at: "delivery-mode", build: build.name, mode: "queue", durable: true, dedup: true, deadLetters: true, log: "calls" });
      const d = await until(() => jsonLogs(ctx.worker.logs).find((l) => l.at === "delivery" && l.messageId === "alice-1" && l.destination === "gist"), "the delivery's log line");
      assert.deepEqual(Object.keys(d).sort(), ["at", "attempt", "destination", "latencyMs", "messageId", "mode", "outcome", "status"]);
      noSecret(ctx.worker.logs);
    });

    test("a client retry (X-Retry-Count) and a duplicate sent at the same moment reach each destination once", async () => {
      const body = { writeKey: "wk", batch: user("bob", 3) };
      const before = await ctx.stats();
      const replies = await Promise.all([ctx.post("/v1/batch", body), ctx.post("/v1/batch", body, { "x-retry-count": "1" })]);
      replies.push(await ctx.post("/v1/batch", body, { "x-retry-count": "2" }));
      assert.deepEqual(replies.map((r) => r.status), [200, 200, 200]);
      await until(() => DESTS.every((d) => ids(delivered()[d], d).filter((i) => i.startsWith("bob")).length === 4), "bob's 4 events everywhere");
      const after = await ctx.settle(undefined, { quietMs: 1500 });
      for (const d of DESTS) assert.deepEqual(ids(delivered()[d], d).filter((i) => i.startsWith("bob")), ["bob-0", "bob-1", "bob-2", "bob-3"]);
      const dedup = DESTS.reduce((n, d) => n + (after.counters[d]?.deduplicated ?? 0) - (before.counters[d]?.deduplicated ?? 0), 0);
      assert.ok(dedup >= 2 * 4 * 3, `the two copies were skipped (${dedup})`);
    });

    test("429 with Retry-After: the call is tried again after that many seconds, and delivered once", async () => {
      await ctx.post("/v1/batch", { writeKey: "wk", batch: user("carol") }).then((r) => assert.equal(r.status, 200));
      await until(() => ids(delivered().gist, "gist").includes("carol-1"), "carol's event at Gist");
      ctx.fakes.gist.failNext(429, { retryAfter: 2 });
      const t0 = Date.now();
      const res = await ctx.post("/v1/t", { writeKey: "wk", type: "track", userId: "carol", messageId: "carol-9", event: "Again", properties: { seq: "carol-9" } });
      assert.equal(res.status, 200);
      await until(() => ids(delivered().gist, "gist").includes("carol-9"), "the retried event");
      assert.ok(Date.now() - t0 >= 1900, `waited ${Date.now() - t0} ms`);
      // The consumer logs after the destination answered: wait for the line, not just the delivery.
      const carol9 = () => jsonLogs(ctx.worker.logs).filter((l) => l.at === "delivery" && l.messageId === "carol-9" && l.destination === "gist");
      const lines = await until(() => carol9().some((l) => l.outcome === "ok") && carol9(), "the delivery's log line");
      assert.deepEqual(lines.map((l) => [l.status, l.outcome, l.attempt]), [[429, "retry", 1], [200, "ok", 2]]);
    });

    test("a 4xx is permanent: a dead letter with its reason, the chain goes on; replay delivers it once", async () => {
      const deadBefore = (await ctx.stats()).deadLetters;
      ctx.fakes.gainsight.failNext(400);
      await ctx.post("/v1/batch", { writeKey: "wk", batch: user("dave", 1) }).then((r) => assert.equal(r.status, 200));
      await until(async () => (await ctx.admin("GET", "/admin/dead-letters")).body.total === deadBefore + 1, "one dead letter");
      await until(() => ids(delivered().gainsight, "gainsight").includes("dave-1"), "the next call of the chain");
      const list = await ctx.admin("GET", "/admin/dead-letters?destination=gainsight&limit=500");
      const item = list.body.items.find((i) => i.messageIds.includes("dave-0"));
      assert.deepEqual([item.destination, item.reason, item.status, item.messageIds, item.calls], ["gainsight", "permanent", 400, ["dave-0"], 1]);
      assert.match(item.error, /injected failure 400/);
      const full = await ctx.admin("GET", `/admin/dead-letters/${item.id}`);
      assert.equal(full.body.message.calls[0].messageId, "dave-0");
      noSecret(full.body);
      // The same id three times: queued once (the ledger would hide extra copies at the
      // destination, so the answer and the dedup counter are what tell).
      const dedupBefore = (await ctx.stats()).counters.gainsight?.deduplicated ?? 0;
      const replay = await ctx.admin("POST", "/admin/dead-letters/replay", { ids: [item.id, item.id, item.id] });
      assert.deepEqual(replay.body, { replayed: 1, skipped: 0, remaining: 0 });
      await until(() => ids(delivered().gainsight, "gainsight").includes("dave-0"), "the replayed call");
      const settled = await ctx.settle(undefined, { quietMs: 1000 });
      assert.deepEqual(ids(delivered().gainsight, "gainsight").filter((i) => i.startsWith("dave")), ["dave-1", "dave-0"]);
      assert.deepEqual(ctx.proxies.gainsight.forwarded.filter((f) => f.body?.messageId === "dave-0").map((f) => f.status), [400, 200], "the 400, then one replay");
      assert.equal(settled.counters.gainsight?.deduplicated ?? 0, dedupBefore, "no extra copy was queued");
    });

    test("retries used up: one dead letter with the rest of the chain, in order; replay delivers it in order", async () => {
      const before = await ctx.stats();
      ctx.fakes.px.failNext(500, { count: 3 }); // DELIVERY_MAX_ATTEMPTS 3
      await ctx.post("/v1/batch", { writeKey: "wk", batch: user("erin", 2) }).then((r) => assert.equal(r.status, 200));
      await until(async () => (await ctx.admin("GET", "/admin/dead-letters")).body.total === before.deadLetters + 1, "one dead letter", 20_000);
      const page = (await ctx.admin("GET", "/admin/dead-letters?destination=gainsightPx&limit=500")).body;
      const item = page.items.find((i) => i.messageIds.includes("erin-0"));
      assert.deepEqual([item.reason, item.status, item.attempts, item.messageIds, item.calls], ["retries_exhausted", 500, 3, ["erin-0", "erin-1", "erin-2"], 3]);
      const erinAtPx = () => ids(delivered().gainsightPx, "gainsightPx").filter((i) => i.startsWith("erin"));
      assert.deepEqual(erinAtPx(), []);
      // The counters are flushed after the batch that stored the dead letter: wait for them.
      const deadLettered = async () => ((await ctx.stats()).counters.gainsightPx?.deadLettered ?? 0) - (before.counters.gainsightPx?.deadLettered ?? 0);
      await until(async () => (await deadLettered()) >= 3, "the dead-letter counter");
      assert.equal(await deadLettered(), 3);
      assert.equal((await ctx.stats()).deadLetters, before.deadLetters + 1);
      const replay = await ctx.admin("POST", "/admin/dead-letters/replay", { ids: [item.id] });
      assert.deepEqual(replay.body, { replayed: 1, skipped: 0, remaining: 0 });
      await until(() => erinAtPx().length === 3, "erin at PX");
      assert.deepEqual(erinAtPx(), ["erin-0", "erin-1", "erin-2"]);
    });

    test("a chain over the 128 KB message limit goes through the payload store, in order", async () => {
      const big = user("frank", 40, { pad: "x".repeat(4000) });
      const res = await ctx.post("/v1/batch", { writeKey: "wk", batch: big });
      assert.equal(res.status, 200);
      await until(() => DESTS.every((d) => ids(delivered()[d], d).filter((i) => i.startsWith("frank")).length === 41), "frank's 41 events everywhere", 30_000);
      for (const d of DESTS) assert.deepEqual(ids(delivered()[d], d).filter((i) => i.startsWith("frank")), big.map((m) => m.messageId));
      const stored = jsonLogs(ctx.worker.logs).filter((l) => l.at === "enqueue" && l.stored);
      assert.deepEqual(stored.map((l) => l.destination).sort(), ["gainsight", "gainsightPx", "gist"]);
      assert.ok(stored.every((l) => l.bytes > 120_000));
    });

    // Self-contained (it used to lean on the counters of the tests before it, and failed alone).
    test("admin: 401 without the right token; stats per destination; unknown routes 404; DELETE discards", async () => {
      assert.equal((await ctx.admin("GET", "/admin/stats", undefined, null)).status, 401);
      assert.equal((await ctx.admin("GET", "/admin/stats", undefined, "wrong")).status, 401);
      assert.equal((await ctx.admin("GET", "/admin/nothing")).status, 404);
      const before = await ctx.stats();
      const deadBefore = before.deadLetters;
      // Its own traffic: Gist's first call answered 429 (retried), Gainsight's refused with a 422.
      ctx.fakes.gist.failNext(429, { retryAfter: 1 });
      ctx.fakes.gainsight.failNext(422);
      assert.equal((await ctx.post("/v1/batch", { writeKey: "wk", batch: user("gina", 1) })).status, 200);
      await until(() => ids(delivered().gist, "gist").includes("gina-1") && ids(delivered().gainsightPx, "gainsightPx").includes("gina-1"), "gina at Gist and PX");
      await until(async () => (await ctx.stats()).deadLetters === deadBefore + 1, "a dead letter");
      const stats = await ctx.settle(undefined, { quietMs: 500 });
      assert.deepEqual([stats.mode, stats.durable, stats.dedup, stats.scope], ["queue", true, true, "durable"]);
      for (const d of DESTS) {
        assert.deepEqual(Object.keys(stats.counters[d]).sort(), ["busy", "deadLettered", "deduplicated", "deferred", "failed", "retried", "sent"]);
      }
      const delta = (d, name) => stats.counters[d][name] - (before.counters[d]?.[name] ?? 0);
      assert.deepEqual(
        [delta("gist", "sent"), delta("gist", "retried"), delta("gainsight", "failed"), delta("gainsight", "sent"), delta("gainsightPx", "sent")],
        [2, 1, 1, 1, 2],
      );
      const page = (await ctx.admin("GET", "/admin/dead-letters?destination=gainsight&limit=500")).body;
      const item = page.items.find((i) => i.messageIds.includes("gina-0"));
      assert.deepEqual([item.reason, item.status], ["permanent", 422]);
      assert.equal((await ctx.admin("DELETE", `/admin/dead-letters/${item.id}`)).status, 200);
      assert.equal((await ctx.admin("GET", "/admin/dead-letters")).body.total, deadBefore);
      assert.equal((await ctx.admin("GET", `/admin/dead-letters/${item.id}`)).status, 404);
      assert.equal((await ctx.admin("DELETE", `/admin/dead-letters/${item.id}`)).status, 404);
      assert.equal((await ctx.admin("POST", "/admin/dead-letters/replay", {})).status, 400);
      const bad = await ctx.admin("GET", "/admin/dead-letters/%");
      assert.deepEqual([bad.status, bad.body.code], [400, "invalid_request"]);
    });
  });

  describe(`durable delivery by default [${build.name}]`, () => {
    let ctx;
    before(async () => {
      ctx = await startDelivery(build, { queue: false });
    });
    after(async () => {
      await ctx?.dispose();
    });

    test("a configured Worker without its queue, and not told to deliver inline, sends nothing: 500 to the public, the reason in the log and /admin/config", async () => {
      const res = await ctx.post("/v1/batch", { writeKey: "wk", batch: user("ivan", 1) });
      assert.deepEqual([res.status, res.body.code], [500, "misconfigured"]);
      const reason = NO_QUEUE;
      assert.match(reason, /^no DELIVERY_QUEUE binding: .* set DELIVERY_MODE = "inline"$/);
      const config = await ctx.admin("GET", "/admin/config");
      assert.deepEqual([config.status, config.body.ok, config.body.error], [200, false, { status: 500, code: "invalid_config", message: reason }]);
      assert.ok(jsonLogs(ctx.worker.logs).some((l) => l.at === "config" && l.error === reason));
      assert.ok(DESTS.every((d) => ctx.delivered()[d].length === 0));
    });
  });

  describe(`inline delivery, when DELIVERY_MODE asks for it [${build.name}]`, () => {
    let ctx;
    before(async () => {
      ctx = await startDelivery(build, { queue: false, bindings: { DELIVERY_MODE: "inline" } });
    });
    after(async () => {
      await ctx?.dispose();
    });

    test("delivers after the reply, logs that durability is off, counts per destination in the isolate", async () => {
      const res = await ctx.post("/v1/batch", { writeKey: "wk", batch: user("ivan", 1) });
      assert.equal(res.status, 200);
      await waitFor(() => DESTS.every((d) => ctx.delivered()[d].length === 2), { what: "inline delivery", timeoutMs: 15_000 });
      const mode = jsonLogs(ctx.worker.logs).find((l) => l.at === "delivery-mode");
      assert.deepEqual([mode.mode, mode.durable], ["inline", false]);
      assert.equal(mode.message, 'DELIVERY_MODE is "inline": durability is off — calls are sent after the reply (ctx.waitUntil), 3 attempts each, and are lost if those fail or the isolate stops');
      const stats = await waitFor(async () => {
        const s = await ctx.stats();
        return DESTS.every((d) => s.counters[d]?.sent === 2) ? s : undefined;
      }, { what: "inline counters", timeoutMs: 15_000 });
      assert.deepEqual([stats.mode, stats.durable, stats.dedup, stats.scope, stats.deadLetters], ["inline", false, false, "isolate", null]);
      assert.equal((await ctx.admin("GET", "/admin/dead-letters")).status, 409);
      assert.equal((await ctx.admin("GET", "/admin/config")).body.delivery, "inline");
    });
  });
}

describe("durable delivery, the dedup window [wasi]", () => {
  let ctx;
  before(async () => {
    // A 4 s window instead of 24 h (room for a loaded machine between the first delivery and the
    // retry), one ledger shard so the test can look at it.
    ctx = await startDelivery(BUILDS[0], { bindings: { DELIVERY_DEDUP_HOURS: String(4 / 3600), DELIVERY_LEDGER_SHARDS: "1" } });
  });
  after(async () => {
    await ctx?.dispose();
  });

  test("a messageId is refused within the window and accepted after it (expired rows go with their day's table: tests/durable)", async () => {
    const body = { writeKey: "wk", type: "track", userId: "zoe", messageId: "zoe-1", event: "E", properties: { email: "zoe@example.com", seq: "zoe-1" } };
    const gistCount = () => ctx.delivered().gist.length;
    assert.equal((await ctx.post("/v1/t", body)).status, 200);
    await waitFor(() => gistCount() === 1, { what: "first delivery", timeoutMs: 15_000 });
    const ns = await ctx.worker.mf.getDurableObjectNamespace("DELIVERY_LEDGER");
    const shard = ns.get(ns.idFromName("events/0"));
    await waitFor(async () => (await shard.size()) === 3, { what: "the event's three calls recorded", timeoutMs: 15_000 }); // gist, gainsight, PX
    assert.equal((await ctx.post("/v1/t", body, { "x-retry-count": "1" })).status, 200);
    await ctx.settle((s) => s.counters.gist?.deduplicated === 1, { quietMs: 300 });
    assert.equal(gistCount(), 1);
    await waitFor(async () => (await shard.entries()).every(([, e]) => e.until <= Date.now()), { what: "the window's end", timeoutMs: 10_000, intervalMs: 100 });
    assert.equal((await ctx.post("/v1/t", body)).status, 200);
    await waitFor(() => gistCount() === 2, { what: "delivery after the window", timeoutMs: 15_000 });
  });
});

// Fault injection in real workerd: a few thousand events through the queue while half of the
// calls to Gist, Gainsight and PX fail (500, 429 with Retry-After, hangs past the timeout,
// dropped connections), with clients retrying some requests, one after the other and at once.
// Then the faults stop, the dead letters are replayed, and every accepted event must have
// reached every destination exactly once, in order per user. Runs on the wasi build (the
// delivery is host code; delivery_queue.test.mjs covers both builds).
import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { BUILDS } from "./harness.mjs";
import { startDelivery, deliveredId, SECRETS } from "./delivery_fixture.mjs";
import { prng, FAULT_KINDS } from "../fakes/faulty.mjs";

const REQUESTS = 70;
const USERS_PER_REQUEST = 10; // each: identify, then two tracks → 30 events a request
const FAULT_RATE = 0.5;
const RESEND_LATER = 0.1; // share of requests a client sends again after its 200 (X-Retry-Count: 1)
const RESEND_AT_ONCE = 0.05; // share sent twice at the same moment
const PARALLEL_CLIENTS = 8;
// A call that reached its upstream but was answered after the timeout is sent again: no sender
// can tell it from a lost one. The timeout is far above what a forwarded call takes here, even
// on a loaded machine's cold start; the injected hangs last longer than it.
const TIMEOUT_MS = Number(process.env.AJS_FAULT_TIMEOUT_MS ?? 500); // lower it to see late answers counted apart
const HANG_MS = TIMEOUT_MS + 300;
const DESTINATIONS = ["gist", "gainsight", "gainsightPx"];
const WARM_UP_CALLS = DESTINATIONS.length;

function makeRequest(r) {
  const batch = [];
  for (let u = 0; u < USERS_PER_REQUEST; u++) {
    const userId = `user-${r}-${u}`;
    const id = (k) => `m-${r}-${u}-${k}`;
    batch.push({ type: "identify", userId, messageId: id(0), traits: { email: `${userId}@example.com`, seq: id(0) } });
    batch.push({ type: "track", userId, messageId: id(1), event: "Report Exported", properties: { seq: id(1), format: "csv" } });
    batch.push({ type: "track", userId, messageId: id(2), event: "Plan Upgraded", properties: { seq: id(2), plan: "pro" } });
  }
  return { writeKey: "wk", batch };
}

describe("durable delivery under faults [wasi]", () => {
  let ctx;
  const figures = {};
  before(async () => {
    ctx = await startDelivery(BUILDS[0], { faults: { rate: 0, seed: 11, hangMs: HANG_MS }, bindings: { DELIVERY_TIMEOUT_MS: String(TIMEOUT_MS) } });
    // Warm-up without faults: connections open and code paths compiled before the clock matters.
    const warm = await ctx.post("/v1/batch", { writeKey: "wk", batch: [{ type: "identify", userId: "warm-up", messageId: "warm-up", traits: { email: "w@example.com" } }] });
    assert.equal(warm.status, 200);
    await ctx.settle((s) => DESTINATIONS.every((d) => s.counters[d]?.sent === 1), { quietMs: 200 });
    for (const p of Object.values(ctx.proxies)) {
      p.forwarded.length = 0;
      p.setRate(FAULT_RATE);
    }
  });
  after(async () => {
    await ctx?.dispose();
  });

  test(`${REQUESTS * USERS_PER_REQUEST * 3} events, ${FAULT_RATE * 100} % of calls failing, then replay: each delivered once per destination, in order`, async (t) => {
    const started = Date.now();
    const random = prng(99);
    const requests = Array.from({ length: REQUESTS }, (_, r) => makeRequest(r));
    const sends = [];
    for (let r = 0; r < REQUESTS; r++) {
      sends.push({ r, headers: {} });
      if (random() < RESEND_AT_ONCE) sends.push({ r, headers: { "x-retry-count": "1" } });
    }
    const later = requests.map((_, r) => r).filter(() => random() < RESEND_LATER);

    // 1. Clients send; every request must be answered 200 once its calls are queued.
    let next = 0;
    const statuses = [];
    await Promise.all(
      Array.from({ length: PARALLEL_CLIENTS }, async () => {
        while (next < sends.length) {
          const { r, headers } = sends[next++];
          const res = await ctx.post("/v1/batch", requests[r], headers);
          statuses.push(res.status);
        }
      }),
    );
    for (const r of later) statuses.push((await ctx.post("/v1/batch", requests[r], { "x-retry-count": "1" })).status);
    assert.deepEqual([...new Set(statuses)], [200]);
    const events = REQUESTS * USERS_PER_REQUEST * 3;
    const expectedCalls = events * DESTINATIONS.length;
    const acceptedAt = Date.now();

    // 2. Faults go on until every chain is delivered or dead-lettered.
    const faulted = await ctx.settle(
      (s) => DESTINATIONS.reduce((n, d) => n + (s.counters[d]?.sent ?? 0) + (s.counters[d]?.deadLettered ?? 0), 0) >= expectedCalls + WARM_UP_CALLS,
      { timeoutMs: 120_000 },
    );
    const faultsSettledAt = Date.now();

    // Dead letters keep the queue message: secrets are named there, never present.
    const list = await ctx.admin("GET", "/admin/dead-letters?limit=5");
    assert.equal(list.status, 200);
    assert.ok(list.body.total > 0, "with 50 % failures and 6 attempts, some chains run out of retries");
    const deadLettered = list.body.total;
    const first = await ctx.admin("GET", `/admin/dead-letters/${list.body.items[0].id}`);
    assert.equal(first.body.reason, "retries_exhausted");
    const text = JSON.stringify(first.body);
    for (const secret of Object.values(SECRETS)) assert.ok(!text.includes(secret), "a dead letter never holds a credential");
    assert.ok(!text.includes(Buffer.from(`${SECRETS.GAINSIGHT_PX_API_KEY}:`).toString("base64")));

    // 3. The faults stop; the operator replays every dead letter.
    for (const p of Object.values(ctx.proxies)) p.setRate(0);
    const replay = await ctx.admin("POST", "/admin/dead-letters/replay", { all: true });
    assert.equal(replay.status, 200, JSON.stringify(replay.body));
    assert.deepEqual([replay.body.replayed, replay.body.remaining], [deadLettered, 0]);
    const final = await ctx.settle((s) => s.deadLetters === 0, { timeoutMs: 60_000 });

    // 4. Exactly once per destination, nothing lost, nothing refused, order kept per user.
    const delivered = ctx.delivered();
    const expectedIds = requests.flatMap((q) => q.batch.map((m) => m.messageId));
    const dupes = {};
    const lost = {};
    const lateForwards = {};
    // A forwarded call that the Worker gave up on (its timeout) had reached the upstream: it is
    // applied and then sent again — the one duplicate no sender can prevent. Per call: the
    // Worker's timeouts minus the proxy's injected hangs = calls answered too late.
    const timeouts = new Map();
    for (const l of ctx.worker.logs) {
      if (!l.includes('"error":"timeout"')) continue;
      const e = JSON.parse(l.slice(l.indexOf("{")));
      timeouts.set(`${e.destination}|${e.messageId}`, (timeouts.get(`${e.destination}|${e.messageId}`) ?? 0) + 1);
    }
    const proxyOf = { gist: ctx.proxies.gist, gainsight: ctx.proxies.gainsight, gainsightPx: ctx.proxies.px };
    for (const d of DESTINATIONS) {
      const hangs = new Map();
      for (const f of proxyOf[d].injected) if (f.kind === "hang") hangs.set(deliveredId(d, f.body), (hangs.get(deliveredId(d, f.body)) ?? 0) + 1);
      const tooLate = (id) => (timeouts.get(`${d}|${id}`) ?? 0) - (hangs.get(id) ?? 0);
      const counts = new Map();
      for (const f of delivered[d]) {
        const id = deliveredId(d, f.body);
        counts.set(id, (counts.get(id) ?? 0) + 1);
      }
      const late = new Set([...counts].filter(([id, n]) => n > 1 && n - 1 <= tooLate(id)).map(([id]) => id));
      lateForwards[d] = late.size;
      dupes[d] = [...counts].filter(([id, n]) => n > 1 && !late.has(id)).length;
      lost[d] = expectedIds.filter((id) => !counts.has(id)).length;
      if (dupes[d] || lost[d]) {
        const dup = [...counts].filter(([, n]) => n > 1).map(([id]) => id).slice(0, 3);
        t.diagnostic(`${d}: duplicated ${JSON.stringify(dup)}; logs ${JSON.stringify(ctx.worker.logs.filter((l) => dup.some((id) => l.includes(`"${id}"`))).slice(0, 20))}`);
      }
      assert.equal(counts.size, expectedIds.length, `${d}: distinct events delivered`);
      assert.equal(dupes[d], 0, `${d}: duplicates`);
      // Within one user, the identify comes before both tracks, and the tracks keep their order.
      const seen = new Map();
      for (const f of delivered[d]) {
        const [, r, u, k] = deliveredId(d, f.body).split("-");
        const user = `${r}-${u}`;
        const prev = seen.get(user) ?? -1;
        if (late.has(deliveredId(d, f.body)) && Number(k) <= prev) continue; // the late one's second copy
        assert.equal(Number(k), prev + 1, `${d}: user ${user} event ${k} after ${prev}`);
        seen.set(user, Number(k));
      }
    }
    assert.deepEqual(dupes, { gist: 0, gainsight: 0, gainsightPx: 0 }, "duplicates per destination");
    assert.deepEqual(lost, { gist: 0, gainsight: 0, gainsightPx: 0 }, "lost events per destination");
    assert.deepEqual(ctx.rejected(), [], "no upstream refused a call (a Gist event before its contact would be a 404)");
    assert.equal(ctx.fakes.gist.contacts.size, REQUESTS * USERS_PER_REQUEST + 1); // + the warm-up user

    const sum = (name) => DESTINATIONS.reduce((n, d) => n + (final.counters[d]?.[name] ?? 0), 0);
    assert.equal(sum("sent"), expectedCalls + WARM_UP_CALLS, "the Worker's own count of calls answered 2xx");
    assert.ok(sum("deduplicated") > 0, "client retries were deduplicated");
    const faults = Object.fromEntries(FAULT_KINDS.map((k) => [k, Object.values(ctx.proxies).reduce((n, p) => n + p.faults[k], 0)]));
    for (const k of FAULT_KINDS) assert.ok(faults[k] > 0, `some ${k} faults were injected`);
    Object.assign(figures, {
      events,
      requests: sends.length + later.length,
      clientRetries: sends.length - REQUESTS + later.length,
      calls: expectedCalls,
      upstreamRequests: Object.values(ctx.proxies).reduce((n, p) => n + p.requests, 0),
      faults,
      retried: sum("retried"),
      busy: sum("busy"),
      deduplicated: sum("deduplicated"),
      deadLettered,
      deliveredPerDestination: Object.fromEntries(DESTINATIONS.map((d) => [d, delivered[d].length])),
      duplicates: Object.values(dupes).reduce((a, b) => a + b, 0),
      answeredAfterTimeout: lateForwards,
      lost: Object.values(lost).reduce((a, b) => a + b, 0),
      seconds: { send: (acceptedAt - started) / 1000, faultPhase: (faultsSettledAt - acceptedAt) / 1000, total: (Date.now() - started) / 1000 },
      faultPhaseCounters: faulted.counters,
    });
    const okLatency = ctx.worker.logs.filter((l) => l.includes('"outcome":"ok"')).map((l) => JSON.parse(l.slice(l.indexOf("{"))).latencyMs).sort((a, b) => a - b);
    figures.okLatencyMs = { p50: okLatency[okLatency.length >> 1], p99: okLatency[Math.floor(okLatency.length * 0.99)], max: okLatency.at(-1) };
    const fwd = Object.values(ctx.proxies).flatMap((p) => p.forwarded.map((f) => f.ms)).sort((a, b) => a - b);
    figures.proxyMs = { p50: fwd[fwd.length >> 1], p99: fwd[Math.floor(fwd.length * 0.99)], max: fwd.at(-1) };
    t.diagnostic(`figures ${JSON.stringify(figures)}`);
  });
});

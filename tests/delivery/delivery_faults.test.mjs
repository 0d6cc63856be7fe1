// Fault injection in real workerd: a few thousand events through the queue while half of the
// calls to Gist, Gainsight and PX fail (500, 429 with Retry-After, stalls, dropped connections,
// answers lost after the call was applied), with clients retrying some requests, one after the
// other and at once. Then the faults stop, the dead letters are replayed, and every accepted
// event must have reached every destination exactly as often as the fault pattern says, in order
// per user. Runs on the wasi build (the delivery is host code).
//
// Why the assertion can be exact. The proxy (tests/fakes/faulty.mjs) decides each fault from a
// hash of the seed, the call and its attempt number, so the pattern does not depend on how
// requests interleave. Four kinds fail before the upstream sees the call: the call was not
// applied, and the ledger makes sure it is delivered once in the end. The fifth, a lost answer,
// is applied upstream and then the connection dies: the Worker cannot tell it from a loss and, at
// least once, sends the call again. That copy is not a flaw to excuse but a count to predict:
// each call arrives 1 + (its lost answers) times, and any other copy fails the test. No fault
// depends on the Worker's timer: its timeout is far above what any loopback call takes even on a
// loaded machine, and the stalls end (socket destroyed) well before it, so no call can be
// answered "too late" by accident — the one duplicate no test could predict. The timeout itself
// is covered in delivery_unit.test.mjs.
import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { BUILDS } from "../support/harness.mjs";
import { startDelivery, deliveredId, SECRETS } from "../support/delivery_fixture.mjs";
import { prng, FAULT_KINDS, LOST } from "../fakes/faulty.mjs";

const REQUESTS = Number(process.env.AJS_FAULT_REQUESTS ?? 70); // fewer for a quick run
const USERS_PER_REQUEST = 10; // each: identify, then two tracks → 30 events a request
const FAULT_RATE = 0.5;
const KINDS = [...FAULT_KINDS, LOST];
const RESEND_LATER = 0.1; // share of requests a client sends again after its 200 (X-Retry-Count: 1)
const RESEND_AT_ONCE = 0.05; // share sent twice at the same moment
const PARALLEL_CLIENTS = 8;
const TIMEOUT_MS = 10_000; // never reached: no answer comes late, every fault ends before it
const HANG_MS = 300; // a stall (or a lost answer) ends with the socket destroyed after this long
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
    // The Paid plan's subrequest budget: this test is about faults; the budget has its own tests.
    ctx = await startDelivery(BUILDS[0], { faults: { rate: 0, seed: 11, hangMs: HANG_MS, kinds: KINDS }, bindings: { DELIVERY_TIMEOUT_MS: String(TIMEOUT_MS), DELIVERY_SUBREQUESTS: "10000" } });
    // Warm-up without faults: connections open and code paths compiled first.
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

  test(`${REQUESTS * USERS_PER_REQUEST * 3} events, ${FAULT_RATE * 100} % of calls failing, then replay: each delivered in order, once plus one copy per lost answer`, async (t) => {
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
    const faulted = await ctx
      .settle((s) => DESTINATIONS.reduce((n, d) => n + (s.counters[d]?.sent ?? 0) + (s.counters[d]?.deadLettered ?? 0), 0) >= expectedCalls + WARM_UP_CALLS, {
        timeoutMs: 240_000,
      })
      .catch(async (e) => {
        t.diagnostic(`not settled: ${JSON.stringify(await ctx.stats())}; proxy requests ${Object.values(ctx.proxies).map((p) => p.requests)}`);
        throw e;
      });
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

    // 4. Per destination: each user's events in order, each one 1 + (its lost answers) times —
    // the copies the pattern predicts and no other; nothing lost, nothing refused.
    const delivered = ctx.delivered();
    const proxyOf = { gist: ctx.proxies.gist, gainsight: ctx.proxies.gainsight, gainsightPx: ctx.proxies.px };
    const userOf = (id) => id.split("-").slice(1, 3).join("-"); // m-<r>-<u>-<k>
    const lostAnswers = {};
    const mismatches = {};
    for (const d of DESTINATIONS) {
      const lost = new Map();
      for (const f of proxyOf[d].forwarded) if (f.lost) lost.set(deliveredId(d, f.body), (lost.get(deliveredId(d, f.body)) ?? 0) + 1);
      lostAnswers[d] = [...lost.values()].reduce((a, b) => a + b, 0);
      const expected = new Map();
      for (const q of requests) {
        for (const m of q.batch) {
          const list = expected.get(m.userId.slice("user-".length)) ?? [];
          for (let copy = 0; copy <= (lost.get(m.messageId) ?? 0); copy++) list.push(m.messageId);
          expected.set(m.userId.slice("user-".length), list);
        }
      }
      const actual = new Map([...expected.keys()].map((u) => [u, []]));
      for (const f of delivered[d]) {
        const id = deliveredId(d, f.body);
        if (!actual.has(userOf(id))) actual.set(userOf(id), []);
        actual.get(userOf(id)).push(id);
      }
      const wrong = [...actual.keys()].filter((u) => JSON.stringify(actual.get(u)) !== JSON.stringify(expected.get(u)));
      mismatches[d] = wrong.length;
      for (const u of wrong.slice(0, 3)) {
        const mine = (e) => deliveredId(d, e.body)?.startsWith(`m-${u}-`);
        t.diagnostic(`${d} user ${u}: delivered ${JSON.stringify(actual.get(u))}, the pattern says ${JSON.stringify(expected.get(u))}; ` +
          `proxy: ${JSON.stringify([...proxyOf[d].injected.filter(mine).map((e) => [deliveredId(d, e.body), e.attempt, e.kind]), ...proxyOf[d].forwarded.filter(mine).map((e) => [deliveredId(d, e.body), e.attempt, e.lost ? "lost" : "forwarded", e.status, e.ms])])}; ` +
          `log: ${JSON.stringify(ctx.worker.logs.filter((l) => l.includes(`"destination":"${d}"`) && l.includes(`"m-${u}-`)).slice(0, 20))}`);
      }
    }
    assert.deepEqual(mismatches, { gist: 0, gainsight: 0, gainsightPx: 0 }, "users whose deliveries differ from the pattern's prediction");
    assert.deepEqual(ctx.rejected(), [], "no upstream refused a call (a Gist event before its contact would be a 404)");
    assert.equal(ctx.fakes.gist.contacts.size, REQUESTS * USERS_PER_REQUEST + 1); // + the warm-up user

    const sum = (name) => DESTINATIONS.reduce((n, d) => n + (final.counters[d]?.[name] ?? 0), 0);
    assert.equal(sum("sent"), expectedCalls + WARM_UP_CALLS, "the Worker's own count of calls answered 2xx");
    assert.ok(sum("deduplicated") > 0, "client retries were deduplicated");
    const faults = Object.fromEntries(KINDS.map((k) => [k, Object.values(ctx.proxies).reduce((n, p) => n + p.faults[k], 0)]));
    for (const k of KINDS) assert.ok(faults[k] > 0, `some ${k} faults were injected`);
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
      copiesAfterLostAnswers: lostAnswers,
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

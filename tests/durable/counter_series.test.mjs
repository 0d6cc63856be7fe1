// The counters over time (issue #16): besides the totals, the "ops" object (ops_do.mjs) keeps a
// bucket a minute for 24 h, written by the same call as the totals, and GET /admin/stats/series
// reads them. In workerd, through tests/support/console_worker.mjs (the Worker with its
// DELIVERY_OPS calls counted, and flushes at known times):
//   - exact buckets for flushes at known times, zeros filled, every counter of every destination
//   - one Durable Object call a flush, and one SQLite row written more than the totals
//   - buckets 24 h old go at the first write of a later minute
//   - the endpoint's window (1 … 1440 minutes, 60 by default) and its 400s
// And in plain Node, the isolate's own series when no DELIVERY_OPS is bound.
import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startWorker, deliveryOptions } from "../support/harness.mjs";
import { COUNTERS, Counters, flushCounters, readCounterSeries } from "../../host-shims/durable/ops.mjs";

const HOST = { name: "console", script: "tests/support/console_worker.mjs" };
const TOKEN = "admin-series-token-3c9d";
const MINUTE = 60_000;
const zeros = (n) => new Array(n).fill(0);
// A destination's series: every counter, zeros but for `set` ({counter: {index: n}}).
const seriesOf = (n, set = {}) => {
  const out = Object.fromEntries(COUNTERS.map((c) => [c, zeros(n)]));
  for (const [name, at] of Object.entries(set)) {
    out[name] ??= zeros(n);
    for (const [i, v] of Object.entries(at)) out[name][Number(i)] = v;
  }
  return out;
};

describe("counters over time [workerd]", () => {
  let worker;
  before(async () => {
    worker = await startWorker(HOST, { bindings: { ADMIN_TOKEN: TOKEN }, durableObjects: deliveryOptions().durableObjects });
  });
  after(() => worker?.dispose());

  const post = async (path, body) => {
    const res = await worker.fetch(path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    assert.equal(res.status, 200, `${path}: ${res.status}`);
    return res.json();
  };
  const ops = async (object, method, ...args) => (await post("/test/ops", { object, method, args })).result;
  const admin = async (path, { method = "GET", token = TOKEN } = {}) => {
    const res = await worker.fetch(path, { method, headers: token ? { authorization: `Bearer ${token}` } : {} });
    return { status: res.status, body: await res.json() };
  };

  test("GET /admin/stats/series: the buckets of flushes at known times, oldest first, zeros filled", async () => {
    const now = Date.now();
    const flushes = [
      [now - 5 * MINUTE, { "gist-a": { sent: 2 } }],
      [now - 5 * MINUTE, { "gist-a": { sent: 1, retried: 1 }, "px-a": { sent: 4 } }],
      [now - 2 * MINUTE, { "gist-a": { sent: 5, deadLettered: 1, failed: 1 } }],
      [now, { "px-a": { dropped: 3 } }], // a counter of inline mode only: listed once it moved
    ];
    for (const [at, delta] of flushes) await post("/test/flush", { delta, at });
    const { status, body } = await admin("/admin/stats/series?minutes=10");
    assert.equal(status, 200);
    assert.equal(body.stepMs, MINUTE);
    assert.equal(body.buckets, 10);
    // The last bucket is the current minute's (the read may fall in the minute after the last flush).
    const last = Math.floor(Date.now() / MINUTE);
    assert.ok(body.start === (last - 9) * MINUTE || body.start === (last - 10) * MINUTE, `start ${body.start}`);
    const index = (at) => Math.floor(at / MINUTE) - body.start / MINUTE;
    assert.deepEqual(body.destinations["gist-a"], seriesOf(10, {
      sent: { [index(now - 5 * MINUTE)]: 3, [index(now - 2 * MINUTE)]: 5 },
      retried: { [index(now - 5 * MINUTE)]: 1 },
      deadLettered: { [index(now - 2 * MINUTE)]: 1 },
      failed: { [index(now - 2 * MINUTE)]: 1 },
    }));
    assert.deepEqual(body.destinations["px-a"], seriesOf(10, { sent: { [index(now - 5 * MINUTE)]: 4 }, dropped: { [index(now)]: 3 } }));
    // The totals moved by the same flushes.
    const stats = await admin("/admin/stats");
    assert.deepEqual(stats.body.counters["gist-a"], { ...Object.fromEntries(COUNTERS.map((c) => [c, 0])), sent: 8, retried: 1, deadLettered: 1, failed: 1 });
  });

  test("the window: 60 minutes by default, 1 and 1440 at the edges; a destination with totals but nothing in the window is all zeros", async () => {
    await post("/test/flush", { delta: { "quiet-a": { sent: 1 } }, at: Date.now() - 3 * 60 * MINUTE });
    for (const [query, n] of [["", 60], ["?minutes=1", 1], ["?minutes=1440", 1440]]) {
      const { status, body } = await admin(`/admin/stats/series${query}`);
      assert.equal(status, 200, query);
      assert.equal(body.buckets, n);
      const last = Math.floor(Date.now() / MINUTE);
      assert.ok(body.start === (last - n + 1) * MINUTE || body.start === (last - n) * MINUTE, `${query}: start ${body.start}`);
      for (const [d, counters] of Object.entries(body.destinations)) for (const [c, values] of Object.entries(counters)) assert.equal(values.length, n, `${d}.${c}`);
      if (n < 180) assert.deepEqual(body.destinations["quiet-a"], seriesOf(n));
    }
    const day = (await admin("/admin/stats/series?minutes=1440")).body;
    assert.equal(day.destinations["quiet-a"].sent.reduce((a, b) => a + b, 0), 1);
  });

  test("the endpoint refuses a bad window with a 400 JSON, and answers only with the token", async () => {
    for (const minutes of ["0", "1441", "-1", "1.5", "ten", "", "00000"]) {
      const { status, body } = await admin(`/admin/stats/series?minutes=${minutes}`);
      assert.equal(status, 400, `minutes=${minutes}`);
      assert.deepEqual(body, { success: false, code: "invalid_request", message: "minutes: a whole number from 1 to 1440" });
    }
    assert.equal((await admin("/admin/stats/series", { token: "wrong" })).status, 401);
    assert.equal((await admin("/admin/stats/series", { token: null })).status, 401);
    assert.equal((await admin("/admin/stats/series", { method: "POST" })).status, 405);
  });

  test("a flush is one Durable Object call, writing one row a counter it moves and one for its minute", async () => {
    await post("/test/ops-calls", {});
    await post("/test/flush", { delta: { gist: { sent: 2, failed: 1 }, px: { sent: 1 } }, at: Date.now() });
    assert.deepEqual((await post("/test/ops-calls", {})).calls, ["ops.addCounters"]);
    const at = Date.UTC(2031, 0, 1, 12, 0, 30);
    const delta = { gist: { sent: 2, failed: 1 }, px: { sent: 1, retried: 0 } };
    // A counter's first increment writes its row and its primary key's index entry; the minute's
    // bucket is one row (WITHOUT ROWID) whatever the number of destinations and counters.
    assert.equal(await ops("rows-a", "addCountersCounted", delta, at), 2 * 3 + 1);
    assert.equal(await ops("rows-a", "addCountersCounted", delta, at + 20_000), 3 + 1); // the same minute: its row updated
    assert.equal(await ops("rows-a", "addCountersCounted", delta, at + MINUTE), 3 + 1); // the next minute: a row added
    assert.equal(await ops("rows-a", "addCountersCounted", { gist: { sent: 0 } }, at), 0); // nothing moved
  });

  test("buckets 24 h old go at the first write of a later minute; a read shows only its window", async () => {
    const t0 = Date.UTC(2031, 5, 1, 0, 0, 0);
    const m0 = t0 / MINUTE;
    await ops("purge-a", "addCounters", { gist: { sent: 1 } }, t0);
    await ops("purge-a", "addCounters", { gist: { sent: 2 } }, t0 + MINUTE);
    await ops("purge-a", "addCounters", { gist: { sent: 3 } }, t0 + 1439 * MINUTE);
    assert.deepEqual(await ops("purge-a", "minuteRows"), [m0, m0 + 1, m0 + 1439]);
    await ops("purge-a", "addCounters", { gist: { sent: 4 } }, t0 + 1440 * MINUTE); // m0 is 24 h old now
    assert.deepEqual(await ops("purge-a", "minuteRows"), [m0 + 1, m0 + 1439, m0 + 1440]);
    await ops("purge-a", "addCounters", { gist: { sent: 5 } }, t0 + 1441 * MINUTE + 59_999);
    assert.deepEqual(await ops("purge-a", "minuteRows"), [m0 + 1439, m0 + 1440, m0 + 1441]);
    assert.deepEqual(await ops("purge-a", "counterSeries", { from: m0 + 1440, to: m0 + 1442 }), {
      buckets: [[m0 + 1440, { gist: { sent: 4 } }], [m0 + 1441, { gist: { sent: 5 } }]],
      names: { gist: ["sent"] },
    });
    // The totals keep everything.
    assert.deepEqual(await ops("purge-a", "counters"), { gist: { sent: 15 } });
  });
});

describe("counters over time without DELIVERY_OPS (this isolate's)", () => {
  test("flushes at known times land in their minute; older than the window is left out; 24 h old is dropped", async () => {
    const t0 = Date.UTC(2031, 0, 1, 10, 0, 0);
    const flush = (delta, at) => {
      const c = new Counters();
      for (const [d, values] of Object.entries(delta)) for (const [name, n] of Object.entries(values)) c.add(d, name, n);
      return flushCounters({}, c, at);
    };
    await flush({ gist: { sent: 1 } }, t0 - 10 * MINUTE);
    await flush({ gist: { sent: 2, busy: 1 } }, t0 - MINUTE + 1);
    await flush({ gist: { sent: 3 } }, t0 + 59_999);
    assert.deepEqual(await readCounterSeries({}, { minutes: 3, now: t0 + 30_000 }), {
      stepMs: MINUTE,
      start: t0 - 2 * MINUTE,
      buckets: 3,
      destinations: { gist: seriesOf(3, { sent: { 1: 2, 2: 3 }, busy: { 1: 1 } }) },
    });
    await flush({ gist: { sent: 4 } }, t0 + 1430 * MINUTE); // t0 − 10 min is now 24 h old
    const day = await readCounterSeries({}, { minutes: 1440, now: t0 + 1430 * MINUTE });
    assert.equal(day.destinations.gist.sent.reduce((a, b) => a + b, 0), 2 + 3 + 4);
  });
});

// The consumer against the REAL dedup ledger (ledger_do.mjs, SQLite Durable Object) and payload
// store (payloads_do.mjs), in workerd: tests/support/ops_worker.mjs runs consumeBatch with fake
// queue Messages and a scripted destination (POST /test/consume), and reaches the objects' own
// methods (POST /test/ledger, /test/payloads) through subclasses that add a look inside. What the
// fake ledger of delivery_unit.test.mjs re-implements is checked here on the object itself:
//   - claim / complete / release, the lease and keep times, the purge alarm, exactly
//   - a retry resumes after what it delivered; a duplicate is never sent, failed or delivered
//   - a replayed dead letter sends its failed call again, never a delivered one
//   - a call another consumer holds puts the message back until its lease ends
//   - a stored chain is read, sent and deleted; a missing one is a dead letter
import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startWorker, deliveryOptions } from "../support/harness.mjs";
import { shardIndex } from "../../host-shims/durable/ledger.mjs";

const HOST = { name: "host", script: "tests/support/ops_worker.mjs" };
const GIST_KEY = "gist-live-ledger-5b7e";
const SHARDS = 4;
const TIMEOUT_MS = 2000;
const LEASE_MS = 2 * TIMEOUT_MS + 5000; // consume_queue.mjs: a claim outlives two timeouts (and one per call of the batch)
const DEDUP_MS = 3_600_000; // DELIVERY_DEDUP_HOURS 1
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let worker;
before(async () => {
  worker = await startWorker(HOST, {
    bindings: {
      GIST_API_KEY: GIST_KEY,
      ADMIN_TOKEN: "admin-ledger",
      DELIVERY_LEDGER_SHARDS: String(SHARDS),
      DELIVERY_TIMEOUT_MS: String(TIMEOUT_MS),
      DELIVERY_DEDUP_HOURS: "1",
      // Backoff of exactly 1 s (base/2 = cap = 1): retry delays are exact.
      DELIVERY_RETRY_BASE_S: "2",
      DELIVERY_RETRY_CAP_S: "1",
      DELIVERY_LOG: "calls", // a line per call: the tests read what became of each
    },
    ...deliveryOptions(),
  });
});
after(() => worker?.dispose());

const post = async (path, body) => {
  const res = await worker.fetch(path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  assert.equal(res.status, 200, `${path}: ${res.status}`);
  return res.json();
};
const ledger = async (shard, method, ...args) => (await post("/test/ledger", { shard, method, args })).result;
const payloads = async (shard, method, ...args) => (await post("/test/payloads", { shard, method, args })).result;
const consume = (destination, messages, answers = [], env = {}, queue) => post("/test/consume", { destination, messages, answers, env, queue });

// A wire call (chain.mjs) with the Gist key as a secret header; its dedup key names the destination.
const wireCall = (destination, i) => ({
  method: "POST",
  url: `http://up.test/${destination}/${i}`,
  headers: [{ name: "content-type", value: "application/json" }, { name: "authorization", secret: "GIST_API_KEY", format: "bearer" }],
  body: `{"i":${i}}`,
  messageId: `m${i}`,
  key: `${destination}|m${i}|0`,
});
const chainOf = (destination, n, extra = {}) => ({ v: 1, destination, orderKey: "u1", calls: Array.from({ length: n }, (_, i) => wireCall(destination, i)), ...extra });
const urls = (r) => r.received.map((c) => c.url);
const outcomes = (r) => r.lines.filter((l) => l.at === "delivery").map((l) => (l.previously ? `${l.outcome}:${l.previously}` : l.outcome));
const deadLetters = (r) => r.lines.filter((l) => l.at === "dead-letter").map(({ reason, status, calls, messageIds }) => ({ reason, status, calls, messageIds }));
// A ledger row as the consumer leaves it: shard from the key, state 1 delivered / 2 failed, no token.
const done = (destination, i, state, owner) => {
  const key = `${destination}|m${i}|0`;
  return { shard: shardIndex(key, SHARDS), key, state, token: "", owner };
};
const rows = (r) => r.ledger.map(({ inMs, ...row }) => row);
// The destination's counters (ops.mjs), zeros included.
const counters = (set) => ({ sent: 0, retried: 0, failed: 0, deduplicated: 0, deadLettered: 0, busy: 0, deferred: 0, ...set });

describe("the ledger object (ledger_do.mjs), called directly", { concurrency: true }, () => {
  test("claim: a free key is leased to its owner for leaseMs; another's live lease answers busy with exactly the time left, replay or not", async () => {
    const s = "direct/claim";
    const { result, row } = await ledger(s, "claimAndRead", "k", 10_000, false, "A");
    assert.equal(result.state, "claimed");
    assert.match(result.token, UUID);
    assert.deepEqual(row, { state: 0, inMs: 10_000, token: result.token, owner: "A" });
    assert.deepEqual(await ledger(s, "claimWithUntil", "k", 7000, 5000, false, "B"), { state: "busy", owner: "A", retryInMs: 7000 });
    assert.deepEqual(await ledger(s, "claimWithUntil", "k", 1, 5000, true, "B"), { state: "busy", owner: "A", retryInMs: 1 });
    // A lease ending at this very millisecond is over: the key is free again.
    const again = await ledger(s, "claimWithUntil", "k", 0, 5000, false, "B");
    assert.equal(again.state, "claimed");
    assert.notEqual(again.token, result.token);
    const [{ inMs, ...rest }] = await ledger(s, "rows");
    assert.deepEqual(rest, { key: "k", state: 0, token: again.token, owner: "B" });
    assert.ok(inMs > 4000 && inMs <= 5000, String(inMs));
    // B's own live lease (an attempt of B that died before settling) is B's to take over, with a
    // new token; a message without an id never is.
    const retaken = await ledger(s, "claimWithUntil", "k", 60_000, 5000, false, "B");
    assert.equal(retaken.state, "claimed");
    assert.notEqual(retaken.token, again.token);
    await ledger(s, "claimWithUntil", "nobody", 60_000, 5000, false, "");
    assert.deepEqual(await ledger(s, "claimWithUntil", "nobody", 60_000, 5000, false, ""), { state: "busy", owner: "", retryInMs: 60_000 });
  });

  test("complete: delivered (1) or failed (2) kept keepMs with its owner and no token; answered to every later claim", async () => {
    const s = "direct/complete";
    await ledger(s, "claim", "ok", 10_000, false, "A");
    assert.deepEqual(await ledger(s, "completeAndRead", "ok", true, 60_000, "A"), { row: { state: 1, inMs: 60_000, token: "", owner: "A" }, alarmInMs: 60_000 });
    const failed = await ledger(s, "completeAndRead", "no", false, 120_000, "B");
    assert.deepEqual(failed.row, { state: 2, inMs: 120_000, token: "", owner: "B" });
    // The purge alarm stays at the first completion's time: it only comes earlier, never later.
    assert.ok(failed.alarmInMs > 50_000 && failed.alarmInMs <= 60_000, String(failed.alarmInMs));
    assert.deepEqual(await ledger(s, "claim", "ok", 5000, false, "C"), { state: "delivered", owner: "A", retryInMs: 0 });
    assert.deepEqual(await ledger(s, "claim", "no", 5000, false, "C"), { state: "failed", owner: "B", retryInMs: 0 });
    // Without replay and owner (their defaults): not a replay, no owner.
    assert.deepEqual(await ledger(s, "claim", "no", 5000), { state: "failed", owner: "B", retryInMs: 0 });
    assert.equal((await ledger(s, "claimAndRead", "new", 5000)).row.owner, "");
    assert.deepEqual((await ledger(s, "completeAndRead", "new", true, 5000)).row.owner, "");
    await ledger(s, "release", "new", "");
    assert.equal(await ledger(s, "size"), 3);
  });

  test("replay: a failed key is claimed again; a delivered key and a live lease are not", async () => {
    const s = "direct/replay";
    await ledger(s, "complete", "failed", false, 60_000, "A");
    await ledger(s, "complete", "delivered", true, 60_000, "A");
    await ledger(s, "claim", "leased", 60_000, false, "A");
    const { result, row } = await ledger(s, "claimAndRead", "failed", 5000, true, "R");
    assert.equal(result.state, "claimed");
    assert.deepEqual(row, { state: 0, inMs: 5000, token: result.token, owner: "R" });
    assert.deepEqual(await ledger(s, "claim", "delivered", 5000, true, "R"), { state: "delivered", owner: "A", retryInMs: 0 });
    assert.deepEqual((await ledger(s, "claimWithUntil", "leased", 3000, 5000, true, "R")), { state: "busy", owner: "A", retryInMs: 3000 });
    assert.deepEqual((await ledger(s, "rows")).map(({ key, state, owner }) => [key, state, owner]), [["delivered", 1, "A"], ["failed", 0, "R"], ["leased", 0, "A"]]);
  });

  test("release drops the lease it names, and nothing else", async () => {
    const s = "direct/release";
    const { token } = await ledger(s, "claim", "k", 60_000, false, "A");
    await ledger(s, "release", "k", "not-the-token");
    assert.deepEqual((await ledger(s, "rows")).map((r) => [r.key, r.state, r.token]), [["k", 0, token]]);
    const released = await ledger(s, "counted", "release", "k", token);
    assert.equal(released.rowsWritten, 1, "the event's row deleted");
    assert.deepEqual(await ledger(s, "rows"), []);
    assert.equal(await ledger(s, "eventCount"), 0, "an event with no call left has no row");
    // A round trip that only releases records nothing: no purge alarm for it.
    const { token: again } = await ledger(s, "claim", "k2", 60_000, false, "A");
    await ledger(s, "settleAll", [{ key: "k2", outcome: "release", token: again }], 60_000, "A");
    assert.equal(await ledger(s, "nextAlarmInMs"), null);
    await ledger(s, "complete", "done", true, 60_000, "A");
    await ledger(s, "release", "done", ""); // a completed row has no token: no release matches it
    assert.deepEqual((await ledger(s, "rows")).map((r) => [r.key, r.state]), [["done", 1]]);
    assert.equal(await ledger(s, "size"), 1);
  });

  test("the alarm drops a past day's table once all its rows have expired, and comes back when the next may go (at least an hour on); none left, none set", async () => {
    const s = "direct/alarm";
    const H = 3_600_000;
    for (const key of ["a", "b", "c"]) await ledger(s, "complete", key, true, 3 * H, "A");
    assert.deepEqual(await ledger(s, "tables"), [0]);
    // Today's table is never dropped today: the alarm comes back at midnight UTC (an hour at least).
    const quiet = await ledger(s, "fireAlarm");
    assert.deepEqual(quiet.rows.map((r) => r.key), ["a", "b", "c"]);
    const midnight = (Math.floor(Date.now() / 86_400_000) + 1) * 86_400_000 - Date.now();
    assert.ok(Math.abs(quiet.alarmInMs - Math.max(H, midnight)) < 5000, `${quiet.alarmInMs} vs ${Math.max(H, midnight)}`);
    // a written two days ago and expired, b yesterday and live for 30 min more, c today.
    await ledger(s, "toDay", "a", 2);
    await ledger(s, "expire", "a", 0);
    await ledger(s, "toDay", "b", 1);
    await ledger(s, "expire", "b", 30 * 60_000);
    assert.deepEqual(await ledger(s, "tables"), [0, 1, 2]);
    const first = await ledger(s, "fireAlarm");
    assert.deepEqual(first.rows.map((r) => r.key), ["b", "c"]);
    assert.deepEqual(await ledger(s, "tables"), [0, 1], "a's table dropped");
    assert.equal(first.alarmInMs, H); // b's table may go in 30 min: the alarm waits the hour
    // An expired row in a live table still answers nothing: its key is free again.
    assert.equal((await ledger(s, "claim", "b", 5000, false, "B")).state, "delivered", "b still remembered");
    await ledger(s, "expire", "b", -1);
    assert.equal((await ledger(s, "claim", "b", 5000, false, "B")).state, "claimed", "an expired key is claimed again, in its table");
    await ledger(s, "expire", "b", -1);
    const second = await ledger(s, "counted", "fireAlarm");
    assert.deepEqual(second.result.rows.map((r) => r.key), ["c"]);
    assert.equal(second.rowsWritten, 0, "a table dropped writes no row");
    assert.deepEqual(await ledger(s, "tables"), [0]);
    // Nothing scheduled any more once no table is left: the next completion schedules the alarm.
    await ledger(s, "toDay", "c", 1);
    await ledger(s, "expire", "c", 0);
    assert.deepEqual(await ledger(s, "fireAlarm"), { rows: [], alarmInMs: null });
    assert.deepEqual(await ledger(s, "tables"), []);
    assert.deepEqual(await ledger(s, "completeAndRead", "d", false, 45_000, "A"), { row: { state: 2, inMs: 45_000, token: "", owner: "A" }, alarmInMs: 45_000 });
  });


  test("one event's calls share a row, written once per round trip; the row goes with its day's table, after its last call expired", async () => {
    const s = "direct/event-row";
    const keys = ["gist:src:acct1|ev-1|0", "gainsight:src:acct2|ev-1|0", "gainsightPx:src:acct3|ev-1|0"];
    const { rowsWritten: claimed, result } = await ledger(s, "counted", "claimAll", keys.map((key) => ({ key })), 60_000, "A");
    assert.deepEqual(result.map((r) => r.state), ["claimed", "claimed", "claimed"]);
    assert.equal(claimed, 1 + 2, "three calls of one event claimed: one row written (and today's table created: two)");
    const settled = await ledger(s, "counted", "settleAll", keys.map((key) => ({ key, outcome: "delivered" })), 3_600_000, "A");
    assert.equal(settled.rowsWritten, 1);
    assert.deepEqual(await ledger(s, "counted", "claimAll", keys.map((key) => ({ key })), 60_000, "B"), {
      rowsWritten: 0, result: keys.map(() => ({ state: "delivered", owner: "A", retryInMs: 0 })),
    }, "a duplicate reads, writes nothing");
    // Another event of the same source is its own row.
    assert.equal((await ledger(s, "counted", "claimAll", [{ key: "gist:src:acct1|ev-2|0" }], 60_000, "A")).rowsWritten, 1);
    assert.deepEqual(await ledger(s, "eventCount"), 2);
    // One of ev-1's calls expires: the row stays (its `until` is its latest call's), the others
    // still deduplicate, even in a past day's table the alarm looks at; the purge takes the row
    // once all have expired.
    await ledger(s, "expire", keys[0], 0);
    await ledger(s, "toDay", keys[0], 1);
    await ledger(s, "fireAlarm");
    assert.deepEqual(await ledger(s, "tables"), [0, 1], "yesterday's table kept: two of its calls are live");
    assert.deepEqual((await ledger(s, "claim", keys[1], 5000, false, "C")).state, "delivered");
    assert.deepEqual((await ledger(s, "claim", keys[0], 5000, false, "C")).state, "claimed");
    for (const key of keys) await ledger(s, "expire", key, 0);
    await ledger(s, "expire", "gist:src:acct1|ev-2|0", 0);
    await ledger(s, "toDay", keys[0], 1);
    await ledger(s, "toDay", "gist:src:acct1|ev-2|0", 1);
    const purge = await ledger(s, "counted", "alarm");
    assert.equal(purge.rowsWritten, 0, "yesterday's table dropped whole: no row written");
    assert.deepEqual(await ledger(s, "eventCount"), 0);
  });

  test("after a restart the object knows its day tables, newest first, and no other table; a new day's table joins them", async () => {
    const s = "direct/restart";
    for (const key of ["a", "b"]) await ledger(s, "complete", key, true, 3_600_000, "A");
    await ledger(s, "toDay", "a", 2);
    await ledger(s, "toDay", "b", 1);
    await ledger(s, "fireAlarm"); // today's table, empty now, goes
    for (const name of ["events_archive", "old_events_20000", "events_20000_copy", "events_"]) await ledger(s, "createOtherTable", name);
    assert.deepEqual(await ledger(s, "restart"), { days: [1, 2], legacy: false });
    // A call today creates today's table; the older ones are still read.
    assert.equal((await ledger(s, "claim", "c", 5000, false, "B")).state, "claimed");
    assert.deepEqual(await ledger(s, "tables"), [0, 1, 2]);
    assert.deepEqual(await ledger(s, "claim", "a", 5000, false, "B"), { state: "delivered", owner: "A", retryInMs: 0 });
    assert.deepEqual(await ledger(s, "claim", "b", 5000, false, "B"), { state: "delivered", owner: "A", retryInMs: 0 });
    assert.deepEqual(await ledger(s, "restart"), { days: [0, 1, 2], legacy: false });
  });

  test("the alarm comes back for the soonest table that may go, whichever day it is; a row ending at this very millisecond has expired", async () => {
    const s = "direct/alarm-order";
    const H = 3_600_000;
    await ledger(s, "complete", "soon", true, 2 * H, "A");
    await ledger(s, "complete", "late", true, 5 * H, "A");
    await ledger(s, "toDay", "soon", 1); // the newer table expires first
    await ledger(s, "toDay", "late", 2);
    const fired = await ledger(s, "fireAlarm");
    assert.ok(Math.abs(fired.alarmInMs - 2 * H) < 5000, String(fired.alarmInMs));
    assert.deepEqual(await ledger(s, "tables"), [1, 2]);
    assert.deepEqual(await ledger(s, "fireAlarmAtExpiry", "soon"), [2]);
  });

  test("a ledger from before event rows (the per-call `calls` table) is still consulted, and dropped once it has expired", async () => {
    const s = "direct/legacy";
    const now = Date.now();
    await ledger(s, "seedLegacy", [
      { key: "gist:src:a|old-1|0", state: 1, until: now + 3_600_000, token: "", owner: "A" },
      { key: "gist:src:a|old-2|0", state: 0, until: now + 600_000, token: "t-old", owner: "A" },
    ]);
    assert.deepEqual(await ledger(s, "restart"), { days: [], legacy: true }, "found again after a restart");
    assert.deepEqual((await ledger(s, "rows", now)).map(({ key, state, inMs, token, owner }) => [key, state, inMs, token, owner]), [
      ["gist:src:a|old-1|0", 1, 3_600_000, "", "A"], ["gist:src:a|old-2|0", 0, 600_000, "t-old", "A"],
    ]);
    assert.deepEqual(await ledger(s, "claim", "gist:src:a|old-1|0", 5000, false, "B"), { state: "delivered", owner: "A", retryInMs: 0 });
    const busy = await ledger(s, "claim", "gist:src:a|old-2|0", 5000, false, "B");
    assert.equal(busy.state, "busy");
    await ledger(s, "release", "gist:src:a|old-2|0", "t-old");
    assert.equal((await ledger(s, "claim", "gist:src:a|old-2|0", 5000, false, "B")).state, "claimed", "the old lease released");
    assert.equal(await ledger(s, "size"), 2);
    // While a legacy row is live the table stays, and the alarm comes back for it (an hour on at
    // least: its 10 minutes are up by then).
    const kept = await ledger(s, "fireAlarm");
    assert.equal(await ledger(s, "hasLegacyTable"), true);
    assert.deepEqual(kept.rows.map((r) => r.key), ["gist:src:a|old-1|0", "gist:src:a|old-2|0"]);
    assert.equal(kept.alarmInMs, 3_600_000);
    await ledger(s, "expireLegacy");
    await ledger(s, "fireAlarm");
    assert.equal(await ledger(s, "hasLegacyTable"), false);
    assert.equal(await ledger(s, "size"), 1, "the new row stays");
  });

});

describe("the consumer with the real ledger (POST /test/consume)", { concurrency: true }, () => {
  test("a retry resumes after the calls it delivered; another message with the same calls sends nothing", async () => {
    const d = "resume";
    const first = await consume(d, [{ id: "a", body: chainOf(d, 3) }], [[200], [429, { "retry-after": "7" }]], { DELIVERY_RETRY_AFTER_MAX_S: "60" });
    assert.deepEqual(first.messages, [{ id: "a", acked: false, retried: { delaySeconds: 7 } }]);
    assert.deepEqual(urls(first), [`http://up.test/${d}/0`, `http://up.test/${d}/1`]);
    assert.deepEqual(first.received[0].headers, { authorization: `Bearer ${GIST_KEY}`, "content-type": "application/json" });
    assert.deepEqual([first.received[0].method, first.received[0].body], ["POST", '{"i":0}']);
    assert.deepEqual(outcomes(first), ["ok", "retry"]);
    assert.deepEqual(rows(first), [done(d, 0, 1, "a")], "call 1's lease is released, call 2 never claimed");

    const retry = await consume(d, [{ id: "a", body: chainOf(d, 3), attempts: 2 }], [[200], [200]]);
    assert.deepEqual(retry.messages, [{ id: "a", acked: true, retried: null }]);
    assert.deepEqual(urls(retry), [`http://up.test/${d}/1`, `http://up.test/${d}/2`]);
    assert.deepEqual(outcomes(retry), ["skipped:delivered", "ok", "ok"]);
    const all = [0, 1, 2].map((i) => done(d, i, 1, "a")).sort((x, y) => (x.shard - y.shard) || (x.key < y.key ? -1 : 1));
    assert.deepEqual(rows(retry), all);
    for (const { inMs } of retry.ledger) assert.ok(inMs > DEDUP_MS - 5000 && inMs <= DEDUP_MS, String(inMs));

    const duplicate = await consume(d, [{ id: "b", body: chainOf(d, 3) }]);
    assert.deepEqual(duplicate.messages, [{ id: "b", acked: true, retried: null }]);
    assert.deepEqual(duplicate.received, []);
    assert.deepEqual(outcomes(duplicate), ["duplicate:delivered", "duplicate:delivered", "duplicate:delivered"]);
    assert.deepEqual(rows(duplicate), all);
    assert.deepEqual(duplicate.counters, counters({ sent: 3, retried: 1, deduplicated: 3 }), "a resumed call is not a duplicate");
  });

  test("a call without a key is sent every time, unrecorded; a message without an id never counts as resuming", async () => {
    const d = "unkeyed";
    const body = { ...chainOf(d, 2), calls: [{ ...wireCall(d, 0), key: "" }, wireCall(d, 1)] };
    const first = await consume(d, [{ body }]);
    assert.deepEqual([urls(first), outcomes(first)], [[`http://up.test/${d}/0`, `http://up.test/${d}/1`], ["ok", "ok"]]);
    assert.deepEqual(rows(first), [done(d, 1, 1, "")]);
    const again = await consume(d, [{ body }]);
    assert.deepEqual([urls(again), outcomes(again)], [[`http://up.test/${d}/0`], ["ok", "duplicate:delivered"]]);
    assert.deepEqual(again.counters, counters({ sent: 3, deduplicated: 1 }));
  });

  test("a duplicate of a permanently failed call is not sent again (nor dead-lettered twice)", async () => {
    const d = "failed-dup";
    const first = await consume(d, [{ id: "a", body: chainOf(d, 2) }], [[400], [200]]);
    assert.deepEqual(first.messages, [{ id: "a", acked: true, retried: null }]);
    assert.deepEqual(urls(first), [`http://up.test/${d}/0`, `http://up.test/${d}/1`]);
    assert.deepEqual(deadLetters(first), [{ reason: "permanent", status: 400, calls: 1, messageIds: ["m0"] }]);
    const expected = [done(d, 0, 2, "a"), done(d, 1, 1, "a")].sort((x, y) => x.shard - y.shard);
    assert.deepEqual(rows(first), expected);

    const duplicate = await consume(d, [{ id: "b", body: chainOf(d, 2) }]);
    assert.deepEqual(duplicate.messages, [{ id: "b", acked: true, retried: null }]);
    assert.deepEqual(duplicate.received, []);
    assert.deepEqual(outcomes(duplicate), ["duplicate:failed", "duplicate:delivered"]);
    assert.deepEqual(deadLetters(duplicate), []);
    assert.deepEqual(rows(duplicate), expected);
    assert.deepEqual(duplicate.counters, counters({ sent: 1, failed: 1, deadLettered: 1, deduplicated: 2 }));
  });

  test("a replayed dead letter sends its failed call again, never a delivered one", async () => {
    const d = "replay";
    await consume(d, [{ id: "a", body: chainOf(d, 2) }], [[400], [200]]);
    const replay = await consume(d, [{ id: "r1", body: chainOf(d, 2, { replay: true }) }], [[200], [200]]);
    assert.deepEqual(replay.messages, [{ id: "r1", acked: true, retried: null }]);
    assert.deepEqual(urls(replay), [`http://up.test/${d}/0`]);
    assert.deepEqual(outcomes(replay), ["ok", "duplicate:delivered"]);
    const expected = [done(d, 0, 1, "r1"), done(d, 1, 1, "a")].sort((x, y) => x.shard - y.shard);
    assert.deepEqual(rows(replay), expected);
    // Replayed once more: everything was delivered, nothing is sent.
    const twice = await consume(d, [{ id: "r2", body: chainOf(d, 2, { replay: true }) }]);
    assert.deepEqual([twice.received, outcomes(twice), rows(twice)], [[], ["duplicate:delivered", "duplicate:delivered"], expected]);
    assert.deepEqual(twice.counters, counters({ sent: 2, failed: 1, deadLettered: 1, deduplicated: 3 }));
  });

  test("a call another consumer holds: nothing sent, the message comes back when that lease ends", async () => {
    const d = "busy";
    const key = `${d}|m0|0`;
    await ledger(`events/${shardIndex(key, SHARDS)}`, "claim", key, 20_000, false, "other");
    // Backoff of 100–200 s: the lease's 20 s is the shorter wait.
    const r = await consume(d, [{ id: "a", body: chainOf(d, 2) }], [], { DELIVERY_RETRY_BASE_S: "200", DELIVERY_RETRY_CAP_S: "1800" });
    const [{ retried, ...decided }] = r.messages;
    assert.deepEqual(decided, { id: "a", acked: false });
    // The lease's seconds left, rounded up: 20 less the time since the claim (a loaded machine's).
    assert.deepEqual(Object.keys(retried), ["delaySeconds"]);
    assert.ok(retried.delaySeconds >= 15 && retried.delaySeconds <= 20, String(retried.delaySeconds));
    assert.deepEqual([r.received, outcomes(r)], [[], ["busy"]]);
    assert.deepEqual(r.ledger.map(({ key, state, owner }) => [key, state, owner]), [[key, 0, "other"]]);
    assert.deepEqual(r.counters, counters({ busy: 1 }));
  });

  test("while a call is in flight its key is leased to the message for two timeouts, 5 s and a timeout for each call of the batch", async () => {
    const d = "lease";
    const r = await consume(d, [{ id: "a", body: chainOf(d, 1) }], [{ status: 200, peek: true }]);
    const [{ ledger: during }] = r.received;
    assert.equal(during.length, 1);
    const [{ inMs, token, ...row }] = during;
    assert.deepEqual(row, { shard: shardIndex(`${d}|m0|0`, SHARDS), key: `${d}|m0|0`, state: 0, owner: "a" });
    assert.match(token, UUID);
    assert.ok(inMs > LEASE_MS + TIMEOUT_MS - 1000 && inMs <= LEASE_MS + TIMEOUT_MS, String(inMs)); // one call
    assert.deepEqual(rows(r), [done(d, 0, 1, "a")]);
  });

  test("408, 429, 5xx and a lost connection: retried after the backoff, the lease released, nothing dead-lettered", async () => {
    for (const answer of [[408], [429], [500], [503], "drop"]) {
      const d = `retry-${answer}`;
      const r = await consume(d, [{ id: "a", body: chainOf(d, 2) }], [answer]);
      assert.deepEqual(r.messages, [{ id: "a", acked: false, retried: { delaySeconds: 1 } }], d);
      assert.deepEqual([urls(r), outcomes(r), deadLetters(r), r.ledger, r.counters], [[`http://up.test/${d}/0`], ["retry"], [], [], counters({ retried: 1 })], d);
    }
  });

  test("a stored chain's last attempt failing: one dead letter pointing at the rest (ref, from), the chain kept", async () => {
    const d = "stored-exhausted";
    const { ref } = await post("/test/put-payload", { calls: chainOf(d, 3).calls });
    const shard = `payloads-${ref.split(":")[0]}`;
    const r = await consume(d, [{ id: "a", body: { v: 1, destination: d, orderKey: "u1", ref, count: 3, from: 1 }, attempts: 2 }], [[200], [500]], { DELIVERY_MAX_ATTEMPTS: "2" });
    assert.deepEqual(r.messages, [{ id: "a", acked: true, retried: null }]);
    assert.deepEqual(urls(r), [`http://up.test/${d}/1`, `http://up.test/${d}/2`], "from 1 on");
    assert.deepEqual(deadLetters(r), [{ reason: "retries_exhausted", status: 500, calls: 1, messageIds: [] }]);
    assert.deepEqual(r.counters, counters({ sent: 1, deadLettered: 1 }));
    const [entry] = (await worker.fetch("/admin/dead-letters?destination=" + d, { headers: { authorization: "Bearer admin-ledger" } }).then((x) => x.json())).items;
    const full = await worker.fetch(`/admin/dead-letters/${entry.id}`, { headers: { authorization: "Bearer admin-ledger" } }).then((x) => x.json());
    assert.deepEqual(full.message, { v: 1, destination: d, orderKey: "u1", ref, count: 3, from: 2 });
    assert.equal(JSON.parse(await payloads(shard, "get", ref)).calls.length, 3, "kept for the dead letter");
  });

  test("the dead-letter queue's messages: kept, counted by the calls each still holds; a malformed message counted under \"unknown\"", async () => {
    const d = "dlq";
    const r = await consume(d, [
      { id: "a", body: chainOf(d, 3, { from: 1 }), attempts: 20 },
      { id: "b", body: { v: 1, destination: d, orderKey: "u2", ref: "3:gone", count: 5, from: 2 }, attempts: 20 },
      { id: "c", body: chainOf(d, 2), attempts: 20 },
    ], [], {}, "ajs-edge-delivery-dlq");
    assert.deepEqual(r.messages.map((m) => [m.id, m.acked, m.retried]), [["a", true, null], ["b", true, null], ["c", true, null]]);
    assert.deepEqual(deadLetters(r), [
      { reason: "dead_letter_queue", status: 0, calls: 3, messageIds: ["m0", "m1", "m2"] },
      { reason: "dead_letter_queue", status: 0, calls: 3, messageIds: [] },
      { reason: "dead_letter_queue", status: 0, calls: 2, messageIds: ["m0", "m1"] },
    ]);
    assert.deepEqual(r.counters, counters({ deadLettered: 7 }));
    const bad = await consume("unknown", [{ id: "x", body: { hello: "world" } }]);
    assert.deepEqual([bad.messages, deadLetters(bad), bad.counters], [[{ id: "x", acked: true, retried: null }], [{ reason: "malformed", status: 0, calls: 0, messageIds: [] }], counters({ deadLettered: 1 })]);
  });

  test("a stored chain (ref) is read, sent in order and deleted; a missing one is a dead letter with its count", async () => {
    const d = "stored";
    const { ref } = await post("/test/put-payload", { calls: chainOf(d, 3).calls });
    assert.match(ref, /^[0-7]:[0-9a-f-]{36}$/);
    const shard = `payloads-${ref.split(":")[0]}`;
    assert.equal(JSON.parse(await payloads(shard, "get", ref)).calls.length, 3);
    const r = await consume(d, [{ id: "a", body: { v: 1, destination: d, orderKey: "u1", ref, count: 3 } }]);
    assert.deepEqual(r.messages, [{ id: "a", acked: true, retried: null }]);
    assert.deepEqual(urls(r), [0, 1, 2].map((i) => `http://up.test/${d}/${i}`));
    assert.equal(await payloads(shard, "get", ref), null, "deleted once the chain is done");

    const gone = await consume(d, [{ id: "b", body: { v: 1, destination: d, orderKey: "u1", ref, count: 3, from: 1 } }]);
    assert.deepEqual(gone.messages, [{ id: "b", acked: true, retried: null }]);
    assert.deepEqual([gone.received, deadLetters(gone)], [[], [{ reason: "payload_missing", status: 0, calls: 2, messageIds: [] }]]);
    assert.deepEqual(gone.counters, counters({ sent: 3, deadLettered: 2 }), "the calls from `from` on");
  });
});

describe("the payload store object (payloads_do.mjs), called directly", { concurrency: true }, () => {
  const KEEP_MS = 30 * 86_400_000; // payloadKeepMs with the default 14 days of dead letters

  test("a chain is cut into rows of 512 Ki characters and read back whole; touch restarts its clock; delete drops it", async () => {
    const s = "payloads-direct";
    assert.equal(await payloads(s, "keep"), KEEP_MS);
    const text = "x".repeat(512 * 1024) + "y".repeat(512 * 1024) + "z";
    await payloads(s, "alarmIn", 5_000_000); // an alarm already set stays as it is
    const put = await payloads(s, "putAndRead", "big", text);
    assert.deepEqual(put, {
      chunks: [{ id: "big", n: 0, chars: 524_288, ageMs: 0 }, { id: "big", n: 1, chars: 524_288, ageMs: 0 }, { id: "big", n: 2, chars: 1, ageMs: 0 }],
      alarmInMs: put.alarmInMs,
    });
    assert.ok(put.alarmInMs > 4_990_000 && put.alarmInMs <= 5_000_000, String(put.alarmInMs));
    assert.equal(await payloads(s, "get", "big"), text);
    const empty = await payloads(s, "putAndRead", "empty", "");
    assert.deepEqual(empty.chunks.filter((c) => c.id === "empty"), [{ id: "empty", n: 0, chars: 0, ageMs: 0 }]);
    assert.equal(await payloads(s, "get", "empty"), "");
    assert.equal(await payloads(s, "get", "unknown"), null);
    await payloads(s, "age", "big", 1000);
    const touched = await payloads(s, "touchAndRead", "big");
    assert.deepEqual(touched.chunks.filter((c) => c.id === "big").map((c) => c.ageMs), [0, 0, 0]);
    assert.ok(touched.alarmInMs > 4_990_000 && touched.alarmInMs <= 5_000_000, String(touched.alarmInMs));
    const fresh = await payloads("payloads-fresh", "putAndRead", "p", "t");
    assert.equal(fresh.alarmInMs, KEEP_MS, "no alarm yet: the put sets one, the keep from now");
    await payloads("payloads-fresh", "alarmIn", null);
    assert.equal((await payloads("payloads-fresh", "touchAndRead", "p")).alarmInMs, KEEP_MS, "so does a touch");
    const whole = await payloads("payloads-fresh", "putAndRead", "exact", "e".repeat(512 * 1024));
    assert.deepEqual(whole.chunks.filter((c) => c.id === "exact").map((c) => c.chars), [524_288], "exactly one row's worth: one row");
    await payloads(s, "delete", "big");
    assert.equal(await payloads(s, "get", "big"), null);
    assert.deepEqual((await payloads(s, "chunks")).map((c) => c.id), ["empty"]);
  });

  test("the alarm drops what is older than the keep, and comes back when the oldest left expires (at least 1 s on)", async () => {
    const s = "payloads-alarm";
    await payloads(s, "put", "old", "o");
    await payloads(s, "put", "young", "y");
    await payloads(s, "put", "kept", "k");
    await payloads(s, "age", "old", KEEP_MS + 1);
    await payloads(s, "age", "young", KEEP_MS - 60_000);
    const first = await payloads(s, "fireAlarm");
    assert.deepEqual(first.chunks.map((c) => c.id), ["kept", "young"]);
    const young = first.chunks[1].ageMs;
    assert.ok(young >= KEEP_MS - 60_000 && young < KEEP_MS - 55_000, String(young));
    assert.equal(first.alarmInMs, KEEP_MS - young); // when "young" expires
    await payloads(s, "age", "young", 60_000);
    await payloads(s, "age", "kept", KEEP_MS - 500);
    const second = await payloads(s, "fireAlarm");
    assert.deepEqual(second.chunks.map((c) => c.id), ["kept"]);
    assert.equal(second.alarmInMs, 1000); // "kept" expires within the second: not sooner than that
    await payloads(s, "age", "kept", 1000);
    assert.deepEqual(await payloads(s, "fireAlarm"), { chunks: [], alarmInMs: null });
  });
});

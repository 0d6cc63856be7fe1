// Issue #10 (host half) in real workerd, without the core: tests/support/ops_worker.mjs runs the
// production host modules (admin, producer, consumer, Durable Objects) with Miniflare's Queues,
// and the test builds the chains itself. Loopback servers stand in for destinations.
//   - a 3xx is never followed: nothing reaches the Location, the dead letter's reason is "redirect"
//     (queue mode) and inline delivery sends once
//   - a 404 to a retryNotFound call is retried DELIVERY_NOT_FOUND_ATTEMPTS times, then "not_found"
//   - dead letters are sharded over DELIVERY_OPS_SHARDS objects, listed oldest first across them
//     with a cursor, purged after DELIVERY_DEAD_LETTER_DAYS; the pre-sharding "ops" object is read
//   - replay takes each id once; malformed admin requests are 400 JSON; GET /admin/config
import { describe, test, before, after, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { startWorker, deliveryOptions, jsonLogs } from "../support/harness.mjs";
import { waitFor, startRecordingServer as startServer } from "../support/capture_server.mjs";
import { fnv1a } from "../../host-shims/durable/ledger.mjs";

const HOST = { name: "host", script: "tests/support/ops_worker.mjs" };
const TOKEN = "admin-hardening-token-7d2c";
const GIST_KEY = "gist-live-redirect-9a1f";
const FAST = {
  DELIVERY_TIMEOUT_MS: "2000",
  DELIVERY_RETRY_BASE_S: "0.5",
  DELIVERY_RETRY_CAP_S: "1",
  DELIVERY_RETRY_AFTER_MAX_S: "1",
  DELIVERY_MAX_ATTEMPTS: "3",
  DELIVERY_CONCURRENCY: "20",
  DELIVERY_LOG: "calls", // a line per call: the tests read what became of each
};


async function startHost(bindings = {}, { queue = true } = {}) {
  const worker = await startWorker(HOST, {
    bindings: { ADMIN_TOKEN: TOKEN, GIST_API_KEY: GIST_KEY, ...FAST, ...bindings },
    ...(queue ? deliveryOptions() : {}),
  });
  const call = async (method, path, body, token = TOKEN) => {
    const res = await worker.fetch(path, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { "content-type": "application/json" } : {}) },
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let json;
    try {
      json = JSON.parse(text);
    } catch {}
    return { status: res.status, body: json ?? text, text };
  };
  return { worker, call, logs: () => jsonLogs(worker.logs) };
}

// A wire call (chain.mjs) to `url`, with the Gist key as a secret header.
const wireCall = (url, messageId, { key = "", flags } = {}) => ({
  method: "POST",
  url,
  headers: [{ name: "content-type", value: "application/json" }, { name: "authorization", secret: "GIST_API_KEY", format: "bearer" }],
  body: JSON.stringify({ messageId }),
  messageId,
  key,
  ...(flags ? { flags } : {}),
});
const chainOf = (calls, orderKey = "u1") => ({ v: 1, destination: "gist", orderKey, calls });
// A fixed wait, used only before a negative check (nothing more arrives: no retry, no copy), once
// the positive condition was awaited with a deadline.
const quiet = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const until = (probe, what, timeoutMs = 15_000) => waitFor(probe, { what, timeoutMs, intervalMs: 50 });

describe("redirects are never followed [workerd]", () => {
  let target, redirector, sink;
  before(async () => {
    target = await startServer(); // where the redirect points: must receive nothing, ever
    redirector = await startServer(() => [307, { location: `${target.url}/steal?from=redirect` }]);
    sink = await startServer();
  });
  after(async () => {
    for (const s of [target, redirector, sink]) await s?.close();
  });

  test("queue mode: a 307 is a permanent failure with reason \"redirect\"; the Location gets nothing; the chain goes on", async () => {
    const sent = redirector.hits.length; // the servers are shared with the inline test, in either order
    const host = await startHost();
    try {
      const chain = chainOf([wireCall(`${redirector.url}/contacts`, "r-1", { key: "gist|r-1|0" }), wireCall(`${sink.url}/events`, "r-2", { key: "gist|r-2|0" })]);
      assert.equal((await host.call("POST", "/test/enqueue", [chain])).status, 200);
      await until(async () => (await host.call("GET", "/admin/dead-letters")).body.total === 1, "the redirect's dead letter");
      await until(() => sink.hits.some((h) => JSON.parse(h.body).messageId === "r-2"), "the next call of the chain");
      await quiet(1500); // a retry (1 s cap) would have come by now
      const { items } = (await host.call("GET", "/admin/dead-letters")).body;
      assert.deepEqual(
        items.map((i) => [i.reason, i.status, i.error, i.messageIds, i.calls]),
        [["redirect", 307, `redirect (307) to ${target.url} refused: credentials are never sent to a redirect target`, ["r-1"], 1]],
      );
      assert.equal(target.hits.length, 0, "nothing reaches the redirect target");
      assert.equal(redirector.hits.length - sent, 1, "sent once, not retried");
      assert.equal(redirector.hits[sent].headers.authorization, `Bearer ${GIST_KEY}`, "the configured destination itself did get the call");
      const line = host.logs().find((l) => l.at === "delivery" && l.messageId === "r-1");
      assert.deepEqual([line.status, line.outcome, line.reason], [307, "permanent", "redirect"]);
      assert.ok(!JSON.stringify(host.logs()).includes(GIST_KEY), "no credential in the log");
    } finally {
      await host.worker.dispose();
    }
  });

  test("inline mode: the 307 is sent once and never followed", async () => {
    const before = redirector.hits.length;
    const host = await startHost({}, { queue: false });
    try {
      const call = { ...wireCall(`${redirector.url}/contacts`, "r-inline"), destination: "gist", orderKey: "u1" };
      assert.equal((await host.call("POST", "/test/inline", [call])).status, 200);
      await until(() => host.logs().some((l) => l.at === "delivery" && l.messageId === "r-inline"), "the inline attempt");
      await quiet(1500); // inline retries come after 0.25 s, 0.5 s: none may
      assert.equal(redirector.hits.length - before, 1);
      assert.equal(target.hits.length, 0);
      const lines = host.logs().filter((l) => l.at === "delivery" && l.messageId === "r-inline");
      assert.deepEqual(lines.map((l) => [l.mode, l.attempt, l.status, l.outcome, l.reason]), [["inline", 1, 307, "permanent", "redirect"]]);
      assert.equal(lines[0].error, `redirect (307) to ${target.url} refused: credentials are never sent to a redirect target`);
    } finally {
      await host.worker.dispose();
    }
  });
});

describe("404 retry budget [workerd]", () => {
  let missing, sink, host;
  before(async () => {
    missing = await startServer(() => [404]);
    sink = await startServer();
    host = await startHost({ DELIVERY_NOT_FOUND_ATTEMPTS: "2", DELIVERY_MAX_ATTEMPTS: "5" });
  });
  after(async () => {
    await host?.worker.dispose();
    for (const s of [missing, sink]) await s?.close();
  });

  test("a retryNotFound 404 is retried DELIVERY_NOT_FOUND_ATTEMPTS times in all, then a \"not_found\" dead letter; the chain goes on", async () => {
    const chain = chainOf([wireCall(`${missing.url}/events`, "nf-1", { key: "gist|nf-1|0", flags: 1 }), wireCall(`${sink.url}/events`, "nf-2", { key: "gist|nf-2|0" })]);
    await host.call("POST", "/test/enqueue", [chain]);
    await until(async () => (await host.call("GET", "/admin/dead-letters")).body.total === 1, "the not_found dead letter");
    await until(() => sink.hits.length === 1, "the next call");
    await quiet(1500); // another retry of the 404 would have come by now
    assert.equal(missing.hits.length, 2, "attempt 1 retried, attempt 2 permanent");
    const [item] = (await host.call("GET", "/admin/dead-letters")).body.items;
    assert.deepEqual([item.reason, item.status, item.attempts, item.messageIds], ["not_found", 404, 2, ["nf-1"]]);
    assert.match(item.error, /^404 after 2 attempts \(DELIVERY_NOT_FOUND_ATTEMPTS 2\): answer 404$/);
    const lines = host.logs().filter((l) => l.at === "delivery" && l.messageId === "nf-1");
    assert.deepEqual(lines.map((l) => [l.attempt, l.status, l.outcome]), [[1, 404, "retry"], [2, 404, "permanent"]]);
  });
});

// The dead-letter id → its shard, as ops.mjs picks it.
const homeShard = (id, shards) => fnv1a(id) % shards;
const entry = (id, at, { destination = "gist", url = "http://127.0.0.1:9/none", key = "" } = {}) => ({
  id, at, destination, orderKey: "u1", reason: "permanent", status: 400, error: "e400", attempts: 1, messageIds: [id], calls: 1,
  message: chainOf([wireCall(url, id, { key })]),
});
const byAge = (a, b) => a.at - b.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

describe("dead letters: shards, pages, replay [workerd]", () => {
  const SHARDS = 4;
  let host, sink, ns;
  const base = Date.now() - 3_600_000;
  // 23 entries; three share each `at`, so the order within a millisecond is by id.
  const seeded = Array.from({ length: 23 }, (_, i) => entry(`dl-${String(i).padStart(2, "0")}-${(i * 7919) % 101}`, base + Math.floor((22 - i) / 3) * 1000, { destination: i % 3 === 0 ? "gainsight" : "gist" }));
  const expected = [...seeded].sort(byAge).map((e) => e.id);
  before(async () => {
    sink = await startServer();
    host = await startHost({ DELIVERY_OPS_SHARDS: String(SHARDS) });
    ns = await host.worker.mf.getDurableObjectNamespace("DELIVERY_OPS");
    for (const e of seeded) e.message = chainOf([wireCall(`${sink.url}/replayed`, e.id)]);
  });
  // Every test starts from the same 23 dead letters, whatever ran before it (or did not).
  beforeEach(async () => {
    for (let round = 0; round < 5; round++) {
      const { items } = (await host.call("GET", "/admin/dead-letters?limit=500")).body;
      if (items.length === 0) break;
      for (const i of items) assert.equal((await host.call("DELETE", `/admin/dead-letters/${i.id}`)).status, 200);
    }
    assert.equal((await host.call("GET", "/admin/dead-letters")).body.total, 0);
    assert.equal((await host.call("POST", "/test/dead-letters", seeded)).status, 200);
  });
  after(async () => {
    await host?.worker.dispose();
    await sink?.close();
  });
  const shardCount = (name) => ns.get(ns.idFromName(name)).countDeadLetters();

  test("each dead letter is stored in the shard its id picks; none in the counters object", async () => {
    const counts = [];
    for (let i = 0; i < SHARDS; i++) counts.push(await shardCount(`dead-letters-${i}`));
    const want = Array.from({ length: SHARDS }, (_, i) => seeded.filter((e) => homeShard(e.id, SHARDS) === i).length);
    assert.deepEqual(counts, want);
    assert.ok(want.filter((n) => n > 0).length >= 2, "the seed spans several shards");
    assert.equal(await shardCount("ops"), 0);
  });

  test("listing pages across shards oldest first with an opaque cursor; total sums the shards", async () => {
    const seen = [];
    const sizes = [];
    let after = "";
    for (let page = 0; page < 10; page++) {
      const r = await host.call("GET", `/admin/dead-letters?limit=5${after ? `&after=${encodeURIComponent(after)}` : ""}`);
      assert.equal(r.status, 200);
      assert.equal(r.body.total, 23);
      sizes.push(r.body.items.length);
      seen.push(...r.body.items.map((i) => i.id));
      if (r.body.next === null) break;
      assert.equal(typeof r.body.next, "string");
      after = r.body.next;
    }
    assert.deepEqual(sizes, [5, 5, 5, 5, 3]);
    assert.deepEqual(seen, expected);
    const gist = [];
    after = "";
    for (let page = 0; page < 10; page++) {
      const r = await host.call("GET", `/admin/dead-letters?limit=4&destination=gainsight${after ? `&after=${encodeURIComponent(after)}` : ""}`);
      gist.push(...r.body.items.map((i) => i.id));
      if (r.body.next === null) break;
      after = r.body.next;
    }
    assert.deepEqual(gist, [...seeded].filter((e) => e.destination === "gainsight").sort(byAge).map((e) => e.id));
    const bad = await host.call("GET", "/admin/dead-letters?after=12");
    assert.deepEqual([bad.status, bad.body.success, bad.body.code], [400, false, "invalid_request"]);
  });

  test("get and delete by id reach the id's shard; the pre-sharding \"ops\" object is still read", async () => {
    const victim = seeded[5];
    const shard = `dead-letters-${homeShard(victim.id, SHARDS)}`;
    const before = await shardCount(shard);
    const one = await host.call("GET", `/admin/dead-letters/${victim.id}`);
    assert.deepEqual([one.status, one.body.id, one.body.message.calls[0].messageId], [200, victim.id, victim.id]);
    assert.equal((await host.call("DELETE", `/admin/dead-letters/${victim.id}`)).status, 200);
    assert.equal(await shardCount(shard), before - 1);
    assert.equal((await host.call("GET", `/admin/dead-letters/${victim.id}`)).status, 404);
    assert.equal((await host.call("DELETE", `/admin/dead-letters/${victim.id}`)).status, 404);

    const legacy = entry("legacy-1", base - 60_000);
    legacy.message = chainOf([wireCall(`${sink.url}/replayed`, "legacy-1")]);
    await host.call("POST", "/test/legacy", [legacy]);
    const first = await host.call("GET", "/admin/dead-letters?limit=2");
    assert.deepEqual([first.body.total, first.body.items[0].id], [23, "legacy-1"]);
    assert.equal((await host.call("GET", "/admin/dead-letters/legacy-1")).body.id, "legacy-1");
    assert.equal((await host.call("GET", "/admin/stats")).body.deadLetters, 23);
  });

  test("replay {all:true} goes across shards, the old \"ops\" object and pages (≤ 5,000 a call): each dead letter sent once", async () => {
    // One from before sharding, and 110 more, so that the replay crosses a page of 100.
    const legacy = entry("legacy-1", base - 60_000, { url: `${sink.url}/replayed` });
    await host.call("POST", "/test/legacy", [legacy]);
    const more = Array.from({ length: 110 }, (_, i) => entry(`more-${i}`, base + 100_000 + i, { url: `${sink.url}/replayed` }));
    await host.call("POST", "/test/dead-letters", more);
    const total = (await host.call("GET", "/admin/dead-letters?limit=1")).body.total;
    assert.equal(total, 134);
    const from = sink.hits.length;
    const r = await host.call("POST", "/admin/dead-letters/replay", { all: true });
    assert.deepEqual(r.body, { replayed: 134, skipped: 0, remaining: 0 });
    await until(() => sink.hits.length - from >= 134, "134 replayed calls", 30_000);
    await quiet(1000); // a second copy of any would have come by now
    const ids = sink.hits.slice(from).map((h) => JSON.parse(h.body).messageId).sort();
    assert.deepEqual(ids, [...expected, "legacy-1", ...more.map((e) => e.id)].sort());
    for (let i = 0; i < SHARDS; i++) assert.equal(await shardCount(`dead-letters-${i}`), 0);
    assert.equal(await shardCount("ops"), 0);
  });
});

describe("dead letters: retention [workerd]", () => {
  let host;
  before(async () => {
    host = await startHost({ DELIVERY_DEAD_LETTER_DAYS: String(6 / 86_400), DELIVERY_OPS_SHARDS: "2" }); // 6 s
  });
  after(async () => {
    await host?.worker.dispose();
  });

  test("each shard purges what is older than DELIVERY_DEAD_LETTER_DAYS (alarm); the old \"ops\" object too", async () => {
    const now = Date.now();
    await host.call("POST", "/test/legacy", [entry("ancient", now - 10 * 86_400_000)]);
    await host.call("POST", "/test/dead-letters", [entry("older", now - 1000), entry("newer", now)]);
    const ids = async () => (await host.call("GET", "/admin/dead-letters")).body.items.map((i) => i.id);
    // Listing starts the old object's alarm: "ancient" is past the retention already.
    await until(async () => (await ids()).join() === "older,newer", "the purge of the entry kept from before retention", 4000);
    const t1 = Date.now();
    await until(async () => (await ids()).join() === "newer", "the purge of the older entry", 8000);
    assert.ok(Date.now() - now >= 4900, `purged after ${Date.now() - now} ms, due at 5000`);
    await until(async () => (await ids()).length === 0, "the purge of the newer entry", 8000);
    assert.ok(Date.now() - now >= 5900 && t1 - now < 5000);
    assert.equal((await host.call("GET", "/admin/stats")).body.deadLetters, 0);
  });
});

describe("replay takes each id once [workerd]", () => {
  let host, flaky;
  before(async () => {
    flaky = await startServer((req, hits) => [hits.length === 1 ? 400 : 200]);
    host = await startHost();
  });
  after(async () => {
    await host?.worker.dispose();
    await flaky?.close();
  });

  test("{\"ids\":[id,id,id]} replays the call once: the destination gets exactly one more request", async () => {
    // No dedup key (as for a call without a messageId): only the replay itself can keep it single.
    await host.call("POST", "/test/enqueue", [chainOf([wireCall(`${flaky.url}/events`, "once-1")])]);
    await until(async () => (await host.call("GET", "/admin/dead-letters")).body.total === 1, "the 400's dead letter");
    const [item] = (await host.call("GET", "/admin/dead-letters")).body.items;
    const r = await host.call("POST", "/admin/dead-letters/replay", { ids: [item.id, item.id, item.id] });
    assert.deepEqual([r.status, r.body], [200, { replayed: 1, skipped: 0, remaining: 0 }]);
    await until(() => flaky.hits.length === 2, "the replayed call");
    await quiet(1500); // a second replay would have come by now
    assert.equal(flaky.hits.length, 2, "the failure, then one replay");
    const again = await host.call("POST", `/admin/dead-letters/replay?id=${item.id}&id=${item.id}`);
    assert.deepEqual(again.body, { replayed: 0, skipped: 0, remaining: 0 });
  });
});

describe("admin hygiene [workerd]", () => {
  test("malformed ids and bodies → 400 JSON invalid_request, never a 500 or a stack", async () => {
    const host = await startHost();
    try {
      const cases = [
        ["GET", "/admin/dead-letters/%", undefined],
        ["DELETE", "/admin/dead-letters/%E0%A4%A", undefined],
        ["GET", `/admin/dead-letters/${"x".repeat(201)}`, undefined],
        ["POST", "/admin/dead-letters/replay", { ids: [1, 2] }],
        ["POST", "/admin/dead-letters/replay", { ids: ["ok", { id: "x" }] }],
        ["POST", "/admin/dead-letters/replay", { ids: Array.from({ length: 1001 }, (_, i) => `id-${i}`) }],
        ["POST", "/admin/dead-letters/replay", { ids: ["y".repeat(201)] }],
        ["POST", "/admin/dead-letters/replay", { ids: [""] }],
        ["POST", "/admin/dead-letters/replay", { ids: "abc" }],
        ["POST", "/admin/dead-letters/replay", "{not json"],
        ["POST", "/admin/dead-letters/replay", {}],
        ["POST", `/admin/dead-letters/replay?id=${"z".repeat(201)}`, undefined],
        ["GET", "/admin/dead-letters?after=nope", undefined],
        ["GET", "/admin/dead-letters?limit=ten", undefined],
      ];
      for (const [method, path, body] of cases) {
        const r = await host.call(method, path, body);
        assert.equal(r.status, 400, `${method} ${path.slice(0, 60)}: ${r.text.slice(0, 200)}`);
        assert.deepEqual(Object.keys(r.body).sort(), ["code", "message", "success"]);
        assert.deepEqual([r.body.success, r.body.code, typeof r.body.message], [false, "invalid_request", "string"]);
        assert.doesNotMatch(r.text, /\bat .*\.mjs|Error:/);
      }
      // 1,000 distinct ids are fine (none exists).
      const max = await host.call("POST", "/admin/dead-letters/replay", { ids: Array.from({ length: 1000 }, (_, i) => `id-${i}`) });
      assert.deepEqual([max.status, max.body.replayed], [200, 0]);
      // The token: wrong ones of every length are refused, and a 401 is JSON too.
      for (const token of ["", "a", TOKEN.slice(0, -1), `${TOKEN}x`, TOKEN.toUpperCase()]) {
        const r = await host.call("GET", "/admin/stats", undefined, token || null);
        assert.deepEqual([r.status, r.body.code], [401, "unauthorized"]);
      }
      assert.equal((await host.call("GET", "/admin/stats")).status, 200);
    } finally {
      await host.worker.dispose();
    }
  });

  test("GET /admin/config: what configStatus() returns; 404 without it; a throw is a JSON 500 without the detail", async () => {
    const status = { ok: false, error: { code: "missing_secret", message: "GIST_API_KEY is not set" } };
    const withStatus = await startHost({ TEST_CONFIG_STATUS: JSON.stringify(status) }, { queue: false });
    const without = await startHost({}, { queue: false });
    const throwing = await startHost({ TEST_CONFIG_THROWS: "1" }, { queue: false });
    try {
      const r = await withStatus.call("GET", "/admin/config");
      assert.deepEqual([r.status, r.body], [200, status]);
      assert.equal((await withStatus.call("GET", "/admin/config", undefined, null)).status, 401);
      const none = await without.call("GET", "/admin/config");
      assert.deepEqual([none.status, none.body.success, none.body.code], [404, false, "not_found"]);
      const boom = await throwing.call("GET", "/admin/config");
      assert.deepEqual([boom.status, boom.body.success, boom.body.code], [500, false, "internal_error"]);
      assert.doesNotMatch(boom.text, /exploded|secret\/path|\.mjs/);
      await until(() => throwing.logs().some((l) => l.at === "admin" && /exploded/.test(l.error)), "the detail in the log", 5000);
    } finally {
      for (const h of [withStatus, without, throwing]) await h.worker.dispose();
    }
  });
});

// Issue #10 (host half) in plain Node, without the core: redirects refused (real loopback
// servers), the 404 retry budget decided exactly, dead letters routed to their shard, the admin
// token compared by digest, admin failures as JSON. The workerd side is delivery_hardening.test.mjs.
import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { withMessageMethods } from "../support/fake_ledger.mjs";
import { sendCall } from "../../host-shims/delivery/send.mjs";
import { sendable } from "../../host-shims/delivery/chain.mjs";
import { consumeBatch, retryDelaySeconds, messageAgeS } from "../../host-shims/delivery/consume_queue.mjs";
import { deliverInline } from "../../host-shims/delivery/deliver_inline.mjs";
import { deliveryConfig, payloadKeepMs } from "../../host-shims/delivery/delivery_config.mjs";
import { notFoundRetry, redirectError } from "../../host-shims/delivery/outcome.mjs";
import { recordDeadLetters, deadLetter, parseCursor, cursorOf, CursorError } from "../../host-shims/durable/ops.mjs";
import { fnv1a } from "../../host-shims/durable/ledger.mjs";
import { handleAdmin } from "../../host-shims/admin/admin.mjs";
import { startRecordingServer as startServer } from "../support/capture_server.mjs";

const KEY = "gist-live-unit-3c8e";
const ENV = { GIST_API_KEY: KEY, DELIVERY_LOG: "calls" }; // a line per call: the tests read them
const REFUSED = "refused: credentials are never sent to a redirect target";


const wire = (url, messageId, extra = {}) => ({
  method: "POST", url, messageId, key: "", body: JSON.stringify({ messageId }),
  headers: [{ name: "content-type", value: "application/json" }, { name: "authorization", secret: "GIST_API_KEY", format: "bearer" }],
  ...extra,
});
const chain = (calls) => ({ v: 1, destination: "gist", orderKey: "u1", calls });
function message(body, attempts = 1, timestamp = new Date()) {
  return { id: `m-${Math.random()}`, body, attempts, timestamp, ack() { this.acked = true; }, retry(o) { this.retried = o; } };
}

describe("redirects are refused (send.mjs, real loopback servers)", () => {
  let target, sink;
  const redirectors = [];
  const redirector = async (status, location) => {
    const s = await startServer(() => [status, location === undefined ? {} : { location }]);
    redirectors.push(s);
    return s;
  };
  before(async () => {
    target = await startServer();
    sink = await startServer();
  });
  after(async () => {
    for (const s of [target, sink, ...redirectors]) await s.close();
  });

  test("every 3xx → permanent, reason \"redirect\", the Location's origin only; nothing reaches it", async () => {
    for (const status of [301, 302, 303, 307, 308]) {
      const r = await redirector(status, `${target.url}/steal?token=abc#frag`);
      const result = await sendCall(sendable(wire(`${r.url}/contacts`, "m1"), "gist"), ENV);
      assert.deepEqual(
        { outcome: result.outcome, reason: result.reason, status: result.status, error: result.error },
        { outcome: "permanent", reason: "redirect", status, error: `redirect (${status}) to ${target.url} ${REFUSED}` },
      );
      assert.equal(r.hits.length, 1);
      assert.equal(r.hits[0].headers.authorization, `Bearer ${KEY}`);
    }
    assert.equal(target.hits.length, 0, "the redirect target received nothing");
  });

  test("a relative Location names the destination's own origin; none at all, no origin; a long one is cut", async () => {
    const relative = await redirector(302, "/login?next=/x");
    const r1 = await sendCall(sendable(wire(`${relative.url}/a`, "m1"), "gist"), ENV);
    assert.equal(r1.error, `redirect (302) to ${relative.url} ${REFUSED}`);
    assert.equal(relative.hits.length, 1, "not even the same origin is followed");
    const bare = await redirector(307);
    const r2 = await sendCall(sendable(wire(`${bare.url}/a`, "m1"), "gist"), ENV);
    assert.deepEqual([r2.reason, r2.error], ["redirect", `redirect (307) ${REFUSED}`]);
    const host = Array.from({ length: 5 }, () => "a".repeat(60)).join(".");
    const long = redirectError(307, `https://${host}.example/p?q=1`, "https://gist.example/");
    assert.equal(long, `redirect (307) to https://${`${host}.example`.slice(0, 192)}… ${REFUSED}`);
    assert.ok(!long.includes("/p") && !long.includes("q=1"));
  });

  test("queue consumer: a dead letter with reason \"redirect\", the chain goes on, nothing reaches the Location", async () => {
    const r = await redirector(307, `${target.url}/steal`);
    const lines = [];
    const m = message(chain([wire(`${r.url}/contacts`, "c1"), wire(`${sink.url}/events`, "c2")]));
    await consumeBatch({ queue: "ajs-edge-delivery", messages: [m] }, { ...ENV, DELIVERY_TIMEOUT_MS: "2000" }, (l) => lines.push(l));
    assert.equal(m.acked, true);
    assert.equal(m.retried, undefined);
    const dead = lines.filter((l) => l.at === "dead-letter");
    assert.deepEqual(dead.map((d) => [d.reason, d.status, d.error, d.message.calls.map((c) => c.messageId)]), [["redirect", 307, `redirect (307) to ${target.url} ${REFUSED}`, ["c1"]]]);
    assert.deepEqual([r.hits.length, sink.hits.length, target.hits.length], [1, 1, 0]);
    assert.ok(!JSON.stringify(lines).includes(KEY));
  });

  test("inline delivery: one attempt, no retry, nothing reaches the Location", async () => {
    const r = await redirector(308, `${target.url}/steal`);
    const lines = [];
    await deliverInline([{ ...sendable(wire(`${r.url}/contacts`, "i1"), "gist"), orderKey: "u1" }], ENV, (l) => lines.push(l));
    assert.deepEqual(lines.map((l) => [l.attempt, l.status, l.outcome, l.reason]), [[1, 308, "permanent", "redirect"]]);
    assert.deepEqual([r.hits.length, target.hits.length], [1, 0]);
  });
});

// ---- 404 budget ----

function fakeLedger() {
  const rows = new Map();
  const ledger = {
    claim(key, leaseMs, replay, owner) {
      const row = rows.get(key);
      if (row && !(row.state === "failed" && replay)) return { state: row.state, owner: row.owner, retryInMs: 0 };
      rows.set(key, { state: "busy", token: "t", owner });
      return { state: "claimed", token: "t" };
    },
    complete(key, delivered, keepMs, owner) {
      rows.set(key, { state: delivered ? "delivered" : "failed", owner });
    },
    release(key) {
      rows.delete(key);
    },
  };
  return { idFromName: (n) => n, get: () => withMessageMethods(ledger) };
}

// Gist event calls (retryNotFound), answered by a script.
const flagged = (i) => wire(`http://up.test/events/${i}`, `e${i}`, { key: `gist|e${i}|0`, flags: 1 });
async function consumeScripted(m, answers, env = {}) {
  const seen = [];
  const lines = [];
  const fetchImpl = async (url) => {
    seen.push(url);
    const status = answers.shift() ?? 200;
    return new Response(status === 200 ? "{}" : '{"errors":[{"message":"Contact not found"}]}', { status });
  };
  await consumeBatch({ queue: "ajs-edge-delivery", messages: [m] }, { ...ENV, DELIVERY_LEDGER: fakeLedger(), ...env }, (l) => lines.push(l), { fetchImpl });
  return { seen, lines, dead: lines.filter((l) => l.at === "dead-letter") };
}
const ago = (s) => new Date(Date.now() - s * 1000);

describe("404 retry budget (DELIVERY_NOT_FOUND_ATTEMPTS, DELIVERY_NOT_FOUND_WINDOW_S)", () => {
  test("defaults and the payload store's keep, derived from the dead-letter retention", () => {
    const cfg = deliveryConfig({});
    assert.deepEqual(
      [cfg.notFoundAttempts, cfg.notFoundWindowS, cfg.opsShards, cfg.deadLetterRetentionMs],
      [4, 600, 8, 14 * 86_400_000],
    );
    const set = deliveryConfig({ DELIVERY_NOT_FOUND_ATTEMPTS: "2", DELIVERY_NOT_FOUND_WINDOW_S: "90", DELIVERY_OPS_SHARDS: "3", DELIVERY_DEAD_LETTER_DAYS: "45" });
    assert.deepEqual([set.notFoundAttempts, set.notFoundWindowS, set.opsShards, set.deadLetterRetentionMs], [2, 90, 3, 45 * 86_400_000]);
    assert.equal(payloadKeepMs(cfg), 30 * 86_400_000);
    assert.equal(payloadKeepMs(set), 46 * 86_400_000);
  });

  test("the decision: 30 s doubling, cut to the window and to DELIVERY_RETRY_CAP_S; permanent at the last attempt or past the window", () => {
    const cfg = deliveryConfig({});
    const d = (attempt, ageS, c = cfg) => notFoundRetry({ attempt, ageS }, c);
    assert.deepEqual(d(1, 0), { retry: true, delaySeconds: 30 });
    assert.deepEqual(d(2, 31), { retry: true, delaySeconds: 60 });
    assert.deepEqual(d(3, 95), { retry: true, delaySeconds: 120 });
    assert.equal(d(4, 220).retry, false);
    assert.equal(d(4, 0).retry, false);
    assert.deepEqual(d(2, 590), { retry: true, delaySeconds: 10 }); // cut to what is left of the window
    assert.deepEqual(d(1, 599), { retry: true, delaySeconds: 1 });
    assert.equal(d(1, 599.5).retry, false);
    assert.equal(d(1, 600).retry, false);
    assert.deepEqual(d(3, 0, deliveryConfig({ DELIVERY_RETRY_CAP_S: "45" })), { retry: true, delaySeconds: 45 });
    assert.deepEqual(d(1, 0, deliveryConfig({ DELIVERY_NOT_FOUND_WINDOW_S: "20" })), { retry: true, delaySeconds: 20 });
    assert.equal(d(1, 0, deliveryConfig({ DELIVERY_NOT_FOUND_ATTEMPTS: "1" })).retry, false);
    assert.equal(messageAgeS({ timestamp: ago(42) }) >= 42 && messageAgeS({ timestamp: ago(42) }) < 43, true);
    assert.equal(messageAgeS({}), 0);
    assert.equal(retryDelaySeconds({ notFoundDelayS: 60, retryAfter: 5 }, 2, cfg), 60);
  });

  test("the consumer: attempts 1–3 retry after 30, 60, 120 s; the 4th 404 is a \"not_found\" dead letter and the chain goes on", async () => {
    const expected = [[1, 0, 30], [2, 31, 60], [3, 95, 120]];
    for (const [attempt, age, delay] of expected) {
      const m = message(chain([flagged(0), flagged(1)]), attempt, ago(age));
      const { seen, dead, lines } = await consumeScripted(m, [404]);
      assert.deepEqual([m.acked, m.retried, seen.length, dead.length], [undefined, { delaySeconds: delay }, 1, 0], `attempt ${attempt}`);
      assert.deepEqual(lines.filter((l) => l.at === "delivery").map((l) => l.outcome), ["retry"]);
    }
    const last = message(chain([flagged(0), flagged(1)]), 4, ago(220));
    const { seen, dead, lines } = await consumeScripted(last, [404, 200]);
    assert.deepEqual([last.acked, last.retried, seen], [true, undefined, ["http://up.test/events/0", "http://up.test/events/1"]]);
    assert.deepEqual(dead.map((d) => [d.reason, d.status, d.attempts, d.error, d.message.calls.map((c) => c.messageId)]), [
      ["not_found", 404, 4, "404 after 4 attempts (DELIVERY_NOT_FOUND_ATTEMPTS 4): Contact not found", ["e0"]],
    ]);
    assert.deepEqual(lines.filter((l) => l.at === "delivery").map((l) => [l.outcome, l.reason]), [["permanent", "not_found"], ["ok", undefined]]);
  });

  test("the window counts from the first enqueue (Message.timestamp), not from the attempt", async () => {
    const late = message(chain([flagged(0)]), 2, ago(589.5)); // 10.5 s of the window left, less the test's own time
    await consumeScripted(late, [404]);
    assert.deepEqual(late.retried, { delaySeconds: 10 });
    const over = message(chain([flagged(0)]), 2, ago(601));
    const { dead } = await consumeScripted(over, [404]);
    assert.equal(over.acked, true);
    assert.deepEqual(dead.map((d) => [d.reason, d.error]), [["not_found", "404 still after 601 s (DELIVERY_NOT_FOUND_WINDOW_S 600): Contact not found"]]);
    // A replayed dead letter is a new message (attempt 1, enqueued now): the budget starts again.
    const replayed = message({ ...chain([flagged(0)]), replay: true }, 1, new Date());
    await consumeScripted(replayed, [404]);
    assert.deepEqual(replayed.retried, { delaySeconds: 30 });
  });

  test("bindings change the budget; a 404 to an unflagged call is permanent at once; other retries keep their backoff", async () => {
    const two = message(chain([flagged(0)]), 2, ago(5));
    const { dead } = await consumeScripted(two, [404], { DELIVERY_NOT_FOUND_ATTEMPTS: "2" });
    assert.deepEqual(dead.map((d) => d.reason), ["not_found"]);
    const plain = message(chain([wire("http://up.test/contacts", "p0", { key: "gist|p0|0" })]), 1);
    const r = await consumeScripted(plain, [404]);
    assert.deepEqual(r.dead.map((d) => [d.reason, d.status]), [["permanent", 404]]);
    const late = message(chain([wire("http://up.test/contacts", "p1", { key: "gist|p1|0" })]), 4, ago(700)); // past the budget: still "permanent", not "not_found"
    const l = await consumeScripted(late, [404]);
    assert.deepEqual(l.dead.map((d) => [d.reason, d.status, d.error]), [["permanent", 404, "Contact not found"]]);
    const busy = message(chain([flagged(0)]), 1, ago(0));
    await consumeScripted(busy, [503], { DELIVERY_RETRY_BASE_S: "5" });
    assert.ok(busy.retried.delaySeconds >= 3 && busy.retried.delaySeconds <= 5, JSON.stringify(busy.retried)); // backoff, not the 30 s of a 404
    const exhausted = message(chain([flagged(0)]), 3, ago(5));
    const x = await consumeScripted(exhausted, [404], { DELIVERY_MAX_ATTEMPTS: "3" });
    assert.deepEqual(x.dead.map((d) => d.reason), ["retries_exhausted"]); // DELIVERY_MAX_ATTEMPTS still ends a chain first
  });
});

// ---- dead-letter store (client side) ----

function fakeOps() {
  const calls = [];
  const ns = {
    idFromName: (name) => name,
    get: (name) => ({
      addDeadLetters: async (entries) => calls.push([name, "add", entries.map((e) => e.id)]),
      listDeadLetters: async () => ({ total: 0, items: [], more: false }),
      countDeadLetters: async () => 0,
      getDeadLetters: async () => [],
      deleteDeadLetters: async () => ({}),
    }),
  };
  return { ns, calls };
}

describe("dead letters: sharded store (client)", () => {
  test("each dead letter goes to dead-letters-<fnv1a(id) mod DELIVERY_OPS_SHARDS>; a stored chain it points at is touched", async () => {
    const { ns, calls } = fakeOps();
    const touched = [];
    const payloads = { idFromName: (n) => n, get: (name) => ({ touch: async (ref) => touched.push([name, ref]) }) };
    const entries = Array.from({ length: 12 }, (_, i) => ({ ...deadLetter({ reason: "permanent", destination: "gist", orderKey: "u", attempts: 1, message: chain([wire("http://x.test", `m${i}`)]) }), id: `id-${i}` }));
    entries.push({ ...deadLetter({ reason: "retries_exhausted", destination: "gist", orderKey: "u", attempts: 3, message: { v: 1, destination: "gist", orderKey: "u", ref: "5:abc", count: 4, from: 1 } }), id: "id-ref" });
    await recordDeadLetters({ DELIVERY_OPS: ns, DELIVERY_OPS_SHARDS: "3", DELIVERY_PAYLOADS: payloads }, entries, () => {});
    const want = new Map();
    for (const e of entries) {
      const name = `dead-letters-${fnv1a(e.id) % 3}`;
      want.set(name, [...(want.get(name) ?? []), e.id]);
    }
    assert.deepEqual(new Map(calls.map(([name, , ids]) => [name, ids])), want);
    assert.ok(calls.every(([name]) => name !== "ops"), "no dead letter in the counters object");
    assert.deepEqual(touched, [["payloads-5", "5:abc"]]);
    assert.equal(entries.at(-1).calls, 3);
  });

  test("the cursor: <at>.<id>, parsed back; anything else refused", () => {
    assert.equal(cursorOf({ at: new Date(1_700_000_000_123).toISOString(), id: "a.b" }), "1700000000123.a.b");
    assert.deepEqual(parseCursor("1700000000123.a.b"), { at: 1_700_000_000_123, id: "a.b" });
    assert.equal(parseCursor(""), null);
    assert.equal(parseCursor(null), null);
    for (const bad of ["12", "x.y", ".id", "12.", `1.${"i".repeat(201)}`]) assert.throws(() => parseCursor(bad), CursorError, bad);
  });
});

// ---- admin ----

const admin = (path, { method = "GET", token = "t0k-secret", body } = {}, env = {}, options) =>
  handleAdmin(new Request(`https://edge.example.com${path}`, { method, headers: token === null ? {} : { authorization: `Bearer ${token}` }, body }), { ADMIN_TOKEN: "t0k-secret", ...env }, () => {}, options);

describe("admin hygiene (plain Node)", () => {
  test("the token is compared through SHA-256 digests of both, whatever the length presented", async () => {
    const digest = crypto.subtle.digest;
    const hashed = [];
    crypto.subtle.digest = function (algorithm, data) {
      hashed.push([algorithm, Buffer.from(data).toString()]);
      return digest.call(this, algorithm, data);
    };
    try {
      assert.equal((await admin("/admin/stats", { token: "x" })).status, 401);
      assert.deepEqual(hashed.sort(), [["SHA-256", "Bearer t0k-secret"], ["SHA-256", "Bearer x"]]);
      hashed.length = 0;
      assert.equal((await admin("/admin/stats")).status, 200);
      assert.equal(hashed.length, 2);
    } finally {
      crypto.subtle.digest = digest;
    }
    assert.equal((await admin("/admin/stats", { token: null })).status, 401);
  });

  test("GET /admin/config answers configStatus() (sync or async); 404 JSON without it", async () => {
    const bad = { ok: false, error: { code: "missing_secret", message: "GIST_API_KEY is not set" } };
    const r = await admin("/admin/config", {}, {}, { configStatus: () => bad });
    assert.deepEqual([r.status, r.headers.get("content-type"), await r.json()], [200, "application/json", bad]);
    const good = await admin("/admin/config", {}, {}, { configStatus: async () => ({ ok: true, sources: 2 }) });
    assert.deepEqual(await good.json(), { ok: true, sources: 2 });
    const none = await admin("/admin/config");
    assert.deepEqual([none.status, (await none.json()).code], [404, "not_found"]);
    assert.equal((await admin("/admin/config", { token: "nope" }, {}, { configStatus: () => bad })).status, 401);
  });

  test("an exception inside a handler → JSON 500 internal_error, no stack, no message from inside", async () => {
    const boom = () => { throw new Error("boom at /srv/host-shims/durable/ops_do.mjs:42"); };
    const ns = { idFromName: (n) => n, get: () => ({ listDeadLetters: boom, countDeadLetters: boom, getDeadLetters: boom, deleteDeadLetters: boom, counters: boom }) };
    for (const [path, method] of [["/admin/dead-letters", "GET"], ["/admin/dead-letters/abc", "GET"], ["/admin/dead-letters/abc", "DELETE"], ["/admin/stats", "GET"]]) {
      const r = await admin(path, { method }, { DELIVERY_OPS: ns });
      const text = await r.text();
      assert.equal(r.status, 500, `${method} ${path}`);
      const body = JSON.parse(text);
      assert.deepEqual([body.success, body.code], [false, "internal_error"]);
      assert.doesNotMatch(text, /boom|\.mjs|at /);
    }
  });

  test("malformed ids → 400 invalid_request before any store is touched", async () => {
    const touched = [];
    const ns = { idFromName: (n) => n, get: (n) => new Proxy({}, { get: (_, m) => async () => { touched.push(m); return []; } }) };
    const env = { DELIVERY_OPS: ns, DELIVERY_QUEUE: { sendBatch: async () => touched.push("sendBatch") } };
    const cases = [
      ["/admin/dead-letters/%", "GET"],
      ["/admin/dead-letters/%ZZ", "DELETE"],
      ["/admin/dead-letters/replay", "POST", JSON.stringify({ ids: [42] })],
      ["/admin/dead-letters/replay", "POST", JSON.stringify({ ids: Array.from({ length: 1001 }, (_, i) => String(i)) })],
      ["/admin/dead-letters/replay", "POST", JSON.stringify({ ids: ["a".repeat(201)] })],
      ["/admin/dead-letters/replay", "POST", "[1,2"],
    ];
    for (const [path, method, body] of cases) {
      const r = await admin(path, { method, body }, env);
      assert.equal(r.status, 400, path);
      const json = await r.json();
      assert.deepEqual([json.success, json.code, typeof json.message], [false, "invalid_request", "string"]);
    }
    assert.deepEqual(touched, []);
  });

  test("replay sends each id once, in the order first given", async () => {
    const sent = [];
    const asked = [];
    const store = new Map(["a", "b"].map((id) => [id, { id, at: new Date().toISOString(), message: chain([wire("http://x.test", id)]) }]));
    const ns = {
      idFromName: (n) => n,
      get: () => ({
        getDeadLetters: async ({ ids }) => { asked.push(...ids); return ids.filter((id) => store.has(id)).map((id) => store.get(id)); },
        deleteDeadLetters: async (ids) => Object.fromEntries(ids.filter((id) => store.delete(id)).map((id) => [id, {}])),
        countDeadLetters: async () => store.size,
      }),
    };
    const env = { DELIVERY_OPS: ns, DELIVERY_OPS_SHARDS: "1", DELIVERY_QUEUE: { sendBatch: async (batch) => sent.push(...batch.map((m) => m.body)) } };
    const r = await admin("/admin/dead-letters/replay", { method: "POST", body: JSON.stringify({ ids: ["b", "a", "b", "b", "a"] }) }, env);
    assert.deepEqual(await r.json(), { replayed: 2, skipped: 0, remaining: 0 });
    assert.equal(sent.length, 1, "the replayed chains bundled in one message");
    assert.deepEqual(sent[0].chains.map((c) => c.calls[0].messageId), ["b", "a"]);
    assert.ok(sent[0].chains.every((c) => c.replay === true));
    assert.deepEqual(asked.slice(0, 2), ["b", "a"]);
  });
});

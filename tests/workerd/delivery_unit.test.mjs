// Durable delivery's host code in plain Node (no workerd), with fake bindings: what goes into a
// queue message (no credential, ever), sendBatch limits, oversized chains, the 503 when the queue
// refuses, and every decision of the consumer (ack, retry delays, dead letters, dedup).
import { describe, test, before } from "node:test";
import assert from "node:assert/strict";
import { loadWorker } from "../../host-shims/node_host.mjs";
import { buildChains, jsonBytes } from "../../host-shims/chain.mjs";
import { batches, toMessages, MESSAGE_MAX_BYTES, BATCH_MAX_BYTES } from "../../host-shims/deliver_queue.mjs";
import { consumeBatch, retryDelaySeconds } from "../../host-shims/consume_queue.mjs";
import { deliveryConfig } from "../../host-shims/delivery_config.mjs";

const SECRETS = {
  GIST_API_KEY: "gist-live-4f9c2a7e",
  GAINSIGHT_ACCESS_KEY: "35a84f9e-7084-47a1-b8a5-593444e9e862",
  GAINSIGHT_PX_API_KEY: "AP-SECRET-TAG-KEY-2",
};
const SECRET_FORMS = [...Object.values(SECRETS), Buffer.from(`${SECRETS.GAINSIGHT_PX_API_KEY}:`).toString("base64")];
const ORIGIN = "https://shop.example";
const CONFIG = {
  allowInsecureEndpoints: true,
  sources: [{
    writeKey: "wk",
    allowedOrigins: [ORIGIN],
    destinations: {
      gist: { apiKey: { secret: "GIST_API_KEY" }, endpoint: "http://gist.test", tags: true },
      gainsight: { accessKey: { secret: "GAINSIGHT_ACCESS_KEY" }, endpoint: "http://gs.test" },
      gainsightPx: { apiKey: { secret: "GAINSIGHT_PX_API_KEY" }, endpoint: "http://px.test" },
    },
  }],
};
const BATCH = {
  writeKey: "wk",
  batch: [
    { type: "identify", userId: "u1", messageId: "id-1", traits: { email: "u1@example.com", tags: ["trial", "vip"] } },
    { type: "track", userId: "u1", messageId: "tr-1", event: "Signed Up" },
    { type: "track", userId: "u2", messageId: "tr-2", event: "Signed Up", properties: { email: "u2@example.com" } },
  ],
};

const noLog = () => {};
const post = (worker, env, body, headers = {}) =>
  worker.fetch(new Request("https://edge.example.com/v1/batch", { method: "POST", headers: { "content-type": "text/plain", ...headers }, body: JSON.stringify(body) }), env, { waitUntil() {} });

describe("durable delivery: producer", () => {
  let worker;
  before(async () => {
    worker = await loadWorker("wasi");
  });

  test("one message per destination and user, calls in plan order, secrets named and never filled in", async () => {
    const sent = [];
    const env = { AJS_EDGE_CONFIG: JSON.stringify(CONFIG), ...SECRETS, DELIVERY_QUEUE: { sendBatch: async (m) => sent.push(...m) } };
    const res = await post(worker, env, BATCH);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { success: true });
    const bodies = sent.map((m) => m.body);
    assert.ok(sent.every((m) => m.contentType === "json"));
    const text = JSON.stringify(sent);
    for (const secret of SECRET_FORMS) assert.ok(!text.includes(secret), "no credential in a queue message");
    // Keys are "<scope>|<messageId>|<ordinal>"; a scope is "<destination>:<source id>:<account>".
    const S = Object.fromEntries(bodies.map((b) => [b.destination, b.calls[0].key.split("|")[0]]));
    for (const [destination, scope] of Object.entries(S)) assert.match(scope, new RegExp(`^${destination}:[0-9a-f]{16}:[0-9a-f]{16}$`));
    assert.equal(new Set(Object.values(S).map((scope) => scope.split(":")[1])).size, 1, "one source id");
    assert.equal(new Set(Object.values(S).map((scope) => scope.split(":")[2])).size, 3, "three accounts");
    const summary = bodies.map((b) => [b.destination, b.orderKey, b.calls.map((c) => `${new URL(c.url).pathname} ${c.key}`)]);
    assert.deepEqual(summary, [
      ["gist", "u1", [`/contacts ${S.gist}|id-1|0`, `/tags ${S.gist}|id-1|1`, `/tags ${S.gist}|id-1|2`, `/events ${S.gist}|tr-1|0`]],
      ["gainsight", "u1", [`/clickstream/segmentio/event ${S.gainsight}|id-1|0`, `/clickstream/segmentio/event ${S.gainsight}|tr-1|0`]],
      ["gainsightPx", "u1", [`/rte/segmentio/v1/push ${S.gainsightPx}|id-1|0`, `/rte/segmentio/v1/push ${S.gainsightPx}|tr-1|0`]],
      ["gist", "u2", [`/events ${S.gist}|tr-2|0`]],
      ["gainsight", "u2", [`/clickstream/segmentio/event ${S.gainsight}|tr-2|0`]],
      ["gainsightPx", "u2", [`/rte/segmentio/v1/push ${S.gainsightPx}|tr-2|0`]],
    ]);
    const auth = Object.fromEntries(bodies.map((b) => [b.destination, b.calls[0].headers.filter((h) => h.secret)]));
    assert.deepEqual(auth, {
      gist: [{ name: "authorization", secret: "GIST_API_KEY", format: "bearer" }],
      gainsight: [{ name: "accessKey", secret: "GAINSIGHT_ACCESS_KEY", format: "raw" }],
      gainsightPx: [{ name: "Authorization", secret: "GAINSIGHT_PX_API_KEY", format: "basic_username" }],
    });
    assert.equal(JSON.parse(bodies[0].calls[3].body).event_name, "Signed Up");
  });

  test("the queue refusing → 503 with Retry-After and the CORS headers, never a 200", async () => {
    const env = { AJS_EDGE_CONFIG: JSON.stringify(CONFIG), ...SECRETS, DELIVERY_QUEUE: { sendBatch: async () => { throw new Error("Queue send failed: 429 Too Many Requests"); } } };
    const res = await post(worker, env, BATCH, { origin: ORIGIN });
    assert.equal(res.status, 503);
    assert.equal(res.headers.get("retry-after"), "5");
    assert.equal(res.headers.get("access-control-allow-origin"), ORIGIN);
    assert.deepEqual(await res.json(), { success: false, code: "unavailable", message: "delivery queue unavailable; retry later" });
  });

  test("admin endpoints exist only with ADMIN_TOKEN: without it /admin/… is the core's 404", async () => {
    const env = { AJS_EDGE_CONFIG: JSON.stringify(CONFIG), ...SECRETS };
    const get = (e, headers = {}) => worker.fetch(new Request("https://edge.example.com/admin/stats", { headers }), e, { waitUntil() {} });
    const none = await get(env, { authorization: "Bearer anything" });
    assert.equal(none.status, 404);
    assert.equal(none.headers.get("www-authenticate"), null);
    assert.equal((await none.json()).success, false);
    const withToken = { ...env, ADMIN_TOKEN: "t0k" };
    assert.equal((await get(withToken, { authorization: "Bearer t0" })).status, 401);
    const ok = await get(withToken, { authorization: "Bearer t0k" });
    assert.equal(ok.status, 200);
    assert.deepEqual((await ok.json()).mode, "inline");
  });

  test("sendBatch groups: at most 100 messages and 256 KB each", () => {
    const small = Array.from({ length: 250 }, (_, i) => ({ body: { i }, bytes: 10 }));
    assert.deepEqual(batches(small).map((b) => b.length), [100, 100, 50]);
    const big = Array.from({ length: 7 }, (_, i) => ({ body: { i }, bytes: 100_000 }));
    const groups = batches(big);
    assert.deepEqual(groups.map((b) => b.length), [2, 2, 2, 1]);
    for (const g of groups) assert.ok(g.length * 100_100 <= BATCH_MAX_BYTES);
  });

  const bigChain = () => {
    const calls = Array.from({ length: 40 }, (_, i) => ({
      destination: "gainsight", method: "POST", url: "http://gs.test/e", messageId: `m${i}`, orderKey: "u1",
      headers: [{ name: "accessKey", value: "", secret: "GAINSIGHT_ACCESS_KEY", format: "raw" }],
      body: new TextEncoder().encode(JSON.stringify({ pad: "x".repeat(4000), i })),
    }));
    return buildChains(calls);
  };

  test("a chain over the message limit is stored (DELIVERY_PAYLOADS) and the message carries its reference", async () => {
    const stored = new Map();
    const store = { put: async (id, text) => stored.set(id, text), get: async (id) => stored.get(id) ?? null, delete: async (id) => stored.delete(id) };
    const env = { DELIVERY_PAYLOADS: { idFromName: (n) => n, get: () => store } };
    const chains = bigChain();
    assert.ok(jsonBytes(chains[0]) > MESSAGE_MAX_BYTES);
    const { bodies, refs } = await toMessages(chains, env, noLog);
    assert.equal(bodies.length, 1);
    assert.deepEqual(Object.keys(bodies[0].body).sort(), ["count", "destination", "orderKey", "ref", "v"]);
    assert.equal(bodies[0].body.count, 40);
    assert.deepEqual(refs, [bodies[0].body.ref]);
    assert.deepEqual(JSON.parse(stored.get(refs[0])).calls.map((c) => c.messageId), chains[0].calls.map((c) => c.messageId));
  });

  test("without a payload store an oversized chain is split into messages under the limit (and the log says order is lost)", async () => {
    const lines = [];
    const { bodies } = await toMessages(bigChain(), {}, (l) => lines.push(l));
    assert.ok(bodies.length >= 2);
    for (const b of bodies) assert.ok(b.bytes <= MESSAGE_MAX_BYTES);
    assert.deepEqual(bodies.flatMap((b) => b.body.calls.map((c) => c.messageId)), Array.from({ length: 40 }, (_, i) => `m${i}`));
    assert.match(lines[0].warning, /order between its parts is not guaranteed/);
  });
});

// ---- consumer ----

function fakeLedger() {
  const rows = new Map();
  const ledger = {
    rows,
    claim(key, leaseMs, replay, owner) {
      const row = rows.get(key);
      if (row && !(row.state === "failed" && replay)) return { state: row.state, owner: row.owner, retryInMs: row.state === "busy" ? leaseMs : 0 };
      const token = String(Math.random());
      rows.set(key, { state: "busy", token, owner });
      return { state: "claimed", token };
    },
    complete(key, delivered, keepMs, owner) {
      rows.set(key, { state: delivered ? "delivered" : "failed", owner });
    },
    release(key, token) {
      if (rows.get(key)?.token === token) rows.delete(key);
    },
  };
  return { namespace: { idFromName: (n) => n, get: () => ledger }, ledger };
}

function message(body, attempts = 1, id = "msg-1") {
  return { id, body, attempts, ack() { this.acked = true; }, retry(o) { this.retried = o; } };
}

const call = (i, destination = "gainsight") => ({
  method: "POST", url: `http://up.test/${i}`, messageId: `m${i}`, key: `${destination}|m${i}|0`, body: JSON.stringify({ i }),
  headers: [{ name: "content-type", value: "application/json" }, { name: "accessKey", secret: "GAINSIGHT_ACCESS_KEY", format: "raw" }],
});
const chain = (n, extra = {}) => ({ v: 1, destination: "gainsight", orderKey: "u1", calls: Array.from({ length: n }, (_, i) => call(i)), ...extra });

// A fetch that answers from a script: [status, headers] per call, in order.
function scripted(answers) {
  const seen = [];
  const fetchImpl = async (url, init) => {
    seen.push({ url, key: init.headers.get("accesskey") });
    const [status, headers = {}] = answers.shift() ?? [200];
    if (status === "drop") throw new TypeError("Network connection lost.");
    return new Response(status === 200 ? "" : `{"error":"e${status}"}`, { status, headers });
  };
  return { fetchImpl, seen };
}

async function consume(messages, { answers = [], env = {}, queue = "ajs-edge-delivery" } = {}) {
  const { namespace, ledger } = fakeLedger();
  const lines = [];
  const f = scripted(answers);
  await consumeBatch({ queue, messages }, { ...SECRETS, DELIVERY_LEDGER: namespace, ...env }, (l) => lines.push(l), { fetchImpl: f.fetchImpl });
  return { lines, seen: f.seen, ledger };
}

describe("durable delivery: consumer", () => {
  test("2xx for every call → ack; the secret is filled in at send time and never logged", async () => {
    const m = message(chain(2));
    const { lines, seen } = await consume([m]);
    assert.equal(m.acked, true);
    assert.deepEqual(seen, [{ url: "http://up.test/0", key: SECRETS.GAINSIGHT_ACCESS_KEY }, { url: "http://up.test/1", key: SECRETS.GAINSIGHT_ACCESS_KEY }]);
    const text = JSON.stringify(lines);
    for (const secret of SECRET_FORMS) assert.ok(!text.includes(secret));
    const d = lines.filter((l) => l.at === "delivery");
    assert.deepEqual(d.map((l) => [l.destination, l.messageId, l.status, l.outcome, l.attempt, typeof l.latencyMs]), [
      ["gainsight", "m0", 200, "ok", 1, "number"],
      ["gainsight", "m1", 200, "ok", 1, "number"],
    ]);
  });

  test("429 → retry after Retry-After (cut to DELIVERY_RETRY_AFTER_MAX_S); the call before it is not sent again", async () => {
    const m = message(chain(2));
    const { namespace, ledger } = fakeLedger();
    const f = scripted([[200], [429, { "retry-after": "7" }]]);
    await consumeBatch({ queue: "q", messages: [m] }, { ...SECRETS, DELIVERY_LEDGER: namespace }, noLog, { fetchImpl: f.fetchImpl });
    assert.deepEqual([m.acked, m.retried], [undefined, { delaySeconds: 7 }]);
    assert.equal(ledger.rows.get("gainsight|m0|0").state, "delivered");
    assert.equal(ledger.rows.has("gainsight|m1|0"), false, "the failed call's lease is released");
    // The retry: call 0 is skipped (same message: resumed, not counted as a duplicate), call 1 sent.
    const again = message(chain(2), 2);
    const g = scripted([[200]]);
    const lines = [];
    await consumeBatch({ queue: "q", messages: [again] }, { ...SECRETS, DELIVERY_LEDGER: namespace }, (l) => lines.push(l), { fetchImpl: g.fetchImpl });
    assert.equal(again.acked, true);
    assert.deepEqual(g.seen.map((s) => s.url), ["http://up.test/1"]);
    assert.deepEqual(lines.filter((l) => l.at === "delivery").map((l) => l.outcome), ["skipped", "ok"]);

    const capped = message(chain(1));
    await consume([capped], { answers: [[429, { "retry-after": "99999" }]], env: { DELIVERY_RETRY_AFTER_MAX_S: "60" } });
    assert.deepEqual(capped.retried, { delaySeconds: 60 });
  });

  test("5xx, timeout and dropped connection → retry with exponential backoff and jitter", async () => {
    const cfg = deliveryConfig({});
    assert.equal(retryDelaySeconds({}, 1, cfg, () => 0), 3); // at least base/2 (2.5 → 3)
    assert.equal(retryDelaySeconds({}, 4, cfg, () => 0.999), 40); // 5 · 2³ · ~1
    assert.equal(retryDelaySeconds({}, 30, cfg, () => 0.999), 1798); // capped (DELIVERY_RETRY_CAP_S 1800)
    for (const answer of [[500], [503], ["drop"]]) {
      const m = message(chain(1), 3);
      await consume([m], { answers: [answer] });
      assert.ok(m.retried.delaySeconds >= 3 && m.retried.delaySeconds <= 20, JSON.stringify(m.retried));
    }
    const slow = message(chain(1));
    const lines = [];
    const { namespace } = fakeLedger();
    // Never answers; Node's AbortSignal.timeout does not keep the process alive, this timer does.
    const hang = (url, init) =>
      new Promise((_, reject) => {
        const alive = setTimeout(() => {}, 5000);
        init.signal.addEventListener("abort", () => {
          clearTimeout(alive);
          reject(init.signal.reason);
        });
      });
    await consumeBatch({ queue: "q", messages: [slow] }, { ...SECRETS, DELIVERY_LEDGER: namespace, DELIVERY_TIMEOUT_MS: "50" }, (l) => lines.push(l), { fetchImpl: hang });
    assert.ok(slow.retried);
    assert.equal(lines.find((l) => l.at === "delivery").error, "timeout");
  });

  test("another 4xx → a dead letter for that call (status, excerpt), and the chain goes on", async () => {
    const m = message(chain(3));
    const { lines } = await consume([m], { answers: [[200], [400], [200]] });
    assert.equal(m.acked, true);
    const dead = lines.filter((l) => l.at === "dead-letter");
    assert.equal(dead.length, 1);
    assert.deepEqual([dead[0].reason, dead[0].status, dead[0].error, dead[0].stored], ["permanent", 400, "e400" /* the destination's message, not the raw body */, false]);
    assert.deepEqual(dead[0].message.calls.map((c) => c.messageId), ["m1"]);
  });

  test("the last attempt failing → one dead letter with the rest of the chain, in order, then ack", async () => {
    const m = message(chain(3), 4);
    const { lines } = await consume([m], { answers: [[200], [500]], env: { DELIVERY_MAX_ATTEMPTS: "4" } });
    assert.equal(m.acked, true);
    const [dead] = lines.filter((l) => l.at === "dead-letter");
    assert.equal(dead.reason, "retries_exhausted");
    assert.deepEqual(dead.message.calls.map((c) => c.messageId), ["m1", "m2"]);
    const text = JSON.stringify(dead);
    for (const secret of SECRET_FORMS) assert.ok(!text.includes(secret));
  });

  test("dedup: a call another message delivered is skipped; one another consumer holds → retry later", async () => {
    const { namespace, ledger } = fakeLedger();
    ledger.rows.set("gainsight|m0|0", { state: "delivered", owner: "other" });
    ledger.rows.set("gainsight|m1|0", { state: "busy", owner: "other", token: "t" });
    const m = message(chain(2));
    const f = scripted([]);
    const lines = [];
    await consumeBatch({ queue: "q", messages: [m] }, { ...SECRETS, DELIVERY_LEDGER: namespace }, (l) => lines.push(l), { fetchImpl: f.fetchImpl });
    assert.deepEqual(f.seen, []);
    assert.ok(m.retried.delaySeconds >= 1);
    assert.deepEqual(lines.filter((l) => l.at === "delivery").map((l) => l.outcome), ["duplicate", "busy"]);
  });

  test("the dead-letter queue's messages become dead letters; a malformed message is kept, not retried", async () => {
    const dlq = message(chain(2), 21);
    const { lines } = await consume([dlq], { queue: "ajs-edge-delivery-dlq" });
    assert.equal(dlq.acked, true);
    assert.deepEqual(lines.filter((l) => l.at === "dead-letter").map((l) => [l.reason, l.calls]), [["dead_letter_queue", 2]]);
    const bad = message({ hello: "world" });
    const r = await consume([bad]);
    assert.equal(bad.acked, true);
    assert.equal(r.lines.find((l) => l.at === "dead-letter").reason, "malformed");
  });
});

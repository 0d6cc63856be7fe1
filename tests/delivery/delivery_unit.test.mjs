// Durable delivery's host code in plain Node (no workerd), with fake bindings: what goes into a
// queue message (no credential, ever), sendBatch limits, oversized chains, the 503 when the queue
// refuses, and every decision of the consumer (ack, retry delays, dead letters, dedup).
import { describe, test, before } from "node:test";
import assert from "node:assert/strict";
import { withMessageMethods } from "../support/fake_ledger.mjs";
import { loadWorker } from "../../host-shims/node/node_host.mjs";
import { jsonBytes } from "../../host-shims/delivery/chain.mjs";
import { buildChains, compactChain, frameMessages } from "../support/chain_oracle.mjs";
import { batches, bundle, toMessages, enqueueChains, enqueueCoreMessages, MESSAGE_MAX_BYTES, BATCH_MAX_BYTES } from "../../host-shims/delivery/deliver_queue.mjs";
import { consumeBatch, retryDelaySeconds, messageAgeS, runChain } from "../../host-shims/delivery/consume_queue.mjs";
import { chainsOf, expandChain, readMessage, sendable, WIRE_VERSION } from "../../host-shims/delivery/chain.mjs";
import { sendCall } from "../../host-shims/delivery/send.mjs";
import { eachLimited } from "../../host-shims/delivery/delivery_config.mjs";
import { putPayload, getPayload, touchPayload, deletePayload, hasPayloadStore } from "../../host-shims/durable/payloads.mjs";
import { ledgerFor } from "../../host-shims/durable/ledger.mjs";
import { deliveryConfig, deliveryLog, deliveryMode, NO_QUEUE } from "../../host-shims/delivery/delivery_config.mjs";
import { classifyStatus, isRedirect, retryAfterSeconds, backoffSeconds, redirectError, notFoundRetry } from "../../host-shims/delivery/outcome.mjs";
import { CALL_FLAGS } from "../../host-shims/core/plan.mjs";
import { fnv1a, shardIndex } from "../../host-shims/durable/ledger.mjs";

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
const TRACE = { DELIVERY_LOG: "calls" }; // a log line for every call, delivered ones included
const post = (worker, env, body, headers = {}) =>
  worker.fetch(new Request("https://edge.example.com/v1/batch", { method: "POST", headers: { "content-type": "text/plain", ...headers }, body: JSON.stringify(body) }), env, { waitUntil() {} });

describe("durable delivery: producer", () => {
  let worker;
  before(async () => {
    worker = await loadWorker("wasi");
  });

  test("one chain per destination and user, calls in plan order, one message for the request; secrets named and never filled in", async () => {
    const sent = [];
    const env = { AJS_EDGE_CONFIG: JSON.stringify(CONFIG), ...SECRETS, DELIVERY_QUEUE: { sendBatch: async (m) => sent.push(...m.map((x) => ({ ...x, body: x.body.slice() }))) } }; // bodies taken when sent, as the runtime does
    const res = await post(worker, env, BATCH);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { success: true });
    // The core's message bodies, as bytes (src/plan/queue_messages.cpp).
    assert.ok(sent.every((m) => m.contentType === "bytes" && m.body instanceof Uint8Array));
    // On the wire a chain names its calls' method and headers once; read back, every call has them.
    const wire = new TextDecoder().decode(sent[0].body);
    const raw = JSON.parse(wire.slice(0, wire.indexOf("\n"))); // the envelope; the bodies follow it
    assert.ok(raw.chains.every((c) => c.method === "POST" && Array.isArray(c.headers) && c.calls.every((call) => !("headers" in call) && !("method" in call))));
    const queued = sent.map((m) => readMessage({ body: m.body }).body);
    assert.deepEqual(queued.map((m) => [m.v, m.chains.length]), [[2, 6]], "one bundle of six chains");
    const bodies = queued[0].chains;
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

  test("delivery mode: the queue by default and required; inline only when DELIVERY_MODE says so; any other value refused", () => {
    const queue = { sendBatch: async () => {} };
    assert.equal(deliveryMode({ DELIVERY_QUEUE: queue }), "queue");
    assert.equal(deliveryMode({ DELIVERY_QUEUE: queue, DELIVERY_MODE: "" }), "queue");
    assert.equal(deliveryMode({ DELIVERY_QUEUE: queue, DELIVERY_MODE: "queue" }), "queue");
    assert.equal(deliveryMode({ DELIVERY_MODE: "inline" }), "inline");
    assert.equal(deliveryMode({ DELIVERY_QUEUE: queue, DELIVERY_MODE: "inline" }), "inline");
    assert.throws(() => deliveryMode({}), { name: "BindingError", message: NO_QUEUE, code: "invalid_config" });
    assert.throws(() => deliveryMode({ DELIVERY_QUEUE: {} }), { message: NO_QUEUE }); // not a queue binding
    assert.throws(() => deliveryMode({ DELIVERY_QUEUE: queue, DELIVERY_MODE: "Inline" }), { message: 'DELIVERY_MODE: "queue" (the default) or "inline", not "Inline"' });
    assert.equal(deliveryMode({ DELIVERY_QUEUE: queue, DELIVERY_MODE: null }), "queue");
    assert.throws(() => deliveryMode({ DELIVERY_QUEUE: queue, DELIVERY_MODE: "x".repeat(100) }), { message: `DELIVERY_MODE: "queue" (the default) or "inline", not "${"x".repeat(40)}"` });
    assert.throws(() => deliveryMode(undefined), { name: "BindingError", message: NO_QUEUE });
  });

  test("delivery log: \"failures\" by default, \"calls\" on request; any other value leaves the Worker misconfigured, the reason told to the operator only", async () => {
    assert.deepEqual([deliveryLog({}), deliveryLog(undefined), deliveryLog({ DELIVERY_LOG: "" }), deliveryLog({ DELIVERY_LOG: "failures" }), deliveryLog({ DELIVERY_LOG: "calls" })], ["failures", "failures", "failures", "failures", "calls"]);
    assert.throws(() => deliveryLog({ DELIVERY_LOG: "all" }), { name: "BindingError", message: 'DELIVERY_LOG: "failures" (the default) or "calls", not "all"' });
    const printed = [];
    const realLog = console.log;
    console.log = (line) => printed.push(JSON.parse(line));
    try {
      // Another text of the same configuration: the Worker loads a configuration once per text.
      const env = { AJS_EDGE_CONFIG: JSON.stringify(CONFIG, null, 1), ...SECRETS, DELIVERY_QUEUE: { sendBatch: async () => {} }, DELIVERY_LOG: "verbose" };
      const res = await post(worker, env, BATCH);
      assert.equal(res.status, 500);
      assert.equal((await res.json()).code, "misconfigured");
    } finally {
      console.log = realLog;
    }
    assert.deepEqual(printed.filter((l) => l.at === "config").map((l) => l.error), ['DELIVERY_LOG: "failures" (the default) or "calls", not "verbose"']);
  });

  test("inline delivery logs the same way: by default only the calls that failed, then the request's summary", async () => {
    const printed = [];
    const pending = [];
    const realLog = console.log;
    const realFetch = globalThis.fetch;
    console.log = (line) => printed.push(JSON.parse(line));
    globalThis.fetch = async (url) => new Response(String(url).startsWith("http://px.test") ? '{"message":"bad key"}' : "{}", { status: String(url).startsWith("http://px.test") ? 403 : 200 });
    try {
      const env = { AJS_EDGE_CONFIG: JSON.stringify(CONFIG, null, 2), ...SECRETS, DELIVERY_MODE: "inline" };
      const res = await worker.fetch(new Request("https://edge.example.com/v1/batch", { method: "POST", headers: { "content-type": "text/plain" }, body: JSON.stringify(BATCH) }), env, { waitUntil: (p) => pending.push(p) });
      assert.equal(res.status, 200);
      await Promise.all(pending);
    } finally {
      console.log = realLog;
      globalThis.fetch = realFetch;
    }
    const calls = printed.filter((l) => l.at === "delivery");
    assert.deepEqual(calls.map((l) => [l.destination, l.messageId, l.outcome, l.status]).sort(), [
      ["gainsightPx", "id-1", "permanent", 403], ["gainsightPx", "tr-1", "permanent", 403], ["gainsightPx", "tr-2", "permanent", 403],
    ]);
    assert.deepEqual(printed.filter((l) => l.at === "delivery-summary"), [
      { at: "delivery-summary", mode: "inline", calls: { gist: { ok: 5 }, gainsight: { ok: 3 }, gainsightPx: { permanent: 3 } } },
    ]);
    assert.equal(printed.at(-1).at, "delivery-summary", "the summary comes last");
  });

  test("admin endpoints exist only with ADMIN_TOKEN: without it /admin/… is the core's 404", async () => {
    const env = { AJS_EDGE_CONFIG: JSON.stringify(CONFIG), ...SECRETS, DELIVERY_QUEUE: { sendBatch: async () => {} } };
    const get = (e, headers = {}) => worker.fetch(new Request("https://edge.example.com/admin/stats", { headers }), e, { waitUntil() {} });
    const none = await get(env, { authorization: "Bearer anything" });
    assert.equal(none.status, 404);
    assert.equal(none.headers.get("www-authenticate"), null);
    assert.equal((await none.json()).success, false);
    const withToken = { ...env, ADMIN_TOKEN: "t0k" };
    assert.equal((await get(withToken, { authorization: "Bearer t0" })).status, 401);
    const ok = await get(withToken, { authorization: "Bearer t0k" });
    assert.equal(ok.status, 200);
    const stats = await ok.json();
    assert.deepEqual([stats.mode, stats.durable, stats.dedup], ["queue", true, false]);
  });

  test("sendBatch groups: at most 100 messages and 256 KB each", () => {
    const small = Array.from({ length: 250 }, (_, i) => ({ body: { i }, bytes: 10 }));
    assert.deepEqual(batches(small).map((b) => b.length), [100, 100, 50]);
    const big = Array.from({ length: 7 }, (_, i) => ({ body: { i }, bytes: 100_000 }));
    const groups = batches(big);
    assert.deepEqual(groups.map((b) => b.length), [2, 2, 2, 1]);
    for (const g of groups) assert.ok(g.length * 100_100 <= BATCH_MAX_BYTES);
  });

  test("bundles: consecutive chains share a message up to exactly MESSAGE_MAX_BYTES; a chain alone goes as it is", () => {
    const chainOf = (pad) => ({ v: 1, destination: "gist", orderKey: "u", calls: [{ body: "x".repeat(pad) }] });
    const withBytes = (body) => ({ body, bytes: jsonBytes(body) });
    const size = (bodies) => jsonBytes({ v: 2, chains: bodies });
    // Two chains whose bundle is exactly the limit stay together; a byte more and they part.
    const a = chainOf(100);
    const fill = (target) => chainOf(target - size([a, chainOf(0)]));
    const exact = [withBytes(a), withBytes(fill(MESSAGE_MAX_BYTES))];
    const one = bundle(exact);
    assert.equal(one.length, 1);
    assert.deepEqual(one[0].body, { v: 2, chains: [exact[0].body, exact[1].body] });
    assert.equal(one[0].bytes, jsonBytes(one[0].body));
    assert.equal(one[0].bytes, MESSAGE_MAX_BYTES);
    const over = [withBytes(a), withBytes(fill(MESSAGE_MAX_BYTES + 1))];
    assert.deepEqual(bundle(over), over, "each alone, as it came (v1)");
    // Three small ones: one bundle, its bytes what Queues will count.
    const three = [chainOf(1), chainOf(2), chainOf(3)].map(withBytes);
    const [b] = bundle(three);
    assert.deepEqual([b.body.v, b.body.chains.length, b.bytes], [2, 3, jsonBytes(b.body)]);
    // Then a new bundle starts empty: after a flush, the next group's size counts from zero.
    const full = chainOf(MESSAGE_MAX_BYTES - jsonBytes(chainOf(0)));
    assert.equal(jsonBytes(full), MESSAGE_MAX_BYTES);
    const many = [withBytes(full), ...three];
    const parts = bundle(many);
    assert.deepEqual(parts.map((p) => p.body.v), [1, 2]);
    assert.equal(parts[1].bytes, b.bytes);
    assert.deepEqual(bundle([]), []);
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

  test("a chain of exactly the message limit goes as it is; a byte more and it is stored; replayed, both say so", async () => {
    const stored = new Map();
    const store = { put: async (id, text) => stored.set(id, text) };
    const env = { DELIVERY_PAYLOADS: { idFromName: (n) => n, get: () => store } };
    const sized = (bytes) => {
      const c = { v: 1, destination: "gist", orderKey: "u1", calls: [{ method: "POST", url: "http://x.test", headers: [], body: "", messageId: "m", key: "" }] };
      c.calls[0].body = "x".repeat(bytes - jsonBytes(c));
      assert.equal(jsonBytes(c), bytes);
      return c;
    };
    const lines = [];
    const exact = await toMessages([sized(MESSAGE_MAX_BYTES)], env, (l) => lines.push(l));
    assert.deepEqual([exact.bodies.map((b) => b.bytes), exact.refs, stored.size, lines], [[MESSAGE_MAX_BYTES], [], 0, []]);
    const over = await toMessages([sized(MESSAGE_MAX_BYTES + 1)], env, (l) => lines.push(l));
    assert.deepEqual(over.bodies.map((b) => Object.keys(b.body)), [["v", "destination", "orderKey", "ref", "count"]]);
    assert.deepEqual(lines, [{ at: "enqueue", destination: "gist", stored: over.refs[0], bytes: MESSAGE_MAX_BYTES + 1, calls: 1 }]);
    const replayed = await toMessages([sized(300), sized(MESSAGE_MAX_BYTES + 1)], env, noLog, { replay: true });
    assert.deepEqual(replayed.bodies.map((b) => [b.body.replay, b.bytes === jsonBytes(b.body)]), [[true, true], [true, true]]);
    const plain = await toMessages([sized(300)], env, noLog);
    assert.equal("replay" in plain.bodies[0].body, false);
  });

  test("without a payload store an oversized chain is split, each part as full as it can be; one call over the limit throws", async () => {
    const chain = bigChain()[0];
    const { bodies } = await toMessages([chain], {}, noLog);
    const parts = bodies.map((b) => b.body);
    assert.deepEqual(parts.map((p) => p.calls.length), [28, 12]);
    for (const [i, p] of parts.entries()) {
      assert.deepEqual([p.v, p.destination, p.orderKey], [1, "gainsight", "u1"]);
      assert.equal(bodies[i].bytes, jsonBytes(p));
      assert.ok(jsonBytes(p) <= MESSAGE_MAX_BYTES);
    }
    assert.ok(jsonBytes({ ...parts[0], calls: [...parts[0].calls, parts[1].calls[0]] }) > MESSAGE_MAX_BYTES, "the first part could not take one more");
    const huge = { ...chain, calls: [chain.calls[0], { ...chain.calls[1], body: "x".repeat(MESSAGE_MAX_BYTES) }] };
    await assert.rejects(toMessages([huge], {}, noLog), { message: `one gainsight call is over ${MESSAGE_MAX_BYTES} bytes and no DELIVERY_PAYLOADS store is bound` });
  });

  test("splitting counts every byte: a part of exactly the limit is kept whole, one byte over is split; a chain of no calls sends nothing", async () => {
    const pad = (chain, i, target) => {
      chain.calls[i].body = "";
      chain.calls[i].body = "x".repeat(target - jsonBytes(chain));
      assert.equal(jsonBytes(chain), target);
    };
    const c = (n) => ({ v: 1, destination: "gist", orderKey: "u1", calls: Array.from({ length: n }, (_, i) => ({ method: "POST", url: "http://x.test", headers: [], body: "", messageId: `m${i}`, key: "" })) });
    const split = async (chain) => (await toMessages([chain], {}, noLog)).bodies.map((b) => b.body.calls.map((x) => x.messageId));
    // Two calls whose part is the limit less one byte, then a third: [2, 1].
    const three = c(3);
    const firstTwo = { ...three, calls: three.calls.slice(0, 2) };
    firstTwo.calls[1].body = "x".repeat(60_000);
    pad(firstTwo, 0, MESSAGE_MAX_BYTES - 1);
    assert.deepEqual(await split(three), [["m0", "m1"], ["m2"]]);
    // Two calls one byte over the limit together: one each.
    const two = c(2);
    two.calls[1].body = "x".repeat(60_000);
    pad(two, 0, MESSAGE_MAX_BYTES + 1);
    assert.deepEqual(await split(two), [["m0"], ["m1"]]);
    // One call whose own part is the limit less one byte: kept, not refused.
    const one = c(2);
    pad({ ...one, calls: [one.calls[0]] }, 0, MESSAGE_MAX_BYTES - 1);
    assert.deepEqual(await split(one), [["m0"], ["m1"]]);
    const noCalls = { v: 1, destination: "gist", orderKey: "k".repeat(MESSAGE_MAX_BYTES), calls: [] };
    assert.deepEqual((await toMessages([noCalls], {}, noLog)).bodies, []);
  });

  test("enqueueCoreMessages: the core's bodies go as bytes, unread; a flagged chain is stored and its reference queued", async () => {
    const sent = [];
    const stored = new Map();
    const store = { put: async (id, text) => stored.set(id, text) };
    const env = { DELIVERY_QUEUE: { sendBatch: async (b) => sent.push(...b) }, DELIVERY_PAYLOADS: { idFromName: (n) => n, get: () => store } };
    // Framed as the core frames them (tests/support/chain_oracle.mjs frameMessages).
    const [small] = frameMessages([compactChain(chain(1)), compactChain(chain(1))], MESSAGE_MAX_BYTES).map((m) => m.bytes);
    const [big] = bigChain();
    const [bigBytes] = frameMessages([compactChain(big)], MESSAGE_MAX_BYTES).map((m) => m.bytes);
    const answer = await enqueueCoreMessages([{ bytes: small, chains: 2, oversized: false }, { bytes: bigBytes, chains: 1, oversized: true }], env, noLog);
    assert.deepEqual(answer, { chains: 3, messages: 2 });
    assert.equal(sent[0].body, small, "the core's bytes as they are");
    assert.equal(sent[0].contentType, "bytes");
    assert.equal(sent[1].contentType, "json");
    assert.deepEqual(Object.keys(sent[1].body), ["v", "destination", "orderKey", "ref", "count"]);
    assert.equal(sent[1].body.count, 40);
    assert.deepEqual(JSON.parse([...stored.values()][0]).calls, big.calls);
    // Without a payload store it is split, as toMessages splits a chain.
    sent.length = 0;
    const split = await enqueueCoreMessages([{ bytes: bigBytes, chains: 1, oversized: true }], { DELIVERY_QUEUE: env.DELIVERY_QUEUE }, noLog);
    assert.deepEqual(split, { chains: 1, messages: 2 });
    assert.deepEqual(sent.map((m) => m.body.calls.length), [28, 12]);
  });

  test("sendBatch: a batch of exactly 250,000 bytes (with 100 per message) goes in one call; at most four calls at a time", async () => {
    const m = (bytes) => ({ body: {}, bytes });
    assert.deepEqual(batches([m(124_900), m(124_900)]).map((b) => b.length), [2]);
    assert.deepEqual(batches([m(124_900), m(124_901)]).map((b) => b.length), [1, 1]);
    assert.deepEqual(batches([]), []);
    assert.deepEqual(batches([m(5)]), [[{ body: {}, contentType: "json" }]]);
    let open = 0;
    let most = 0;
    const sent = [];
    const queue = {
      sendBatch: async (batch) => {
        open++;
        most = Math.max(most, open);
        await new Promise((resolve) => setImmediate(resolve));
        sent.push(batch.length);
        open--;
      },
    };
    // Chains of ~1 KB are bundled 117 to a message; these 650 of 60 KB go one to a message.
    const chains = Array.from({ length: 650 }, (_, i) => ({ v: 1, destination: "gist", orderKey: `u${i}`, calls: [{ body: "x".repeat(60_000) }] }));
    assert.equal(await enqueueChains(chains, { DELIVERY_QUEUE: queue }, noLog), 650);
    assert.deepEqual([most, sent.length, sent.every((n) => n <= 4)], [4, 163, true]);
    most = 0;
    await enqueueChains(chains.slice(0, 6), { DELIVERY_QUEUE: queue }, noLog); // two batches: 4 + 2
    assert.equal(most, 2, "no more senders than batches");
  });

  test("without a payload store an oversized chain is split into messages under the limit (and the log says order is lost)", async () => {
    const lines = [];
    const { bodies } = await toMessages(bigChain(), {}, (l) => lines.push(l));
    assert.ok(bodies.length >= 2);
    for (const b of bodies) assert.ok(b.bytes <= MESSAGE_MAX_BYTES);
    assert.deepEqual(bodies.flatMap((b) => b.body.calls.map((c) => c.messageId)), Array.from({ length: 40 }, (_, i) => `m${i}`));
    assert.deepEqual(lines, [{ at: "enqueue", warning: "chain over the queue message limit split without DELIVERY_PAYLOADS: order between its parts is not guaranteed", destination: "gainsight", parts: bodies.length }]);
  });
});

// ---- consumer ----

function fakeLedger() {
  const rows = new Map();
  const ledger = {
    rows,
    claim(key, leaseMs, replay, owner) {
      const row = rows.get(key);
      const own = row?.state === "busy" && owner !== "" && row.owner === owner; // as ledger_do.mjs: its own lease, taken over
      if (row && !own && !(row.state === "failed" && replay)) return { state: row.state, owner: row.owner, retryInMs: row.state === "busy" ? leaseMs : 0 };
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
  withMessageMethods(ledger);
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
  await consumeBatch({ queue, messages }, { ...SECRETS, ...TRACE, DELIVERY_LEDGER: namespace, ...env }, (l) => lines.push(l), { fetchImpl: f.fetchImpl });
  return { lines, seen: f.seen, ledger };
}

// ---- the subrequest budget (DELIVERY_SUBREQUESTS) ----

// A consumer invocation whose every subrequest is counted: ledger calls, fetches, sendBatch.
// Returns what it sent, what it queued again, and the count.
// The ops store (counters, dead letters) is counted too: a dead letter costs a subrequest.
// `payloads`: a Map ref → stored chain, served by a counted payload store (its reads in `payloadReads`).
async function countedInvocation(bodies, { limit, concurrency = 6, ledger, sent, answers = () => 200, queuedAt = new Date(Date.now() - 5000), payloads = new Map(), shards = 1, queue = "ajs-edge-delivery" }) {
  let subrequests = 0;
  const requeued = [];
  const counters = {};
  const deadLetters = [];
  const payloadReads = [];
  const counted = (fn) => async (...args) => {
    subrequests++;
    return fn(...args);
  };
  const stub = { claimAll: counted(ledger.claimAll.bind(ledger)), settleAll: counted(ledger.settleAll.bind(ledger)) };
  const ops = {
    addCounters: counted(async (delta) => {
      for (const [d, values] of Object.entries(delta)) for (const [k, n] of Object.entries(values)) counters[`${d}.${k}`] = (counters[`${d}.${k}`] ?? 0) + n;
    }),
    addDeadLetters: counted(async (entries) => deadLetters.push(...entries)),
  };
  const env = {
    ...SECRETS, DELIVERY_SUBREQUESTS: String(limit), DELIVERY_CONCURRENCY: String(concurrency), DELIVERY_OPS_SHARDS: "1", DELIVERY_LEDGER_SHARDS: String(shards),
    DELIVERY_LEDGER: { idFromName: (n) => n, get: () => stub },
    DELIVERY_OPS: { idFromName: (n) => n, get: () => ops },
    DELIVERY_QUEUE: { sendBatch: counted(async (batch) => requeued.push(...batch.map((m) => m.body))) },
    DELIVERY_PAYLOADS: {
      idFromName: (n) => n,
      get: () => ({
        get: counted(async (ref) => (payloadReads.push(ref), payloads.has(ref) ? JSON.stringify(payloads.get(ref)) : null)),
        delete: counted(async (ref) => payloads.delete(ref)),
        touch: counted(async () => {}),
      }),
    },
  };
  const fetchImpl = counted(async (url) => {
    sent.push(url);
    return new Response("", { status: answers(url) });
  });
  // One instant for all (the test compares them).
  const messages = bodies.map((body, i) => ({ ...message(body, 1, `msg-${i}`), timestamp: queuedAt }));
  const lines = [];
  await consumeBatch({ queue, messages }, env, (l) => lines.push(l), { fetchImpl });
  const retried = messages.filter((m) => m.retried).map((m) => m.body);
  return { messages, requeued, retried, subrequests, lines, counters, deadLetters, payloadReads };
}

describe("durable delivery: the consumer's subrequest budget", () => {
  test("a chain stops before a call the budget cannot finish; its rest, and a chain not begun, are queued again in order", async () => {
    const { ledger } = fakeLedger();
    const sent = [];
    const u1 = chain(6), u2 = { ...chain(2), orderKey: "u2", calls: [call(10), call(11)] };
    // 12 subrequests: 3 set aside (the counters, one sendBatch, one of slack); u1's share is the 9
    // left: its claim and settle (one ledger shard) take 2, and a call starts only with 3 left (a
    // dead letter may cost 2 more), using 1: five calls. u2 finds 2, less than a message needs.
    const first = await countedInvocation([u1, u2], { limit: 12, concurrency: 1, ledger, sent });
    assert.deepEqual(sent, [0, 1, 2, 3, 4].map((i) => `http://up.test/${i}`));
    assert.equal(first.subrequests, 5 + 2 + 1 + 1); // the calls, claim and settle, one sendBatch, the counters
    assert.deepEqual(first.messages.map((m) => [m.acked, m.retried]), [[true, undefined], [true, undefined]]);
    const queuedAt = first.messages[0].timestamp.getTime();
    assert.deepEqual(first.requeued, [ // a message each, for invocations side by side
      { v: 1, destination: "gainsight", orderKey: "u1", firstQueuedAt: queuedAt, calls: [call(5)] },
      { ...u2, firstQueuedAt: queuedAt },
    ]);
    assert.deepEqual(first.lines.filter((l) => l.deferred), [{ at: "consume", deferred: 2, reason: "subrequest budget (DELIVERY_SUBREQUESTS)" }]);
    // The next invocation takes them: every call once, each user's in order.
    const second = await countedInvocation(first.requeued, { limit: 12, concurrency: 1, ledger, sent });
    assert.deepEqual(second.requeued, []);
    assert.deepEqual(sent, [0, 1, 2, 3, 4, 5, 10, 11].map((i) => `http://up.test/${i}`));
  });

  test("whatever the limit and the concurrency, an invocation stays within it, and every call goes once, in its chain's order", async () => {
    const mixed = [3, 8, 1, 5, 2, 7, 4, 6, 1, 2];
    const beacons = Array(100).fill(1); // a full batch of one-call chains: more than one budget holds
    // One ledger shard, and 16 (a chain's events then spread over several: claims cost more trips).
    for (const [limit, concurrency, sizes, shards] of [[12, 1, mixed, 1], [20, 6, mixed, 1], [50, 6, mixed, 1], [50, 2, mixed, 1], [50, 6, beacons, 1], [10, 1, mixed, 16], [20, 6, mixed, 16], [50, 6, mixed, 16]]) {
      const { ledger } = fakeLedger();
      const sent = [];
      let pending = sizes.map((n, c) => ({ v: 1, destination: "gainsight", orderKey: `u${c}`, calls: Array.from({ length: n }, (_, i) => call(c * 100 + i)) }));
      const failedOnce = new Set();
      // Calls ending in 7 are refused for good (a dead letter, which costs subrequests too); calls
      // ending in 3 fail once with a 503 (a release, and the message is retried).
      const answers = (url) => {
        if (url.endsWith("7")) return 400;
        if (url.endsWith("3") && !failedOnce.has(url)) return failedOnce.add(url), 503;
        return 200;
      };
      for (let round = 0; pending.length > 0; round++) {
        assert.ok(round < 60, "bounded");
        const r = await countedInvocation(pending, { limit, concurrency, ledger, sent, answers, shards });
        assert.ok(r.subrequests <= limit, `${r.subrequests} subrequests > ${limit}`);
        assert.equal(r.counters["gainsight.deferred"] ?? 0, r.requeued.flatMap(chainsOf).length, "each deferred chain counted");
        pending = [...r.requeued, ...r.retried];
      }
      const got = sent.map((u) => Number(u.split("/").pop())).filter((id, i, all) => !(String(id).endsWith("3") && all.indexOf(id) === i));
      assert.equal(got.length, sizes.reduce((a, b) => a + b), `limit ${limit}`);
      assert.equal(new Set(got).size, got.length, "once each (the 503s' second tries aside)");
      for (let c = 0; c < sizes.length; c++) {
        const mine = got.filter((id) => Math.floor(id / 100) === c);
        assert.deepEqual(mine, [...mine].sort((a, b) => a - b), `chain ${c} in order`);
      }
    }
  });

  test("a message waits for its whole share while another holds one, then begins whole", async () => {
    const { ledger } = fakeLedger();
    const sent = [];
    const beacon = (id) => ({ v: 2, chains: ["gist", "gainsight", "gainsightPx"].map((d, i) => ({ v: 1, destination: d, orderKey: "u", calls: [{ ...call(id * 10 + i, d), key: `${d}:s:a|${id}|0` }] })) });
    // 19: 3 set aside, 16 left; each beacon asks for 11 (claim and settle, three calls at worst 3)
    // and uses 5. The second waits for the first's 6 back instead of beginning with 5 and deferring.
    const r = await countedInvocation([beacon(1), beacon(2)], { limit: 19, concurrency: 6, ledger, sent });
    assert.equal(sent.length, 6);
    assert.deepEqual([r.requeued, r.subrequests], [[], 2 * 5 + 1]);
  });

  test("messages run side by side, their fetches within DELIVERY_CONCURRENCY at once", async () => {
    for (const concurrency of [6, 2]) {
      const { namespace } = fakeLedger();
      let inFlight = 0;
      let most = 0;
      const fetchImpl = async () => {
        inFlight++;
        most = Math.max(most, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 20));
        inFlight--;
        return new Response("", { status: 200 });
      };
      const messages = [1, 2].map((m) => message({ v: 2, chains: [0, 1, 2].map((i) => ({ ...chain(1), orderKey: `u${m}${i}`, calls: [call(m * 10 + i)] })) }, 1, `m${m}`));
      await consumeBatch({ queue: "q", messages }, { ...SECRETS, DELIVERY_LEDGER: namespace, DELIVERY_SUBREQUESTS: "10000", DELIVERY_CONCURRENCY: String(concurrency) }, () => {}, { fetchImpl });
      assert.deepEqual([messages.map((m) => m.acked), most], [[true, true], concurrency], `concurrency ${concurrency}`);
    }
  });

  test("a stored chain (ref) starts only if the budget covers its read, its delete and one call; else it is deferred unread", async () => {
    const stored = { v: 1, destination: "gainsight", orderKey: "u1", calls: [call(0), call(1)] };
    const byRef = { v: 1, destination: "gainsight", orderKey: "u1", ref: "3:abc", count: 2 };
    const first = { v: 1, destination: "gainsight", orderKey: "u0", calls: [call(50)] }; // a share of 5; keeps 3 (claim, call, settle)
    const run = (limit, bodies = [first, byRef]) => {
      const { ledger } = fakeLedger();
      const sent = [];
      const payloads = new Map([["3:abc", stored]]);
      return countedInvocation(bodies, { limit, concurrency: 1, ledger, sent, payloads }).then((r) => ({ ...r, sent, payloads }));
    };
    // 13 subrequests: 3 set aside, 10 left; after the first message 7: the stored chain's read (1),
    // its delete (1), its claim and settle (2) and one call (3) fit, not a second call.
    const r13 = await run(13);
    assert.deepEqual([r13.payloadReads, r13.sent], [["3:abc"], ["http://up.test/50", "http://up.test/0"]]);
    assert.deepEqual(r13.requeued, [{ ...byRef, count: 2, from: 1, firstQueuedAt: r13.messages[0].timestamp.getTime() }]);
    assert.equal(r13.subrequests, 3 + 1 + 3 + 1 + 1); // each message's claim, call and settle, the read, the sendBatch, the counters
    assert.ok(r13.payloads.has("3:abc"), "not done: kept");
    // 14: 8 left after the first message: both calls, and the stored chain deleted with the
    // subrequest it held for that.
    const r14 = await run(14);
    assert.deepEqual([r14.sent, r14.requeued, r14.payloads.has("3:abc")], [["http://up.test/50", "http://up.test/0", "http://up.test/1"], [], false]);
    assert.equal(r14.subrequests, 3 + 1 + 4 + 1 + 1); // the two messages, the read, the delete, the counters
    // 12: 6 left after the first message, enough for a carried call but not for the read and
    // delete too: the stored chain is deferred as it came, never read.
    const r12 = await run(12);
    assert.deepEqual([r12.payloadReads, r12.sent], [[], ["http://up.test/50"]]);
    assert.deepEqual(r12.requeued, [{ ...byRef, firstQueuedAt: r12.messages[0].timestamp.getTime() }]);
    assert.equal(r12.subrequests, 3 + 1 + 1);
    // A carried chain needs neither: at 11 its first call goes.
    const r11 = await run(11, [first, stored]);
    assert.deepEqual(r11.sent, ["http://up.test/50", "http://up.test/0"]);
  });

  test("a bundle of stored chains (a ~480 KB batch) moves on in every invocation until all is sent, in order", async () => {
    const { ledger } = fakeLedger();
    const sent = [];
    const payloads = new Map();
    // 12 stored chains of 4 calls (4 users × 3 destinations), as one message, 16 ledger shards.
    const chains = Array.from({ length: 12 }, (_, c) => {
      const ref = `${c % 8}:chain-${c}`;
      payloads.set(ref, { calls: Array.from({ length: 4 }, (_, i) => ({ ...call(c * 100 + i), key: `gist:src${c % 4}:acct|m${c}-${i}|0` })) });
      return { v: 1, destination: "gainsight", orderKey: `u${c}`, ref, count: 4 };
    });
    let pending = [{ v: 2, chains }];
    for (let round = 0; pending.length > 0; round++) {
      assert.ok(round < 20, "bounded");
      const before = sent.length;
      const r = await countedInvocation(pending, { limit: 50, ledger, sent, payloads, shards: 16 });
      assert.ok(r.subrequests <= 50, `${r.subrequests} subrequests`);
      assert.ok(sent.length > before, `round ${round} sent nothing`);
      pending = [...r.requeued, ...r.retried];
    }
    const ids = sent.map((u) => Number(u.split("/").pop()));
    assert.deepEqual([...ids].sort((a, b) => a - b), chains.flatMap((_, c) => [0, 1, 2, 3].map((i) => c * 100 + i)));
    for (let c = 0; c < 12; c++) {
      const mine = ids.filter((id) => Math.floor(id / 100) === c);
      assert.deepEqual(mine, [...mine].sort((a, b) => a - b), `chain ${c} in order`);
    }
  });

  test("a call its message could not claim (its shard unpaid for) is not sent, even with budget for it", async () => {
    const { ledger } = fakeLedger();
    const sent = [];
    const first = { v: 1, destination: "gainsight", orderKey: "u0", calls: [call(50)] };
    const two = { v: 1, destination: "gainsight", orderKey: "u1", calls: [call(0), call(1)] };
    assert.notEqual(shardIndex(two.calls[0].key, 16), shardIndex(two.calls[1].key, 16), "two shards");
    // 12: 3 set aside; the first message leaves 6. The second's share (6) pays one shard's claim
    // and settle (2) and keeps 4: call 0 goes, and call 1, in the shard not claimed, waits.
    const r = await countedInvocation([first, two], { limit: 12, concurrency: 1, ledger, sent, shards: 16 });
    assert.deepEqual(sent, ["http://up.test/50", "http://up.test/0"]);
    assert.deepEqual(r.requeued.map((b) => b.calls.map((c) => c.messageId)), [["m1"]]);
    assert.equal(r.subrequests, 3 + 3 + 1 + 1);
  });

  test("a bundle on the dead-letter queue: a dead letter per chain, each destination's counter by the calls it holds", async () => {
    const { ledger } = fakeLedger();
    const bundleBody = { v: 2, chains: [chain(3), { ...chain(1), destination: "gist", calls: [call(7, "gist")] }] };
    const r = await countedInvocation([bundleBody], { limit: 50, ledger, sent: [], queue: "ajs-edge-delivery-dlq" });
    assert.deepEqual(r.deadLetters.map((d) => [d.reason, d.destination, d.message.calls.length]), [["dead_letter_queue", "gainsight", 3], ["dead_letter_queue", "gist", 1]]);
    assert.deepEqual([r.counters["gainsight.deadLettered"], r.counters["gist.deadLettered"], r.messages[0].acked], [3, 1, true]);
  });

  test("a refused call keeps 2 subrequests more than a delivered one (its dead letter, the stored chain it may point at)", async () => {
    const { ledger } = fakeLedger();
    const sent = [];
    // 20: 3 set aside, 17 for the message: 2 for its claim and settle, then calls that each take 3
    // and keep them all: five start (15, 12, 9, 6, 3).
    const r = await countedInvocation([chain(8)], { limit: 20, concurrency: 1, ledger, sent, answers: () => 400 });
    assert.deepEqual(sent, [0, 1, 2, 3, 4].map((i) => `http://up.test/${i}`));
    assert.equal(r.deadLetters.length, 5);
    assert.equal(r.subrequests, 5 * 2 + 2 + 1 + 1); // fetch and dead letter each; claim and settle; sendBatch; counters
  });

  test("the closing reserve grows with the sendBatch calls a batch of large messages needs, up to leaving one call", async () => {
    // Messages of ~120 KB: two fit one sendBatch (256 KB), so 7 of them need 4 calls to queue again.
    const big = (c) => ({ v: 1, destination: "gainsight", orderKey: `u${c}`, calls: [{ ...call(c), body: JSON.stringify({ pad: "x".repeat(120_000) }) }] });
    const bodies = Array.from({ length: 7 }, (_, c) => big(c));
    assert.equal(batches(bodies.map((body) => ({ body, bytes: jsonBytes(body) }))).length, 4);
    {
      const { ledger } = fakeLedger();
      const sent = [];
      const r = await countedInvocation(bodies.slice(0, 7), { limit: 26, concurrency: 1, ledger, sent });
      // 26 − 6 = 20: 20, 17, 14, 11, 8, 5 → six calls; the seventh chain goes back to the queue.
      assert.equal(sent.length, 6);
      assert.equal(r.requeued.length, 1);
      assert.ok(r.subrequests <= 26);
    }
    // 10 (the floor): the reserve is capped at 10 − 5 − 1 = 4 so that one call still runs.
    {
      const { ledger } = fakeLedger();
      const sent = [];
      const r = await countedInvocation(bodies, { limit: 10, concurrency: 1, ledger, sent });
      assert.deepEqual(sent, ["http://up.test/0"]);
      assert.equal(r.requeued.length, 6);
    }
  });

  test("if the queue refuses the deferred chains, their messages are retried, not acked", async () => {
    const { ledger } = fakeLedger();
    const m = { ...message(chain(6)), timestamp: new Date() };
    const env = { ...SECRETS, DELIVERY_SUBREQUESTS: "10", DELIVERY_LEDGER_SHARDS: "1", DELIVERY_LEDGER: { idFromName: (n) => n, get: () => ledger }, DELIVERY_QUEUE: { sendBatch: async () => { throw new Error("Queue send failed"); } } };
    const f = scripted([]);
    const lines = [];
    await consumeBatch({ queue: "ajs-edge-delivery", messages: [m] }, env, (l) => lines.push(l), { fetchImpl: f.fetchImpl });
    assert.equal(f.seen.length, 3); // 10 − 3 set aside − claim and settle: three calls start (each needs 3, costs 1); the fourth finds 2
    assert.deepEqual([m.acked, m.retried], [undefined, { delaySeconds: 1 }]);
    assert.deepEqual(lines.filter((l) => l.error?.startsWith("deferred")), [{ at: "consume", error: "deferred chains not queued again: Queue send failed", messages: 1 }]);
  });

  test("a deferred rest keeps its replay flag and when the chain was first queued: the 404 window counts from then", async () => {
    const { ledger } = fakeLedger();
    const sent = [];
    const twoHoursAgo = new Date(Date.now() - 2 * 3_600_000);
    const replayed = { ...chain(4), replay: true, calls: [call(0), call(1), call(2), { ...call(3), flags: CALL_FLAGS.retryNotFound }] };
    // 10 subrequests: 3 set aside, 2 for the claim and settle; three calls start (each needs 3,
    // uses 1) and the fourth finds 2.
    const first = await countedInvocation([replayed], { limit: 10, ledger, sent, queuedAt: twoHoursAgo });
    assert.deepEqual(first.requeued, [{ v: 1, destination: "gainsight", orderKey: "u1", replay: true, firstQueuedAt: twoHoursAgo.getTime(), calls: [replayed.calls[3]] }]);
    // Consumed now, the rest's 404 is past the window (600 s since first queued): permanent at once.
    const second = await countedInvocation(first.requeued, { limit: 50, ledger, sent, answers: () => 404, queuedAt: new Date() });
    assert.deepEqual(second.retried, []);
    assert.deepEqual(second.deadLetters.map((d) => [d.reason, d.status]), [["not_found", 404]]);
  });
});

describe("durable delivery: consumer", () => {
  test("2xx for every call → ack; the secret is filled in at send time and never logged", async () => {
    const m = message(chain(2));
    const { lines, seen } = await consume([m]);
    assert.equal(m.acked, true);
    assert.deepEqual(seen, [{ url: "http://up.test/0", key: SECRETS.GAINSIGHT_ACCESS_KEY }, { url: "http://up.test/1", key: SECRETS.GAINSIGHT_ACCESS_KEY }]);
    const text = JSON.stringify(lines);
    for (const secret of SECRET_FORMS) assert.ok(!text.includes(secret));
    const d = lines.filter((l) => l.at === "delivery");
    assert.deepEqual(d.map((l) => [l.mode, l.destination, l.messageId, l.status, l.outcome, l.attempt, typeof l.latencyMs]), [
      ["queue", "gainsight", "m0", 200, "ok", 1, "number"],
      ["queue", "gainsight", "m1", 200, "ok", 1, "number"],
    ]);
    assert.deepEqual(Object.keys(d[0]).sort(), ["at", "attempt", "destination", "latencyMs", "messageId", "mode", "outcome", "status"]);
    assert.deepEqual(lines.filter((l) => l.at !== "delivery"), [
      { at: "delivery-summary", mode: "queue", queue: "ajs-edge-delivery", messages: 1, calls: { gainsight: { ok: 2 } } },
    ], "nothing else to say (no payload to delete) but the invocation's summary");
  });

  test("by default (no DELIVERY_LOG) a delivered call has no line of its own: the failures have one each, and the summary counts every outcome", async () => {
    const { namespace } = fakeLedger();
    const run = async (m, answers) => {
      const lines = [];
      await consumeBatch({ queue: "q", messages: [m] }, { ...SECRETS, DELIVERY_RETRY_BASE_S: "2", DELIVERY_RETRY_CAP_S: "1", DELIVERY_LEDGER: namespace }, (l) => lines.push(l), { fetchImpl: scripted(answers).fetchImpl });
      return lines;
    };
    const m = message(chain(3));
    const first = await run(m, [[200], [200], [503]]);
    assert.deepEqual(m.retried, { delaySeconds: 1 });
    assert.deepEqual(first.map((l) => [l.at, l.messageId, l.outcome, l.status]), [["delivery", "m2", "retry", 503], ["delivery-summary", undefined, undefined, undefined]]);
    assert.deepEqual(first[1], { at: "delivery-summary", mode: "queue", queue: "q", messages: 1, calls: { gainsight: { ok: 2, retry: 1 } } });
    // Its retry: m0 and m1 skipped (the first attempt delivered them), m2 delivered: no call line.
    const again = message(chain(3), 2);
    const second = await run(again, [[200]]);
    assert.equal(again.acked, true);
    assert.deepEqual(second, [{ at: "delivery-summary", mode: "queue", queue: "q", messages: 1, calls: { gainsight: { skipped: 2, ok: 1 } } }]);
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
    await consumeBatch({ queue: "q", messages: [again] }, { ...SECRETS, ...TRACE, DELIVERY_LEDGER: namespace }, (l) => lines.push(l), { fetchImpl: g.fetchImpl });
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

  test("dedup: a call another message delivered or failed for good is skipped; one another consumer holds → retry later", async () => {
    const { namespace, ledger } = fakeLedger();
    ledger.rows.set("gainsight|m0|0", { state: "delivered", owner: "other" });
    ledger.rows.set("gainsight|m1|0", { state: "failed", owner: "other" });
    ledger.rows.set("gainsight|m2|0", { state: "busy", owner: "other", token: "t" });
    const m = message(chain(3));
    const f = scripted([]);
    const lines = [];
    await consumeBatch({ queue: "q", messages: [m] }, { ...SECRETS, DELIVERY_LEDGER: namespace, DELIVERY_RETRY_BASE_S: "200" }, (l) => lines.push(l), { fetchImpl: f.fetchImpl });
    assert.deepEqual(f.seen, []);
    // Back when the holder's lease ends (the fake ledger answers a whole lease: 2 · 10 s + 5 s, and
    // 10 s for each of the batch's 3 calls), sooner than the backoff (100–200 s).
    assert.deepEqual([m.acked, m.retried], [undefined, { delaySeconds: 55 }]);
    assert.deepEqual(lines.filter((l) => l.at === "delivery").map((l) => [l.messageId, l.outcome, l.previously]), [["m0", "duplicate", "delivered"], ["m1", "duplicate", "failed"], ["m2", "busy", undefined]]);
    assert.deepEqual(lines.filter((l) => l.at === "dead-letter"), []);
  });

  test("a bundle: retried after the longest delay any chain asked for; an error in one chain retries the message, never acks it", async () => {
    const { namespace } = fakeLedger();
    const two = message({ v: 2, chains: [chain(1), { ...chain(1), orderKey: "u2", calls: [call(1)] }] }, 1, "two");
    const f = scripted([[429, { "retry-after": "30" }], [503]]);
    await consumeBatch({ queue: "q", messages: [two] }, { ...SECRETS, DELIVERY_LEDGER: namespace, DELIVERY_RETRY_BASE_S: "2", DELIVERY_RETRY_CAP_S: "1" }, () => {}, { fetchImpl: f.fetchImpl });
    assert.deepEqual([two.acked, two.retried], [undefined, { delaySeconds: 30 }]);
    // A stored chain whose read fails (the payload store down) beside one that is delivered.
    const store = { get: async () => { throw new Error("payloads down"); } };
    const mixed = message({ v: 2, chains: [chain(1), { v: 1, destination: "gainsight", orderKey: "u3", ref: "1:x", count: 1 }] }, 1, "mixed");
    const lines = [];
    const g = scripted([]);
    await consumeBatch({ queue: "q", messages: [mixed] }, { ...SECRETS, DELIVERY_PAYLOADS: { idFromName: (n) => n, get: () => store }, DELIVERY_RETRY_BASE_S: "2", DELIVERY_RETRY_CAP_S: "1" }, (l) => lines.push(l), { fetchImpl: g.fetchImpl });
    assert.deepEqual([mixed.acked, mixed.retried, g.seen.length], [undefined, { delaySeconds: 1 }, 1]);
    assert.deepEqual(lines.filter((l) => l.at === "consume"), [{ at: "consume", error: "payloads down", id: "mixed", attempt: 1 }]);
  });

  test("a retry of a message whose last attempt died holding its leases takes them over at once", async () => {
    const { namespace, ledger } = fakeLedger();
    ledger.rows.set("gainsight|m0|0", { state: "busy", owner: "died", token: "old" });
    const m = message(chain(1), 2, "died");
    const f = scripted([]);
    await consumeBatch({ queue: "q", messages: [m] }, { ...SECRETS, DELIVERY_LEDGER: namespace }, () => {}, { fetchImpl: f.fetchImpl });
    assert.deepEqual([m.acked, f.seen.length, ledger.rows.get("gainsight|m0|0").state], [true, 1, "delivered"]);
  });

  test("a bundle carrying the same call twice (a client's duplicate replayed with the original): sent once, never leaked", async () => {
    const { namespace, ledger } = fakeLedger();
    const twice = { v: 2, chains: [chain(2), chain(2)] };
    const m = message(twice, 1, "dup");
    const f = scripted([]);
    const run = () => consumeBatch({ queue: "q", messages: [m] }, { ...SECRETS, DELIVERY_LEDGER: namespace }, () => {}, { fetchImpl: f.fetchImpl });
    await run();
    // Each call went once; the chain that met the other's call waits a second (busy), no lease left behind.
    assert.deepEqual(f.seen.map((x) => x.url).sort(), ["http://up.test/0", "http://up.test/1"]);
    assert.deepEqual([m.acked, m.retried], [undefined, { delaySeconds: 1 }]);
    assert.deepEqual([...ledger.rows.values()].map((r) => r.state), ["delivered", "delivered"]);
    m.attempts = 2;
    m.retried = undefined;
    await run();
    assert.deepEqual([m.acked, f.seen.length], [true, 2]);
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

describe("durable delivery: consumer edge cases", () => {
  test("neither a chain nor a bundle → a \"malformed\" dead letter (ack, never retried, nothing sent)", async () => {
    const good = chain(1);
    const bodies = [
      null, "text", { ...good, v: 2 }, { ...good, destination: 7 }, { v: 1, destination: "gist", orderKey: "u1" }, { ...good, calls: "no" },
      { v: 2, chains: [] }, { v: 2, chains: [good, { ...good, v: 3 }] }, { v: 1, chains: [good] }, { v: 2, chains: good },
    ];
    for (const body of bodies) {
      const m = message(body, 2);
      const { lines, seen } = await consume([m]);
      assert.deepEqual([m.acked, m.retried, seen], [true, undefined, []], JSON.stringify(body));
      assert.deepEqual(lines.map((l) => [l.at, l.reason ?? l.error]), [["consume", "not a delivery message (v1 chain or v2 bundle)"], ["dead-letter", "malformed"]]);
      const dead = lines[1];
      assert.deepEqual([dead.destination, dead.orderKey, dead.attempts, dead.message], [body?.destination === undefined ? "unknown" : String(body.destination), "", 2, body ?? null]);
    }
    const ref = message({ v: 1, destination: "gist", orderKey: "u1", ref: "1:x", count: 2 });
    const { lines } = await consume([ref], { env: { DELIVERY_PAYLOADS: { idFromName: (n) => n, get: () => ({ get: async () => null }) } } });
    assert.deepEqual(lines.map((l) => [l.at, l.reason, l.calls]), [["dead-letter", "payload_missing", 2]], "a ref is a chain too");
  });

  test("a body queued as bytes (the core's messages) is read as its JSON: delivered, acked and retried through the original message", async () => {
    const bytes = (value) => new TextEncoder().encode(typeof value === "string" ? value : JSON.stringify(value));
    const m = message(bytes(chain(2)).buffer);
    const { lines, seen } = await consume([m]);
    assert.deepEqual([m.acked, m.retried, seen.map((s) => s.url)], [true, undefined, ["http://up.test/0", "http://up.test/1"]]);
    assert.deepEqual(lines.filter((l) => l.at === "delivery").map((l) => l.outcome), ["ok", "ok"]);
    const retried = message(new Uint8Array(bytes({ v: 2, chains: [chain(1)] })), 1, "msg-2");
    await consume([retried], { answers: [[503]] });
    assert.deepEqual([retried.acked, typeof retried.retried?.delaySeconds], [undefined, "number"]);
    // The compact form: the chain's method and headers go with every call that names none.
    const { method, headers, ...first } = call(0);
    const compact = { v: 1, destination: "gainsight", orderKey: "u1", method, headers, calls: [first, { ...call(1), method: "PUT", headers: [] }] };
    const c = message(bytes(compact).buffer, 1, "msg-3");
    const sent = await consume([c]);
    assert.deepEqual(sent.seen, [{ url: "http://up.test/0", key: SECRETS.GAINSIGHT_ACCESS_KEY }, { url: "http://up.test/1", key: null }]);
    assert.deepEqual(expandChain({ v: 1, destination: "d", orderKey: "", ref: "1:x", count: 2, method: "POST" }), { v: 1, destination: "d", orderKey: "", ref: "1:x", count: 2, method: "POST" }, "a stored chain's reference is left as it is");
    assert.deepEqual(expandChain(compact).calls.map((x) => [x.method, x.headers.length]), [["POST", 2], ["PUT", 0]]);
    // Not JSON: the dead letter holds the text; not UTF-8: null.
    for (const [raw, held] of [[bytes("{not json"), "{not json"], [new Uint8Array([0x7b, 0xff, 0x7d]), null]]) {
      const bad = message(raw, 2);
      const { lines: dead } = await consume([bad]);
      assert.deepEqual([bad.acked, dead.map((l) => [l.at, l.reason ?? l.error]), dead[1].message], [true, [["consume", "not a delivery message (v1 chain or v2 bundle)"], ["dead-letter", "malformed"]], held]);
    }
  });

  test("expandChain: every compact form the core has written reads as the plain form, keys rebuilt from scopes and ordinals", () => {
    const h = [{ name: "accessKey", secret: "GAINSIGHT_ACCESS_KEY", format: "raw" }];
    const plain = (url, messageId, key, extra = {}) => ({ method: "POST", headers: h, url, body: "{}", messageId, key, ...extra });
    const want = { v: 1, destination: "gist", orderKey: "u1", calls: [
      plain("http://g.test/contacts", "m1", "gist:s:a|m1|0"),
      plain("http://g.test/events", "m1", "gist:s:a|m1|1", { flags: 1 }),
      plain("http://g.test/contacts", "m2", "other:s:b|m2|0"),
      plain("http://g.test/contacts", "", ""),
    ] };
    // Since session 20: the chain names the first call's url and scope; calls their ordinals.
    const now = { v: 1, destination: "gist", orderKey: "u1", method: "POST", headers: h, url: "http://g.test/contacts", scope: "gist:s:a", calls: [
      { body: "{}", messageId: "m1", ordinal: 0 },
      { url: "http://g.test/events", body: "{}", messageId: "m1", ordinal: 1, flags: 1 },
      { scope: "other:s:b", body: "{}", messageId: "m2", ordinal: 0 },
      { body: "{}", messageId: "" },
    ] };
    assert.deepEqual(expandChain(now), want);
    // Sessions 8-19: the chain names method and headers; each call its url and key (messages
    // queued by the Worker before an upgrade are consumed by the new one).
    const before = { v: 1, destination: "gist", orderKey: "u1", method: "POST", headers: h, calls: want.calls.map(({ method, headers, ...call }) => call) };
    assert.deepEqual(expandChain(before), want);
    // The plain form (dead letters, replays) as it is.
    assert.deepEqual(expandChain(want), want);
    // A call naming its own key keeps it; key order as the plain form writes it.
    const own = expandChain({ ...now, calls: [{ body: "{}", messageId: "m1", key: "k", flags: 2 }] });
    assert.deepEqual(own.calls, [plain("http://g.test/contacts", "m1", "k", { flags: 2 })]);
    assert.deepEqual(Object.keys(own.calls[0]), ["method", "headers", "url", "body", "messageId", "key", "flags"]);
  });

  test("Retry-After is rounded up to whole seconds; 0 is kept; a 404's budget delay wins", () => {
    const cfg = deliveryConfig({});
    assert.equal(retryDelaySeconds({ retryAfter: 1.2 }, 1, cfg), 2);
    assert.equal(retryDelaySeconds({ retryAfter: 0 }, 1, cfg), 0);
    assert.equal(retryDelaySeconds({ retryAfter: 5000 }, 1, cfg), 3600);
    assert.equal(retryDelaySeconds({ notFoundDelayS: 0, retryAfter: 9 }, 1, cfg), 0);
    assert.equal(retryDelaySeconds(undefined, 2, cfg, () => 1), 10);
    assert.equal(retryDelaySeconds({}, 2, deliveryConfig({ DELIVERY_RETRY_CAP_S: "7" }), () => 1), 7);
    assert.equal(retryDelaySeconds({}, 1, deliveryConfig({ DELIVERY_RETRY_BASE_S: "3" }), () => 0.5), 2); // 1.5 → 2
  });

  test("the dead-letter queue: every message kept with the calls it still holds; one that cannot be stored comes back in 60 s", async () => {
    const ms = [message(chain(3), 4, "a"), message({ ...chain(3), from: 1 }, 5, "b"), message({ v: 1, destination: "gist", orderKey: "u2", ref: "2:r", count: 5, from: 2 }, 6, "c"), { ...message(null, 1, "d"), attempts: undefined }];
    const { lines } = await consume(ms, { queue: "ajs-edge-delivery-dlq" });
    assert.deepEqual(ms.map((m) => [m.acked, m.retried]), [[true, undefined], [true, undefined], [true, undefined], [true, undefined]]);
    assert.deepEqual(lines.map((l) => [l.reason, l.destination, l.orderKey, l.calls, l.attempts]), [
      ["dead_letter_queue", "gainsight", "u1", 3, 4], ["dead_letter_queue", "gainsight", "u1", 3, 5], ["dead_letter_queue", "gist", "u2", 3, 6], ["dead_letter_queue", "unknown", "", 0, 0],
    ]);
    const failing = { idFromName: (n) => n, get: () => ({ addDeadLetters: async () => { throw new Error("ops down"); } }) };
    const m = message(chain(1), 3, "e");
    const r = await consume([m], { queue: "my-dlq", env: { DELIVERY_DEAD_LETTER_QUEUE: "my-dlq", DELIVERY_OPS: failing } });
    assert.deepEqual([m.acked, m.retried], [undefined, { delaySeconds: 60 }]);
    assert.deepEqual(r.lines, [{ at: "consume", error: "dead letter not stored: ops down", id: "e" }]);
  });

  test("a failure of our own (the ledger unreachable) → the whole message again after the backoff; counters that cannot be saved are logged", async () => {
    const broken = { idFromName: (n) => n, get: () => ({ claimAll: async () => { throw new Error("ledger down"); } }) };
    const m = message(chain(2), 2, "x");
    const lines = [];
    const opsDown = { idFromName: (n) => n, get: () => ({ addCounters: async () => { throw new Error("ops down"); } }) };
    const realRandom = Math.random;
    Math.random = () => 1;
    try {
      await consumeBatch({ queue: "q", messages: [m] }, { ...SECRETS, DELIVERY_LEDGER: broken, DELIVERY_RETRY_BASE_S: "2" }, (l) => lines.push(l), { fetchImpl: scripted([]).fetchImpl });
    } finally {
      Math.random = realRandom;
    }
    assert.deepEqual([m.acked, m.retried], [undefined, { delaySeconds: 4 }]); // the backoff of attempt 2: 2 · 2 · 1
    assert.deepEqual(lines, [{ at: "consume", error: "ledger down", id: "x", attempt: 2 }]);
    const n = message(chain(1), 1, "y");
    const more = [];
    const { namespace } = fakeLedger();
    await consumeBatch({ queue: "q", messages: [n] }, { ...SECRETS, DELIVERY_LEDGER: namespace, DELIVERY_OPS: opsDown }, (l) => more.push(l), { fetchImpl: scripted([[200]]).fetchImpl });
    assert.equal(n.acked, true);
    assert.deepEqual(more.filter((l) => l.at === "consume"), [{ at: "consume", error: "counters not saved: ops down" }]);
  });

  test("without a ledger: a retry or a success touches no ledger; the logged error is cut at 200 characters", async () => {
    const m = message(chain(2));
    const lines = [];
    const f = scripted([[200], [503]]);
    await consumeBatch({ queue: "q", messages: [m] }, { ...SECRETS, ...TRACE, DELIVERY_RETRY_BASE_S: "2", DELIVERY_RETRY_CAP_S: "1" }, (l) => lines.push(l), { fetchImpl: f.fetchImpl });
    assert.deepEqual([m.acked, m.retried], [undefined, { delaySeconds: 1 }]);
    assert.deepEqual(lines.map((l) => [l.at, l.outcome]), [["delivery", "ok"], ["delivery", "retry"], ["delivery-summary", undefined]]);
    const long = message(chain(1));
    const g = { fetchImpl: async () => new Response(JSON.stringify({ message: "z".repeat(450) }), { status: 400 }) };
    const out = [];
    await consumeBatch({ queue: "q", messages: [long] }, { ...SECRETS }, (l) => out.push(l), g);
    const [delivery] = out.filter((l) => l.at === "delivery");
    assert.deepEqual([delivery.outcome, delivery.error], ["permanent", "z".repeat(200)]);
  });

  test("a message with `from` starts there; a stored chain that cannot be deleted afterwards is logged, the message still acked", async () => {
    const m = message(chain(3, { from: 2 }));
    const { seen } = await consume([m]);
    assert.deepEqual([m.acked, seen.map((x) => x.url)], [true, ["http://up.test/2"]]);
    const store = { get: async () => JSON.stringify({ calls: chain(2).calls }), delete: async () => { throw new Error("payloads down"); } };
    const r = message({ v: 1, destination: "gainsight", orderKey: "u1", ref: "1:x", count: 2 });
    const { lines } = await consume([r], { env: { DELIVERY_PAYLOADS: { idFromName: (n) => n, get: () => store } } });
    assert.equal(r.acked, true);
    assert.deepEqual(lines.filter((l) => l.at === "consume"), [{ at: "consume", error: "payload not deleted: payloads down" }]);
  });

  test("failures that throw something other than an Error are logged as what was thrown", async () => {
    const nothing = async () => { throw null; };
    const ns = (stub) => ({ idFromName: (n) => n, get: () => stub });
    const a = message({ v: 1, destination: "gainsight", orderKey: "u1", ref: "1:x", count: 1 }, 1, "a");
    const r1 = await consume([a], { env: { DELIVERY_PAYLOADS: ns({ get: async () => JSON.stringify({ calls: chain(1).calls }), delete: nothing }) } });
    assert.deepEqual(r1.lines.filter((l) => l.at === "consume"), [{ at: "consume", error: "payload not deleted: null" }]);
    const b = message(chain(1), 2, "b");
    const r2 = await consume([b], { queue: "ajs-edge-delivery-dlq", env: { DELIVERY_OPS: ns({ addDeadLetters: nothing }) } });
    assert.deepEqual(r2.lines, [{ at: "consume", error: "dead letter not stored: null", id: "b" }]);
    const c = message(chain(1), 2, "c");
    const lines = [];
    await consumeBatch({ queue: "q", messages: [c] }, { ...SECRETS, DELIVERY_LEDGER: ns({ claimAll: nothing }) }, (l) => lines.push(l), { fetchImpl: scripted([]).fetchImpl });
    const d = message(chain(1), 1, "d");
    await consumeBatch({ queue: "q", messages: [d] }, { ...SECRETS, DELIVERY_OPS: ns({ addCounters: nothing }) }, (l) => lines.push(l), { fetchImpl: scripted([[200]]).fetchImpl });
    assert.deepEqual(lines.filter((l) => l.at === "consume").map((l) => l.error), ["null", "counters not saved: null"]);
  });

  test("runChain on its own: what the ledger answered decides; what became of each call it sent is settled", async () => {
    const calls = chain(4).calls;
    const claims = new Map([
      [calls[0].key, { state: "failed", owner: "" }],
      [calls[1].key, { state: "claimed", token: "t1" }],
      [calls[2].key, { state: "claimed", token: "t2" }],
      [calls[3].key, { state: "claimed", token: "t3" }],
    ]);
    const settle = [];
    const lines = [];
    const r = await runChain({ destination: "gainsight", calls, attempt: 1, claims, settle, permanent: () => assert.fail() }, { env: SECRETS, cfg: deliveryConfig({}), counters: { add() {} }, log: (l) => lines.push(l), fetchImpl: scripted([[200], [503]]).fetchImpl });
    assert.deepEqual([r.kind, r.index], ["retry", 2]);
    assert.deepEqual(lines.map((l) => l.outcome), ["duplicate", "ok", "retry"]);
    assert.deepEqual(settle, [{ key: calls[1].key, outcome: "delivered" }]); // the message releases the rest
    // No claims (no ledger): sent, nothing to settle.
    const none = [];
    assert.deepEqual(await runChain({ destination: "gainsight", calls: chain(1).calls, attempt: 1, settle: none, permanent: () => assert.fail() }, { env: SECRETS, cfg: deliveryConfig({}), counters: { add() {} }, log() {}, fetchImpl: scripted([[200]]).fetchImpl }), { kind: "done" });
    assert.deepEqual(none, []);
  });

  test("a message's age: from its first enqueue (Message.timestamp), 0 when unknown or in the future", () => {
    const now = 1_700_000_100_000;
    assert.equal(messageAgeS({ timestamp: new Date(now - 42_500) }, now), 42.5);
    assert.equal(messageAgeS({ timestamp: now - 1000 }, now), 1);
    assert.equal(messageAgeS({ timestamp: new Date(now + 5000) }, now), 0);
    assert.deepEqual([messageAgeS({}, now), messageAgeS(undefined, now), messageAgeS({ timestamp: "soon" }, now), messageAgeS({ timestamp: 0 }, now)], [0, 0, 0, 0]);
  });
});

describe("outcome of an answer (outcome.mjs)", () => {
  test("2xx ok; 408, 429 and 5xx retried; every other status permanent; 404 retried only for a retryNotFound call", () => {
    const statuses = [100, 199, 200, 201, 204, 299, 300, 301, 304, 399, 400, 401, 403, 404, 405, 407, 408, 409, 410, 422, 428, 429, 430, 499, 500, 502, 503, 504, 599];
    const table = (flags) => Object.fromEntries(statuses.map((s) => [s, classifyStatus(s, flags)]));
    const expected = {
      100: "permanent", 199: "permanent", 200: "ok", 201: "ok", 204: "ok", 299: "ok", 300: "permanent", 301: "permanent", 304: "permanent", 399: "permanent",
      400: "permanent", 401: "permanent", 403: "permanent", 404: "permanent", 405: "permanent", 407: "permanent", 408: "retry", 409: "permanent",
      410: "permanent", 422: "permanent", 428: "permanent", 429: "retry", 430: "permanent", 499: "permanent",
      500: "retry", 502: "retry", 503: "retry", 504: "retry", 599: "retry",
    };
    assert.deepEqual(table(0), expected);
    assert.deepEqual(table(undefined), expected);
    assert.deepEqual(table(CALL_FLAGS.retryNotFound), { ...expected, 404: "retry" });
    assert.deepEqual(table(~CALL_FLAGS.retryNotFound & 0xff), expected, "other flags change nothing");
    assert.deepEqual([299, 300, 302, 308, 399, 400, 200].map(isRedirect), [false, true, true, true, true, false, false]);
  });

  test("a refused redirect's error: the status if any, the Location's origin, cut at 200 characters", () => {
    const tail = "refused: credentials are never sent to a redirect target";
    assert.equal(redirectError(302, "https://evil.example/x?y", "https://gist.example/a"), `redirect (302) to https://evil.example ${tail}`);
    assert.equal(redirectError(0, null, "https://gist.example/a"), `redirect ${tail}`);
    assert.equal(redirectError(301, "mailto:someone@example.com", "https://gist.example/a"), `redirect (301) to a non-http location ${tail}`);
    assert.equal(redirectError(301, "http://[::1", "https://gist.example/a"), `redirect (301) to an unreadable location ${tail}`);
    const host = (n) => `https://${"h".repeat(n - 8)}`; // an origin of n characters
    assert.equal(redirectError(307, `${host(200)}/p`, "https://g.example/"), `redirect (307) to ${host(200)} ${tail}`);
    assert.equal(redirectError(307, `${host(201)}/p`, "https://g.example/"), `redirect (307) to ${host(200)}… ${tail}`);
  });

  test("the 404 budget's reasons, and a clock that says the message is from the future", () => {
    const cfg = deliveryConfig({ DELIVERY_NOT_FOUND_ATTEMPTS: "1" });
    assert.deepEqual(notFoundRetry({ attempt: 1, ageS: 0 }, cfg), { retry: false, why: "404 after 1 attempt (DELIVERY_NOT_FOUND_ATTEMPTS 1)" });
    const small = deliveryConfig({ DELIVERY_NOT_FOUND_WINDOW_S: "20" });
    assert.deepEqual(notFoundRetry({ attempt: 1, ageS: -50 }, small), { retry: true, delaySeconds: 20 });
    assert.deepEqual(notFoundRetry({ attempt: 1 }, small), { retry: true, delaySeconds: 20 });
    assert.deepEqual(notFoundRetry({ attempt: 1, ageS: 20.4 }, small), { retry: false, why: "404 still after 20 s (DELIVERY_NOT_FOUND_WINDOW_S 20)" });
  });

  test("Retry-After: seconds, or an HTTP date counted from now; negative → 0; absent or unreadable → undefined", () => {
    const now = Date.parse("2025-06-01T12:00:00Z");
    assert.equal(retryAfterSeconds("7", now), 7);
    assert.equal(retryAfterSeconds("0", now), 0);
    assert.equal(retryAfterSeconds("1.5", now), 1.5);
    assert.equal(retryAfterSeconds("-3", now), 0);
    assert.equal(retryAfterSeconds("Sun, 01 Jun 2025 12:00:30 GMT", now), 30);
    assert.equal(retryAfterSeconds("Sun, 01 Jun 2025 11:59:00 GMT", now), 0);
    for (const none of [null, undefined, "", "soon"]) assert.equal(retryAfterSeconds(none, now), undefined, String(none));
  });

  test("backoff: base · 2^(attempt−1) capped, times the jitter, never under base/2", () => {
    const b = (attempt, random, o = {}) => backoffSeconds(attempt, { base: 4, cap: 100, random: () => random, ...o });
    assert.deepEqual([b(1, 1), b(2, 1), b(3, 1), b(4, 0.5), b(6, 1), b(30, 1)], [4, 8, 16, 16, 100, 100]);
    assert.deepEqual([b(0, 1), b(-2, 1)], [4, 4], "attempt 0 or less counts as the first");
    assert.deepEqual([b(1, 0), b(5, 0), b(5, 0.01)], [2, 2, 2]);
    assert.equal(backoffSeconds(3, { random: () => 1 }), 4, "defaults: base 1, cap 300");
    assert.equal(backoffSeconds(20, { random: () => 1 }), 300);
  });

  test("the consumer: a 408 is retried (backoff), not dead-lettered; the call is sent again on the next attempt", async () => {
    const m = message(chain(2));
    const { namespace, ledger } = fakeLedger();
    const lines = [];
    await consumeBatch({ queue: "q", messages: [m] }, { ...SECRETS, DELIVERY_LEDGER: namespace, DELIVERY_RETRY_BASE_S: "2", DELIVERY_RETRY_CAP_S: "1" }, (l) => lines.push(l), { fetchImpl: scripted([[408]]).fetchImpl });
    assert.deepEqual([m.acked, m.retried], [undefined, { delaySeconds: 1 }]);
    assert.deepEqual(lines.filter((l) => l.at === "delivery").map((l) => [l.status, l.outcome]), [[408, "retry"]]);
    assert.deepEqual(lines.filter((l) => l.at === "dead-letter"), []);
    assert.equal(ledger.rows.size, 0, "the lease is released");
  });
});

describe("ledger shards (ledger.mjs)", () => {
  test("fnv1a is 32-bit FNV-1a (its published test vectors)", () => {
    assert.deepEqual(["", "a", "foobar"].map(fnv1a), [0x811c9dc5, 0xe40c292c, 0xbf9cf968]);
  });

  test("a key's shard is fnv1a(source | messageId): every destination of one event shares it", () => {
    const at = (text, n = 16) => fnv1a(text) % n;
    // "scope|messageId|ordinal", scope "destination:source:account"; a messageId may hold "|".
    assert.equal(shardIndex("gist:s1:a1|order-7|0", 16), at("s1|order-7"));
    assert.equal(shardIndex("gainsight:s1:a2|order-7|3", 16), at("s1|order-7"));
    assert.equal(shardIndex("gist:s1:a1|a|b|0", 1000), at("s1|a|b", 1000));
    assert.equal(shardIndex("gist:s2:a1|order-7|0", 1000), at("s2|order-7", 1000), "the source is in it");
    // Keys from before scopes ("destination|messageId|ordinal"): no source.
    assert.equal(shardIndex("gist|m1|0", 1000), at("|m1", 1000));
    // Not the shape at all: one "|", or none (the whole key is the messageId).
    assert.equal(shardIndex("gist|m1", 1000), at("|m1", 1000));
    assert.equal(shardIndex("m1", 1000), at("|m1", 1000));
    assert.equal(shardIndex("a:bc", 1000), at("|a:bc", 1000), "no scope: a colon in the messageId names no source");
    assert.equal(shardIndex("|m1|0", 1000), at("|m1", 1000));
  });

  test("the client: one stub per shard name, a message's keys grouped into one round trip per shard, a key named twice claimed once", async () => {
    const gets = [];
    const calls = [];
    const ns = {
      idFromName: (name) => `id:${name}`,
      get: (id) => {
        gets.push(id);
        return {
          claimAll: async (items, leaseMs, owner) => (calls.push(["claimAll", id, items.map((i) => i.key), leaseMs, owner]), items.map((i) => ({ state: "claimed", token: `t-${i.key}` }))),
          settleAll: async (entries, keepMs, owner) => calls.push(["settleAll", id, entries.map((e) => e.key), keepMs, owner]),
        };
      },
    };
    const ledgerClient = ledgerFor({ DELIVERY_LEDGER: ns }, deliveryConfig({ DELIVERY_LEDGER_SHARDS: "1000", DELIVERY_DEDUP_HOURS: "2" }));
    const k = (d, m) => `${d}:src:acct|${m}|0`;
    const keys = [k("gist", "e1"), k("gainsight", "e1"), k("gist", "e2")];
    assert.equal(ledgerClient.trips(keys), 2);
    assert.equal(ledgerClient.shardOf(keys[0]), shardIndex(keys[0], 1000));
    const answers = await ledgerClient.claimAll([...keys, keys[0]].map((key) => ({ key, replay: false })), 30_000, "msg-9");
    assert.deepEqual([...answers.keys()].sort(), [...keys].sort());
    assert.deepEqual(answers.get(keys[1]), { state: "claimed", token: `t-${keys[1]}` });
    const name = (key) => `id:events/${shardIndex(key, 1000)}`;
    assert.deepEqual(calls.map(([m, id, ks]) => [m, id, ks]).sort(), [
      ["claimAll", name(keys[0]), [keys[0], keys[1]]],
      ["claimAll", name(keys[2]), [keys[2]]],
    ].sort());
    assert.ok(calls.every(([, , , leaseMs, owner]) => leaseMs === 30_000 && owner === "msg-9"));
    await ledgerClient.settleAll([{ key: keys[2], outcome: "delivered" }], "msg-9");
    assert.deepEqual(calls.at(-1), ["settleAll", name(keys[2]), [keys[2]], 2 * 3_600_000, "msg-9"]);
    assert.equal(gets.length, 2, "a stub per shard, kept");
    assert.equal(ledgerFor({}, deliveryConfig({})), null);
  });
});

// ---- the wire form, sending one call, configuration, the payload client ----

const utf8 = (text) => new TextEncoder().encode(text);
const planned = (over = {}) => ({
  destination: "gist", orderKey: "u1", method: "POST", url: "http://x.test/a", messageId: "m1", scope: "gist:s:a", ordinal: 0, flags: 0, body: utf8('{"a":"é"}'),
  headers: [
    { name: "content-type", value: "application/json", secret: "", format: "none" },
    { name: "authorization", value: "", secret: "GIST_API_KEY", format: "bearer" },
    { name: "x-literal", value: "v", secret: "IGNORED", format: "none" },
  ],
  ...over,
});

describe("the queue message's wire form (chain.mjs)", () => {
  test("plan requests → one chain per destination and order key, in order; secrets named, bodies as text or base64", () => {
    const chains = buildChains([
      planned(),
      planned({ messageId: "m2", ordinal: 1, flags: 1, body: new Uint8Array([0xff, 0x00, 0x41]) }),
      planned({ orderKey: "u2", messageId: "", method: "PUT" }),
      planned({ destination: "gainsightPx", messageId: "m3" }),
      planned({ messageId: "m4", body: new Uint8Array() }),
    ]);
    const literal = [{ name: "content-type", value: "application/json" }, { name: "authorization", secret: "GIST_API_KEY", format: "bearer" }, { name: "x-literal", value: "v" }];
    const wire = (over) => ({ method: "POST", url: "http://x.test/a", headers: literal, body: '{"a":"é"}', messageId: "m1", key: "gist:s:a|m1|0", ...over });
    assert.equal(WIRE_VERSION, 1);
    assert.deepEqual(chains, [
      { v: 1, destination: "gist", orderKey: "u1", calls: [wire(), { ...wire({ messageId: "m2", key: "gist:s:a|m2|1", flags: 1 }), body: undefined, bodyBase64: "/wBB" }, wire({ messageId: "m4", key: "gist:s:a|m4|0", body: "" })].map((c) => JSON.parse(JSON.stringify(c))) },
      { v: 1, destination: "gist", orderKey: "u2", calls: [wire({ method: "PUT", messageId: "", key: "" })] },
      { v: 1, destination: "gainsightPx", orderKey: "u1", calls: [wire({ messageId: "m3", key: "gist:s:a|m3|0" })] },
    ]);
    assert.equal("bodyBase64" in chains[0].calls[0], false);
    assert.equal("flags" in chains[0].calls[0], false);
  });

  test("a wire call → what send.mjs sends: the same bytes, secrets still named, flags 0 when absent", () => {
    const [chain] = buildChains([planned(), planned({ messageId: "m2", flags: 1, body: new Uint8Array([0xff, 0x00, 0x41]) })]);
    assert.deepEqual(sendable(chain.calls[0], "gist"), {
      destination: "gist", method: "POST", url: "http://x.test/a", messageId: "m1", flags: 0, body: utf8('{"a":"é"}'),
      headers: [
        { name: "content-type", value: "application/json", secret: "", format: "none" },
        { name: "authorization", value: "", secret: "GIST_API_KEY", format: "bearer" },
        { name: "x-literal", value: "v", secret: "", format: "none" },
      ],
    });
    const binary = sendable(chain.calls[1], "gist");
    assert.deepEqual([binary.body, binary.flags], [new Uint8Array([0xff, 0x00, 0x41]), 1]);
    assert.deepEqual(sendable({ method: "GET", url: "http://x.test", headers: [] }, "gist").body, new Uint8Array());
  });
});

describe("sending one call (send.mjs)", () => {
  const wireCall = { method: "PUT", url: "http://x.test/contacts", body: '{"x":1}', messageId: "m9", key: "", headers: [{ name: "content-type", value: "application/json" }, { name: "authorization", secret: "GIST_API_KEY", format: "bearer" }] };
  const answer = (status, body = "", headers = {}) => async () => new Response(body, { status, headers });

  test("the request: method, body, secrets filled in, redirects not followed, the timeout (10 s unless told)", async () => {
    const seen = [];
    const timeouts = [];
    const realTimeout = AbortSignal.timeout;
    AbortSignal.timeout = (ms) => {
      timeouts.push(ms);
      return realTimeout.call(AbortSignal, ms);
    };
    try {
      const fetchImpl = async (url, init) => {
        seen.push([url, init.method, Object.fromEntries(init.headers), new TextDecoder().decode(init.body), init.redirect, init.signal instanceof AbortSignal]);
        return new Response(null, { status: 204 });
      };
      const r = await sendCall(sendable(wireCall, "gist"), { GIST_API_KEY: "k1" }, { fetchImpl });
      await sendCall(sendable(wireCall, "gist"), { GIST_API_KEY: "k1" }, { fetchImpl, timeoutMs: 1234 });
      assert.deepEqual(seen[0], ["http://x.test/contacts", "PUT", { authorization: "Bearer k1", "content-type": "application/json" }, '{"x":1}', "manual", true]);
      assert.deepEqual(timeouts, [10_000, 1234]);
      assert.deepEqual(Object.keys(r).sort(), ["error", "latencyMs", "outcome", "retryAfter", "status"]);
      assert.deepEqual([r.outcome, r.status, r.error, r.retryAfter, typeof r.latencyMs], ["ok", 204, undefined, undefined, "number"]);
    } finally {
      AbortSignal.timeout = realTimeout;
    }
  });

  test("the error text: Gist's errors[0].message, a message, an error, else the body's start (500 characters)", async () => {
    const error = async (body, status = 422) => (await sendCall(sendable(wireCall, "gist"), {}, { fetchImpl: answer(status, body) })).error;
    assert.equal(await error('{"errors":[{"message":"email is invalid"}],"message":"m"}'), "email is invalid");
    assert.equal(await error('{"message":"bad tag","error":"e"}'), "bad tag");
    assert.equal(await error('{"error":"nope"}'), "nope");
    assert.equal(await error('{"message":""}'), '{"message":""}');
    assert.equal(await error('{"message":42}'), '{"message":42}');
    assert.equal(await error("null"), "null");
    assert.equal(await error("<html>" + "x".repeat(600)), ("<html>" + "x".repeat(600)).slice(0, 500));
    assert.equal(await error(JSON.stringify({ message: "y".repeat(600) })), "y".repeat(500));
    assert.equal(await error(""), "");
    const r = await sendCall(sendable(wireCall, "gist"), {}, { fetchImpl: answer(503, "busy", { "retry-after": "12" }) });
    assert.deepEqual([r.outcome, r.status, r.error, r.retryAfter], ["retry", 503, "busy", 12]);
  });

  test("latency measured on every path; a redirect is refused with its Location's origin; a body that cannot be read is \"\"", async () => {
    const realNow = Date.now;
    let t = 1_000_000;
    Date.now = () => (t += 7); // each reading 7 ms after the previous
    let ok, redirect, lost;
    try {
      ok = await sendCall(sendable(wireCall, "gist"), {}, { fetchImpl: answer(200, "{}") });
      redirect = await sendCall(sendable(wireCall, "gist"), {}, { fetchImpl: async () => new Response("moved", { status: 302, headers: { location: "https://evil.example/x" } }) });
      lost = await sendCall(sendable(wireCall, "gist"), {}, { fetchImpl: async () => { throw new TypeError("gone"); } });
    } finally {
      Date.now = realNow;
    }
    assert.deepEqual([ok.latencyMs, redirect.latencyMs, lost.latencyMs], [14, 7, 7]); // (reading Retry-After reads the clock too)
    assert.deepEqual(redirect, { outcome: "permanent", reason: "redirect", status: 302, error: redirectError(302, "https://evil.example/x", wireCall.url), latencyMs: 7 });
    const broken = new ReadableStream({ start(c) { c.error(new Error("reset")); } });
    const unread = await sendCall(sendable(wireCall, "gist"), {}, { fetchImpl: async () => new Response(broken, { status: 500 }) });
    assert.deepEqual([unread.outcome, unread.status, unread.error], ["retry", 500, ""]);
  });

  test("odd answers: a redirect without a body, an empty errors list, something thrown that is not an Error", async () => {
    const bare = await sendCall(sendable(wireCall, "gist"), {}, { fetchImpl: async () => new Response(null, { status: 307 }) });
    assert.deepEqual([bare.outcome, bare.reason, bare.status], ["permanent", "redirect", 307]);
    // What a browser's fetch answers a manual redirect with: status 0, type "opaqueredirect".
    const opaque = await sendCall(sendable(wireCall, "gist"), {}, { fetchImpl: async () => ({ status: 0, type: "opaqueredirect", ok: false, headers: new Headers(), body: null }) });
    assert.deepEqual([opaque.outcome, opaque.reason, opaque.status, opaque.error], ["permanent", "redirect", 0, "redirect refused: credentials are never sent to a redirect target"]);
    const empty = await sendCall(sendable(wireCall, "gist"), {}, { fetchImpl: answer(400, '{"errors":[],"message":"m"}') });
    assert.equal(empty.error, "m");
    for (const thrown of [null, undefined]) {
      const r = await sendCall(sendable(wireCall, "gist"), {}, { fetchImpl: async () => { throw thrown; } });
      assert.deepEqual([r.outcome, r.status, r.error], ["retry", 0, `network: ${thrown}`]);
    }
  });

  test("a lost connection → retry, \"network: …\"; a timeout → retry, \"timeout\"", async () => {
    const lost = await sendCall(sendable(wireCall, "gist"), {}, { fetchImpl: async () => { throw new TypeError("Network connection lost."); } });
    assert.deepEqual([lost.outcome, lost.status, lost.error, typeof lost.latencyMs], ["retry", 0, "network: Network connection lost.", "number"]);
    const odd = await sendCall(sendable(wireCall, "gist"), {}, { fetchImpl: async () => { throw "plain"; } });
    assert.equal(odd.error, "network: plain");
    for (const name of ["TimeoutError", "AbortError"]) {
      const e = new Error("x");
      e.name = name;
      const t = await sendCall(sendable(wireCall, "gist"), {}, { fetchImpl: async () => { throw e; } });
      assert.deepEqual([t.outcome, t.status, t.error], ["retry", 0, "timeout"], name);
    }
  });

  test("capture:log is printed (secrets by name), never sent", async () => {
    const printed = [];
    const realLog = console.log;
    console.log = (line) => printed.push(line);
    let r;
    try {
      r = await sendCall(sendable({ ...wireCall, url: "capture:log" }, "capture"), { GIST_API_KEY: "k1" }, { fetchImpl: async () => assert.fail("sent") });
    } finally {
      console.log = realLog;
    }
    assert.deepEqual(r, { outcome: "ok", status: 200, latencyMs: 0 });
    assert.deepEqual(printed.map((l) => JSON.parse(l)), [{
      capture: { destination: "capture", method: "PUT", url: "capture:log", messageId: "m9" },
      headers: { "content-type": "application/json", authorization: "<secret GIST_API_KEY>" },
      body: { x: 1 },
    }]);
  });
});

describe("delivery configuration (delivery_config.mjs)", () => {
  const DEFAULT = {
    timeoutMs: 10_000, maxAttempts: 15, retryBaseS: 5, retryCapS: 1800, retryAfterMaxS: 3600, concurrency: 6, subrequests: 50, dedupMs: 24 * 3_600_000,
    ledgerShards: 16, notFoundAttempts: 4, notFoundWindowS: 600, opsShards: 8, deadLetterRetentionMs: 14 * 86_400_000, logCalls: false, deadLetterQueue: "ajs-edge-delivery-dlq",
  };

  test("defaults; every binding read as a number; unreadable, negative or empty → the default", () => {
    assert.deepEqual(deliveryConfig(), DEFAULT);
    assert.deepEqual(deliveryConfig({ DELIVERY_TIMEOUT_MS: "", DELIVERY_MAX_ATTEMPTS: null, DELIVERY_RETRY_BASE_S: "-1", DELIVERY_RETRY_CAP_S: "abc", DELIVERY_CONCURRENCY: "Infinity", DELIVERY_DEAD_LETTER_QUEUE: "" }), DEFAULT);
    assert.deepEqual(deliveryConfig({
      DELIVERY_TIMEOUT_MS: "250", DELIVERY_MAX_ATTEMPTS: "2.9", DELIVERY_RETRY_BASE_S: 0.5, DELIVERY_RETRY_CAP_S: "90000", DELIVERY_RETRY_AFTER_MAX_S: "99999",
      DELIVERY_CONCURRENCY: "0", DELIVERY_SUBREQUESTS: "10000", DELIVERY_DEDUP_HOURS: "0.5", DELIVERY_LEDGER_SHARDS: "0", DELIVERY_NOT_FOUND_ATTEMPTS: "0", DELIVERY_NOT_FOUND_WINDOW_S: "0",
      DELIVERY_OPS_SHARDS: "1000", DELIVERY_DEAD_LETTER_DAYS: "0", DELIVERY_DEAD_LETTER_QUEUE: "my-dlq", DELIVERY_LOG: "calls",
    }), {
      timeoutMs: 250, maxAttempts: 2, retryBaseS: 0.5, retryCapS: 86_400, retryAfterMaxS: 86_400, concurrency: 1, subrequests: 10_000, dedupMs: 1_800_000,
      ledgerShards: 1, notFoundAttempts: 1, notFoundWindowS: 0, opsShards: 256, deadLetterRetentionMs: 14 * 86_400_000, logCalls: true, deadLetterQueue: "my-dlq",
    });
    assert.deepEqual([deliveryConfig({ DELIVERY_SUBREQUESTS: "3" }).subrequests, deliveryConfig({ DELIVERY_SUBREQUESTS: "11" }).subrequests], [10, 11]);
    assert.deepEqual([deliveryConfig({ DELIVERY_MAX_ATTEMPTS: "0" }).maxAttempts, deliveryConfig({ DELIVERY_OPS_SHARDS: "0" }).opsShards, deliveryConfig({ DELIVERY_CONCURRENCY: "3.7" }).concurrency], [1, 1, 3]);
    assert.deepEqual([deliveryConfig({ DELIVERY_LEDGER_SHARDS: "5.5" }).ledgerShards, deliveryConfig({ DELIVERY_NOT_FOUND_ATTEMPTS: "2.5" }).notFoundAttempts, deliveryConfig({ DELIVERY_OPS_SHARDS: "3.5" }).opsShards], [5, 2, 3]);
    assert.equal(deliveryConfig({ DELIVERY_DEAD_LETTER_QUEUE: 7 }).deadLetterQueue, "ajs-edge-delivery-dlq");
  });

  test("eachLimited: every item once, with its index, at most `limit` at a time", async () => {
    let open = 0;
    let most = 0;
    const seen = [];
    await eachLimited(["a", "b", "c", "d", "e"], 2, async (item, i) => {
      open++;
      most = Math.max(most, open);
      await new Promise((resolve) => setImmediate(resolve));
      seen.push([item, i]);
      open--;
    });
    assert.deepEqual([most, seen.sort()], [2, [["a", 0], ["b", 1], ["c", 2], ["d", 3], ["e", 4]]]);
    most = 0;
    await eachLimited(["x"], 4, async () => { open++; most = Math.max(most, open); await null; open--; });
    assert.equal(most, 1);
  });
});

describe("payload store and ledger clients (payloads.mjs, ledger.mjs)", () => {
  test("a reference is \"<shard 0–7>:<uuid>\" and each call goes to object payloads-<shard>", async () => {
    const calls = [];
    const ns = { idFromName: (name) => `id:${name}`, get: (id) => new Proxy({}, { get: (_, method) => async (...args) => { calls.push([id, method, ...args]); return method === "get" ? (args[0] === "7:gone" ? null : '{"calls":[1]}') : undefined; } }) };
    const env = { DELIVERY_PAYLOADS: ns };
    const realRandom = Math.random;
    let refs;
    try {
      refs = [];
      for (const r of [0, 0.999, 0.5]) {
        Math.random = () => r;
        refs.push(await putPayload(env, { calls: [r] }));
      }
    } finally {
      Math.random = realRandom;
    }
    assert.deepEqual(refs.map((ref) => ref.split(":")[0]), ["0", "7", "4"]);
    for (const ref of refs) assert.match(ref, /^[0-7]:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.deepEqual(calls.map(([id, method, ref, text]) => [id, method, ref === refs[calls.indexOf(calls.find((c) => c[2] === ref))] && ref, text]), [
      ["id:payloads-0", "put", refs[0], '{"calls":[0]}'], ["id:payloads-7", "put", refs[1], '{"calls":[0.999]}'], ["id:payloads-4", "put", refs[2], '{"calls":[0.5]}'],
    ]);
    calls.length = 0;
    assert.deepEqual(await getPayload(env, "3:abc"), { calls: [1] });
    assert.equal(await getPayload(env, "7:gone"), null);
    await touchPayload(env, "5:t");
    await deletePayload(env, "6:d");
    assert.deepEqual(calls, [["id:payloads-3", "get", "3:abc"], ["id:payloads-7", "get", "7:gone"], ["id:payloads-5", "touch", "5:t"], ["id:payloads-6", "delete", "6:d"]]);
    assert.deepEqual([hasPayloadStore(env), hasPayloadStore({}), hasPayloadStore(undefined)], [true, false, false]);
  });

  test("no DELIVERY_LEDGER binding → no ledger (nothing deduplicated)", () => {
    assert.equal(ledgerFor({}, deliveryConfig()), null);
    assert.equal(ledgerFor(undefined, deliveryConfig()), null);
  });
});

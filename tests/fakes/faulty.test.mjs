// The fault-injecting proxy's own contract: node --test tests/fakes/faulty.test.mjs
// Faults are decided per call (seed, identity, attempt), not by arrival order; a lost answer is
// applied upstream; no fault depends on the caller's timer.
import assert from "node:assert/strict";
import http from "node:http";
import { after, before, test } from "node:test";

import { callIdentity, decideFault, FAULT_KINDS, LOST, startFaultyProxy } from "./faulty.mjs";

const KINDS = [...FAULT_KINDS, LOST];
let upstream;
const applied = [];
before(async () => {
  upstream = http.createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      applied.push(Buffer.concat(chunks).toString("utf8"));
      res.writeHead(200, { "content-type": "application/json" });
      res.end('{"ok":true}');
    });
  });
  await new Promise((resolve) => upstream.listen(0, "127.0.0.1", resolve));
});
after(() => new Promise((resolve) => upstream.close(resolve)));

// One request without keep-alive: its status, or the error that ended it.
function send(url, body) {
  return new Promise((resolve) => {
    const req = http.request(`${url}/events`, { method: "POST", agent: false, headers: { "content-type": "application/json" } }, (res) => {
      res.resume();
      res.on("end", () => resolve({ status: res.statusCode }));
    });
    req.on("error", (e) => resolve({ error: e.code ?? e.message }));
    req.end(body);
  });
}

const bodies = Array.from({ length: 24 }, (_, i) => JSON.stringify({ messageId: `m-${i}` }));

// Each call sent `attempts` times in the given order (all at once); returns call → [kind per attempt].
async function pattern(order, attempts = 3) {
  const proxy = await startFaultyProxy(`http://127.0.0.1:${upstream.address().port}`, { rate: 0.6, seed: 42, kinds: KINDS, hangMs: 20 });
  try {
    for (let a = 0; a < attempts; a++) await Promise.all(order.map((b) => send(proxy.url, b)));
    const seen = new Map(bodies.map((b) => [b, Array(attempts).fill(null)]));
    for (const i of proxy.injected) seen.get(JSON.stringify(i.body))[i.attempt - 1] = i.kind;
    return seen;
  } finally {
    await proxy.close();
  }
}

test("the fault pattern is a function of the call and its attempt, not of the order requests arrive in", async () => {
  const forward = await pattern(bodies);
  const backward = await pattern([...bodies].reverse());
  assert.deepEqual(backward, forward);
  for (const [body, kinds] of forward) {
    const identity = callIdentity("POST", "/events", Buffer.from(body));
    assert.deepEqual(kinds, [1, 2, 3].map((attempt) => decideFault(42, identity, attempt, 0.6, KINDS)), body);
  }
  // A different seed is a different pattern; rate 0 is none at all.
  const ids = bodies.map((b) => callIdentity("POST", "/events", Buffer.from(b)));
  assert.ok(ids.some((id) => decideFault(1, id, 1, 0.6, KINDS) !== decideFault(2, id, 1, 0.6, KINDS)));
  assert.ok(ids.every((id) => decideFault(42, id, 1, 0, KINDS) === null));
});

test("each kind does what it says: only a lost answer reaches the upstream, and its caller gets no answer", async () => {
  const proxy = await startFaultyProxy(`http://127.0.0.1:${upstream.address().port}`, { rate: 1, seed: 3, kinds: KINDS, hangMs: 20, retryAfter: 7 });
  try {
    // A body for each kind, found through the pattern itself.
    const byKind = new Map();
    for (let i = 0; byKind.size < KINDS.length && i < 1000; i++) {
      const body = JSON.stringify({ messageId: `k-${i}` });
      const kind = decideFault(3, callIdentity("POST", "/events", Buffer.from(body)), 1, 1, KINDS);
      if (!byKind.has(kind)) byKind.set(kind, body);
    }
    assert.deepEqual([...byKind.keys()].sort(), [...KINDS].sort());
    const before = applied.length;
    const results = {};
    for (const [kind, body] of byKind) results[kind] = await send(proxy.url, body);
    assert.deepEqual(results["500"], { status: 500 });
    assert.deepEqual(results["429"], { status: 429 });
    for (const kind of ["hang", "drop", LOST]) assert.ok(results[kind].error, `${kind}: the connection ends without an answer`);
    assert.deepEqual(applied.slice(before), [byKind.get(LOST)], "only the lost answer's call was applied upstream");
    assert.deepEqual(proxy.forwarded.map((f) => [f.body.messageId, f.lost, f.attempt]), [[JSON.parse(byKind.get(LOST)).messageId, true, 1]]);
    assert.deepEqual(Object.fromEntries(KINDS.map((k) => [k, proxy.faults[k]])), Object.fromEntries(KINDS.map((k) => [k, 1])));
  } finally {
    await proxy.close();
  }
});

// The queue messages the core writes (src/plan/queue_messages.cpp, asked for with "queue": true in
// the request meta) are byte for byte what the host's own chain code made of the same plan's
// calls before the core wrote them (tests/support/chain_oracle.mjs buildChains, in the compact
// form), framed and bundled by the oracle's frameMessages; read back (chain.mjs decodeMessage) they
// are those chains exactly; and asking for them changes nothing else in the plan.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Core } from "../../host-shims/core/core.mjs";
import { chainsOf, decodeMessage } from "../../host-shims/delivery/chain.mjs";
import { buildChains, compactChain, frameChain, frameMessages } from "../support/chain_oracle.mjs";
import { MESSAGE_MAX_BYTES } from "../../host-shims/delivery/deliver_queue.mjs";
import { BENCH_CONFIG, WORKLOADS } from "../../bench/make_batch.mjs";
import { corpus, fuzzConfigs, requestMeta } from "../support/fuzz_corpus.mjs";

const root = fileURLToPath(new URL("../../", import.meta.url));
const encoder = new TextEncoder();
const decoder = new TextDecoder();
const core = await Core.instantiate(await WebAssembly.compile(readFileSync(`${root}build/wasm/ajs_edge.wasm`)));

// The messages the oracle makes of a plan's calls.
const expectedMessages = (requests) => frameMessages(buildChains(requests).map(compactChain), MESSAGE_MAX_BYTES);

// Plans `body` twice, with and without queue messages; checks both; returns the queued plan with
// the calls of the plain one (a plan read for the queue keeps only its messages).
function checkRequest(meta, body, what) {
  const queued = core.handle({ ...meta, queue: true }, body);
  const plain = core.handle({ ...meta, queue: false }, body);
  assert.deepEqual(plain.messages, [], what);
  assert.throws(() => queued.requests, /keeps its queue messages, not its calls/);
  assert.deepEqual(withoutMessages(queued), withoutMessages(plain), what);
  const { messages } = queued;
  const requests = plain.requests;
  assert.deepEqual(messages.map(({ bytes, chains, oversized }) => ({ bytes: [...bytes], chains, oversized })),
    expectedMessages(requests).map(({ bytes, chains, oversized }) => ({ bytes: [...bytes], chains, oversized })), what);
  assert.ok(messages.every((m) => m.oversized === m.bytes.length > MESSAGE_MAX_BYTES), what);
  const expanded = messages.flatMap((m) => chainsOf(decodeMessage(m.bytes)));
  assert.deepEqual(expanded, JSON.parse(JSON.stringify(buildChains(requests))), what);
  assert.equal(messages.reduce((n, m) => n + m.chains, 0), expanded.length, what);
  if (requests.length === 0) assert.equal(messages.length, 0, what);
  queued.release();
  return { requests, messages: messages.map((m) => ({ ...m, bytes: m.bytes.slice() })) };
}

// What both plans hold besides calls and messages.
function withoutMessages({ status, replyHeaders, replyBody, callCount, notes, counters, rateLimits }) {
  return { status, replyHeaders, replyBody: [...replyBody], callCount, notes, counters, rateLimits };
}

test("over the fuzz corpus and its configurations, the core's queue messages are the host's chains and bundles, byte for byte", () => {
  let messages = 0;
  let bundles = 0;
  for (const config of fuzzConfigs()) {
    core.configure(config.text);
    for (const seed of corpus()) {
      const meta = JSON.parse(requestMeta(config.shape, seed.head));
      const plan = checkRequest(meta, seed.body, `${config.name} ${seed.name}`);
      messages += plan.messages.length;
      bundles += plan.messages.filter((m) => m.chains > 1).length;
    }
  }
  assert.ok(messages > 300 && bundles > 200, `${messages} messages, ${bundles} bundles`);
});

const benchMeta = (path) => ({ method: "POST", url: `https://edge.example.com${path}`, headers: { "cf-connecting-ip": "203.0.113.7" }, receivedAt: 1785578400500, seed: "00000000000000ff" });

test("the benchmark workloads: bundles fill up to the message limit, never past it", () => {
  core.configure(JSON.stringify(BENCH_CONFIG));
  for (const w of WORKLOADS) {
    const plan = checkRequest(benchMeta(w.path), encoder.encode(w.body()), w.name);
    if (w.name === "single") {
      assert.deepEqual(plan.messages.map((m) => m.chains), [3]); // one beacon, three destinations: one message
      continue;
    }
    assert.ok(plan.messages.length > 1, w.name);
    // Each bundle but the last was closed because the next chain would not fit.
    const chains = buildChains(plan.requests).map(compactChain).map((c) => frameChain(c).bytes);
    let at = 0;
    for (const [i, m] of plan.messages.entries()) {
      at += m.chains;
      if (i < plan.messages.length - 1) assert.ok(m.bytes.length + chains[at] + 1 > MESSAGE_MAX_BYTES, `${w.name} message ${i}`);
    }
  }
});

test("text that JSON escapes (quotes, backslashes, controls, U+2028, astral characters) is written as JSON.stringify writes it", () => {
  core.configure(JSON.stringify(BENCH_CONFIG));
  const odd = 'q"b\\s/\u0000\u0001\u001f\u007f\u2028\u2029é😀\ud7ff\ue000';
  const batch = ["track", "identify", "page", "group"].map((type, i) => ({
    type, userId: `${odd}${i}`, event: odd, name: odd, groupId: odd, messageId: `${odd}-${i}`,
    traits: { email: "a@example.com", [odd]: odd }, properties: { [odd]: odd }, writeKey: "wk_bench",
  }));
  const plan = checkRequest(benchMeta("/v1/batch"), encoder.encode(JSON.stringify({ batch })), "odd text");
  assert.ok(plan.requests.length >= 8);
  assert.ok(decoder.decode(plan.messages[0].bytes).includes("\\u0000"));
});

test("a chain over the message limit goes alone and flagged, between bundles of the chains around it", () => {
  core.configure(JSON.stringify(BENCH_CONFIG));
  const filler = "x".repeat(2000);
  const batch = [
    { type: "track", userId: "before", event: "E", properties: { filler }, messageId: "m-before" },
    ...Array.from({ length: 70 }, (_, i) => ({ type: "track", userId: "big", event: "E", properties: { filler, i }, messageId: `m-big-${i}` })),
    { type: "track", userId: "after", event: "E", properties: { filler }, messageId: "m-after" },
  ].map((m) => ({ ...m, writeKey: "wk_bench" }));
  const plan = checkRequest(benchMeta("/v1/batch"), encoder.encode(JSON.stringify({ batch })), "oversized");
  const chains = buildChains(plan.requests);
  const sizes = chains.map(compactChain).map((c) => frameChain(c).bytes);
  const over = sizes.map((n, i) => [n, i]).filter(([n]) => n + 1 > MESSAGE_MAX_BYTES).map(([, i]) => i);
  assert.deepEqual(over.map((i) => chains[i].orderKey), ["big", "big", "big"]); // Gist's, Gainsight's and PX's chains for "big"
  // Messages: [before's 3 chains], big ×3, [after's 3 chains]: each oversized one alone.
  const shape = plan.messages.map((m) => (m.oversized ? "big" : m.chains));
  assert.deepEqual(shape, [3, "big", "big", "big", 3]);
  for (const m of plan.messages.filter((x) => x.oversized)) {
    const chain = decodeMessage(m.bytes);
    assert.equal(chain.v, 1);
    assert.equal(chain.calls.length, 70);
    assert.deepEqual(chain, JSON.parse(JSON.stringify(chains.find((c) => c.destination === chain.destination && c.orderKey === "big"))));
  }
});

test("a plan read for the queue holds its messages in a pooled buffer: given back, the next plan reuses it; kept, it is left alone", () => {
  core.configure(JSON.stringify(BENCH_CONFIG));
  const body = encoder.encode(WORKLOADS.find((w) => w.name === "batch").body());
  const first = core.handle({ ...benchMeta("/v1/batch"), queue: true }, body);
  const text = first.messages.map((m) => decoder.decode(m.bytes));
  const kept = core.handle({ ...benchMeta("/v1/batch"), queue: true }, body); // first not given back yet
  assert.notEqual(kept.messages[0].bytes.buffer, first.messages[0].bytes.buffer);
  assert.deepEqual(first.messages.map((m) => decoder.decode(m.bytes)), text, "a buffer in use is never handed out again");
  first.release();
  const next = core.handle({ ...benchMeta("/v1/batch"), queue: true }, body);
  assert.equal(next.messages[0].bytes.buffer, first.messages[0].bytes.buffer, "given back: reused");
  assert.deepEqual(next.messages.map((m) => decoder.decode(m.bytes)), text);
  next.release();
  kept.release();
});

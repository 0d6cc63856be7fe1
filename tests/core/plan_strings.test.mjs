// The plan reader's string cache (host-shims/core/plan.mjs StringCache): a string at the offset and
// length of one an earlier plan had is reused only when its bytes are the same.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Core } from "../../host-shims/core/core.mjs";
import { decodePlan, StringCache } from "../../host-shims/core/plan.mjs";

const root = fileURLToPath(new URL("../../", import.meta.url));
const encoder = new TextEncoder();

test("a cached string is reused for the same bytes at the same place, and decoded again for other bytes", () => {
  const cache = new StringCache();
  const key = (off, len) => off * 65536 + len;
  const a = encoder.encode("xxRATE_LIMIT_ONExx");
  const b = encoder.encode("xxRATE_LIMIT_TWOxx");
  assert.equal(cache.text(a, 2, 14, key(2, 14)), "RATE_LIMIT_ONE");
  assert.equal(cache.text(a, 2, 14, key(2, 14)), "RATE_LIMIT_ONE");
  assert.equal(cache.text(b, 2, 14, key(2, 14)), "RATE_LIMIT_TWO");
  assert.equal(cache.text(a, 2, 14, key(2, 14)), "RATE_LIMIT_ONE");
  const accented = encoder.encode("café");
  assert.equal(cache.text(accented, 0, accented.length, key(0, accented.length)), "café");
});

test("requests of one shape whose strings differ in their bytes only read each their own", async () => {
  const core = await Core.instantiate(await WebAssembly.compile(readFileSync(`${root}build/wasm/ajs_edge.wasm`)));
  core.configure(JSON.stringify({
    sources: [{ writeKey: "wk_strings", rateLimits: { writeKey: "RL_WK", clientIp: "RL_IP" }, destinations: { capture: {} } }],
  }));
  const body = encoder.encode(JSON.stringify({ writeKey: "wk_strings", type: "track", event: "E", userId: "u1", messageId: "m1" }));
  const meta = (ip, queue) => ({ method: "POST", url: "https://edge.example.com/v1/t", headers: { "cf-connecting-ip": ip }, receivedAt: 1785578400500, seed: "00000000000000ff", queue });
  for (const queue of [true, false]) {
    // Same length, same place in the plan, other digits.
    const first = core.handle(meta("203.0.113.7", queue), body);
    first.release();
    const second = core.handle(meta("198.51.10.9", queue), body);
    second.release();
    const ipKey = (plan) => plan.rateLimits.find((r) => r.binding === "RL_IP").key;
    assert.match(ipKey(first), /:203\.0\.113\.7$/);
    assert.match(ipKey(second), /:198\.51\.10\.9$/);
    assert.equal(ipKey(first).length, ipKey(second).length);
  }
});

test("a plan reads the same wherever its bytes lie, and release gives its messages' buffer back once", async () => {
  const core = await Core.instantiate(await WebAssembly.compile(readFileSync(`${root}build/wasm/ajs_edge.wasm`)));
  core.configure(JSON.stringify({ sources: [{ writeKey: "wk_words", destinations: { capture: {} } }] }));
  const body = encoder.encode(JSON.stringify({ writeKey: "wk_words", type: "track", event: "E", userId: "u1", messageId: "m1" }));
  const meta = { method: "POST", url: "https://edge.example.com/v1/t", headers: {}, receivedAt: 1785578400500, seed: "00000000000000ff", queue: true };
  const bytes = core.handleBytes(meta, body);
  const aligned = decodePlan(bytes);
  assert.equal(aligned.callCount, 1);
  assert.equal(aligned.messages.length, 1);
  for (const shift of [1, 2, 3]) {
    const room = new Uint8Array(bytes.length + shift);
    room.set(bytes, shift);
    const moved = decodePlan(room.subarray(shift));
    assert.deepEqual({ ...moved, messages: moved.messages.map((m) => [...m.bytes]) }, { ...aligned, messages: aligned.messages.map((m) => [...m.bytes]) });
  }
  const given = [];
  const pool = { take: (n) => new Uint8Array(n), give: (b) => given.push(b) };
  const plan = decodePlan(bytes, pool, new StringCache());
  plan.release();
  plan.release();
  assert.equal(given.length, 1);
  assert.equal(given[0].buffer, plan.messages[0].bytes.buffer);
});

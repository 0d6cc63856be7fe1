// The core's wasm modules in Node's V8: the same glue the Worker uses (host-shims/core/core.mjs),
// timing the durable ingest path as the Worker runs it: request bytes in, what it hands to the
// queue's sendBatch out (Core.handle with the queue messages: copy in, plan, copy out, decode).
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Core } from "../host-shims/core/core.mjs";
import { bodyOffset, encodeMeta } from "../host-shims/core/meta.mjs";
import { BENCH_CONFIG, SINGLE as SINGLE_MESSAGE, WORKLOADS } from "./make_batch.mjs";
import { coreIngest } from "./ingest_paths.mjs";
import { queueOperations } from "./cost_model.mjs";

const root = fileURLToPath(new URL("../", import.meta.url));
const encoder = new TextEncoder();

// The single beacon's body, as text (the object is make_batch.mjs SINGLE).
export const SINGLE = JSON.stringify(SINGLE_MESSAGE);

export function meta(path) {
  return { method: "POST", url: `https://edge.example.com${path}`, headers: { "cf-connecting-ip": "203.0.113.7" }, receivedAt: 1785578400500, seed: "00000000000000ff" };
}

export function time(fn, iterations) {
  // Warm up until V8 has tiered up what runs (wasm: Liftoff, then TurboFan; JS: up to TurboFan), as
  // in an isolate that has served a while: 20 calls and 1 s at least. With 20 calls alone a single
  // beacon (2,000 timed calls of ~20 µs) was timed mostly in baseline code: in a fresh process its
  // first 2,000 calls took 108 µs each (lazy compilation), the next 37, 28, 27, and ~17 µs from about
  // 450 ms on (session 10).
  const warmUntil = performance.now() + 1000;
  for (let i = 0; i < Math.min(20, iterations) || performance.now() < warmUntil; i++) fn();
  const ms = [];
  for (let i = 0; i < iterations; i++) {
    const t0 = performance.now();
    fn();
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  return { median: ms[Math.floor(ms.length / 2)], min: ms[0] };
}

// Times `ingest(meta, bytes)` (→ {calls, messages}: the sendBatch entries) on every workload: the
// median and the minimum of `iterations` runs (× the workload's `repeat`), after a warm-up.
export function benchIngest(ingest, iterations = 100) {
  const out = {};
  for (const w of WORKLOADS) {
    const bytes = encoder.encode(w.body());
    const m = meta(w.path);
    let result = { calls: 0, messages: [] };
    const t = time(() => (result = ingest(m, bytes)), iterations * w.repeat);
    // What the request queues: its messages' bytes, and what Queues bills for them.
    const sizes = result.messages.map((x) => (typeof x.body === "string" ? encoder.encode(x.body).length : x.body.length));
    const queued = { messages: sizes.length, bytes: sizes.reduce((n, b) => n + b, 0), operations: sizes.reduce((n, b) => n + queueOperations(b), 0) };
    out[w.name] = { bytes: bytes.length, calls: result.calls, messages: result.messages.length, queued, median_ms: t.median, min_ms: t.min };
  }
  return out;
}

export async function benchModule(file, iterations = 100) {
  const module = await WebAssembly.compile(readFileSync(`${root}build/wasm/${file}`));
  const core = await Core.instantiate(module);
  core.configure(JSON.stringify(BENCH_CONFIG));
  return benchIngest(coreIngest(core), iterations);
}

// The wasi build's core alone, like for like with native's core_bench: `ajs_handle` on a request
// already in wasm memory (meta and body written once), its plan with the queue messages left
// where the core wrote it. What Core.handle adds (the copies in, the plan read, the messages
// copied out) is not timed; the calls are checked against Core.handle's.
export async function benchCoreAlone(file, iterations = 100) {
  const module = await WebAssembly.compile(readFileSync(`${root}build/wasm/${file}`));
  const core = await Core.instantiate(module);
  core.configure(JSON.stringify(BENCH_CONFIG));
  const x = core.x;
  const out = {};
  for (const w of WORKLOADS) {
    const bytes = encoder.encode(w.body());
    const m = { ...meta(w.path), queue: true };
    const metaBytes = encodeMeta(m);
    const metaRoom = bodyOffset(metaBytes.length);
    const ptr = x.ajs_alloc(metaRoom + bytes.length);
    const memory = new Uint8Array(x.memory.buffer);
    memory.set(metaBytes, ptr);
    memory.set(bytes, ptr + metaRoom);
    let rc = 0;
    const t = time(() => (rc = x.ajs_handle(ptr, metaBytes.length, ptr + metaRoom, bytes.length)), iterations * w.repeat);
    if (rc !== 0) throw new Error(`ajs_handle: ${rc} on ${w.name}`);
    const outputBytes = x.ajs_output_len();
    x.ajs_free(ptr);
    const plan = core.handle(m, bytes);
    plan.release();
    out[w.name] = { bytes: bytes.length, calls: plan.callCount, plan_bytes: outputBytes, median_ms: t.median, min_ms: t.min };
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const file of ["ajs_edge.wasm", "ajs_edge_emscripten.wasm"]) console.log(file, JSON.stringify(await benchModule(file)));
}

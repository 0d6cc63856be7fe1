// The core's wasm modules in Node's V8: the same glue the Worker uses (host-shims/core/core.mjs),
// timing Core.handle (copy in, plan, copy the plan out, decode it) on the bench batch.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Core } from "../host-shims/core/core.mjs";
import { makeBatch, BENCH_CONFIG } from "./make_batch.mjs";

const root = fileURLToPath(new URL("../", import.meta.url));
const encoder = new TextEncoder();

export const SINGLE = JSON.stringify({
  writeKey: "wk_bench", type: "track", event: "Order Completed", userId: "user_1", messageId: "m1",
  timestamp: "2026-08-01T10:00:00.000Z", sentAt: "2026-08-01T10:00:00.100Z",
  properties: { revenue: 49.5, currency: "EUR", accountId: "acct_1" },
  context: { library: { name: "analytics.js", version: "next-1.84.1" } },
});

export function meta(path) {
  return { method: "POST", url: `https://edge.example.com${path}`, headers: { "cf-connecting-ip": "203.0.113.7" }, receivedAt: 1785578400500, seed: "00000000000000ff" };
}

export function time(fn, iterations) {
  for (let i = 0; i < Math.min(20, iterations); i++) fn(); // warm up
  const ms = [];
  for (let i = 0; i < iterations; i++) {
    const t0 = performance.now();
    fn();
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  return { median: ms[Math.floor(ms.length / 2)], min: ms[0] };
}

export async function benchModule(file, iterations = 100) {
  const module = await WebAssembly.compile(readFileSync(`${root}build/wasm/${file}`));
  const core = await Core.instantiate(module);
  core.configure(JSON.stringify(BENCH_CONFIG));
  const batch = encoder.encode(JSON.stringify(makeBatch()));
  const single = encoder.encode(SINGLE);
  let calls = 0;
  const b = time(() => (calls = core.handle(meta("/v1/batch"), batch).requests.length), iterations);
  const s = time(() => core.handle(meta("/v1/t"), single), iterations * 20);
  return { batch: { bytes: batch.length, calls, median_ms: b.median, min_ms: b.min }, single: { median_us: s.median * 1000, min_us: s.min * 1000 } };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const file of ["ajs_edge.wasm", "ajs_edge_emscripten.wasm"]) console.log(file, JSON.stringify(await benchModule(file)));
}

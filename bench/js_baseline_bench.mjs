// The benchmark's baseline in Node: bench/js_baseline.mjs on the same input, timed the same way
// as the wasm core in bench/node_bench.mjs (config parsed once, outside the timed part).
import { makeBatch, BENCH_CONFIG } from "./make_batch.mjs";
import { time, meta, SINGLE } from "./node_bench.mjs";
import { planBatchJs, parseConfig } from "./js_baseline.mjs";

const encoder = new TextEncoder();

export async function benchBaselineNode(iterations = 100) {
  const config = parseConfig(JSON.stringify(BENCH_CONFIG));
  const batch = encoder.encode(JSON.stringify(makeBatch()));
  const single = encoder.encode(SINGLE);
  let calls = 0;
  const b = time(() => (calls = planBatchJs(config, meta("/v1/batch"), batch).requests.length), iterations);
  const s = time(() => planBatchJs(config, meta("/v1/t"), single), iterations * 20);
  return { batch: { bytes: batch.length, calls, median_ms: b.median, min_ms: b.min }, single: { median_us: s.median * 1000, min_us: s.min * 1000 } };
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(JSON.stringify(await benchBaselineNode()));

// The benchmark's baseline in Node: bench/js_baseline.mjs on the same input, timed the same way
// as the wasm core in bench/node_bench.mjs (config parsed once, outside the timed part).
import { BENCH_CONFIG } from "./make_batch.mjs";
import { benchPlanner } from "./node_bench.mjs";
import { planBatchJs, parseConfig } from "./js_baseline.mjs";

export async function benchBaselineNode(iterations = 100) {
  const config = parseConfig(JSON.stringify(BENCH_CONFIG));
  return benchPlanner((m, bytes) => planBatchJs(config, m, bytes), iterations);
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(JSON.stringify(await benchBaselineNode()));

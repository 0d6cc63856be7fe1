// The benchmark's baseline in Node: bench/js_baseline.mjs on the same input, timed the same way
// as the wasm core in bench/node_bench.mjs (config parsed once, outside the timed part).
import { BENCH_CONFIG } from "./make_batch.mjs";
import { benchIngest } from "./node_bench.mjs";
import { parseConfig } from "./js_baseline.mjs";
import { jsIngest } from "./ingest_paths.mjs";

export async function benchBaselineNode(iterations = 100) {
  return benchIngest(jsIngest(parseConfig(JSON.stringify(BENCH_CONFIG))), iterations);
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(JSON.stringify(await benchBaselineNode()));

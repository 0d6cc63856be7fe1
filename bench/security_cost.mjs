// What the checks of issue #10 cost (BENCHMARKS.md "The cost of the security checks"): this
// checkout's wasi core against an older one's, each with its own glue and bench config, on the
// same batch and single track, timed alternately in one Node process. Not part of pass/fail.
//   git worktree add /tmp/old 0125060 && (cd /tmp/old && ln -s "$PWD/node_modules" . ; bash scripts/build.sh wasi)
//   node bench/security_cost.mjs /tmp/old
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { time, meta, SINGLE } from "./node_bench.mjs";

const here = fileURLToPath(new URL("../", import.meta.url));
const other = process.argv[2];
if (!other) throw new Error("usage: node bench/security_cost.mjs <older checkout with build/wasm/ajs_edge.wasm built>");
const encoder = new TextEncoder();

async function load(root) {
  const dir = root.endsWith("/") ? root : `${root}/`;
  const { Core } = await import(`${dir}host-shims/core/core.mjs`);
  const { makeBatch, BENCH_CONFIG } = await import(`${dir}bench/make_batch.mjs`);
  const core = await Core.instantiate(await WebAssembly.compile(readFileSync(`${dir}build/wasm/ajs_edge.wasm`)));
  core.configure(JSON.stringify(BENCH_CONFIG));
  const batch = encoder.encode(JSON.stringify(makeBatch()));
  const single = encoder.encode(SINGLE);
  return {
    batch: () => core.handle(meta("/v1/batch"), batch),
    single: () => core.handle(meta("/v1/t"), single),
    calls: core.handle(meta("/v1/batch"), batch).requests.length,
  };
}

const cores = { before: await load(other), now: await load(here) };
if (cores.before.calls !== cores.now.calls) throw new Error(`the two cores plan ${cores.before.calls} and ${cores.now.calls} calls`);
const samples = { before: { batch: [], single: [] }, now: { batch: [], single: [] } };
for (let round = 0; round < 7; round++) {
  for (const name of round % 2 ? ["now", "before"] : ["before", "now"]) {
    samples[name].batch.push(time(cores[name].batch, 60).median);
    samples[name].single.push(time(cores[name].single, 1000).median * 1000);
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const row = (what, unit, key) => {
  const [b, n] = [median(samples.before[key]), median(samples.now[key])];
  console.log(`| ${what} | ${b.toFixed(2)} ${unit} | ${n.toFixed(2)} ${unit} | ${((n / b - 1) * 100).toFixed(1)} % |`);
};
console.log(`| wasi in Node, Core.handle | before | now | cost |\n|---|---|---|---|`);
row(`500 KB batch (${cores.now.calls} calls)`, "ms", "batch");
row("single track", "µs", "single");

// All benchmarks, one command (scripts/bench.sh). Prints a table with ratios against the
// baseline measured in the same run: the same job as plain JavaScript in the same V8.
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { fileURLToPath } from "node:url";
import { benchModule } from "./node_bench.mjs";
import { benchWorkerd } from "./workerd_bench.mjs";
import { benchBaselineNode } from "./js_baseline_bench.mjs";

const root = fileURLToPath(new URL("../", import.meta.url));
const out = `${root}build/bench`;
mkdirSync(out, { recursive: true });
execFileSync("node", [`${root}bench/make_batch.mjs`, out]);

const native = JSON.parse(execFileSync(`${root}build/native/core_bench`, [`${out}/batch.json`, `${out}/config.json`, "200"]).toString());
const node = { wasi: await benchModule("ajs_edge.wasm"), emscripten: await benchModule("ajs_edge_emscripten.wasm"), js: await benchBaselineNode() };
const workerd = await benchWorkerd({ builds: ["wasi", "emscripten", "js"] });
const sizes = Object.fromEntries(
  ["ajs_edge.wasm", "ajs_edge_emscripten.wasm"].map((f) => {
    const bytes = readFileSync(`${root}build/wasm/${f}`);
    return [f, { raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length }];
  }),
);

const rows = [
  ["native (clang-14 -O2)", native.batch.median_ms, native.single.median_us],
  ["wasi in Node", node.wasi.batch.median_ms, node.wasi.single.median_us],
  ["emscripten in Node", node.emscripten.batch.median_ms, node.emscripten.single.median_us],
  ["plain JS in Node (baseline)", node.js.batch.median_ms, node.js.single.median_us],
  ["wasi in workerd", workerd.wasi.batch.median_ms, workerd.wasi.single.median_us],
  ["emscripten in workerd", workerd.emscripten.batch.median_ms, workerd.emscripten.single.median_us],
  ["plain JS in workerd (baseline)", workerd.js.batch.median_ms, workerd.js.single.median_us],
];
const baseline = { node: node.js.batch.median_ms, workerd: workerd.js.batch.median_ms };
console.log(`input: ${native.batch.bytes} B batch, ${native.batch.calls} planned calls (Gist + Gainsight + PX); single = one track`);
console.log("| runtime | batch ms (median) | vs the JS baseline in the same runtime | single track µs (median) |");
console.log("|---|---|---|---|");
for (const [name, ms, us] of rows) {
  const base = name.includes("workerd") ? baseline.workerd : baseline.node;
  const r = base / ms;
  const ratio = name.startsWith("native") ? "—" : name.includes("baseline") ? "1.00×" : r >= 1 ? `${r.toFixed(2)}× faster` : `${(1 / r).toFixed(2)}× slower`;
  console.log(`| ${name} | ${ms.toFixed(2)} | ${ratio} | ${us.toFixed(1)} |`);
}
console.log("| module | raw bytes | gzip -9 bytes |\n|---|---|---|");
for (const [f, s] of Object.entries(sizes)) console.log(`| ${f} | ${s.raw} | ${s.gzip} |`);
writeFileSync(`${out}/results.json`, JSON.stringify({ native, node, workerd, sizes }, null, 1));

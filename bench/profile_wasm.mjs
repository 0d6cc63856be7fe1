// Where the wasi core's time goes in Node's V8, by C++ function: the durable ingest path
// (Core.handle with queue messages, as bench/node_bench.mjs times it) of one workload, under
// V8's sampling profiler, with wasm frames named from the module's name section.
//   bash scripts/profile.sh wasm [single|batch|small]     (builds the named module first)
//   node bench/profile_wasm.mjs build/wasm-profile/ajs_edge.wasm single
// The shipped module has no name section (its link strips it); scripts/profile.sh links
// the same objects again with one.
import { Session } from "node:inspector/promises";
import { readFileSync } from "node:fs";
import { Core } from "../host-shims/core/core.mjs";
import { BENCH_CONFIG, WORKLOADS } from "./make_batch.mjs";
import { meta } from "./node_bench.mjs";
import { coreIngest } from "./ingest_paths.mjs";
import { shares } from "./cpu_profile.mjs";

// Function index → name, from the "name" custom section (its subsection 1).
function functionNames(module) {
  const [section] = WebAssembly.Module.customSections(module, "name");
  const names = new Map();
  if (!section) return names;
  const s = new Uint8Array(section);
  let i = 0;
  const leb = () => {
    let r = 0;
    let shift = 0;
    let b;
    do {
      b = s[i++];
      r += (b & 127) * 2 ** shift;
      shift += 7;
    } while (b & 128);
    return r;
  };
  const decoder = new TextDecoder();
  while (i < s.length) {
    const id = s[i++];
    const end = leb() + i;
    if (id === 1) {
      for (let n = leb(); n > 0; n--) {
        const index = leb();
        const length = leb();
        names.set(index, decoder.decode(s.subarray(i, i + length)));
        i += length;
      }
    }
    i = end;
  }
  return names;
}

const [file = "build/wasm-profile/ajs_edge.wasm", workload = "single"] = process.argv.slice(2);
const module = await WebAssembly.compile(readFileSync(file));
const names = functionNames(module);
const core = await Core.instantiate(module);
core.configure(JSON.stringify(BENCH_CONFIG));
const w = WORKLOADS.find((x) => x.name === workload);
if (!w) throw new Error(`no workload ${workload}: ${WORKLOADS.map((x) => x.name).join(", ")}`);
const bytes = new TextEncoder().encode(w.body());
const ingest = coreIngest(core);
const m = meta(w.path);
const runFor = (ms) => {
  const until = performance.now() + ms;
  let n = 0;
  while (performance.now() < until) {
    ingest(m, bytes);
    n++;
  }
  return n;
};
runFor(1500); // warm up: lazy compilation and tier-up (bench/node_bench.mjs time())
const session = new Session();
session.connect();
await session.post("Profiler.enable");
await session.post("Profiler.setSamplingInterval", { interval: 100 });
await session.post("Profiler.start");
const runs = runFor(3000);
const { profile } = await session.post("Profiler.stop");
session.disconnect();
const nameOf = (node) => {
  const f = node.callFrame;
  const wasm = /^wasm-function\[(\d+)\]$/.exec(f.functionName) ?? /^\$?(\d+)$/.exec(f.functionName);
  if (wasm && names.has(Number(wasm[1]))) return names.get(Number(wasm[1]));
  return f.functionName || f.url || "(anonymous)";
};
const { self, inclusive } = shares(profile, nameOf);
console.log(`${workload}: ${runs} runs in 3 s under the profiler (${file}${names.size ? "" : ": no name section, wasm frames unnamed"})`);
console.log("\nself time:\n" + self.join("\n"));
console.log("\ninclusive time:\n" + inclusive.join("\n"));

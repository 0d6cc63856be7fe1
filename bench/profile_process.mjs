// Where workerd's process CPU goes per request: the figure bench/workerd_cpu.mjs measures, split
// by perf over the whole workerd process (every thread), for each Worker of the CPU benchmark
// (the floor, the plain-JS Worker, the Worker with the core). V8 names its JIT code for perf
// (--perf-basic-prof), so the wasm core's functions (optimized or baseline) and JavaScript come
// apart from workerd's own code (HTTP, its JS APIs, V8's runtime and builtins) and the kernel's.
// bench/profile_worker.mjs sees the isolate only; this sees what workerd's CPU time is made of.
//   bash scripts/profile.sh process [single|batch|small]
//   node bench/profile_process.mjs [single|batch|small] [requests]
import { spawn, execFileSync } from "node:child_process";
import { rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { WORKLOADS } from "./make_batch.mjs";
import { start } from "./workerd_cpu.mjs";

const root = fileURLToPath(new URL("../", import.meta.url));
const workload = WORKLOADS.find((w) => w.name === (process.argv[2] ?? "single"));
if (!workload) throw new Error("usage: node bench/profile_process.mjs [single|batch|small] [requests]");
const requests = Number(process.argv[3] ?? { single: 4000, batch: 60, small: 40 }[workload.name]);
const HZ = 2000; // cpu-clock samples per second of CPU time: each is 0.5 ms of it

// A sample's part, from perf's dso and symbol.
function part(dso, sym) {
  if (dso.startsWith("[kernel")) return "kernel (network, syscalls)";
  if (dso.startsWith("[JIT]")) {
    if (sym.includes("wasm-function")) return sym.endsWith("-liftoff") ? "wasm core, baseline code (Liftoff)" : "wasm core, optimized code";
    // V8's perf names: "JS:*f" TurboFan, "JS:+f" Maglev, "JS:^f" Sparkplug (baseline).
    return /^JS:[*+]/.test(sym) ? "JavaScript, optimized code" : "JavaScript, baseline code and stubs";
  }
  if (dso === "workerd") return sym.startsWith("Builtins_") ? "V8 builtins (interpreter, ICs, promises, JS↔wasm)" : "workerd and V8 runtime (C++)";
  return "C library";
}

async function profile(name) {
  const worker = await start(name, { v8Flags: ["--perf-basic-prof"] });
  const data = `${root}build/bench/process-${name}.data`;
  try {
    const send = worker.sender(workload);
    for (let i = 0; i < Math.max(50, requests / 4); i++) await send(); // until V8 has optimized what runs
    const perf = spawn("perf", ["record", "-q", "-e", "cpu-clock", "-F", String(HZ), "-p", String(worker.pid), "-o", data], { stdio: "ignore" });
    await new Promise((resolve) => setTimeout(resolve, 500)); // perf attached
    for (let i = 0; i < requests; i++) await send();
    perf.kill("SIGINT");
    await new Promise((resolve) => perf.once("exit", resolve));
    const report = execFileSync("perf", ["report", "-i", data, "--no-children", "--sort", "dso,sym", "-F", "sample,dso,sym", "--stdio"], { maxBuffer: 1 << 26 }).toString();
    const parts = {};
    for (const line of report.split("\n")) {
      const m = /^\s+(\d+)\s+(\S+(?: tid \d+)?)\s+\[.\]\s+(.*?)\s*$/.exec(line);
      if (m) parts[part(m[2], m[3])] = (parts[part(m[2], m[3])] ?? 0) + Number(m[1]);
    }
    return parts;
  } finally {
    await worker.stop();
    rmSync(`/tmp/perf-${worker.pid}.map`, { force: true });
  }
}

const names = { floor: "floor (read the body, answer 200)", js: "plain-JS Worker", core: "the Worker (wasi core)" };
const results = {};
for (const name of Object.keys(names)) results[name] = await profile(name);
const labels = [...new Set(Object.values(results).flatMap((r) => Object.keys(r)))].sort();
const perRequest = (samples) => (samples ? ((samples / HZ) * 1000) / requests : 0);
console.log(`${workload.name}: workerd's process CPU per request (ms), by perf over ${requests} requests each`);
console.log(`| part | ${Object.values(names).join(" | ")} |\n|---|${Object.keys(names).map(() => "---:").join("|")}|`);
for (const label of [...labels, "all"]) {
  const cells = Object.keys(names).map((n) => perRequest(label === "all" ? Object.values(results[n]).reduce((a, b) => a + b, 0) : results[n][label]).toFixed(3));
  console.log(`| ${label} | ${cells.join(" | ")} |`);
}

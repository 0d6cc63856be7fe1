// CPU time per request of the whole Worker in workerd, durable mode (issue #13): the real Worker
// (host-shims/worker/worker.mjs: the core, the queue messages to sendBatch) against the plain-JS
// Worker doing the same job (bench/js_worker.mjs), each in its own plain workerd (the `workerd`
// binary serving the Worker, no Miniflare entry worker in front: tests/support/plain_workerd.mjs),
// with the queue an in-isolate stub that serializes what it is handed (bench/queue_stub.mjs).
// Timers are frozen inside a request, so the figure is the workerd process's own CPU time over
// many requests, divided by their number (every thread's, in ns: processCpu; until session 29
// /proc/<pid>/stat's 10 ms ticks, too coarse for the floors of the batches); it includes what
// workerd spends on HTTP, the same for all. Requests carry a Content-Length, as production's do.
// (Until session 13 each Worker ran behind Miniflare's entry worker, which passes every body on
// chunked and added 0.7-2.8 ms a request to both sides.)
import { readdirSync, readFileSync } from "node:fs";
import { BENCH_CONFIG, WORKLOADS } from "./make_batch.mjs";
import { startPlainWorkerd } from "../tests/support/plain_workerd.mjs";

const SECRETS = { GIST_API_KEY: "gist-live-4f9c2a7e", GAINSIGHT_ACCESS_KEY: "35a84f9e-7084-47a1-b8a5-593444e9e862", GAINSIGHT_PX_API_KEY: "AP-SECRET-TAG-KEY-2" };
// Requests per workload and round: enough for a round to outlast the machine's short slow spells.
const REQUESTS = { single: Number(process.env.AJS_CPU_SINGLE ?? 2000), batch: Number(process.env.AJS_CPU_BATCH ?? 60), small: Number(process.env.AJS_CPU_SMALL ?? 40) };

const WORKERS = {
  core: { entry: "bench/cpu_core_worker.mjs", durableObjects: { DELIVERY_LEDGER: "DeliveryLedger", DELIVERY_OPS: "DeliveryOps", DELIVERY_PAYLOADS: "DeliveryPayloads" } },
  js: { entry: "bench/cpu_js_worker.mjs" },
  floor: { entry: "bench/cpu_null_worker.mjs" },
  // The above and the rest of a durable Worker's request but the planning (its messages made once).
  durable_floor: { entry: "bench/cpu_durable_floor_worker.mjs" },
};

// A process's CPU time in ns from /proc/<pid>/task/*/schedstat: every thread's (V8 compiles and
// collects garbage on threads of its own) and the main thread's. A thread that ended takes its
// time with it; workerd's live as long as the process.
const threadNs = (pid, tid) => {
  try {
    return Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[0]);
  } catch {
    return 0; // a thread that ended
  }
};
export const processCpu = (pid) => ({ all: readdirSync(`/proc/${pid}/task`).reduce((n, t) => n + threadNs(pid, t), 0), main: threadNs(pid, pid) });
const cpuMs = (pid) => processCpu(pid).all / 1e6;

// Requests before the rounds: 50 left the beacon's first round 1.5x the others (code not yet optimized).
const warmUp = (name) => Math.min(REQUESTS[name], Math.max(50, REQUESTS[name] / 4));

// One Worker in its own workerd: its pid, stop(), and a sender of one workload's request.
// `inspectorPort`: V8's inspector on that loopback port (bench/profile_worker.mjs); `v8Flags`:
// V8's flags (bench/profile_process.mjs); `readyOnSocket`: no request before the caller's
// (bench/cold_start.mjs).
export async function start(name, { inspectorPort, v8Flags, readyOnSocket } = {}) {
  const w = await startPlainWorkerd({
    entry: WORKERS[name].entry, inspectorPort, v8Flags, readyOnSocket,
    bindings: { AJS_EDGE_CONFIG: JSON.stringify(BENCH_CONFIG), ...SECRETS },
    durableObjects: WORKERS[name].durableObjects ?? {},
  });
  const sender = (workload) => {
    const body = workload.body();
    return async () => {
      const r = await fetch(`${w.url}${workload.path}`, { method: "POST", body, headers: { "content-type": "application/json", "cf-connecting-ip": "203.0.113.7" } });
      if (r.status !== 200) throw new Error(`${name} ${workload.name}: ${r.status} ${await r.text()}`);
      await r.arrayBuffer();
    };
  };
  return { pid: w.pid, stop: w.stop, sender };
}

// The Workers run side by side, and each round measures each of them, one after the other:
// the machine's slow spells (other work on it moves a whole figure by ±15 %) fall on a round of
// each, not on one Worker's every round. `rounds_ms` keeps the round order, so that a ratio can be
// taken round by round (run.mjs).
// `interleaved`: within a round the requests go to each Worker in turn, one at a time, so that each
// finds its process's caches filled by the other processes' work since its last one, as a Worker
// on a machine shared by many Workers does (session 29: a beacon's first call into the core costs
// many times what the same call costs right after it); otherwise each Worker gets its round's
// requests back to back.
export async function benchWorkerdCpu({ rounds = 3, interleaved = false } = {}) {
  const names = Object.keys(WORKERS);
  const started = {};
  const out = Object.fromEntries(names.map((n) => [n, {}]));
  try {
    for (const n of names) started[n] = await start(n);
    for (const w of WORKLOADS) {
      const send = Object.fromEntries(names.map((n) => [n, started[n].sender(w)]));
      for (const n of names) for (let i = 0; i < warmUp(w.name); i++) await send[n](); // until V8 has optimized what runs
      const samples = Object.fromEntries(names.map((n) => [n, []]));
      for (let r = 0; r < rounds; r++) {
        if (interleaved) {
          const c0 = Object.fromEntries(names.map((n) => [n, cpuMs(started[n].pid)]));
          for (let i = 0; i < REQUESTS[w.name]; i++) for (let k = 0; k < names.length; k++) await send[names[(i + k) % names.length]]();
          for (const n of names) samples[n].push((cpuMs(started[n].pid) - c0[n]) / REQUESTS[w.name]);
          continue;
        }
        for (const n of names) {
          const c0 = cpuMs(started[n].pid);
          for (let i = 0; i < REQUESTS[w.name]; i++) await send[n]();
          samples[n].push((cpuMs(started[n].pid) - c0) / REQUESTS[w.name]);
        }
      }
      for (const n of names) {
        const sorted = [...samples[n]].sort((a, b) => a - b);
        out[n][w.name] = { cpu_ms: sorted[Math.floor(sorted.length / 2)], rounds_ms: samples[n], requests: REQUESTS[w.name] };
      }
    }
  } finally {
    for (const n of names) await started[n]?.stop();
  }
  return out;
}

// Alone (as bench/run.mjs runs it, in a fresh Node process): the results as JSON on stdout.
//   node bench/workerd_cpu.mjs [rounds] [interleaved]
if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await benchWorkerdCpu({ rounds: Number(process.argv[2] ?? 3), interleaved: process.argv[3] === "interleaved" })));
}

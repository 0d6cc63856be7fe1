// A fresh isolate's first requests (session 26): the Worker and the plain-JS Worker, each started
// afresh in its own plain workerd several times, and the CPU of its startup and of each of its
// first requests, as the process's CPU time (/proc/<pid>/task/*/schedstat, in ns: every thread,
// so V8's background compilation counts too; the main thread's alone beside it). The warm
// figures of bench/workerd_cpu.mjs come after hundreds of requests, once V8 has compiled and
// optimized what runs; a Worker with little traffic is often in a fresh isolate, where its
// first request pays for compiling (Cloudflare's Free plan allows 10 ms of CPU a request).
//   node bench/cold_start.mjs [starts] → JSON on stdout
import { makeBatch, WORKLOADS } from "./make_batch.mjs";
import { processCpu, start } from "./workerd_cpu.mjs";

const REQUESTS = 5; // the first ones of each isolate
// Besides the benchmark's workloads: 15 messages of its batch's mix (15 KB), the size of batch
// analytics-node sends by default (flushAt 15).
const COLD_WORKLOADS = [...WORKLOADS, { name: "batch15", path: "/v1/batch", body: () => JSON.stringify(makeBatch({ events: 15 })) }];
const ms = (a, b) => ({ all: (b.all - a.all) / 1e6, main: (b.main - a.main) / 1e6 });
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function benchColdStart({ starts = 5, workers = ["core", "js"], workloads = ["single", "batch15", "batch"] } = {}) {
  const out = {};
  for (const name of workers) {
    out[name] = {};
    for (const workload of workloads) {
      const w = COLD_WORKLOADS.find((x) => x.name === workload);
      const samples = [];
      for (let s = 0; s < starts; s++) {
        const started = await start(name, { readyOnSocket: true });
        try {
          // workerd loads its Workers, global scope included, before it listens; what runs after
          // (a timer, a compile in the background) settles in this pause.
          await new Promise((r) => setTimeout(r, 300));
          const sample = { startup: ms({ all: 0, main: 0 }, processCpu(started.pid)), requests: [] };
          const send = started.sender(w);
          for (let i = 0; i < REQUESTS; i++) {
            const before = processCpu(started.pid);
            await send();
            sample.requests.push(ms(before, processCpu(started.pid)));
          }
          samples.push(sample);
        } finally {
          await started.stop();
        }
      }
      const m = (pick) => ({ all: median(samples.map((x) => pick(x).all)), main: median(samples.map((x) => pick(x).main)) });
      out[name][workload] = { starts, startup_ms: m((x) => x.startup), requests_ms: samples[0].requests.map((_, i) => m((x) => x.requests[i])) };
    }
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await benchColdStart({ starts: Number(process.argv[2] ?? 5) })));
}

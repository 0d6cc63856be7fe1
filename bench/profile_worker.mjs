// Where the whole Worker's time goes in workerd: V8's sampling profiler, through workerd's
// inspector, over one workload's requests to the CPU benchmark's Worker (bench/cpu_core_worker.mjs:
// the real Worker, its queue stubbed in the isolate, as bench/workerd_cpu.mjs measures it).
// JavaScript frames by function; the shipped module's wasm frames have no names (`bash
// scripts/profile.sh wasm` names them, in Node). Only the isolate's time: workerd's own work (HTTP)
// is outside it.
//   bash scripts/profile.sh worker [single|batch|small]
import WebSocket from "ws";
import { createServer } from "node:net";
import { WORKLOADS } from "./make_batch.mjs";
import { start } from "./workerd_cpu.mjs";
import { shares } from "./cpu_profile.mjs";

const workload = WORKLOADS.find((w) => w.name === (process.argv[2] ?? "small"));
if (!workload) throw new Error("usage: node bench/profile_worker.mjs [single|batch|small] [requests] [core|js|floor]");
const requests = Number(process.argv[3] ?? { single: 2000, batch: 40, small: 40 }[workload.name]);
const which = process.argv[4] ?? "core"; // js: the plain-JS baseline Worker, floor: the null Worker

// A free loopback port for the inspector.
const port = await new Promise((resolve) => {
  const server = createServer().listen(0, "127.0.0.1", () => {
    const { port: free } = /** @type {import("node:net").AddressInfo} */ (server.address());
    server.close(() => resolve(free));
  });
});
const worker = await start(which, { inspectorPort: port });
let ws;
try {
  const send = worker.sender(workload);
  for (let i = 0; i < Math.min(50, requests); i++) await send(); // warm up

  // The Worker's isolate.
  const targets = await (await fetch(`http://127.0.0.1:${port}/json`)).json();
  const target = targets.find((t) => !/internal|entry/i.test(t.title ?? "")) ?? targets[0];
  ws = new WebSocket(target.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject));
  let id = 0;
  const pending = new Map();
  ws.on("message", (m) => {
    const x = JSON.parse(m.toString());
    if (x.id && pending.has(x.id)) pending.get(x.id)(x.result), pending.delete(x.id);
  });
  const call = (method, params = {}) => new Promise((resolve) => {
    pending.set(++id, resolve);
    ws.send(JSON.stringify({ id, method, params }));
  });
  await call("Profiler.enable");
  await call("Profiler.setSamplingInterval", { interval: 100 });
  await call("Profiler.start");
  for (let i = 0; i < requests; i++) await send();
  const { profile } = await call("Profiler.stop");

  const frame = (n) => `${n.callFrame.functionName || "(anonymous)"}  ${n.callFrame.url.split("/").pop()}:${n.callFrame.lineNumber + 1}`;
  const { self, inclusive } = shares(profile, frame);
  console.log(`${workload.name} (${which}): ${requests} requests, ${profile.samples.length} samples of 0.1 ms in the Worker's isolate`);
  console.log("\nself time:\n" + self.slice(0, 25).join("\n"));
  console.log("\ninclusive time:\n" + inclusive.slice(0, 30).join("\n"));
} finally {
  ws?.close();
  await worker.stop();
}

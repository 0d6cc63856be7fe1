// Where the whole Worker's time goes in workerd: V8's sampling profiler, through Miniflare's
// inspector, over one workload's requests to the CPU benchmark's Worker (bench/cpu_core_worker.mjs:
// the real Worker, its queue stubbed in the isolate, as bench/workerd_cpu.mjs measures it).
// JavaScript frames by function; the shipped module's wasm frames have no names (`bash
// scripts/profile.sh wasm` names them, in Node). Only the isolate's time: workerd's own work (HTTP,
// Miniflare's entry worker) is outside it.
//   bash scripts/profile.sh worker [single|batch|small]
import { Miniflare } from "miniflare";
import WebSocket from "ws";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { BENCH_CONFIG, WORKLOADS } from "./make_batch.mjs";
import { SECRETS, WORKERS } from "./workerd_cpu.mjs";

const root = fileURLToPath(new URL("../", import.meta.url));
const workload = WORKLOADS.find((w) => w.name === (process.argv[2] ?? "small"));
if (!workload) throw new Error("usage: node bench/profile_worker.mjs [single|batch|small] [requests]");
const requests = Number(process.argv[3] ?? { single: 2000, batch: 40, small: 40 }[workload.name]);

// A free loopback port for the inspector.
const port = await new Promise((resolve) => {
  const server = createServer().listen(0, "127.0.0.1", () => {
    const { port: free } = /** @type {import("node:net").AddressInfo} */ (server.address());
    server.close(() => resolve(free));
  });
});
const mf = new Miniflare({
  rootPath: root, modules: true, scriptPath: WORKERS.core.scriptPath, durableObjects: WORKERS.core.durableObjects,
  modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
  compatibilityDate: "2025-04-01", cf: false, inspectorPort: port, inspectorHost: "127.0.0.1",
  bindings: { AJS_EDGE_CONFIG: JSON.stringify(BENCH_CONFIG), ...SECRETS },
  handleRuntimeStdio(stdout, stderr) { stdout.resume(); stderr.resume(); },
});
let ws;
try {
  await mf.ready;
  const body = workload.body();
  const send = async () => {
    const r = await mf.dispatchFetch(`https://edge.example.com${workload.path}`, { method: "POST", body, headers: { "content-type": "application/json", "cf-connecting-ip": "203.0.113.7" } });
    if (r.status !== 200) throw new Error(`${workload.name}: ${r.status} ${await r.text()}`);
    await r.arrayBuffer();
  };
  for (let i = 0; i < Math.min(50, requests); i++) await send(); // warm up

  // The user Worker's isolate (Miniflare's own entry worker is the other target).
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

  // Self and inclusive time by frame (a function counted once per sample however deep it recurs).
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const frame = (n) => `${n.callFrame.functionName || "(anonymous)"}  ${n.callFrame.url.split("/").pop()}:${n.callFrame.lineNumber + 1}`;
  const self = new Map();
  const inclusive = new Map();
  for (const sample of profile.samples) {
    const f = frame(nodes.get(sample));
    self.set(f, (self.get(f) ?? 0) + 1);
    const seen = new Set();
    for (let at = sample; at !== undefined; at = parent.get(at)) seen.add(frame(nodes.get(at)));
    for (const g of seen) inclusive.set(g, (inclusive.get(g) ?? 0) + 1);
  }
  const total = profile.samples.length;
  const top = (m, k) => [...m].sort((a, b) => b[1] - a[1]).slice(0, k).map(([f, c]) => `${((100 * c) / total).toFixed(1).padStart(5)} %  ${f}`).join("\n");
  console.log(`${workload.name}: ${requests} requests, ${total} samples of 0.1 ms in the Worker's isolate\n\nself time:\n${top(self, 25)}\n\ninclusive time:\n${top(inclusive, 30)}`);
} finally {
  ws?.close();
  await mf.dispose();
}

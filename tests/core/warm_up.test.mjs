// A core warmed up before its first request (host-shims/core/warm_up.mjs) plans exactly as a fresh
// one, in both builds; the Worker makes and warms its core when it is created (its global scope),
// so its first request instantiates nothing; and a module that cannot start still answers 500.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Core } from "../../host-shims/core/core.mjs";
import { warmedCore } from "../../host-shims/core/warm_up.mjs";
import { createWorker } from "../../host-shims/worker/worker_app.mjs";
import { BENCH_CONFIG, WORKLOADS } from "../../bench/make_batch.mjs";
import { meta } from "../../bench/node_bench.mjs";

const root = fileURLToPath(new URL("../../", import.meta.url));
const encoder = new TextEncoder();
const compile = (file) => WebAssembly.compile(readFileSync(`${root}build/wasm/${file}`));

const quietly = async (fn) => {
  const logs = [];
  const realLog = console.log;
  console.log = (line) => logs.push(line);
  try {
    await fn();
  } finally {
    console.log = realLog;
  }
  return logs.map((l) => JSON.parse(l));
};

for (const file of ["ajs_edge.wasm", "ajs_edge_emscripten.wasm"]) {
  test(`${file}: a warmed-up core plans every workload byte for byte as a fresh one, for the queue and inline`, async () => {
    const module = await compile(file);
    const warm = warmedCore(module);
    const fresh = await Core.instantiate(module);
    for (const core of [warm, fresh]) core.configure(JSON.stringify(BENCH_CONFIG));
    for (const w of WORKLOADS) {
      const body = encoder.encode(w.body());
      for (const queue of [true, false]) {
        const m = { ...meta(w.path), queue };
        const a = warm.handleBytes(m, body);
        const b = fresh.handleBytes(m, body);
        assert.ok(a.length > 1000, `${w.name}: a plan with calls`);
        assert.ok(Buffer.from(a).equals(Buffer.from(b)), `${w.name} queue=${queue}: the same plan`);
      }
    }
  });
}

test("the warm-up's requests reach every destination of the demo source, for the queue and inline", async () => {
  const module = await compile("ajs_edge.wasm");
  const seen = [];
  const handle = Core.prototype.handle;
  Core.prototype.handle = function (m, body) {
    const plan = handle.call(this, m, body);
    seen.push({ path: new URL(m.url).pathname, queue: m.queue, status: plan.status, calls: plan.callCount, messages: plan.messages.length });
    return plan;
  };
  try {
    warmedCore(module);
  } finally {
    Core.prototype.handle = handle;
  }
  // The beacon: capture, Gist's event, Gainsight, PX. The batch of four: capture 4, Gist 4 (the
  // track's and the page's events, the identify's and the group's contacts), Gainsight 3 (not the
  // page), PX 4.
  assert.deepEqual(seen, [
    { path: "/v1/t", queue: true, status: 200, calls: 4, messages: 1 },
    { path: "/v1/batch", queue: true, status: 200, calls: 15, messages: 1 },
    { path: "/v1/t", queue: false, status: 200, calls: 4, messages: 0 },
    { path: "/v1/batch", queue: false, status: 200, calls: 15, messages: 0 },
  ]);
});

test("the Worker makes and warms its core when created: its first request instantiates nothing and logs as before", async () => {
  const module = await compile("ajs_edge.wasm");
  const realInstantiate = WebAssembly.instantiate;
  let instantiated = 0;
  WebAssembly.instantiate = (...args) => {
    instantiated++;
    return realInstantiate(...args);
  };
  try {
    let worker;
    const atCreation = await quietly(() => {
      worker = createWorker(module);
    });
    assert.deepEqual(atCreation, [], "the warm-up logs nothing");
    let res;
    const logs = await quietly(async () => {
      res = await worker.fetch(new Request("https://edge.example.com/v1/t", { method: "POST", body: JSON.stringify({ writeKey: "demo-write-key", event: "Clicked", userId: "u1" }) }), {}, {});
    });
    assert.equal(res.status, 200);
    assert.equal(instantiated, 0, "the first request used the warmed core");
    assert.equal(logs[0].at, "config", "the demo's config line comes first, at the first request");
    const calls = await (await worker.fetch(new Request("https://edge.example.com/demo/calls"), {}, {})).json();
    assert.ok(JSON.stringify(calls).includes('"Clicked"'), "the request's calls are shown");
    assert.ok(!JSON.stringify(calls).includes("warm-up"), "the warm-up's are not");
  } finally {
    WebAssembly.instantiate = realInstantiate;
  }
});

test("a module that cannot start: the warm-up's failure is logged, and each request answers 500", async () => {
  // A valid module without the core's exports.
  const empty = new WebAssembly.Module(new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]));
  let worker;
  const atCreation = await quietly(() => {
    worker = createWorker(empty);
  });
  assert.equal(atCreation.length, 1);
  assert.equal(atCreation[0].at, "warm-up");
  assert.match(atCreation[0].error, /not a function|ajs_abi_version/);
  let res;
  const logs = await quietly(async () => {
    res = await worker.fetch(new Request("https://edge.example.com/v1/t", { method: "POST", body: "{}" }), {}, {});
  });
  assert.equal(res.status, 500);
  assert.equal((await res.json()).code, "internal_error");
  assert.ok(logs.some((l) => l.at === "instantiate"));
});

test("in plain workerd the Worker warms its core at startup without a word, and its first request is served", async () => {
  const { startPlainWorkerd } = await import("../support/plain_workerd.mjs");
  // No request before ours (ready once the socket accepts); the demo source: no config, no queue.
  const w = await startPlainWorkerd({ entry: "host-shims/worker/worker.mjs", readyOnSocket: true });
  try {
    const res = await fetch(`${w.url}/v1/t`, { method: "POST", body: JSON.stringify({ writeKey: "demo-write-key", event: "Clicked", userId: "u1" }), headers: { "content-type": "text/plain" } });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { success: true });
    const logged = w.lines.filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
    assert.ok(logged.some((l) => l.at === "config"), `the Worker's log reaches us: ${w.lines.join("\n")}`);
    assert.deepEqual(logged.filter((l) => l.at === "warm-up" || l.at === "instantiate"), [], "neither the warm-up nor the core's start failed");
  } finally {
    await w.stop();
  }
});

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
import { waitFor } from "../support/capture_server.mjs";

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
  // The settings document (no call). The beacon: capture, Gist's event, Gainsight, PX. The batch of
  // six (a browser's four types, a server's track and identify): capture 6, Gist 6 (the tracks' and
  // the page's events, the identifies' and the group's contacts), Gainsight 5 (not the page), PX 6.
  assert.deepEqual(seen, [
    { path: "/v1/projects/demo-write-key/settings", queue: false, status: 200, calls: 0, messages: 0 },
    { path: "/v1/t", queue: true, status: 200, calls: 4, messages: 1 },
    { path: "/v1/batch", queue: true, status: 200, calls: 23, messages: 1 },
    { path: "/v1/t", queue: false, status: 200, calls: 4, messages: 0 },
    { path: "/v1/batch", queue: false, status: 200, calls: 23, messages: 0 },
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

// The bindings a configured Worker has (bench/make_batch.mjs BENCH_CONFIG's secrets), its queue a stub.
const configuredEnv = (config = JSON.stringify(BENCH_CONFIG), sent = []) => ({
  AJS_EDGE_CONFIG: config,
  GIST_API_KEY: "gist-live-4f9c2a7e",
  GAINSIGHT_ACCESS_KEY: "35a84f9e-7084-47a1-b8a5-593444e9e862",
  GAINSIGHT_PX_API_KEY: "AP-SECRET-TAG-KEY-2",
  DELIVERY_QUEUE: { async sendBatch(batch) { sent.push(...batch); } },
});

// Counts the core's calls of `method` while fn runs.
async function counting(method, fn) {
  const real = Core.prototype[method];
  const calls = [];
  Core.prototype[method] = function (...args) {
    const out = real.apply(this, args);
    calls.push(method === "handle" ? { path: new URL(args[0].url).pathname, queue: args[0].queue, status: out.status, calls: out.callCount } : args[0]);
    return out;
  };
  try {
    await fn();
  } finally {
    Core.prototype[method] = real;
  }
  return calls;
}

test("given the bindings at startup, the Worker reads its configuration and warms up through its source when created; its first request reads nothing again and logs as before", async () => {
  const module = await compile("ajs_edge.wasm");
  const sent = [];
  const env = configuredEnv(undefined, sent);
  let worker;
  let atCreation;
  const configured = await counting("configure", async () => {
    const handled = await counting("handle", async () => {
      atCreation = await quietly(() => {
        worker = createWorker(module, { env });
      });
    });
    // The demo's five, then the configured source's settings, beacon and batch, for the queue (its
    // mode): Gist 4 (its default settings send no page and no group), Gainsight 5, PX 6.
    assert.deepEqual(handled.slice(5), [
      { path: "/v1/projects/wk_bench/settings", queue: false, status: 200, calls: 0 },
      { path: "/v1/t", queue: true, status: 200, calls: 3 },
      { path: "/v1/batch", queue: true, status: 200, calls: 15 },
    ]);
  });
  assert.deepEqual(configured, ["", env.AJS_EDGE_CONFIG], "the demo's, then the Worker's");
  assert.deepEqual(atCreation, [], "the warm-up logs nothing");
  assert.deepEqual(sent, [], "nothing of the warm-up is queued");
  let res;
  let logs;
  const again = await counting("configure", async () => {
    logs = await quietly(async () => {
      res = await worker.fetch(new Request("https://edge.example.com/v1/t", { method: "POST", body: JSON.stringify({ writeKey: "wk_bench", event: "Clicked", userId: "u1" }) }), env, {});
    });
  });
  assert.equal(res.status, 200);
  assert.deepEqual(again, [], "the first request configures nothing");
  assert.deepEqual(logs.map((l) => l.at), ["delivery-mode", "config", "ingest"], "the configuration's lines, at the first request as before");
  assert.equal(logs[1].warning, "rate limiting off: no RATE_LIMIT_WRITE_KEY, RATE_LIMIT_CLIENT_IP binding ([[ratelimits]] in wrangler.toml)");
  assert.equal(sent.length, 1, "the request's calls, in one message");
  assert.ok(new TextDecoder().decode(sent[0].body).includes('"messageId"'), "the request's own");
  assert.ok(!new TextDecoder().decode(sent[0].body).includes("warm-up"), "none of the warm-up's");
});

test("given a configuration that fails at startup, the Worker logs nothing when created; its first request answers 500 and logs why, as before", async () => {
  const module = await compile("ajs_edge.wasm");
  for (const env of [configuredEnv('{"sources": 7}'), { ...configuredEnv(), GIST_API_KEY: undefined }]) {
    let worker;
    const atCreation = await quietly(() => {
      worker = createWorker(module, { env });
    });
    assert.deepEqual(atCreation, []);
    let res;
    const logs = await quietly(async () => {
      res = await worker.fetch(new Request("https://edge.example.com/v1/t", { method: "POST", body: "{}" }), env, {});
    });
    assert.equal(res.status, 500);
    assert.equal((await res.json()).code, "misconfigured");
    assert.equal(logs.length, 1);
    assert.equal(logs[0].at, "config");
    assert.match(logs[0].error, /sources|GIST_API_KEY/);
  }
});

test("a warm-up through the configured source that fails at startup is logged; nothing of it is kept, and the first request starts afresh", async () => {
  const module = await compile("ajs_edge.wasm");
  const env = configuredEnv();
  const handle = Core.prototype.handle;
  let worker;
  let atCreation;
  Core.prototype.handle = function (m, body) {
    if (new URL(m.url).pathname === "/v1/batch" && body.length && new TextDecoder().decode(body).includes('"wk_bench"')) throw new WebAssembly.RuntimeError("unreachable");
    return handle.call(this, m, body);
  };
  try {
    atCreation = await quietly(() => {
      worker = createWorker(module, { env });
    });
  } finally {
    Core.prototype.handle = handle;
  }
  assert.deepEqual(atCreation, [{ at: "warm-up", build: "wasi", error: "unreachable" }]);
  const realInstantiate = WebAssembly.instantiate;
  let instantiated = 0;
  WebAssembly.instantiate = (...args) => {
    instantiated++;
    return realInstantiate(...args);
  };
  let res;
  let logs;
  try {
    logs = await quietly(async () => {
      res = await worker.fetch(new Request("https://edge.example.com/v1/t", { method: "POST", body: JSON.stringify({ writeKey: "wk_bench", event: "Clicked", userId: "u1" }) }), env, {});
    });
  } finally {
    WebAssembly.instantiate = realInstantiate;
  }
  assert.equal(res.status, 200);
  assert.equal(instantiated, 1, "a fresh core");
  assert.deepEqual(logs.map((l) => l.at), ["delivery-mode", "config", "ingest"], "the configuration read again, and logged once");
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
    // workerd writes a request's lines to stdout on its own schedule, maybe after the answer.
    const linesLogged = () => w.lines.filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
    await waitFor(() => linesLogged().some((l) => l.at === "ingest"), { what: () => `the ingest line among: ${w.lines.join("\n")}` });
    const logged = linesLogged();
    assert.ok(logged.some((l) => l.at === "config"), `the Worker's log reaches us: ${w.lines.join("\n")}`);
    assert.deepEqual(logged.filter((l) => l.at === "warm-up" || l.at === "instantiate"), [], "neither the warm-up nor the core's start failed");
  } finally {
    await w.stop();
  }
});

test("in plain workerd a Worker given its startup bindings (cloudflare:workers env) starts without a word; its first request is served and the configuration's lines are logged once, at it", async () => {
  const { startPlainWorkerd } = await import("../support/plain_workerd.mjs");
  // The Worker as the CPU benchmark makes it: worker_app's createWorker with workerd's startup env,
  // its queue a stub that keeps nothing.
  const env = configuredEnv();
  delete env.DELIVERY_QUEUE;
  const w = await startPlainWorkerd({
    entry: "bench/cpu_core_worker.mjs",
    readyOnSocket: true,
    bindings: env,
    durableObjects: { DELIVERY_LEDGER: "DeliveryLedger", DELIVERY_OPS: "DeliveryOps", DELIVERY_PAYLOADS: "DeliveryPayloads" },
  });
  try {
    await new Promise((r) => setTimeout(r, 200));
    const logged = () => w.lines.filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
    assert.deepEqual(logged(), [], `nothing at startup: ${w.lines.join("\n")}`);
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`${w.url}/v1/t`, { method: "POST", body: JSON.stringify({ writeKey: "wk_bench", event: "Clicked", userId: "u1" }), headers: { "content-type": "text/plain" } });
      assert.equal(res.status, 200);
    }
    // The lines reach stdout on workerd's schedule, maybe after the answer: wait for both ingests.
    await waitFor(() => logged().filter((l) => l.at === "ingest").length >= 2, { what: () => `two ingest lines among: ${w.lines.join("\n")}` });
    assert.deepEqual(logged().map((l) => l.at), ["delivery-mode", "config", "ingest", "ingest"], w.lines.join("\n"));
    assert.equal(logged()[0].mode, "queue");
  } finally {
    await w.stop();
  }
});

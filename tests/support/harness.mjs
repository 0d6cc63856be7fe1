// Runs the Worker inside real workerd (Miniflare).
import { Miniflare } from "miniflare";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));

export const BUILDS = [
  { name: "wasi", script: "host-shims/worker/worker.mjs" },
  { name: "emscripten", script: "host-shims/worker/worker_emscripten.mjs" },
];

// The builds the workerd suites run on: wasi only. What the core decides is the same in both
// builds byte for byte (tests/core/build_parity.test.mjs, over the fuzz corpus), the host code is
// shared, and emscripten_smoke.test.mjs starts the Emscripten Worker in workerd. Set
// AJS_WORKERD_BUILDS=all to run every suite on both (after a toolchain change, say).
export const WORKERD_BUILDS = process.env.AJS_WORKERD_BUILDS === "all" ? BUILDS : BUILDS.slice(0, 1);

// bindings: {AJS_EDGE_CONFIG?, GIST_API_KEY?, …}; returns {fetch(path, init), logs, mf, dispose()}.
// Queues, Durable Objects, KV and Rate Limiting go through as Miniflare spells them (queueProducers,
// queueConsumers, durableObjects, kvNamespaces, ratelimits: {NAME: {simple: {limit, period}}});
// deliveryOptions() below gives the durable set.
export async function startWorker(build, { bindings = {}, log = false, queueProducers, queueConsumers, durableObjects, kvNamespaces, ratelimits } = {}) {
  const logs = [];
  // Mutation testing (stryker.config.mjs) picks its mutant through the environment variable
  // __STRYKER_ACTIVE_MUTANT__, which code inside workerd cannot see. Only when it is set: it goes in
  // as a text binding, and nodejs_compat_populate_process_env puts it in `process.env` before the
  // modules load, where the instrumented code reads it.
  const mutant = process.env.__STRYKER_ACTIVE_MUTANT__;
  if (mutant) bindings = { ...bindings, __STRYKER_ACTIVE_MUTANT__: mutant };
  const mf = new Miniflare({
    rootPath: root,
    modules: true,
    scriptPath: build.script,
    modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
    compatibilityDate: "2025-04-01",
    ...(mutant ? { compatibilityFlags: ["nodejs_compat", "nodejs_compat_populate_process_env"] } : {}),
    bindings,
    ...(queueProducers ? { queueProducers } : {}),
    ...(queueConsumers ? { queueConsumers } : {}),
    ...(durableObjects ? { durableObjects } : {}),
    ...(kvNamespaces ? { kvNamespaces } : {}),
    ...(ratelimits ? { ratelimits } : {}),
    cf: false,
    handleRuntimeStdio(stdout, stderr) {
      for (const stream of [stdout, stderr]) {
        stream.on("data", (chunk) => {
          for (const line of chunk.toString().split("\n")) if (line.trim()) logs.push(line);
          if (log) process.stderr.write(chunk);
        });
      }
    },
  });
  await mf.ready;
  return {
    logs,
    mf,
    fetch: (path, init) => mf.dispatchFetch(new URL(path, "https://edge.example.com").toString(), init),
    dispose: () => mf.dispose(),
  };
}

// The bindings of durable delivery, as wrangler.toml declares them: the queue and
// its dead-letter queue (both consumed by this Worker) and the three Durable Objects. `consumer`
// overrides the consumer settings (maxBatchSize, maxBatchTimeout in s, maxRetries).
export function deliveryOptions({ consumer = {} } = {}) {
  return {
    queueProducers: { DELIVERY_QUEUE: { queueName: "ajs-edge-delivery" } },
    queueConsumers: {
      "ajs-edge-delivery": { maxBatchSize: 100, maxBatchTimeout: 0.05, maxRetries: 20, deadLetterQueue: "ajs-edge-delivery-dlq", ...consumer },
      "ajs-edge-delivery-dlq": { maxBatchSize: 100, maxBatchTimeout: 0.05, maxRetries: 3 },
    },
    durableObjects: {
      DELIVERY_LEDGER: { className: "DeliveryLedger", useSQLite: true },
      DELIVERY_OPS: { className: "DeliveryOps", useSQLite: true },
      DELIVERY_PAYLOADS: { className: "DeliveryPayloads", useSQLite: true },
    },
  };
}

// The JSON log lines the Worker wrote, parsed (lines `from` up to `to`).
export function jsonLogs(logs, from = 0, to = logs.length) {
  const out = [];
  for (let i = from; i < to; i++) {
    const line = logs[i];
    const start = line.indexOf("{");
    if (start < 0) continue;
    try {
      out.push(JSON.parse(line.slice(start)));
    } catch {}
  }
  return out;
}

export const basic = (user, password = "") => `Basic ${Buffer.from(password === null ? user : `${user}:${password}`).toString("base64")}`;

// The Worker (worker_app.mjs around the wasi core) for the data-residency test
// (tests/durable/residency.test.mjs), its Durable Object namespaces watched: every object name a
// request asks for is recorded, and every jurisdiction() call (workerd has none: it throws, and
// host-shims/durable/residency.mjs names the object "<jurisdiction>/<name>" instead).
//   POST /test/names → {DELIVERY_LEDGER: [names…], DELIVERY_OPS: […], DELIVERY_PAYLOADS: […], jurisdictions: […]}
//   since the last call (then forgotten)
import wasmModule from "../../build/wasm/ajs_edge.wasm";
import { createWorker } from "../../host-shims/worker/worker_app.mjs";

export { DeliveryLedger, DeliveryOps, DeliveryPayloads } from "../../host-shims/durable/durable_objects.mjs";

const worker = createWorker(wasmModule, { build: "wasi" });
const BINDINGS = ["DELIVERY_LEDGER", "DELIVERY_OPS", "DELIVERY_PAYLOADS"];
let seen = { jurisdictions: [] };
const wrapped = new Map();

function watched(binding, ns) {
  let w = wrapped.get(ns);
  if (!w) {
    w = {
      idFromName: (name) => {
        (seen[binding] ??= []).push(name);
        return ns.idFromName(name);
      },
      get: (id) => ns.get(id),
      jurisdiction: (j) => {
        seen.jurisdictions.push(`${binding}:${j}`);
        return ns.jurisdiction(j);
      },
    };
    wrapped.set(ns, w);
  }
  return w;
}

const watch = (env) => ({ ...env, ...Object.fromEntries(BINDINGS.filter((b) => env[b]).map((b) => [b, watched(b, env[b])])) });

export default {
  async fetch(request, env, ctx) {
    if (request.method === "POST" && new URL(request.url).pathname === "/test/names") {
      const out = seen;
      seen = { jurisdictions: [] };
      return Response.json(out);
    }
    return worker.fetch(request, watch(env), ctx);
  },
  queue: (batch, env) => worker.queue(batch, watch(env)),
};

// The Worker (host-shims/worker/worker.mjs) for the CPU benchmark, its queue an in-isolate stub
// (bench/queue_stub.mjs), from startup on: the Worker reads its configuration with the bindings
// workerd gives it at startup (`cloudflare:workers` env), as worker.mjs makes it.
import wasmModule from "../build/wasm/ajs_edge.wasm";
import { env } from "cloudflare:workers";
import { createWorker } from "../host-shims/worker/worker_app.mjs";
import { withQueueStub } from "./queue_stub.mjs";

const worker = createWorker(wasmModule, { build: "wasi", env: withQueueStub(env) });
export { DeliveryLedger, DeliveryOps, DeliveryPayloads } from "../host-shims/durable/durable_objects.mjs";
export default { fetch: (request, env, ctx) => worker.fetch(request, withQueueStub(env), ctx) };

// The Worker (host-shims/worker/worker.mjs) for the CPU benchmark, its queue an in-isolate stub
// (bench/queue_stub.mjs).
import worker from "../host-shims/worker/worker.mjs";
import { withQueueStub } from "./queue_stub.mjs";

export { DeliveryLedger, DeliveryOps, DeliveryPayloads } from "../host-shims/durable/durable_objects.mjs";
export default { fetch: (request, env, ctx) => worker.fetch(request, withQueueStub(env), ctx) };

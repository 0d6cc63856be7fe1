// The plain-JS Worker (bench/js_worker.mjs) for the CPU benchmark, its queue an in-isolate stub
// (bench/queue_stub.mjs).
import worker from "./js_worker.mjs";
import { withQueueStub } from "./queue_stub.mjs";

export default { fetch: (request, env, ctx) => worker.fetch(request, withQueueStub(env), ctx) };

// The durable ingest path the benchmarks time, in every runtime (Node and workerd): request bytes
// in, the entries handed to the queue's sendBatch out. No Node imports: workerd loads it too.
import { planBatchJs, queueMessagesJs } from "./js_baseline.mjs";

// The Worker's durable path with the core (worker_app.mjs, deliver_queue.mjs enqueueCoreMessages):
// the core writes the messages; each goes to sendBatch as its bytes; the buffer they are in goes
// back to the pool once handed over (the Worker gives it back once sendBatch has resolved).
export function coreIngest(core) {
  // The workload's meta with `queue: true`, made once: a spread per call cost ~1.1 µs, and left an
  // object whose properties were slow to read, which neither the Worker (a literal per request) nor
  // the plain-JS side (the meta as given) pays.
  let given = null;
  let queued = null;
  return (m, bytes) => {
    if (m !== given) [given, queued] = [m, { ...m, queue: true }];
    const plan = core.handle(queued, bytes);
    const messages = plan.messages.map((x) => ({ body: x.bytes, contentType: "bytes" }));
    plan.release();
    return { calls: plan.callCount, messages };
  };
}

// The same durable path in plain JS: plan, then the queue messages as JSON text for sendBatch.
export function jsIngest(config) {
  return (m, bytes) => {
    const plan = planBatchJs(config, m, bytes);
    return { calls: plan.requests.length, messages: queueMessagesJs(plan).map((body) => ({ body, contentType: "text" })) };
  };
}


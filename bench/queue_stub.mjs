// A queue producer for the CPU benchmark (bench/workerd_cpu.mjs), in the Worker's own isolate:
// sendBatch serializes each body as the runtime does before it leaves the isolate (bytes copied,
// text encoded, json stringified and encoded) and drops it. Miniflare's queue broker runs inside the
// same workerd process, so a real binding would add its storing and scheduling to the Worker's CPU
// figure, which production does not.
const encoder = new TextEncoder();

export function withQueueStub(env) {
  let bytes = 0;
  const serialize = (m) => {
    if (m.contentType === "bytes") return new Uint8Array(m.body).length;
    if (m.contentType === "text") return encoder.encode(m.body).length;
    return encoder.encode(JSON.stringify(m.body)).length;
  };
  return { ...env, DELIVERY_QUEUE: { async sendBatch(batch) { for (const m of batch) bytes += serialize(m); }, async send(body, o) { bytes += serialize({ body, ...o }); } } };
}

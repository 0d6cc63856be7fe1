// The plain-JS baseline as a whole Worker in durable mode, for bench/workerd_cpu.mjs: the same job
// as host-shims/worker/worker.mjs on the ingest path (plan, one log line, the queue messages handed
// to sendBatch before the answer), written as plain JavaScript (bench/js_baseline.mjs).
import { planBatchJs, parseConfig, queueMessagesJs } from "./js_baseline.mjs";
import { sendAll } from "../host-shims/delivery/deliver_queue.mjs";

const encoder = new TextEncoder();
let config; // parsed once per isolate, as the Worker parses its configuration

export default {
  async fetch(request, env) {
    config ??= parseConfig(env.AJS_EDGE_CONFIG);
    const body = new Uint8Array(await request.arrayBuffer());
    const h = request.headers;
    const meta = {
      method: request.method,
      url: request.url,
      headers: { authorization: h.get("authorization") ?? "", origin: h.get("origin") ?? "", "cf-connecting-ip": h.get("cf-connecting-ip") ?? "" },
      receivedAt: Date.now(),
      seed: [...crypto.getRandomValues(new Uint8Array(8))].map((b) => b.toString(16).padStart(2, "0")).join(""),
    };
    const plan = planBatchJs(config, meta, body);
    console.log(JSON.stringify({ at: "ingest", path: new URL(request.url).pathname, status: plan.status, ...plan.counters, calls: plan.requests.length }));
    if (plan.requests.length > 0) {
      const messages = queueMessagesJs(plan).map((text) => ({ body: text, bytes: encoder.encode(text).length, contentType: "text" }));
      await sendAll(env.DELIVERY_QUEUE, messages);
    }
    return new Response(plan.replyBody, { status: plan.status, headers: plan.replyHeaders });
  },
};

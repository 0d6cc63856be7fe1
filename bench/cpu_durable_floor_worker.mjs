// The durable floor of the CPU benchmark (bench/workerd_cpu.mjs): what a Worker in durable mode
// spends on a request besides planning it. It reads the body, logs one line, hands the request's
// queue messages to sendBatch as bytes (as the Worker does) and answers; the messages, the line
// and the answer are the plain-JS Worker's for the same bytes, made on the first request of each
// body size and kept. A Worker whose planning cost nothing would cost this, so the plain-JS
// Worker's CPU over this one's bounds the ratio any core can reach in workerd.
import { planBatchJs, parseConfig, queueMessagesJs } from "./js_baseline.mjs";
import { sendAll } from "../host-shims/delivery/deliver_queue.mjs";
import { withQueueStub } from "./queue_stub.mjs";

const encoder = new TextEncoder();
let config;
const made = new Map(); // body length → what the plain-JS Worker made of that body

function make(request, env, body) {
  config ??= parseConfig(env.AJS_EDGE_CONFIG);
  const meta = { method: request.method, url: request.url, headers: { "cf-connecting-ip": request.headers.get("cf-connecting-ip") ?? "" }, receivedAt: Date.now(), seed: "0011223344556677" };
  const plan = planBatchJs(config, meta, body);
  const messages = plan.requests.length > 0 ? queueMessagesJs(plan).map((text) => encoder.encode(text)) : [];
  return { line: { at: "ingest", path: new URL(request.url).pathname, status: plan.status, ...plan.counters, calls: plan.requests.length }, messages, status: plan.status, replyBody: plan.replyBody, replyHeaders: plan.replyHeaders };
}

export default {
  async fetch(request, env) {
    const body = new Uint8Array(await request.arrayBuffer());
    let m = made.get(body.length);
    if (!m) made.set(body.length, (m = make(request, env, body)));
    console.log(JSON.stringify(m.line));
    if (m.messages.length > 0) await sendAll(withQueueStub(env).DELIVERY_QUEUE, m.messages.map((bytes) => ({ body: bytes, bytes: bytes.length, contentType: "bytes" })));
    return new Response(m.replyBody, { status: m.status, headers: m.replyHeaders });
  },
};

// @ts-check
// The core in a page: the Emscripten build of the same C++ core the Worker runs, planning an event
// the way the Worker would, with no request to any server. The event tester (site/tester/) and the
// analytics.js preview plugin (preview.mjs) are built on it. What is decided stays in the core:
// this file only builds the request the Worker would have received and reads the plan back.
import { Core, CoreError } from "../core/core.mjs";
import { randomSeed } from "../core/meta.mjs";
import { redactedHeaders } from "../worker/secrets.mjs";
import { loadCoreModule } from "./load_module.mjs";

export { CoreError };

const encoder = new TextEncoder();
const decoder = new TextDecoder();

// The single-message paths of Segment's tracking API (/v1/track, …: src/http/endpoint.cpp answers
// them as analytics.js and the server libraries call them). Anything else is posted as a batch,
// where the core says what is wrong with it.
const SINGLE_TYPES = new Set(["track", "identify", "page", "screen", "group", "alias"]);

const base64 = (text) => btoa(String.fromCharCode(...encoder.encode(text)));

function parseJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

// The request analytics.js (one message: /v1/<type>) or a server library (a batch) would make.
// input: a Segment message, a batch ({batch:[…]}), or an array of messages.
// scheme: the page's ("http" for a Worker under wrangler dev); the core plans the same either way.
export function requestFor(input, { writeKey, basePath = "", host = "localhost", origin = "", scheme = "https" }) {
  const isBatch = Array.isArray(input) || Array.isArray(input?.batch);
  const single = !isBatch && input !== null && typeof input === "object" && SINGLE_TYPES.has(input.type);
  const body = Array.isArray(input) ? { batch: input } : isBatch || single ? input : { batch: [input] };
  const headers = { "content-type": "application/json" };
  if (writeKey) headers.authorization = `Basic ${base64(`${writeKey}:`)}`;
  if (origin) headers.origin = origin;
  return { method: "POST", url: `${scheme}://${host}${basePath}/v1/${single ? input.type : "batch"}`, headers, body: JSON.stringify(body) };
}

export class Planner {
  /** @param {Core} core */
  constructor(core) {
    this.core = core;
    this.description = null;
  }

  // source: the URL of the Emscripten core (core.wasm), its bytes, or a compiled module.
  static async load(source) {
    return new Planner(await Core.instantiate(await loadCoreModule(source)));
  }

  // The configuration text ("" = the Worker's built-in demo). Returns what it describes
  // ({demo, basePath, sources:[{name, id, writeKey, destinations}], secrets, …}); throws CoreError
  // whose message names the bad field, as the Worker's log would.
  configure(text = "") {
    this.description = this.core.configure(text);
    return this.description;
  }

  // What the Worker would do with `input` (see requestFor) from the source of `writeKey`.
  /** @param {{writeKey?: string, host?: string, scheme?: string, origin?: string, receivedAt?: number, seed?: string}} [options] */
  plan(input, options = {}) {
    const { writeKey, host, scheme, origin = "", receivedAt = Date.now(), seed = randomSeed() } = options;
    if (!this.description) this.configure("");
    const request = requestFor(input, { writeKey, basePath: this.description.basePath ?? "", host, scheme, origin });
    return this.planRequest(request, { receivedAt, seed });
  }

  // One request as the Worker receives it: {method, url, headers: {name: value}, body: string}.
  planRequest(request, { receivedAt = Date.now(), seed = randomSeed() } = {}) {
    if (!this.description) this.configure("");
    const h = Object.fromEntries(Object.entries(request.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
    const meta = {
      method: request.method,
      url: request.url,
      headers: { authorization: h.authorization ?? "", origin: h.origin ?? "", "cf-connecting-ip": h["cf-connecting-ip"] ?? "", "access-control-request-headers": "" },
      receivedAt,
      seed,
      bodyTooLarge: false,
      bodyError: "",
      queue: false,
    };
    const plan = this.core.handle(meta, encoder.encode(request.body ?? ""));
    const replyText = decoder.decode(plan.replyBody);
    const reply = parseJson(replyText);
    return {
      request,
      status: plan.status,
      reply: reply ?? replyText,
      problem: reply?.ajsEdge?.problem ?? (plan.status >= 400 ? reply : undefined) ?? null,
      counters: plan.counters,
      calls: plan.requests.map((call) => ({
        destination: call.destination,
        method: call.method,
        url: call.url,
        headers: redactedHeaders(call), // secrets by binding name: their values never reach a page
        body: decoder.decode(call.body),
        messageId: call.messageId,
      })),
      notes: plan.notes,
    };
  }
}

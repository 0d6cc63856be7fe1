// The Worker's fetch handler around one core module: moves bytes in, applies the plan out.
// Everything that decides what to send is in the C++ core.
import { Core, CoreError } from "./core.mjs";
import { checkSecrets, SecretError } from "./secrets.mjs";
import { readBody } from "./body.mjs";
import { deliverInline } from "./deliver_inline.mjs";

const log = (entry) => console.log(JSON.stringify(entry));

function configText(env) {
  const c = env?.AJS_EDGE_CONFIG;
  if (c === undefined || c === null || c === "") return "";
  return typeof c === "string" ? c : JSON.stringify(c); // a [vars] table arrives as an object
}

function randomSeed() {
  const b = crypto.getRandomValues(new Uint8Array(8));
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

function errorResponse(status, code, message) {
  return new Response(JSON.stringify({ success: false, message, code }), {
    status,
    headers: { "content-type": "application/json" },
  });
}

export function createWorker(wasmModule, { build = "wasi" } = {}) {
  let corePromise = null; // one instance per isolate, created on first use
  let loaded = null; // {core, text, description} or {core, text, error}

  async function ready(env) {
    const core = await (corePromise ??= Core.instantiate(wasmModule));
    const text = configText(env);
    if (loaded?.core === core && loaded.text === text) return loaded;
    try {
      const description = core.configure(text);
      checkSecrets(description, env);
      loaded = { core, text, description };
      if (description.demo) {
        log({ at: "config", build, message: "no AJS_EDGE_CONFIG: serving the built-in demo source 'demo-write-key'; every planned call is printed (capture destination)" });
      }
    } catch (e) {
      if (!(e instanceof CoreError || e instanceof SecretError)) throw e;
      loaded = { core, text, error: { status: 500, code: e.code ?? "invalid_config", message: e.message } };
      log({ at: "config", build, error: e.message });
    }
    return loaded;
  }

  async function fetchHandler(request, env, ctx) {
    let state;
    try {
      state = await ready(env);
    } catch (e) {
      corePromise = null;
      log({ at: "instantiate", build, error: String(e?.message ?? e) });
      return errorResponse(500, "internal_error", "the core could not start");
    }
    if (state.error) return errorResponse(500, state.error.code, state.error.message);

    const method = request.method.toUpperCase();
    const body = method === "POST" || method === "PUT" || method === "PATCH" ? await readBody(request) : { bytes: new Uint8Array(0) };
    const h = request.headers;
    const meta = {
      method,
      url: request.url,
      headers: {
        authorization: h.get("authorization") ?? "",
        origin: h.get("origin") ?? "",
        "cf-connecting-ip": h.get("cf-connecting-ip") ?? "",
        "access-control-request-headers": h.get("access-control-request-headers") ?? "",
      },
      receivedAt: Date.now(),
      seed: randomSeed(),
      bodyTooLarge: !!body.tooLarge,
      bodyError: body.error ?? "",
    };

    let plan;
    try {
      plan = state.core.handle(meta, body.bytes);
    } catch (e) {
      if (e instanceof WebAssembly.RuntimeError) {
        // A trap may leave the heap inconsistent: start a fresh instance on the next request.
        corePromise = null;
        loaded = null;
        log({ at: "trap", build, path: new URL(request.url).pathname, error: e.message });
        return errorResponse(500, "internal_error", "internal error");
      }
      throw e;
    }

    if (plan.counters.received > 0 || plan.status >= 400) {
      log({ at: "ingest", path: new URL(request.url).pathname, status: plan.status, ...plan.counters, calls: plan.requests.length });
    }
    for (const note of plan.notes) if (note.kind === "dropped") log({ at: "note", ...note });
    if (plan.requests.length > 0) {
      const delivery = deliverInline(plan.requests, env, log).catch((e) => log({ at: "delivery", error: String(e) }));
      if (ctx?.waitUntil) ctx.waitUntil(delivery);
    }

    const headers = new Headers(plan.replyHeaders);
    const empty = plan.status === 204 || method === "HEAD";
    return new Response(empty ? null : plan.replyBody, { status: plan.status, headers });
  }

  return { fetch: fetchHandler };
}

// @ts-check
// The Worker's fetch handler around one core module: moves bytes in, applies the plan out.
// Everything that decides what to send is in the C++ core.
import { Core, CoreError } from "../core/core.mjs";
import { warmedCore, warmUp } from "../core/warm_up.mjs";
import { randomSeed } from "../core/meta.mjs";
import { checkSecrets, BindingError } from "./secrets.mjs";
import { readBody } from "./body.mjs";
import { deliverInline, MAX_ATTEMPTS as INLINE_MAX_ATTEMPTS } from "../delivery/deliver_inline.mjs";
import { enqueueCoreMessages } from "../delivery/deliver_queue.mjs";
import { consumeBatch } from "../delivery/consume_queue.mjs";
import { handleAdmin } from "../admin/admin.mjs";
import { Counters, flushCounters } from "../durable/ops.mjs";
import { watchReply } from "../durable/live.mjs";
import { deliveryLog, deliveryMode } from "../delivery/delivery_config.mjs";
import { CallLog } from "../delivery/call_log.mjs";
import { PlannedCalls } from "../demo/dry_run.mjs";
import { serveAsset, WRONG_PREFIX, wrongPrefixProblem } from "./assets.mjs";
import { geoOf } from "./geo.mjs";
import { checkRateLimiters, missingDefaultLimiters, overRateLimit, RETRY_AFTER_S } from "./rate_limits.mjs";

const log = (entry) => console.log(JSON.stringify(entry));

const configTexts = new WeakMap(); // a [vars] table arrives as an object: stringify it once

function configText(env) {
  const c = env?.AJS_EDGE_CONFIG;
  if (c === undefined || c === null || c === "") return "";
  if (typeof c === "string") return c;
  let text = configTexts.get(c);
  if (text === undefined) configTexts.set(c, (text = JSON.stringify(c)));
  return text;
}

function errorResponse(status, code, message, extraHeaders = {}) {
  return new Response(JSON.stringify({ success: false, message, code }), {
    status,
    headers: { "content-type": "application/json", ...extraHeaders },
  });
}

// What the public hears of a bad configuration: nothing of its content (it names secret bindings
// and sources). The detail goes to the log and to GET /admin/config.
const MISCONFIGURED = "this Worker is misconfigured; its operator finds the reason in the Worker's log or at GET /admin/config";

// Which delivery this isolate runs (delivery_config.mjs deliveryMode), announced once per
// configuration.
function deliveryModeLine(mode, env, build) {
  if (mode === "queue") {
    return { at: "delivery-mode", build, mode, durable: true, dedup: !!env.DELIVERY_LEDGER, deadLetters: !!env.DELIVERY_OPS, log: deliveryLog(env) };
  }
  return {
    at: "delivery-mode", build, mode, durable: false, log: deliveryLog(env),
    message: `DELIVERY_MODE is "inline": durability is off — calls are sent after the reply (ctx.waitUntil), ${INLINE_MAX_ATTEMPTS} attempts each, and are lost if those fail or the isolate stops`,
  };
}

// Dropped events one line each (the operator must see what was lost); routine skips (a page that
// a destination does not take) as one line of counts per request.
// The core marks every reply that refuses something (src/http/reply.hpp problem_header): its
// problem (code, message with the value seen, setting, docs) goes into the request's one log line.
const PROBLEM_HEADER = "x-ajs-edge-problem";
const decoder = new TextDecoder();
function problemOf(plan) {
  if (!plan.replyHeaders.some(([name]) => name === PROBLEM_HEADER)) return null;
  try {
    const body = JSON.parse(decoder.decode(plan.replyBody));
    const { code, message, setting, docs } = body.ajsEdge?.problem ?? body;
    return { code, message, setting, docs };
  } catch {
    return null;
  }
}

// One line a request: "ingest" for what reached ingest (counters, and the problem of a refusal),
// "not-found" for a path that names no endpoint, "settings" for a settings document served despite
// a mistake.
function logReply(plan, request, url) {
  const path = url.pathname;
  const problem = problemOf(plan);
  const origin = request.headers.get("origin") ?? undefined;
  if (plan.status === 404) log({ at: "not-found", path, status: 404, origin, ...problem });
  else if (plan.counters.received > 0 || plan.status >= 400)
    log({ at: "ingest", path, status: plan.status, ...(problem && { origin, ...problem }), ...plan.counters, calls: plan.callCount });
  else if (problem) log({ at: "settings", path, status: plan.status, origin, ...problem });
}

function logNotes(notes) {
  const skipped = {};
  for (const note of notes) {
    if (note.kind === "dropped") log({ at: "note", ...note });
    else skipped[note.reason] = (skipped[note.reason] ?? 0) + 1;
  }
  if (Object.keys(skipped).length > 0) log({ at: "skipped", counts: skipped });
}

// Inline delivery, its log lines counted per destination (GET /admin/stats).
async function deliverInlineCounted(requests, env) {
  const counters = new Counters();
  const calls = new CallLog(log, { mode: "inline", verbose: deliveryLog(env) === "calls" });
  const tap = (entry) => {
    if (entry.at === "delivery" && entry.destination) {
      if (entry.outcome === "ok") counters.add(entry.destination, "sent");
      else if (entry.outcome === "permanent") counters.add(entry.destination, "failed");
      else if (entry.outcome === "dropped") counters.add(entry.destination, "dropped");
      else counters.add(entry.destination, "retried");
    }
    calls.log(entry);
  };
  try {
    await deliverInline(requests, env, tap);
  } finally {
    calls.summary();
    await flushCounters(env, counters);
  }
}

// A host a person reaches only from their own machine or network (wrangler dev, HOST=0.0.0.0 on a
// LAN): loopback, localhost names, and the private IPv4 ranges.
const LOCAL_HOST = /^(localhost|.+\.localhost|\[::1\]|127\.\d+\.\d+\.\d+|10\.\d+\.\d+\.\d+|192\.168\.\d+\.\d+|172\.(1[6-9]|2\d|3[01])\.\d+\.\d+)$/;
const PUBLIC_DEMO_REFUSED =
  "no AJS_EDGE_CONFIG, but DELIVERY_QUEUE is bound: a Worker set up to deliver does not serve the built-in demo " +
  "on a public host (it would answer 200 and send nothing). Set AJS_EDGE_CONFIG (README.md: Configuration; " +
  "npm run check-config checks it)";

// `env`: the bindings at startup, where the platform gives them (workerd's `cloudflare:workers`).
export function createWorker(wasmModule, { build = "wasi", env: startEnv = null } = {}) {
  let publicDemoRefused = false; // logged once per isolate
  const warmUpFailed = (e) => log({ at: "warm-up", build, error: String(/** @type {any} */ (e)?.message ?? e) });
  // One instance per isolate, made and warmed up now, at the Worker's global scope (warm_up.mjs), or
  // else on first use: a module that cannot start fails there, where the request's answer says so.
  let corePromise = null;
  let warm = null;
  try {
    warm = warmedCore(wasmModule);
    corePromise = Promise.resolve(warm);
  } catch (e) {
    warmUpFailed(e);
  }
  let loaded = null; // {core, text, description} or {core, text, error}
  let startupLines = []; // what reading the configuration at startup said: logged on the first request, as before
  const demoCalls = new PlannedCalls();

  async function ready(env) {
    const core = await (corePromise ??= Core.instantiate(wasmModule));
    if (startupLines.length > 0) {
      for (const entry of startupLines) log(entry);
      startupLines = [];
    }
    const text = configText(env);
    if (loaded?.core === core && loaded.text === text) return loaded;
    return load(core, text, env);
  }

  // Reads the configuration into the core, checks its bindings, and says how it went.
  function load(core, text, env, say = log) {
    let description;
    try {
      description = core.configure(text);
      // The demo names secrets nobody set: it never sends, so it needs none (nor a queue).
      let mode = "dry-run";
      if (!description.demo) {
        checkSecrets(description, env);
        checkRateLimiters(description, env);
        mode = deliveryMode(env);
        deliveryLog(env);
      }
      // Sources kept in a jurisdiction (residency.mjs): the live view, in the default one, omits them.
      const resident = new Set((description.sources ?? []).filter((s) => s.residency).map((s) => s.id));
      loaded = { core, text, description, mode, resident };
      if (description.demo) {
        say({ at: "config", build, message: "no AJS_EDGE_CONFIG: serving the built-in demo source 'demo-write-key'; nothing is sent: every planned Gist, Gainsight and PX call is printed (dry run), and the latest are at GET /demo/calls" });
      } else {
        say(deliveryModeLine(mode, env, build));
      }
      const unlimited = missingDefaultLimiters(description, env);
      if (unlimited.length > 0) say({ at: "config", build, warning: `rate limiting off: no ${unlimited.join(", ")} binding ([[ratelimits]] in wrangler.toml)` });
    } catch (e) {
      if (!(e instanceof CoreError || e instanceof BindingError)) throw e;
      // A config the core read but a binding fails keeps its description: the admin routes still
      // answer under its basePath, where the operator looks for the reason.
      loaded = { core, text, description, error: { status: 500, code: e.code ?? "invalid_config", message: e.message } };
      say({ at: "config", build, error: e.message });
    }
    return loaded;
  }

  // Given the bindings at startup, the Worker reads its configuration now as well, and warms up
  // again through the first configured source, in the delivery mode it uses: reading the
  // configuration and the source's destinations then cost the first request nothing (a fresh
  // isolate's first beacon 8.9 -> 7.7 ms of CPU, its first 15-event batch 12.0 -> 9.2 on the main
  // thread; session 27, BENCHMARKS.md).
  if (warm && startEnv) {
    try {
      const state = load(warm, configText(startEnv), startEnv, (entry) => startupLines.push(entry));
      const source = state.description?.sources?.[0];
      if (!state.error && !state.description.demo && source) {
        warmUp(warm, source.writeKey, { basePath: state.description.basePath, modes: [state.mode === "queue"] });
      }
    } catch (e) {
      // Nothing is kept of it: the first request starts a fresh core and reads the configuration.
      corePromise = null;
      loaded = null;
      startupLines = [];
      warmUpFailed(e);
    }
  }

  // GET /admin/config: whether the configuration loaded, and why not.
  async function configStatus(env) {
    const state = await ready(env);
    if (state.error) return { ok: false, build, error: state.error };
    const d = state.description;
    return { ok: true, build, demo: d.demo, delivery: state.mode, secrets: (d.secrets ?? []).map((s) => s.binding), rateLimiters: d.rateLimiters ?? [], missingRateLimiters: missingDefaultLimiters(d, env) };
  }

  async function fetchHandler(request, env, ctx) {
    const url = new URL(request.url); // once a request: every route and log line below reads it
    let state;
    let startError = null;
    try {
      state = await ready(env);
    } catch (e) {
      startError = e;
    }
    // Admin routes answer whatever the state of the core (GET /admin/config says why it is broken),
    // also under the config's basePath (once the core has read it).
    const basePath = state?.description?.basePath ?? "";
    const admin = await handleAdmin(request, env, log, { configStatus: () => configStatus(env), configText: () => configText(env), basePath, url });
    if (admin) return admin;
    if (startError) {
      corePromise = null;
      log({ at: "instantiate", build, error: String(startError?.message ?? startError) });
      return errorResponse(500, "internal_error", "the core could not start");
    }
    if (state.error) return errorResponse(500, "misconfigured", MISCONFIGURED);
    const demo = state.description.demo;
    // A Worker with a delivery queue that lost its config (a deploy without AJS_EDGE_CONFIG) must not
    // become a public demo that answers 200 and sends nothing: the demo answers local hosts only
    // (wrangler dev binds the queue too).
    if (demo && env?.DELIVERY_QUEUE && !LOCAL_HOST.test(url.hostname)) {
      if (!publicDemoRefused) log({ at: "config", build, error: PUBLIC_DEMO_REFUSED });
      publicDemoRefused = true;
      return errorResponse(500, "misconfigured", MISCONFIGURED);
    }
    if (demo && request.method === "GET" && url.pathname === "/demo/calls") return demoCalls.response(request.url);
    const asset = await serveAsset(request, env, { demo });
    if (asset) {
      if (asset.headers.get(PROBLEM_HEADER) === WRONG_PREFIX) {
        log({ at: "not-found", path: url.pathname, status: 404, ...wrongPrefixProblem(url) });
      }
      return asset;
    }

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
      queue: !demo && state.mode === "queue", // the core writes the queue messages (enqueueCoreMessages)
      geo: geoOf(/** @type {any} */ (request).cf), // geo rules and location enrichment (src/http/request_geo.hpp)
    };

    let plan;
    try {
      plan = state.core.handle(meta, body.bytes);
    } catch (e) {
      if (e instanceof WebAssembly.RuntimeError) {
        // A trap may leave the heap inconsistent: start a fresh instance on the next request.
        corePromise = null;
        loaded = null;
        log({ at: "trap", build, path: url.pathname, error: e.message });
        return errorResponse(500, "internal_error", "internal error");
      }
      throw e;
    }

    logReply(plan, request, url);
    logNotes(plan.notes);
    const headers = new Headers(plan.replyHeaders);
    const limited = await overRateLimit(plan.rateLimits, env);
    if (limited) {
      // Nothing of this request is delivered; the client retries after the window.
      log({ at: "rate-limit", path: url.pathname, binding: limited.binding, key: limited.key, calls: plan.callCount });
      headers.set("content-type", "application/json");
      headers.set("retry-after", String(RETRY_AFTER_S));
      headers.delete("content-length");
      const body = { success: false, code: "rate_limited", message: `too many requests (${limited.binding}); retry after ${RETRY_AFTER_S} s` };
      return new Response(method === "HEAD" ? null : JSON.stringify(body), { status: 429, headers });
    }
    if (demo) {
      demoCalls.record(plan.requests, log);
    } else if (plan.callCount > 0 && state.mode === "queue") {
      // Durable: the client hears 200 only once every call is in the queue.
      try {
        await enqueueCoreMessages(plan.messages, env, log);
      } catch (e) {
        log({ at: "enqueue", error: String(e?.message ?? e), calls: plan.callCount });
        headers.set("content-type", "application/json");
        headers.set("retry-after", "5");
        headers.delete("content-length");
        const body = { success: false, code: "unavailable", message: "delivery queue unavailable; retry later" };
        return new Response(method === "HEAD" ? null : JSON.stringify(body), { status: 503, headers });
      } finally {
        plan.release(); // the messages' buffer: queued, or not at all
      }
    } else if (plan.callCount > 0) {
      // DELIVERY_MODE "inline", chosen by the operator.
      const delivery = deliverInlineCounted(plan.requests, env).catch((e) => log({ at: "delivery-error", error: String(e) }));
      if (ctx?.waitUntil) ctx.waitUntil(delivery);
    }

    // The operator console's live view: nothing unless it is armed, and then after the reply.
    watchReply(env, ctx, plan, { url: request.url, at: meta.receivedAt, body: body.bytes }, log, { omit: state.resident });
    const empty = plan.status === 204 || method === "HEAD";
    return new Response(empty ? null : plan.replyBody, { status: plan.status, headers });
  }

  // The consumer of DELIVERY_QUEUE and of its dead-letter queue (consume_queue.mjs).
  async function queueHandler(batch, env) {
    await consumeBatch(batch, env, log);
  }

  return { fetch: fetchHandler, queue: queueHandler };
}

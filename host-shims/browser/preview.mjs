// @ts-check
// The analytics.js preview plugin: in a development page, every event analytics.js is about to send
// is planned in the page by the Worker's own core (Planner), and the console shows what the Worker
// would do with it: one collapsed group per event naming each planned call (destination, method,
// URL, body) and each note, and a warning, before the event is sent, when the Worker would refuse
// it (status ≥ 400: too large, origin not allowed, unknown writeKey, …) or drop it for a
// destination (a "dropped" note: no email for Gist's identify, no user for its track, …).
//
//   import { preview } from "https://<worker><prefix>/ajs-edge/preview.js";
//   analytics.register(preview);                                  // the built-in demo config
//   analytics.register(createPreview({ adminToken: "…" }));       // this Worker's config
//   analytics.register(createPreview({ config: configText }));    // a config given as text
//
// It changes nothing: each hook returns the context untouched, never throws, and when the core
// cannot be loaded or configured it warns once and lets every event pass unplanned.
//
// Where it runs: an "enrichment" plugin. analytics-core's EventQueue.flushOne runs the "before"
// plugins (analytics.js's env enrichment, source middleware, the schema filter), then the
// enrichment plugins in the order they were registered, awaiting each, and only then, after a
// setTimeout, the destinations, Segment.io (the plugin that posts to the Worker) among them. So the
// preview sees the event as complete as analytics.js makes it, less what an enrichment plugin
// registered after this one adds, and its console output precedes the request.
//
// What it plans is the body the Segment.io plugin will post (segmentioBody below: its send and
// normalize, step by step: writeKey, userId/anonymousId from the stored user, alias's previousId,
// sentAt, _metadata), so for standard delivery the core sees the bytes analytics.js sends. What it
// cannot know: the client's IP (the Worker fills context.ip and Gist's last_seen_ip from
// CF-Connecting-IP; the preview has none); sentAt is taken a moment before analytics.js takes its
// own (the same millisecond in practice); with the batching delivery strategy analytics.js moves
// sentAt to the batch's envelope and posts /v1/b, which the Worker treats the same way per message.
// It plans with receivedAt = sentAt (no time in transit) and a random seed, posting to the config's
// basePath on the host analytics.js sends to (its apiHost).
//
// A page on another origin than the Worker's needs the Worker's assets to allow it (CORS) to import
// this module and fetch core.wasm; adminToken reads GET /admin/config/document, which answers only
// same-origin pages (no CORS): elsewhere, give `config`.
import { Planner } from "./planner.mjs";
import { prettyJson } from "./pretty_json.mjs";

const NAME = "ajs-edge preview";
const TAG = "ajs-edge preview:";
const CORE_TIMEOUT_MS = 10_000; // the first event waits at most this long for the core
const DEFAULT_API_HOST = "api.segment.io/v1"; // analytics-next's SEGMENT_API_HOST

/**
 * The body analytics-next's Segment.io plugin posts for `event` (src/plugins/segmentio: send, then
 * normalize), built the same way and in the same key order, without touching `event`.
 * @param {any} event ctx.event
 * @param {{user: {id: string|null, anonymousId: string|null}, settings?: any, integrations?: any,
 *   failedInitializations?: string[], attempts?: number, sentAt?: Date}} state
 *   settings: the Segment.io plugin's settings (the CDN settings' integrations["Segment.io"] merged
 *   with the load options'); integrations: the CDN settings' integrations.
 */
export function segmentioBody(event, { user, settings = {}, integrations = {}, failedInitializations = [], attempts = 1, sentAt = new Date() }) {
  // toFacade(event).json(): a copy of the event as it is. (The facade converts ISO date strings to
  // dates, but toFacade then points it back at the original event, so none of that is sent.) Only
  // top-level keys change below, so a shallow copy keeps `event` untouched, keys in their order.
  /** @type {any} */
  const json = { ...event };
  if (event.type === "track") delete json.traits;
  if (event.type === "alias") {
    json.previousId = json.previousId ?? json.from ?? user.id ?? user.anonymousId;
    json.userId = json.userId ?? json.to;
    delete json.from;
    delete json.to;
  }
  delete json.options;
  json.writeKey = settings.apiKey;
  json.userId = json.userId || user.id;
  json.anonymousId = json.anonymousId || user.anonymousId;
  json.sentAt = sentAt;
  if (failedInitializations.length > 0) json._metadata = { failedInitializations };
  if (attempts > 1) json._metadata = { ...json._metadata, retryCount: attempts };
  const bundled = [];
  const unbundled = [];
  for (const key in integrations) {
    if (key === "Segment.io") bundled.push(key);
    if (integrations[key]?.bundlingStatus === "bundled") bundled.push(key);
    if (integrations[key]?.bundlingStatus === "unbundled") unbundled.push(key);
  }
  for (const name of settings.unbundledIntegrations || []) if (!unbundled.includes(name)) unbundled.push(name);
  const configIds = settings.maybeBundledConfigIds ?? {};
  const bundledIds = [];
  for (const name of bundled.sort()) for (const id of configIds[name] ?? []) bundledIds.push(id);
  if (settings.addBundledMetadata !== false) json._metadata = { ...json._metadata, bundled: bundled.sort(), unbundled: unbundled.sort(), bundledIds };
  return json;
}

// What segmentioBody needs, read from the analytics instance (never written).
function analyticsState(analytics, ctx) {
  const cdnIntegrations = analytics.settings?.cdnSettings?.integrations ?? {};
  const override = analytics.options?.integrations?.["Segment.io"];
  const settings = { ...cdnIntegrations["Segment.io"], ...(typeof override === "object" && override !== null ? override : {}) };
  const user = analytics.user();
  return {
    user: { id: user.id(), anonymousId: user.anonymousId() },
    settings,
    integrations: cdnIntegrations,
    failedInitializations: analytics.queue?.failedInitializations ?? [],
    attempts: ctx.attempts ?? 1,
  };
}

const quoted = (value) => JSON.stringify(String(value));

// How the console names a message: track "Signed Up", identify "u_ada", page "Pricing", …
export function eventLabel(message) {
  const type = String(message?.type ?? "message");
  const named = {
    track: message?.event,
    page: message?.name ?? message?.properties?.name,
    screen: message?.name ?? message?.properties?.name,
    identify: message?.userId ?? message?.anonymousId,
    group: message?.groupId,
    alias: message?.userId,
  }[type];
  return named === undefined || named === null || named === "" ? type : `${type} ${quoted(named)}`;
}

const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;

/**
 * The console text for one planned message (a result of Planner.plan).
 * @returns {{title: string, lines: string[], warning: string|null}}
 */
export function describePlan(message, result) {
  const label = eventLabel(message);
  const refused = result.status >= 400;
  const title = `${TAG} ${label} → ${plural(result.calls.length, "call")}${refused ? ` (refused: ${result.status})` : ""}`;
  const lines = result.calls.map((call) => `${call.destination}: ${call.method} ${call.url}\n${prettyJson(call.body)}`);
  for (const note of result.notes) lines.push(`${note.kind}${note.destination ? ` at ${note.destination}` : ""}: ${note.reason}`);
  const reply = typeof result.reply === "string" ? result.reply : JSON.stringify(result.reply);
  lines.push(`the Worker answers ${result.status} ${reply}`);
  const problems = [];
  if (refused) {
    const p = result.problem ?? {};
    problems.push(`refuse it: ${result.status} ${p.code ?? ""}: ${p.message ?? reply}${p.setting ? ` (setting ${p.setting})` : ""}${p.docs ? `; see ${p.docs}` : ""}`);
  }
  for (const note of result.notes) {
    if (note.kind === "dropped") problems.push(note.destination ? `not send it to ${note.destination}: ${note.reason}` : `drop it: ${note.reason}`);
  }
  const warning = problems.length === 0 ? null : `${TAG} the Worker would ${problems.join("; and ")} — ${label}`;
  return { title, lines, warning };
}

function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, fail) => {
    timer = setTimeout(() => fail(new Error(`${what}: no answer after ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// The config text the Worker runs, from GET /admin/config/document on the Worker this module came
// from (admin routes are at the origin's root, not under the assets prefix).
async function configDocument(adminToken) {
  const url = new URL("/admin/config/document", import.meta.url);
  const response = await fetch(url, { headers: { authorization: `Bearer ${adminToken}` } });
  const text = await response.text();
  if (!response.ok) throw new Error(`GET ${url.href} answered ${response.status}: ${text.slice(0, 300)}`);
  const document = JSON.parse(text);
  if (typeof document?.text !== "string") throw new Error(`GET ${url.href}: no "text" in the answer`);
  return document.text;
}

/**
 * @param {{config?: string, adminToken?: string, log?: Pick<Console, "groupCollapsed"|"groupEnd"|"log"|"warn">,
 *   core?: string|URL|BufferSource|WebAssembly.Module}} [options]
 *   config: a configuration's text (AJS_EDGE_CONFIG); else adminToken: this Worker's, fetched with
 *   it; else the built-in demo config. log: where the output goes (console). core: the core's wasm
 *   (its URL, bytes or module; default: core.wasm next to this module).
 */
export function createPreview({ config, adminToken, log = console, core } = {}) {
  /** @type {any} */
  let analytics = null;
  /** @type {Promise<Planner|null>|null} */
  let planner = null;

  // Once, at the first event; a failure is one warning, then every event passes unplanned.
  async function start() {
    try {
      const source = core ?? new URL("./core.wasm", import.meta.url);
      const loaded = await withTimeout(Planner.load(/** @type {any} */ (source)), CORE_TIMEOUT_MS, "loading the core");
      const text = typeof config === "string" ? config : adminToken !== undefined ? await configDocument(adminToken) : "";
      loaded.configure(text);
      return loaded;
    } catch (e) {
      log.warn(`${TAG} not planning events: ${e?.message ?? e}. analytics.js sends them as usual.`);
      return null;
    }
  }

  function show(ready, ctx) {
    const segmentio = analytics.queue?.plugins?.find((p) => p.name === "Segment.io");
    // No Segment.io plugin (turned off at load), or turned off for this event: nothing is posted.
    if (!segmentio || ctx.event.integrations?.["Segment.io"] === false) {
      log.log(`${TAG} ${eventLabel(ctx.event)}: analytics.js does not send it (Segment.io is off), so the Worker never sees it`);
      return;
    }
    const state = analyticsState(analytics, ctx);
    const apiHost = String(state.settings.apiHost ?? segmentio?.metadata?.apiHost ?? DEFAULT_API_HOST);
    const sentAt = new Date();
    const body = segmentioBody(ctx.event, { ...state, sentAt });
    // Received the moment it is sent: the skew correction then keeps the client's timestamp.
    const result = ready.plan(body, {
      receivedAt: sentAt.getTime(),
      writeKey: body.writeKey,
      host: apiHost.split("/")[0],
      origin: /** @type {any} */ (globalThis).location?.origin ?? "",
    });
    const { title, lines, warning } = describePlan(body, result);
    log.groupCollapsed(title);
    for (const line of lines) log.log(line);
    log.groupEnd();
    if (warning) log.warn(warning);
  }

  async function previewEvent(ctx) {
    try {
      planner ??= start();
      const ready = await planner;
      if (ready && analytics && ctx?.event) show(ready, ctx);
    } catch (e) {
      try {
        log.warn(`${TAG} could not plan ${eventLabel(ctx?.event)}: ${e?.message ?? e}`);
      } catch {}
    }
    return ctx;
  }

  return {
    name: NAME,
    type: /** @type {const} */ ("enrichment"),
    version: "0.1.0",
    isLoaded: () => true,
    load: async (_ctx, instance) => {
      analytics = instance;
    },
    track: previewEvent,
    identify: previewEvent,
    page: previewEvent,
    group: previewEvent,
    alias: previewEvent,
    screen: previewEvent,
  };
}

// The built-in demo config (the Worker with no AJS_EDGE_CONFIG, writeKey demo-write-key).
export const preview = createPreview();
export default preview;

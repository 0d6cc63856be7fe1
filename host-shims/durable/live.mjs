// @ts-check
// The operator console's live view (like Segment's Source Debugger): the last requests each source
// had accepted, with a summary of their events. It costs nothing while nobody watches: the console
// *arms* it for some minutes (POST /admin/live), which stores an `until` time in the "live" object
// of DELIVERY_OPS (ops_do.mjs); each isolate caches that time and reads it again at most every
// LIVE_REFRESH_MS, and only for requests it would record. While armed, every request the core
// accepted (a 2xx with accepted events) is recorded after the reply (ctx.waitUntil): one call to
// the "live" object, which keeps a ring of the last LIVE_PER_SOURCE requests of at most
// LIVE_MAX_SOURCES sources, and forgets them LIVE_KEEP_MS after they were recorded, or when disarmed.
// The summaries are for display: built here from the body's JSON, never used to decide anything.

export const LIVE_OBJECT = "live";
export const LIVE_DEFAULT_MINUTES = 10;
export const LIVE_MAX_MINUTES = 60;
export const LIVE_REFRESH_MS = 15_000;
export const LIVE_PER_SOURCE = 50;
export const LIVE_MAX_SOURCES = 20;
export const LIVE_KEEP_MS = 3_600_000;
export const LIVE_EVENTS_PER_REQUEST = 20;
export const LIVE_EVENT_JSON_CHARS = 2048;
const FIELD_CHARS = 200;
const SOURCE_ID = /^[0-9a-f]{1,64}$/;

// analytics.js's short paths and the long ones (src/http/endpoint.cpp): the path names the type.
const PATH_TYPES = { t: "track", i: "identify", p: "page", s: "screen", g: "group", a: "alias" };
for (const type of Object.values(PATH_TYPES)) PATH_TYPES[type] = type;

export const liveEnabled = (env) => typeof env?.ADMIN_TOKEN === "string" && env.ADMIN_TOKEN !== "" && !!env?.DELIVERY_OPS;
export const liveStub = (env) => env.DELIVERY_OPS.get(env.DELIVERY_OPS.idFromName(LIVE_OBJECT));

// This isolate's view of `until` (ms; 0: not armed) and when it was read.
const isolate = { until: 0, readAt: -Infinity, reading: /** @type {Promise<void> | null} */ (null), failed: false };

// What the admin routes learnt (they run in some isolate too): that isolate knows at once.
export function noteLiveUntil(until) {
  isolate.until = until ?? 0;
  isolate.readAt = Date.now();
}

async function armedUntil(env, log) {
  if (Date.now() - isolate.readAt >= LIVE_REFRESH_MS) {
    isolate.reading ??= (async () => {
      try {
        noteLiveUntil(await liveStub(env).liveUntil());
        isolate.failed = false;
      } catch (e) {
        isolate.readAt = Date.now(); // not again before LIVE_REFRESH_MS
        if (!isolate.failed) log({ at: "live", error: `live view state not read: ${e?.message ?? e}` });
        isolate.failed = true;
      } finally {
        isolate.reading = null;
      }
    })();
    await isolate.reading;
  }
  return isolate.until;
}

// The source ids a plan files the request under (the core's plan.sources; "" or none: unknown).
const sourcesOf = (plan) => (Array.isArray(plan.sources) ? plan.sources : [plan.source ?? ""]).filter((s) => typeof s === "string" && SOURCE_ID.test(s));

// Called for every reply the core planned: records an accepted request while the view is armed.
// Never delays nor fails the reply: the work, the state read included, goes to ctx.waitUntil, and
// when this isolate knows nobody watches, nothing is done at all.
// request: {url, at, body (the request's bytes, as the core read them)}
// omit: source ids never recorded (a source kept in a jurisdiction: the live object is not).
export function watchReply(env, ctx, plan, request, log, { omit = null } = {}) {
  if (plan.status < 200 || plan.status > 299 || !(plan.counters?.accepted > 0)) return;
  if (!liveEnabled(env) || typeof ctx?.waitUntil !== "function") return;
  const now = Date.now();
  if (now - isolate.readAt < LIVE_REFRESH_MS && !(isolate.until > now)) return;
  const sources = sourcesOf(plan).filter((id) => !omit?.has(id));
  if (sources.length === 0) return;
  const { status, counters } = plan;
  const record = async () => {
    if (!((await armedUntil(env, log)) > Date.now())) return;
    const path = new URL(request.url).pathname;
    const entry = { at: request.at, path: clip(path, FIELD_CHARS), status, counters: { ...counters }, ...liveSummaries(request.body, path) };
    await liveStub(env).recordLive(sources, entry);
  };
  ctx.waitUntil(record().catch((e) => log({ at: "live", error: `request not recorded: ${e?.message ?? e}` })));
}

const decoder = new TextDecoder();

function clip(text, max) {
  if (text.length <= max) return text;
  const code = text.charCodeAt(max - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? max - 1 : max); // never half a surrogate pair
}

const field = (value) => (typeof value === "string" ? clip(value, FIELD_CHARS) : typeof value === "number" && Number.isFinite(value) ? String(value) : null);

// {events: [{type, event, name, userId, anonymousId, messageId, json}] (at most
// LIVE_EVENTS_PER_REQUEST; json: the event clipped to LIVE_EVENT_JSON_CHARS), more: events left out}.
// A body that is not JSON is one entry of type "unreadable" saying so, with its text clipped.
export function liveSummaries(bytes, path) {
  const text = decoder.decode(bytes);
  let body;
  try {
    body = JSON.parse(text);
  } catch (e) {
    const error = `the body is not JSON this page can read (${String(e?.message ?? e).slice(0, FIELD_CHARS)})`;
    return { events: [{ type: "unreadable", event: null, name: null, userId: null, anonymousId: null, messageId: null, error, json: clip(text, LIVE_EVENT_JSON_CHARS) }], more: 0 };
  }
  const last = String(path).split("/").pop() ?? "";
  const pathType = Object.hasOwn(PATH_TYPES, last) ? PATH_TYPES[last] : null;
  const messages = !pathType && Array.isArray(body?.batch) ? body.batch : [body];
  const events = messages.slice(0, LIVE_EVENTS_PER_REQUEST).map((m) => {
    const message = m !== null && typeof m === "object" && !Array.isArray(m) ? m : {};
    return {
      type: pathType ?? field(message.type),
      event: field(message.event),
      name: field(message.name),
      userId: field(message.userId),
      anonymousId: field(message.anonymousId),
      messageId: field(message.messageId),
      json: clip(JSON.stringify(m) ?? "null", LIVE_EVENT_JSON_CHARS),
    };
  });
  return { events, more: messages.length - events.length };
}

// The admin side (admin.mjs): arm for `minutes`, read what was recorded after `after`, disarm.
export async function armLive(env, minutes) {
  const until = Date.now() + minutes * 60_000;
  noteLiveUntil(await liveStub(env).armLive(until));
  return { armed: true, until: isolate.until };
}

// → {armed, until (ms, or null), sources: {id: [{seq, at, path, status, counters, events, more}]}
// newest last, more: true when there is more to read after the last seq}
export async function readLive(env, after) {
  const { until, sources, more } = await liveStub(env).readLive(after);
  noteLiveUntil(until);
  return { armed: until !== null && until > Date.now(), until, sources, more: !!more };
}

export async function disarmLive(env) {
  await liveStub(env).disarmLive();
  noteLiveUntil(0);
  return { armed: false, until: null };
}

// @ts-check
// Operator endpoints, answered by the host before the core sees the request. They exist only
// when the ADMIN_TOKEN secret is set, and need `Authorization: Bearer <ADMIN_TOKEN>`.
//   GET    /admin/stats                        per-destination counters, delivery mode
//   GET    /admin/stats/series[?minutes=60]    the counters a minute, the last 1…1440 minutes:
//                                              {stepMs, start, buckets, destinations: {d: {counter: [n…]}}}
//   GET    /admin/config                       options.configStatus(): {ok:true,…} or {ok:false,error}
//   GET    /admin/config/document              {demo, text}: the configuration text this Worker runs
//                                              ("" for the demo), for the event tester. It names
//                                              secret bindings, never their values
//   GET    /admin/dead-letters[?limit&after&destination]   summaries, oldest first; `next` pages on
//   GET    /admin/dead-letters/<id>            one dead letter, its queue message included
//   DELETE /admin/dead-letters/<id>            discard it
//   POST   /admin/dead-letters/replay          {"ids":[…]} or {"all":true} (or ?id=…): queue again
//   POST   /admin/live                         {"minutes":10} (1…60): arm the live view → {armed, until}
//   GET    /admin/live[?after=<seq>]           {armed, until, sources: {id: [request…]}} (live.mjs)
//   DELETE /admin/live                         disarm, and forget what was recorded
// A malformed request is a 400 JSON {success:false, code:"invalid_request", message}; anything
// unexpected a 500 JSON {success:false, code:"internal_error"} (the detail goes to the log only).
import { deadLetterStore, readCounters, readCounterSeries, SERIES_KEEP_MINUTES, parseCursor, CursorError, cursorOf, ID_MAX_CHARS } from "../durable/ops.mjs";
import { enqueueChains } from "../delivery/deliver_queue.mjs";
import { deletePayload } from "../durable/payloads.mjs";
import { deliveryMode } from "../delivery/delivery_config.mjs";
import { armLive, disarmLive, readLive, LIVE_DEFAULT_MINUTES, LIVE_MAX_MINUTES } from "../durable/live.mjs";

const PREFIX = "/admin/";
const REPLAY_PAGE = 100;
const REPLAY_MAX_PAGES = 50; // one request replays at most 5,000; call again for more
const MAX_IDS = 1000;

const json = (status, value, headers = {}) =>
  new Response(JSON.stringify(value), { status, headers: { "content-type": "application/json", "cache-control": "no-store", ...headers } });

class BadRequest extends Error {}
const invalid = (message) => json(400, { success: false, code: "invalid_request", message });

const encoder = new TextEncoder();

// Compares the SHA-256 digests of both: the time depends on neither the content nor the length
// of the token presented.
async function sameSecret(given, expected) {
  const [x, y] = await Promise.all([given, expected].map(async (t) => new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(t)))));
  let diff = 0;
  for (let i = 0; i < x.length; i++) diff |= x[i] ^ y[i];
  return diff === 0;
}

// A dead-letter id: a non-empty string of at most ID_MAX_CHARS.
function checkId(id, where) {
  if (typeof id !== "string") throw new BadRequest(`${where}: a dead-letter id is a string`);
  if (id === "" || id.length > ID_MAX_CHARS) throw new BadRequest(`${where}: a dead-letter id has 1 to ${ID_MAX_CHARS} characters`);
  return id;
}

function decodeSegment(segment) {
  let id;
  try {
    id = decodeURIComponent(segment);
  } catch {
    throw new BadRequest("the dead-letter id in the path is not valid percent-encoding");
  }
  return checkId(id, "path");
}

// The route under /admin/ (or under <basePath>/admin/, where the pages reach it on a Worker routed
// at a path only: host-shims/browser/assets_prefix.mjs), or null when this is no admin request.
export function adminRoute(url, env, basePath = "") {
  if (typeof env?.ADMIN_TOKEN !== "string" || env.ADMIN_TOKEN === "") return null;
  for (const prefix of basePath ? [PREFIX, `${basePath}${PREFIX}`] : [PREFIX]) {
    if (url.pathname.startsWith(prefix)) return url.pathname.slice(prefix.length).replace(/\/+$/, "");
  }
  return null;
}

// null: not an admin request (the core answers it, 404 included).
// options.configStatus: () => {ok: true, …} | {ok: false, error: {code, message}} (GET /admin/config)
// options.configText: () => the AJS_EDGE_CONFIG text ("" = the demo) (GET /admin/config/document)
// options.basePath: the config's basePath, under which the admin routes answer too
// options.url: the request's URL, when the caller has parsed it already
export async function handleAdmin(request, env, log, options = {}) {
  let url = options.url;
  try {
    url ??= new URL(request.url);
  } catch {
    return null;
  }
  const path = adminRoute(url, env, options.basePath ?? "");
  if (path === null) return null;
  try {
    if (!(await sameSecret(request.headers.get("authorization") ?? "", `Bearer ${env.ADMIN_TOKEN}`))) {
      return json(401, { success: false, code: "unauthorized", message: "Authorization: Bearer <ADMIN_TOKEN> required" }, { "www-authenticate": 'Bearer realm="ajs-edge admin"' });
    }
    return await route(request, url, path, env, log, options);
  } catch (e) {
    if (e instanceof BadRequest || e instanceof CursorError) return invalid(e.message);
    log({ at: "admin", error: String(e?.message ?? e), path: url.pathname.slice(0, 200), method: request.method });
    return json(500, { success: false, code: "internal_error", message: "the admin request failed; see the Worker's log" });
  }
}

async function route(request, url, path, env, log, options) {
  const method = request.method.toUpperCase();
  const store = deadLetterStore(env);

  if (path === "stats" && method === "GET") {
    const { scope, counters } = await readCounters(env);
    const deadLetters = store ? await store.total() : null;
    // The one rule (delivery_config.mjs); a Worker it refuses reports the default, not durable.
    let mode = "queue";
    try {
      mode = deliveryMode(env);
    } catch {}
    return json(200, { mode, durable: mode === "queue" && !!env.DELIVERY_QUEUE, dedup: !!env.DELIVERY_LEDGER, scope, counters, deadLetters });
  }
  if (path === "stats/series" && method === "GET") {
    const minutes = url.searchParams.get("minutes");
    if (minutes !== null && !(/^\d{1,4}$/.test(minutes) && Number(minutes) >= 1 && Number(minutes) <= SERIES_KEEP_MINUTES)) {
      throw new BadRequest(`minutes: a whole number from 1 to ${SERIES_KEEP_MINUTES}`);
    }
    return json(200, await readCounterSeries(env, { minutes: minutes === null ? 60 : Number(minutes) }));
  }
  if (path === "stats/series") return json(405, { success: false, code: "method_not_allowed", message: `${method} ${url.pathname.slice(0, 200)}` });
  if (path === "live") return live(request, url, env, method);
  if (path === "config" && method === "GET") {
    if (typeof options.configStatus !== "function") return json(404, { success: false, code: "not_found", message: "no configuration status in this Worker" });
    return json(200, await options.configStatus());
  }
  if (path === "config/document" && method === "GET") {
    if (typeof options.configText !== "function") return json(404, { success: false, code: "not_found", message: "no configuration document in this Worker" });
    const text = options.configText();
    return json(200, { demo: text === "", text });
  }
  if (path !== "dead-letters" && !path.startsWith("dead-letters/")) return json(404, { success: false, code: "not_found", message: `no admin route ${url.pathname.slice(0, 200)}` });
  if (!store) return json(409, { success: false, code: "no_store", message: "no DELIVERY_OPS binding: dead letters are only logged" });

  if (path === "dead-letters" && method === "GET") {
    const q = url.searchParams;
    const limit = q.get("limit");
    if (limit !== null && !/^\d{1,6}$/.test(limit)) throw new BadRequest("limit: a whole number (at most 500 are returned)");
    const destination = q.get("destination");
    if (destination !== null && destination.length > 100) throw new BadRequest("destination: at most 100 characters");
    return json(200, await store.list({ limit: limit === null ? 100 : Math.max(1, Number(limit)), after: parseCursor(q.get("after")), destination: destination || undefined }));
  }
  if (path === "dead-letters/replay" && method === "POST") return replay(request, url, env, store, log);
  const one = path.match(/^dead-letters\/([^/]+)$/);
  if (one && method === "GET") {
    const [entry] = await store.get([decodeSegment(one[1])]);
    return entry ? json(200, entry) : json(404, { success: false, code: "not_found", message: "no such dead letter" });
  }
  if (one && method === "DELETE") {
    const messages = await store.delete([decodeSegment(one[1])]);
    for (const m of messages) if (typeof m?.ref === "string") await deletePayload(env, m.ref).catch(() => {});
    return json(messages.length ? 200 : 404, { deleted: messages.length });
  }
  if (path.startsWith("dead-letters/") && !one) return json(404, { success: false, code: "not_found", message: `no admin route ${url.pathname.slice(0, 200)}` });
  return json(405, { success: false, code: "method_not_allowed", message: `${method} ${url.pathname.slice(0, 200)}` });
}

async function live(request, url, env, method) {
  if (!env.DELIVERY_OPS) return json(409, { success: false, code: "no_store", message: "the live view needs the DELIVERY_OPS binding" });
  if (method === "GET") {
    const after = url.searchParams.get("after");
    if (after !== null && after !== "" && !/^\d{1,15}$/.test(after)) throw new BadRequest("after: the seq of the last request seen (a whole number)");
    return json(200, await readLive(env, after ? Number(after) : 0));
  }
  if (method === "POST") {
    const body = await jsonBody(request, '{"minutes":10}');
    const minutes = body.minutes ?? LIVE_DEFAULT_MINUTES;
    if (!Number.isInteger(minutes) || minutes < 1 || minutes > LIVE_MAX_MINUTES) throw new BadRequest(`minutes: a whole number from 1 to ${LIVE_MAX_MINUTES}`);
    return json(200, await armLive(env, minutes));
  }
  if (method === "DELETE") return json(200, await disarmLive(env));
  return json(405, { success: false, code: "method_not_allowed", message: `${method} ${url.pathname.slice(0, 200)}` });
}

// An optional JSON object body ({} when empty).
async function jsonBody(request, example) {
  const text = await request.text();
  if (text.trim() === "") return {};
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    throw new BadRequest("the body is not JSON");
  }
  if (body === null || typeof body !== "object" || Array.isArray(body)) throw new BadRequest(`the body is a JSON object: ${example}`);
  return body;
}

// The ids to replay, each once, in the order given; or {all: true}.
async function replayRequest(request, url) {
  const fromQuery = url.searchParams.getAll("id");
  if (fromQuery.length > 0) return { ids: uniqueIds(fromQuery, "id"), all: false };
  /** @type {any} */
  const body = await jsonBody(request, '{"ids":[…]} or {"all":true}');
  if (body.ids !== undefined && !Array.isArray(body.ids)) throw new BadRequest("ids: an array of dead-letter ids");
  const ids = body.ids === undefined ? [] : uniqueIds(body.ids, "ids");
  const all = body.all === true;
  if (ids.length === 0 && !all) throw new BadRequest('give {"ids":[…]}, {"all":true} or ?id=');
  if (ids.length > 0 && all) throw new BadRequest('give either "ids" or "all", not both');
  return { ids, all };
}

function uniqueIds(list, where) {
  if (list.length > MAX_IDS) throw new BadRequest(`${where}: at most ${MAX_IDS} ids a request`);
  return [...new Set(list.map((id) => checkId(id, where)))];
}

async function replay(request, url, env, store, log) {
  const { ids, all } = await replayRequest(request, url);
  if (!env.DELIVERY_QUEUE) return json(409, { success: false, code: "no_queue", message: "replay needs the DELIVERY_QUEUE binding" });

  let replayed = 0;
  let skipped = 0; // entries whose message is not a chain (a malformed message): left in place
  let after = null;
  for (let page = 0; page < (all ? REPLAY_MAX_PAGES : 1); page++) {
    let entries;
    if (all) {
      // The next page in the global order (summaries from every shard, merged), then those entries.
      const { items } = await store.list({ limit: REPLAY_PAGE, after });
      if (items.length === 0) break;
      after = parseCursor(cursorOf(items[items.length - 1]));
      entries = await store.get(items.map((i) => i.id));
      if (items.length < REPLAY_PAGE) page = REPLAY_MAX_PAGES; // the last page
    } else {
      entries = await store.get(ids);
    }
    const good = entries.filter((e) => e.message?.v === 1 && typeof e.message.destination === "string");
    skipped += entries.length - good.length;
    // Queued first, deleted after: a failure in between replays twice, and the ledger keeps
    // what was already delivered from being sent again.
    if (good.length) {
      await enqueueChains(good.map((e) => e.message), env, log, { replay: true });
      await store.delete(good.map((e) => e.id));
    }
    replayed += good.length;
  }
  log({ at: "admin", action: "replay", replayed, skipped });
  return json(200, { replayed, skipped, remaining: await store.total() });
}

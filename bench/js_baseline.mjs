// The benchmark's baseline: the core's job (src/ingest, src/route, src/destinations/{gist,
// gainsight,gainsight_px}) written as plain JavaScript, the way it would be written for production
// in a Worker. (request meta, body bytes, parsed config) → plan: the reply, and every outgoing call
// with its body as JSON text, in the core's order; then (queueMessagesJs) what a durable Worker
// hands its queue: the calls as ordered chains, bundled within the message limit, as JSON text.
// The bench and bench/js_baseline.test.mjs use it.
// The security rules (#10) are ported as the core has them (src/ingest/limits.hpp): the 32 KB limit
// on each message as written (with a batch envelope's context and integrations), their 1 MB
// expansion cap, the outgoing budget, the Gist tag cap and flattened-keys budget, dedup scopes and
// ordinals, and the rate-limit checks the host makes.
// Not ported: the settings/preflight endpoints, the capture destination, the 64-level JSON depth
// limit; JSON numbers follow JavaScript's model (no int64, 1.0 === 1).
import { MESSAGE_MAX_BYTES } from "../host-shims/delivery/deliver_queue.mjs";

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true }); // invalid UTF-8 is malformed JSON, as in the core

const EVENT_BYTES = 32 * 1024, BATCH_BYTES = 500 * 1024, BATCH_ITEMS = 2500;
const NORMALIZATION_BYTES = 512, ENVELOPE_EXPANSION_BYTES = 1024 * 1024, GIST_TAGS_PER_IDENTIFY = 20;
const GIST_FLATTENED_KEY_BYTES = 64 * 1024;
const BUDGET_BYTES_FACTOR = 4, BUDGET_BYTES_SLACK = 64 * 1024, BUDGET_CALLS_PER_MESSAGE = 32, BUDGET_CALLS_SLACK = 64;
const BUDGET_CALLS_MAX = 25000;
const TYPES = new Set(["track", "identify", "page", "screen", "group", "alias"]);
const SINGLE_PATHS = new Map([["t", "track"], ["i", "identify"], ["p", "page"], ["s", "screen"], ["g", "group"], ["a", "alias"]]
  .flatMap(([short, type]) => [[short, type], [type, type]]));
const OK_BODY = encoder.encode('{"success":true}');
const JSON_HEADER = ["content-type", "application/json"];
const RETRY_NOT_FOUND = 1; // call_flags (src/plan/plan.hpp)

// ---------- small value helpers ----------
const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
const text = (v) => (typeof v === "string" ? v : ""); // string_or_empty
const idText = (v) => (typeof v === "string" ? v : Number.isInteger(v) ? String(v) : ""); // ids may be numbers
const isSpace = (c) => c === 32 || c === 9 || c === 13 || c === 10;
function trim(s) { // the core trims ' ', \t, \r, \n only (String#trim trims more)
  let a = 0, b = s.length;
  while (a < b && isSpace(s.charCodeAt(a))) a++;
  while (b > a && isSpace(s.charCodeAt(b - 1))) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}
const floorDiv = (a, b) => (a - (((a % b) + b) % b)) / b;
function put(into, key, value) { // the first value written under a key wins
  if (Object.hasOwn(into, key)) return;
  if (key === "__proto__") Object.defineProperty(into, key, { value, enumerable: true, writable: true, configurable: true });
  else into[key] = value;
}

// ---------- ISO-8601 (src/ingest/timestamp.cpp) ----------
const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(?:[Zz]|([+-])(\d{2})(?::?(\d{2}))?)?)?$/;
const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
function daysFromCivil(y, m, d) {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400), yoe = y - era * 400;
  const doy = Math.floor((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1;
  return era * 146097 + yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy - 719468;
}
export function parseIso(s) { // → epoch ms, or undefined
  const m = ISO.exec(s);
  if (!m) return undefined;
  const y = +m[1], mo = +m[2], d = +m[3], h = +(m[4] ?? 0), mi = +(m[5] ?? 0), sec = +(m[6] ?? 0);
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  if (mo < 1 || mo > 12 || d < 1 || d > (mo === 2 && leap ? 29 : DAYS[mo - 1])) return undefined;
  if (h > 23 || mi > 59 || sec > 60) return undefined;
  let offset = 0;
  if (m[8]) {
    const oh = +m[9], om = +(m[10] ?? 0);
    if (oh > 23 || om > 59) return undefined;
    offset = (m[8] === "-" ? -1 : 1) * (oh * 60 + om);
  }
  const ms = m[7] ? +(m[7] + "00").slice(0, 3) : 0; // digits past the third are ignored
  return (daysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - offset * 60) * 1000 + ms;
}
export const formatIso = (ms) => new Date(ms).toISOString(); // years outside 0–9999 as ±YYYYYY, as the core

// ---------- Segment's dates (src/ingest/segment_dates.cpp): facade 3.2.7, new-date 1.0.3, @segment/isodate 1.0.3 ----------
const ISODATE = /^(\d{4})(?:-?(\d{2})(?:-?(\d{2}))?)?(?:([ T])(\d{2}):?(\d{2})(?::?(\d{2})(?:[,.](\d{1,}))?)?(?:(Z)|([+-])(\d{2})(?::?(\d{2}))?)?)?$/;
const STRICT_ISODATE = /^\d{4}-\d{2}-\d{2}/;
const LOCAL_ZONE_OFFSET = 0; // getTimezoneOffset(): local time is read as UTC, where Workers run
const MAX_TIME = 8.64e15;
function isodateParse(m) { // isodate.parse of ISODATE's match: Date.UTC (years 0–99 are 1900–1999), overflow rolling on
  let offset = 0;
  if (m[4] === " ") offset = LOCAL_ZONE_OFFSET;
  else if (m[10]) offset = (m[10] === "+" ? -1 : 1) * (+m[11] * 60 + (+m[12] || 0));
  return Date.UTC(+m[1], (+m[2] || 1) - 1, +m[3] || 1, +m[5] || 0, (+m[6] || 0) + offset, +m[7] || 0, m[8] ? +(m[8] + "00").slice(0, 3) : 0);
}
// new Date(string) beyond ISO: only RFC 2822 (toUTCString) and M/D/YYYY, as the core reads them.
const RFC2822 = /^(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), )?(\d{1,2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d{4}) (\d{2}):(\d{2})(?::(\d{2}))?(?: (?:(GMT|UTC|UT|Z)|([+-])(\d{2})(\d{2})))?$/;
const SLASHED = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?: (\d{2}):(\d{2})(?::(\d{2}))?)?$/;
function legacyDate(year, month, day, h, mi, sec, offset) { // V8's legacy parser: two-digit years, 24:00
  if (month < 1 || month > 12 || day < 1 || day > 31 || mi > 59 || sec > 59 || h > 24 || (h === 24 && (mi || sec))) return NaN;
  return Date.UTC(year < 50 ? year + 2000 : year < 100 ? year + 1900 : year, month - 1, day, h, mi + offset, sec);
}
function jsDateParse(s) {
  let m = RFC2822.exec(s);
  if (m) {
    const offset = m[7] ? 0 : m[8] ? (m[8] === "+" ? -1 : 1) * (+m[9] * 60 + +m[10]) : LOCAL_ZONE_OFFSET;
    return legacyDate(+m[3], "JanFebMarAprMayJunJulAugSepOctNovDec".indexOf(m[2]) / 3 + 1, +m[1], +m[4], +m[5], +(m[6] ?? 0), offset);
  }
  m = SLASHED.exec(s);
  return m ? legacyDate(+m[3], +m[1], +m[2], +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0), LOCAL_ZONE_OFFSET) : NaN;
}
function newDate(v) { // → epoch ms, or undefined for an Invalid Date
  let t = NaN, m;
  if (typeof v === "number") t = new Date(v < 31557600000 ? v * 1000 : v).getTime();
  else if (typeof v !== "string") return undefined;
  else if ((m = ISODATE.exec(v))) t = isodateParse(m);
  else if (/\d{13}/.test(v)) t = new Date(parseInt(v, 10)).getTime();
  else if (/\d{10}/.test(v)) t = new Date(parseInt(v, 10) * 1000).getTime();
  else t = jsDateParse(v);
  return Number.isNaN(t) ? undefined : t;
}
// isodate-traverse (strict) then JSON.stringify: what replaces the string `s`, or undefined if it stays.
function traversedDate(s) {
  if (s.length < 10 || s[4] !== "-" || !STRICT_ISODATE.test(s)) return undefined;
  const m = ISODATE.exec(s);
  const iso = m ? new Date(isodateParse(m)).toISOString() : s;
  return iso === s ? undefined : iso;
}
function traverseChanges(v) {
  if (typeof v === "string") return traversedDate(v) !== undefined;
  if (v !== null && typeof v === "object") for (const k in v) if (traverseChanges(v[k])) return true;
  return false;
}

// ---------- generated messageIds (src/ingest/message_id.cpp) ----------
const M64 = (1n << 64n) - 1n;
function splitmix64(x) {
  x = (x + 0x9e3779b97f4a7c15n) & M64;
  x = ((x ^ (x >> 30n)) * 0xbf58476d1ce4e5b9n) & M64;
  x = ((x ^ (x >> 27n)) * 0x94d049bb133111ebn) & M64;
  return x ^ (x >> 31n);
}
function generatedMessageId(receivedAt, seed, index) {
  const i = BigInt(index), hi = splitmix64(seed ^ (i << 32n)), lo = splitmix64(hi ^ i);
  const hex = (v, n) => v.toString(16).padStart(n, "0");
  return `ajs-edge-${receivedAt}-${hex(hi >> 32n, 8)}-${hex((hi >> 16n) & 0xffffn, 4)}-${hex(0x4000n | (hi & 0xfffn), 4)}-` +
    `${hex(0x8000n | ((lo >> 48n) & 0x3fffn), 4)}-${hex(lo & 0xffffffffffffn, 12)}`;
}

// ---------- config (parsed once, outside the timed part) ----------
const BINDING = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
function secretName(settings, key, path) {
  const name = settings[key]?.secret;
  if (typeof name !== "string" || !BINDING.test(name)) throw new Error(`${path}.${key}: must be {"secret": "BINDING_NAME"}`);
  return name;
}
function baseUrl(settings, key, fallback, path, insecureOk) {
  const url = settings[key] ?? fallback;
  if (typeof url !== "string" || !/^https?:\/\/[^ \t\r\n]*$/.test(url)) throw new Error(`${path}.${key}: must be an https:// URL`);
  if (url.startsWith("http://") && !insecureOk) // the credentials would cross the network in clear text
    throw new Error(`${path}.${key}: must be an https:// URL (for local tests, set "allowInsecureEndpoints": true)`);
  return url.replace(/\/+$/, "");
}
// FNV-1a 64 of the UTF-8 bytes, as 16 hex digits (src/config/config.cpp hash_hex): names a source
// and a destination account in dedup scopes and rate-limit keys.
function hashHex(s) {
  let h = 0xcbf29ce484222325n;
  for (const byte of encoder.encode(s)) h = ((h ^ BigInt(byte)) * 0x100000001b3n) & M64;
  return h.toString(16).padStart(16, "0");
}
// "<config key>:<source id>:<hash of endpoint and region as written, then the secret bindings>"
function scopeOf(key, sourceId, settings, secrets, path) {
  let account = "";
  for (const k of ["endpoint", "region"]) if (typeof settings[k] === "string") account += `${k}=${settings[k]}\n`;
  for (const secret of secrets) account += `secret=${secretName(settings, secret, path)}\n`;
  return `${key}:${sourceId}:${hashHex(account)}`;
}
// {"writeKey": BINDING | null | false, "clientIp": …}; left out (or rateLimits null): the default.
function rateLimitBinding(limits, key, fallback, path) {
  const v = limits?.[key];
  if (v === undefined) return fallback;
  if (v === null || v === false) return "";
  if (typeof v !== "string" || !BINDING.test(v)) throw new Error(`${path}.rateLimits.${key}: must name a rate limiting binding, or be null (no limit)`);
  return v;
}
const DESTINATIONS = {
  gist: { name: "Gist", secrets: ["apiKey"], make: makeGist },
  gainsight: { name: "Gainsight", secrets: ["accessKey"], make: makeGainsight },
  gainsightPx: { name: "Gainsight Px Cloud (Actions)", secrets: ["apiKey"], make: makeGainsightPx },
};
export function parseConfig(json) {
  const root = typeof json === "string" ? JSON.parse(json) : json;
  const basePath = typeof root.basePath === "string" ? root.basePath.replace(/\/+$/, "") : "";
  const insecureOk = root.allowInsecureEndpoints === true;
  const sources = (root.sources ?? []).map((s, i) => {
    if (typeof s.writeKey !== "string" || !s.writeKey) throw new Error(`sources[${i}].writeKey: required`);
    const id = hashHex(s.writeKey);
    if (s.rateLimits != null && !isObject(s.rateLimits)) throw new Error(`sources[${i}].rateLimits: must be an object`);
    const destinations = Object.entries(s.destinations ?? {}).map(([key, settings]) => {
      const kind = Object.hasOwn(DESTINATIONS, key) ? DESTINATIONS[key] : undefined;
      const path = `sources[${i}].destinations.${key}`;
      if (!kind) throw new Error(`${path}: destination not in the JS baseline`);
      return { key, name: kind.name, consent: settings.consentCategories ?? [], plan: kind.make(settings, path, insecureOk),
        scope: scopeOf(key, id, settings, kind.secrets, path) };
    });
    return { writeKey: s.writeKey, id, allowedOrigins: s.allowedOrigins ?? [], destinations, rejectInvalidEvents: s.rejectInvalidEvents === true,
      rateLimitWriteKey: rateLimitBinding(s.rateLimits, "writeKey", "RATE_LIMIT_WRITE_KEY", `sources[${i}]`),
      rateLimitClientIp: rateLimitBinding(s.rateLimits, "clientIp", "RATE_LIMIT_CLIENT_IP", `sources[${i}]`) };
  });
  if (sources.length === 0) throw new Error("sources: required, a non-empty list of sources");
  return { basePath, sources, byKey: new Map(sources.map((s) => [s.writeKey, s])) };
}
const originAllowed = (source, origin) => source.allowedOrigins.length === 0 || source.allowedOrigins.some((o) => o === "*" || o === origin);

// ---------- the plan ----------
class Plan {
  constructor() {
    this.status = 200; this.replyHeaders = []; this.replyBody = OK_BODY;
    this.requests = []; this.notes = []; this.counters = { received: 0, accepted: 0, rejected: 0 }; this.rateLimits = [];
    // (scope, messageId) → calls so far, keyed `${scope}|${messageId}`: scopes hold no "|", so two
    // different pairs never share a key.
    this.scope = ""; this.ordinals = new Map();
    this.outgoingBytes = 0; this.maxCalls = Infinity; this.maxBytes = Infinity;
  }
  request(destination, url, headers, body, e, flags = 0) {
    const key = this.scope + "|" + e.messageId, ordinal = this.ordinals.get(key) ?? 0;
    this.ordinals.set(key, ordinal + 1);
    this.outgoingBytes += textBytes(body); // per call: a body two calls share is sent twice
    this.requests.push({ destination, method: "POST", url, headers, body, messageId: e.messageId, orderKey: e.orderKey, scope: this.scope, ordinal, flags });
  }
  note(kind, destination, messageId, reason) { this.notes.push({ kind, destination, messageId, reason }); }
  // limits.hpp: what one request may make the host send.
  setBudget(bodyBytes, messages) {
    messages ||= 1;
    this.maxCalls = Math.min(BUDGET_CALLS_PER_MESSAGE * messages + BUDGET_CALLS_SLACK, BUDGET_CALLS_MAX);
    this.maxBytes = BUDGET_BYTES_FACTOR * (bodyBytes + NORMALIZATION_BYTES * messages) + BUDGET_BYTES_SLACK;
  }
  overBudget() { return this.requests.length > this.maxCalls || this.outgoingBytes > this.maxBytes; }
  // Over budget, nothing planned is sent: the calls and notes go, and all the request's `messages`
  // are counted as rejected.
  refuse(messages) {
    const problem = invalid(`refused: this request would make the Worker send ${this.requests.length}+ calls / ${this.outgoingBytes}+ bytes, ` +
      `over its budget of ${this.maxCalls} calls and ${this.maxBytes} bytes ` +
      `(32 calls a message + 64, at most ${BUDGET_CALLS_MAX}; 4 x (request bytes + 512 a message) + 64 KB)`);
    this.requests = []; this.notes = []; this.ordinals.clear(); this.outgoingBytes = 0;
    this.counters = { received: messages, accepted: 0, rejected: messages };
    problem.docs = DOCS.security;
    return problem;
  }
}
// UTF-8 bytes of a text: its length when it is ASCII (most bodies), else encoded.
const ASCII = /^[\x00-\x7f]*$/;
const textBytes = (s) => (ASCII.test(s) ? s.length : encoder.encode(s).length);

// ---------- the durable path: the plan's calls as queue messages ----------
// One chain per destination and order key (userId, else anonymousId), calls in plan order, secrets
// named, a destination's method and headers once per chain; consecutive chains bundled while a
// message stays within MESSAGE_MAX_BYTES. The message form is the core's (src/plan/queue_messages.hpp):
// the chains' JSON with a bodyLength per call, a newline, the bodies as they are.
const wireHeader = (h) => (h.secret ? { name: h.name, secret: h.secret, format: h.format } : { name: h.name, value: h.value });
export function queueMessagesJs(plan) {
  const chains = new Map();
  for (const r of plan.requests) {
    const id = r.destination + "\u0000" + r.orderKey;
    let chain = chains.get(id);
    // The chain names its first call's method, headers, url and dedup scope; a call names its own
    // where they differ, and its key's ordinal (the key is scope|messageId|ordinal).
    if (!chain) chains.set(id, (chain = { v: 1, destination: r.destination, orderKey: r.orderKey, method: r.method, headers: r.headers, wire: r.headers.map(wireHeader), url: r.url, scope: r.scope, calls: [], bodies: [], bodyBytes: 0 }));
    const call = {};
    if (r.method !== chain.method) call.method = r.method;
    if (r.headers !== chain.headers) call.headers = r.headers.map(wireHeader);
    if (r.url !== chain.url) call.url = r.url;
    if (r.scope !== chain.scope) call.scope = r.scope;
    call.bodyLength = textBytes(r.body);
    call.messageId = r.messageId;
    if (r.messageId) call.ordinal = r.ordinal;
    if (r.flags) call.flags = r.flags;
    chain.calls.push(call);
    chain.bodies.push(r.body);
    chain.bodyBytes += call.bodyLength;
  }
  const messages = [];
  let group = [], size = 0;
  const flush = () => {
    if (group.length === 1) messages.push(`${group[0].envelope}\n${group[0].bodies.join("")}`);
    else if (group.length > 1) messages.push(`{"v":2,"chains":[${group.map((g) => g.envelope).join(",")}]}\n${group.map((g) => g.bodies.join("")).join("")}`);
    group = [];
    size = 20; // {"v":2,"chains":[]} and the newline
  };
  flush();
  for (const { v, destination, orderKey, method, wire, url, scope, calls, bodies, bodyBytes } of chains.values()) {
    const envelope = JSON.stringify({ v, destination, orderKey, method, headers: wire, url, scope, calls }), bytes = textBytes(envelope) + bodyBytes;
    if (group.length > 0 && size + bytes > MESSAGE_MAX_BYTES) flush();
    group.push({ envelope, bodies });
    size += bytes + 1;
  }
  flush();
  return messages;
}

// A refusal: what was wrong with the value seen, the setting that controls it, the README section
// (src/core/problem.hpp).
const DOCS = { whatItAccepts: "README.md: What it accepts (Segment's tracking API)", configuration: "README.md: Configuration", security: "README.md: Security" };
class Problem { constructor(status, code, message, setting = "", docs = "") { Object.assign(this, { status, code, message, setting, docs }); } }
const invalid = (message) => new Problem(400, "invalid_request", message, "", DOCS.whatItAccepts);
const unauthorized = (message, setting) => new Problem(401, "unauthorized", message, setting, DOCS.configuration);
// A writeKey as a refusal shows it: its first 6 printable ASCII characters (src/http/reply.hpp).
const writeKeyHint = (key) => `"${/^[\x21-\x7e]{0,6}/.exec(key)[0]}…"`;
function quotedClip(text, max) {
  const bytes = encoder.encode(text);
  let cut = bytes.length;
  if (cut > max) { // at most `max` bytes, whole characters, as the core cuts them
    cut = max;
    while (cut > 0 && (bytes[cut] & 0xc0) === 0x80) cut--;
    text = decoder.decode(bytes.subarray(0, cut));
  }
  return `"${text.replace(/[\x00-\x1f"]/g, "?")}${cut < bytes.length ? "…" : ""}"`;
}
const MISSING_KEY = "writeKey missing: send it in the body or as Basic auth (base64 of 'writeKey:')";

function basicUsername(header) {
  const m = /^[ \t]*basic [ \t]*([A-Za-z0-9+/_-]*)=*[ \t]*$/i.exec(header);
  if (!m || m[1].length % 4 === 1) return "";
  const binary = atob(m[1].replace(/-/g, "+").replace(/_/g, "/"));
  const name = new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
  return name.split(":")[0];
}

export function planBatchJs(config, meta, bodyBytes) {
  const out = new Plan();
  const headers = meta.headers ?? {};
  const origin = text(headers.origin);
  const url = text(meta.url), scheme = url.indexOf("://");
  if (scheme < 0) throw new Error("request meta has no absolute url");
  const slash = url.indexOf("/", scheme + 3);
  let path = slash < 0 ? "/" : url.slice(slash).split(/[?#]/)[0];
  const asked = path;
  const notFound = (problem) => { reject(out, problem); cors(config, out, origin, false); return out; };
  if (config.basePath && !path.startsWith(config.basePath))
    return notFound(new Problem(404, "not_found", `no such endpoint: ${quotedClip(asked, 200)} is outside basePath ${quotedClip(config.basePath, 100)}, under which this Worker serves every endpoint`, "basePath", DOCS.configuration));
  path = path.slice(config.basePath.length);
  if (path.length > 1 && path.endsWith("/")) path = path.slice(0, -1);
  const name = path.startsWith("/v1/") ? path.slice(4) : "";
  const batch = name === "b" || name === "batch" || name === "import";
  const single = SINGLE_PATHS.get(name);
  if (!batch && !single) return notFound(new Problem(404, "not_found", `no such endpoint: ${quotedClip(asked, 200)}`, "", DOCS.whatItAccepts)); // settings, metrics: not ported
  if (text(meta.method).toUpperCase() !== "POST") {
    reject(out, new Problem(405, "method_not_allowed", `use POST on this endpoint, not ${quotedClip(text(meta.method), 20)}`, "", DOCS.whatItAccepts));
    out.replyHeaders.push(["allow", "POST, OPTIONS"]);
    return out;
  }
  try {
    if (meta.bodyError) throw invalid(meta.bodyError);
    if (meta.bodyTooLarge || bodyBytes.length > (batch ? BATCH_BYTES : EVENT_BYTES))
      throw invalid(batch ? "request body exceeds the 500 KB batch limit" : "message exceeds the 32 KB limit");
    let root;
    try {
      root = JSON.parse(wellFormed(decoder.decode(bodyBytes)));
    } catch (err) {
      throw invalid(`malformed JSON: ${err.message}`);
    }
    if (!isObject(root)) throw invalid("body must be a JSON object");
    const receivedAt = Math.trunc(meta.receivedAt ?? 0);
    const clock = { receivedAtMs: receivedAt, receivedAt: formatIso(receivedAt), clientIp: text(headers["cf-connecting-ip"]),
      seed: BigInt.asUintN(64, BigInt("0x0" + text(meta.seed).slice(0, 16).replace(/[^0-9a-f]/gi, "0"))), generated: 0,
      basicKey: basicUsername(text(headers.authorization)), origin };
    if (batch) ingestBatch(config, clock, root, out, bodyBytes.length);
    else ingestSingle(config, clock, root, single, out, bodyBytes.length);
  } catch (err) {
    if (!(err instanceof Problem)) throw err;
    reject(out, err);
    cors(config, out, origin, err.code === "forbidden_origin");
    return out;
  }
  out.replyHeaders = [JSON_HEADER];
  cors(config, out, origin, false);
  return out;
}

// A lone surrogate escape ("\ud800" without its pair) reads as U+FFFD, as in the core
// (src/ingest/lone_surrogates.cpp): what is measured and sent is then valid UTF-8.
const LONE_SURROGATE = /\\(?:u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2}|u[dD][89a-fA-F][0-9a-fA-F]{2}|[^])/g;
function wellFormed(json) {
  if (!/\\u[dD][89a-fA-F]/.test(json)) return json;
  return json.replace(LONE_SURROGATE, (escape) => (escape.length === 6 ? "\\ufffd" : escape));
}

function reject(out, problem) {
  out.status = problem.status;
  const { message, code, setting, docs } = problem;
  out.replyBody = encoder.encode(JSON.stringify({ success: false, message, code, ...(setting && { setting }), ...(docs && { docs }) }));
  out.replyHeaders = [JSON_HEADER, ["x-ajs-edge-problem", code]];
  return out;
}

function cors(config, out, origin, refused) {
  if (origin && !refused && config.sources.some((s) => originAllowed(s, origin)))
    out.replyHeaders.push(["access-control-allow-origin", origin], ["access-control-allow-credentials", "true"], ["vary", "Origin"]);
}

function findSource(config, clock, ownKey) {
  const key = ownKey || clock.basicKey;
  if (!key) throw unauthorized(MISSING_KEY, "the client's writeKey");
  const source = config.byKey.get(key);
  if (!source) throw unauthorized(`unknown writeKey ${writeKeyHint(key)}: no source in the configuration (AJS_EDGE_CONFIG) has it`, "sources[].writeKey");
  if (clock.origin && !originAllowed(source, clock.origin))
    throw new Problem(403, "forbidden_origin", `origin ${quotedClip(clock.origin, 100)} is not allowed for writeKey ${writeKeyHint(key)}: add it to the source's allowedOrigins`,
      `sources[${config.sources.indexOf(source)}].allowedOrigins`, DOCS.configuration);
  return source;
}

// The request is counted by its sources' Rate Limiting bindings, which the host checks in order
// before anything is delivered: every client-IP limit first, so one noisy client does not use up
// its sources' budgets, then every writeKey limit.
function countRequest(sources, clock, out) {
  for (const source of sources)
    if (source.rateLimitClientIp && clock.clientIp) out.rateLimits.push({ binding: source.rateLimitClientIp, key: `ip:${source.id}:${clock.clientIp}` });
  for (const source of sources)
    if (source.rateLimitWriteKey) out.rateLimits.push({ binding: source.rateLimitWriteKey, key: "wk:" + source.id });
}

function ingestSingle(config, clock, message, type, out, bodyBytes) {
  const source = findSource(config, clock, text(message.writeKey));
  countRequest([source], clock, out);
  if (jsonBytes(message) > EVENT_BYTES) throw invalid("message exceeds the 32 KB limit"); // as written: 1e20 takes 21 bytes
  out.setBudget(bodyBytes, 1);
  out.counters.received++;
  const e = normalize(message, type, undefined, clock);
  if (typeof e === "string") {
    out.counters.rejected++;
    if (source.rejectInvalidEvents) throw invalid(REJECTIONS[e]);
    out.note("dropped", "", text(message.messageId), e); // Segment's way: 200, the event dropped
    return;
  }
  accept(e, source, out);
  if (out.overBudget()) throw out.refuse(1);
}

function ingestBatch(config, clock, envelope, out, bodyBytes) {
  const items = envelope.batch;
  if (!Array.isArray(items)) throw invalid("batch must be an array of messages");
  const envelopeKey = text(envelope.writeKey);
  const count = Math.min(items.length, BATCH_ITEMS);
  // Pass 1, before anything is planned: every key known and every message within the limit as it
  // will be delivered (the envelope's context, integrations and sentAt merged in); the copies the merge
  // makes are capped as a whole.
  const sources = new Array(count), counted = new Set(); // distinct sources, for the rate limits
  const sentAtExtra = envelopeSentAtSize(envelope);
  const envelopeExtra = envelopeMemberSize(envelope, "context") + envelopeMemberSize(envelope, "integrations") + sentAtExtra;
  let expansion = 0;
  for (let i = 0; i < count; i++) {
    const item = items[i];
    if (!isObject(item)) continue;
    const source = (sources[i] = findSource(config, clock, text(item.writeKey) || envelopeKey));
    counted.add(source);
    expansion += envelopeExtra;
    if (expansion > ENVELOPE_EXPANSION_BYTES)
      throw invalid(`the batch's context, integrations and sentAt, copied into each of its ${count} items, would add over ` +
        `${ENVELOPE_EXPANSION_BYTES / 1024} KB: send them in each item instead`);
    // Every item is measured as it will be written (a small request may still hold 1e20s).
    const size = jsonBytes(item);
    if (size + envelopeExtra > EVENT_BYTES &&
        size + mergedExtra(item, envelope, "context") + mergedExtra(item, envelope, "integrations") + (item.sentAt === undefined ? sentAtExtra : 0) > EVENT_BYTES)
      throw invalid(`batch[${i}] exceeds the 32 KB limit per message (the batch's context, integrations and sentAt included)`);
  }
  // A batch with no message to take a key from still needs a valid one (empty, or all invalid).
  if (counted.size === 0) counted.add(findSource(config, clock, envelopeKey));
  countRequest(counted, clock, out);
  out.setBudget(bodyBytes, count);
  // Pass 2: invalid messages are dropped and counted; valid ones go on, in order.
  const sentAt = text(envelope.sentAt);
  const sentAtMs = sentAt ? newDate(sentAt) : undefined;
  for (let i = 0; i < count; i++) {
    out.counters.received++;
    const item = items[i];
    if (!isObject(item)) {
      out.counters.rejected++;
      out.note("dropped", "", "", "not_an_object");
      continue;
    }
    mergeEnvelope(item, envelope, "context");
    mergeEnvelope(item, envelope, "integrations");
    const e = normalize(item, undefined, sentAtMs, clock, sentAt);
    if (typeof e === "string") {
      out.counters.rejected++;
      out.note("dropped", "", text(item.messageId), e);
      continue;
    }
    accept(e, sources[i], out);
    if (out.overBudget()) throw out.refuse(items.length);
  }
  // Items past the limit: counted, and one note for all of them.
  if (items.length > count) {
    out.counters.received += items.length - count;
    out.counters.rejected += items.length - count;
    out.note("dropped", "", "", "batch_item_limit");
  }
}

// Bytes of a value as the core writes it (src/json/serialized_size.cpp, write_json.cpp), counted
// without serializing: strings as UTF-8 with their quotes and escapes (only '"', '\\' and controls:
// \b \f \n \r \t, else \u00XX; U+2028 as is), numbers as JavaScript writes them.
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7f]*$/; // ASCII that is written as is
function utf8Bytes(s) {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c < 0xdc00 && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 2; // a surrogate pair: one 4-byte character
      i++;
    } else n += 2;
  }
  return n;
}
function stringBytes(s) {
  if (PLAIN.test(s)) return s.length + 2;
  let n = utf8Bytes(s) + 2;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 34 || c === 92) n += 1;
    else if (c < 0x20) n += c === 8 || c === 9 || c === 10 || c === 12 || c === 13 ? 1 : 5;
  }
  return n;
}
function jsonBytes(v) {
  if (typeof v === "string") return stringBytes(v);
  if (typeof v === "number") return String(v).length; // what JSON.stringify writes
  if (typeof v === "boolean") return v ? 4 : 5;
  if (v === null) return 4;
  let n = 2, members = 0; // brackets, then each member and the commas between them
  if (Array.isArray(v)) for (const item of v) n += jsonBytes(item), members++;
  else for (const key in v) n += stringBytes(key) + 1 + jsonBytes(v[key]), members++;
  return members > 0 ? n + members - 1 : n;
}

// At most what mergeEnvelope adds to any item: the envelope's member whole.
function envelopeMemberSize(envelope, key) {
  const v = envelope[key];
  return isObject(v) ? key.length + 4 + jsonBytes(v) : 0;
}
// What normalize adds to an item without a sentAt: the envelope's, as `,"sentAt":"…"`.
function envelopeSentAtSize(envelope) {
  const s = text(envelope.sentAt);
  return s ? "sentAt".length + 4 + stringBytes(s) : 0;
}
// Exactly what mergeEnvelope adds to this item (only for the rare item near the limit): each
// member it lacks, with its comma.
function mergedExtra(item, envelope, key) {
  const from = envelope[key];
  if (!isObject(from)) return 0;
  const into = item[key];
  if (!isObject(into)) return envelopeMemberSize(envelope, key);
  let extra = 0;
  for (const k in from) if (!Object.hasOwn(into, k)) extra += stringBytes(k) + 2 + jsonBytes(from[k]);
  return extra;
}

function mergeEnvelope(item, envelope, key) {
  const from = envelope[key];
  if (!isObject(from)) return;
  const into = item[key];
  if (!isObject(into)) item[key] = { ...from };
  else for (const k in from) put(into, k, from[k]);
}

// ---------- normalization (src/ingest/normalize.cpp) ----------
const REJECTIONS = {
  invalid_type: "type must be track, identify, page, screen, group or alias",
  missing_identity: "userId or anonymousId is required",
  missing_event: "track requires an event name",
  missing_group_id: "group requires a groupId",
  missing_previous_id: "alias requires a previousId",
};
function idField(message, key) { // "" and null read as absent; numeric ids become text
  const v = message[key];
  if (typeof v === "string") return v;
  const t = idText(v);
  if (t) message[key] = t;
  return t;
}
const hasText = (v) => (typeof v === "string" ? v !== "" : Number.isInteger(v));
const sentValue = (v) => (typeof v === "string" ? v || undefined : typeof v === "number" ? v : undefined); // a timestamp or sentAt

// → the event, or the reason (a string) it is rejected. Mutates `message` into its normalized form.
function normalize(message, fixedType, sentAtMs, clock, sentAtText = "") {
  const type = fixedType ?? message.type;
  if (!TYPES.has(type)) return "invalid_type";
  const userId = idField(message, "userId"), anonymousId = idField(message, "anonymousId");
  if (!userId && !anonymousId) return "missing_identity";
  if (type === "track" && !text(message.event)) return "missing_event";
  if (type === "group" && !hasText(message.groupId)) return "missing_group_id";
  if (type === "alias" && !hasText(message.previousId)) return "missing_previous_id";
  message.type = type;
  delete message.writeKey;
  let messageId = idField(message, "messageId");
  if (!messageId) message.messageId = messageId = generatedMessageId(clock.receivedAtMs, clock.seed, clock.generated++);
  // Clock-skew correction, as Segment documents it, each value read as facade reads it (newDate).
  const original = sentValue(message.timestamp);
  const clientTs = original === undefined ? undefined : newDate(original);
  const ownSentAt = sentValue(message.sentAt);
  const clientSent = ownSentAt !== undefined ? newDate(ownSentAt) : sentAtMs;
  if (ownSentAt === undefined && sentAtText && message.sentAt === undefined) message.sentAt = sentAtText;
  let timestamp = clock.receivedAtMs;
  if (clientTs !== undefined) {
    timestamp = clientTs;
    const corrected = clock.receivedAtMs - (clientSent - clientTs); // only to an instant a Date holds
    if (clientSent !== undefined && Math.abs(clock.receivedAtMs) <= MAX_TIME && Math.abs(corrected) <= MAX_TIME) timestamp = corrected;
  }
  if (original !== undefined && message.originalTimestamp === undefined) message.originalTimestamp = original; // a number stays one
  message.timestamp = formatIso(timestamp);
  message.receivedAt = clock.receivedAt;
  // context.ip for client-side events only, never IPv6; channel and version (src/ingest/normalize.cpp).
  const context = message.context;
  const client = isObject(context) && CLIENT_LIBRARIES.has(context.library?.name);
  if ((client || context?.direct === true) && clock.clientIp && !clock.clientIp.includes(":") && (context.ip === undefined || context.ip === null || context.ip === "")) context.ip = clock.clientIp;
  message.channel = client ? "client" : "server";
  message.version = 2;
  const uid = text(message.userId), anon = text(message.anonymousId);
  return { message, type, messageId, userId: uid, anonymousId: anon, orderKey: uid || anon, passthrough: null };
}

const CLIENT_LIBRARIES = new Set(["analytics.js", "analytics-ios", "analytics-android", "analytics-kotlin", "analytics-swift"]);

// ---------- routing (src/route/routing.cpp) ----------
function consentAllows(message, categories) {
  if (categories.length === 0) return true;
  const preferences = message.context?.consent?.categoryPreferences;
  if (!isObject(preferences)) return true;
  return categories.every((c) => preferences[c] === true);
}
// segmentio-facade's Facade#enabled (src/route/facade_enabled.hpp), with obj-case's key matching.
const caseless = (key) => key.replace(/[^a-zA-Z0-9.]+/g, "").toLowerCase();
function objCase(value, path) {
  while (isObject(value)) {
    const key = Object.keys(value).find((k) => { const n = caseless(k); return path.startsWith(n) && (path.length === n.length || path[n.length] === "."); });
    if (key === undefined || value[key] === null) return undefined;
    path = path.slice(caseless(key).length + 1);
    if (!path) return value[key];
    value = value[key];
  }
  return undefined;
}
function facadeEnabled(message, name) {
  const options = message.options || message.context || undefined;
  const integrations = message.integrations || objCase(options, "providers") || options;
  let enabled = [objCase(options, "providers.all"), objCase(options, "all"), objCase(integrations, "all")].find((v) => typeof v === "boolean") ?? true;
  if (!isObject(integrations)) return enabled;
  if (isObject(integrations.providers) && Object.hasOwn(integrations.providers, name)) enabled = !!integrations.providers[name];
  if (Object.hasOwn(integrations, name)) enabled = typeof integrations[name] === "boolean" ? integrations[name] : true;
  return enabled;
}
function accept(e, source, out) {
  out.counters.accepted++;
  for (const d of source.destinations) {
    if (!consentAllows(e.message, d.consent)) out.note("skipped", d.key, e.messageId, "consent");
    else if (!facadeEnabled(e.message, d.name)) out.note("skipped", d.key, e.messageId, "integrations");
    else {
      out.scope = d.scope;
      d.plan(e, out);
    }
  }
}

// A body as JSON, as Segment's destination code sends it: its clone of the message drops a
// `__proto__` member (src/json/write_json.cpp). Rare: looked for in the text first.
const withoutProto = (key, v) => (key === "__proto__" ? undefined : v);
function bodyJson(value) {
  const text = JSON.stringify(value);
  return text.includes('"__proto__"') ? JSON.stringify(value, withoutProto) : text;
}

// ---------- Gainsight and Gainsight PX: the normalized message, serialized once for both ----------
function passthrough(e) {
  return (e.passthrough ??= bodyJson(e.message));
}
// Gainsight's body is facade.json(): ISO date strings as Dates (isodate-traverse); else PX's body.
function facadeBody(e) {
  if (!traverseChanges(e.message)) return passthrough(e);
  return JSON.stringify(e.message, (key, v) => (key === "__proto__" ? undefined : typeof v === "string" ? traversedDate(v) ?? v : v));
}
const secretHeader = (name, secret, format) => ({ name, value: "", secret, format });
const header = (name, value) => ({ name, value, secret: "", format: "none" });

function toNoCase(s) { // Segment's to-no-case, as the Gainsight integration compared track names
  if (/\s/.test(s)) return s.toLowerCase();
  if (/[\W_]/.test(s)) return (s.replace(/[\W_]+(.|$)/g, (m, next) => (next ? " " + next : "")) || s).toLowerCase();
  return s.replace(/(.)([A-Z]+)/g, (m, previous, uppers) => previous + " " + uppers.toLowerCase().split("").join(" ")).toLowerCase();
}
function makeGainsight(settings, path, insecureOk) {
  const url = baseUrl(settings, "endpoint", "https://event.gainsight.com", path, insecureOk) + "/clickstream/segmentio/event";
  const headers = [secretHeader("accessKey", secretName(settings, "accessKey", path), "raw"), header("Content-Type", "application/json"), header("User-Agent", "Segment.io/1.0")];
  const whitelist = new Set((settings.whitelistTrackEvents ?? []).map(toNoCase));
  return (e, out) => {
    if (e.type !== "identify" && e.type !== "group" && e.type !== "track") return out.note("skipped", "gainsight", e.messageId, "gainsight.unsupported_type");
    if (e.type === "track" && whitelist.size > 0 && !whitelist.has(toNoCase(text(e.message.event))))
      return out.note("skipped", "gainsight", e.messageId, "gainsight.not_in_whitelist");
    out.request("gainsight", url, headers, facadeBody(e), e);
  };
}
const PX_REGIONS = { north_america: "https://segment-esp.aptrinsic.com", europe: "https://segment-esp-eu.aptrinsic.com", us2: "https://segment-esp-us2.aptrinsic.com" };
function makeGainsightPx(settings, path, insecureOk) {
  const region = PX_REGIONS[settings.region ?? "north_america"];
  if (!region) throw new Error(`${path}.region: unknown region`);
  const url = baseUrl(settings, "endpoint", region, path, insecureOk) + "/rte/segmentio/v1/push";
  const headers = [secretHeader("Authorization", secretName(settings, "apiKey", path), "basic_username"), header("Content-Type", "application/json"), header("User-Agent", "Segment (Actions)")];
  return (e, out) => {
    if (e.type === "screen" || e.type === "alias") return out.note("skipped", "gainsightPx", e.messageId, "gainsightPx.unsupported_type");
    out.request("gainsightPx", url, headers, passthrough(e), e);
  };
}

// ---------- Gist (src/destinations/gist): value transforms ----------
const textOf = (v) => (typeof v === "string" ? trim(v) || undefined : Number.isInteger(v) ? String(v) : undefined);
const nonEmpty = (v) => (typeof v === "string" && v !== "" ? v : undefined);
const flagOf = (v) => (typeof v === "boolean" ? v : v === "true" ? true : v === "false" ? false : undefined);
const epochSeconds = (n) => (n >= 1e11 || n <= -1e11 ? floorDiv(n, 1000) : n); // ≥ 1e11 reads as milliseconds
function unixSeconds(v) {
  if (typeof v === "number") return Math.abs(v) < 9e18 ? epochSeconds(Math.floor(v)) : undefined;
  if (typeof v !== "string") return undefined;
  const t = trim(v);
  const ms = parseIso(t);
  if (ms !== undefined) return floorDiv(ms, 1000);
  return /^-?\d+$/.test(t) && Math.abs(+t) < 2 ** 63 ? epochSeconds(+t) : undefined; // int64 digits
}
function usableEmail(v) {
  if (typeof v !== "string") return undefined;
  const email = trim(v), at = email.indexOf("@");
  if (at <= 0 || at === email.length - 1 || email.indexOf("@", at + 1) !== -1 || /[ \t\r\n]/.test(email)) return undefined;
  return email;
}
// Gist's documented rule: lower-cased (ASCII), spaces as underscores (src/destinations/gist/gist_values.hpp).
const propertyKey = (name) => name.replace(/[A-Z ]/g, (c) => (c === " " ? "_" : c.toLowerCase()));
const joinKey = (prefix, part) => (!prefix ? part : !part ? prefix : prefix + "_" + part);
function numberText(d) { // C's shortest "%.{15,16,17}g" that reads back
  const [digits, exp] = d.toExponential().split("e");
  const e = +exp, significant = digits.replace(/[-.]/g, "").length;
  if (e < -4 || e >= Math.max(15, significant)) return `${digits}e${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
  return String(d);
}
function listText(list) {
  const parts = [];
  for (const item of list) {
    if (item === null) continue;
    parts.push(typeof item === "string" ? item : typeof item === "number" && !Number.isInteger(item) ? numberText(item) : JSON.stringify(item));
  }
  return parts.join(", ");
}
// What flattening one body may still spend on keys (limits::gist_flattened_key_bytes): nested
// objects repeat their ancestors' names in every key. Once a key does not fit, flattening stops
// and the body is not sent.
class FlatBudget {
  left = GIST_FLATTENED_KEY_BYTES;
  exhausted = false;
  take(key) {
    const bytes = utf8Bytes(key);
    if (this.exhausted || bytes > this.left) return !(this.exhausted = true);
    this.left -= bytes;
    return true;
  }
}
function addContactProperty(key, v, into, keys) {
  if (keys.exhausted) return;
  if (isObject(v)) {
    for (const k in v) addContactProperty(joinKey(key, propertyKey(k)), v[k], into, keys);
    return;
  }
  if (!key || !keys.take(key)) return;
  const dateKey = key.endsWith("_at");
  if (typeof v === "string") {
    const ms = parseIso(trim(v)); // ISO text is a date: Unix seconds under an `_at` key
    if (ms !== undefined) return put(into, dateKey ? key : key + "_at", floorDiv(ms, 1000));
    const s = dateKey ? unixSeconds(v) : undefined;
    return put(into, key, s ?? v);
  }
  if (typeof v === "number") {
    if (dateKey) {
      const s = unixSeconds(v);
      if (s !== undefined) put(into, key, s);
      return;
    }
    return put(into, key, Number.isInteger(v) && Math.abs(v) < 9e18 ? v : numberText(v)); // Gist numbers are whole
  }
  put(into, key, Array.isArray(v) ? listText(v) : v); // booleans and null as sent
}
function addEventProperty(key, v, into, keys) {
  if (keys.exhausted) return;
  if (isObject(v)) {
    for (const k in v) addEventProperty(joinKey(key, k), v[k], into, keys);
    return;
  }
  if (key && keys.take(key)) put(into, key, Array.isArray(v) ? listText(v) : v);
}
// ["a","b"], "a, b" or {"a": true, "b": false} → the first GIST_TAGS_PER_IDENTIFY distinct names,
// and how many distinct names are left out.
function tagChanges(v) {
  const changes = [], seen = new Set();
  let overLimit = 0;
  const add = (name, untag) => {
    name = trim(name);
    if (!name || seen.has(name)) return;
    seen.add(name);
    if (changes.length < GIST_TAGS_PER_IDENTIFY) changes.push({ name, untag });
    else overLimit++;
  };
  if (typeof v === "string") for (const part of v.split(",")) add(part, false);
  else if (Array.isArray(v)) for (const item of v) { const t = textOf(item); if (t !== undefined) add(t, false); }
  else if (isObject(v)) for (const k in v) if (typeof v[k] === "boolean") add(k, !v[k]);
  return { changes, overLimit };
}
const NO_TAGS = { changes: [], overLimit: 0 };
const isEmpty = (o) => { for (const _ in o) return false; return true; };

// ---------- Gist: bodies ----------
const MAPPED_TRAITS = new Set(["email", "name", "firstName", "first_name", "lastName", "last_name", "phone", "createdAt", "created_at",
  "unsubscribed_from_emails", "unsubscribedFromEmails", "unsubscribed", "tags"]);
const objectOr = (v) => (isObject(v) ? v : undefined);
function fullName(traits, key) { // `name` as sent, else first + " " + last
  const own = textOf(traits[key]);
  if (own === undefined) return undefined;
  const last = textOf(traits.lastName) ?? textOf(traits.last_name);
  return last === undefined ? own : own + " " + last;
}
function setIf(body, key, value) { if (value !== undefined) body[key] = value; }

function contactBody(m, s, tags, keys) { // identify → POST /contacts
  const traits = objectOr(m.traits), context = objectOr(m.context), contextTraits = objectOr(context?.traits);
  const body = {};
  setIf(body, "user_id", nonEmpty(m.userId));
  setIf(body, "email", usableEmail(traits?.email) ?? usableEmail(contextTraits?.email));
  if (traits) {
    setIf(body, "name", textOf(traits.name) ?? fullName(traits, "firstName") ?? fullName(traits, "first_name") ?? textOf(traits.lastName) ?? textOf(traits.last_name));
    setIf(body, "phone", textOf(traits.phone));
    setIf(body, "signed_up_at", unixSeconds(traits.createdAt) ?? unixSeconds(traits.created_at));
  }
  setIf(body, "last_seen_ip", textOf(context?.ip));
  setIf(body, "last_seen_user_agent", textOf(context?.userAgent));
  if (traits) {
    setIf(body, "unsubscribed_from_emails", flagOf(traits.unsubscribed_from_emails) ?? flagOf(traits.unsubscribedFromEmails) ?? flagOf(traits.unsubscribed));
    if (!s.tags) {
      const names = tags.changes.filter((t) => !t.untag).map((t) => t.name);
      if (names.length) body.tags = names;
    }
    const props = {};
    for (const k in traits) if (!MAPPED_TRAITS.has(k)) addContactProperty(propertyKey(k), traits[k], props, keys);
    if (!isEmpty(props)) body.custom_properties = props;
  }
  return body;
}
function eventBody(m, eventName, keys) { // track and page → POST /events
  const context = objectOr(m.context), properties = objectOr(m.properties);
  const body = { event_name: eventName };
  setIf(body, "user_id", nonEmpty(m.userId));
  setIf(body, "email", usableEmail(objectOr(context?.traits)?.email) ?? usableEmail(properties?.email));
  setIf(body, "occurred_at", unixSeconds(m.timestamp)); // the skew-corrected timestamp
  if (properties) {
    const flat = {};
    for (const k in properties) addEventProperty(k, properties[k], flat, keys);
    if (!isEmpty(flat)) body.properties = flat;
  }
  return body;
}
function pageEventName(m, s) {
  if (s.pageEventName) return s.pageEventName;
  const name = m.name ?? objectOr(m.properties)?.name; // the first one present decides
  const t = name == null ? undefined : textOf(name);
  return t === undefined ? "Viewed Page" : `Viewed ${t} Page`;
}
function companyBody(m, keys) { // group with groups: "company" → POST /contacts for the member
  const body = {};
  setIf(body, "user_id", nonEmpty(m.userId));
  setIf(body, "email", usableEmail(objectOr(objectOr(m.context)?.traits)?.email));
  const props = {}, groupId = idText(m.groupId), traits = objectOr(m.traits);
  if (groupId) props.company_id = groupId;
  if (traits) for (const k in traits) addContactProperty("company_" + propertyKey(k), traits[k], props, keys);
  if (!isEmpty(props)) body.custom_properties = props;
  return body;
}
const contactRef = (body) => {
  const ref = {};
  setIf(ref, "user_id", body.user_id);
  setIf(ref, "email", body.email);
  return ref;
};

function makeGist(settings, path, insecureOk) {
  const base = baseUrl(settings, "endpoint", "https://api.getgist.com", path, insecureOk);
  const s = { pages: settings.pages === true, pageEventName: text(settings.pageEventName), groups: settings.groups ?? "off", tags: settings.tags === true };
  if (!["off", "company", "tag"].includes(s.groups)) throw new Error(`${path}.groups: must be "off", "company" or "tag"`);
  const contacts = base + "/contacts", events = base + "/events", tags = base + "/tags";
  const headers = [secretHeader("authorization", secretName(settings, "apiKey", path), "bearer"),
    header("content-type", "application/json"), header("accept", "application/json")];
  // RETRY_NOT_FOUND: a call that refers to a contact (events, tags) may arrive before the upsert.
  const call = (e, url, body, out, flags = 0) => out.request("gist", url, headers, bodyJson(body), e, flags);
  const tagCall = (e, name, untag, ref, out) => call(e, tags, { name, contacts: [untag ? { ...ref, untag: true } : ref] }, out, RETRY_NOT_FOUND);
  const note = (out, kind, e, reason) => out.note(kind, "gist", e.messageId, reason);
  // Checked right after a body is built: one whose flattened keys ran out of room is not sent.
  const tooLarge = (e, keys, out) => {
    if (!keys.exhausted) return false;
    note(out, "dropped", e, "gist.properties_too_large");
    return true;
  };
  const event = (e, body, keys, out) => {
    if (tooLarge(e, keys, out)) return;
    if (body.user_id === undefined && body.email === undefined) return note(out, "dropped", e, "gist.user_id_or_email_required");
    call(e, events, body, out, RETRY_NOT_FOUND);
  };
  return (e, out) => {
    const m = e.message, keys = new FlatBudget();
    switch (e.type) {
      case "identify": {
        const traits = objectOr(m.traits);
        const tags = traits && traits.tags != null ? tagChanges(traits.tags) : NO_TAGS;
        const body = contactBody(m, s, tags, keys);
        if (tooLarge(e, keys, out)) return;
        if (body.user_id === undefined) return note(out, "dropped", e, "gist.user_id_required");
        if (body.email === undefined) return note(out, "dropped", e, "gist.email_required");
        call(e, contacts, body, out);
        if (tags.overLimit > 0) note(out, "dropped", e, "gist.tags_over_limit");
        if (s.tags) for (const t of tags.changes) tagCall(e, t.name, t.untag, contactRef(body), out); // after the upsert
        return;
      }
      case "track":
        return event(e, eventBody(m, text(m.event), keys), keys, out);
      case "page":
        if (!s.pages) return note(out, "skipped", e, "gist.pages_off");
        return event(e, eventBody(m, pageEventName(m, s), keys), keys, out);
      case "group": {
        if (s.groups === "off") return note(out, "skipped", e, "gist.groups_off");
        const body = companyBody(m, keys);
        if (tooLarge(e, keys, out)) return;
        if (body.user_id === undefined && body.email === undefined) return note(out, "dropped", e, "gist.user_id_or_email_required");
        if (s.groups === "company") return call(e, contacts, body, out);
        return tagCall(e, "company:" + idText(m.groupId), false, contactRef(body), out);
      }
      default:
        return note(out, "skipped", e, "gist.unsupported_type");
    }
  };
}

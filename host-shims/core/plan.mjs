// @ts-check
// Reads the plan the core returns (layout: wasm/README.md). One copy leaves wasm memory: the whole
// output (bodies are views into it, never re-encoded or re-parsed), or for a plan read for the
// queue only its messages, into a pooled buffer.
const MAGIC = 0x31504a41; // "AJP1"
const VERSION = 5;
export const SECRET_FORMAT = ["none", "raw", "bearer", "basic_username"];
export const NOTE_KIND = ["dropped", "skipped", "info"];
// call_flags (src/plan/plan.hpp): how to read a destination's answer beyond the default.
export const CALL_FLAGS = { retryNotFound: 1 };
// queue_message_flags (src/plan/plan.hpp).
export const MESSAGE_FLAGS = { oversizedChain: 1 };

const HEADER_WORDS = 18;
const REPLY_HEADER_WORDS = 4;
const REQUEST_WORDS = 18;
const REQUEST_HEADER_WORDS = 8;
const NOTE_WORDS = 8;
const RATE_LIMIT_WORDS = 4;
const MESSAGE_WORDS = 4;
const SOURCE_WORDS = 2;
// The layout's constants, checked against the C++ side's by tests/core/abi_constants.test.mjs.
export const PLAN_LAYOUT = { MAGIC, VERSION, HEADER_WORDS, REPLY_HEADER_WORDS, REQUEST_WORDS, REQUEST_HEADER_WORDS, NOTE_WORDS, RATE_LIMIT_WORDS, MESSAGE_WORDS, SOURCE_WORDS };

const decoder = new TextDecoder();

const keptForQueue = () => {
  throw new Error("ajs-edge: a plan read for the queue keeps its queue messages, not its calls");
};

// A decoded plan. Its calls are decoded when first read (the durable path never reads them): a
// getter on the class, since defining one on each plan made reading a small plan ten times slower.
class Plan {
  #decode;
  #requests = null;
  #pool;
  #buffer;
  constructor(fields, decodeRequests, pool = null, buffer = null) {
    this.status = fields.status;
    this.replyHeaders = fields.replyHeaders;
    this.replyBody = fields.replyBody;
    this.callCount = fields.callCount;
    this.notes = fields.notes;
    this.counters = fields.counters;
    this.rateLimits = fields.rateLimits;
    this.messages = fields.messages;
    this.sources = fields.sources; // the source ids this request sends for (src/plan/plan.hpp)
    this.#decode = decodeRequests;
    this.#pool = pool;
    this.#buffer = buffer;
  }
  /** @returns {Array<{destination: string, method: string, url: string, headers: any[], body: Uint8Array, messageId: string, orderKey: string, flags: number, ordinal: number, scope: string}>} */
  get requests() {
    return (this.#requests ??= this.#decode());
  }
  // Gives the queue messages' buffer back to its pool (a plan read with one), once they are queued.
  release() {
    this.#pool?.give(this.#buffer);
    this.#pool = null;
  }
}

// Buffers for the queue messages of plans read with decodePlan(view, pool), given back once the
// messages are queued (plan.release): a big batch's messages are MBs, and a fresh buffer each time
// costs the allocation, its first touch and the collector's work.
export class BufferPool {
  #free = [];
  take(n) {
    const i = this.#free.findIndex((b) => b.length >= n && b.length <= 4 * n + 65536);
    return i >= 0 ? this.#free.splice(i, 1)[0] : new Uint8Array(Math.max(n, 65536));
  }
  give(buffer) {
    if (this.#free.length < 4 && !this.#free.includes(buffer)) this.#free.push(buffer);
  }
}

// Short strings decoded from earlier plans, by where they lay: a request of the same shape writes
// its constants (header names, rate-limit bindings, source ids) at the same offsets of its plan,
// and comparing their bytes costs less than decoding them again (TextDecoder: ~150 ns a call in
// Node 20; a beacon's seven strings were a tenth of its time in Core.handle). One per Core.
export class StringCache {
  #entries = new Map();
  text(data, off, len, key) {
    const e = this.#entries.get(key);
    if (e !== undefined) {
      let i = 0;
      while (i < len && e.bytes[i] === data[off + i]) i++;
      if (i === len) return e.text;
    }
    const text = decoder.decode(data.subarray(off, off + len));
    if (len <= 64) {
      if (this.#entries.size >= 1024) this.#entries.clear();
      this.#entries.set(key, { bytes: data.slice(off, off + len), text });
    }
    return text;
  }
}

// The span table's strings of one plan, through the Core's StringCache when there is one. A plan
// with many strings (a batch's notes name a few destinations and reasons hundreds of times, at the
// same interned places) also keeps its own map by place, made once it has read a few: a beacon's
// handful each go to the cache alone.
const PLAN_MAP_AFTER = 16;
class PlanStrings {
  constructor(data, cache) {
    this.data = data;
    this.cache = cache;
    this.seen = null;
    this.read = 0;
  }
  text(off, len) {
    if (len === 0) return "";
    const data = this.data;
    if (len >= 65536) return decoder.decode(data.subarray(off, off + len));
    const key = off * 65536 + len;
    const seen = this.seen;
    let s = seen?.get(key);
    if (s !== undefined) return s;
    s = this.cache && len <= 64 ? this.cache.text(data, off, len, key) : decoder.decode(data.subarray(off, off + len));
    if (seen) seen.set(key, s);
    else if (++this.read === PLAN_MAP_AFTER) this.seen = new Map();
    return s;
  }
}

// bytes: the plan (a copy the caller keeps), or with `pool` a view into wasm memory valid only
// now: then everything is read at once, the queue messages are copied into a pooled buffer
// (plan.release gives it back), and the calls are not kept (plan.requests throws). `cache`: the
// Core's StringCache, if any.
export function decodePlan(bytes, pool = null, cache = null) {
  if (bytes.byteOffset % 4 !== 0) bytes = bytes.slice(); // its words read in place below
  // Words as the platform's (little-endian: wasm, x86, Arm as Workers run them); a plan is
  // written at an aligned address.
  const words = new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >>> 2);
  const u32 = (i) => words[i];
  if (u32(0) !== MAGIC || u32(1) !== VERSION) throw new Error("ajs-edge: not a plan");
  const status = u32(2);
  const nReplyHeaders = u32(3);
  const nRequests = u32(4);
  const nRequestHeaders = u32(5);
  const nNotes = u32(6);
  const counters = { received: u32(7), accepted: u32(8), rejected: u32(9) };
  const nRateLimits = u32(14);
  const nMessages = u32(15);
  const nSources = u32(16);
  if (u32(13) !== bytes.length) throw new Error("ajs-edge: plan of the wrong length");
  const data = bytes; // spans are offsets from the start; the tables follow the data
  const strings = new PlanStrings(data, cache);
  const span = (w) => strings.text(u32(w), u32(w + 1));

  let w = u32(12) / 4; // the tables
  const replyHeaders = [];
  for (let i = 0; i < nReplyHeaders; i++, w += REPLY_HEADER_WORDS) replyHeaders.push([span(w), span(w + 2)]);
  const requestWords = w;
  w += nRequests * REQUEST_WORDS;
  const headerWords = w;
  w += nRequestHeaders * REQUEST_HEADER_WORDS;
  const decodeRequests = () => {
    const headers = [];
    for (let i = 0, h = headerWords; i < nRequestHeaders; i++, h += REQUEST_HEADER_WORDS) {
      headers.push({ name: span(h), value: span(h + 2), secret: span(h + 4), format: SECRET_FORMAT[u32(h + 6)] ?? "none" });
    }
    const requests = [];
    for (let i = 0, r = requestWords; i < nRequests; i++, r += REQUEST_WORDS) {
      const first = u32(r + 6);
      requests.push({
        destination: span(r),
        method: span(r + 2),
        url: span(r + 4),
        headers: headers.slice(first, first + u32(r + 7)),
        body: data.subarray(u32(r + 8), u32(r + 8) + u32(r + 9)),
        messageId: span(r + 10),
        orderKey: span(r + 12),
        flags: u32(r + 14), // CALL_FLAGS
        ordinal: u32(r + 15),
        scope: span(r + 16), // dedup key: `${scope}|${messageId}|${ordinal}` (chain.mjs)
      });
    }
    return requests;
  };
  const notes = [];
  for (let i = 0; i < nNotes; i++, w += NOTE_WORDS) {
    notes.push({ kind: NOTE_KIND[u32(w)] ?? "info", destination: span(w + 1), messageId: span(w + 3), reason: span(w + 5) });
  }
  const rateLimits = [];
  for (let i = 0; i < nRateLimits; i++, w += RATE_LIMIT_WORDS) rateLimits.push({ binding: span(w), key: span(w + 2) });
  // Queue messages (only when the meta asked for them: src/plan/queue_messages.hpp): finished
  // bodies. Read for the queue, their bytes are copied into a pooled buffer in one piece.
  const messageWords = w;
  w += nMessages * MESSAGE_WORDS;
  let from = Infinity;
  let to = 0;
  for (let m = messageWords; m < w; m += MESSAGE_WORDS) {
    from = Math.min(from, u32(m));
    to = Math.max(to, u32(m) + u32(m + 1));
  }
  const buffer = pool && nMessages > 0 ? pool.take(to - from) : null;
  if (buffer) buffer.set(data.subarray(from, to));
  const source = buffer ?? data;
  const base = buffer ? from : 0;
  const messages = [];
  for (let m = messageWords; m < w; m += MESSAGE_WORDS) {
    const offset = u32(m) - base;
    messages.push({ bytes: source.subarray(offset, offset + u32(m + 1)), chains: u32(m + 2), oversized: (u32(m + 3) & MESSAGE_FLAGS.oversizedChain) !== 0 });
  }
  const sources = [];
  for (let i = 0; i < nSources; i++, w += SOURCE_WORDS) sources.push(span(w));
  const replyBody = (pool ? data.slice : data.subarray).call(data, u32(10), u32(10) + u32(11)); // a view into wasm memory is copied
  const fields = { status, replyHeaders, replyBody, callCount: nRequests, notes, counters, rateLimits, messages, sources };
  return new Plan(fields, pool ? keptForQueue : decodeRequests, buffer ? pool : null, buffer);
}

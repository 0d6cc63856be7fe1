// @ts-check
// The request meta as the core reads it (src/http/request_meta.hpp, wasm/README.md): little-endian
// words, then UTF-8 strings, written straight into wasm memory. No JSON to write here or to parse
// in the core, per request.
//   u32 magic "AJM1" | u32 flags | f64 receivedAt (ms) | u32 seed low | u32 seed high |
//   u32 string count | per string: u32 byte length, then its bytes
// The layout's constants are checked against the C++ reader's by tests/core/abi_constants.test.mjs.
export const META_MAGIC = 0x314d4a41; // "AJM1"
export const META_HEAD_BYTES = 28;
export const META_FLAGS = { bodyTooLarge: 1 << 0, queue: 1 << 1, isEUCountry: 1 << 2 };
// The strings, in the order of the C++ enum meta_string.
export const META_STRINGS = [
  "method", "url", "authorization", "origin", "client_ip", "access_control_request_headers", "body_error",
  "continent", "country", "region", "region_code", "city", "postal_code", "timezone", "latitude", "longitude",
];

const encoder = new TextEncoder();
const f64 = new Float64Array(1);
const f64Bytes = new Uint8Array(f64.buffer);
const text = (v) => (typeof v === "string" ? v : "");

/**
 * What a host passes: {method, url, headers: {authorization, origin, "cf-connecting-ip",
 * "access-control-request-headers"}, receivedAt, seed (16 hex digits), bodyTooLarge, bodyError,
 * queue, geo: {continent, country, region, regionCode, city, postalCode, timezone, latitude,
 * longitude (strings), isEUCountry (boolean)}}. Absent or mistyped fields are "", 0 or false.
 * @returns {string[]} the meta's strings, in META_STRINGS' order
 */
export function metaStrings(meta) {
  const h = meta.headers ?? {};
  const g = meta.geo ?? {};
  return [
    text(meta.method), text(meta.url), text(h.authorization), text(h.origin), text(h["cf-connecting-ip"]),
    text(h["access-control-request-headers"]), text(meta.bodyError), text(g.continent), text(g.country), text(g.region),
    text(g.regionCode), text(g.city), text(g.postalCode), text(g.timezone), text(g.latitude), text(g.longitude),
  ];
}

// Bytes the meta may take: UTF-8 is at most 3 bytes per UTF-16 unit.
export function metaCapacity(strings) {
  let n = META_HEAD_BYTES + 4 * strings.length;
  for (const s of strings) n += 3 * s.length;
  return n;
}

// Where the body begins after `bytes` of meta in one block of wasm memory: the next 8-byte boundary.
export const bodyOffset = (bytes) => (bytes + 7) & ~7;

// A request's random seed (the core's messageIds for messages without one): 16 hex digits.
const seedSource = new Uint32Array(2);
export function randomSeed() {
  crypto.getRandomValues(seedSource);
  return seedSource[1].toString(16).padStart(8, "0") + seedSource[0].toString(16).padStart(8, "0");
}

// The seed's 16 hex digits as two words; a character that is not a hex digit counts 0, and
// digits past the 16th are ignored.
function seedWords(seed) {
  let hi = 0;
  let lo = 0;
  const s = text(seed);
  for (let i = 0; i < s.length && i < 16; i++) {
    const c = s.charCodeAt(i);
    const d = c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x61 && c <= 0x66 ? c - 0x61 + 10 : c >= 0x41 && c <= 0x46 ? c - 0x41 + 10 : 0;
    hi = ((hi << 4) | (lo >>> 28)) >>> 0;
    lo = ((lo << 4) | d) >>> 0;
  }
  return [lo, hi];
}

// Writes `s` as UTF-8 at bytes[at…]; returns its length. ASCII (almost every meta string) is
// copied unit by unit: for strings this short, faster than encodeInto and its subarray.
function putString(bytes, at, s) {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) return encoder.encodeInto(s, bytes.subarray(at)).written;
    bytes[at + i] = c;
  }
  return s.length;
}

function putWord(bytes, at, w) {
  bytes[at] = w & 0xff;
  bytes[at + 1] = (w >>> 8) & 0xff;
  bytes[at + 2] = (w >>> 16) & 0xff;
  bytes[at + 3] = (w >>> 24) & 0xff;
}

/**
 * Writes the meta at `bytes[at…]` (room: metaCapacity(strings)); returns its length.
 * @param {Uint8Array} bytes
 */
export function writeMeta(meta, strings, bytes, at) {
  const flags = (meta.bodyTooLarge === true ? META_FLAGS.bodyTooLarge : 0) | (meta.queue === true ? META_FLAGS.queue : 0) |
    (meta.geo?.isEUCountry === true ? META_FLAGS.isEUCountry : 0);
  putWord(bytes, at, META_MAGIC);
  putWord(bytes, at + 4, flags);
  f64[0] = typeof meta.receivedAt === "number" ? meta.receivedAt : 0;
  bytes.set(f64Bytes, at + 8);
  const [lo, hi] = seedWords(meta.seed);
  putWord(bytes, at + 16, lo);
  putWord(bytes, at + 20, hi);
  putWord(bytes, at + 24, strings.length);
  let p = at + META_HEAD_BYTES;
  for (const s of strings) {
    const written = putString(bytes, p + 4, s);
    putWord(bytes, p, written);
    p += 4 + written;
  }
  return p - at;
}

// The meta as bytes of its own (tests; the hosts write it into wasm memory).
export function encodeMeta(meta) {
  const strings = metaStrings(meta);
  const bytes = new Uint8Array(metaCapacity(strings));
  return bytes.slice(0, writeMeta(meta, strings, bytes, 0));
}

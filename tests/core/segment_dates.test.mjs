// Segment's date rules in the core (src/ingest/segment_dates.hpp) against Segment's own code, run
// from npm as the oracle: new-date 1.0.3 for the timestamp and sentAt of every message, and
// segmentio-facade 3.2.7 (its constructor's isodate-traverse, @segment/isodate-traverse 1.1.1) for
// the classic Gainsight body, over generated strings and numbers.
//   node --test tests/core/segment_dates.test.mjs
// The local zone is pinned to UTC first: isodate reads "YYYY-MM-DD HH:MM" in local time, and the
// core reads it as UTC (Workers run in UTC).
process.env.TZ = "UTC";
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { Core } from "../../host-shims/core/core.mjs";

if (new Date(2026, 0, 1).getTimezoneOffset() !== 0) throw new Error("segment_dates.test.mjs needs TZ=UTC");
const require = createRequire(import.meta.url);
const Facade = require("segmentio-facade");
const fromFacade = createRequire(require.resolve("segmentio-facade"));
const newDate = fromFacade("new-date"); // facade's own copy, as facade resolves it
const isodate = createRequire(fromFacade.resolve("new-date"))("@segment/isodate");

const root = fileURLToPath(new URL("../../", import.meta.url));
const core = await Core.instantiate(await WebAssembly.compile(readFileSync(`${root}build/wasm/ajs_edge.wasm`)));
core.configure(JSON.stringify({ sources: [{ writeKey: "wk", destinations: {
  gainsight: { accessKey: { secret: "GS" } }, gainsightPx: { apiKey: { secret: "PX" } } } }] }));
const encoder = new TextEncoder();
const decoder = new TextDecoder();
const RECEIVED_AT = 1785578400500;
const RECEIVED_ISO = new Date(RECEIVED_AT).toISOString();

// One message through the core: the Gainsight and PX bodies, as text. With `envelope`, the
// message goes as a batch's one item, the envelope's members beside it.
function plan(message, envelope) {
  const meta = { method: "POST", url: `https://edge.example.com/v1/${envelope ? "batch" : "track"}`, headers: {}, receivedAt: RECEIVED_AT, seed: "00000000000000ff" };
  const item = { writeKey: "wk", userId: "u", event: "E", ...message };
  const sent = envelope ? { ...envelope, batch: [{ type: "track", ...item }] } : item;
  const p = core.handle(meta, encoder.encode(JSON.stringify(sent)));
  assert.equal(p.status, 200);
  const body = (destination) => decoder.decode(p.requests.find((r) => r.destination === destination).body);
  return { gainsight: body("gainsight"), px: body("gainsightPx") };
}

// ---- Generated inputs (a seeded generator: the same corpus every run) ----
let seed = 0x5eed;
const rand = () => { // mulberry32
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const pick = (list) => { const v = list[Math.floor(rand() * list.length)]; return typeof v === "function" ? v() : v; };
const digits = (n) => Array.from({ length: n }, () => Math.floor(rand() * 10)).join("");
const two = () => pick([() => digits(2), "00", "01", "09", "12", "13", "23", "24", "28", "29", "30", "31", "59", "60", "99"]);
const year = () => pick([() => digits(4), "0000", "0049", "0050", "0099", "0100", "1969", "1970", "2014", "2024", "2026", "9999"]);

function isoLike(strict = rand() < 0.5) {
  let s = year();
  if (strict) s += `-${two()}-${two()}`;
  else if (rand() < 0.85) {
    s += pick(["-", "-", "", "/"]) + two();
    if (rand() < 0.8) s += pick(["-", "-", ""]) + two();
  }
  if (rand() < 0.7) {
    s += pick(["T", "T", " ", "t"]) + two() + pick([":", ":", ""]) + (rand() < 0.95 ? two() : "");
    if (rand() < 0.7) {
      s += pick([":", ":", ""]) + two();
      if (rand() < 0.5) s += pick([".", ".", ","]) + digits(Math.floor(rand() * 12));
    }
    const zone = rand();
    if (zone < 0.3) s += pick(["Z", "Z", "z"]);
    else if (zone < 0.7) s += pick(["+", "-"]) + two() + pick([":", "", ":"]) + (rand() < 0.8 ? two() : "");
  }
  if (rand() < 0.05) s = pick([" ", "x", "\t"]) + s;
  if (rand() < 0.05) s += pick([" ", "x", "Z", ":"]);
  return s;
}
function digitString() {
  let s = digits(8 + Math.floor(rand() * 13));
  if (rand() < 0.3) s = pick(["-", "+", " ", "\u00a0", "\u2003", "\ufeff", "x", "ts ", "0000"]) + s;
  if (rand() < 0.3) s += pick(["abc", " ", ".5", "Z", "-01"]);
  return s;
}
// Mostly the forms the core reads, with every kind of near miss.
function clock() {
  let t = pick([two, () => String(Math.floor(rand() * 25)).padStart(2, "0")]) + pick([":", ":", ":", ":", ":", "."]) + two();
  if (rand() < 0.7) t += ":" + two();
  return t;
}
function rfc2822() {
  const weekday = rand() < 0.7 ? pick(["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun", "fri", "Friday"]) + pick([", ", ", ", ", ", ",", " "]) : "";
  const day = pick([() => String(1 + Math.floor(rand() * 31)), () => String(1 + Math.floor(rand() * 31)), "0", "00", "01", "31", "32", "9"]);
  const month = pick(["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec", "jul", "July"]);
  const zone = rand() < 0.2 ? "" : " " + pick(["GMT", "GMT", "UTC", "UT", "Z", "gmt", "EST", () => pick(["+", "-"]) + digits(4), () => pick(["+", "-"]) + two() + "00", "+02:00", "+02"]);
  return `${weekday}${day} ${month} ${pick([year, year, year, "26"])} ${clock()}${zone}`;
}
function slashed() {
  const part = () => pick([() => String(1 + Math.floor(rand() * 12)), () => String(1 + Math.floor(rand() * 12)), () => two(), "0", "00", "13"]);
  return `${part()}/${part()}/${pick([year, year, year, "26"])}${rand() < 0.6 ? " " + clock() : ""}${rand() < 0.05 ? " GMT" : ""}`;
}
const STRINGS = Array.from({ length: 3000 }, () => pick([isoLike, isoLike, isoLike, digitString, rfc2822, slashed]));
STRINGS.push("2014", "2014-06", "20140601", "2026-07-31", "2026-08-15T12:00:00+02:00", "Fri, 31 Jul 2026 10:00:00 GMT",
  "07/31/2026 10:00", "1785490000000", "1785490000", "", "not a date");
const NUMBERS = [0, 17, -5, 1.5, 31557599999, 31557600000, 31557600001, 8.64e12, 8.64e12 + 1, -8.64e12, 8.64e15, 8.64e15 + 2, 1e21,
  1785490000, 1785490000.5, 1785490000000, 1785490000000.5, -1785490000000,
  ...Array.from({ length: 400 }, () => {
    const magnitude = 10 ** (rand() * 17);
    const n = pick([Math.floor(magnitude), Math.floor(magnitude) / 4, Math.round(magnitude * 1000) / 1000, magnitude]);
    return rand() < 0.15 ? -n : n;
  })];

// What the core reads of `new Date(string)` (src/ingest/segment_dates.cpp): RFC 2822 as toUTCString
// writes it, and M/D/YYYY [HH:MM[:SS]], with their fields in range. Other strings new-date hands to
// new Date() are not read (V8 reads some of them, e.g. "Tue, 9 Jan 2024 01:59:99 GMT" as 01:59:00).
const RFC2822 = /^(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), )?(\d{1,2}) (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} (\d{2}):(\d{2})(?::(\d{2}))?(?: (?:GMT|UTC|UT|Z|[+-]\d{4}))?$/;
const SLASHED = /^(\d{1,2})\/(\d{1,2})\/\d{4}(?: (\d{2}):(\d{2})(?::(\d{2}))?)?$/;
const inRange = (month, day, h, mi, sec) =>
  month >= 1 && month <= 12 && day >= 1 && day <= 31 && mi <= 59 && sec <= 59 && (h < 24 || (h === 24 && mi === 0 && sec === 0));
function readByNewDate(s) {
  let m = RFC2822.exec(s);
  if (m) return inRange(1, +m[1], +m[2], +m[3], +(m[4] ?? 0));
  m = SLASHED.exec(s);
  return m !== null && inRange(+m[1], +m[2], +(m[3] ?? 0), +(m[4] ?? 0), +(m[5] ?? 0));
}
const isValid = (d) => !Number.isNaN(d.getTime());
// new-date's answer, as the core is to read it: epoch ms, or undefined for "not read".
function segmentReads(value) {
  if (typeof value === "string") {
    if (value === "") return undefined; // absent, as "" is for ids
    const viaNewDate = !isodate.is(value) && !/\d{13}/.test(value) && !/\d{10}/.test(value);
    if (viaNewDate && !readByNewDate(value)) return undefined;
  }
  const d = newDate(value);
  return isValid(d) ? d.getTime() : undefined;
}

test("timestamps: the core reads every generated timestamp as new-date does, and keeps it as originalTimestamp", () => {
  let read = 0;
  for (const value of [...STRINGS, ...NUMBERS]) {
    const px = JSON.parse(plan({ timestamp: value }).px);
    const ms = segmentReads(value);
    if (ms !== undefined) read++;
    const what = `timestamp ${JSON.stringify(value)}`;
    assert.equal(px.timestamp, ms === undefined ? RECEIVED_ISO : new Date(ms).toISOString(), what);
    if (value === "") assert.equal(px.originalTimestamp, undefined, what);
    else assert.equal(px.originalTimestamp, value, what);
  }
  assert.ok(read > 1500, `only ${read} timestamps read`);
});

test("sentAt: clock-skew correction with sentAt read as new-date reads it", () => {
  const timestamps = ["2026-08-01T09:00:00.000Z", "2014", 1785490000, "07/31/2026 10:00"];
  for (const [i, sentAt] of [...STRINGS.slice(0, 1500), ...NUMBERS].entries()) {
    const timestamp = timestamps[i % timestamps.length];
    const px = JSON.parse(plan({ timestamp, sentAt }).px);
    const ts = segmentReads(timestamp), sent = segmentReads(sentAt);
    const corrected = sent === undefined ? ts : RECEIVED_AT - (sent - ts);
    const expected = Math.abs(corrected) <= 8.64e15 ? corrected : ts; // only to an instant a Date holds
    const what = `timestamp ${JSON.stringify(timestamp)} sentAt ${JSON.stringify(sentAt)}`;
    assert.equal(px.timestamp, new Date(expected).toISOString(), what);
    assert.deepEqual(px.sentAt, sentAt);
    // The same sentAt on a batch's envelope (analytics.js and analytics-node put it there): the
    // same reading, copied into the item as it was sent ("" is none).
    const fromEnvelope = JSON.parse(plan({ timestamp }, { sentAt }).px);
    assert.equal(fromEnvelope.timestamp, px.timestamp, `${what} (envelope)`);
    assert.deepEqual(fromEnvelope.sentAt, sentAt === "" ? undefined : sentAt, `${what} (envelope)`);
  }
});

test("Gainsight's body is facade.json() of the message PX gets; when that changes nothing, the same bytes", () => {
  let converted = 0;
  for (const value of STRINGS) {
    const message = { timestamp: value, properties: { v: value, list: [value, 1, { at: value }], [value]: "key" }, context: { page: { at: value } } };
    const { gainsight, px } = plan(message);
    const expected = JSON.parse(JSON.stringify(new Facade.Track(JSON.parse(px)).json()));
    const what = `date ${JSON.stringify(value)}`;
    assert.deepEqual(JSON.parse(gainsight), expected, what);
    if (isodate.is(value, true) && new Date(isodate.parse(value)).toISOString() !== value) converted++;
    try {
      assert.deepEqual(expected, JSON.parse(px));
    } catch {
      continue; // facade changed a date
    }
    assert.equal(gainsight, px, what);
  }
  assert.ok(converted > 500, `only ${converted} strings converted`);
});

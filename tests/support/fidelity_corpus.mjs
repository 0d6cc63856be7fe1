// The fidelity corpus (tests/fidelity/): requests as Segment's clients send them, generated
// deterministically. Each entry is one HTTP request to the Worker:
//   {name, group, path, body (text), ip, contentType}
// Groups: the classic integration's own fixtures; the examples of the seed documents
// (shared/reference/seeds: Segment's Gainsight and Gist pages); analytics.js messages in the shape
// @segment/analytics-next 1.84 builds (standard and batching delivery); analytics-node messages
// made by the real @segment/analytics-node (a capturing httpClient: no network); HTTP API
// messages; and generated edge cases (dates, timestamps, ids, numbers, unicode, nulls, nesting,
// `integrations` values, whitelist names).
//
// Kept out, because Segment's behaviour there is not published (tests/support/fidelity_segment.mjs):
// numeric userIds, null/"" ids, timestamps facade cannot read (e.g. the HTTP API doc's own
// "2015-2-02T…"), client-sent `channel`/`version`, non-object `integrations` or `context`, escaped
// lone surrogates (Segment's Go API would already have replaced them), and a "hasOwnProperty" key
// (facade's clone calls obj.hasOwnProperty and throws: Segment would send nothing at all).
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Analytics } from "@segment/analytics-node";
import { RECEIVED_AT } from "./fidelity_worker.mjs";

const root = fileURLToPath(new URL("../../", import.meta.url));
export const IPV4 = "203.0.113.7";
export const IPV6 = "2001:db8::1";
const iso = (ms) => new Date(ms).toISOString();

// A deterministic v4-shaped uuid for `n`.
function uuid(n) {
  let h = (n * 2654435761) >>> 0;
  let hex = "";
  for (let i = 0; i < 32; i++) {
    h = (h * 1103515245 + 12345) >>> 0;
    hex += (h >>> 24).toString(16).padStart(2, "0")[1];
  }
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

// ---------------------------------------------------------------------------------------------
// Payloads: properties (track, page, screen) and traits (identify, group).

export const PAYLOADS = {
  plan: { plan: "pro", seats: 5, price: 49.5, trial: false },
  gainsight: { accountId: "0015g00000XyZabAAB", source: "Invite", title: "CEO" },
  ecommerce: {
    order_id: "o-1001", total: 99.99, revenue: 86.01, currency: "USD", coupon: null,
    products: [{ product_id: "p1", sku: "SKU-1", name: "Sony Pulse", price: 24.75, quantity: 2 }, { product_id: "p2", sku: "SKU-2", price: 49.5, quantity: 1 }],
  },
  dates: { renewalDate: "2026-09-01", signedUpAt: "2026-07-30T08:15:00.000Z", trialEnds: "2026-08-15T12:00:00+02:00", createdAt: "2024-02-29T23:59:59.999-05:00" },
  unicode: { name: "Zoë Ångström", city: "東京", emoji: "🚀✨", rtl: "שלום", combining: "e\u0301", quote: "say \"hi\"\n\ttab", nul: "a\u0000b", lineSep: "x\u2028y" },
  nested: { address: { street: "1 Main St", city: "San Francisco", geo: { lat: 37.7749, lng: -122.4194 } }, tags: ["vip", "trial"], matrix: [[1, 2], [3]], deep: { a: { b: { c: { d: ["2026-01-01"] } } } } },
  empties: { a: null, b: "", c: [], d: {}, e: 0, f: false, g: [null], h: { i: null } },
  numbers: { int: 42, neg: -7, frac: 0.1, small: 1e-7, big: 1e21, maxSafe: 9007199254740991, avogadro: 6.02e23, negZero: -0 },
  stringsLikeDates: { notADate: "2024-05-01T10", year: "2014", yearMonth: "2014-06", compact: "20240501", spaced: "2024-05-01 10:00:00", phone: "+1 555 0100", version: "1.2.3" },
  traits: {
    email: "mmorales@midtownhs.edu", firstName: "Miles", lastName: "Morales", name: "Miles Morales", phone: "555-0100",
    createdAt: "2026-01-05T10:00:00.000Z", company: { name: "Midtown High", id: "c-1", plan: "enterprise", employee_count: 400 },
    address: { city: "New York", country: "US", postalCode: "10001" }, birthday: "1999-08-10", age: 27, website: "https://example.com",
  },
  empty: {},
};

const EVENTS = ["Order Completed", "Signed Up", "Account Created", "Product Viewed", "Login Button Clicked"];

// ---------------------------------------------------------------------------------------------
// analytics.js (@segment/analytics-next 1.84): the shape its event factory, env-enrichment and
// segmentio plugins build (shared/reference/segment-spec-and-peers.md §1.3).

const AJS_LIBRARY = { name: "analytics.js", version: "npm:next-1.84.3" };
const AJS_PATHS = { track: "/v1/t", identify: "/v1/i", page: "/v1/p", screen: "/v1/s", group: "/v1/g", alias: "/v1/a" };

function ajsContext(n) {
  const search = n % 3 === 0 ? "?utm_source=newsletter&utm_campaign=launch" : "";
  const context = {
    page: { path: "/pricing", referrer: n % 2 ? "https://www.google.com/" : "", search, title: "Pricing – Example", url: `https://www.example.com/pricing${search}` },
    userAgent: "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36",
    userAgentData: { brands: [{ brand: "Chromium", version: "130" }], mobile: false, platform: "macOS" },
    locale: "en-US",
    library: AJS_LIBRARY,
    timezone: "Europe/Amsterdam",
  };
  if (search) context.campaign = { source: "newsletter", name: "launch" };
  return context;
}

// One analytics.js message: the client's clock `skewMs` off, the event `ageMs` before it was sent.
function ajsMessage(type, fields, n, { writeKey = "wk-gs", skewMs = -37_000, ageMs = 250, userId = n % 4 === 0 ? null : "u-123" } = {}) {
  const sentAtMs = RECEIVED_AT + skewMs;
  const tsMs = sentAtMs - ageMs;
  const message = { type, ...fields };
  if (type !== "alias" && !("userId" in fields)) message.userId = userId;
  message.anonymousId = uuid(5000 + n);
  message.messageId = `ajs-next-${tsMs}-${uuid(n)}`;
  message.timestamp = iso(tsMs);
  if (!("integrations" in fields)) message.integrations = {};
  message.context = ajsContext(n);
  message.writeKey = writeKey;
  message.sentAt = iso(sentAtMs);
  message._metadata = { bundled: ["Segment.io"], unbundled: [], bundledIds: [] };
  return message;
}

function ajsFields(type, payloadName, n) {
  const payload = PAYLOADS[payloadName];
  switch (type) {
    case "track":
      return { event: EVENTS[n % EVENTS.length], properties: payload };
    case "identify":
      return { userId: "u-123", traits: payload };
    case "group":
      return { groupId: "0015g00000XyZabAAB", traits: payload };
    case "page":
      return { name: "Pricing", category: "Docs", properties: { path: "/pricing", referrer: "", search: "", title: "Pricing – Example", url: "https://www.example.com/pricing", ...payload, name: "Pricing", category: "Docs" } };
    case "screen":
      return { name: "Home", properties: payload };
    case "alias":
      return { userId: "u-123", previousId: uuid(5000 + n) };
  }
}

const entry = (name, group, path, body, { ip = IPV4, contentType = "text/plain" } = {}) => ({
  name, group, path, body: typeof body === "string" ? body : JSON.stringify(body), ip, contentType,
});

// ---------------------------------------------------------------------------------------------

function integrationFixtures() {
  // The integration's own fixtures (test/fixtures/*-basic.json `input`), sent as its HTTP API calls.
  return ["identify", "track", "group"].map((type) => {
    const { input } = JSON.parse(readFileSync(`${root}tests/fidelity/vendor/integration-gainsight/fixtures/${type}-basic.json`, "utf8"));
    return entry(`fixture ${type}-basic`, "fixtures", `/v1/${type}`, { ...input, writeKey: "wk-gs" }, { contentType: "application/json" });
  });
}

function seedExamples() {
  // shared/reference/seeds 003/004 (Gainsight) and 000/001 (Gist): the pages' analytics.js calls.
  const examples = [
    ["Gainsight identify", "identify", { userId: "123", traits: { accountId: "o283h08fh2390f923uofu23", name: "Miles Morales", email: "mmorales@midtownhs.edu" } }],
    ["Gainsight track", "track", { userId: "123", event: "Account Created", properties: { accountId: "o283h08fh2390f923uofu23", source: "Invite", title: "CEO" } }],
    ["Gainsight group", "group", { userId: "123", groupId: "555", traits: { name: "Twitter", url: "https://twitter.com" } }],
    ["Gist identify", "identify", { userId: "userId123", traits: { email: "john.doe@example.com" } }],
    ["Gist track", "track", { userId: "userId123", event: "Login Button Clicked", properties: {} }],
  ];
  const out = [];
  examples.forEach(([name, type, fields], i) => {
    out.push(entry(`seed ${name} (analytics.js)`, "seeds", AJS_PATHS[type], ajsMessage(type, fields, 900 + i)));
    out.push(entry(`seed ${name} (HTTP API)`, "seeds", `/v1/${type}`, { ...fields, writeKey: "wk-gs" }, { contentType: "application/json" }));
  });
  return out;
}

function analyticsJs() {
  const out = [];
  let n = 0;
  for (const type of ["track", "identify", "group", "page", "screen", "alias"]) {
    for (const payloadName of Object.keys(PAYLOADS)) {
      if (type === "alias" && payloadName !== "plan") continue;
      n++;
      out.push(entry(`analytics.js ${type} ${payloadName}`, "analytics.js", AJS_PATHS[type], ajsMessage(type, ajsFields(type, payloadName, n), n)));
    }
  }
  // A clock ahead of the server's, and one far behind.
  out.push(entry("analytics.js track, client clock 3 h ahead", "analytics.js", "/v1/t", ajsMessage("track", ajsFields("track", "plan", 1), 101, { skewMs: 3 * 3600_000 })));
  out.push(entry("analytics.js identify, client clock 2 days behind", "analytics.js", "/v1/i", ajsMessage("identify", ajsFields("identify", "traits", 2), 102, { skewMs: -2 * 86_400_000 })));
  // From a page whose caller is on IPv6 (analytics.js FAQ: IPv6 is not collected).
  out.push(entry("analytics.js track from an IPv6 caller", "analytics.js", "/v1/t", ajsMessage("track", ajsFields("track", "plan", 3), 103), { ip: IPV6 }));
  out.push(entry("analytics.js identify that sets context.ip itself", "analytics.js", "/v1/i", (() => {
    const m = ajsMessage("identify", ajsFields("identify", "traits", 4), 104);
    m.context.ip = "198.51.100.23";
    return m;
  })()));
  return out;
}

function analyticsJsBatching() {
  // deliveryStrategy "batching": POST /b {batch, sentAt, writeKey}; sentAt removed from each item.
  const out = [];
  const types = ["identify", "track", "group", "page", "track", "screen"];
  for (let b = 0; b < 8; b++) {
    const batch = types.slice(0, 2 + (b % 5)).map((type, i) => {
      const payloadName = Object.keys(PAYLOADS)[(b + i) % Object.keys(PAYLOADS).length];
      const m = ajsMessage(type, ajsFields(type, payloadName, 200 + b * 10 + i), 200 + b * 10 + i, { ageMs: 250 + 1000 * (5 - i) });
      delete m.sentAt;
      return m;
    });
    out.push(entry(`analytics.js batch #${b + 1} (${batch.length} events)`, "analytics.js batching", "/v1/b", { batch, sentAt: iso(RECEIVED_AT - 37_000), writeKey: "wk-gs" }));
  }
  return out;
}

function httpApi() {
  // Segment's HTTP API (http-api/index.md): server-side, JSON, no library; some with a historical
  // timestamp, some with context.ip, some from a device with context.direct.
  const out = [];
  let n = 0;
  const fields = {
    track: (p) => ({ userId: "019mr8mf4r", event: "Item Purchased", properties: PAYLOADS[p] }),
    identify: (p) => ({ userId: "019mr8mf4r", traits: PAYLOADS[p] }),
    group: (p) => ({ userId: "019mr8mf4r", groupId: "8e9df332ac", traits: PAYLOADS[p] }),
    page: (p) => ({ userId: "019mr8mf4r", name: "Tracking HTTP API", properties: PAYLOADS[p] }),
    screen: (p) => ({ anonymousId: "507f191e810c19729de860ea", name: "Home", properties: PAYLOADS[p] }),
  };
  for (const [type, make] of Object.entries(fields)) {
    for (const payloadName of Object.keys(PAYLOADS)) {
      n++;
      const body = { ...make(payloadName), writeKey: "wk-gs" };
      if (n % 3 === 0) body.timestamp = "2012-12-02T00:30:08.276Z";
      if (n % 4 === 1) body.context = { ip: "24.5.68.47" };
      if (n % 5 === 2) body.context = { direct: true, userAgent: "curl/8.0" };
      out.push(entry(`HTTP API ${type} ${payloadName}`, "HTTP API", `/v1/${type}`, body, { contentType: "application/json" }));
    }
  }
  out.push(entry("HTTP API alias", "HTTP API", "/v1/alias", { previousId: "39239-239239-239239-23923", userId: "019mr8mf4r", timestamp: "2012-12-02T00:31:29.738Z", writeKey: "wk-gs" }, { contentType: "application/json" }));
  out.push(entry("HTTP API identify, context.direct from IPv6", "HTTP API", "/v1/identify", { userId: "019mr8mf4r", traits: PAYLOADS.plan, context: { direct: true }, writeKey: "wk-gs" }, { contentType: "application/json", ip: IPV6 }));
  // http-api/index.md "Batch": its own example, envelope context merged into each item. The doc's
  // last two timestamps read "2015-2-02T00:30:08.276Z", which is no date to facade's new-date
  // (Invalid Date: the body would carry "timestamp": null); what Segment's server made of it is not
  // published, so they are written 2015-02-02 here.
  out.push(entry("HTTP API batch (the doc's example)", "HTTP API", "/v1/batch", {
    batch: [
      { type: "identify", userId: "019mr8mf4r", traits: { email: "jake@yahoo.com", name: "Jake Peterson", age: 26 }, timestamp: "2012-12-02T00:30:08.276Z" },
      { type: "track", userId: "019mr8mf4r", event: "Song Played", properties: { name: "Fallin for You", artist: "Dierks Bentley" }, timestamp: "2012-12-02T00:30:12.984Z" },
      { type: "identify", userId: "971mj8mk7p", traits: { email: "cindy@example.com", name: "Cindy Gonzalez", age: 23 }, timestamp: "2015-02-02T00:30:08.276Z" },
      { type: "track", userId: "971mj8mk7p", event: "Song Played", properties: { name: "Get Right", artist: "Jennifer Lopez" }, timestamp: "2015-02-02T00:30:12.984Z" },
    ],
    writeKey: "wk-gs",
    context: { device: { type: "phone", name: "Apple iPhone 6" } },
  }, { contentType: "application/json" }));
  return out;
}

// analytics-node 3.1.0, for real: its batches as it would POST them to /v1/batch.
async function analyticsNode() {
  const captured = [];
  const capture = async (url, init) => {
    captured.push({ url, body: init.body });
    return { status: 200, statusText: "OK" };
  };
  const calls = [];
  let n = 0;
  const at = () => iso(RECEIVED_AT - 60_000 + 1000 * n);
  const meta = () => ({ messageId: `node-next-fixed-${uuid(7000 + n)}`, timestamp: at() });
  for (const payloadName of Object.keys(PAYLOADS)) {
    n++;
    calls.push(["track", { userId: "u-42", event: EVENTS[n % EVENTS.length], properties: PAYLOADS[payloadName], ...meta() }]);
    n++;
    calls.push(["identify", { userId: "u-42", traits: PAYLOADS[payloadName], ...meta() }]);
    n++;
    calls.push(["group", { userId: "u-42", groupId: "acct-9", traits: PAYLOADS[payloadName], ...meta() }]);
  }
  n++;
  calls.push(["page", { userId: "u-42", name: "Pricing", category: "Docs", properties: PAYLOADS.plan, ...meta() }]);
  n++;
  calls.push(["screen", { anonymousId: "anon-42", name: "Home", properties: PAYLOADS.plan, ...meta() }]);
  n++;
  calls.push(["alias", { userId: "u-42", previousId: "anon-42", ...meta() }]);
  n++;
  calls.push(["track", { anonymousId: "anon-42", event: "Signed Up", properties: PAYLOADS.plan, context: { ip: "198.51.100.9" }, integrations: { Gainsight: true }, ...meta() }]);

  const one = new Analytics({ writeKey: "wk-gs", flushAt: 1, httpClient: capture });
  for (const [method, params] of calls) one[method](params);
  await one.closeAndFlush();
  const many = new Analytics({ writeKey: "wk-gs", flushAt: 8, httpClient: capture });
  for (const [method, params] of calls.slice(0, 8)) many[method](params);
  await many.closeAndFlush();

  return captured.map(({ url, body }, i) => {
    const envelope = JSON.parse(body);
    if (new URL(url).pathname !== "/v1/batch") throw new Error(`analytics-node posted to ${url}`);
    envelope.sentAt = iso(RECEIVED_AT - 800); // the flush time, fixed so the corpus is deterministic
    const what = envelope.batch.length === 1 ? `${envelope.batch[0].type} ${envelope.batch[0].messageId.slice(-12)}` : `batch of ${envelope.batch.length}`;
    return entry(`analytics-node #${i + 1} ${what}`, "analytics-node", "/v1/batch", envelope, { contentType: "application/json" });
  });
}

// Strings that are, or look like, ISO dates: facade's isodate-traverse turns some into Dates.
export const DATE_STRINGS = [
  "2026-08-15T12:00:00+02:00", "2026-08-15T10:00:00Z", "2026-08-15T10:00:00.000Z", "2026-08-15T10:00:00.123456789Z",
  "2026-08-15T10:00:00-0530", "2026-08-15T10:00:00+05", "2026-08-15T10:00:00-00:00", "2026-08-15", "2026-08-15T10:00",
  "2026-08-15T1000", "2026-08-15 10:00:00", "2026-08-15T10:00:00,5Z", "2026-08-15T24:00:00Z", "2026-13-01", "2026-02-30",
  "2026-08-15T10:00:60Z", "0000-01-01", "0099-06-15", "9999-12-31T23:59:60Z", "2026-08-15T10:00:00z", "2026-08-15t10:00:00Z",
  "2026-08-15T10", "20260815", "2026-08", "2026", "2026-08-15T10:00:00.Z", " 2026-08-15", "2026-08-15 ", "2026-08-15T10:00:00+05:30:00",
  "Sat, 15 Aug 2026 10:00:00 GMT", "1785578400000",
];

function dates() {
  const out = [];
  DATE_STRINGS.forEach((s, i) => {
    out.push(entry(`date ${JSON.stringify(s)} in track properties`, "dates", "/v1/t", ajsMessage("track", { event: "Order Completed", properties: { when: s, list: [s], nested: { at: s } } }, 300 + i)));
    out.push(entry(`date ${JSON.stringify(s)} in identify traits`, "dates", "/v1/identify", { userId: "u-7", traits: { createdAt: s }, writeKey: "wk-gs" }, { contentType: "application/json" }));
  });
  return out;
}

// Timestamps a client may send. Via the HTTP API (no sentAt: taken as sent) and as analytics.js
// (with sentAt: skew-corrected).
export const TIMESTAMPS = [
  "2026-07-31T12:00:00+02:00", "2026-07-31T10:00:00Z", "2026-07-31T10:00:00.123456Z", "2026-07-31", "2026-07-31 10:00:00",
  "2014", "2014-06", "20140601", "Fri, 31 Jul 2026 10:00:00 GMT", "07/31/2026 10:00", "2026-07-31T10:00:00.000+0000",
  1785490000000, 1785490000, 1785490000000.5, "1785490000000", "1785490000", 0,
];

function timestamps() {
  const out = [];
  TIMESTAMPS.forEach((ts, i) => {
    out.push(entry(`timestamp ${JSON.stringify(ts)} (HTTP API, no sentAt)`, "timestamps", "/v1/track", { userId: "u-8", event: "Order Completed", timestamp: ts, writeKey: "wk-gs" }, { contentType: "application/json" }));
  });
  for (const [ts, sentAt] of [["2026-08-01T12:00:00+02:00", "2026-08-01T12:00:01+02:00"], ["2026-08-01T10:00:00Z", "2026-08-01T10:00:00.250+00:00"], [1785578400000, "2026-08-01T10:00:01.000Z"], ["2014", "2026-08-01T10:00:00Z"]]) {
    const m = ajsMessage("track", { event: "Order Completed", properties: {} }, 400 + out.length);
    m.timestamp = ts;
    m.sentAt = sentAt;
    out.push(entry(`timestamp ${JSON.stringify(ts)} with sentAt ${sentAt} (analytics.js)`, "timestamps", "/v1/t", m));
  }
  out.push(entry("receivedAt sent by the client", "timestamps", "/v1/track", { userId: "u-8", event: "Order Completed", receivedAt: "2000-01-01T00:00:00.000Z", writeKey: "wk-gs" }, { contentType: "application/json" }));
  out.push(entry("no timestamp, with sentAt", "timestamps", "/v1/track", { userId: "u-8", event: "Order Completed", sentAt: "2026-08-01T09:00:00.000Z", writeKey: "wk-gs" }, { contentType: "application/json" }));
  return out;
}

function datedIds() {
  // Ids and names that facade's traverse also turns into Dates (it converts every string value).
  const http = (name, path, body) => entry(name, "ids", path, { ...body, writeKey: "wk-gs" }, { contentType: "application/json" });
  return [
    http("userId that is a date", "/v1/identify", { userId: "2024-05-01", traits: { plan: "pro" } }),
    http("anonymousId that is a timestamp", "/v1/track", { anonymousId: "2024-05-01T10:00:00Z", event: "Signed Up" }),
    http("event name that is a date", "/v1/track", { userId: "u-9", event: "2026-01-01" }),
    http("groupId that is a date", "/v1/group", { userId: "u-9", groupId: "2024-12-31", traits: { name: "Year End" } }),
    http("messageId that is a date", "/v1/track", { userId: "u-9", event: "Signed Up", messageId: "2026-08-01" }),
    http("context.page.title that is a date", "/v1/track", { userId: "u-9", event: "Signed Up", context: { page: { title: "2026-08-01" }, library: { name: "analytics-python", version: "2.3.0" } } }),
    http("userId null with anonymousId (anonymous analytics.js user)", "/v1/track", { userId: null, anonymousId: "a-1", event: "Signed Up" }),
    http("no userId and no anonymousId", "/v1/track", { event: "Signed Up" }),
    http("track without event", "/v1/track", { userId: "u-9", properties: { a: 1 } }),
  ];
}

function oddValues() {
  const json = (name, path, text) => entry(name, "odd values", path, text, { contentType: "application/json" });
  return [
    json("number texts as other clients write them", "/v1/track", '{"writeKey":"wk-gs","userId":"u-1","event":"E","properties":{"a":1.50,"b":1E5,"c":1.0,"d":-0.0,"e":12345678901234567890,"f":0.000001,"g":1e-7,"h":123456789012345678901234567890,"i":5e-324}}'),
    json("a __proto__ key in properties", "/v1/track", '{"writeKey":"wk-gs","userId":"u-1","event":"E","properties":{"__proto__":{"polluted":true},"ok":1}}'),
    json("a constructor key in traits", "/v1/identify", '{"writeKey":"wk-gs","userId":"u-1","traits":{"constructor":"x","toString":1}}'),
    json("duplicate keys", "/v1/track", '{"writeKey":"wk-gs","userId":"u-1","event":"E","properties":{"a":1,"a":2}}'),
    json("escaped unicode and a surrogate pair", "/v1/track", '{"writeKey":"wk-gs","userId":"u-1","event":"\\u00c9v\\u00e9nement","properties":{"s":"\\ud83d\\ude80","slash":"a\\/b"}}'),
    json("properties null, traits null", "/v1/track", '{"writeKey":"wk-gs","userId":"u-1","event":"E","properties":null,"traits":null}'),
    json("deep nesting (30 levels)", "/v1/track", `{"writeKey":"wk-gs","userId":"u-1","event":"E","properties":${"{\"n\":".repeat(30)}"2026-08-15T12:00:00+02:00"${"}".repeat(30)}}`),
    json("long array of dates", "/v1/track", JSON.stringify({ writeKey: "wk-gs", userId: "u-1", event: "E", properties: { days: Array.from({ length: 40 }, (_, i) => iso(Date.UTC(2026, 0, 1 + i)).replace(".000Z", "+00:00")) } })),
  ];
}

// `integrations` values, and facade's older fallbacks (`options`, `context` when there is no
// `integrations`): each on a track and an identify.
export const INTEGRATIONS = [
  { All: false, Gainsight: true }, { All: false }, { all: false }, { ALL: false }, { "a l l": false }, { All: false, Gainsight: null },
  { All: false, Gainsight: "true" }, { All: false, Gainsight: {} }, { All: false, Gainsight: { anything: 1 } }, { Gainsight: false },
  { gainsight: false }, { GAINSIGHT: false }, { Gainsight: 0 }, { Gainsight: "false" }, { All: "false" }, { All: 0 }, { All: null },
  { All: true, Gainsight: false }, { "Segment.io": true }, { All: false, "Segment.io": true }, { All: false, "Gainsight PX": true },
  { All: false, "Gainsight Px Cloud (Actions)": true }, { "Gainsight Px Cloud (Actions)": false }, { "Gainsight PX Cloud (Actions)": false },
  { "Gainsight PX": false }, { All: false, Gist: true }, { Gist: false }, { providers: { Gainsight: false } }, { providers: { all: false } },
  { All: true, all: false }, { all: false, All: true }, { All: false, Gainsight: true, "Gainsight Px Cloud (Actions)": true, Gist: true }, {},
];

// Messages that route by facade's fallbacks: no `integrations`, or `context.all`.
export const LEGACY_ROUTING = [
  ["context.All false, no integrations", { context: { All: false } }],
  ["context.all false, with integrations {}", { context: { all: false }, integrations: {} }],
  ["context.Gainsight false, no integrations", { context: { Gainsight: false } }],
  ["context.Gainsight false, with integrations {}", { context: { Gainsight: false }, integrations: {} }],
  ["context.providers.Gainsight false, no integrations", { context: { providers: { Gainsight: false } } }],
  ["options.Gainsight false (analytics.js 1 `options`), no integrations", { options: { Gainsight: false } }],
  ["options.all false (analytics.js 1 `options`)", { options: { all: false }, integrations: { Gist: true } }],
];

function integrations() {
  const out = [];
  INTEGRATIONS.forEach((value, i) => {
    out.push(entry(`integrations ${JSON.stringify(value)} on track`, "integrations", "/v1/track", { userId: "u-3", event: "Order Completed", properties: { email: "a@example.com" }, integrations: value, writeKey: "wk-gs" }, { contentType: "application/json" }));
    out.push(entry(`integrations ${JSON.stringify(value)} on analytics.js identify`, "integrations", "/v1/i", ajsMessage("identify", { userId: "u-3", traits: { email: "a@example.com" }, integrations: value }, 600 + i)));
  });
  for (const [name, fields] of LEGACY_ROUTING) {
    out.push(entry(`legacy routing: ${name}`, "legacy routing", "/v1/track", { userId: "u-3", event: "Order Completed", properties: { email: "a@example.com" }, ...fields, writeKey: "wk-gs" }, { contentType: "application/json" }));
  }
  // A batch envelope's integrations merged into its items.
  out.push(entry("batch envelope integrations {All:false,Gainsight:true}", "integrations", "/v1/batch", {
    batch: [{ type: "track", userId: "u-3", event: "A" }, { type: "track", userId: "u-3", event: "B", integrations: { Gainsight: false } }],
    integrations: { All: false, Gainsight: true }, writeKey: "wk-gs",
  }, { contentType: "application/json" }));
  return out;
}

// Track names against the two whitelists (tests/support/fidelity_worker.mjs WHITELISTS).
export const WHITELIST_EVENTS = [
  "Order Completed", "order completed", "ORDER COMPLETED", "order_completed", "orderCompleted", "OrderCompleted", "order-completed",
  "order.completed", "Order-Completed", "Order  Completed", "Order Completed ", "Order Completed v2", "order_completed_v2",
  "ORDERCOMPLETED", "Order__Completed", "mapped event", "mapped_event", "mappedEvent", "MAPPED_EVENT", "Mapped Event!", "Account Created",
  "signupStarted", "signup started", "signup_started", "SignupStarted", "Checkout-Step.Viewed", "checkout step viewed", "checkoutStepViewed",
  "Checkout Step Viewed", "Ordér Completed", "2026-01-01",
];

function whitelist() {
  const out = [];
  for (const writeKey of ["wk-gs-wl1", "wk-gs-wl2"]) {
    WHITELIST_EVENTS.forEach((event, i) => {
      out.push(entry(`${writeKey}: track ${JSON.stringify(event)}`, "whitelist", "/v1/t", ajsMessage("track", { event, properties: { plan: "pro" } }, 700 + i, { writeKey })));
    });
    out.push(entry(`${writeKey}: identify (never filtered)`, "whitelist", "/v1/i", ajsMessage("identify", ajsFields("identify", "plan", 1), 790, { writeKey })));
    out.push(entry(`${writeKey}: group (never filtered)`, "whitelist", "/v1/g", ajsMessage("group", ajsFields("group", "plan", 1), 791, { writeKey })));
  }
  return out;
}

// The whole corpus, in a stable order.
export async function fidelityCorpus() {
  return [
    ...integrationFixtures(), ...seedExamples(), ...analyticsJs(), ...analyticsJsBatching(), ...httpApi(), ...(await analyticsNode()),
    ...dates(), ...timestamps(), ...datedIds(), ...oddValues(), ...integrations(), ...whitelist(),
  ];
}

// @ts-check
// A core made ready before its first request. V8 compiles a wasm module's functions lazily, each
// the first time it runs (Liftoff), and the JavaScript that hosts it likewise: in a fresh isolate
// the first beacon paid 15-25 ms of CPU for that in Node (session 26), over Cloudflare's 10 ms a
// request on the Free plan. Run at a Worker's global scope, where the platform allows a second of
// startup, a few requests through the built-in demo source compile what a request runs, so the
// first real one does not. Nothing leaves: the plans are read and dropped; the caller configures
// the core afterwards as it would a fresh one.
import { Core } from "./core.mjs";

// What a page's analytics.js asks first (its settings), and the calls of the demo's destinations: a
// beacon, and a batch of the four types that route (Gist's events and contacts, Gainsight, PX,
// capture), read for the queue and inline. The messages have the members real clients send
// (analytics-next's browser context and _metadata, analytics-node's library, nested properties and
// traits, ISO dates, numbers of each kind): a request's code runs the first time on what it reads,
// and a member the warm-up lacked was compiled on the first request instead (a fresh isolate's
// first 15-event batch, in a Worker that does little else: 11.5 ms of the main thread's CPU,
// against 8.7 with these).
const BROWSER = {
  context: {
    page: { path: "/pricing", referrer: "https://example.org/", search: "?utm_source=warm-up", title: "Pricing", url: "https://example.com/pricing?utm_source=warm-up" },
    userAgent: "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    userAgentData: { brands: [{ brand: "Chromium", version: "131" }], mobile: false, platform: "macOS" },
    locale: "en-US",
    library: { name: "analytics.js", version: "next-1.84.1" },
    timezone: "Europe/Amsterdam",
    campaign: { source: "warm-up", medium: "email", name: "launch" },
  },
  integrations: {},
  _metadata: { bundled: ["Segment.io"], unbundled: [], bundledIds: [] },
};
const SERVER = {
  context: { library: { name: "@segment/analytics-node", version: "2.2.0" } },
  _metadata: { nodeVersion: "20.20.2", jsRuntime: "node" },
};
const message = (type, client, extra) => ({
  type,
  messageId: `warm-up-${type}-${client === BROWSER ? "browser" : "server"}`,
  userId: "warm-up-user",
  anonymousId: "6f0c2a7e-0000-4b1d-9c3e-8a2f5d7e9b10",
  timestamp: "2026-01-01T00:00:00.000Z",
  ...client,
  ...extra,
});
const TRAITS = {
  email: "warm-up@example.com", name: "Warm Up", firstName: "Warm", lastName: "Up", createdAt: "2026-01-01T00:00:00.000Z",
  plan: "pro", seats: 5, accountId: "warm-up-group", company: { name: "Warm Up Inc", id: "warm-up-group", employee_count: 12 },
  address: { city: "Amsterdam", country: "NL" }, newsletter: true, tags: ["beta", "vip"],
};
const BATCH = [
  message("track", BROWSER, {
    event: "Warmed Up",
    properties: { order_id: "o_1", revenue: 49.5, currency: "EUR", accountId: "warm-up-group", products: [{ sku: "sku_1", price: 49, quantity: 1 }], coupon: null, trial: false },
  }),
  message("identify", BROWSER, { traits: TRAITS }),
  message("page", BROWSER, { name: "Pricing", category: "Marketing", properties: { path: "/pricing", url: "https://example.com/pricing", title: "Pricing" } }),
  message("group", BROWSER, { groupId: "warm-up-group", traits: { name: "Warm Up Inc", industry: "Software", employees: 12, website: "https://example.com" } }),
  message("track", SERVER, { event: "Warmed Up", properties: { i: 1, ratio: 0.25, ok: true } }),
  message("identify", SERVER, { traits: { email: "warm-up@example.com" } }),
];
const META = { method: "POST", headers: { "cf-connecting-ip": "192.0.2.1" }, receivedAt: Date.UTC(2026, 0, 1), seed: "0000000000000001" };

/**
 * Asks for the settings of the configured source with this writeKey (under basePath), and runs a
 * beacon and a batch through it, for the queue and inline, or only `modes`; the plans are dropped.
 * Throws what the core throws.
 * @param {Core} core
 * @param {string} writeKey
 * @param {{basePath?: string, modes?: boolean[]}} [options]
 */
export function warmUp(core, writeKey, { basePath = "", modes = [true, false] } = {}) {
  const encoder = new TextEncoder();
  const beacon = encoder.encode(JSON.stringify({ ...BATCH[0], writeKey }));
  const batch = encoder.encode(JSON.stringify({ writeKey, batch: BATCH, sentAt: "2026-01-01T00:00:01.000Z" }));
  // The settings document first, as analytics.js asks for it before it sends anything.
  core.handle({ ...META, method: "GET", url: `https://edge.invalid${basePath}/v1/projects/${writeKey}/settings`, queue: false }, new Uint8Array(0)).release();
  for (const queue of modes) {
    core.handle({ ...META, url: `https://edge.invalid${basePath}/v1/t`, queue }, beacon).release();
    const plan = core.handle({ ...META, url: `https://edge.invalid${basePath}/v1/batch`, queue }, batch);
    if (!queue) void plan.requests; // the calls' reader too
    plan.release();
  }
}

/**
 * A core instantiated now and run through the demo source once (Core.instantiateNow: nothing
 * waits at a global scope). Throws what instantiating or the core throws.
 * @param {WebAssembly.Module} module
 */
export function warmedCore(module) {
  const core = Core.instantiateNow(module);
  warmUp(core, core.configure("").sources[0].writeKey);
  return core;
}

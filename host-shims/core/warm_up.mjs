// @ts-check
// A core made ready before its first request. V8 compiles a wasm module's functions lazily, each
// the first time it runs (Liftoff), and the JavaScript that hosts it likewise: in a fresh isolate
// the first beacon paid 15-25 ms of CPU for that in Node (session 26), over Cloudflare's 10 ms a
// request on the Free plan. Run at a Worker's global scope, where the platform allows a second of
// startup, a few requests through the built-in demo source compile what a request runs, so the
// first real one does not. Nothing leaves: the plans are read and dropped; the caller configures
// the core afterwards as it would a fresh one.
import { Core } from "./core.mjs";

// The calls of the demo's destinations: a beacon, and a batch of the four types that route (Gist's
// events and contacts, Gainsight, PX, capture), read for the queue and inline.
const message = (type, extra) => ({
  type,
  messageId: `warm-up-${type}`,
  userId: "warm-up-user",
  timestamp: "2026-01-01T00:00:00.000Z",
  context: { page: { url: "https://example.com/", path: "/", title: "" }, userAgent: "ajs-edge warm-up" },
  ...extra,
});
const BATCH = [
  message("track", { event: "Warmed Up", properties: { plan: "demo", seats: 3 } }),
  message("identify", { traits: { email: "warm-up@example.com", name: "Warm Up", createdAt: "2026-01-01T00:00:00.000Z" } }),
  message("page", { name: "Home", properties: { path: "/" } }),
  message("group", { groupId: "warm-up-group", traits: { name: "Warm Up Inc" } }),
];
const META = { method: "POST", headers: { "cf-connecting-ip": "192.0.2.1" }, receivedAt: Date.UTC(2026, 0, 1), seed: "0000000000000001" };

/**
 * A core instantiated now and run through the demo source once (Core.instantiateNow: nothing
 * waits at a global scope). Throws what instantiating or the core throws.
 * @param {WebAssembly.Module} module
 */
export function warmedCore(module) {
  const core = Core.instantiateNow(module);
  const writeKey = core.configure("").sources[0].writeKey;
  const encoder = new TextEncoder();
  const beacon = encoder.encode(JSON.stringify({ ...BATCH[0], writeKey }));
  const batch = encoder.encode(JSON.stringify({ writeKey, batch: BATCH }));
  for (const queue of [true, false]) {
    core.handle({ ...META, url: "https://edge.invalid/v1/t", queue }, beacon).release();
    const plan = core.handle({ ...META, url: "https://edge.invalid/v1/batch", queue }, batch);
    if (!queue) void plan.requests; // the calls' reader too
    plan.release();
  }
  return core;
}

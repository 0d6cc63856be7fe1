// Differential test of the Gainsight PX destination against Segment's "Gainsight Px Cloud
// (Actions)" destination (issue #14): the destination's own code (vendored from
// @segment/action-destinations 3.497.0) run by @segment/actions-core 3.170.0 with its presets, on
// the messages Segment's tracking API hands it (tests/support/fidelity_segment.mjs), POSTing to a
// loopback recorder. For every request of the corpus: the same PX requests — URL (the data
// center's host), Authorization, Content-Type, User-Agent, JSON-equal body (the event as is:
// `segmentEvent: {"@path": "$."}`, no facade) — and none where Segment sends none (the presets
// subscribe identify, group, track and page; `integrations` must enable the catalog name).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { fidelityCorpus, IPV4 } from "../support/fidelity_corpus.mjs";
import { PxActionsOracle, facadeEnabled, segmentTrackingApi } from "../support/fidelity_segment.mjs";
import { WorkerCore, RECEIVED_AT, PX_KEY, PX_REGIONS } from "../support/fidelity_worker.mjs";
import { requestView, fillGeneratedIds, numberTokenDifferences } from "../support/fidelity_compare.mjs";

const HEADERS = ["content-type", "authorization", "user-agent"];
// facade's analytics.js 1 fallbacks (`options`, `context` flags) route classic integrations only.
const corpus = (await fidelityCorpus()).filter((e) => e.group !== "legacy routing");
let worker;
let segment;

before(async () => {
  worker = await WorkerCore.start();
  segment = await PxActionsOracle.start();
});
after(() => segment.close());

async function segmentRequests(entry) {
  const writeKey = JSON.parse(entry.body).writeKey;
  const { messages } = segmentTrackingApi({ ...entry, receivedAt: RECEIVED_AT });
  const out = [];
  for (const message of messages) {
    // The integrations object decides before the destination runs (spec/common.md "Integrations").
    if (!facadeEnabled(message, PxActionsOracle.catalogName)) continue;
    const { requests } = await segment.deliver(message, { apiKey: PX_KEY, dataCenter: PX_REGIONS[writeKey] ?? "north_america" });
    out.push(...requests);
  }
  return out;
}

const workerRequests = (entry) => worker.handle(entry).calls.filter((c) => c.destination === "gainsightPx");

// Both sides' requests per corpus entry, kept for the number test below.
const sent = new Map();

async function check(entry) {
  const both = { worker: workerRequests(entry), segment: await segmentRequests(entry) };
  sent.set(entry, both);
  const expected = both.segment.map((r) => requestView(r, HEADERS));
  const actual = both.worker.map((r) => requestView(r, HEADERS));
  fillGeneratedIds(actual, expected);
  assert.deepStrictEqual(actual, expected);
}

for (const entry of corpus) {
  test(`[${entry.group}] ${entry.name}`, () => check(entry));
}

// Number tokens as written (parsing cannot see them): actions-core sends JSON.stringify of the
// event, so every number is JavaScript's shortest form of its double.
test("numbers are written as Segment's JSON.stringify writes them", () => {
  const differences = corpus.flatMap((entry) => numberTokenDifferences(entry.name, sent.get(entry).worker, sent.get(entry).segment));
  assert.deepEqual(differences, []);
});

// The data centers (regional-endpoints.ts; an unknown one falls back to north_america there, and is
// a config error in the Worker).
for (const writeKey of ["wk-px-eu", "wk-px-us2"]) {
  for (const [type, path, fields] of [
    ["track", "/v1/t", { event: "Order Completed", properties: { plan: "pro" } }],
    ["identify", "/v1/i", { traits: { email: "a@example.com" } }],
    ["page", "/v1/p", { name: "Pricing", properties: { path: "/pricing" } }],
    ["screen", "/v1/s", { name: "Home" }],
  ]) {
    const body = { type, userId: "u-5", ...fields, messageId: `ajs-next-${type}`, timestamp: "2026-08-01T09:59:59.000Z", sentAt: "2026-08-01T10:00:00.000Z", context: { library: { name: "analytics.js", version: "npm:next-1.84.3" } }, writeKey };
    test(`[regions] ${PX_REGIONS[writeKey]}: ${type}`, () => check({ name: type, path, body: JSON.stringify(body), ip: IPV4, contentType: "text/plain" }));
  }
}

// Routing by a message's `integrations` object against Segment's own rule (issue #14 rows 2 and 7):
// segmentio-facade 3.2.7 `Facade#enabled(name)` (lib/facade.js), which every classic integration
// ran behind (segmentio-integration 5.1.0 lib/proto.js `enabled`). For each object, the Worker
// plans a call to a destination exactly when facade enables that destination's Segment catalog
// name: "Gainsight" (classic), "Gist", and "Gainsight Px Cloud (Actions)" (the Actions
// destination's `name`, @segment/action-destinations gainsight-px-cloud-action/index.ts; names are
// case-sensitive, http-api/index.md "Selecting Destinations").
//
// facade also reads `all` and per-name flags from `options` / `context` when a message has no
// `integrations` (its analytics.js 1 fallbacks): those cases are checked for the classic
// destinations only, since Actions destinations are not routed by facade.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { INTEGRATIONS, LEGACY_ROUTING, IPV4 } from "../support/fidelity_corpus.mjs";
import { facadeEnabled, segmentTrackingApi, PxActionsOracle } from "../support/fidelity_segment.mjs";
import { WorkerCore, RECEIVED_AT } from "../support/fidelity_worker.mjs";

const DESTINATIONS = { gainsight: "Gainsight", gist: "Gist", gainsightPx: PxActionsOracle.catalogName };
let worker;
before(async () => {
  worker = await WorkerCore.start();
});

// A track every destination sends when enabled (Gist needs a userId or an email).
function request(fields, via) {
  const message = { userId: "u-3", event: "Order Completed", properties: { email: "a@example.com" }, ...fields };
  if (via === "analytics.js") {
    return { path: "/v1/t", ip: IPV4, contentType: "text/plain", body: JSON.stringify({ ...message, type: "track", anonymousId: "a-3", timestamp: "2026-08-01T09:59:59.000Z", sentAt: "2026-08-01T10:00:00.000Z", messageId: "ajs-next-1", context: { library: { name: "analytics.js", version: "npm:next-1.84.3" } }, writeKey: "wk-gs" }) };
  }
  return { path: "/v1/track", ip: IPV4, contentType: "application/json", body: JSON.stringify({ ...message, writeKey: "wk-gs" }) };
}

function routes(req, names) {
  const [message] = segmentTrackingApi({ ...req, receivedAt: RECEIVED_AT }).messages;
  const planned = new Set(worker.handle(req).calls.map((c) => c.destination));
  const worker_ = {};
  const segment = {};
  for (const key of names) {
    worker_[DESTINATIONS[key]] = planned.has(key);
    segment[DESTINATIONS[key]] = facadeEnabled(message, DESTINATIONS[key]);
  }
  return { worker: worker_, segment };
}

for (const value of INTEGRATIONS) {
  for (const via of ["HTTP API", "analytics.js"]) {
    test(`integrations ${JSON.stringify(value)} (${via})`, () => {
      const { worker: actual, segment: expected } = routes(request({ integrations: value }, via), ["gainsight", "gist", "gainsightPx"]);
      assert.deepStrictEqual(actual, expected);
    });
  }
}

for (const [name, fields] of LEGACY_ROUTING) {
  test(`facade fallback: ${name}`, () => {
    const { worker: actual, segment: expected } = routes(request(fields, "HTTP API"), ["gainsight", "gist"]);
    assert.deepStrictEqual(actual, expected);
  });
}

// Segment's default (spec/common.md "Integrations"): every destination on but Salesforce.
test("no integrations object: every destination is sent to", () => {
  const { worker: actual, segment: expected } = routes(request({}, "HTTP API"), ["gainsight", "gist", "gainsightPx"]);
  assert.deepStrictEqual(expected, { Gainsight: true, Gist: true, [PxActionsOracle.catalogName]: true });
  assert.deepStrictEqual(actual, expected);
});

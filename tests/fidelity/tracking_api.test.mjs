// The tracking API's documented rules (issue #14 rows 1 and 6), as expectations with their
// citations (Segment's tracking API is not published as code; tests/support/fidelity_segment.mjs
// `segmentTrackingApi` models it from these documents):
//  - replies: http-api/index.md "Errors": "Segment returns a 200 response for all API requests
//    except errors caused by large payloads and JSON errors (which return 400 responses)"; a
//    message without userId/anonymousId (no_user_anon_id) or a track without `event` is accepted
//    and dropped later.
//  - context.ip: spec/common.md "filled in by Segment's servers when it receives a message for
//    client side events only"; http-api/index.md "Collecting IP Address": `context.direct: true`;
//    analytics.js FAQ: IPv6 is not collected automatically.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { fidelityCorpus, IPV4, IPV6 } from "../support/fidelity_corpus.mjs";
import { segmentTrackingApi } from "../support/fidelity_segment.mjs";
import { WorkerCore, RECEIVED_AT } from "../support/fidelity_worker.mjs";

let worker;
before(async () => {
  worker = await WorkerCore.start();
});

const json = (path, body, ip = IPV4) => ({ path, body: typeof body === "string" ? body : JSON.stringify(body), ip, contentType: "application/json" });
const statusOf = (req) => ({ worker: worker.handle(req).status, segment: segmentTrackingApi({ ...req, receivedAt: RECEIVED_AT }).status });

for (const [name, req] of [
  ["a single message without userId or anonymousId", json("/v1/identify", { writeKey: "wk-gs", traits: { plan: "pro" } })],
  ["an analytics.js track without userId or anonymousId", { ...json("/v1/t", { writeKey: "wk-gs", event: "E" }), contentType: "text/plain" }],
  ["a track without event", json("/v1/track", { writeKey: "wk-gs", userId: "u-1", properties: {} })],
  ["a batch whose every item is invalid", json("/v1/batch", { writeKey: "wk-gs", batch: [{ type: "track", userId: "u-1" }, { type: "identify" }] })],
]) {
  test(`reply: ${name} is accepted (200) and dropped`, () => {
    const { worker: actual, segment: expected } = statusOf(req);
    assert.equal(expected, 200);
    assert.equal(actual, expected);
    assert.deepEqual(worker.handle(req).calls, []);
  });
}

test("reply: invalid JSON is a 400", () => {
  const { worker: actual, segment: expected } = statusOf(json("/v1/track", '{"writeKey":"wk-gs","userId":'));
  assert.equal(expected, 400);
  assert.equal(actual, expected);
});

test("reply: every request of the corpus gets Segment's status", async () => {
  const differences = [];
  for (const entry of await fidelityCorpus()) {
    const { worker: actual, segment: expected } = statusOf(entry);
    if (actual !== expected) differences.push(`${entry.name}: Worker ${actual}, Segment ${expected}`);
  }
  assert.deepEqual(differences, []);
});

// What the Gainsight body carries as context.ip (the message as normalized, whole, goes there).
function ipSent(req) {
  const call = worker.handle(req).calls.find((c) => c.destination === "gainsight");
  return JSON.parse(call.body).context?.ip;
}

for (const [name, req, expected] of [
  ["analytics.js (client side): the caller's IPv4", { ...json("/v1/t", { writeKey: "wk-gs", userId: "u-1", event: "E", context: { library: { name: "analytics.js", version: "npm:next-1.84.3" } } }), contentType: "text/plain" }, IPV4],
  ["analytics.js from an IPv6 caller: none", { ...json("/v1/t", { writeKey: "wk-gs", userId: "u-1", event: "E", context: { library: { name: "analytics.js", version: "npm:next-1.84.3" } } }, IPV6), contentType: "text/plain" }, undefined],
  ["analytics-node (server side): none", json("/v1/batch", { writeKey: "wk-gs", batch: [{ type: "track", userId: "u-1", event: "E", context: { library: { name: "@segment/analytics-node", version: "3.1.0" } } }] }), undefined],
  ["HTTP API without context.direct: none", json("/v1/track", { writeKey: "wk-gs", userId: "u-1", event: "E" }), undefined],
  ["HTTP API with context.direct: the caller's IPv4", json("/v1/track", { writeKey: "wk-gs", userId: "u-1", event: "E", context: { direct: true } }), IPV4],
  ["a context.ip the client sent: kept", json("/v1/track", { writeKey: "wk-gs", userId: "u-1", event: "E", context: { ip: "198.51.100.23" } }), "198.51.100.23"],
]) {
  test(`context.ip: ${name}`, () => {
    assert.equal(segmentTrackingApi({ ...req, receivedAt: RECEIVED_AT }).messages[0].context?.ip, expected);
    assert.equal(ipSent(req), expected);
  });
}

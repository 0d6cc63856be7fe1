// The Emscripten Worker (host-shims/worker/worker_emscripten.mjs) in real workerd, once: the other
// workerd suites run on the wasi build (harness.mjs WORKERD_BUILDS), and what the core decides is
// shown identical in both builds by tests/core/build_parity.test.mjs. This starts the Emscripten
// module as workerd imports it, with the queue and the Durable Objects it exports, and follows a
// request from ingest to the strict fakes.
import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { BUILDS, jsonLogs } from "../support/harness.mjs";
import { waitFor } from "../support/capture_server.mjs";
import { startDelivery, deliveredId, SECRETS } from "../support/delivery_fixture.mjs";

const EMSCRIPTEN = BUILDS.find((b) => b.name === "emscripten");

describe("the Emscripten build in workerd", () => {
  let ctx;
  before(async () => {
    ctx = await startDelivery(EMSCRIPTEN);
  });
  after(async () => {
    await ctx?.dispose();
  });

  test("a batch is queued, then delivered in order to Gist, Gainsight and PX with the secrets filled in", async () => {
    const batch = [
      { type: "identify", userId: "em-1", messageId: "em-1-0", traits: { email: "em-1@example.com", seq: "em-1-0" } },
      { type: "track", userId: "em-1", messageId: "em-1-1", event: "Clicked", properties: { seq: "em-1-1" } },
    ];
    const res = await ctx.post("/v1/batch", { writeKey: "wk", batch });
    assert.deepEqual([res.status, res.body], [200, { success: true }]);
    const delivered = () => ctx.delivered();
    await waitFor(() => Object.values(delivered()).every((list) => list.length === 2), { what: "2 calls per destination", timeoutMs: 15_000 });
    for (const [d, list] of Object.entries(delivered())) assert.deepEqual(list.map((f) => deliveredId(d, f.body)), ["em-1-0", "em-1-1"], d);
    assert.deepEqual(ctx.fakes.gist.requests.map((r) => [r.path, r.headers.authorization]), [["/contacts", `Bearer ${SECRETS.GIST_API_KEY}`], ["/events", `Bearer ${SECRETS.GIST_API_KEY}`]]);
    assert.ok(ctx.fakes.gainsight.received.every((r) => r.headers.accesskey === SECRETS.GAINSIGHT_ACCESS_KEY));
    const mode = jsonLogs(ctx.worker.logs).find((l) => l.at === "delivery-mode");
    assert.deepEqual(mode, { at: "delivery-mode", build: "emscripten", mode: "queue", durable: true, dedup: true, deadLetters: true, log: "calls" });
  });

  test("refusals and the settings document come from the Emscripten core too", async () => {
    const unknown = await ctx.post("/v1/t", { writeKey: "nope", type: "track", event: "E", userId: "u" });
    assert.equal(unknown.status, 401);
    assert.equal(unknown.body.success, false);
    const settings = await ctx.worker.fetch("/v1/projects/wk/settings");
    assert.equal(settings.status, 200);
    const doc = await settings.json();
    assert.deepEqual(Object.keys(doc.integrations), ["Segment.io"]);
  });
});

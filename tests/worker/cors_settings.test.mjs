// CORS (preflight, allowed and refused origins) and the analytics.js settings document, in real
// workerd on the wasi build.
import { describe, test, before, after, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { WORKERD_BUILDS } from "../support/harness.mjs";
import { startIngest, reply, ORIGIN } from "../support/ingest_fixture.mjs";

const EVIL = "https://evil.example";
const DELIVERY_STRATEGY = { strategy: "batching", config: { size: 10, timeout: 5000 } };
const HTTP_CONFIG = { rateLimitConfig: { enabled: true, maxRetryCount: 100 }, backoffConfig: { maxRetryCount: 10 } };

const INGEST_PATHS = ["t", "i", "p", "s", "g", "a", "track", "identify", "page", "screen", "group", "alias", "b", "batch", "import", "m"].map((p) => `/v1/${p}`);

const corsHeaders = (headers) => [...headers.keys()].filter((k) => k.startsWith("access-control-"));
const list = (value) => (value ?? "").split(",").map((s) => s.trim().toLowerCase()).filter(Boolean);

for (const build of WORKERD_BUILDS) {
  describe(`CORS and settings [${build.name}]`, () => {
    let ctx;
    // Every source restricts its origins, so an origin outside the list is refused everywhere.
    const config = (captureUrl) => ({
      allowInsecureEndpoints: true,
      sources: [
        { writeKey: "key-a", allowedOrigins: [ORIGIN], destinations: { capture: { endpoint: `${captureUrl}/a` } } },
        { writeKey: "key-s", allowedOrigins: [ORIGIN], deliveryStrategy: DELIVERY_STRATEGY, httpConfig: HTTP_CONFIG, destinations: { capture: { endpoint: `${captureUrl}/s` } } },
      ],
    });
    before(async () => {
      ctx = await startIngest(build, config);
    });
    after(async () => {
      await ctx?.dispose();
    });
    beforeEach(() => ctx.server.clear());

    const post = (path, body, headers) => ctx.post(path, body, headers);
    const get = (path, init) => ctx.fetch(path, init);
    const preflight = (path, origin) =>
      ctx.fetch(path, {
        method: "OPTIONS",
        headers: {
          ...(origin ? { origin } : {}),
          "access-control-request-method": "POST",
          "access-control-request-headers": "authorization,content-type,x-retry-count",
        },
      });

    describe("preflight", () => {
      for (const path of INGEST_PATHS) {
        test(`OPTIONS ${path} from an allowed origin → 204 echoing the origin, with credentials, the headers analytics.js sends and a long Max-Age`, async () => {
          const res = await preflight(path, ORIGIN);
          assert.equal(res.status, 204);
          assert.equal(await res.text(), "");
          assert.equal(res.headers.get("access-control-allow-origin"), ORIGIN);
          assert.equal(res.headers.get("access-control-allow-credentials"), "true");
          const allowed = list(res.headers.get("access-control-allow-headers"));
          for (const h of ["authorization", "content-type", "x-retry-count"]) assert.ok(allowed.includes(h), `${h} in ${allowed}`);
          assert.ok(list(res.headers.get("access-control-allow-methods")).includes("post"));
          assert.ok(Number(res.headers.get("access-control-max-age")) >= 7200, `max-age ${res.headers.get("access-control-max-age")}`);
        });
      }

      for (const [what, origin] of [["a disallowed origin", EVIL], ["no Origin header", null]]) {
        test(`OPTIONS /v1/t from ${what} gets no CORS headers`, async () => {
          const res = await preflight("/v1/t", origin);
          await res.arrayBuffer();
          assert.notEqual(res.status, 204);
          assert.deepEqual(corsHeaders(res.headers), []);
        });
      }
    });

    describe("ingest from a browser origin", () => {
      test("a POST from an allowed origin → 200 with the CORS headers, and the call is delivered", async () => {
        const res = await post("/v1/t", { writeKey: "key-a", userId: "u", event: "E", messageId: "cors-ok" }, { origin: ORIGIN, authorization: "Basic a2V5LWE6" });
        const r = await reply(res);
        assert.equal(r.status, 200);
        assert.deepEqual(r.body, { success: true });
        assert.equal(r.headers.get("access-control-allow-origin"), ORIGIN);
        assert.equal(r.headers.get("access-control-allow-credentials"), "true");
        assert.ok(list(r.headers.get("vary")).includes("origin"));
        const [call] = await ctx.server.take(1);
        assert.equal(call.path, "/a");
        assert.equal(call.body.messageId, "cors-ok");
      });

      test("a batch POST from an allowed origin carries the CORS headers too", async () => {
        const res = await post("/v1/b", { writeKey: "key-a", batch: [{ type: "page", userId: "u", messageId: "cors-b" }] }, { origin: ORIGIN });
        await res.arrayBuffer();
        assert.equal(res.status, 200);
        assert.equal(res.headers.get("access-control-allow-origin"), ORIGIN);
        const [call] = await ctx.server.take(1);
        assert.equal(call.body.messageId, "cors-b");
      });

      test("an error an allowed origin gets (401) still carries the CORS headers, so the page can read it", async () => {
        const r = await reply(await post("/v1/t", { writeKey: "unknown", userId: "u", event: "E" }, { origin: ORIGIN }));
        assert.equal(r.status, 401);
        assert.equal(r.headers.get("access-control-allow-origin"), ORIGIN);
      });

      test("POST /v1/m from an allowed origin → 200 with the CORS headers", async () => {
        const res = await post("/v1/m", { series: [] }, { origin: ORIGIN });
        await res.arrayBuffer();
        assert.equal(res.status, 200);
        assert.equal(res.headers.get("access-control-allow-origin"), ORIGIN);
      });

      for (const path of ["/v1/t", "/v1/batch"]) {
        test(`a POST to ${path} from a disallowed origin → 403 without CORS headers, nothing planned`, async () => {
          const mark = await ctx.mark();
          const body = path === "/v1/t" ? { writeKey: "key-a", userId: "u", event: "E" } : { writeKey: "key-a", batch: [{ type: "track", userId: "u", event: "E" }] };
          const r = await reply(await post(path, body, { origin: EVIL }));
          assert.equal(r.status, 403);
          assert.equal(r.body.success, false);
          assert.equal(r.body.code, "forbidden_origin");
          assert.deepEqual(corsHeaders(r.headers), []);
          const log = await ctx.ingestLog(mark);
          assert.deepEqual([log.status, log.accepted, log.calls], [403, 0, 0]);
          await ctx.expectNothingDelivered(mark);
        });
      }
    });

    describe("GET /v1/projects/:writeKey/settings", () => {
      test("serves a Segment.io-only document pointing analytics.js at this Worker, cacheable and readable cross-origin", async () => {
        const r = await reply(await get("/v1/projects/key-a/settings", { headers: { origin: EVIL } }));
        assert.equal(r.status, 200);
        assert.match(r.headers.get("content-type"), /^application\/json/);
        assert.ok(r.headers.get("access-control-allow-origin"), "Access-Control-Allow-Origin present");
        assert.match(r.headers.get("cache-control") ?? "", /max-age=\d+/);
        const doc = r.body;
        assert.deepEqual(Object.keys(doc.integrations), ["Segment.io"]);
        const seg = doc.integrations["Segment.io"];
        assert.equal(seg.apiKey, "key-a");
        assert.equal(seg.apiHost, "edge.example.com/v1");
        assert.equal(seg.protocol, "https");
        assert.equal("deliveryStrategy" in seg, false);
        assert.equal("httpConfig" in seg, false);
        assert.equal(doc.metrics.sampleRate, 0);
        assert.equal(doc.metrics.host, "edge.example.com/v1");
        assert.deepEqual(doc.remotePlugins, []);
      });

      test("apiHost and metrics.host follow the host the Worker is reached on", async () => {
        const r = await reply(await get("https://cdn.shop.example/v1/projects/key-a/settings"));
        assert.equal(r.status, 200);
        assert.equal(r.body.integrations["Segment.io"].apiHost, "cdn.shop.example/v1");
        assert.equal(r.body.metrics.host, "cdn.shop.example/v1");
      });

      test("a source's deliveryStrategy and httpConfig are included as configured", async () => {
        const r = await reply(await get("/v1/projects/key-s/settings"));
        assert.equal(r.status, 200);
        const seg = r.body.integrations["Segment.io"];
        assert.equal(seg.apiKey, "key-s");
        assert.deepEqual(seg.deliveryStrategy, DELIVERY_STRATEGY);
        assert.deepEqual(seg.httpConfig, HTTP_CONFIG);
      });

      // An analytics.js that cannot load its settings reports the failure to api.segment.io.
      test("an unknown writeKey → a document that keeps analytics.js on this Worker, the mistake in it, not cached", async () => {
        const r = await reply(await get("/v1/projects/nope-key/settings"));
        assert.equal(r.status, 200);
        assert.equal(r.headers.get("access-control-allow-origin"), "*");
        assert.equal(r.headers.get("cache-control"), "no-store");
        assert.equal(r.body.integrations["Segment.io"].apiKey, "nope-key");
        assert.equal(r.body.integrations["Segment.io"].apiHost, "edge.example.com/v1"); // the request's Host
        assert.equal(r.body.metrics.host, r.body.integrations["Segment.io"].apiHost);
        assert.deepEqual(r.body.ajsEdge.problem, {
          code: "unknown_write_key",
          message: 'unknown writeKey "nope-k…": no source in the configuration (AJS_EDGE_CONFIG) has it; this document keeps analytics.js on this Worker, and its events are refused here',
          setting: "sources[].writeKey",
          docs: "README.md: Configuration",
        });
      });
    });
  });
}

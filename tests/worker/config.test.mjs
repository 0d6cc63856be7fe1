// AJS_EDGE_CONFIG in real workerd on the wasi build: a bad configuration turns every request
// into a 500 that says only "misconfigured" (the public must not learn the config's content);
// the log and GET /admin/config name the field. Without one the built-in demo source prints each
// planned call.
// Each case needs its own bindings, so each starts its own Worker.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { WORKERD_BUILDS, startWorker, jsonLogs } from "../support/harness.mjs";
import { waitFor } from "../support/capture_server.mjs";
import { reply, assertReceivedAt, IP } from "../support/ingest_fixture.mjs";

const GAINSIGHT_KEY = "0123456789abcdef0123456789abcdef0123"; // 36 characters of [a-z0-9-]
const source = (extra = {}, destinations = { capture: {} }) => ({ writeKey: "key-a", ...extra, destinations });
const json = (value) => JSON.stringify(value);
const MISCONFIGURED = "this Worker is misconfigured; its operator finds the reason in the Worker's log or at GET /admin/config";

// [what, AJS_EDGE_CONFIG text, other bindings, the field the message must name, optional todo reason]
const BAD = [
  ["invalid JSON", '{"sources": [', {}, /AJS_EDGE_CONFIG/],
  ["an unknown top-level field", json({ sources: [source()], sourcez: [] }), {}, /sourcez/],
  ["an unknown source field", json({ sources: [source({ alowedOrigins: ["*"] })] }), {}, /sources\[0\]\.alowedOrigins/],
  [
    "a literal Gainsight accessKey instead of {secret}",
    json({ sources: [source({}, { gainsight: { accessKey: GAINSIGHT_KEY } })] }),
    {},
    /sources\[0\]\.destinations\.gainsight\.accessKey/,
  ],
  [
    "a literal Gist apiKey instead of {secret}",
    json({ sources: [source({}, { gist: { apiKey: "literal-gist-key" } })] }),
    {},
    /sources\[0\]\.destinations\.gist\.apiKey/,
  ],
  [
    "a secret binding that is not set",
    json({ sources: [source({}, { gainsight: { accessKey: { secret: "GAINSIGHT_ACCESS_KEY" } } })] }),
    {},
    /sources\[0\]\.destinations\.gainsight\.accessKey.*GAINSIGHT_ACCESS_KEY/,
  ],
  [
    "a secret whose value has the wrong shape",
    json({ sources: [source({}, { gainsight: { accessKey: { secret: "GAINSIGHT_ACCESS_KEY" } } })] }),
    { GAINSIGHT_ACCESS_KEY: "not a key" },
    /sources\[0\]\.destinations\.gainsight\.accessKey/,
  ],
  ["a configured source and no delivery queue", json({ sources: [source()] }), {}, /^no DELIVERY_QUEUE binding: .*set DELIVERY_MODE = "inline"$/],
  ["an unknown DELIVERY_MODE", json({ sources: [source()] }), { DELIVERY_MODE: "later" }, /^DELIVERY_MODE: "queue" \(the default\) or "inline", not "later"$/],
];

// Requests of every kind: all must get the configuration error.
const REQUESTS = [
  ["POST /v1/t", "/v1/t", { method: "POST", body: json({ writeKey: "key-a", userId: "u", event: "E" }) }],
  ["POST /v1/batch", "/v1/batch", { method: "POST", body: json({ writeKey: "key-a", batch: [] }) }],
  ["GET settings", "/v1/projects/key-a/settings", { method: "GET" }],
  ["OPTIONS preflight", "/v1/t", { method: "OPTIONS", headers: { origin: "https://shop.example", "access-control-request-method": "POST" } }],
  ["GET an unknown path", "/nowhere", { method: "GET" }],
];

async function withWorker(build, bindings, fn) {
  const worker = await startWorker(build, { bindings });
  try {
    return await fn(worker);
  } finally {
    await worker.dispose();
  }
}

for (const build of WORKERD_BUILDS) {
  describe(`configuration [${build.name}]`, () => {
    for (const [what, text, secrets, field, todo] of BAD) {
      test(`${what} → every request 500 misconfigured, the field named only in the log and GET /admin/config`, { todo }, async () => {
        await withWorker(build, { AJS_EDGE_CONFIG: text, ADMIN_TOKEN: "admin-token", ...secrets }, async (worker) => {
          for (const [label, path, init] of REQUESTS) {
            const r = await reply(await worker.fetch(path, init));
            assert.equal(r.status, 500, `${label}: ${JSON.stringify(r.body)}`);
            assert.deepEqual(r.body, { success: false, code: "misconfigured", message: MISCONFIGURED }, label);
          }
          const logged = jsonLogs(worker.logs).filter((l) => l.at === "config" && l.error);
          assert.equal(logged.length, 1, "the detail is logged once per isolate");
          assert.match(logged[0].error, field);
          const admin = await reply(await worker.fetch("/admin/config", { headers: { authorization: "Bearer admin-token" } }));
          assert.equal(admin.status, 200);
          assert.equal(admin.body.ok, false);
          assert.equal(admin.body.error.code, "invalid_config");
          assert.match(admin.body.error.message, field);
          const anonymous = await reply(await worker.fetch("/admin/config"));
          assert.equal(anonymous.status, 401);
          assert.doesNotMatch(JSON.stringify(anonymous.body), field);
        });
      });
    }

    // Issue #15: a production set-up (a delivery queue bound) that lost its config must not become
    // the public demo, which answers 200 and sends nothing.
    test("no config on a Worker with a delivery queue → every public request 500 misconfigured, the reason logged once; the demo on loopback only", async () => {
      const worker = await startWorker(build, { bindings: { ADMIN_TOKEN: "admin-token" }, queueProducers: { DELIVERY_QUEUE: "ajs-edge-delivery" } });
      try {
        // wrangler dev binds the queue too: there, on a loopback host, the demo still runs.
        for (const host of ["127.0.0.1:8787", "localhost:8787", "192.168.1.20:8787", "10.0.0.7", "172.31.2.3", "[::1]:8787"]) {
          const local = await reply(await worker.fetch(`http://${host}/v1/t`, { method: "POST", body: json({ writeKey: "demo-write-key", userId: "u", event: "E" }) }));
          assert.deepEqual([host, local.status, local.body], [host, 200, { success: true }]);
        }
        for (const host of ["172.32.0.1", "8.8.8.8", "collect.example.com", "127.0.0.1.nip.io"]) {
          const published = await reply(await worker.fetch(`http://${host}/v1/t`, { method: "POST", body: json({ writeKey: "demo-write-key", userId: "u", event: "E" }) }));
          assert.equal(published.status, 500, host);
        }
        for (const [label, path, init] of [...REQUESTS, ["POST the demo writeKey", "/v1/t", { method: "POST", body: json({ writeKey: "demo-write-key", userId: "u", event: "E" }) }], ["GET /demo/", "/demo/", { method: "GET" }]]) {
          const r = await reply(await worker.fetch(path, init));
          assert.equal(r.status, 500, `${label}: ${JSON.stringify(r.body)}`);
          assert.deepEqual(r.body, { success: false, code: "misconfigured", message: MISCONFIGURED }, label);
        }
        const logged = jsonLogs(worker.logs).filter((l) => l.at === "config" && l.error);
        assert.equal(logged.length, 1);
        assert.match(logged[0].error, /^no AJS_EDGE_CONFIG, but DELIVERY_QUEUE is bound: a Worker set up to deliver does not serve the built-in demo on a public host/);
      } finally {
        await worker.dispose();
      }
    });

    test("the same Gainsight config with its secret set serves normally (the 500s above come from the config)", async () => {
      // A loopback endpoint: nothing in a test may reach Gainsight itself (a page sends nothing to classic Gainsight anyway).
      const config = json({ allowInsecureEndpoints: true, sources: [source({}, { gainsight: { accessKey: { secret: "GAINSIGHT_ACCESS_KEY" }, endpoint: "http://127.0.0.1:9/gainsight" } })] });
      await withWorker(build, { AJS_EDGE_CONFIG: config, GAINSIGHT_ACCESS_KEY: GAINSIGHT_KEY, DELIVERY_MODE: "inline" }, async (worker) => {
        const r = await reply(await worker.fetch("/v1/p", { method: "POST", body: json({ writeKey: "key-a", userId: "u" }) }));
        assert.equal(r.status, 200);
        assert.deepEqual(r.body, { success: true });
      });
    });

    // Issue #16: the event tester loads the configuration the Worker runs, with the admin token.
    test("GET /admin/config/document gives the configuration text as the Worker runs it, to the admin only, also under basePath", async () => {
      const config = { basePath: "/collect", sources: [{ writeKey: "wk_doc", name: "Docs", destinations: { gist: { apiKey: { secret: "GIST_API_KEY" } } } }] };
      const text = JSON.stringify(config, null, 2);
      await withWorker(build, { AJS_EDGE_CONFIG: text, ADMIN_TOKEN: "admin-token", GIST_API_KEY: "gist-secret-value", DELIVERY_MODE: "inline" }, async (worker) => {
        const got = await worker.fetch("/admin/config/document", { headers: { authorization: "Bearer admin-token" } });
        assert.equal(got.status, 200);
        assert.equal(got.headers.get("cache-control"), "no-store");
        const body = await got.text();
        assert.deepEqual(JSON.parse(body), { demo: false, text });
        assert.doesNotMatch(body, /gist-secret-value/, "secret values stay in the Worker");
        // The pages call it under their prefix (a Worker routed at example.com/collect/* sees no
        // other path); under another prefix it is no admin route.
        const under = await worker.fetch("/collect/admin/config/document", { headers: { authorization: "Bearer admin-token" } });
        assert.deepEqual(await under.json(), { demo: false, text });
        const elsewhere = await worker.fetch("/other/admin/config/document", { headers: { authorization: "Bearer admin-token" } });
        assert.equal(elsewhere.status, 404);
        assert.equal((await elsewhere.json()).code, "not_found");
        assert.equal((await worker.fetch("/collect/admin/config/document")).status, 401);
      });
      // A config the core reads but the Worker cannot run (here: no queue bound) still has its
      // admin routes under basePath, where /admin/config says why.
      await withWorker(build, { AJS_EDGE_CONFIG: text, ADMIN_TOKEN: "admin-token", GIST_API_KEY: "gist-secret-value" }, async (worker) => {
        const status = await (await worker.fetch("/collect/admin/config", { headers: { authorization: "Bearer admin-token" } })).json();
        assert.equal(status.ok, false);
        assert.match(status.error.message, /^no DELIVERY_QUEUE binding/);
        for (const authorization of [undefined, "Bearer wrong"]) {
          const refused = await worker.fetch("/admin/config/document", { headers: authorization ? { authorization } : {} });
          assert.equal(refused.status, 401);
          assert.doesNotMatch(await refused.text(), /wk_doc/);
        }
      });
      await withWorker(build, { ADMIN_TOKEN: "admin-token" }, async (worker) => {
        const demo = await worker.fetch("/admin/config/document", { headers: { authorization: "Bearer admin-token" } });
        assert.deepEqual(await demo.json(), { demo: true, text: "" });
      });
    });

    test('without AJS_EDGE_CONFIG the demo source "demo-write-key" plans every destination dry: printed, kept for /demo/calls, never sent', async () => {
      await withWorker(build, {}, async (worker) => {
        const t0 = Date.now();
        const res = await worker.fetch("/v1/track", {
          method: "POST",
          headers: { "content-type": "text/plain", "cf-connecting-ip": IP },
          body: json({ writeKey: "demo-write-key", userId: "u-1", event: "Demo Event", properties: { n: 1 }, messageId: "demo-1" }),
        });
        const t1 = Date.now();
        const r = await reply(res);
        assert.equal(r.status, 200);
        assert.deepEqual(r.body, { success: true });
        const planned = await waitFor(() => {
          const lines = jsonLogs(worker.logs).filter((l) => l.at === "planned");
          return lines.length >= 4 ? lines : undefined;
        }, { what: "four planned-call lines" });
        assert.deepEqual(planned.map((l) => [l.destination, l.url, l.dryRun]), [
          ["capture", "capture:log", true],
          ["gist", "https://api.getgist.com/events", true],
          ["gainsight", "https://event.gainsight.com/clickstream/segmentio/event", true],
          ["gainsightPx", "https://segment-esp.aptrinsic.com/rte/segmentio/v1/push", true],
        ]);
        const receivedAt = planned[0].body.receivedAt;
        assertReceivedAt(receivedAt, t0, t1);
        assert.deepEqual(planned[0].body, {
          type: "track",
          userId: "u-1",
          event: "Demo Event",
          properties: { n: 1 },
          messageId: "demo-1",
          timestamp: receivedAt,
          receivedAt,
          channel: "server", // an HTTP API call: no context.ip (Segment's rule), channel server
          version: 2,
        });
        assert.equal(planned[1].headers.authorization, "<secret DEMO_GIST_API_KEY>");
        assert.deepEqual(planned[1].body, { event_name: "Demo Event", user_id: "u-1", occurred_at: Math.floor(Date.parse(receivedAt) / 1000), properties: { n: 1 } });
        assert.ok(!jsonLogs(worker.logs).some((l) => l.at === "delivery"), "nothing is delivered in the demo");
        const calls = await (await worker.fetch("/demo/calls?after=1")).json();
        assert.deepEqual(calls.calls.map((c) => c.destination), ["gist", "gainsight", "gainsightPx"]);
        assert.equal(calls.next, 4);
        assert.ok(jsonLogs(worker.logs).some((l) => l.at === "config" && /demo-write-key/.test(l.message ?? "")), "the demo mode is announced");

        const unknown = await reply(await worker.fetch("/v1/track", { method: "POST", body: json({ writeKey: "other", userId: "u", event: "E" }) }));
        assert.equal(unknown.status, 401);
        assert.equal(unknown.body.code, "unauthorized");
      });
    });
  });
}

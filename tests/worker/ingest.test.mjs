// Ingest endpoints in real workerd on the wasi build: every path, every auth form,
// normalisation, and the plain replies (200/401/404/405). Each planned call is checked as the
// capture destination POSTs it to a loopback receiver.
import { describe, test, before, after, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { WORKERD_BUILDS, basic } from "../support/harness.mjs";
import { startIngest, reply, assertReceivedAt, iso, IP, GENERATED_ID } from "../support/ingest_fixture.mjs";

// [short path, long path, type, the fields that type needs]
const SINGLE = [
  ["t", "track", "track", { event: "Signed Up", properties: { plan: "pro" } }],
  ["i", "identify", "identify", { traits: { email: "ada@example.com" } }],
  ["p", "page", "page", { name: "Home", properties: { path: "/" } }],
  ["s", "screen", "screen", { name: "Main" }],
  ["g", "group", "group", { groupId: "g-1", traits: { name: "Acme" } }],
  ["a", "alias", "alias", { previousId: "anon-1" }],
];

for (const build of WORKERD_BUILDS) {
  describe(`ingest endpoints [${build.name}]`, () => {
    let ctx;
    before(async () => {
      ctx = await startIngest(build);
    });
    after(async () => {
      await ctx?.dispose();
    });
    beforeEach(() => ctx.server.clear());

    // Sends one message and returns the single call the receiver got, with the request's time window.
    async function sendOne(path, message, headers) {
      const t0 = Date.now();
      const res = await ctx.post(path, message, headers);
      const t1 = Date.now();
      const r = await reply(res);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.deepEqual(r.body, { success: true });
      const [call] = await ctx.server.take(1);
      return { call, t0, t1 };
    }

    for (const [short, long, type, fields] of SINGLE) {
      for (const path of [short, long]) {
        test(`POST /v1/${path} accepts a ${type} and delivers exactly the normalized message`, async () => {
          const messageId = `msg-${path}`;
          const { call, t0, t1 } = await sendOne(`/v1/${path}`, { writeKey: "key-a", userId: "user-1", messageId, ...fields });
          assert.equal(call.method, "POST");
          assert.equal(call.path, "/a");
          assert.equal(call.headers["content-type"], "application/json");
          const receivedAt = call.body.receivedAt;
          assertReceivedAt(receivedAt, t0, t1);
          assert.deepEqual(call.body, {
            type,
            userId: "user-1",
            messageId,
            ...fields,
            timestamp: receivedAt,
            receivedAt,
            channel: "server", // an HTTP API call: Segment fills no context.ip (client-side events only)
            version: 2,
          });
        });
      }
    }

    for (const path of ["b", "batch", "import"]) {
      test(`POST /v1/${path} merges the envelope context/integrations into each item and honours a per-item writeKey`, async () => {
        const mark = await ctx.mark();
        const t0 = Date.now();
        const res = await ctx.post(`/v1/${path}`, {
          writeKey: "key-a",
          sentAt: "2026-03-01T12:00:10.000Z",
          context: { library: { name: "analytics-node", version: "2.1.0" }, locale: "en-GB" },
          integrations: { Gist: false },
          batch: [
            {
              type: "track",
              event: "Order Completed",
              userId: "user-1",
              messageId: `${path}-1`,
              timestamp: "2026-03-01T12:00:00.000Z",
              context: { locale: "nl-NL", page: { path: "/cart" } },
              integrations: { Gainsight: true },
            },
            { type: "identify", userId: "user-2", messageId: `${path}-2`, writeKey: "key-b", traits: { plan: "pro" } },
          ],
        });
        const t1 = Date.now();
        assert.deepEqual((await reply(res)).body, { success: true });
        assert.equal(res.status, 200);
        const calls = await ctx.server.take(2);
        const a = calls.find((c) => c.path === "/a");
        const b = calls.find((c) => c.path === "/b");
        assert.ok(a && b, `one call to each source, got ${calls.map((c) => c.path)}`);
        const receivedAt = a.body.receivedAt;
        const receivedMs = assertReceivedAt(receivedAt, t0, t1);
        const library = { name: "analytics-node", version: "2.1.0" };
        assert.deepEqual(a.body, {
          type: "track",
          event: "Order Completed",
          userId: "user-1",
          messageId: `${path}-1`,
          timestamp: iso(receivedMs - 10_000), // receivedAt − (sentAt − timestamp)
          originalTimestamp: "2026-03-01T12:00:00.000Z",
          sentAt: "2026-03-01T12:00:10.000Z", // the envelope's, copied into each item
          receivedAt,
          context: { locale: "nl-NL", page: { path: "/cart" }, library }, // a server library's: no ip
          integrations: { Gainsight: true, Gist: false },
          channel: "server",
          version: 2,
        });
        assert.deepEqual(b.body, {
          type: "identify",
          userId: "user-2",
          messageId: `${path}-2`,
          traits: { plan: "pro" },
          timestamp: receivedAt,
          sentAt: "2026-03-01T12:00:10.000Z",
          receivedAt,
          context: { library, locale: "en-GB" },
          integrations: { Gist: false },
          channel: "server",
          version: 2,
        });
        const log = await ctx.ingestLog(mark);
        assert.deepEqual(
          { status: log.status, received: log.received, accepted: log.accepted, rejected: log.rejected, calls: log.calls },
          { status: 200, received: 2, accepted: 2, rejected: 0, calls: 2 },
        );
      });
    }

    describe("writeKey", () => {
      test("Basic base64('key:') authenticates a message without a body writeKey", async () => {
        const { call } = await sendOne("/v1/t", { userId: "u", event: "E", messageId: "basic-colon" }, { authorization: basic("key-a") });
        assert.equal(call.path, "/a");
        assert.equal(call.body.messageId, "basic-colon");
      });

      test("Basic base64('key') without the colon authenticates too", async () => {
        const { call } = await sendOne("/v1/i", { userId: "u", messageId: "basic-bare" }, { authorization: basic("key-b", null) });
        assert.equal(call.path, "/b");
        assert.equal(call.body.messageId, "basic-bare");
      });

      test("a batch authenticated only by Basic auth delivers every item to that source", async () => {
        const res = await ctx.post(
          "/v1/batch",
          { batch: [{ type: "track", userId: "u", event: "E", messageId: "bb-1" }, { type: "page", userId: "u", messageId: "bb-2" }] },
          { authorization: basic("key-b") },
        );
        assert.equal(res.status, 200);
        await res.arrayBuffer();
        const calls = await ctx.server.take(2);
        assert.deepEqual(calls.map((c) => [c.path, c.body.messageId]), [["/b", "bb-1"], ["/b", "bb-2"]]);
      });

      const refused = [
        ["a message with no writeKey at all", "/v1/t", { userId: "u", event: "E" }, {}],
        ["a batch with no writeKey at all", "/v1/batch", { batch: [{ type: "track", userId: "u", event: "E" }] }, {}],
        ["an unknown body writeKey", "/v1/t", { writeKey: "nope", userId: "u", event: "E" }, {}],
        ["an unknown Basic auth writeKey", "/v1/identify", { userId: "u" }, { authorization: basic("nope") }],
        [
          "a batch where one item's writeKey is unknown (the valid item is not sent either)",
          "/v1/b",
          { writeKey: "key-a", batch: [{ type: "track", userId: "u", event: "E" }, { type: "track", userId: "u", event: "E", writeKey: "nope" }] },
          {},
        ],
      ];
      for (const [what, path, body, headers] of refused) {
        test(`${what} → 401 and nothing planned`, async () => {
          const mark = await ctx.mark();
          const r = await reply(await ctx.post(path, body, headers));
          assert.equal(r.status, 401);
          assert.equal(r.body.success, false);
          assert.equal(r.body.code, "unauthorized");
          assert.equal(typeof r.body.message, "string");
          const log = await ctx.ingestLog(mark);
          assert.deepEqual([log.status, log.accepted, log.calls], [401, 0, 0]);
          await ctx.expectNothingDelivered(mark);
        });
      }
    });

    describe("normalisation", () => {
      // spec/common.md: Segment fills context.ip "for client side events only"; http-api:
      // `context.direct: true` asks for it; analytics.js FAQ: IPv6 is not collected.
      test("context.ip comes from CF-Connecting-IP for a client-side event that has none; a client ip is kept; a server's event gets none", async () => {
        const library = { name: "analytics.js", version: "npm:next-1.84.3" };
        const first = await sendOne("/v1/t", { writeKey: "key-a", userId: "u", event: "E", context: { locale: "fr", library } }, { "cf-connecting-ip": "198.51.100.1" });
        assert.deepEqual([first.call.body.context, first.call.body.channel], [{ locale: "fr", library, ip: "198.51.100.1" }, "client"]);
        const second = await sendOne("/v1/t", { writeKey: "key-a", userId: "u", event: "E", context: { ip: "192.0.2.55", library } }, { "cf-connecting-ip": "198.51.100.1" });
        assert.deepEqual(second.call.body.context, { ip: "192.0.2.55", library });
        const direct = await sendOne("/v1/t", { writeKey: "key-a", userId: "u", event: "E", context: { direct: true } }, { "cf-connecting-ip": "198.51.100.1" });
        assert.deepEqual(direct.call.body.context, { direct: true, ip: "198.51.100.1" });
        const server = await sendOne("/v1/t", { writeKey: "key-a", userId: "u", event: "E", context: { locale: "fr" } }, { "cf-connecting-ip": "198.51.100.1" });
        assert.deepEqual([server.call.body.context, server.call.body.channel], [{ locale: "fr" }, "server"]);
        const v6 = await sendOne("/v1/t", { writeKey: "key-a", userId: "u", event: "E", context: { library } }, { "cf-connecting-ip": "2001:db8::1" });
        assert.deepEqual(v6.call.body.context, { library });
      });

      test("clock skew: timestamp = receivedAt − (sentAt − timestamp); originalTimestamp and sentAt keep the client values", async () => {
        const { call, t0, t1 } = await sendOne("/v1/t", {
          writeKey: "key-a",
          userId: "u",
          event: "E",
          messageId: "skew",
          timestamp: "2026-01-01T00:00:00.000Z",
          sentAt: "2026-01-01T00:00:05.500Z",
        });
        const receivedMs = assertReceivedAt(call.body.receivedAt, t0, t1);
        assert.equal(call.body.timestamp, iso(receivedMs - 5500));
        assert.equal(call.body.originalTimestamp, "2026-01-01T00:00:00.000Z");
        assert.equal(call.body.sentAt, "2026-01-01T00:00:05.500Z");
      });

      test("a client messageId is kept; a missing one is generated as ajs-edge-<receivedAt ms>-<uuid v4>, distinct per item", async () => {
        const kept = await sendOne("/v1/t", { writeKey: "key-a", userId: "u", event: "E", messageId: "client-id-1" });
        assert.equal(kept.call.body.messageId, "client-id-1");
        const res = await ctx.post("/v1/batch", {
          writeKey: "key-a",
          batch: [{ type: "track", userId: "u", event: "One" }, { type: "track", userId: "u", event: "Two" }],
        });
        assert.equal(res.status, 200);
        await res.arrayBuffer();
        const calls = await ctx.server.take(2);
        const ids = calls.map((c) => c.body.messageId);
        for (const [i, id] of ids.entries()) {
          const m = GENERATED_ID.exec(id);
          assert.ok(m, `generated messageId ${id}`);
          assert.equal(Number(m[1]), Date.parse(calls[i].body.receivedAt));
        }
        assert.notEqual(ids[0], ids[1]);
      });

      test("the writeKey (body, envelope or item) is never forwarded", async () => {
        const single = await sendOne("/v1/t", { writeKey: "key-a", userId: "u", event: "E" });
        assert.equal("writeKey" in single.call.body, false);
        const res = await ctx.post("/v1/b", { writeKey: "key-a", batch: [{ type: "track", userId: "u", event: "E", writeKey: "key-a" }] });
        assert.equal(res.status, 200);
        await res.arrayBuffer();
        const [call] = await ctx.server.take(1);
        assert.equal(call.raw.includes("key-a"), false, call.raw);
      });
    });

    describe("replies", () => {
      for (const [method, path] of [["POST", "/v1/unknown"], ["POST", "/v2/t"], ["GET", "/"], ["POST", "/v1/t/extra"], ["POST", "/t"]]) {
        test(`${method} ${path} → 404 not_found`, async () => {
          const init = { method, ...(method === "POST" ? { body: "{}" } : {}) };
          const r = await reply(await ctx.fetch(path, init));
          assert.equal(r.status, 404);
          assert.equal(r.body.success, false);
          assert.equal(r.body.code, "not_found");
        });
      }

      for (const [method, path, allow] of [
        ["GET", "/v1/t", "POST, OPTIONS"],
        ["GET", "/v1/batch", "POST, OPTIONS"],
        ["PUT", "/v1/identify", "POST, OPTIONS"],
        ["DELETE", "/v1/import", "POST, OPTIONS"],
        ["GET", "/v1/m", "POST, OPTIONS"],
        ["POST", "/v1/projects/key-a/settings", "GET, HEAD, OPTIONS"],
      ]) {
        test(`${method} ${path} → 405 with Allow: ${allow}`, async () => {
          const init = { method, ...(method === "GET" || method === "DELETE" ? {} : { body: "{}" }) };
          const r = await reply(await ctx.fetch(path, init));
          assert.equal(r.status, 405);
          assert.equal(r.headers.get("allow"), allow);
          assert.equal(r.body.success, false);
          assert.equal(r.body.code, "method_not_allowed");
        });
      }

      test("POST /v1/m (analytics.js metrics) → 200 {success:true} and nothing is forwarded", async () => {
        const mark = await ctx.mark();
        const metrics = { series: [{ type: "Counter", metric: "analytics_js.invoke", value: 1, tags: { library: "analytics.js" } }] };
        const r = await reply(await ctx.post("/v1/m", metrics));
        assert.equal(r.status, 200);
        assert.deepEqual(r.body, { success: true });
        const between = await ctx.expectNothingDelivered(mark);
        assert.deepEqual(between.filter((l) => l.at === "ingest" || l.at === "delivery"), []);
      });
    });
  });
}

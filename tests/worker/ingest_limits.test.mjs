// Ingest bodies in real workerd on the wasi build: content types, gzip, size and count
// limits, malformed bodies, and message validation (invalid messages dropped with a 200, as Segment
// answers them; refused with a 400 for a source with rejectInvalidEvents).
import { describe, test, before, after, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { gzipSync } from "node:zlib";
import { WORKERD_BUILDS } from "../support/harness.mjs";
import { waitFor } from "../support/capture_server.mjs";
import { startIngest, reply, IP } from "../support/ingest_fixture.mjs";

const KB = 1024;
const counters = (l) => ({ status: l.status, received: l.received, accepted: l.accepted, rejected: l.rejected, calls: l.calls });

// A JSON text of exactly `bytes` bytes: a track whose properties.pad fills the rest.
function messageOfSize(bytes, messageId) {
  const base = { writeKey: "key-a", userId: "u", event: "Sized", messageId, properties: { pad: "" } };
  const pad = bytes - Buffer.byteLength(JSON.stringify(base));
  return JSON.stringify({ ...base, properties: { pad: "x".repeat(pad) } });
}

const nested = (depth) => `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;

for (const build of WORKERD_BUILDS) {
  describe(`ingest bodies and limits [${build.name}]`, () => {
    let ctx;
    before(async () => {
      ctx = await startIngest(build);
    });
    after(async () => {
      await ctx?.dispose();
    });
    beforeEach(() => ctx.server.clear());

    // Asserts a 400 invalid_request reply and that nothing was planned or delivered.
    async function expectRefused400(res, mark, messagePattern) {
      const r = await reply(res);
      assert.equal(r.status, 400, JSON.stringify(r.body));
      assert.deepEqual(Object.keys(r.body).sort(), ["code", "docs", "message", "success"]);
      assert.equal(r.body.success, false);
      assert.equal(r.body.code, "invalid_request");
      assert.equal(r.body.docs, "README.md: What it accepts (Segment's tracking API)");
      assert.equal(typeof r.body.message, "string");
      if (messagePattern) assert.match(r.body.message, messagePattern);
      const log = await ctx.ingestLog(mark);
      assert.equal(log.status, 400);
      assert.equal(log.calls, 0);
      await ctx.expectNothingDelivered(mark);
      return r;
    }

    describe("content type and encoding", () => {
      for (const [label, contentType] of [["text/plain", "text/plain"], ["application/json", "application/json"], ["no Content-Type", null]]) {
        test(`a JSON body sent as ${label} is parsed and delivered`, async () => {
          const messageId = `ct-${label}`;
          const bytes = new TextEncoder().encode(JSON.stringify({ writeKey: "key-a", userId: "u", event: "E", messageId }));
          const headers = { "cf-connecting-ip": IP };
          if (contentType) headers["content-type"] = contentType;
          const res = await ctx.fetch("/v1/t", { method: "POST", headers, body: bytes });
          assert.equal(res.status, 200);
          await res.arrayBuffer();
          const [call] = await ctx.server.take(1);
          assert.equal(call.body.messageId, messageId);
          assert.equal(call.body.event, "E");
        });
      }

      test("Content-Encoding: gzip is inflated (single message and batch)", async () => {
        const single = gzipSync(JSON.stringify({ writeKey: "key-a", userId: "u", event: "Zipped", messageId: "gz-1" }));
        const r1 = await ctx.post("/v1/t", single, { "content-encoding": "gzip" });
        assert.equal(r1.status, 200);
        await r1.arrayBuffer();
        const batch = gzipSync(JSON.stringify({ writeKey: "key-b", batch: [{ type: "identify", userId: "u", messageId: "gz-2" }] }));
        const r2 = await ctx.post("/v1/batch", batch, { "content-encoding": "gzip" });
        assert.equal(r2.status, 200);
        await r2.arrayBuffer();
        const calls = await ctx.server.take(2);
        assert.deepEqual(calls.map((c) => [c.path, c.body.messageId, c.body.type]).sort(), [["/a", "gz-1", "track"], ["/b", "gz-2", "identify"]]);
      });

      test("a corrupt gzip body → 400 and nothing planned", async () => {
        const good = gzipSync(JSON.stringify({ writeKey: "key-a", userId: "u", event: "E" }));
        const corrupt = Buffer.concat([good.subarray(0, 10), Buffer.from("this is not a deflate stream at all")]);
        const mark = await ctx.mark();
        await expectRefused400(await ctx.post("/v1/t", corrupt, { "content-encoding": "gzip" }), mark);
      });

      for (const path of ["/v1/batch", "/v1/t"]) {
        test(`a gzip bomb (10 MB of zeros) to ${path} → 400 quickly, nothing planned`, async () => {
          const bomb = gzipSync(Buffer.alloc(10 * KB * KB));
          assert.ok(bomb.length < 100 * KB);
          const mark = await ctx.mark();
          const started = Date.now();
          const res = await ctx.post(path, bomb, { "content-encoding": "gzip" });
          assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`);
          await expectRefused400(res, mark, /KB/);
        });
      }
    });

    describe("limits", () => {
      test("a message of exactly 32 KB is accepted; one byte more → 400", async () => {
        const exact = messageOfSize(32 * KB, "exact-32k");
        assert.equal(Buffer.byteLength(exact), 32 * KB);
        const ok = await ctx.post("/v1/t", exact);
        assert.equal(ok.status, 200);
        await ok.arrayBuffer();
        const [call] = await ctx.server.take(1);
        assert.equal(call.body.messageId, "exact-32k");
        const mark = await ctx.mark();
        await expectRefused400(await ctx.post("/v1/t", messageOfSize(32 * KB + 1, "over-32k")), mark, /32 KB/);
      });

      test("a batch with one item over 32 KB → 400, and its valid items are not sent either", async () => {
        const mark = await ctx.mark();
        const body = {
          writeKey: "key-a",
          batch: [
            { type: "track", userId: "u", event: "Small", messageId: "small" },
            { type: "track", userId: "u", event: "Big", messageId: "big", properties: { pad: "x".repeat(33 * KB) } },
          ],
        };
        await expectRefused400(await ctx.post("/v1/batch", body), mark, /batch\[1\].*32 KB/);
      });

      test("a batch request over 500 KB → 400, nothing planned", async () => {
        const items = Array.from({ length: 20 }, (_, i) => ({ type: "track", userId: "u", event: "E", messageId: `fat-${i}`, properties: { pad: "x".repeat(26 * KB) } }));
        const text = JSON.stringify({ writeKey: "key-a", batch: items });
        assert.ok(Buffer.byteLength(text) > 500 * KB);
        const mark = await ctx.mark();
        await expectRefused400(await ctx.post("/v1/b", text), mark, /500 KB/);
      });

      test("a batch just under 500 KB of items just under 32 KB → 200, every item accepted", async () => {
        const items = Array.from({ length: 16 }, (_, i) => ({ type: "track", userId: "u", event: "E", messageId: `near-${i}`, properties: { pad: "x".repeat(31 * KB) } }));
        const text = JSON.stringify({ writeKey: "key-log", batch: items });
        assert.ok(Buffer.byteLength(text) > 495 * KB && Buffer.byteLength(text) < 500 * KB);
        const mark = await ctx.mark();
        const res = await ctx.post("/v1/b", text);
        assert.equal(res.status, 200);
        await res.arrayBuffer();
        assert.deepEqual(counters(await ctx.ingestLog(mark)), { status: 200, received: 16, accepted: 16, rejected: 0, calls: 16 });
      });

      // key-log's capture destination prints each call as {"capture":…,"body":<message>}.
      async function capturedIds(mark, count) {
        const lines = await waitFor(
          () => {
            const got = ctx.logsSince(mark).filter((l) => l.capture);
            return got.length >= count && got;
          },
          { what: `${count} capture lines`, timeoutMs: 20_000 },
        );
        return new Set(lines.map((l) => l.body.messageId));
      }

      for (const [n, accepted] of [[2500, 2500], [2501, 2500]]) {
        test(`a ${n}-event batch → 200 with ${accepted} calls planned and delivered${n > accepted ? ", the extra item dropped and counted" : ""}`, async () => {
          const items = Array.from({ length: n }, (_, i) => ({ type: "track", userId: `u-${i % 40}`, event: "Bulk", messageId: `bulk-${i}` }));
          const mark = await ctx.mark();
          const r = await reply(await ctx.post("/v1/batch", { writeKey: "key-log", batch: items }));
          assert.equal(r.status, 200);
          assert.deepEqual(r.body, { success: true });
          const log = await ctx.ingestLog(mark);
          assert.deepEqual(counters(log), { status: 200, received: n, accepted, rejected: n - accepted, calls: accepted });
          const ids = await capturedIds(mark, accepted);
          assert.equal(ids.size, accepted);
          for (let i = 0; i < accepted; i++) assert.ok(ids.has(`bulk-${i}`), `bulk-${i} delivered`);
          const dropped = ctx.logsSince(mark).filter((l) => l.at === "note" && l.reason === "batch_item_limit");
          assert.equal(dropped.length, n - accepted);
          assert.equal(ids.has(`bulk-${accepted}`), false);
        });
      }

      for (const path of ["/v1/t", "/v1/batch"]) {
        test(`JSON nested 100 levels deep to ${path} → 400`, async () => {
          const text = `{"writeKey":"key-a","userId":"u","event":"E","properties":${nested(100)}}`;
          const body = path === "/v1/t" ? text : `{"writeKey":"key-a","batch":[${text}]}`;
          const mark = await ctx.mark();
          await expectRefused400(await ctx.post(path, body), mark);
        });
      }
    });

    describe("malformed bodies", () => {
      const bad = [
        ["invalid JSON", Buffer.from('{"writeKey":"key-a","userId":"u","event":')],
        ["invalid UTF-8 (a 0xFF byte)", Buffer.concat([Buffer.from('{"writeKey":"key-a","userId":"u'), Buffer.from([0xff]), Buffer.from('","event":"E"}')])],
        ["invalid UTF-8 (an overlong encoding)", Buffer.concat([Buffer.from('{"writeKey":"key-a","userId":"u'), Buffer.from([0xc0, 0xaf]), Buffer.from('","event":"E"}')])],
        ["invalid UTF-8 (a truncated sequence)", Buffer.concat([Buffer.from('{"writeKey":"key-a","userId":"u'), Buffer.from([0xe2, 0x82]), Buffer.from('","event":"E"}')])],
        ["invalid UTF-8 (an encoded UTF-16 surrogate)", Buffer.concat([Buffer.from('{"writeKey":"key-a","userId":"u'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('","event":"E"}')])],
        ["a JSON array", Buffer.from('[{"writeKey":"key-a","userId":"u","event":"E"}]')],
        ["a JSON string", Buffer.from('"{\\"writeKey\\":\\"key-a\\"}"')],
        ["an empty body", Buffer.alloc(0)],
      ];
      for (const [what, bytes] of bad) {
        for (const path of ["/v1/t", "/v1/batch"]) {
          test(`${what} to ${path} → 400 {success:false,message,code:"invalid_request"}`, async () => {
            const mark = await ctx.mark();
            await expectRefused400(await ctx.post(path, new Uint8Array(bytes)), mark);
          });
        }
      }
    });

    describe("validation", () => {
      const invalid = [
        ["neither userId nor anonymousId", "/v1/t", { event: "E" }, /userId or anonymousId/],
        ["an empty userId and a null anonymousId", "/v1/identify", { userId: "", anonymousId: null }, /userId or anonymousId/],
        ["a track without event", "/v1/track", { userId: "u" }, /event/],
      ];
      for (const [what, path, message, pattern] of invalid) {
        // http-api "Errors": 200 "for all API requests except … large payloads and JSON errors".
        test(`a single message with ${what} → 200 as Segment answers it, dropped with its reason, nothing planned`, async () => {
          const mark = await ctx.mark();
          const r = await reply(await ctx.post(path, { writeKey: "key-a", messageId: `bad-${path}`, ...message }));
          assert.deepEqual([r.status, r.body], [200, { success: true }]);
          assert.deepEqual(counters(await ctx.ingestLog(mark)), { status: 200, received: 1, accepted: 0, rejected: 1, calls: 0 });
          const notes = ctx.logsSince(mark).filter((l) => l.at === "note" && l.kind === "dropped");
          assert.deepEqual(notes.map((n) => [n.messageId, n.reason]), [[`bad-${path}`, pattern.source === "event" ? "missing_event" : "missing_identity"]]);
          await ctx.expectNothingDelivered(mark);
        });
        test(`a single message with ${what} to a source with rejectInvalidEvents → 400 with the reason, nothing planned`, async () => {
          const mark = await ctx.mark();
          await expectRefused400(await ctx.post(path, { writeKey: "key-strict", ...message }), mark, pattern);
        });
      }

      test("an anonymousId alone identifies the sender", async () => {
        const res = await ctx.post("/v1/p", { writeKey: "key-a", anonymousId: "anon-9", messageId: "anon-only" });
        assert.equal(res.status, 200);
        await res.arrayBuffer();
        const [call] = await ctx.server.take(1);
        assert.deepEqual([call.body.messageId, call.body.anonymousId, "userId" in call.body], ["anon-only", "anon-9", false]);
      });

      test("in a batch, invalid items are dropped and counted while valid ones are delivered in order", async () => {
        const mark = await ctx.mark();
        const r = await reply(
          await ctx.post("/v1/batch", {
            writeKey: "key-a",
            batch: [
              { type: "track", userId: "u-1", event: "First", messageId: "ok-1" },
              { type: "track", event: "No identity", messageId: "bad-1" },
              { type: "track", userId: "u-1", messageId: "bad-2" },
              42,
              { type: "bogus", userId: "u-1", messageId: "bad-3" },
              { type: "identify", userId: "u-1", messageId: "ok-2" },
            ],
          }),
        );
        assert.equal(r.status, 200);
        assert.deepEqual(r.body, { success: true });
        const calls = await ctx.server.take(2);
        assert.deepEqual(calls.map((c) => [c.body.messageId, c.body.type]), [["ok-1", "track"], ["ok-2", "identify"]]);
        const log = await ctx.ingestLog(mark);
        assert.deepEqual(counters(log), { status: 200, received: 6, accepted: 2, rejected: 4, calls: 2 });
        const notes = ctx.logsSince(mark).filter((l) => l.at === "note" && l.kind === "dropped");
        assert.deepEqual(notes.map((n) => n.reason), ["missing_identity", "missing_event", "not_an_object", "invalid_type"]);
        await ctx.expectNothingDelivered(await ctx.mark());
      });
    });
  });
}

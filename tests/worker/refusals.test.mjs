// Every refusal explains itself (issue #15): in the reply, readable cross-origin by an allowed
// origin, and in the request's one log line: what was wrong with the value seen (a writeKey by its
// prefix only), the setting that controls it, and the README section.
import { describe, test, before, after, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { WORKERD_BUILDS } from "../support/harness.mjs";
import { startIngest, reply, ORIGIN } from "../support/ingest_fixture.mjs";

const CONFIGURATION = "README.md: Configuration";

for (const build of WORKERD_BUILDS) {
  describe(`refusals explain themselves [${build.name}]`, () => {
    let ctx;
    before(async () => {
      ctx = await startIngest(build);
    });
    after(async () => {
      await ctx?.dispose();
    });
    beforeEach(() => ctx.server.clear());

    // The reply and the request's log line (the line that names `path`).
    async function refused(res, path, at) {
      const r = await reply(res);
      const line = await ctx.waitForLog(mark, (l) => l.at === at && l.path === path, `the ${at} line of ${path}`);
      return { r, line };
    }
    let mark;
    beforeEach(async () => {
      mark = await ctx.mark();
    });

    test("an unknown writeKey: 401 naming its prefix and the setting, readable by an allowed origin; the line says the same", async () => {
      const { r, line } = await refused(await ctx.post("/v1/t", { writeKey: "wk_live_secret_tail", userId: "u", event: "E" }, { origin: ORIGIN }), "/v1/t", "ingest");
      assert.equal(r.status, 401);
      assert.equal(r.headers.get("access-control-allow-origin"), ORIGIN);
      const problem = {
        code: "unauthorized",
        message: 'unknown writeKey "wk_liv…": no source in the configuration (AJS_EDGE_CONFIG) has it',
        setting: "sources[].writeKey",
        docs: CONFIGURATION,
      };
      assert.deepEqual(r.body, { success: false, ...problem });
      assert.deepEqual({ code: line.code, message: line.message, setting: line.setting, docs: line.docs, origin: line.origin, status: line.status }, { ...problem, origin: ORIGIN, status: 401 });
      assert.ok(!JSON.stringify(line).includes("secret_tail"), "the writeKey by its prefix only");
    });

    test("a disallowed origin: 403 naming the origin, the writeKey's prefix and the source's allowedOrigins", async () => {
      const other = "https://not-allowed.example";
      const { r, line } = await refused(await ctx.post("/v1/i", { writeKey: "key-a", userId: "u" }, { origin: other }), "/v1/i", "ingest");
      assert.equal(r.status, 403);
      assert.equal(r.headers.get("access-control-allow-origin"), null); // that origin may not read it; the log has it
      const problem = {
        code: "forbidden_origin",
        message: 'origin "https://not-allowed.example" is not allowed for writeKey "key-a…": add it to the source\'s allowedOrigins',
        setting: "sources[0].allowedOrigins",
        docs: CONFIGURATION,
      };
      assert.deepEqual(r.body, { success: false, ...problem });
      assert.deepEqual({ code: line.code, message: line.message, setting: line.setting, docs: line.docs, origin: line.origin }, { ...problem, origin: other });
    });

    test("a path that names no endpoint: 404 saying so, readable by an allowed origin, logged as not-found (not as ingest)", async () => {
      const { r, line } = await refused(await ctx.fetch("/favicon.ico", { headers: { origin: ORIGIN } }), "/favicon.ico", "not-found");
      assert.equal(r.status, 404);
      assert.equal(r.headers.get("access-control-allow-origin"), ORIGIN);
      assert.deepEqual(r.body, { success: false, code: "not_found", message: 'no such endpoint: "/favicon.ico"', docs: "README.md: What it accepts (Segment's tracking API)" });
      assert.equal(line.message, r.body.message);
      assert.ok(!ctx.logsSince(mark).some((l) => l.at === "ingest"), "a 404 is no ingest line");
    });

    test("settings for an unknown writeKey: served (analytics.js must not fall back to Segment), the mistake logged", async () => {
      const { r, line } = await refused(await ctx.fetch("/v1/projects/wk_typo_123/settings"), "/v1/projects/wk_typo_123/settings", "settings");
      assert.equal(r.status, 200);
      assert.equal(r.body.integrations["Segment.io"].apiKey, "wk_typo_123");
      assert.deepEqual({ code: line.code, setting: line.setting, docs: line.docs }, { code: "unknown_write_key", setting: "sources[].writeKey", docs: CONFIGURATION });
      assert.match(line.message, /^unknown writeKey "wk_typ…"/);
    });

    test("a known source's settings log nothing", async () => {
      const r = await reply(await ctx.fetch("/v1/projects/key-a/settings"));
      assert.equal(r.status, 200);
      assert.equal(r.body.ajsEdge, undefined);
      const end = await ctx.barrier();
      assert.deepEqual(ctx.logsSince(mark, end).filter((l) => l.path === "/v1/projects/key-a/settings"), []);
    });
  });
}

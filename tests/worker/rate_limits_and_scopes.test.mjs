// Rate limits (Workers Rate Limiting bindings, as Miniflare runs them) and dedup scoped by
// source, in real workerd on the wasi build, delivering to the strict fakes (issue #10).
import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { WORKERD_BUILDS } from "../support/harness.mjs";
import { startDelivery, destinations } from "../support/delivery_fixture.mjs";
import { waitFor } from "../support/capture_server.mjs";

const ORIGIN = "https://shop.example";
const LIMITS = {
  RATE_LIMIT_WRITE_KEY: { simple: { limit: 4, period: 60 } },
  RATE_LIMIT_CLIENT_IP: { simple: { limit: 2, period: 60 } },
};
const track = (writeKey, id) => ({ writeKey, userId: `u-${id}`, messageId: id, event: "Rate Test" });
const messageIds = (calls) => calls.map((c) => c.body?.messageId).sort();

for (const build of WORKERD_BUILDS) {
  describe(`rate limits [${build.name}]`, () => {
    let ctx;
    before(async () => {
      ctx = await startDelivery(build, {
        ratelimits: LIMITS,
        sources: (p) => [
          { writeKey: "wk", allowedOrigins: [ORIGIN], destinations: { gainsight: destinations(p).gainsight } },
          { writeKey: "wk-2", destinations: { gainsight: destinations(p).gainsight } },
          { writeKey: "wk-ip-off", rateLimits: { clientIp: null }, destinations: { gainsight: destinations(p).gainsight } },
        ],
      });
    });
    after(async () => {
      await ctx?.dispose();
    });
    // Each test has its own writeKey and client IPs, so the limiters' counts of one never reach another.
    const delivered = (prefix) => messageIds(ctx.delivered().gainsight).filter((id) => id.startsWith(prefix));
    // After the expected deliveries arrived, a refused request's event would have come by now:
    // this fixed wait comes only before a negative check (nothing more arrives).
    const quiet = () => new Promise((resolve) => setTimeout(resolve, 300));

    test("per client IP: the third request from one IP is 429 with Retry-After, CORS intact, nothing of it sent; another IP goes on", async () => {
      const from = (ip, id) => ctx.post("/v1/t", track("wk", id), { "cf-connecting-ip": ip, origin: ORIGIN });
      assert.equal((await from("198.51.100.1", "ip-1")).status, 200);
      assert.equal((await from("198.51.100.1", "ip-2")).status, 200);
      const limited = await from("198.51.100.1", "ip-3");
      assert.equal(limited.status, 429);
      assert.equal(limited.headers.get("retry-after"), "60");
      assert.equal(limited.headers.get("access-control-allow-origin"), ORIGIN);
      assert.deepEqual(limited.body, { success: false, code: "rate_limited", message: "too many requests (RATE_LIMIT_CLIENT_IP); retry after 60 s" });
      assert.equal((await from("198.51.100.2", "ip-4")).status, 200);
      await waitFor(() => delivered("ip-").length >= 3, { timeoutMs: 15_000, what: "3 deliveries" });
      await quiet();
      assert.deepEqual(delivered("ip-"), ["ip-1", "ip-2", "ip-4"]);
    });

    test("per writeKey: past its limit the source is refused from any IP, and another source is not", async () => {
      // wk-2 may send 4 a minute: four from four IPs pass, the fifth (a fifth IP) is refused.
      for (let i = 1; i <= 4; i++) assert.equal((await ctx.post("/v1/t", track("wk-2", `wk2-${i}`), { "cf-connecting-ip": `198.51.100.${10 + i}` })).status, 200);
      const limited = await ctx.post("/v1/t", track("wk-2", "wk2-5"), { "cf-connecting-ip": "198.51.100.15" });
      assert.equal(limited.status, 429);
      assert.equal(limited.body.message, "too many requests (RATE_LIMIT_WRITE_KEY); retry after 60 s");
      // A source without the per-IP limit: three from one IP pass (the per-IP limit is 2).
      for (let i = 0; i < 3; i++) assert.equal((await ctx.post("/v1/t", track("wk-ip-off", `other-${i}`), { "cf-connecting-ip": "198.51.100.20" })).status, 200);
      await waitFor(() => delivered("wk2-").length + delivered("other-").length >= 7, { timeoutMs: 15_000, what: "7 deliveries" });
      await quiet();
      assert.deepEqual([...delivered("wk2-"), ...delivered("other-")], ["wk2-1", "wk2-2", "wk2-3", "wk2-4", "other-0", "other-1", "other-2"]);
    });
  });

  describe(`rate limits: configuration [${build.name}]`, () => {
    test("a source naming a rate limiting binding the Worker lacks is a configuration error, told to the operator only", async () => {
      const ctx = await startDelivery(build, {
        queue: false,
        bindings: { ADMIN_TOKEN: "t" },
        sources: (p) => [{ writeKey: "wk", rateLimits: { writeKey: "RL_MISSING" }, destinations: { gainsight: destinations(p).gainsight } }],
      });
      try {
        const r = await ctx.post("/v1/t", track("wk", "x"));
        assert.equal(r.status, 500);
        assert.equal(r.body.code, "misconfigured");
        assert.doesNotMatch(JSON.stringify(r.body), /RL_MISSING/);
        const admin = await ctx.admin("GET", "/admin/config", undefined, "t");
        assert.equal(admin.body.error.message, "sources[0].rateLimits.writeKey: no rate limiting binding RL_MISSING (declare it under [[ratelimits]] in wrangler.toml)");
      } finally {
        await ctx.dispose();
      }
    });
  });

  describe(`dedup scoped by source [${build.name}, queue]`, () => {
    let ctx;
    before(async () => {
      ctx = await startDelivery(build, {
        sources: (p) => [
          { writeKey: "source-a", destinations: destinations(p) },
          { writeKey: "source-b", destinations: destinations(p) },
        ],
      });
    });
    after(async () => {
      await ctx?.dispose();
    });

    test("source A's messageId does not suppress source B's event with the same id; B's own retry is still deduplicated", async () => {
      const identify = (writeKey) => ({ writeKey, userId: `u-${writeKey}`, messageId: "order-1001", traits: { email: `${writeKey}@example.com` } });
      assert.equal((await ctx.post("/v1/identify", identify("source-a"))).status, 200);
      await waitFor(() => ctx.delivered().gainsight.length >= 1, { timeoutMs: 15_000, what: "source A's identify" });
      assert.equal((await ctx.post("/v1/identify", identify("source-b"))).status, 200);
      // B's client retries the same request (a lost ack): its copy is a duplicate, A's is not.
      assert.equal((await ctx.post("/v1/identify", identify("source-b"), { "x-retry-count": "1" })).status, 200);
      await ctx.settle((s) => (s.counters.gainsight?.sent ?? 0) >= 2 && (s.counters.gainsight?.deduplicated ?? 0) >= 1);
      const d = ctx.delivered();
      for (const name of ["gist", "gainsight", "gainsightPx"]) {
        assert.equal(d[name].length, 2, `${name}: one delivery per source`);
      }
      assert.deepEqual(d.gainsight.map((r) => r.body.userId).sort(), ["u-source-a", "u-source-b"]);
      assert.deepEqual(d.gist.map((r) => r.body.email).sort(), ["source-a@example.com", "source-b@example.com"]);
    });
  });
}

// The Gist destination end to end in real workerd on the wasi build: beacons in, the plan's
// calls sent by the host with the GIST_API_KEY secret filled in, checked as the contract-strict
// fake Gist API (tests/fakes/gist.mjs) received them. README "Destinations → Gist".
import { describe, test, before, after, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { WORKERD_BUILDS } from "../support/harness.mjs";
import { waitFor } from "../support/capture_server.mjs";
import { startDestinations, gistDest, gistCalls, attemptOf, IP, GIST_KEY, WRONG_GIST_KEY } from "../support/destinations_fixture.mjs";

const BEARER = `Bearer ${GIST_KEY}`;
const LIBRARY = { name: "analytics.js", version: "npm:next-1.70.0" };
const T = "2026-08-01T10:00:00.000Z"; // the README examples' time: occurred_at 1785578400
const T_S = 1785578400;

function sources({ gist }) {
  return [
    { writeKey: "wk-gist", destinations: { gist: gistDest(gist) } },
    { writeKey: "wk-gist-extras", destinations: { gist: gistDest(gist, { pages: true, groups: "company", tags: true }) } },
    { writeKey: "wk-gist-tag", destinations: { gist: gistDest(gist, { pages: true, pageEventName: "Page Viewed", groups: "tag" }) } },
    { writeKey: "wk-gist-wrong", destinations: { gist: { ...gistDest(gist), apiKey: { secret: "GIST_WRONG_KEY" } } } },
  ];
}

// An analytics.js batch (POST /v1/b) of items that carry no sentAt, so timestamps stay as sent.
const batch = (writeKey, items) => ({ writeKey, batch: items.map((m) => ({ timestamp: T, context: { library: LIBRARY }, ...m })) });

for (const build of WORKERD_BUILDS) {
  describe(`Gist destination [${build.name}]`, () => {
    let ctx, gist;
    before(async () => {
      ctx = await startDestinations(build, { gist: true, sources });
      gist = ctx.fakes.gist;
    });
    after(async () => {
      await ctx?.dispose();
    });
    beforeEach(() => ctx.reset());

    test("README example via /v1/i then /v1/t: POST /contacts then POST /events, Bearer secret, JSON headers", async () => {
      const skewMs = 250; // analytics.js: sentAt a little after timestamp
      const now = Date.now();
      const common = { writeKey: "wk-gist", userId: "userId123", anonymousId: "anon-1", context: { library: LIBRARY } };
      const identify = { ...common, type: "identify", traits: { email: "john.doe@example.com" }, messageId: "ajs-next-i1",
        timestamp: new Date(now).toISOString(), sentAt: new Date(now + skewMs).toISOString() };
      const first = await ctx.send("/v1/i", identify);
      assert.equal(first.calls, 1);
      assert.deepEqual(gistCalls(gist), [
        ["POST", "/contacts", BEARER, { user_id: "userId123", email: "john.doe@example.com", last_seen_ip: IP }],
      ]);
      const track = { ...common, type: "track", event: "Login Button Clicked", properties: {}, messageId: "ajs-next-t1",
        timestamp: new Date(now).toISOString(), sentAt: new Date(now + skewMs).toISOString() };
      const t0 = Date.now();
      const second = await ctx.send("/v1/t", track);
      const t1 = Date.now();
      assert.equal(second.calls, 1);
      const occurredAt = gist.requests[1]?.body?.occurred_at;
      // occurred_at = receivedAt − skew, in Unix seconds; receivedAt lies within [t0, t1] (±1 s clock slack)
      assert.ok(occurredAt >= Math.floor((t0 - skewMs - 1000) / 1000) && occurredAt <= Math.floor((t1 - skewMs + 1000) / 1000), `occurred_at ${occurredAt}`);
      assert.deepEqual(gistCalls(gist).slice(1), [
        ["POST", "/events", BEARER, { event_name: "Login Button Clicked", user_id: "userId123", occurred_at: occurredAt }],
      ]);
      for (const r of gist.requests) {
        assert.equal(r.headers["content-type"], "application/json");
        assert.equal(r.headers.accept, "application/json");
      }
      assert.deepEqual([...gist.contacts.values()].map((c) => [c.user_id, c.email]), [["userId123", "john.doe@example.com"]]);
      assert.deepEqual(gist.events.map((e) => [e.event_name, e.user_id]), [["login button clicked", "userId123"]]);
      assert.deepEqual([...first.deliveries, ...second.deliveries].map(attemptOf), [
        { destination: "gist", messageId: "ajs-next-i1", status: 200, outcome: "ok", attempt: 1 },
        { destination: "gist", messageId: "ajs-next-t1", status: 200, outcome: "ok", attempt: 1 },
      ]);
    });

    test("README example as one /v1/b batch: the contact upsert goes before the event, occurred_at exact", async () => {
      const r = await ctx.send("/v1/b", batch("wk-gist", [
        { type: "identify", userId: "userId123", traits: { email: "john.doe@example.com" }, messageId: "b-i" },
        { type: "track", userId: "userId123", event: "Login Button Clicked", messageId: "b-t" },
      ]));
      assert.equal(r.calls, 2);
      assert.deepEqual(gistCalls(gist), [
        ["POST", "/contacts", BEARER, { user_id: "userId123", email: "john.doe@example.com", last_seen_ip: IP }],
        ["POST", "/events", BEARER, { event_name: "Login Button Clicked", user_id: "userId123", occurred_at: T_S }],
      ]);
    });

    for (const [what, message, reason] of [
      ["identify without an email", { userId: "u-noemail", traits: { name: "No Mail" } }, "gist.email_required"],
      ["identify without a userId", { anonymousId: "anon-2", traits: { email: "anon@example.com" } }, "gist.user_id_required"],
    ]) {
      test(`${what} sends nothing to Gist, logs a dropped note ${reason}, and the client still gets 200`, async () => {
        const r = await ctx.send("/v1/i", { writeKey: "wk-gist", messageId: `drop-${reason}`, ...message });
        assert.equal(r.calls, 0);
        assert.deepEqual(r.notes, [{ at: "note", kind: "dropped", destination: "gist", messageId: `drop-${reason}`, reason }]);
        assert.deepEqual(gist.requests, []);
      });
    }

    test("a track with only an email (context.traits.email) records the event and creates the contact", async () => {
      const r = await ctx.send("/v1/b", batch("wk-gist", [
        { type: "track", anonymousId: "anon-3", event: "Trial Started", messageId: "lead-t", context: { traits: { email: "lead@example.com" } } },
      ]));
      assert.equal(r.calls, 1);
      assert.deepEqual(gistCalls(gist), [
        ["POST", "/events", BEARER, { event_name: "Trial Started", email: "lead@example.com", occurred_at: T_S }],
      ]);
      assert.deepEqual([...gist.contacts.values()].map((c) => [c.type, c.email, c.user_id]), [["lead", "lead@example.com", undefined]]);
      assert.equal(gist.events.length, 1);
    });

    test("Engage audience traits reach Gist as boolean custom_properties, with the email from context.traits", async () => {
      const r = await ctx.send("/v1/identify", {
        writeKey: "wk-gist", type: "identify", userId: "u-engage", messageId: "engage-1",
        traits: { order_completed_last_30days: true, high_value_users: false },
        context: { traits: { email: "engaged@example.com" }, personas: { computation_class: "audience", computation_key: "order_completed_last_30days" } },
      });
      assert.equal(r.calls, 1);
      const custom_properties = { order_completed_last_30days: true, high_value_users: false };
      assert.deepEqual(gistCalls(gist), [
        // Engage calls from Segment's servers: no caller IP becomes last_seen_ip.
        ["POST", "/contacts", BEARER, { user_id: "u-engage", email: "engaged@example.com", custom_properties }],
      ]);
      assert.deepEqual([...gist.contacts.values()][0].custom_properties, custom_properties);
    });

    test('integrations {"Gist": false} sends nothing; {"All": false, "Gist": true} sends', async () => {
      const items = (integrations, id) => [
        { type: "identify", userId: "u-int", traits: { email: "int@example.com" }, messageId: `${id}-i`, integrations },
        { type: "track", userId: "u-int", event: "Clicked", messageId: `${id}-t`, integrations },
      ];
      const off = await ctx.send("/v1/b", batch("wk-gist", items({ Gist: false }, "off")));
      assert.equal(off.calls, 0);
      assert.deepEqual(gist.requests, []);
      const on = await ctx.send("/v1/b", batch("wk-gist", items({ All: false, Gist: true }, "on")));
      assert.equal(on.calls, 2);
      assert.deepEqual(gist.requests.map((q) => q.path), ["/contacts", "/events"]);
    });

    test("by default (pages, groups, tags off) page and group send nothing and tags go in the contact", async () => {
      const r = await ctx.send("/v1/b", batch("wk-gist", [
        { type: "page", userId: "u-def", name: "Pricing", messageId: "def-p" },
        { type: "group", userId: "u-def", groupId: "acme-1", traits: { name: "Acme" }, messageId: "def-g" },
        { type: "identify", userId: "u-def", traits: { email: "def@example.com", tags: ["trial", "vip"] }, messageId: "def-i" },
      ]));
      assert.equal(r.calls, 1);
      assert.deepEqual(r.notes, []); // skipped notes are not logged
      assert.deepEqual(gistCalls(gist), [
        ["POST", "/contacts", BEARER, { user_id: "u-def", email: "def@example.com", last_seen_ip: IP, tags: ["trial", "vip"] }],
      ]);
    });

    test("pages on: a page becomes POST /events named 'Viewed <name> Page', 'Viewed Page', or pageEventName", async () => {
      const r = await ctx.send("/v1/b", batch("wk-gist-extras", [
        { type: "identify", userId: "u-pg", traits: { email: "pg@example.com" }, messageId: "pg-0" }, // the contact the events attach to
        { type: "page", userId: "u-pg", name: "Pricing", properties: { path: "/pricing", name: "Pricing" }, messageId: "pg-1" },
        { type: "page", userId: "u-pg", properties: { path: "/" }, messageId: "pg-2" },
      ]));
      assert.equal(r.calls, 3);
      const fixed = await ctx.send("/v1/p", { writeKey: "wk-gist-tag", userId: "u-pg", name: "Docs", timestamp: T, messageId: "pg-3" });
      assert.equal(fixed.calls, 1);
      assert.deepEqual(gistCalls(gist), [
        ["POST", "/contacts", BEARER, { user_id: "u-pg", email: "pg@example.com", last_seen_ip: IP }],
        ["POST", "/events", BEARER, { event_name: "Viewed Pricing Page", user_id: "u-pg", occurred_at: T_S, properties: { path: "/pricing", name: "Pricing" } }],
        ["POST", "/events", BEARER, { event_name: "Viewed Page", user_id: "u-pg", occurred_at: T_S, properties: { path: "/" } }],
        ["POST", "/events", BEARER, { event_name: "Page Viewed", user_id: "u-pg", occurred_at: T_S }],
      ]);
    });

    test('groups "company": the member\'s contact gets company_id and company_* custom properties', async () => {
      const r = await ctx.send("/v1/b", batch("wk-gist-extras", [
        { type: "identify", userId: "u-co", traits: { email: "co@example.com" }, messageId: "co-i" },
        { type: "group", userId: "u-co", groupId: "acme-1", traits: { name: "Acme", employeeCount: 40 }, messageId: "co-g" },
      ]));
      assert.equal(r.calls, 2);
      const company = { company_id: "acme-1", company_name: "Acme", company_employeecount: 40 }; // Gist's key rule: lower-cased
      assert.deepEqual(gistCalls(gist), [
        ["POST", "/contacts", BEARER, { user_id: "u-co", email: "co@example.com", last_seen_ip: IP }],
        ["POST", "/contacts", BEARER, { user_id: "u-co", custom_properties: company }],
      ]);
      assert.deepEqual([...gist.contacts.values()].map((c) => c.custom_properties), [company]);
    });

    test('groups "tag": the member is tagged company:<groupId> by POST /tags', async () => {
      const r = await ctx.send("/v1/b", batch("wk-gist-tag", [
        { type: "identify", userId: "u-gt", traits: { email: "gt@example.com" }, messageId: "gt-i" },
        { type: "group", userId: "u-gt", groupId: "acme-1", traits: { name: "Acme" }, messageId: "gt-g", context: { traits: { email: "gt@example.com" } } },
      ]));
      assert.equal(r.calls, 2);
      assert.deepEqual(gistCalls(gist), [
        ["POST", "/contacts", BEARER, { user_id: "u-gt", email: "gt@example.com", last_seen_ip: IP }],
        ["POST", "/tags", BEARER, { name: "company:acme-1", contacts: [{ user_id: "u-gt", email: "gt@example.com" }] }],
      ]);
      assert.deepEqual([...gist.contacts.values()].map((c) => c.tags), [["company:acme-1"]]);
    });

    test("tags on: identify's tags trait becomes tag and untag calls after the contact upsert", async () => {
      const r = await ctx.send("/v1/b", batch("wk-gist-extras", [
        { type: "identify", userId: "u-tag", traits: { email: "tag@example.com", tags: { vip: true, trial: false } }, messageId: "tag-i" },
      ]));
      assert.equal(r.calls, 3);
      const who = { user_id: "u-tag", email: "tag@example.com" };
      assert.deepEqual(gistCalls(gist), [
        ["POST", "/contacts", BEARER, { ...who, last_seen_ip: IP }],
        ["POST", "/tags", BEARER, { name: "vip", contacts: [who] }],
        ["POST", "/tags", BEARER, { name: "trial", contacts: [{ ...who, untag: true }] }],
      ]);
      assert.deepEqual([...gist.contacts.values()].map((c) => c.tags), [["vip"]]);
    });

    test("429 with Retry-After: 1, then success: retried after the wait, delivered once, attempt 2 logged, order kept", async () => {
      gist.failNext(429, { retryAfter: 1 });
      const mark = await ctx.mark();
      const res = await ctx.post("/v1/b", batch("wk-gist", [
        { type: "identify", userId: "u-429", traits: { email: "rl@example.com" }, messageId: "rl-i" },
        { type: "track", userId: "u-429", event: "Clicked", messageId: "rl-t" },
      ]));
      assert.equal(res.status, 200);
      const firstAt = await waitFor(() => gist.requests.length >= 1 && Date.now(), { what: "the first attempt" });
      const retryAt = await waitFor(() => gist.requests.length >= 2 && Date.now(), { what: "the retry", timeoutMs: 8000 });
      assert.ok(retryAt - firstAt >= 900, `retried after ${retryAt - firstAt} ms, Retry-After said 1 s`);
      const r = await ctx.settle(mark, { timeoutMs: 8000 });
      assert.deepEqual(gist.requests.map((q) => [q.path, q.body.user_id]), [["/contacts", "u-429"], ["/contacts", "u-429"], ["/events", "u-429"]]);
      assert.equal(gist.contacts.size, 1);
      assert.equal(gist.events.length, 1);
      assert.deepEqual(r.deliveries.map(attemptOf), [
        { destination: "gist", messageId: "rl-i", status: 429, outcome: "retry", attempt: 1 },
        { destination: "gist", messageId: "rl-i", status: 200, outcome: "ok", attempt: 2 },
        { destination: "gist", messageId: "rl-t", status: 200, outcome: "ok", attempt: 1 },
      ]);
    });

    test("Gist refusing a call (400) is permanent; a 404 on an event is 'not yet' and retried (bounded)", async () => {
      // Same user, so one delivery chain: each call waits for the one before it.
      const r = await ctx.send("/v1/b", batch("wk-gist-extras", [
        { type: "group", userId: "u-new", groupId: "g-9", messageId: "ref-g" }, // no contact, no email → 400
        // Unknown user, no email → 404: the identify creating the contact may be another request
        // still on its way (analytics.js sends each call alone), so the event is retried.
        { type: "track", userId: "u-new", event: "Opened", messageId: "ref-t1" },
        { type: "track", userId: "u-new", event: "Opened", messageId: "ref-t2", context: { traits: { email: "new@example.com" } } },
      ]), { timeoutMs: 15_000 });
      assert.equal(r.calls, 3);
      assert.deepEqual(gist.requests.map((q) => [q.method, q.path, q.headers.authorization]), [
        ["POST", "/contacts", BEARER], ["POST", "/events", BEARER], ["POST", "/events", BEARER], ["POST", "/events", BEARER],
        ["POST", "/events", BEARER],
      ]);
      assert.deepEqual(r.deliveries.map(attemptOf), [
        { destination: "gist", messageId: "ref-g", status: 400, outcome: "permanent", attempt: 1 },
        { destination: "gist", messageId: "ref-t1", status: 404, outcome: "retry", attempt: 1 },
        { destination: "gist", messageId: "ref-t1", status: 404, outcome: "retry", attempt: 2 },
        { destination: "gist", messageId: "ref-t1", status: 404, outcome: "dropped", attempt: 3 }, // the last says it is lost
        { destination: "gist", messageId: "ref-t2", status: 200, outcome: "ok", attempt: 1 },
      ]);
      assert.match(r.deliveries[0].error, /email is required to create a contact/);
      assert.match(r.deliveries[1].error, /Contact not found/);
    });

    test("a wrong secret value: Gist answers 401, logged as a permanent failure, not retried", async () => {
      const r = await ctx.send("/v1/b", batch("wk-gist-wrong", [
        { type: "identify", userId: "u-key", traits: { email: "key@example.com" }, messageId: "key-i" },
        { type: "track", userId: "u-key", event: "Clicked", messageId: "key-t" },
      ]));
      assert.equal(r.calls, 2);
      assert.deepEqual(gist.requests.map((q) => [q.path, q.headers.authorization]), [
        ["/contacts", `Bearer ${WRONG_GIST_KEY}`], ["/events", `Bearer ${WRONG_GIST_KEY}`],
      ]);
      assert.deepEqual(r.deliveries.map(attemptOf), [
        { destination: "gist", messageId: "key-i", status: 401, outcome: "permanent", attempt: 1 },
        { destination: "gist", messageId: "key-t", status: 401, outcome: "permanent", attempt: 1 },
      ]);
      assert.match(r.deliveries[0].error, /Unauthorized/);
      assert.equal(gist.contacts.size, 0);
    });
  });
}

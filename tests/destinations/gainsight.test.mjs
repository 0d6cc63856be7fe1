// The Gainsight (classic CS) and Gainsight PX destinations end to end in real workerd on the wasi
// build: beacons in, the normalized message sent by the host with the secret filled in,
// checked as the contract-strict fakes (tests/fakes/gainsight.mjs) received it. README
// "Destinations → Gainsight and Gainsight PX".
import { describe, test, before, after, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { WORKERD_BUILDS, basic } from "../support/harness.mjs";
import {
  startDestinations, gistDest, gainsightDest, pxDest, pxAuth, attemptOf, iso, IP, ISO_MS, GAINSIGHT_KEY, PX_KEY, GIST_KEY,
} from "../support/destinations_fixture.mjs";

const CLASSIC_PATH = "/clickstream/segmentio/event";
const PX_PATH = "/rte/segmentio/v1/push";
const LIBRARY = { name: "analytics.js", version: "npm:next-1.70.0" };
const SKEW_MS = 500; // sentAt − timestamp of every analytics.js message below

function sources({ gist, gainsight, px }) {
  return [
    { writeKey: "wk-gs", destinations: { gainsight: gainsightDest(gainsight) } },
    { writeKey: "wk-gs-wl", destinations: { gainsight: gainsightDest(gainsight, { whitelistTrackEvents: ["Order Completed"] }) } },
    { writeKey: "wk-px", destinations: { gainsightPx: pxDest(px, { region: "europe" }) } },
    { writeKey: "wk-all", destinations: { gist: gistDest(gist), gainsight: gainsightDest(gainsight), gainsightPx: pxDest(px) } },
  ];
}

// An analytics.js message: client timestamp, sentAt SKEW_MS later, library context.
function ajs(writeKey, message) {
  const ts = Date.now() - 2000;
  return { writeKey, anonymousId: "anon-7", context: { library: LIBRARY }, timestamp: iso(ts), sentAt: iso(ts + SKEW_MS), ...message };
}

// What ingest makes of `sent` (an analytics.js message): writeKey removed, type set, context.ip
// added (a client-side event), the skew-corrected timestamp (ISO with ms and Z), originalTimestamp,
// receivedAt (taken from the delivered body and checked to lie within the request's time window),
// channel and version (what Segment's pipeline adds).
function expectNormalized(body, sent, t0, t1) {
  assert.match(body.receivedAt, ISO_MS);
  const receivedMs = Date.parse(body.receivedAt);
  assert.ok(receivedMs >= t0 - 1000 && receivedMs <= t1 + 1000, `receivedAt ${body.receivedAt} outside the request window`);
  assert.match(body.timestamp, ISO_MS);
  const { writeKey, ...rest } = sent;
  assert.deepEqual(body, {
    ...rest,
    context: { ...sent.context, ip: IP },
    timestamp: iso(receivedMs - SKEW_MS),
    originalTimestamp: sent.timestamp,
    receivedAt: body.receivedAt,
    channel: "client",
    version: 2,
  });
}

// Segment's three Gainsight examples, as analytics.js sends them.
const SEEDS = [
  ["identify", "/v1/i", { type: "identify", userId: "123", traits: { accountId: "o283h08fh2390f923uofu23", name: "Miles Morales", email: "mmorales@midtownhs.edu" } }],
  ["track", "/v1/t", { type: "track", userId: "123", event: "Account Created", properties: { accountId: "o283h08fh2390f923uofu23", source: "Invite", title: "CEO" } }],
  ["group", "/v1/g", { type: "group", userId: "123", groupId: "555", traits: { name: "Twitter", url: "https://twitter.com" } }],
];

for (const build of WORKERD_BUILDS) {
  describe(`Gainsight and Gainsight PX destinations [${build.name}]`, () => {
    let ctx, gist, gs, px;
    before(async () => {
      ctx = await startDestinations(build, { gist: true, gainsight: true, px: true, sources });
      ({ gist, gainsight: gs, px } = ctx.fakes);
    });
    after(async () => {
      await ctx?.dispose();
    });
    beforeEach(() => ctx.reset());

    // Sends one analytics.js message and returns the settled result with the request's time window.
    async function sendTimed(path, message) {
      const t0 = Date.now();
      const r = await ctx.send(path, message);
      return { ...r, t0, t1: Date.now() };
    }

    for (const [type, path, fields] of SEEDS) {
      test(`classic: Segment's ${type} example → POST ${CLASSIC_PATH}, accessKey = the secret, body = the normalized message`, async () => {
        const sent = ajs("wk-gs", { ...fields, messageId: `ajs-next-gs-${type}` });
        const r = await sendTimed(path, sent);
        assert.equal(r.calls, 1);
        assert.equal(gs.received.length, 1);
        const [got] = gs.received;
        assert.equal(got.path, CLASSIC_PATH);
        assert.equal(got.headers.accesskey, GAINSIGHT_KEY);
        assert.equal(got.headers["content-type"], "application/json");
        assert.equal(got.headers["user-agent"], "Segment.io/1.0"); // segmentio-integration's
        assert.equal(got.headers.authorization, undefined);
        expectNormalized(got.body, sent, r.t0, r.t1);
        assert.deepEqual(r.deliveries.map(attemptOf), [{ destination: "gainsight", messageId: `ajs-next-gs-${type}`, status: 200, outcome: "ok", attempt: 1 }]);
      });
    }

    for (const [type, path, fields] of [
      ["page", "/v1/p", { name: "Pricing", properties: { path: "/pricing" } }],
      ["screen", "/v1/s", { name: "Home" }],
      ["alias", "/v1/a", { previousId: "anon-7" }],
    ]) {
      test(`classic: ${type} calls are not sent to Gainsight (client 200, nothing planned)`, async () => {
        const r = await ctx.send(path, ajs("wk-gs", { type, userId: "123", messageId: `gs-${type}`, ...fields }));
        assert.equal(r.calls, 0);
        assert.deepEqual([gs.received, gs.rejected], [[], []]);
      });
    }

    test('classic whitelist ["Order Completed"]: order_completed and its spellings go through, "Signed Up" is dropped silently', async () => {
      const names = ["order_completed", "Order Completed", "orderCompleted", "ORDER COMPLETED"];
      const passed = await ctx.send("/v1/b", {
        writeKey: "wk-gs-wl",
        batch: names.map((event, i) => ({ type: "track", userId: "u-wl", event, properties: { total: 42 }, messageId: `wl-${i}` })),
      });
      assert.equal(passed.calls, 4);
      assert.deepEqual(gs.received.map((g) => [g.body.event, g.body.messageId, g.body.properties]), names.map((e, i) => [e, `wl-${i}`, { total: 42 }]));
      gs.received.length = 0;
      const dropped = await ctx.send("/v1/t", ajs("wk-gs-wl", { type: "track", userId: "u-wl", event: "Signed Up", messageId: "wl-drop" }));
      assert.equal(dropped.calls, 0);
      assert.deepEqual(dropped.notes, []); // silent: a skipped note is not logged
      assert.deepEqual(gs.received, []);
    });

    for (const [type, path, fields] of [
      ["identify", "/v1/i", { traits: { email: "px@example.com", plan: "pro" } }],
      ["track", "/v1/t", { event: "Report Exported", properties: { format: "csv" } }],
      ["page", "/v1/p", { name: "Pricing", properties: { path: "/pricing", title: "Pricing" } }],
      ["group", "/v1/g", { groupId: "555", traits: { name: "Twitter" } }],
    ]) {
      test(`PX: ${type} → POST ${PX_PATH}, Authorization Basic base64(key:), body = the normalized message`, async () => {
        const sent = ajs("wk-px", { type, userId: "123", messageId: `px-${type}`, ...fields });
        const r = await sendTimed(path, sent);
        assert.equal(r.calls, 1);
        assert.equal(px.received.length, 1);
        const [got] = px.received;
        assert.equal(got.path, PX_PATH);
        assert.equal(got.headers.authorization, pxAuth(PX_KEY));
        assert.equal(got.headers.authorization, `Basic ${btoa("AP-XXXX-1:")}`);
        assert.equal(got.headers["content-type"], "application/json");
        assert.equal(got.headers["user-agent"], "Segment (Actions)"); // @segment/actions-core's
        expectNormalized(got.body, sent, r.t0, r.t1);
        assert.deepEqual(r.deliveries.map(attemptOf), [{ destination: "gainsightPx", messageId: `px-${type}`, status: 200, outcome: "ok", attempt: 1 }]);
      });
    }

    test("PX: screen and alias are not sent", async () => {
      const screen = await ctx.send("/v1/s", ajs("wk-px", { type: "screen", userId: "123", name: "Home", messageId: "px-screen" }));
      const alias = await ctx.send("/v1/a", ajs("wk-px", { type: "alias", userId: "123", previousId: "anon-7", messageId: "px-alias" }));
      assert.deepEqual([screen.calls, alias.calls], [0, 0]);
      assert.deepEqual([px.received, px.rejected], [[], []]);
    });

    for (const [integrations, expected] of [
      // The Actions destination's catalog name, exactly (lower-case x); "Gainsight PX" is another one.
      [{ All: false, "Gainsight Px Cloud (Actions)": true }, { gist: 0, gainsight: 0, px: 1 }],
      [{ All: false, "Gainsight Px Cloud (Actions)": {} }, { gist: 0, gainsight: 0, px: 1 }],
      [{ All: false, "Gainsight PX": true }, { gist: 0, gainsight: 0, px: 0 }],
      [{ Gainsight: false }, { gist: 1, gainsight: 0, px: 1 }],
    ]) {
      test(`integrations ${JSON.stringify(integrations)} → only ${Object.keys(expected).filter((k) => expected[k]).join(" and ")} receive`, async () => {
        const r = await ctx.send("/v1/i", ajs("wk-all", { type: "identify", userId: "u-int", traits: { email: "int@example.com" }, integrations, messageId: "int-i" }));
        const got = { gist: gist.requests.length, gainsight: gs.received.length, px: px.received.length };
        assert.deepEqual(got, expected);
        assert.equal(r.calls, expected.gist + expected.gainsight + expected.px);
        if (expected.px) assert.deepEqual(px.received[0].body.integrations, integrations);
      });
    }

    test("one analytics-node /v1/batch (Basic auth) to all three: each fake gets exactly its share, in order per user", async () => {
      const base = { context: { library: { name: "@segment/analytics-node", version: "2.1.2" } }, _metadata: { nodeVersion: "20.11.0", jsRuntime: "node" } };
      const items = [
        { type: "identify", userId: "alice", traits: { email: "alice@example.com", accountId: "acc-1" } },
        { type: "identify", userId: "bob", traits: { email: "bob@example.com" } },
        { type: "track", userId: "alice", event: "Order Completed", properties: { total: 30 } },
        { type: "page", userId: "bob", name: "Pricing" },
        { type: "group", userId: "alice", groupId: "acc-1", traits: { name: "Acme" } },
        { type: "track", userId: "bob", event: "Signed Up" },
        { type: "screen", userId: "alice", name: "Home" },
        { type: "alias", userId: "bob", previousId: "anon-bob" },
      ].map((m, i) => ({ ...base, ...m, messageId: `node-${i}`, timestamp: "2026-08-01T10:00:00.000Z" }));
      const mark = await ctx.mark();
      const res = await ctx.post("/v1/batch", { batch: items, sentAt: "2026-08-01T10:00:00.000Z" }, { authorization: basic("wk-all") });
      assert.deepEqual(res, { status: 200, body: { success: true } });
      const r = await ctx.settle(mark);
      assert.equal(r.calls, 4 + 5 + 6);
      assert.ok(r.deliveries.every((d) => d.outcome === "ok" && d.attempt === 1), JSON.stringify(r.deliveries));
      const ids = (list, user) => list.filter((x) => x.user === user).map((x) => x.id);
      const gistSeen = gist.requests.map((q) => ({ user: q.body.user_id, id: `${q.path} ${q.body.event_name ?? ""}`.trim(), auth: q.headers.authorization }));
      assert.equal(gistSeen.length, 4);
      assert.ok(gistSeen.every((q) => q.auth === `Bearer ${GIST_KEY}`));
      assert.deepEqual(ids(gistSeen, "alice"), ["/contacts", "/events Order Completed"]);
      assert.deepEqual(ids(gistSeen, "bob"), ["/contacts", "/events Signed Up"]);
      const seen = (fake) => fake.received.map((g) => ({ user: g.body.userId, id: g.body.messageId }));
      assert.equal(gs.received.length, 5);
      assert.deepEqual(ids(seen(gs), "alice"), ["node-0", "node-2", "node-4"]);
      assert.deepEqual(ids(seen(gs), "bob"), ["node-1", "node-5"]);
      assert.ok(gs.received.every((g) => g.headers.accesskey === GAINSIGHT_KEY));
      assert.equal(px.received.length, 6);
      assert.deepEqual(ids(seen(px), "alice"), ["node-0", "node-2", "node-4"]);
      assert.deepEqual(ids(seen(px), "bob"), ["node-1", "node-3", "node-5"]);
      assert.ok(px.received.every((p) => p.headers.authorization === pxAuth(PX_KEY)));
      // Both Gainsight products get the same normalized message (same length on the wire too).
      for (const g of gs.received) {
        const p = px.received.find((x) => x.body.messageId === g.body.messageId);
        assert.deepEqual(p.body, g.body);
        assert.equal(p.headers["content-length"], g.headers["content-length"]);
      }
      const first = gs.received.find((g) => g.body.messageId === "node-0").body;
      assert.deepEqual(first, {
        ...base, type: "identify", userId: "alice", traits: { email: "alice@example.com", accountId: "acc-1" }, messageId: "node-0",
        // A server's event: no context.ip (Segment fills it for client-side events only).
        context: base.context, timestamp: first.receivedAt, originalTimestamp: "2026-08-01T10:00:00.000Z",
        sentAt: "2026-08-01T10:00:00.000Z", // the envelope's, copied into each item
        receivedAt: first.receivedAt, channel: "server", version: 2,
      });
      assert.match(first.receivedAt, ISO_MS);
    });
  });
}

// @segment/analytics-node, unchanged, posting /v1/batch with Basic auth to the Worker: every call
// type once, then a stream of large events that fills batches to the library's size limit.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { createRequire } from "node:module";
import { Analytics } from "@segment/analytics-node";
import { basic, GAINSIGHT_KEY, GIST_KEY, normalized, PREFIX, PX_KEY, startEdge } from "./fixture.mjs";
import { waitFor } from "./harness.mjs";

const WRITE_KEY = "wk_server";
// Segment's classic Gainsight integration posts facade.json(): segmentio-facade 3.2.7 runs
// @segment/isodate-traverse 1.1.1 over the message, so ISO date strings arrive as toISOString.
const isodateTraverse = createRequire(import.meta.url)("@segment/isodate-traverse");
const facadeDates = (message) => JSON.parse(JSON.stringify(isodateTraverse(structuredClone(message))));
const since = Date.now();
let edge;

before(async () => {
  edge = await startEdge({ sources: (destinations) => [{ writeKey: WRITE_KEY, destinations }] });
});

after(async () => {
  await edge?.stop();
});

// The client as a server would create it, pointed at the Worker (host + the basePath's batch path).
function client(options) {
  const analytics = new Analytics({ writeKey: WRITE_KEY, host: edge.tap.url, path: `${PREFIX}/v1/batch`, ...options });
  const responses = [];
  analytics.on("http_response", (r) => responses.push({ status: r.status, url: r.url }));
  const errors = [];
  analytics.on("error", (e) => errors.push(e));
  return { analytics, responses, errors };
}

const batchesSince = (from) => edge.tap.seen.slice(from).filter((e) => e.method === "POST");

describe("analytics-node through the Worker", () => {
  test("identify, track, page, group and alias in one batch reach Gist, Gainsight and PX exactly", { timeout: 60_000 }, async () => {
    edge.reset();
    const from = edge.tap.seen.length;
    const { analytics, responses, errors } = client({ flushAt: 5, flushInterval: 60_000 });
    const userId = "node-user-1";
    const email = "grace@example.com";
    analytics.identify({ userId, traits: { email, name: "Grace Hopper", plan: "enterprise", createdAt: "2026-03-01T00:00:00Z" } });
    analytics.track({ userId, event: "Invoice Paid", properties: { amount: 120, currency: "EUR" } });
    analytics.page({ userId, name: "Billing", category: "Account", properties: { path: "/billing" } });
    analytics.group({ userId, groupId: "globex", traits: { name: "Globex", industry: "Energy" } });
    analytics.alias({ userId: "node-user-1b", previousId: userId });
    await analytics.closeAndFlush({ timeout: 10_000 });
    await edge.until([4, 3, 4]);
    // A fixed wait only before the negative checks below (one POST, no extra delivery): anything
    // more would have arrived by now.
    await new Promise((ok) => setTimeout(ok, 300));

    assert.deepEqual(errors, []);
    const posts = batchesSince(from);
    assert.equal(posts.length, 1);
    const [post] = posts;
    assert.equal(post.path, `${PREFIX}/v1/batch`);
    assert.equal(post.status, 200);
    assert.equal(post.headers.authorization, basic(WRITE_KEY));
    assert.equal(post.headers["content-type"], "application/json");
    assert.deepEqual(responses, [{ status: 200, url: `${edge.tap.url}${PREFIX}/v1/batch` }]);
    const envelope = JSON.parse(post.body);
    assert.equal(envelope.writeKey, WRITE_KEY);
    assert.deepEqual(envelope.batch.map((m) => m.type), ["identify", "track", "page", "group", "alias"]);
    assert.ok(envelope.batch.every((m) => m.context.library.name === "@segment/analytics-node"));
    const [identify, track, page, group] = envelope.batch;
    const expect = (m, delivered) => normalized(m, delivered, { envelopeSentAt: envelope.sentAt, since });

    const { gist, gainsight, px } = edge.fakes;
    assert.deepEqual(gainsight.rejected, []);
    assert.deepEqual(gainsight.received.map((r) => r.headers.accesskey), [GAINSIGHT_KEY, GAINSIGHT_KEY, GAINSIGHT_KEY]);
    assert.deepEqual(gainsight.received.map((r) => r.body), [identify, track, group].map((m, i) => facadeDates(expect(m, gainsight.received[i].body))));
    assert.deepEqual(px.rejected, []);
    assert.deepEqual(px.received.map((r) => r.headers.authorization), Array(4).fill(basic(PX_KEY)));
    assert.deepEqual(px.received.map((r) => r.body), [identify, track, page, group].map((m, i) => expect(m, px.received[i].body)));

    const seconds = (iso) => Math.floor(Date.parse(iso) / 1000);
    assert.deepEqual(gist.requests.map((r) => [r.method, r.path, r.headers.authorization, r.body]), [
      ["POST", "/contacts", `Bearer ${GIST_KEY}`, {
        // A server's events: no last_seen_ip (Segment fills context.ip for client-side events only).
        user_id: userId, email, name: "Grace Hopper", signed_up_at: seconds("2026-03-01T00:00:00Z"),
        custom_properties: { plan: "enterprise" },
      }],
      ["POST", "/events", `Bearer ${GIST_KEY}`, {
        event_name: "Invoice Paid", user_id: userId, occurred_at: seconds(gainsight.received[1].body.timestamp), properties: { amount: 120, currency: "EUR" },
      }],
      ["POST", "/events", `Bearer ${GIST_KEY}`, {
        event_name: "Viewed Billing Page", user_id: userId, occurred_at: seconds(px.received[2].body.timestamp),
        properties: { path: "/billing", category: "Account" }, // analytics-node copies the category, not the name
      }],
      ["POST", "/contacts", `Bearer ${GIST_KEY}`, {
        user_id: userId, custom_properties: { company_id: "globex", company_name: "Globex", company_industry: "Energy" },
      }],
    ]);
  });

  test("batches flushed at the library's size limit (~480 KB) are accepted whole, every event delivered", { timeout: 60_000 }, async () => {
    edge.reset();
    const from = edge.tap.seen.length;
    const logFrom = edge.worker.lines.length;
    // flushAt far above the count: only the 480 KB limit (its own estimate) closes a batch.
    const { analytics, responses, errors } = client({ flushAt: 1000, flushInterval: 60_000 });
    const EVENTS = 40;
    const blob = "i".repeat(30_000); // ~30 KB by the library's estimate and on the wire
    for (let seq = 0; seq < EVENTS; seq++) {
      analytics.track({ userId: `bulk-${seq % 4}`, event: "Report Exported", properties: { seq, email: `bulk-${seq % 4}@example.com`, blob } });
    }
    await analytics.closeAndFlush({ timeout: 20_000 });
    await edge.until([EVENTS, EVENTS, EVENTS], "bulk deliveries");
    await new Promise((ok) => setTimeout(ok, 300)); // only before the negative checks: no extra copy arrives
    assert.deepEqual(errors, []);

    // In the order the client filled them (the last, smaller one may arrive before the one in flight).
    const first = (p) => JSON.parse(p.body).batch[0].properties.seq;
    const posts = batchesSince(from).sort((a, b) => first(a) - first(b));
    const sizes = posts.map((p) => Buffer.byteLength(p.body));
    const counts = posts.map((p) => JSON.parse(p.body).batch.length);
    assert.ok(posts.length >= 3, `batches: ${counts}`);
    for (const p of posts) assert.equal(p.status, 200);
    assert.deepEqual(responses.map((r) => r.status), posts.map(() => 200));
    // Every batch but the last was closed by size: each over 450 KB, all within the 500 KB limit.
    for (const size of sizes.slice(0, -1)) assert.ok(size > 450_000 && size <= 500 * 1024, `batch sizes: ${sizes}`);
    assert.ok(counts[0] < 20, `batch counts: ${counts}`);
    const sentSeqs = posts.flatMap((p) => JSON.parse(p.body).batch.map((m) => m.properties.seq));
    assert.deepEqual(sentSeqs, [...Array(EVENTS).keys()]);

    // The Worker's own account of each request: all accepted, three calls per event.
    const ingests = edge.worker.logs(logFrom).filter((l) => l.at === "ingest" && l.path === `${PREFIX}/v1/batch`);
    const account = ({ status, received, accepted, rejected, calls }) => JSON.stringify({ status, received, accepted, rejected, calls });
    assert.deepEqual(ingests.map(account).sort(), counts.map((n) => account({ status: 200, received: n, accepted: n, rejected: 0, calls: 3 * n })).sort());

    const { gist, gainsight, px } = edge.fakes;
    const bySeq = (list) => list.slice().sort((a, b) => a - b);
    assert.deepEqual(gainsight.rejected, []);
    assert.deepEqual(px.rejected, []);
    assert.deepEqual(bySeq(gainsight.received.map((r) => r.body.properties.seq)), [...Array(EVENTS).keys()]);
    assert.deepEqual(bySeq(px.received.map((r) => r.body.properties.seq)), [...Array(EVENTS).keys()]);
    assert.ok(gainsight.received.every((r) => r.body.properties.blob === blob && r.body.event === "Report Exported"));
    assert.deepEqual(bySeq(gist.requests.map((r) => r.body.properties.seq)), [...Array(EVENTS).keys()]);
    for (const r of gist.requests) {
      const seq = r.body.properties.seq;
      assert.deepEqual([r.method, r.path, r.body.event_name, r.body.user_id, r.body.email, r.body.properties.blob],
        ["POST", "/events", "Report Exported", `bulk-${seq % 4}`, `bulk-${seq % 4}@example.com`, blob]);
    }
    assert.equal(gist.events.length, EVENTS, "Gist stored every event");
  });

  // Issue #15: the newcomer's slip, a basePath in `host` (analytics-node drops a host's path: its
  // `path` is absolute). The reply and the Worker's log line name basePath; nothing is delivered.
  test("a basePath put in host: 404 naming basePath, in the reply and the log; nothing delivered", { timeout: 60_000 }, async () => {
    edge.reset();
    const from = edge.tap.seen.length;
    const logFrom = edge.worker.lines.length;
    const analytics = new Analytics({ writeKey: WRITE_KEY, host: `${edge.tap.url}${PREFIX}`, flushAt: 1, maxRetries: 0 });
    const errors = [];
    analytics.on("error", (e) => errors.push(e));
    analytics.track({ userId: "node-slip", event: "Lost Event" });
    await analytics.closeAndFlush({ timeout: 10_000 });
    const [post] = batchesSince(from);
    assert.deepEqual([post.path, post.status], ["/v1/batch", 404]);
    const line = await waitFor(() => edge.worker.logs(logFrom).find((l) => l.at === "not-found" && l.path === "/v1/batch"), { what: "the not-found line" });
    assert.equal(line.message, `no such endpoint: "/v1/batch" is outside basePath "${PREFIX}", under which this Worker serves every endpoint`);
    assert.deepEqual([line.setting, line.docs], ["basePath", "README.md: Configuration"]);
    assert.ok(errors.length > 0, "analytics-node reports the failed delivery");
    assert.deepEqual([edge.fakes.gist.requests.length, edge.fakes.gainsight.received.length, edge.fakes.px.received.length], [0, 0, 0]);
  });
});

// analytics.js, unchanged, in headless Chromium: the snippet (script served first-party by the
// Worker) and the npm package (bundled by the site), default delivery and batching, on another
// origin than the Worker and on the Worker's own. It boots from the Worker's settings, sends
// identify, track, page, group and alias there, and the strict fakes get exactly the Gist,
// Gainsight and PX calls; the browser makes no request to a Segment host, the 30-second metrics
// flush included (Playwright's clock runs it).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { goto, interceptSegment, launchChromium, recordRequests, root, SEGMENT_HOST, startStatic, within } from "./harness.mjs";
import { basic, GAINSIGHT_KEY, GIST_KEY, normalized, PREFIX, PX_KEY, startEdge } from "./fixture.mjs";
import { buildSite } from "./pages.mjs";

const VERSION = "1.84.3"; // package.json pins @segment/analytics-next
const site = join(root, "build/e2e/site");
const since = Date.now();
let edge, stat, browser;

before(async () => {
  await buildSite(site);
  stat = await startStatic(site);
  edge = await startEdge({
    site,
    sources: (destinations, workerOrigin) => [
      { writeKey: "wk_browser", allowedOrigins: [stat.url, workerOrigin], destinations },
      {
        writeKey: "wk_browser_batching", allowedOrigins: [stat.url, workerOrigin], destinations,
        deliveryStrategy: { strategy: "batching", config: { size: 5, timeout: 5000 } },
      },
    ],
  });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await edge?.stop();
  await stat?.close();
});

// Opens a page of the test site in a fresh context (no stored user), Playwright's clock installed.
async function open({ form, sameOrigin, writeKey, query = "" }) {
  const context = await browser.newContext();
  const requests = recordRequests(context);
  const intercepted = sameOrigin ? await interceptSegment(context) : null;
  await context.clock.install();
  const page = await context.newPage();
  const base = sameOrigin ? `${edge.tap.url}/e2e` : stat.url;
  await goto(page, `${base}/${form}.html?writeKey=${writeKey}&cdn=${encodeURIComponent(edge.cdn)}${query}`, requests, { tap: edge.tap, lines: edge.worker.lines });
  await within(15_000, "analytics.js ready", page.evaluate(() => new Promise((ok) => window.analytics.ready(() => ok()))));
  return { context, page, requests, intercepted, origin: new URL(base).origin };
}


const call = (page, method, args) =>
  within(15_000, `analytics.${method}`, page.evaluate(async ([m, a]) => { await window.analytics[m](...a); }, [method, args]));

// The messages analytics.js sent, as the Worker got them (200s only), with each batch's sentAt.
function sentMessages(entries) {
  const out = [];
  for (const e of entries) {
    if (e.method !== "POST" || e.status !== 200) continue;
    const body = JSON.parse(e.body);
    if (Array.isArray(body.batch)) for (const m of body.batch) out.push({ message: m, envelopeSentAt: body.sentAt });
    else out.push({ message: body });
  }
  return out;
}

const SCENARIOS = [];
for (const form of ["snippet", "npm"])
  for (const batching of [false, true])
    for (const sameOrigin of [false, true]) SCENARIOS.push({ form, batching, sameOrigin });

describe("analytics.js in Chromium, through the Worker alone", () => {
  for (const { form, batching, sameOrigin } of SCENARIOS) {
    const name = `${form}, ${batching ? "batching (/b)" : "default delivery"}, ${sameOrigin ? "same origin" : "cross-origin"}`;
    test(name, { timeout: 60_000 }, async () => {
      edge.reset();
      const { tap, fakes } = edge;
      const writeKey = batching ? "wk_browser_batching" : "wk_browser";
      const user = `${form}-${batching ? "batching" : "standard"}-${sameOrigin ? "same" : "cross"}`;
      const email = `${user}@example.com`;
      const tapFrom = tap.seen.length;
      // Cross-origin default delivery: the first track fails once (503 from the edge), so
      // analytics.js retries it with X-Retry-Count, a header the CORS preflight must allow.
      const retry = !sameOrigin && !batching;
      if (retry) tap.failNext((e) => e.method === "POST" && e.path === `${PREFIX}/v1/t`);
      const { context, page, requests, intercepted, origin } = await open({ form, sameOrigin, writeKey });
      try {
        const userAgent = await page.evaluate(() => navigator.userAgent);
        const steps = [
          ["identify", [user, { email, name: "Ada Lovelace", plan: "pro" }], [1, 1, 1]],
          ["track", ["Signed Up", { plan: "pro", seats: 3 }], [2, 2, 2]],
          ["page", ["Docs", "Pricing"], [3, 2, 3]],
          ["group", ["acme", { name: "Acme Inc", employees: 120 }], [4, 3, 4]],
          ["alias", [`${user}-renamed`], [4, 3, 4]],
        ];
        for (const [method, args, counts] of steps) {
          await call(page, method, args);
          // One request per call: wait for its deliveries, so the next request's cannot overtake them.
          if (!batching) await edge.until(counts, method);
        }
        await edge.until([4, 3, 4]);
        await page.waitForTimeout(300); // anything more (a duplicate, a stray call) would arrive now

        // What reached the Worker: the script, the settings, the beacons; preflights when cross-origin.
        const entries = tap.seen.slice(tapFrom);
        const own = entries.filter((e) => !e.path.startsWith("/e2e/") && e.path !== "/favicon.ico");
        const beacons = batching ? ["b"] : ["i", "t", "p", "g", "a"];
        const want = [
          ...(form === "snippet" ? [`GET ${PREFIX}/analytics.js/v1/${writeKey}/analytics.min.js 200`] : []),
          `GET ${PREFIX}/v1/projects/${writeKey}/settings 200`,
          ...beacons.map((b) => `POST ${PREFIX}/v1/${b} 200`),
          ...(sameOrigin ? [] : beacons.map((b) => `OPTIONS ${PREFIX}/v1/${b} 204`)),
          ...(retry ? [`POST ${PREFIX}/v1/t 503`] : []),
        ];
        assert.deepEqual(own.map((e) => `${e.method} ${e.path} ${e.status}`).sort(), want.sort());
        for (const e of entries.filter((e) => e.path.startsWith("/e2e/"))) assert.ok(e.status === 200 || e.status === 307, `${e.path} ${e.status}`);

        for (const e of own.filter((e) => e.method === "POST")) {
          assert.equal(e.headers.authorization, basic(writeKey), "analytics.js sends the writeKey as Basic auth");
          assert.equal(e.headers["content-type"], "text/plain");
          assert.equal(e.headers.origin, origin);
        }
        if (!sameOrigin) {
          for (const e of own.filter((e) => e.method === "OPTIONS")) {
            assert.equal(e.headers.origin, origin);
            assert.match(e.headers["access-control-request-headers"], /\bauthorization\b/);
            assert.equal(e.responseHeaders["access-control-allow-origin"], origin);
            assert.equal(e.responseHeaders["access-control-allow-credentials"], "true");
            assert.match(e.responseHeaders["access-control-allow-headers"], /\bauthorization\b/);
            assert.match(e.responseHeaders["access-control-allow-headers"], /\bx-retry-count\b/);
          }
        }
        if (retry) {
          const tracks = own.filter((e) => e.method === "POST" && e.path === `${PREFIX}/v1/t`);
          assert.deepEqual(tracks.map((e) => [e.status, e.headers["x-retry-count"]]), [[503, undefined], [200, "1"]]);
        }

        // The messages as analytics.js sent them: the npm build and the CDN build say which they are.
        const sent = sentMessages(own);
        assert.deepEqual(sent.map((s) => s.message.type), ["identify", "track", "page", "group", "alias"]);
        for (const { message } of sent) {
          assert.equal(message.context.library.version, form === "npm" ? `npm:next-${VERSION}` : `next-${VERSION}`);
          assert.equal(message.writeKey, writeKey);
        }
        const [identify, track, pageMsg, group] = sent;
        const expect = (s, delivered) => normalized(s.message, delivered, { envelopeSentAt: s.envelopeSentAt, since });

        // Gainsight (classic): identify, track, group; page and alias are not its call types.
        const gs = fakes.gainsight.received;
        assert.deepEqual(fakes.gainsight.rejected, []);
        assert.deepEqual(gs.map((r) => [r.path, r.headers.accesskey, r.headers["content-type"]]),
          Array(3).fill(["/clickstream/segmentio/event", GAINSIGHT_KEY, "application/json"]));
        assert.deepEqual(gs.map((r) => r.body), [identify, track, group].map((s, i) => expect(s, gs[i].body)));

        // Gainsight PX: identify, track, page, group; the same bytes as the classic destination.
        const px = fakes.px.received;
        assert.deepEqual(fakes.px.rejected, []);
        assert.deepEqual(px.map((r) => [r.path, r.headers.authorization]), Array(4).fill(["/rte/segmentio/v1/push", basic(PX_KEY)]));
        assert.deepEqual(px.map((r) => r.body), [identify, track, pageMsg, group].map((s, i) => expect(s, px[i].body)));

        // Gist: the contact, the event, the page event, the company on the contact.
        const seconds = (iso) => Math.floor(Date.parse(iso) / 1000);
        assert.deepEqual(fakes.gist.requests.map((r) => [r.method, r.path, r.headers.authorization, r.body]), [
          ["POST", "/contacts", `Bearer ${GIST_KEY}`, {
            user_id: user, email, name: "Ada Lovelace", last_seen_ip: "127.0.0.1", last_seen_user_agent: userAgent,
            custom_properties: { plan: "pro" },
          }],
          ["POST", "/events", `Bearer ${GIST_KEY}`, {
            event_name: "Signed Up", user_id: user, occurred_at: seconds(gs[1].body.timestamp), properties: { plan: "pro", seats: 3 },
          }],
          ["POST", "/events", `Bearer ${GIST_KEY}`, {
            event_name: "Viewed Pricing Page", user_id: user, occurred_at: seconds(px[2].body.timestamp),
            properties: { ...pageMsg.message.properties },
          }],
          ["POST", "/contacts", `Bearer ${GIST_KEY}`, {
            user_id: user, custom_properties: { company_id: "acme", company_name: "Acme Inc", company_employees: 120 },
          }],
        ]);
        assert.equal(pageMsg.message.properties.name, "Pricing");
        assert.equal(pageMsg.message.properties.category, "Docs");
        assert.deepEqual([...fakes.gist.contacts.values()].map((c) => [c.user_id, c.email]), [[user, email]]);

        // The browser: only this page's origin and the Worker's, nothing failed, nothing to Segment,
        // and after 31 s of page time (the metrics flush is every 30 s) still nothing more.
        const origins = new Set([origin, new URL(edge.tap.url).origin]);
        const check = () => {
          for (const r of requests) {
            assert.ok(!SEGMENT_HOST.test(new URL(r.url).hostname), `request to Segment: ${r.method} ${r.url}`);
            assert.ok(origins.has(new URL(r.url).origin), `request elsewhere: ${r.method} ${r.url}`);
            assert.equal(r.failed, undefined, `${r.method} ${r.url} failed`);
          }
          for (const r of intercepted ?? []) assert.ok(!SEGMENT_HOST.test(new URL(r.url).hostname), `intercepted: ${r.url}`);
        };
        check();
        const count = [requests.length, tap.seen.length];
        await page.clock.fastForward(31_000);
        await page.waitForTimeout(500);
        check();
        assert.deepEqual([requests.length, tap.seen.length], count, "no request after the 30-second metrics flush");
        if (sameOrigin) {
          // Interception sees each request once; a redirect (/e2e/x.html → /e2e/x) is followed inside it.
          const asked = requests.filter((r) => !r.request.redirectedFrom()).map((r) => `${r.method} ${r.url}`);
          assert.deepEqual(intercepted.map((r) => `${r.method} ${r.url}`).sort(), asked.sort(), "interception saw every request");
        }
      } finally {
        await context.close();
      }
    });
  }

  test("a configured Worker serves no demo page, and the snippet path only under the built prefix", async () => {
    for (const path of ["/demo/", "/demo/index.html", "/demo/calls"]) {
      const res = await fetch(edge.tap.url + path);
      assert.deepEqual([path, res.status, await res.json()], [path, 404, {
        success: false, code: "not_found", setting: "basePath", docs: "README.md: Configuration",
        message: `no such endpoint: "${path}" is outside basePath "${PREFIX}", under which this Worker serves every endpoint`,
      }]);
    }
    // The snippet's script outside the built prefix: a 404 that says so (tests/e2e/mistakes.test.mjs).
    const outside = await fetch(`${edge.tap.url}/analytics.js/v1/wk_browser/analytics.min.js`);
    assert.deepEqual([outside.status, outside.headers.get("content-type")], [404, "text/javascript; charset=utf-8"]);
    assert.match(await outside.text(), /^\/\* ajs-edge: no analytics\.js at /);
    const res = await fetch(`${edge.cdn}/analytics.js/v1/any-key/analytics.min.js`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "text/javascript; charset=utf-8");
    assert.equal(await res.text(), readFileSync(join(root, "node_modules/@segment/analytics-next/dist/umd/standalone.js"), "utf8"));
  });

  test("control: the same checks see a metrics flush to Segment when the settings do not stop it", async () => {
    // The npm form given settings inline without `metrics` (what a Segment CDN document leaves out):
    // analytics.js then posts its counters to api.segment.io every 30 s.
    const cdnSettings = { integrations: { "Segment.io": { apiKey: "wk_browser", apiHost: `${new URL(edge.tap.url).host}${PREFIX}/v1`, protocol: "http" } } };
    const { context, page, requests, intercepted } = await open({
      form: "npm", sameOrigin: true, writeKey: "wk_browser", query: `&cdnSettings=${encodeURIComponent(JSON.stringify(cdnSettings))}`,
    });
    try {
      await call(page, "track", ["Control Event", {}]);
      const toSegment = () => requests.filter((r) => SEGMENT_HOST.test(new URL(r.url).hostname)).map((r) => `${r.method} ${r.url}`);
      assert.deepEqual(toSegment(), []);
      await page.clock.fastForward(31_000);
      await page.waitForTimeout(500);
      assert.deepEqual(toSegment(), ["POST https://api.segment.io/v1/m"]);
      assert.ok(intercepted.some((r) => r.url === "https://api.segment.io/v1/m"), "the interception saw (and aborted) it");
      assert.ok(requests.find((r) => r.url === "https://api.segment.io/v1/m").failed, "it never got out");
    } finally {
      await context.close();
    }
  });
});

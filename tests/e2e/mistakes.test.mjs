// A newcomer's mistakes, made in Chromium with real analytics.js (issue #15): a writeKey no source
// has, a page whose analytics.js misses the basePath, an origin the source does not allow, and a
// snippet pointed at another prefix than the assets'. Whatever the mistake, the browser makes no
// request to a Segment host (an analytics.js that cannot load its settings reports the failure to
// api.segment.io; the 30-second metrics flush is run too), and what a person reads in the network
// panel names the fix.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { launchChromium, recordRequests, root, SEGMENT_HOST, startStatic, waitFor, within } from "./harness.mjs";
import { PREFIX, startEdge } from "./fixture.mjs";
import { buildSite } from "./pages.mjs";

const site = join(root, "build/e2e/site-mistakes");
let edge, stat, browser;

before(async () => {
  await buildSite(site);
  stat = await startStatic(site);
  edge = await startEdge({
    site,
    sources: (destinations, workerOrigin) => [
      { writeKey: "wk_site", allowedOrigins: [stat.url], destinations },
      { writeKey: "wk_own_origin_only", allowedOrigins: [workerOrigin], destinations },
    ],
  });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await edge?.stop();
  await stat?.close();
});

// Opens a page of the cross-origin test site; `ready` waits for analytics.js to boot.
async function open({ form, writeKey, cdn, ready = true }) {
  const context = await browser.newContext();
  const requests = recordRequests(context);
  await context.clock.install();
  const page = await context.newPage();
  const responses = [];
  page.on("response", (r) => responses.push(r));
  await page.goto(`${stat.url}/${form}.html?writeKey=${writeKey}&cdn=${encodeURIComponent(cdn)}`);
  if (ready) await within(15_000, "analytics.js ready", page.evaluate(() => new Promise((ok) => window.analytics.ready(() => ok()))));
  return { context, page, requests, responses };
}

// Fires a track without waiting on it (a refused event may be retried), then waits for its reply.
async function trackAndReply(page, responses, path) {
  await page.evaluate(() => { window.analytics.track("Mistake Event", { n: 1 }); });
  await waitFor(() => responses.find((r) => r.request().method() === "POST" && new URL(r.url()).pathname === path), { what: `the reply to POST ${path}`, timeoutMs: 15_000 });
  return responses.find((r) => r.request().method() === "POST" && new URL(r.url()).pathname === path);
}

// No request to Segment, the 30-second metrics flush included.
async function assertNoSegment(page, requests) {
  await page.clock.fastForward(31_000);
  await page.waitForTimeout(500);
  const toSegment = requests.filter((r) => SEGMENT_HOST.test(new URL(r.url).hostname)).map((r) => `${r.method} ${r.url}`);
  assert.deepEqual(toSegment, []);
}

const settingsOf = (responses) => responses.find((r) => /\/projects\/[^/]+\/settings$/.test(new URL(r.url()).pathname));

describe("a newcomer's mistakes: no Segment contact, and a reply that names the fix", () => {
  for (const form of ["snippet", "npm"]) {
    test(`a writeKey no source has (${form}): analytics.js boots from this Worker, its events get a 401 saying why`, { timeout: 60_000 }, async () => {
      const { context, page, requests, responses } = await open({ form, writeKey: "wk_typo_123", cdn: edge.cdn });
      try {
        const settings = settingsOf(responses);
        assert.equal(settings.status(), 200);
        const doc = await settings.json();
        assert.equal(doc.ajsEdge.problem.code, "unknown_write_key");
        assert.equal(doc.ajsEdge.problem.setting, "sources[].writeKey");
        const res = await trackAndReply(page, responses, `${PREFIX}/v1/t`);
        assert.equal(res.status(), 401);
        const body = await res.json();
        assert.equal(body.message, 'unknown writeKey "wk_typ…": no source in the configuration (AJS_EDGE_CONFIG) has it');
        assert.deepEqual([body.setting, body.docs], ["sources[].writeKey", "README.md: Configuration"]);
        assert.equal(res.headers()["access-control-allow-origin"], stat.url, "the page's origin may read why");
        await assertNoSegment(page, requests);
      } finally {
        await context.close();
      }
    });
  }

  test("a page whose analytics.js misses the basePath: its settings are served anyway, and its events arrive", { timeout: 60_000 }, async () => {
    edge.reset();
    const { context, page, requests, responses } = await open({ form: "npm", writeKey: "wk_site", cdn: edge.tap.url });
    try {
      const settings = settingsOf(responses);
      assert.equal(new URL(settings.url()).pathname, "/v1/projects/wk_site/settings"); // outside basePath
      assert.equal(settings.status(), 200);
      const doc = await settings.json();
      assert.equal(doc.integrations["Segment.io"].apiHost, `${new URL(edge.tap.url).host}${PREFIX}/v1`);
      assert.equal(doc.ajsEdge.problem.code, "settings_path");
      assert.equal(doc.ajsEdge.problem.setting, "basePath");
      const res = await trackAndReply(page, responses, `${PREFIX}/v1/t`);
      assert.equal(res.status(), 200);
      await edge.until([0, 1, 1], "the track"); // an anonymous track: not for Gist (it needs a user or an email)
      await assertNoSegment(page, requests);
    } finally {
      await context.close();
    }
  });

  test("an origin the source does not allow: settings served, the events refused (403), nothing to Segment", { timeout: 60_000 }, async () => {
    edge.reset();
    const { context, page, requests, responses } = await open({ form: "npm", writeKey: "wk_own_origin_only", cdn: edge.cdn });
    try {
      assert.equal(settingsOf(responses).status(), 200);
      const from = edge.worker.lines.length;
      await page.evaluate(() => { window.analytics.track("Mistake Event", { n: 1 }); });
      // The browser hides the refused reply from the page (a CORS error); the Worker's log line says why.
      await waitFor(() => edge.tap.seen.find((e) => e.method === "POST" && e.path === `${PREFIX}/v1/t` && e.status === 403), { what: "the 403", timeoutMs: 15_000 });
      const refused = edge.tap.seen.find((e) => e.method === "POST" && e.path === `${PREFIX}/v1/t` && e.status === 403);
      assert.equal(refused.responseHeaders["access-control-allow-origin"], undefined);
      await waitFor(() => edge.worker.logs(from).find((l) => l.at === "ingest" && l.status === 403), { what: "the refusal's log line", timeoutMs: 15_000 });
      const line = edge.worker.logs(from).find((l) => l.at === "ingest" && l.status === 403);
      assert.equal(line.message, `origin "${stat.url}" is not allowed for writeKey "wk_own…": add it to the source's allowedOrigins`);
      assert.deepEqual([line.setting, line.docs, line.origin], ["sources[1].allowedOrigins", "README.md: Configuration", stat.url]);
      await assertNoSegment(page, requests);
      assert.deepEqual([edge.fakes.gist.requests.length, edge.fakes.gainsight.received.length, edge.fakes.px.received.length], [0, 0, 0]);
    } finally {
      await context.close();
    }
  });

  test("a snippet pointed at another prefix than the assets': a 404 as JavaScript that says what to change, nothing loads", { timeout: 60_000 }, async () => {
    const { context, page, requests, responses } = await open({ form: "snippet", writeKey: "wk_site", cdn: edge.tap.url, ready: false });
    try {
      await waitFor(() => responses.find((r) => r.url().endsWith("/analytics.min.js")), { what: "the script's reply", timeoutMs: 15_000 });
      const script = responses.find((r) => r.url().endsWith("/analytics.min.js"));
      assert.equal(new URL(script.url()).pathname, "/analytics.js/v1/wk_site/analytics.min.js");
      assert.equal(script.status(), 404);
      assert.match(script.headers()["content-type"], /^text\/javascript/); // not ERR_BLOCKED_BY_ORB
      // What the network panel shows as its response (read again here: the browser keeps no body of a failed script).
      const text = await (await fetch(script.url())).text();
      assert.match(text, /ajs-edge: no analytics\.js at \/analytics\.js\/v1\/wk_site\/analytics\.min\.js\. .*AJS_ASSETS_PREFIX/);
      await assertNoSegment(page, requests);
    } finally {
      await context.close();
    }
  });
});

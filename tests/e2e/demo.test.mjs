// The demo as `bash scripts/dev.sh` runs it: no configuration, the real wrangler.toml and the assets
// scripts/build-assets.mjs lays out (dist/assets). A person opens /demo/, clicks identify, track, group and page,
// and sees the Gist, Gainsight and PX calls the Worker planned (and did not send). Screenshot:
// build/e2e/demo.png.
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { interceptSegment, launchChromium, recordRequests, root, SEGMENT_HOST, startWrangler, waitFor } from "./harness.mjs";

let worker, browser;

before(async () => {
  worker = await startWrangler();
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await worker?.stop();
});

test("the demo page: clicks in analytics.js become planned Gist, Gainsight and PX calls, shown live", { timeout: 90_000 }, async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
  const requests = recordRequests(context);
  const intercepted = await interceptSegment(context);
  await context.clock.install();
  const page = await context.newPage();
  try {
    await page.goto(`${worker.url}/demo/`);
    await page.locator("#status.ok").waitFor({ timeout: 15_000 });
    assert.match(await page.locator("#status").textContent(), /^analytics\.js 1\.84\.3 loaded from http:\/\/127\.0\.0\.1:\d+; /);

    // Each click, then its planned calls on the page (the list polls GET /demo/calls every second).
    const shown = () => page.locator("#calls > li").count();
    const clicks = [["identify", 4], ["track", 4], ["group", 4], ["page", 3]]; // capture + Gist + Gainsight (+ PX)
    let total = 0;
    for (const [button, calls] of clicks) {
      await page.click(`#${button}`);
      total += calls;
      await waitFor(async () => (await shown()) === total, { timeoutMs: 10_000, what: `${total} planned calls after ${button}` });
    }
    await page.waitForTimeout(1200); // one more poll: nothing else appears
    assert.equal(await shown(), total);

    // The list is the Worker's record of planned calls, newest first.
    const listed = await page.$$eval("#calls > li", (items) => items.map((li) => [li.querySelector(".badge").textContent, li.querySelector("code").textContent]));
    const api = await (await fetch(`${worker.url}/demo/calls`)).json();
    assert.equal(api.calls.length, total);
    const label = { gist: "Gist", gainsight: "Gainsight", gainsightPx: "Gainsight PX", capture: "Capture" };
    assert.deepEqual(listed, api.calls.map((c) => [label[c.destination], `${c.method} ${c.url}`]).reverse());
    const gist = api.calls.filter((c) => c.destination === "gist").map((c) => [c.url, c.body]);
    assert.deepEqual(gist.map(([url]) => url), ["https://api.getgist.com/contacts", "https://api.getgist.com/events", "https://api.getgist.com/contacts", "https://api.getgist.com/events"]);
    assert.deepEqual(gist[0][1], {
      user_id: "u_ada", email: "ada@example.com", name: "Ada Lovelace", last_seen_ip: "127.0.0.1",
      last_seen_user_agent: await page.evaluate(() => navigator.userAgent),
    });
    assert.equal(gist[1][1].event_name, "Report Exported");
    assert.deepEqual(gist[2][1], { user_id: "u_ada", custom_properties: { company_id: "acme", company_name: "Acme Inc", company_plan: "enterprise" } });
    assert.equal(gist[3][1].event_name, "Viewed Pricing Page");
    const gainsight = api.calls.filter((c) => c.destination === "gainsight");
    assert.deepEqual(gainsight.map((c) => [c.url, c.body.type, c.headers.accessKey]),
      ["identify", "track", "group"].map((t) => ["https://event.gainsight.com/clickstream/segmentio/event", t, "<secret DEMO_GAINSIGHT_ACCESS_KEY>"]));
    const px = api.calls.filter((c) => c.destination === "gainsightPx");
    assert.deepEqual(px.map((c) => [c.url, c.body.type]),
      ["identify", "track", "group", "page"].map((t) => ["https://segment-esp.aptrinsic.com/rte/segmentio/v1/push", t]));

    // First party: every request went to the Worker, none to Segment, none after 31 s of page time.
    const origin = new URL(worker.url).origin;
    const check = () => {
      for (const r of [...requests, ...intercepted]) {
        assert.ok(!SEGMENT_HOST.test(new URL(r.url).hostname), `request to Segment: ${r.url}`);
        assert.equal(new URL(r.url).origin, origin, `request elsewhere: ${r.url}`);
      }
    };
    check();
    assert.ok(requests.some((r) => r.url === `${origin}/analytics.js/v1/demo-write-key/analytics.min.js`));
    assert.ok(requests.some((r) => r.url === `${origin}/v1/projects/demo-write-key/settings`));
    await page.clock.fastForward(31_000);
    await page.waitForTimeout(300);
    check();
    assert.deepEqual(requests.filter((r) => /\/v1\/m$/.test(r.url)), [], "no metrics flush");

    const dir = join(root, "build/e2e");
    mkdirSync(dir, { recursive: true });
    await page.screenshot({ path: join(dir, "demo.png"), fullPage: false });
  } finally {
    await context.close();
  }
});

// Runs after the demo test, so well past the moment (about 10 s after "Ready") when wrangler 4
// re-ran a [build] command and restarted the Worker under the first requests (issue #12).
test("wrangler dev started once: one Ready, no rebuild, no restart", async () => {
  const text = worker.lines.join("\n");
  assert.equal(worker.lines.filter((l) => /Ready on http:\/\//.test(l)).length, 1, text.slice(-2000));
  assert.doesNotMatch(text, /restarting build|Reloading local server|worker restarted/i);
  assert.equal((await fetch(`${worker.url}/v1/projects/demo-write-key/settings`)).status, 200);
});

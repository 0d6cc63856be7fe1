// The operator console (site/console/, served at {prefix}/console/) in Chromium, used as a person
// would, against the Worker under `wrangler dev` (real Miniflare queues and Durable Objects) and the
// strict fakes. Gainsight refuses two events for good (400), so they become dead letters; in the
// console a wrong token is a visible 401, the right one shows the dead letters with their reason,
// a dead letter's detail shows its body pretty-printed, Replay (once the fake accepts again)
// delivers it exactly once and Discard drops the other, each confirmed and gone from the list; the
// chart of each destination has its `sent` (and the refusals); a track sent while the page is open
// appears in the live view under its source. Screenshots: build/screenshots/console*.png.
import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { after, before, test } from "node:test";
import { Planner } from "../../host-shims/browser/planner.mjs";
import { launchChromium, recordRequests, root, waitFor, within } from "./harness.mjs";
import { basic, PREFIX, startEdge } from "./fixture.mjs";

const ADMIN_TOKEN = "console-admin-token-2f7a";
const WRITE_KEY = "wk_console";
const screenshots = join(root, "build/screenshots");
let edge, browser, sourceId;

before(async () => {
  mkdirSync(screenshots, { recursive: true });
  edge = await startEdge({
    vars: { ADMIN_TOKEN },
    sources: (destinations, workerOrigin) => [{ name: "Console shop", writeKey: WRITE_KEY, allowedOrigins: [workerOrigin], destinations }],
  });
  browser = await launchChromium();
  // The source's id, as the core names it (what the live view files requests under).
  const document = await admin("GET", "/admin/config/document");
  const planner = await Planner.load(readFileSync(join(root, "build/wasm/ajs_edge_emscripten.wasm")));
  sourceId = planner.configure(document.text).sources.find((s) => s.writeKey === WRITE_KEY).id;
});

after(async () => {
  await browser?.close();
  await edge?.stop();
});

async function admin(method, path, body) {
  const res = await fetch(`${edge.tap.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(body ? { "content-type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  assert.equal(res.status, 200, `${method} ${path}`);
  return res.json();
}

// A server library's call (analytics-node's form: one message at /v1/<type>).
async function send(type, message) {
  const res = await fetch(`${edge.tap.url}${PREFIX}/v1/${type}`, {
    method: "POST",
    headers: { authorization: basic(WRITE_KEY), "content-type": "application/json" },
    body: JSON.stringify(message),
  });
  assert.equal(res.status, 200, `${type}: ${await res.text()}`);
}

const gainsightGot = (messageId) => edge.fakes.gainsight.received.filter((r) => r.body.messageId === messageId).length;
const quiet = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

test("the console: sign in, dead letters replayed and discarded, counters charted, events live", { timeout: 150_000 }, async () => {
  // Gainsight refuses two tracks for good: two dead letters (Gist and PX take them).
  await send("identify", { userId: "u1", traits: { email: "u1@example.com" }, messageId: "id-1" });
  await edge.until([1, 1, 1], "the identify");
  edge.fakes.gainsight.failNext(400, { count: 2 });
  await send("track", { userId: "u1", event: "Bad A", properties: { plan: "pro", seats: 3 }, messageId: "dl-a" });
  await send("track", { userId: "u1", event: "Bad B", messageId: "dl-b" });
  await edge.until([3, 3, 3], "the two tracks");
  await waitFor(async () => (await admin("GET", "/admin/dead-letters")).total === 2, { timeoutMs: 15_000, intervalMs: 200, what: "two dead letters" });

  const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
  const requests = recordRequests(context);
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  const dialogs = [];
  page.on("dialog", (d) => {
    dialogs.push(d.message());
    d.accept();
  });
  try {
    await page.goto(`${edge.tap.url}${PREFIX}/console/`);

    // A wrong token: refused, said so, nothing kept.
    await page.getByLabel("Admin token").fill("not-the-token");
    await page.getByRole("button", { name: "Open the console" }).click();
    const refused = page.locator("#sign-in-error");
    await within(10_000, "the 401", refused.waitFor());
    assert.equal(await refused.innerText(), "401 Unauthorized: the Worker refused this admin token. Enter its ADMIN_TOKEN secret.");
    assert.equal(await page.locator("#console").isHidden(), true);
    assert.equal(await page.evaluate(() => sessionStorage.length), 0);

    await page.getByLabel("Admin token").fill(ADMIN_TOKEN);
    await page.getByRole("button", { name: "Open the console" }).click();
    await within(10_000, "the console", page.locator("#console").waitFor());
    assert.deepEqual(await page.evaluate(() => [sessionStorage.getItem("ajs-edge.console.adminToken"), localStorage.length, document.cookie]), [ADMIN_TOKEN, 0, ""]);

    // The delivery at a glance.
    assert.equal(await page.locator("#overview").innerText(),
      "Delivery\nqueue (durable: a 200 means the calls are queued)\nDedup ledger\non (DELIVERY_LEDGER)\nCounters\nkept by the Worker (DELIVERY_OPS)\nDead letters\n2");

    // The dead letters, oldest first, with their reason.
    const rows = page.locator("#dead-letter-rows tr[data-id]");
    await waitFor(async () => (await rows.count()) === 2, { timeoutMs: 10_000, what: "two dead letter rows" });
    const cells = await rows.evaluateAll((trs) => trs.map((tr) => [...tr.cells].slice(0, 5).map((td) => td.innerText.trim())));
    assert.deepEqual(cells.map(([destination, reason, , ids, calls]) => [destination, reason.split("\n")[0], ids, calls]), [
      ["gainsight", "permanent 400", "dl-a", "1"],
      ["gainsight", "permanent 400", "dl-b", "1"],
    ]);
    assert.equal(await page.locator("#dead-letter-count").innerText(), "2");

    // The first one's detail: its body as Gainsight would get it, pretty-printed.
    const first = rows.filter({ hasText: "dl-a" });
    await first.getByRole("button", { name: /^Details of the gainsight dead letter/ }).click();
    const detail = page.locator("#dead-letter-detail");
    await within(10_000, "the detail", detail.waitFor());
    assert.match(await detail.locator("h3").innerText(), /^Dead letter: gainsight, permanent$/);
    const body = await detail.locator("pre.body").innerText();
    assert.ok(body.includes('\n  "event": "Bad A",\n'), body);
    assert.deepEqual([JSON.parse(body).messageId, JSON.parse(body).properties], ["dl-a", { plan: "pro", seats: 3 }]);
    assert.match(await detail.locator(".call-head").innerText(), new RegExp(`^POST\\s+${edge.fakes.gainsight.url}/clickstream/segmentio/event$`));
    await page.screenshot({ path: join(screenshots, "console-dead-letter.png"), fullPage: true });

    // Replay it (the fake accepts again): delivered exactly once, and gone from the list.
    assert.equal(gainsightGot("dl-a"), 0);
    await first.getByRole("button", { name: /^Replay the gainsight dead letter/ }).click();
    await waitFor(() => gainsightGot("dl-a") === 1, { timeoutMs: 20_000, intervalMs: 100, what: "the replayed call at Gainsight" });
    await waitFor(async () => (await rows.count()) === 1, { timeoutMs: 10_000, what: "one row left" });
    assert.equal(await page.locator("#dead-letter-status").innerText(), "Replayed: queued again for gainsight.");
    assert.equal(await detail.isHidden(), true);
    assert.deepEqual(dialogs, ["Replay the gainsight dead letter (1 call, permanent)? Its calls are queued for delivery again."]);

    // Discard the other: confirmed, gone, never sent.
    await rows.filter({ hasText: "dl-b" }).getByRole("button", { name: /^Discard the gainsight dead letter/ }).click();
    await waitFor(async () => (await rows.count()) === 0, { timeoutMs: 10_000, what: "no row left" });
    assert.equal(await page.locator("#dead-letter-rows").innerText(), "No dead letters.");
    assert.equal(dialogs[1], "Discard the gainsight dead letter (permanent)? Its calls will never be sent; this cannot be undone.");
    assert.equal((await admin("GET", "/admin/dead-letters")).total, 0);

    // The counters over time: a chart per destination, its lines' totals those of the hour.
    const totals = () => page.$$eval("figure.chart", (figures) => Object.fromEntries(figures.map((f) => [f.dataset.destination,
      Object.fromEntries([...f.querySelectorAll("g[data-counter]")].map((g) => [g.dataset.counter, Number(g.dataset.total)]))])));
    const want = { gist: { sent: 3 }, gainsight: { sent: 2, failed: 2, deadLettered: 2 }, gainsightPx: { sent: 3 } };
    await waitFor(async () => {
      await page.getByRole("button", { name: "Refresh now" }).click();
      await page.waitForTimeout(300);
      return isDeepStrictEqual(await totals(), want);
    }, { timeoutMs: 30_000, intervalMs: 500, what: `the charts' totals ${JSON.stringify(want)}` }).catch(async (e) => {
      throw new Error(`${e.message}; shown: ${JSON.stringify(await totals())}`);
    });
    const sent = page.locator('figure[data-destination="gist"] g[data-counter="sent"] circle');
    assert.ok((await sent.count()) >= 1);
    assert.equal(await sent.evaluateAll((cs) => cs.reduce((n, c) => n + Number(c.getAttribute("data-value")), 0)), 3);
    assert.match(await page.locator('figure[data-destination="gist"] svg > title').textContent(), /^gist, last 60 minutes: sent 3$/);
    // The day: the same totals, 10 minutes a point.
    await page.getByRole("button", { name: "24 hours" }).click();
    await waitFor(async () => (await page.locator('figure[data-destination="gist"] .per').innerText()) === "per 10 minutes", { timeoutMs: 10_000, what: "the 24 h charts" });
    assert.equal(await page.getByRole("button", { name: "24 hours" }).getAttribute("aria-pressed"), "true");
    assert.deepEqual(await totals(), want);
    await page.getByRole("button", { name: "60 minutes" }).click();

    // The live view: armed since the page opened; a track sent now appears under its source.
    const armed = await admin("GET", "/admin/live");
    assert.equal(armed.armed, true);
    assert.deepEqual(armed.sources, {}, "nothing recorded before the page armed it");
    await send("track", { userId: "u1", anonymousId: "anon-7", event: "Live Event", properties: { step: 2 }, messageId: "live-1" });
    const item = page.locator('.live-event[data-message-id="live-1"]');
    await within(15_000, "the track in the live view", item.waitFor());
    const section = page.locator(`.live-source[data-source="${sourceId}"]`);
    assert.equal(await section.locator("h3").innerText(), `Console shop ${sourceId}`);
    assert.equal(await section.locator(".live-request").count(), 1);
    assert.match(await section.locator(".live-head").innerText(), new RegExp(`^\\d\\d:\\d\\d:\\d\\d\\s+${PREFIX}/v1/track\\s+200\\s+1 accepted$`));
    assert.deepEqual(await item.locator(".event-line > *").allTextContents(), ["track", "Live Event", "user u1 · anonymous anon-7", "live-1"]);
    await item.locator("summary").click();
    assert.deepEqual(JSON.parse(await item.locator("pre.body").innerText()), { userId: "u1", anonymousId: "anon-7", event: "Live Event", properties: { step: 2 }, messageId: "live-1" });
    assert.match(await page.locator("#live-status").innerText(), /^Recording the requests each source accepts, until \d\d:\d\d/);
    await page.screenshot({ path: join(screenshots, "console-live.png"), fullPage: true });
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: join(screenshots, "console.png"), fullPage: false });

    // A reload keeps the tab's token: the console opens at once, the recorded track still listed.
    await page.reload();
    await within(10_000, "the console after a reload", page.locator('.live-event[data-message-id="live-1"]').waitFor());
    assert.equal(await page.locator("#sign-in").isHidden(), true);

    // The page asked this origin only: its files, and the admin endpoints at the root.
    const origin = new URL(edge.tap.url).origin;
    for (const r of requests) {
      const url = new URL(r.url);
      assert.equal(url.origin, origin, r.url);
      assert.ok(url.pathname.startsWith(`${PREFIX}/console/`) || url.pathname === `${PREFIX}/ajs-edge/core.wasm` || url.pathname.startsWith(`${PREFIX}/admin/`), r.url);
      assert.equal(r.failed, undefined, `${r.method} ${r.url} failed`);
    }
    assert.deepEqual(errors, []);
    await quiet(500);
    assert.equal(gainsightGot("dl-a"), 1, "the replayed call, once");
    assert.equal(gainsightGot("dl-b"), 0, "the discarded call, never");
  } finally {
    await context.close();
  }
});

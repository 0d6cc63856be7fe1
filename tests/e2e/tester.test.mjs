// The event tester (site/tester/, served at {prefix}/tester/) in Chromium, used as a person would:
// it plans in the page with the Worker's core, and what it shows — each call's method, URL,
// headers (secrets by binding name), pretty body, the reply and the notes — is exactly what the
// same core computes in Node for the same input. Editing an event sends nothing anywhere: the
// page's requests are its own files and, when asked, GET {prefix}/admin/config/document. The configuration
// can be the demo, pasted (a refused one names the field), or loaded from the Worker with the
// admin token (a wrong one is a visible 401). Opened from disk with no Worker, it plans as well.
import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { after, before, describe, test } from "node:test";
import { buildAssets } from "../../scripts/build-assets.mjs";
import { Planner } from "../../host-shims/browser/planner.mjs";
import { prettyJson } from "../../host-shims/browser/pretty_json.mjs";
import { launchChromium, recordRequests, root, within } from "./harness.mjs";
import { PREFIX, startEdge } from "./fixture.mjs";

const ADMIN_TOKEN = "tester-admin-token-5d1c";
const NOW = Date.parse("2026-03-04T05:06:07.890Z"); // the page's clock: receivedAt of every plan
const screenshots = join(root, "build/screenshots");
const fileAssets = join(root, "build/e2e/tester-file-assets"); // built with prefix "", opened as files
let edge, browser, planner;

before(async () => {
  mkdirSync(screenshots, { recursive: true });
  buildAssets({ out: fileAssets, prefix: "" });
  edge = await startEdge({
    vars: { ADMIN_TOKEN },
    sources: (destinations, workerOrigin) => [{ name: "Web shop", writeKey: "wk_tester", allowedOrigins: [workerOrigin], destinations }],
  });
  browser = await launchChromium();
  planner = await Planner.load(readFileSync(join(root, "build/wasm/ajs_edge_emscripten.wasm")));
});

after(async () => {
  await browser?.close();
  await edge?.stop();
});

// A fresh context on the page's fixed clock; every request it makes and every page error recorded.
async function open(url) {
  const context = await browser.newContext({ viewport: { width: 1440, height: 1000 } });
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  const requests = recordRequests(context);
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.clock.setFixedTime(NOW);
  await page.goto(url);
  await within(15_000, "the core in the page", page.waitForSelector("body[data-ready]"));
  return { context, page, requests, errors };
}

const text = (page, selector) => page.locator(selector).innerText();
const plans = (page) => page.evaluate(() => Number(document.getElementById("plan").dataset.plans ?? 0));

// Does `action`, then waits for the plan it causes to be on screen: one drawn since, from the text
// now in the event box (typing is debounced: a pause mid-typing draws a plan of part of it).
async function replanned(page, action) {
  const n = await plans(page);
  await action();
  await within(5_000, "the plan to be redrawn", page.waitForFunction((n) => {
    const plan = document.getElementById("plan");
    const event = /** @type {HTMLTextAreaElement} */ (document.getElementById("event"));
    return Number(plan.dataset.plans) > n && Number(plan.dataset.eventLength) === event.value.length;
  }, n));
}

// What the page shows: the reply, the notes, and each call as its card has it.
function shown(page) {
  return page.evaluate(() => ({
    status: document.querySelector("#reply .status-code")?.textContent,
    reply: document.querySelector("#reply .reply-body")?.textContent,
    request: document.querySelector("#reply .request code")?.textContent,
    problem: Object.fromEntries([...document.querySelectorAll("#problem dd")].map((dd) => [dd.dataset.field, dd.textContent])),
    notes: [...document.querySelectorAll(".note")].map((n) => [n.dataset.kind, n.dataset.destination, n.querySelector(".reason").textContent]),
    sections: [...document.querySelectorAll("section.destination")].map((s) => [s.dataset.destination, s.querySelector(".count").textContent]),
    calls: [...document.querySelectorAll(".call")].map((c) => ({
      destination: c.dataset.destination,
      method: c.querySelector(".method").textContent,
      url: c.querySelector(".url").textContent,
      headers: Object.fromEntries([...c.querySelectorAll(".headers tr")].map((tr) => [tr.cells[0].textContent, tr.cells[1].textContent])),
      body: c.querySelector("pre.body").textContent,
      messageId: c.querySelector(".message-id code").textContent,
    })),
  }));
}

// The same input planned in Node, as the page shows it: calls by destination in the source's order,
// bodies pretty. The page's seed is its own, so a message without a messageId gets another one
// there: `messageIds` maps Node's to the page's.
function expected(input, { config, writeKey, host, scheme, origin }, messageIds = new Map()) {
  const description = planner.configure(config);
  const result = planner.plan(input, { writeKey, host, scheme, origin, receivedAt: NOW, seed: "5eed5eed5eed5eed" });
  const source = description.sources.find((s) => s.writeKey === writeKey);
  const swap = (s) => [...messageIds].reduce((t, [from, to]) => t.replaceAll(from, to), s);
  const order = source.destinations.map((d) => d.key);
  const calls = order.flatMap((key) => result.calls.filter((c) => c.destination === key)).map((c) => ({
    destination: c.destination,
    method: c.method,
    url: c.url,
    headers: c.headers,
    body: prettyJson(swap(c.body)),
    messageId: swap(c.messageId),
  }));
  return { result, calls, order };
}

// Node's generated messageIds → the page's, matched call by call (same count, same order).
function messageIdMap(nodeCalls, pageCalls) {
  assert.equal(pageCalls.length, nodeCalls.length);
  return new Map(nodeCalls.map((c, i) => [c.messageId, pageCalls[i].messageId]));
}

const ownFiles = (url) => new URL(url).pathname.startsWith(`${PREFIX}/tester/`) || new URL(url).pathname === `${PREFIX}/ajs-edge/core.wasm`;

describe("the event tester, served by the Worker", () => {
  test("the demo config: a preset and a typed event show exactly the calls the core plans, and editing sends nothing", { timeout: 60_000 }, async () => {
    const tapFrom = edge.tap.seen.length;
    const url = `${edge.tap.url}${PREFIX}/tester/`;
    const { context, page, requests, errors } = await open(url);
    const where = { config: "", writeKey: "demo-write-key", host: new URL(edge.tap.url).host, scheme: "http", origin: edge.tap.url };
    try {
      assert.equal(await text(page, "#core-status"), "Core loaded: plans are computed in this page.");
      assert.equal(await page.locator('input[name="config-mode"][value="demo"]').isChecked(), true);
      assert.equal(await text(page, "#config-status"), "The built-in demo configuration: 1 source.");
      assert.deepEqual(await page.locator(".source").allInnerTexts(), ["Built-in demo source\nwriteKey demo-write-key\nCapture\nGist\nGainsight\nGainsight Px Cloud (Actions)"]);
      assert.equal(await page.locator("#origin").inputValue(), edge.tap.url);

      // A preset: identify, as analytics.js sends one (no messageId: the core makes it).
      await replanned(page, () => page.getByRole("button", { name: "identify", exact: true }).click());
      const preset = JSON.parse(await page.locator("#event").inputValue());
      assert.equal(preset.type, "identify");
      assert.equal(preset.timestamp, new Date(NOW).toISOString());
      let view = await shown(page);
      let want = expected(preset, where);
      want = expected(preset, where, messageIdMap(want.calls, view.calls));
      assert.deepEqual(view.calls, want.calls);
      assert.deepEqual([view.status, view.reply, view.request], ["200", '{"success":true}', `POST http://${where.host}/v1/identify`]);
      assert.deepEqual(view.sections, [["capture", "1 call"], ["gist", "1 call"], ["gainsight", "1 call"], ["gainsightPx", "1 call"]]);
      assert.deepEqual(view.notes, []);

      // Mid-typing, the box is not JSON: a message saying where, no plan, no error in the page.
      await page.locator("#event").fill("");
      await replanned(page, () => page.locator("#event").pressSequentially('{"type": "track",'));
      assert.equal(await text(page, "#event-status"),
        "Not valid JSON: Expected double-quoted property name in JSON at position 17 (line 1 column 18). Nothing is planned until it is.");
      assert.equal(await page.locator(".call").count(), 0);
      assert.match(await text(page, "#plan"), /^Not valid JSON: /);

      // A typed event: a track with its own messageId, so the page and Node agree byte for byte.
      const typed = '{"type": "track", "event": "Plan Upgraded", "userId": "u_typed", "messageId": "typed-1", ' +
        '"timestamp": "2026-03-04T05:06:00.000Z", "sentAt": "2026-03-04T05:06:05.000Z", "properties": {"plan": "team", "seats": 5}}';
      await page.locator("#event").fill("");
      await replanned(page, () => page.locator("#event").pressSequentially(typed));
      assert.equal(await page.locator("#event-status").isHidden(), true);
      view = await shown(page);
      want = expected(JSON.parse(typed), where);
      assert.deepEqual(view.calls, want.calls);
      assert.deepEqual(view.calls.map((c) => [c.destination, c.method, c.url, c.headers]), [
        ["capture", "POST", "capture:log", { "content-type": "application/json" }],
        ["gist", "POST", "https://api.getgist.com/events", { authorization: "<secret DEMO_GIST_API_KEY>", "content-type": "application/json", accept: "application/json" }],
        ["gainsight", "POST", "https://event.gainsight.com/clickstream/segmentio/event", { accessKey: "<secret DEMO_GAINSIGHT_ACCESS_KEY>", "Content-Type": "application/json", "User-Agent": "Segment.io/1.0" }],
        ["gainsightPx", "POST", "https://segment-esp.aptrinsic.com/rte/segmentio/v1/push", { Authorization: "<secret DEMO_GAINSIGHT_PX_API_KEY>", "Content-Type": "application/json", "User-Agent": "Segment (Actions)" }],
      ]);
      // The Worker's normalization, in the body shown: receivedAt (the page's clock), the client's
      // timestamp kept, timestamp corrected by the clock skew (sentAt − timestamp = 5 s).
      const gainsight = JSON.parse(view.calls[2].body);
      assert.deepEqual([gainsight.receivedAt, gainsight.originalTimestamp, gainsight.timestamp, gainsight.sentAt, gainsight.channel, gainsight.version],
        ["2026-03-04T05:06:07.890Z", "2026-03-04T05:06:00.000Z", "2026-03-04T05:06:02.890Z", "2026-03-04T05:06:05.000Z", "server", 2]);
      assert.equal(view.calls[1].body, '{\n  "event_name": "Plan Upgraded",\n  "user_id": "u_typed",\n  "occurred_at": 1772600762,\n  "properties": {\n    "plan": "team",\n    "seats": 5\n  }\n}');

      // The copy button copies the body exactly as the Worker sends it (not the pretty form).
      await page.locator(".call.gist button.copy").click();
      assert.equal(await page.evaluate(() => navigator.clipboard.readText()), want.result.calls.find((c) => c.destination === "gist").body);
      assert.equal(await page.locator(".call.gist button.copy").innerText(), "Copied");

      // A message the Worker drops for Gist, and one it refuses: the notes and the problem shown.
      await replanned(page, () => page.locator("#event").fill('{"type": "track", "event": "Anonymous", "anonymousId": "a-1", "messageId": "typed-2"}'));
      view = await shown(page);
      assert.deepEqual(view.notes, [["dropped", "gist", "gist.user_id_or_email_required"]]);
      assert.deepEqual(view.sections, [["capture", "1 call"], ["gist", "no call"], ["gainsight", "1 call"], ["gainsightPx", "1 call"]]);
      await replanned(page, () => page.locator("#origin").fill(""));
      await replanned(page, () => page.locator("#event").fill(JSON.stringify({ type: "track", event: "Big", userId: "u", properties: { blob: "x".repeat(40_000) } })));
      view = await shown(page);
      assert.deepEqual([view.status, view.calls, view.problem], ["400", [], {
        code: "invalid_request", message: "message exceeds the 32 KB limit", docs: "README.md: What it accepts (Segment's tracking API)",
      }]);
      assert.equal(await text(page, "#problem h3"), "Refused");

      await replanned(page, () => page.getByRole("button", { name: "track", exact: true }).click());
      await page.screenshot({ path: join(screenshots, "tester.png"), fullPage: true });
      assert.deepEqual(errors, []);

      // Every request: the page's own files, from the Worker's assets; nothing to /v1, nothing else.
      const asked = requests.map((r) => `${r.method} ${r.url}`);
      assert.ok(requests.every((r) => r.method === "GET" && ownFiles(r.url) && !r.failed), asked.join("\n"));
      assert.deepEqual(new Set(requests.map((r) => new URL(r.url).pathname)),
        new Set([`${PREFIX}/tester/`, `${PREFIX}/tester/tester.css`, `${PREFIX}/tester/tester.js`, `${PREFIX}/ajs-edge/core.wasm`]));
      const reached = edge.tap.seen.slice(tapFrom);
      assert.ok(reached.every((e) => e.method === "GET" && ownFiles(`${edge.tap.url}${e.path}`)), reached.map((e) => `${e.method} ${e.path}`).join("\n"));
    } finally {
      await context.close();
    }
  });

  test("load from this Worker: a wrong admin token is a visible 401; the right one lists its source and plans with it", { timeout: 60_000 }, async () => {
    const tapFrom = edge.tap.seen.length;
    const { context, page, requests, errors } = await open(`${edge.tap.url}${PREFIX}/tester/`);
    try {
      await page.getByLabel("Load from this Worker").check();
      assert.equal(await text(page, "#config-status"), "Enter the Worker's admin token and load its configuration.");
      await page.getByLabel("Admin token").fill("not-the-token");
      await page.getByRole("button", { name: "Load" }).click();
      const status = page.locator("#config-status.error");
      await within(5_000, "the 401", status.waitFor());
      assert.equal(await status.innerText(), "401 Unauthorized: the Worker refused this admin token. Check its ADMIN_TOKEN secret.");
      assert.equal(await text(page, "#sources"), "No configuration, no source.");
      assert.equal(await text(page, "#plan"), "No configuration to plan with: choose or fix one on the left.");
      assert.equal(await page.evaluate(() => sessionStorage.length), 0);

      await page.getByLabel("Admin token").fill(ADMIN_TOKEN);
      await replanned(page, () => page.getByRole("button", { name: "Load" }).click());
      assert.equal(await text(page, "#config-status"), "This Worker's configuration: 1 source.");
      assert.deepEqual(await page.locator(".source").allInnerTexts(), ["Web shop\nwriteKey wk_tester\nGist\nGainsight\nGainsight Px Cloud (Actions)"]);
      // The token is kept for this tab only.
      assert.deepEqual(await page.evaluate(() => [sessionStorage.getItem("ajs-edge.tester.adminToken"), localStorage.length, document.cookie]), [ADMIN_TOKEN, 0, ""]);

      // The plan is the Worker's: its source, its endpoints (the fakes), its secrets by name.
      const document = await (await fetch(`${edge.tap.url}${PREFIX}/admin/config/document`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).json();
      const input = JSON.parse(await page.locator("#event").inputValue());
      const view = await shown(page);
      const where = { config: document.text, writeKey: "wk_tester", host: new URL(edge.tap.url).host, scheme: "http", origin: edge.tap.url };
      let want = expected(input, where);
      want = expected(input, where, messageIdMap(want.calls, view.calls));
      assert.deepEqual(view.calls, want.calls);
      assert.deepEqual(view.calls.map((c) => [c.destination, c.url, Object.values(c.headers).find((v) => v.startsWith("<secret"))]), [
        ["gist", `${edge.fakes.gist.url}/events`, "<secret GIST_API_KEY>"],
        ["gainsight", `${edge.fakes.gainsight.url}/clickstream/segmentio/event`, "<secret GAINSIGHT_ACCESS_KEY>"],
        ["gainsightPx", `${edge.fakes.px.url}/rte/segmentio/v1/push`, "<secret GAINSIGHT_PX_API_KEY>"],
      ]);
      assert.equal(view.request, `POST http://${where.host}${PREFIX}/v1/track`);
      await page.screenshot({ path: join(screenshots, "tester-worker.png"), fullPage: true });

      // A reload finds the token, and choosing the Worker loads its configuration with it.
      await page.reload();
      await page.waitForSelector("body[data-ready]");
      assert.equal(await page.getByLabel("Admin token").inputValue(), ADMIN_TOKEN);
      // Choosing the Worker first redraws the plan without a configuration (none is loaded yet),
      // then loads it with the kept token: wait for the load, not for the first redraw.
      await page.getByLabel("Load from this Worker").check();
      await within(5_000, "the Worker's configuration", page.locator("#config-status.ok").waitFor());
      assert.equal(await text(page, "#config-status"), "This Worker's configuration: 1 source.");
      assert.deepEqual(errors, []);
      // The Worker answered those loads and nothing else but the page's files.
      const reached = edge.tap.seen.slice(tapFrom).filter((e) => !ownFiles(`${edge.tap.url}${e.path}`));
      assert.deepEqual(reached.map((e) => [e.method, e.path, e.status, e.headers.authorization]), [
        ["GET", `${PREFIX}/admin/config/document`, 401, "Bearer not-the-token"],
        ["GET", `${PREFIX}/admin/config/document`, 200, `Bearer ${ADMIN_TOKEN}`],
        ["GET", `${PREFIX}/admin/config/document`, 200, `Bearer ${ADMIN_TOKEN}`], // the test's own fetch
        ["GET", `${PREFIX}/admin/config/document`, 200, `Bearer ${ADMIN_TOKEN}`], // after the reload
      ]);
      assert.ok(requests.every((r) => ownFiles(r.url) || new URL(r.url).pathname === `${PREFIX}/admin/config/document`), requests.map((r) => r.url).join("\n"));
    } finally {
      await context.close();
    }
  });

  test("a pasted configuration the Worker would refuse names the field; once fixed, its source plans", { timeout: 60_000 }, async () => {
    const { context, page, errors } = await open(`${edge.tap.url}${PREFIX}/tester/`);
    try {
      await page.getByLabel("Paste a configuration").check();
      assert.equal(await text(page, "#config-status"), "Paste a configuration: the JSON the Worker reads from AJS_EDGE_CONFIG.");
      const bad = '{"sources": [{"writeKey": "wk_pasted", "destinations": {"gist": {"apiKey": {"secret": "PASTED_GIST_KEY"}, "groups": "sometimes"}}}]}';
      await page.locator("#config-text").fill(bad);
      const status = page.locator("#config-status.error");
      await within(5_000, "the refusal", status.waitFor());
      let message;
      try {
        planner.configure(bad);
      } catch (e) {
        message = e.message;
      }
      assert.equal(message, 'sources[0].destinations.gist.groups: must be "off", "company" or "tag"');
      assert.equal(await status.innerText(), `The Worker would refuse this configuration: ${message}`);
      assert.equal(await text(page, "#plan"), "No configuration to plan with: choose or fix one on the left.");

      await replanned(page, () => page.locator("#config-text").fill(bad.replace("sometimes", "tag")));
      assert.equal(await text(page, "#config-status"), "The pasted configuration: 1 source.");
      assert.deepEqual(await page.locator(".source").allInnerTexts(), ["Source 1\nwriteKey wk_pasted\nGist"]);
      const view = await shown(page);
      assert.deepEqual(view.calls.map((c) => [c.destination, c.url, c.headers.authorization]), [["gist", "https://api.getgist.com/events", "<secret PASTED_GIST_KEY>"]]);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
});

test("opened from disk (file://, assets built with prefix \"\"), with no Worker, it plans in the page", { timeout: 60_000 }, async () => {
  const url = pathToFileURL(join(fileAssets, "tester/index.html")).href;
  const { context, page, requests, errors } = await open(url);
  try {
    assert.equal(await text(page, "#core-status"), "Core loaded from disk: plans are computed in this page.");
    assert.equal(await page.locator('input[name="config-mode"][value="worker"]').isDisabled(), true);
    assert.equal(await page.locator("#origin").inputValue(), "");
    const input = JSON.parse(await page.locator("#event").inputValue());
    const view = await shown(page);
    const where = { config: "", writeKey: "demo-write-key", host: "localhost", origin: "" };
    let want = expected(input, where);
    want = expected(input, where, messageIdMap(want.calls, view.calls));
    assert.deepEqual(view.calls, want.calls);
    assert.deepEqual(view.calls.map((c) => c.destination), ["capture", "gist", "gainsight", "gainsightPx"]);
    assert.equal(view.request, "POST https://localhost/v1/track");
    await page.screenshot({ path: join(screenshots, "tester-file.png"), fullPage: true });
    assert.deepEqual(errors, []);
    // Files only: the page, its script and style, and the core as a script (file:// cannot fetch).
    assert.deepEqual(requests.map((r) => [r.method, r.url.slice(pathToFileURL(fileAssets).href.length), r.failed]).sort(), [
      ["GET", "/ajs-edge/core.wasm.js", undefined],
      ["GET", "/tester/index.html", undefined],
      ["GET", "/tester/tester.css", undefined],
      ["GET", "/tester/tester.js", undefined],
    ]);
  } finally {
    await context.close();
  }
});

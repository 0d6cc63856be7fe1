// The analytics.js preview plugin (host-shims/browser/preview.mjs, served at
// {prefix}/ajs-edge/preview.js) in Chromium, with the real @segment/analytics-next bundled by a
// page as a site would, imported from the Worker and registered with analytics.register. For each
// call the console shows one collapsed group naming every planned Gist, Gainsight and PX call with
// its URL and body — exactly what the core plans in Node for the request analytics.js then sent —
// and warns, before the request, of a message the Worker refuses (over 32 KB) or drops for a
// destination (an anonymous track Gist cannot take). What analytics.js sends is byte-identical with
// and without the plugin (the page's clock fixed, ids given), and with a core that cannot load the
// plugin warns once and passes every event on.
import assert from "node:assert/strict";
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { bundle } from "../../scripts/build-assets.mjs";
import { Planner } from "../../host-shims/browser/planner.mjs";
import { describePlan } from "../../host-shims/browser/preview.mjs";
import { launchChromium, recordRequests, root, waitFor, within } from "./harness.mjs";
import { PREFIX, startEdge } from "./fixture.mjs";
import { bundlePage } from "./pages.mjs";

const ADMIN_TOKEN = "preview-admin-token-77e1";
const NOW = Date.parse("2026-03-04T05:06:07.890Z"); // the page's fixed clock
const site = join(root, "build/e2e/preview-site");
const screenshots = join(root, "build/screenshots");
let edge, browser, planner, configText;

// The test page: analytics-next from the npm package bundled by esbuild (as tests/e2e/pages.mjs
// does), the plugin imported at run time from the URL the fragment names. Everything the page
// reads is in the fragment, which analytics.js leaves out of context.page: the pages of two runs
// send the same bytes.
async function buildPreviewSite() {
  rmSync(site, { recursive: true, force: true });
  mkdirSync(join(site, "broken"), { recursive: true });
  writeFileSync(join(site, "preview.html"), `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>preview</title><link rel="icon" href="data:,">
<script type="module" src="preview/main.js"></script></head><body><h1>preview</h1></body></html>
`);
  await bundlePage(`import { AnalyticsBrowser } from "@segment/analytics-next";
const q = new URLSearchParams(location.hash.slice(1));
const analytics = AnalyticsBrowser.load({ writeKey: q.get("writeKey"), cdnURL: q.get("cdn") });
window.analytics = analytics;
window.previewRegistered = (async () => {
  const mode = q.get("preview");
  if (mode === "none") return;
  const module = await import(q.get("module"));
  const plugin = mode === "default" ? module.default : mode === "named" ? module.preview : module.createPreview({ adminToken: q.get("token") });
  await analytics.register(plugin);
})();
`, join(site, "preview"));
  // The plugin somewhere without core.wasm beside it: the core cannot load.
  mkdirSync(join(site, "broken"), { recursive: true });
  writeFileSync(join(site, "broken/preview.js"), bundle("host-shims/browser/preview.mjs", "esm"));
}

before(async () => {
  mkdirSync(screenshots, { recursive: true });
  await buildPreviewSite();
  edge = await startEdge({
    site,
    vars: { ADMIN_TOKEN },
    sources: (destinations, workerOrigin) => [
      { name: "Preview site", writeKey: "wk_preview", allowedOrigins: [workerOrigin], destinations },
      // The demo's writeKey, so that a page with the default plugin (the demo config) boots here.
      { name: "Demo key", writeKey: "demo-write-key", allowedOrigins: [workerOrigin], destinations },
    ],
  });
  browser = await launchChromium();
  planner = await Planner.load(readFileSync(join(root, "build/wasm/ajs_edge_emscripten.wasm")));
  const res = await fetch(`${edge.tap.url}/admin/config/document`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  configText = (await res.json()).text;
});

after(async () => {
  await browser?.close();
  await edge?.stop();
});

const PLUGIN = `${PREFIX}/ajs-edge/preview.js`;

// Opens the page in a fresh context on the fixed clock, makes the calls one by one (each resolves
// once analytics.js has sent it), and returns the console, what reached the Worker's /v1, and an
// ordered timeline of console messages and requests.
async function run({ preview, writeKey = "wk_preview", module = PLUGIN, calls }) {
  const context = await browser.newContext();
  const requests = recordRequests(context);
  const timeline = [];
  context.on("request", (r) => timeline.push({ request: `${r.method()} ${new URL(r.url()).pathname}`, body: r.postData() ?? "" }));
  const page = await context.newPage();
  const consoleMessages = [];
  const errors = [];
  page.on("console", (m) => {
    const entry = { type: m.type(), text: m.text() };
    consoleMessages.push(entry);
    timeline.push({ console: entry });
  });
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.clock.setFixedTime(NOW);
  const tapFrom = edge.tap.seen.length;
  const fragment = new URLSearchParams({ writeKey, cdn: edge.cdn, preview, module, token: ADMIN_TOKEN });
  try {
    await page.goto(`${edge.tap.url}/e2e/preview.html#${fragment}`);
    await within(15_000, "analytics.js ready, the plugin registered", page.evaluate(async () => {
      await window.previewRegistered;
      await new Promise((ok) => window.analytics.ready(() => ok()));
      await window.analytics.setAnonymousId("anon-preview");
    }));
    for (const [method, args] of calls) {
      await within(15_000, `analytics.${method}`, page.evaluate(async ([m, a]) => { await window.analytics[m](...a); }, [method, args]));
    }
    const posts = () => edge.tap.seen.slice(tapFrom).filter((e) => e.method === "POST" && e.path.startsWith(`${PREFIX}/v1/`) && e.status);
    await waitFor(() => posts().length >= calls.length, { timeoutMs: 15_000, what: `${calls.length} requests at the Worker` });
    assert.deepEqual(errors, []);
    const ours = consoleMessages.filter((m) => m.text.startsWith("ajs-edge preview:") || ["startGroupCollapsed", "endGroup"].includes(m.type) || timelineInGroup(consoleMessages, m));
    return { page, context, console: consoleMessages, ours, sent: posts(), requests, timeline };
  } catch (e) {
    await context.close();
    throw e;
  }
}

// A message inside one of the plugin's groups (the lines between its start and its end).
function timelineInGroup(messages, message) {
  let depth = 0;
  for (const m of messages) {
    if (m === message) return depth > 0;
    if (m.type === "startGroupCollapsed") depth++;
    if (m.type === "endGroup") depth--;
  }
  return false;
}

// The plugin's output as [{title, lines, warning}], one per event, in order.
function groups(messages) {
  const out = [];
  let current = null;
  for (const m of messages) {
    if (m.type === "startGroupCollapsed") current = { title: m.text, lines: [], warning: null };
    else if (m.type === "endGroup") out.push(current), (current = null);
    else if (current) current.lines.push(m.text);
    else if (m.type === "warning" && m.text.startsWith("ajs-edge preview:") && out.length > 0 && out.at(-1).warning === null) out.at(-1).warning = m.text;
  }
  return out;
}

// What the core plans, in Node, for each request analytics.js sent (under `config`, at the page's
// clock, from the page's origin), as the plugin prints it. The plugin posts to the config's
// basePath (a demo config's is "", the Worker's here is PREFIX).
function expectedGroups(sent, config) {
  const { basePath } = planner.configure(config);
  return sent.map((e) => {
    const request = { method: "POST", url: `https://${new URL(edge.tap.url).host}${basePath}${e.path.slice(PREFIX.length)}`, headers: { authorization: e.headers.authorization, origin: e.headers.origin, "content-type": e.headers["content-type"] }, body: e.body };
    const result = planner.planRequest(request, { receivedAt: NOW, seed: "5eed5eed5eed5eed" });
    return describePlan(JSON.parse(e.body), result);
  });
}

const CALLS = [
  ["track", ["Viewed Docs", { section: "api" }, { messageId: "m-1" }]], // anonymous: Gist cannot take it
  ["identify", ["u_ada", { email: "ada@example.com", name: "Ada Lovelace" }, { messageId: "m-2" }]],
  ["track", ["Signed Up", { plan: "pro", seats: 3 }, { messageId: "m-3" }]],
  ["track", ["Big Export", { blob: "x".repeat(40_000) }, { messageId: "m-4" }]], // over the 32 KB limit
  ["page", ["Docs", "Pricing", {}, { messageId: "m-5" }]],
  ["group", ["acme", { name: "Acme Inc" }, { messageId: "m-6" }]],
];

// What reached the Worker, byte for byte: path, status, the headers analytics.js sets, the body.
const wire = (sent) => sent.map((e) => [e.path, e.status, e.headers.authorization, e.headers["content-type"], e.headers.origin, e.body]);

describe("the preview plugin in Chromium with analytics.js", () => {
  let without;

  before(async () => {
    const r = await run({ preview: "none", calls: CALLS });
    without = r.sent;
    assert.deepEqual(r.ours, [], "no plugin, no output");
    await r.context.close();
  });

  test("a configured Worker (createPreview with the admin token): a group per event naming each planned call, warnings before refused and dropped events, and the same bytes sent", { timeout: 90_000 }, async () => {
    const r = await run({ preview: "token", calls: CALLS });
    try {
      const f = edge.fakes;
      assert.deepEqual(wire(r.sent), wire(without), "analytics.js sends the same bytes with the plugin");
      assert.deepEqual(r.sent.map((e) => [e.path, e.status]), [["/v1/t", 200], ["/v1/i", 200], ["/v1/t", 200], ["/v1/t", 400], ["/v1/p", 200], ["/v1/g", 200]].map(([p, s]) => [PREFIX + p, s]));

      const shown = groups(r.ours);
      assert.deepEqual(shown, expectedGroups(r.sent, configText), "the console is the core's plan of what analytics.js sent");
      assert.deepEqual(shown.map((g) => g.title), [
        'ajs-edge preview: track "Viewed Docs" → 2 calls',
        'ajs-edge preview: identify "u_ada" → 3 calls',
        'ajs-edge preview: track "Signed Up" → 3 calls',
        'ajs-edge preview: track "Big Export" → 0 calls (refused: 400)',
        'ajs-edge preview: page "Pricing" → 2 calls',
        'ajs-edge preview: group "acme" → 3 calls',
      ]);
      assert.deepEqual(shown[2].lines.map((l) => l.split("\n")[0]), [
        `gist: POST ${f.gist.url}/events`,
        `gainsight: POST ${f.gainsight.url}/clickstream/segmentio/event`,
        `gainsightPx: POST ${f.px.url}/rte/segmentio/v1/push`,
        'the Worker answers 200 {"success":true}',
      ]);
      assert.equal(shown[2].lines[0], `gist: POST ${f.gist.url}/events\n{\n  "event_name": "Signed Up",\n  "user_id": "u_ada",\n  "occurred_at": ${Math.floor(NOW / 1000)},\n  "properties": {\n    "plan": "pro",\n    "seats": 3\n  }\n}`);
      assert.deepEqual(shown[4].lines.slice(-2), ["skipped at gainsight: gainsight.unsupported_type", 'the Worker answers 200 {"success":true}']);
      assert.deepEqual(shown.map((g) => g.warning), [
        'ajs-edge preview: the Worker would not send it to gist: gist.user_id_or_email_required — track "Viewed Docs"',
        null,
        null,
        "ajs-edge preview: the Worker would refuse it: 400 invalid_request: message exceeds the 32 KB limit; see README.md: What it accepts (Segment's tracking API) — track \"Big Export\"",
        null,
        null,
      ]);
      assert.deepEqual(r.ours.filter((m) => m.type === "warning").length, 2);

      // The warning comes before analytics.js posts the event.
      const warned = r.timeline.findIndex((t) => t.console?.text.endsWith('track "Big Export"'));
      const posted = r.timeline.findIndex((t) => t.request === `POST ${PREFIX}/v1/t` && t.body.includes('"Big Export"'));
      assert.ok(warned >= 0 && posted > warned, `warning at ${warned}, request at ${posted}`);

      // The plugin's own requests: the module, the core (once), the config document (once).
      const own = r.requests.map((q) => `${q.method} ${new URL(q.url).pathname}`).filter((p) => p.includes("ajs-edge") || p.includes("admin"));
      assert.deepEqual(own, [`GET ${PLUGIN}`, `GET ${PREFIX}/ajs-edge/core.wasm`, "GET /admin/config/document"]);

      await consoleScreenshot(r.page, r.ours);
    } finally {
      await r.context.close();
    }
  });

  test("the default export (the built-in demo config) plans for the demo's writeKey: its destinations' URLs", { timeout: 60_000 }, async () => {
    const calls = [["track", ["Signed Up", { plan: "pro" }, { messageId: "d-1", userId: "u_demo" }]]];
    const r = await run({ preview: "default", writeKey: "demo-write-key", calls });
    try {
      const shown = groups(r.ours);
      assert.deepEqual(shown, expectedGroups(r.sent, ""));
      assert.deepEqual(shown.map((g) => [g.title, g.lines.map((l) => l.split("\n")[0]), g.warning]), [[
        'ajs-edge preview: track "Signed Up" → 4 calls',
        [
          "capture: POST capture:log",
          "gist: POST https://api.getgist.com/events",
          "gainsight: POST https://event.gainsight.com/clickstream/segmentio/event",
          "gainsightPx: POST https://segment-esp.aptrinsic.com/rte/segmentio/v1/push",
          'the Worker answers 200 {"success":true}',
        ],
        null,
      ]]);
      assert.equal(r.sent[0].status, 200);
    } finally {
      await r.context.close();
    }
  });

  test("a core that cannot load: one warning, then every event passes as without the plugin", { timeout: 60_000 }, async () => {
    const r = await run({ preview: "named", module: "/e2e/broken/preview.js", calls: CALLS });
    try {
      assert.deepEqual(wire(r.sent), wire(without));
      assert.deepEqual(r.ours, [{
        type: "warning",
        text: `ajs-edge preview: not planning events: ajs-edge: ${edge.tap.url}/e2e/broken/core.wasm answered 404. analytics.js sends them as usual.`,
      }]);
    } finally {
      await r.context.close();
    }
  });
});

// The console as DevTools would list it, drawn in a page: build/screenshots/preview-console.png.
async function consoleScreenshot(page, messages) {
  const rows = messages.map((m) => {
    const cls = m.type === "warning" ? "warn" : m.type === "startGroupCollapsed" ? "group" : m.type === "endGroup" ? "end" : "log";
    const lines = m.text.split("\n"); // long bodies cut to their first lines
    const text = lines.length > 12 ? `${lines.slice(0, 12).join("\n")}\n  …` : m.text;
    return `<div class="${cls}">${text.replace(/[&<>]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;" })[c])}</div>`;
  });
  await page.setViewportSize({ width: 1100, height: 900 });
  await page.setContent(`<!doctype html><style>
body { margin: 0; font: 12px/1.4 ui-monospace, monospace; background: #fff; color: #1d2330; }
div { padding: 3px 10px; border-bottom: 1px solid #eceff3; white-space: pre-wrap; word-break: break-all; }
.group { font-weight: 700; background: #f6f8fb; }
.group::before { content: "▾ "; }
.log { padding-left: 28px; }
.end { display: none; }
.warn { background: #fffbe5; color: #5c3c00; border-color: #fff0b3; }
.warn::before { content: "⚠ "; }
</style><body>${rows.join("")}</body>`);
  await page.screenshot({ path: join(screenshots, "preview-console.png"), fullPage: true });
}

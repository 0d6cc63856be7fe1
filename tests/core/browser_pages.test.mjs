// The logic of the browser pages, in Node: the event tester's presets, JSON errors, per-destination
// view and config loading (site/tester/_*.mjs), and the analytics.js preview plugin
// (host-shims/browser/preview.mjs): the body it plans is the one analytics-next's Segment.io plugin
// posts, its console text, and that it never changes or holds up an event. Chromium runs both in
// tests/e2e/tester.test.mjs and tests/e2e/preview.test.mjs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { Planner } from "../../host-shims/browser/planner.mjs";
import { prettyJson } from "../../host-shims/browser/pretty_json.mjs";
import { createPreview, describePlan, eventLabel, segmentioBody } from "../../host-shims/browser/preview.mjs";
import { loadConfigDocument } from "../../site/tester/_config_document.mjs";
import { PRESET_NAMES, presetEvent } from "../../site/tester/_event_presets.mjs";
import { callCount, parseEventText, planSections } from "../../site/tester/_plan_view.mjs";

const root = fileURLToPath(new URL("../../", import.meta.url));
const CORE = readFileSync(`${root}build/wasm/ajs_edge_emscripten.wasm`);
const require = createRequire(`${root}package.json`);
// analytics-next's own code for what its Segment.io plugin posts (the version package.json pins).
const { normalize } = require("@segment/analytics-next/dist/cjs/plugins/segmentio/normalize.js");
const { toFacade } = require("@segment/analytics-next/dist/cjs/lib/to-facade.js");

const NOW = new Date("2026-05-04T10:20:30.456Z");
const RECEIVED_AT = NOW.getTime();
const planner = await Planner.load(CORE);
const demo = planner.configure("");
const demoSource = demo.sources[0];
const planDemo = (input) => planner.plan(input, { writeKey: demoSource.writeKey, receivedAt: RECEIVED_AT, seed: "0123456789abcdef" });
const summary = (result) => ({
  status: result.status,
  calls: result.calls.map((c) => `${c.destination} ${c.method} ${c.url}`),
  notes: result.notes.map((n) => `${n.kind} ${n.destination} ${n.reason}`),
});

test("tester presets: each plans under the demo config to the calls a person expects", () => {
  const expected = {
    identify: { calls: ["gist POST https://api.getgist.com/contacts", "gainsight", "gainsightPx"], notes: [] },
    track: { calls: ["gist POST https://api.getgist.com/events", "gainsight", "gainsightPx"], notes: [] },
    page: { calls: ["gist POST https://api.getgist.com/events", "gainsightPx"], notes: ["skipped gainsight gainsight.unsupported_type"] },
    group: { calls: ["gist POST https://api.getgist.com/contacts", "gainsight", "gainsightPx"], notes: [] },
    alias: { calls: [], notes: ["skipped gist gist.unsupported_type", "skipped gainsight gainsight.unsupported_type", "skipped gainsightPx gainsightPx.unsupported_type"] },
    batch: {
      calls: ["gist POST https://api.getgist.com/contacts", "gainsight", "gainsightPx", "gist POST https://api.getgist.com/events", "gainsight", "gainsightPx", "gainsight", "gainsightPx"],
      notes: ["dropped gist gist.user_id_or_email_required"],
    },
  };
  const other = { gainsight: "gainsight POST https://event.gainsight.com/clickstream/segmentio/event", gainsightPx: "gainsightPx POST https://segment-esp.aptrinsic.com/rte/segmentio/v1/push" };
  assert.deepEqual(PRESET_NAMES, Object.keys(expected));
  for (const name of PRESET_NAMES) {
    const event = presetEvent(name, NOW);
    const result = planDemo(event);
    const messages = Array.isArray(event.batch) ? event.batch.length : 1;
    const want = expected[name].calls.map((c) => other[c] ?? c);
    // The capture destination shows each normalized message; the rest is per destination.
    const withoutCapture = summary(result).calls.filter((c) => !c.startsWith("capture "));
    assert.deepEqual({ ...summary(result), calls: withoutCapture }, { status: 200, calls: want, notes: expected[name].notes }, name);
    assert.equal(result.calls.filter((c) => c.destination === "capture").length, messages, name);
    assert.deepEqual(result.counters, { received: messages, accepted: messages, rejected: 0 }, name);
    assert.ok(JSON.stringify(event).includes(`"${NOW.toISOString()}"`), `${name}: stamped with the moment it was picked`);
  }
});

test("tester: the event box's JSON errors name the line and column; nothing is planned from them", () => {
  assert.deepEqual(parseEventText(' {"type": "track"} '), { ok: true, value: { type: "track" } });
  assert.deepEqual(parseEventText("  \n"), { ok: false, message: "The event box is empty: pick a preset or paste a Segment message." });
  // V8 names the position (Node 20), or the position, line and column (Chromium): both say the line.
  const bad = parseEventText('{\n  "type": "track",\n}');
  assert.equal(bad.ok, false);
  assert.match(bad.message, /^Not valid JSON: Expected double-quoted property name in JSON at position 21 ?\(line 3,? column 1\)\. Nothing is planned until it is\.$/);
  const cut = parseEventText('{"type": "track"');
  assert.match(cut.message, /^Not valid JSON: .+\. Nothing is planned until it is\.$/);
});

test("tester: a plan per destination of the source, in its order; message notes apart", () => {
  const source = { destinations: [{ key: "gist", catalogName: "Gist" }, { key: "gainsight", catalogName: "Gainsight" }, { key: "gainsightPx", catalogName: "" }] };
  const result = {
    calls: [{ destination: "gainsightPx", url: "a" }, { destination: "gist", url: "b" }, { destination: "capture", url: "c" }, { destination: "gist", url: "d" }],
    notes: [{ kind: "dropped", destination: "", reason: "missing_identity" }, { kind: "skipped", destination: "gainsight", reason: "gainsight.unsupported_type" }],
  };
  const { sections, messageNotes } = planSections(source, result);
  assert.deepEqual(sections.map((s) => [s.key, s.name, s.calls.map((c) => c.url), s.notes.map((n) => n.reason)]), [
    ["gist", "Gist", ["b", "d"], []],
    ["gainsight", "Gainsight", [], ["gainsight.unsupported_type"]],
    ["gainsightPx", "gainsightPx", ["a"], []],
    ["capture", "capture", ["c"], []],
  ]);
  assert.deepEqual(messageNotes, [result.notes[0]]);
  assert.deepEqual([0, 1, 2].map(callCount), ["no call", "1 call", "2 calls"]);
});

test("tester: loading the Worker's configuration says what failed, and sends the token only as a Bearer", async () => {
  const asked = [];
  const answer = (status, body) => async (url, init) => {
    asked.push([url, init.headers.authorization]);
    return new Response(typeof body === "string" ? body : JSON.stringify(body), { status });
  };
  assert.deepEqual(await loadConfigDocument("https://edge.example", " ", answer(200, {})), { ok: false, message: "Enter the Worker's admin token (its ADMIN_TOKEN secret)." });
  assert.deepEqual(asked, []);
  assert.deepEqual(await loadConfigDocument("https://edge.example", "tok", answer(401, { success: false, code: "unauthorized" })),
    { ok: false, status: 401, message: "401 Unauthorized: the Worker refused this admin token. Check its ADMIN_TOKEN secret." });
  assert.deepEqual(await loadConfigDocument("https://edge.example", "tok", answer(404, { message: "no such endpoint" })),
    { ok: false, status: 404, message: "404 Not Found: this Worker has no admin endpoint at https://edge.example/admin/config/document (is its ADMIN_TOKEN secret set?): no such endpoint." });
  assert.deepEqual(await loadConfigDocument("https://edge.example", " tok ", answer(200, { demo: false, text: '{"sources":[]}' })), { ok: true, demo: false, text: '{"sources":[]}' });
  assert.deepEqual(await loadConfigDocument("https://edge.example", "tok", async () => { throw new TypeError("Failed to fetch"); }),
    { ok: false, message: "GET https://edge.example/admin/config/document failed: Failed to fetch." });
  assert.deepEqual(asked, [1, 2, 3].map(() => ["https://edge.example/admin/config/document", asked[0][1]]));
  assert.equal(asked[0][1], "Bearer tok");
});

// A stand-in for analytics-next's Analytics, as much of it as its Segment.io plugin reads.
function fakeAnalytics({ userId = null, anonymousId = "anon-1", integrations, loadIntegrations, failed = [] } = {}) {
  const segment = { apiKey: "wk_site", apiHost: "edge.example/collect/v1", protocol: "https", addBundledMetadata: true, unbundledIntegrations: ["Mixpanel"], maybeBundledConfigIds: { "Segment.io": [], Intercom: ["cfg-1"] } };
  const cdnIntegrations = integrations ?? { "Segment.io": segment, Intercom: { bundlingStatus: "bundled" }, Hotjar: { bundlingStatus: "unbundled" } };
  return {
    settings: { writeKey: "wk_site", cdnSettings: { integrations: cdnIntegrations } },
    options: { integrations: loadIntegrations },
    queue: { failedInitializations: failed, plugins: [{ name: "Segment.io", metadata: { writeKey: "wk_site", apiHost: segment.apiHost, protocol: "https" } }] },
    user: () => ({ id: () => userId, anonymousId: () => anonymousId }),
  };
}

// What analytics-next 1.84.3 itself posts for `event` (plugins/segmentio/index.ts send + normalize).
function analyticsNextBody(analytics, event, attempts = 1) {
  const json = toFacade(event).json();
  if (event.type === "track") delete json.traits;
  const merged = { ...analytics.settings.cdnSettings.integrations["Segment.io"], ...(analytics.options.integrations?.["Segment.io"] ?? {}) };
  return normalize(analytics, json, merged, analytics.settings.cdnSettings.integrations, { attempts });
}

const EVENTS = [
  { type: "track", event: "Signed Up", properties: { plan: "pro", trialEnds: "2026-06-01", at: new Date("2026-05-04T10:00:00Z") }, traits: { x: 1 }, options: { o: 1 }, context: { page: { path: "/" } }, integrations: {}, messageId: "m-1", timestamp: NOW },
  { type: "identify", userId: "u_ada", traits: { email: "ada@example.com", createdAt: "2024-03-01T09:30:00Z" }, context: {}, integrations: { All: true }, messageId: "m-2", timestamp: NOW },
  { type: "page", category: "Docs", name: "Pricing", properties: { name: "Pricing" }, context: {}, integrations: {}, messageId: "m-3", timestamp: NOW },
  { type: "group", groupId: "acme", traits: { name: "Acme" }, context: {}, integrations: {}, messageId: "m-4", timestamp: NOW },
  { type: "screen", name: "Home", properties: {}, context: {}, integrations: {}, messageId: "m-5", timestamp: NOW },
];

test("preview: the body it plans is the body analytics-next's Segment.io plugin posts, byte for byte", () => {
  for (const [i, analytics] of [fakeAnalytics(), fakeAnalytics({ userId: "u_1", failed: ["Intercom"] }), fakeAnalytics({ loadIntegrations: { "Segment.io": { addBundledMetadata: false } } })].entries()) {
    for (const event of EVENTS) {
      for (const attempts of [1, 3]) {
        const before = JSON.stringify(event);
        const theirs = analyticsNextBody(analytics, event, attempts);
        const user = analytics.user();
        const ours = segmentioBody(event, {
          user: { id: user.id(), anonymousId: user.anonymousId() },
          settings: { ...analytics.settings.cdnSettings.integrations["Segment.io"], ...(analytics.options.integrations?.["Segment.io"] ?? {}) },
          integrations: analytics.settings.cdnSettings.integrations,
          failedInitializations: analytics.queue.failedInitializations,
          attempts,
          sentAt: theirs.sentAt,
        });
        assert.equal(JSON.stringify(ours), JSON.stringify(theirs), `analytics ${i}, ${event.type}, attempt ${attempts}`);
        assert.equal(JSON.stringify(event), before, "the event is not touched");
      }
    }
  }
  // Date strings stay as they are (analytics-next's facade converts them, then sends the original).
  const track = segmentioBody(EVENTS[0], { user: { id: null, anonymousId: "anon-1" }, sentAt: NOW });
  assert.equal(JSON.stringify(track.properties), '{"plan":"pro","trialEnds":"2026-06-01","at":"2026-05-04T10:00:00.000Z"}');
  assert.deepEqual([track.userId, track.anonymousId, track.writeKey, "traits" in track, "options" in track], [null, "anon-1", undefined, false, false]);
});

test("preview: alias's previousId as analytics-next fills it (the stored user, else the anonymous id)", () => {
  const alias = { type: "alias", userId: "u_new", context: {}, integrations: {}, messageId: "m-6", timestamp: NOW };
  const body = (user) => segmentioBody(alias, { user, settings: { apiKey: "wk", addBundledMetadata: false }, sentAt: NOW });
  assert.equal(JSON.stringify(body({ id: "u_old", anonymousId: "anon-1" })),
    '{"type":"alias","userId":"u_new","context":{},"integrations":{},"messageId":"m-6","timestamp":"2026-05-04T10:20:30.456Z","previousId":"u_old","writeKey":"wk","anonymousId":"anon-1","sentAt":"2026-05-04T10:20:30.456Z"}');
  assert.equal(body({ id: null, anonymousId: "anon-1" }).previousId, "anon-1");
  assert.equal(segmentioBody({ ...alias, previousId: "p", userId: undefined, to: "u_to" }, { user: { id: "u_old", anonymousId: "a" } }).userId, "u_to");
});

test("preview: the console names the event, each call with its URL and pretty body, each note, and warns of refusals and drops", () => {
  assert.deepEqual([
    eventLabel({ type: "track", event: "Signed Up" }), eventLabel({ type: "identify", anonymousId: "a1" }), eventLabel({ type: "page", properties: { name: "Docs" } }),
    eventLabel({ type: "page" }), eventLabel({ type: "group", groupId: "acme" }), eventLabel({ type: "alias", userId: "u2" }), eventLabel(undefined),
  ], ['track "Signed Up"', 'identify "a1"', 'page "Docs"', "page", 'group "acme"', 'alias "u2"', "message"]);

  const track = { type: "track", event: "Signed Up", userId: "u_ada", properties: { plan: "pro" }, messageId: "m-1" };
  const ok = planDemo(track);
  const shown = describePlan(track, ok);
  assert.equal(shown.title, 'ajs-edge preview: track "Signed Up" → 4 calls');
  assert.deepEqual(shown.lines, [...ok.calls.map((c) => `${c.destination}: ${c.method} ${c.url}\n${prettyJson(c.body)}`), 'the Worker answers 200 {"success":true}']);
  assert.equal(shown.warning, null);

  const identify = { type: "identify", userId: "u_ada", traits: { name: "Ada" }, messageId: "m-2" };
  const dropped = describePlan(identify, planDemo(identify));
  assert.equal(dropped.title, 'ajs-edge preview: identify "u_ada" → 3 calls');
  assert.equal(dropped.lines.at(-2), "dropped at gist: gist.email_required");
  assert.equal(dropped.warning, 'ajs-edge preview: the Worker would not send it to gist: gist.email_required — identify "u_ada"');

  const big = { type: "track", event: "Big", userId: "u_ada", properties: { blob: "x".repeat(40_000) } };
  const refused = describePlan(big, planDemo(big));
  assert.equal(refused.title, 'ajs-edge preview: track "Big" → 0 calls (refused: 400)');
  assert.equal(refused.warning, 'ajs-edge preview: the Worker would refuse it: 400 invalid_request: message exceeds the 32 KB limit; see README.md: What it accepts (Segment\'s tracking API) — track "Big"');

  const unknown = planner.plan(track, { writeKey: "wk_nope", receivedAt: RECEIVED_AT });
  assert.equal(describePlan(track, unknown).warning,
    'ajs-edge preview: the Worker would refuse it: 401 unauthorized: unknown writeKey "wk_nop…": no source in the configuration (AJS_EDGE_CONFIG) has it (setting sources[].writeKey); see README.md: Configuration — track "Signed Up"');
});

// A console that records, as Playwright sees one.
function recordingLog() {
  const out = [];
  return {
    out,
    groupCollapsed: (t) => out.push(["group", t]),
    groupEnd: () => out.push(["end"]),
    log: (t) => out.push(["log", t]),
    warn: (t) => out.push(["warn", t]),
  };
}

const CTX = (event) => ({ event, attempts: 1 });

test("preview plugin: an enrichment plugin that returns each context untouched after logging its plan", async () => {
  const log = recordingLog();
  const plugin = createPreview({ log, core: CORE });
  assert.deepEqual([plugin.name, plugin.type, plugin.isLoaded()], ["ajs-edge preview", "enrichment", true]);
  const analytics = fakeAnalytics({ integrations: { "Segment.io": { apiKey: "demo-write-key", apiHost: "127.0.0.1:8787/v1" } } });
  await plugin.load(CTX({}), analytics);
  const event = { type: "track", event: "Signed Up", userId: "u_ada", properties: { plan: "pro" }, context: {}, integrations: {}, messageId: "m-1", timestamp: NOW };
  const before = JSON.stringify(event);
  const ctx = CTX(event);
  assert.equal(await plugin.track(ctx), ctx);
  assert.equal(JSON.stringify(event), before);
  assert.deepEqual(log.out.map(([kind]) => kind), ["group", "log", "log", "log", "log", "log", "end"]);
  assert.equal(log.out[0][1], 'ajs-edge preview: track "Signed Up" → 4 calls');
  assert.deepEqual(log.out.slice(1, 5).map(([, t]) => t.split("\n")[0]), [
    "capture: POST capture:log",
    "gist: POST https://api.getgist.com/events",
    "gainsight: POST https://event.gainsight.com/clickstream/segmentio/event",
    "gainsightPx: POST https://segment-esp.aptrinsic.com/rte/segmentio/v1/push",
  ]);
  assert.match(log.out[2][1], /^gist: POST https:\/\/api\.getgist\.com\/events\n\{\n {2}"event_name": "Signed Up",\n {2}"user_id": "u_ada",\n {2}"occurred_at": \d+,\n {2}"properties": \{\n {4}"plan": "pro"\n {2}\}\n\}$/);

  // Segment.io off for an event: analytics.js posts nothing, and the preview says so.
  log.out.length = 0;
  const off = CTX({ ...event, integrations: { "Segment.io": false } });
  assert.equal(await plugin.track(off), off);
  assert.deepEqual(log.out, [["log", 'ajs-edge preview: track "Signed Up": analytics.js does not send it (Segment.io is off), so the Worker never sees it']]);

  log.out.length = 0;
  const anonymous = CTX({ type: "track", event: "Viewed", properties: {}, context: {}, integrations: {}, messageId: "m-2", timestamp: NOW });
  assert.equal(await plugin.track(anonymous), anonymous);
  assert.deepEqual(log.out.at(-1), ["warn", 'ajs-edge preview: the Worker would not send it to gist: gist.user_id_or_email_required — track "Viewed"']);
});

test("preview plugin: a configuration given as text is the one planned with; a refused one is one warning, then events pass", async () => {
  const config = JSON.stringify({ sources: [{ writeKey: "wk_site", destinations: { gainsightPx: { apiKey: { secret: "PX_KEY" } } } }] });
  const log = recordingLog();
  const plugin = createPreview({ config, log, core: CORE });
  await plugin.load(CTX({}), fakeAnalytics({ userId: "u_1" }));
  await plugin.identify(CTX({ type: "identify", traits: {}, context: {}, integrations: {}, messageId: "m-1", timestamp: NOW }));
  assert.deepEqual(log.out.map(([k, t]) => [k, t?.split("\n")[0]]), [
    ["group", 'ajs-edge preview: identify "u_1" → 1 call'],
    ["log", "gainsightPx: POST https://segment-esp.aptrinsic.com/rte/segmentio/v1/push"],
    ["log", 'the Worker answers 200 {"success":true}'],
    ["end", undefined],
  ]);
  // The stored user filled in, the writeKey (Basic auth and body) taken off by the Worker.
  assert.match(log.out[1][1], /\n {2}"timestamp": "2026-05-04T10:20:30\.456Z",\n {2}"userId": "u_1",\n {2}"anonymousId": "anon-1",\n/);
  assert.doesNotMatch(log.out[1][1], /writeKey/);

  const badLog = recordingLog();
  const bad = createPreview({ config: '{"sources": [{"writeKey": 7}]}', log: badLog, core: CORE });
  await bad.load(CTX({}), fakeAnalytics());
  for (const type of ["track", "page", "track"]) {
    const ctx = CTX({ type, event: "x", context: {}, integrations: {}, messageId: "m", timestamp: NOW });
    assert.equal(await bad[type](ctx), ctx);
  }
  assert.deepEqual(badLog.out, [["warn", "ajs-edge preview: not planning events: sources[0].writeKey: must be a string. analytics.js sends them as usual."]]);
});

test("preview plugin: a core that cannot load is one warning; events pass untouched, the hooks never throw", async () => {
  const log = recordingLog();
  const plugin = createPreview({ log, core: new Uint8Array([0, 1, 2, 3]) });
  await plugin.load(CTX({}), fakeAnalytics());
  const contexts = ["track", "identify", "page", "group", "alias", "screen"].map((type) => [type, CTX({ type, context: {}, messageId: "m", timestamp: NOW })]);
  for (const [type, ctx] of contexts) assert.equal(await plugin[type](ctx), ctx);
  assert.equal(log.out.length, 1);
  assert.match(log.out[0][1], /^ajs-edge preview: not planning events: .*\. analytics\.js sends them as usual\.$/);

  // An analytics instance missing what the plugin reads: a warning per event, the context back.
  const odd = recordingLog();
  const fragile = createPreview({ log: odd, core: CORE });
  await fragile.load(CTX({}), { queue: { plugins: [{ name: "Segment.io" }] } }); // no user(), no settings
  const ctx = CTX({ type: "track", event: "E" });
  assert.equal(await fragile.track(ctx), ctx);
  assert.equal(odd.out.length, 1);
  assert.match(odd.out[0][1], /^ajs-edge preview: could not plan track "E": /);
});

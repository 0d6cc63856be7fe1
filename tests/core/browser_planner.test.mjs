// The core in the browser (host-shims/browser/): the request the planner builds is the one the
// Worker would receive, its plan is the Worker's plan read for a page (secrets by name), and the
// body's pretty form is the exact text re-indented. Chromium runs the same module in
// tests/e2e/browser_parity.test.mjs and the pages' tests.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Planner, requestFor, CoreError } from "../../host-shims/browser/planner.mjs";
import { prettyJson } from "../../host-shims/browser/pretty_json.mjs";
import { loadCoreModule, NO_SIMD } from "../../host-shims/browser/load_module.mjs";
import { Core } from "../../host-shims/core/core.mjs";
import { redactedHeaders } from "../../host-shims/worker/secrets.mjs";
import { fidelityCorpus } from "../support/fidelity_corpus.mjs";
import { gzipSync } from "node:zlib";
import { bundle } from "../../scripts/build-assets.mjs";

const root = fileURLToPath(new URL("../../", import.meta.url));
const wasm = (file) => readFileSync(`${root}build/wasm/${file}`);
const basicOf = (key) => `Basic ${Buffer.from(`${key}:`).toString("base64")}`;
const CONFIG = JSON.stringify({
  basePath: "/collect",
  sources: [
    { writeKey: "wk_web", name: "Web", allowedOrigins: ["https://shop.example"], destinations: { gist: { apiKey: { secret: "GIST_API_KEY" } }, gainsightPx: { apiKey: { secret: "PX_KEY" } } } },
    { writeKey: "wk_srv", destinations: { gainsight: { accessKey: { secret: "GS_KEY" } } } },
  ],
});

test("requestFor: one message to /v1/<type> as analytics.js sends it, anything else as a batch", () => {
  const opts = { writeKey: "wk_web", basePath: "/collect", host: "edge.example" };
  for (const type of ["track", "identify", "page", "screen", "group", "alias"]) {
    const r = requestFor({ type, userId: "u" }, opts);
    assert.equal(r.url, `https://edge.example/collect/v1/${type}`);
    assert.equal(r.body, JSON.stringify({ type, userId: "u" }));
  }
  const batch = { batch: [{ type: "track" }] };
  assert.equal(requestFor(batch, opts).url, "https://edge.example/collect/v1/batch");
  assert.equal(requestFor(batch, opts).body, JSON.stringify(batch));
  assert.equal(requestFor([{ type: "track" }], opts).body, JSON.stringify({ batch: [{ type: "track" }] }));
  for (const odd of [{ type: "nope" }, { event: "x" }, null, 7]) {
    const r = requestFor(odd, opts);
    assert.equal(r.url, "https://edge.example/collect/v1/batch", JSON.stringify(odd));
    assert.equal(r.body, JSON.stringify({ batch: [odd] }));
  }
  assert.equal(requestFor({ type: "track" }, { ...opts, scheme: "http" }).url, "http://edge.example/collect/v1/track");
  const r = requestFor({ type: "track" }, { ...opts, origin: "https://shop.example" });
  assert.deepEqual(r.headers, { "content-type": "application/json", authorization: basicOf("wk_web"), origin: "https://shop.example" });
  assert.equal(r.method, "POST");
});

test("the planner's plan is the Worker core's plan for that request, secrets by binding name", async () => {
  const planner = await Planner.load(wasm("ajs_edge_emscripten.wasm"));
  const description = planner.configure(CONFIG);
  assert.equal(description.basePath, "/collect");
  assert.deepEqual(description.sources.map((s) => [s.name, s.writeKey, s.destinations.map((d) => d.key)]), [
    ["Web", "wk_web", ["gist", "gainsightPx"]],
    ["", "wk_srv", ["gainsight"]],
  ]);
  assert.match(description.sources[0].id, /^[0-9a-f]{16}$/);

  const worker = await Core.instantiate(await WebAssembly.compile(wasm("ajs_edge.wasm")));
  worker.configure(CONFIG);
  const input = { type: "identify", userId: "u1", traits: { email: "a@example.com", big: 12345678901234567890 } };
  const at = { receivedAt: 1785578400500, seed: "0123456789abcdef" };
  const preview = planner.plan(input, { writeKey: "wk_web", host: "edge.example", origin: "https://shop.example", ...at });
  const req = preview.request;
  const plan = worker.handle({ method: "POST", url: req.url, headers: { authorization: basicOf("wk_web"), origin: "https://shop.example", "cf-connecting-ip": "", "access-control-request-headers": "" }, ...at, bodyTooLarge: false, bodyError: "" }, new TextEncoder().encode(req.body));
  assert.equal(preview.status, plan.status);
  assert.deepEqual(preview.counters, plan.counters);
  assert.deepEqual(preview.notes, plan.notes);
  assert.deepEqual(preview.calls, plan.requests.map((c) => ({ destination: c.destination, method: c.method, url: c.url, headers: redactedHeaders(c), body: new TextDecoder().decode(c.body), messageId: c.messageId })));
  assert.deepEqual(preview.calls.map((c) => c.destination), ["gist", "gainsightPx"]);
  assert.equal(preview.calls[0].headers.authorization, "<secret GIST_API_KEY>");
  assert.equal(preview.reply.success, true);
  assert.equal(preview.problem, null);

  // Refusals carry the problem; a dropped message its note.
  const foreign = planner.plan(input, { writeKey: "wk_web", host: "edge.example", origin: "https://evil.example" });
  assert.equal(foreign.status, 403);
  assert.equal(foreign.problem.code, "forbidden_origin");
  assert.equal(foreign.problem.setting, "sources[0].allowedOrigins");
  assert.equal(planner.plan(input, { writeKey: "nope" }).problem.code, "unauthorized");
  const dropped = planner.plan({ type: "track", userId: "u" }, { writeKey: "wk_srv" });
  assert.equal(dropped.status, 200);
  assert.deepEqual(dropped.calls, []);
  assert.deepEqual(dropped.notes.map((n) => [n.kind, n.reason]), [["dropped", "missing_event"]]);

  assert.throws(() => planner.configure('{"sources":[{"writeKey":"a","destinations":{"nope":{}}}]}'), (e) => e instanceof CoreError && /sources\[0\]\.destinations/.test(e.message));
  assert.equal(planner.configure("").demo, true);
});

// JSON text without the whitespace between tokens.
function squeeze(text) {
  let out = "";
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      out += c;
      if (c === "\\") out += text[++i];
      else if (c === '"') inString = false;
    } else if (!/\s/.test(c)) {
      out += c;
      inString = c === '"';
    }
  }
  return out;
}

test("prettyJson re-indents the exact text: numbers, escapes and order kept; not-JSON comes back as is", async () => {
  assert.equal(prettyJson('{"a":12345678901234567890,"b":[1.50,{}],"c":"x\\"}{,:[","d":[],"e":{"f":null}}'),
    '{\n  "a": 12345678901234567890,\n  "b": [\n    1.50,\n    {}\n  ],\n  "c": "x\\"}{,:[",\n  "d": [],\n  "e": {\n    "f": null\n  }\n}');
  for (const text of ["", "not json", '{"a":1', '"open']) assert.equal(prettyJson(text), text);
  // Over real bodies: the same value, only whitespace added outside strings.
  for (const r of await fidelityCorpus()) {
    const pretty = prettyJson(r.body);
    let parsed;
    try {
      parsed = JSON.parse(r.body);
    } catch {
      continue;
    }
    assert.deepEqual(JSON.parse(pretty), parsed, r.name);
    assert.equal(squeeze(pretty), squeeze(r.body), r.name);
  }
});

// Issue #16: what a page downloads to plan (BENCHMARKS.md has the figures and the load time).
test("a browser without WebAssembly SIMD is told so, before anything is fetched or compiled", async () => {
  assert.ok(WebAssembly.validate(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0])), "the probe's engine validates");
  const validate = WebAssembly.validate;
  const seen = [];
  WebAssembly.validate = (bytes) => (seen.push(bytes.length), false); // an engine that refuses every SIMD instruction
  try {
    await assert.rejects(loadCoreModule(wasm("ajs_edge_emscripten.wasm")), { message: NO_SIMD });
    await assert.rejects(loadCoreModule("https://edge.example/collect/tester/core.wasm"), { message: NO_SIMD });
  } finally {
    WebAssembly.validate = validate;
  }
  assert.deepEqual(seen, [31, 31]);
  assert.ok(await loadCoreModule(wasm("ajs_edge_emscripten.wasm")) instanceof WebAssembly.Module);
});

test("the core in the browser weighs at most 150 KB gzip: core.wasm and planner.js as the assets ship them", () => {
  const gz = (bytes) => gzipSync(bytes, { level: 9 }).length;
  const total = gz(wasm("ajs_edge_emscripten.wasm")) + gz(bundle("host-shims/browser/planner.mjs", "esm"));
  assert.ok(total <= 150 * 1024, `${total} bytes gzip`);
});

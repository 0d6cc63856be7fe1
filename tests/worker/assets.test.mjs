// host-shims/worker/assets.mjs against a fake ASSETS binding: which paths the Worker hands to the assets.
import { test } from "node:test";
import assert from "node:assert/strict";
import { serveAsset, WRONG_PREFIX } from "../../host-shims/worker/assets.mjs";

const FILES = new Set(["/analytics-next/bundles/standalone.js", "/collect/analytics-next/bundles/standalone.js", "/demo/index.html"]);
function fakeAssets() {
  const asked = [];
  return {
    asked,
    ASSETS: {
      async fetch(request) {
        const { pathname } = new URL(request.url);
        asked.push(`${request.method} ${pathname} ${request.headers.get("if-none-match") ?? ""}`.trim());
        const path = pathname.endsWith("/") ? `${pathname}index.html` : pathname;
        return FILES.has(path) ? new Response(`file ${path}`) : new Response("", { status: 404 });
      },
    },
  };
}
const req = (path, init) => new Request(`https://edge.example.com${path}`, init);

test("the snippet path of any writeKey is the standalone bundle under the same prefix", async () => {
  const env = fakeAssets();
  for (const [path, file] of [
    ["/analytics.js/v1/wk_1/analytics.min.js", "/analytics-next/bundles/standalone.js"],
    ["/analytics.js/v1/other/analytics.js", "/analytics-next/bundles/standalone.js"],
    ["/collect/analytics.js/v1/wk_1/analytics.min.js", "/collect/analytics-next/bundles/standalone.js"],
  ]) {
    const res = await serveAsset(req(path, { headers: { "if-none-match": '"e1"' } }), env, { demo: false });
    assert.equal(await res.text(), `file ${file}`);
  }
  assert.deepEqual(env.asked.slice(0, 1), ['GET /analytics-next/bundles/standalone.js "e1"']);
  const head = await serveAsset(req("/analytics.js/v1/wk_1/analytics.min.js", { method: "HEAD" }), env, { demo: false });
  assert.equal(head.status, 200);
});

test("the snippet's script under another prefix than the assets': a 404 as JavaScript that says what to change", async () => {
  const env = fakeAssets();
  const res = await serveAsset(req("/elsewhere/analytics.js/v1/wk_1/analytics.min.js"), env, { demo: true });
  assert.equal(res.status, 404);
  assert.equal(res.headers.get("content-type"), "text/javascript; charset=utf-8"); // a JSON 404 shows only as ERR_BLOCKED_BY_ORB
  assert.equal(res.headers.get("x-ajs-edge-problem"), WRONG_PREFIX);
  const text = await res.text();
  assert.match(text, /^\/\* ajs-edge: no analytics\.js at \/elsewhere\/analytics\.js\/v1\/wk_1\/analytics\.min\.js\. .*AJS_ASSETS_PREFIX.* \*\/\nconsole\.error\(/);
  assert.deepEqual(env.asked, ["GET /elsewhere/analytics-next/bundles/standalone.js"]);
});

test("other paths, other methods and no binding fall through to the core", async () => {
  const env = fakeAssets();
  assert.equal(await serveAsset(req("/analytics.js/v1/wk_1/platform/analytics.min.js"), env, { demo: true }), null);
  assert.equal(await serveAsset(req("/v1/projects/wk_1/settings"), env, { demo: true }), null);
  assert.equal(await serveAsset(req("/analytics.js/v1/wk_1/analytics.min.js", { method: "POST", body: "x" }), env, { demo: true }), null);
  assert.equal(await serveAsset(req("/analytics.js/v1/wk_1/analytics.min.js"), {}, { demo: true }), null);
  assert.deepEqual(env.asked, []);
});

test("the demo page only in demo mode", async () => {
  const env = fakeAssets();
  assert.equal(await (await serveAsset(req("/demo/"), env, { demo: true })).text(), "file /demo/index.html");
  assert.equal(await serveAsset(req("/demo/"), env, { demo: false }), null);
  assert.equal(await serveAsset(req("/demo/index.html"), env, { demo: false }), null);
  assert.equal(await serveAsset(req("/demonstration"), env, { demo: true }), null);
});

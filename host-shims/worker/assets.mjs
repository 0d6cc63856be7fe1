// @ts-check
// First-party analytics.js: the paths of the static assets (env.ASSETS, laid out by
// scripts/build-assets.mjs) that only the Worker can answer. Everything else under the assets
// directory (the lazy chunks at {prefix}/analytics-next/bundles/) Cloudflare serves without the Worker.
//   {prefix}/analytics.js/v1/:writeKey/analytics.min.js → {prefix}/analytics-next/bundles/standalone.js
//     (one file for every writeKey: the snippet names the key itself, analytics._writeKey)
//   /demo, /demo/… (wrangler.toml run_worker_first) → the demo page, only while the demo runs
const SNIPPET = /^(.*)\/analytics\.js\/v1\/[^/]+\/analytics(?:\.min)?\.js$/;

// A Response, or null when the path is not an asset's (the core answers it).
export async function serveAsset(request, env, { demo }) {
  if (!env?.ASSETS || (request.method !== "GET" && request.method !== "HEAD")) return null;
  const url = new URL(request.url);
  const snippet = SNIPPET.exec(url.pathname);
  if (snippet) {
    const file = new URL(`${snippet[1]}/analytics-next/bundles/standalone.js`, url);
    const res = await env.ASSETS.fetch(new Request(file, { method: request.method, headers: request.headers }));
    return res.status === 404 ? null : res; // another prefix than the one built: the core's 404
  }
  if (url.pathname === "/demo" || url.pathname.startsWith("/demo/")) {
    return demo ? env.ASSETS.fetch(request) : null; // a configured Worker has no demo page
  }
  return null;
}

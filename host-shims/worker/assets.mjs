// @ts-check
// First-party analytics.js: the paths of the static assets (env.ASSETS, laid out by
// scripts/build-assets.mjs) that only the Worker can answer. Everything else under the assets
// directory (the lazy chunks at {prefix}/analytics-next/bundles/) Cloudflare serves without the Worker.
//   {prefix}/analytics.js/v1/:writeKey/analytics.min.js → {prefix}/analytics-next/bundles/standalone.js
//     (one file for every writeKey: the snippet names the key itself, analytics._writeKey)
//   /demo, /demo/… (wrangler.toml run_worker_first) → the demo page, only while the demo runs
const SNIPPET = /^(.*)\/analytics\.js\/v1\/[^/]+\/analytics(?:\.min)?\.js$/;

// The snippet's script asked for under another prefix than the one the assets were built with:
// a 404 as JavaScript (a JSON one shows in the browser only as ERR_BLOCKED_BY_ORB) whose text says
// what to change. It does not run (a script that is not 2xx never does), so nothing loads.
export const WRONG_PREFIX = "assets_prefix";
// The problem, as the reply's text and the request's log line both give it (core/problem.hpp's shape).
export function wrongPrefixProblem(url) {
  const docs = "README.md: First-party analytics.js and the demo page";
  const message =
    `ajs-edge: no analytics.js at ${url.pathname}. This Worker serves analytics.js under the path prefix its assets ` +
    `were built with (AJS_ASSETS_PREFIX): the snippet's CDN (analytics._cdn) must be ${url.origin}<that prefix>, ` +
    `the same prefix as the config's basePath. ${docs}.`;
  return { code: WRONG_PREFIX, message, setting: "AJS_ASSETS_PREFIX", docs };
}
function wrongPrefix(url, method) {
  const { message } = wrongPrefixProblem(url);
  const body = `/* ${message} */\nconsole.error(${JSON.stringify(message)});\n`;
  return new Response(method === "HEAD" ? null : body, {
    status: 404,
    headers: { "content-type": "text/javascript; charset=utf-8", "cache-control": "no-store", "x-ajs-edge-problem": WRONG_PREFIX },
  });
}

// A Response, or null when the path is not an asset's (the core answers it).
export async function serveAsset(request, env, { demo }) {
  if (!env?.ASSETS || (request.method !== "GET" && request.method !== "HEAD")) return null;
  const url = new URL(request.url);
  const snippet = SNIPPET.exec(url.pathname);
  if (snippet) {
    const file = new URL(`${snippet[1]}/analytics-next/bundles/standalone.js`, url);
    const res = await env.ASSETS.fetch(new Request(file, { method: request.method, headers: request.headers }));
    return res.status === 404 ? wrongPrefix(url, request.method) : res;
  }
  if (url.pathname === "/demo" || url.pathname.startsWith("/demo/")) {
    return demo ? env.ASSETS.fetch(request) : null; // a configured Worker has no demo page
  }
  return null;
}

// The test site: one page per way a site loads analytics.js, both configured only with the
// writeKey and the Worker's address (query parameters `writeKey` and `cdn`).
//   snippet.html  Segment's snippet (5.2.1); the script from the Worker, analytics._cdn = the Worker
//   npm.html      `AnalyticsBrowser.load({writeKey, cdnURL})` from the npm package, bundled with its
//                 lazy chunks by esbuild, as a site's own build would
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";
import { root } from "./harness.mjs";

const SNIPPET = `!function(){var i="analytics",analytics=window[i]=window[i]||[];if(!analytics.initialize)if(analytics.invoked)window.console&&console.error&&console.error("Segment snippet included twice.");else{analytics.invoked=!0;analytics.methods=["trackSubmit","trackClick","trackLink","trackForm","pageview","identify","reset","group","track","ready","alias","debug","page","screen","once","off","on","addSourceMiddleware","addIntegrationMiddleware","setAnonymousId","addDestinationMiddleware","register"];analytics.factory=function(e){return function(){if(window[i].initialized)return window[i][e].apply(window[i],arguments);var n=Array.prototype.slice.call(arguments);if(["track","screen","alias","group","page","identify"].indexOf(e)>-1){var c=document.querySelector("link[rel='canonical']");n.push({__t:"bpc",c:c&&c.getAttribute("href")||void 0,p:location.pathname,u:location.href,s:location.search,t:document.title,r:document.referrer})}n.unshift(e);analytics.push(n);return analytics}};for(var n=0;n<analytics.methods.length;n++){var key=analytics.methods[n];analytics[key]=analytics.factory(key)}analytics.load=function(key,n){var t=document.createElement("script");t.type="text/javascript";t.async=!0;t.setAttribute("data-global-segment-analytics-key",i);t.src=CDN+"/analytics.js/v1/" + key + "/analytics.min.js";var r=document.getElementsByTagName("script")[0];r.parentNode.insertBefore(t,r);analytics._loadOptions=n};analytics._writeKey=WRITE_KEY;analytics._cdn=CDN;analytics.SNIPPET_VERSION="5.2.1";
analytics.load(WRITE_KEY);
}}();`;

const page = (title, head) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${title}</title>
${head}
</head><body><h1>${title}</h1></body></html>
`;

export async function buildSite(dir) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "snippet.html"), page("snippet", `<script>
var q = new URLSearchParams(location.search), WRITE_KEY = q.get("writeKey"), CDN = q.get("cdn");
${SNIPPET}
</script>`));
  writeFileSync(join(dir, "npm.html"), page("npm", `<script type="module" src="npm/main.js"></script>`));
  await bundlePage(`import { AnalyticsBrowser } from "@segment/analytics-next";
const q = new URLSearchParams(location.search);
// cdnSettings only for the control test, which must see a metrics flush go to Segment.
const cdnSettings = q.get("cdnSettings") ? { cdnSettings: JSON.parse(q.get("cdnSettings")) } : {};
window.analytics = AnalyticsBrowser.load({ writeKey: q.get("writeKey"), cdnURL: q.get("cdn"), ...cdnSettings });
`, join(dir, "npm"));
}

// A page's module (`contents`, importing from node_modules) bundled as the test site serves it:
// ESM with its lazy chunks, into `outdir` as main.js.
export function bundlePage(contents, outdir) {
  return build({
    stdin: { contents, resolveDir: root, sourcefile: "main.js" },
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "browser",
    target: "es2020",
    outdir,
    entryNames: "main",
    minify: true,
    logLevel: "error",
    define: { "process.env.NODE_ENV": '"production"' },
  });
}

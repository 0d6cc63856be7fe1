// @ts-check
// The path the Worker's pages are served under (AJS_ASSETS_PREFIX, the config's basePath), as
// scripts/build-assets.mjs writes it into a page's <meta name="ajs-assets-prefix">. The pages reach
// the admin endpoints under it: a Worker routed at example.com/collect/* sees nothing else, and a
// token sent to example.com/admin/ would go to the site, not the Worker.
export function assetsPrefix(doc = document) {
  const value = doc.querySelector('meta[name="ajs-assets-prefix"]')?.getAttribute("content") ?? "";
  return /^(\/[A-Za-z0-9._~-]+)*$/.test(value) ? value : "";
}

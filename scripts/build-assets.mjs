#!/usr/bin/env node
// Lays out the Worker's static assets (wrangler.toml [assets]) from the installed npm package, so a
// site needs no Segment CDN: analytics.js asks for its lazy chunks at {cdn}/analytics-next/bundles/
// (src/browser/standalone.ts sets webpack's public path from the CDN base), so that is where they go,
// with the standalone bundle itself; the Worker answers the per-writeKey snippet path
// {cdn}/analytics.js/v1/:writeKey/analytics.min.js with that one file (host-shims/worker/assets.mjs).
//
//   node scripts/build-assets.mjs [--out dist/assets] [--prefix /collect]
//
// The prefix (default: $AJS_ASSETS_PREFIX, else "") is the path of the CDN base on the Worker's host:
// cdnURL = https://<worker host><prefix>. analytics.js fetches its settings from cdnURL too, so a
// non-empty prefix must equal the config's basePath. The demo page (site/demo/) goes to /demo/.
//
// The core in the browser (README "See what happens to your events"), under the prefix too (a Worker
// routed at example.com/collect/* sees nothing else):
//   {prefix}/ajs-edge/core.wasm      the Emscripten build of the core (build/wasm, scripts/build.sh)
//   {prefix}/ajs-edge/core.wasm.js   the same as base64 in a classic script: a page opened from
//                                    disk (file://) cannot fetch, but can load a script
//   {prefix}/ajs-edge/planner.js     ES module: Planner (host-shims/browser/planner.mjs)
//   {prefix}/ajs-edge/preview.js     ES module: the analytics.js preview plugin
//   {prefix}/tester/, {prefix}/console/   the pages of site/tester/ and site/console/: each <name>.mjs
//                                    bundled into <name>.js, a classic script (works from file://);
//                                    _<name>.mjs are modules those import; other files are copied
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { buildSync } from "esbuild";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

export function normalPrefix(prefix) {
  const p = (prefix ?? "").trim().replace(/\/+$/, "");
  if (p !== "" && !/^(\/[A-Za-z0-9._~-]+)+$/.test(p)) throw new Error(`AJS_ASSETS_PREFIX: "${prefix}" must be "" or a path like /collect`);
  return p;
}

function existing(dir, under = "") {
  if (!existsSync(join(dir, under))) return [];
  return readdirSync(join(dir, under), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? existing(dir, join(under, e.name)) : [join(under, e.name)]);
}

export function buildAssets({ out = join(root, "dist/assets"), prefix = "" } = {}) {
  prefix = normalPrefix(prefix);
  const pkgJson = createRequire(join(root, "package.json")).resolve("@segment/analytics-next/package.json");
  const { version } = JSON.parse(readFileSync(pkgJson, "utf8"));
  const umd = join(dirname(pkgJson), "dist/umd");

  // Written in place, unchanged files untouched and stale ones removed: a running `wrangler dev`
  // (which runs this as its [build] command) never sees the directory empty.
  const wanted = new Map(); // path under out → contents
  const under = prefix.slice(1); // the prefix as a directory under out (the keys are relative paths)
  const bundles = join(under, "analytics-next/bundles");
  // standalone.js (the snippet's file) and every lazy chunk; not index.js (the UMD npm build, which
  // nothing asks the CDN for), the source maps, nor the .gz copies (Cloudflare compresses on its own).
  const files = readdirSync(umd).filter((f) => f === "standalone.js" || /\.bundle\.[0-9a-f]+\.js$/.test(f));
  if (!files.includes("standalone.js")) throw new Error(`${umd}: no standalone.js`);
  for (const f of files) wanted.set(join(bundles, f), readFileSync(join(umd, f)));
  const demoSrc = join(root, "site/demo");
  for (const f of readdirSync(demoSrc)) {
    wanted.set(join("demo", f), Buffer.from(readFileSync(join(demoSrc, f), "utf8").replaceAll("__AJS_ASSETS_PREFIX__", prefix)));
  }
  for (const [f, bytes] of browserAssets(under, prefix)) wanted.set(f, bytes);
  for (const f of existing(out)) if (!wanted.has(f)) rmSync(join(out, f));
  for (const [f, bytes] of wanted) {
    const path = join(out, f);
    if (existsSync(path) && readFileSync(path).equals(bytes)) continue;
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, bytes);
  }
  return { out, prefix, version, files: files.length };
}

export const CORE_WASM = join(root, "build/wasm/ajs_edge_emscripten.wasm");
const BROWSER_MODULES = [
  ["host-shims/browser/planner.mjs", "ajs-edge/planner.js"],
  ["host-shims/browser/preview.mjs", "ajs-edge/preview.js"],
];
const PAGES = ["tester", "console"];

export function bundle(entry, format) {
  const result = buildSync({ entryPoints: [join(root, entry)], bundle: true, format, minify: true, write: false, target: "es2020", legalComments: "none" });
  return Buffer.from(result.outputFiles[0].contents);
}

// path under out → contents, for the core in the browser.
// under: the prefix as a directory; prefix: as pages name it (replacing __AJS_ASSETS_PREFIX__).
function browserAssets(under, prefix) {
  if (!existsSync(CORE_WASM)) throw new Error(`${CORE_WASM}: missing; build it first (bash scripts/build.sh emscripten)`);
  const wasm = readFileSync(CORE_WASM);
  const files = new Map([
    [join(under, "ajs-edge/core.wasm"), wasm],
    [join(under, "ajs-edge/core.wasm.js"), Buffer.from(`globalThis.ajsEdgeCoreWasm=${JSON.stringify(wasm.toString("base64"))};\n`)],
  ]);
  for (const [entry, to] of BROWSER_MODULES) files.set(join(under, to), bundle(entry, "esm"));
  // A development page on another origin imports preview.js, which fetches core.wasm: both need
  // CORS. Cloudflare (and wrangler dev) read the assets' _headers file. Public files only.
  files.set("_headers", Buffer.from(`${prefix}/ajs-edge/*\n  Access-Control-Allow-Origin: *\n`));
  for (const page of PAGES) {
    const dir = join(root, "site", page);
    for (const f of readdirSync(dir)) {
      if (f.endsWith(".mjs")) {
        if (!f.startsWith("_")) files.set(join(under, page, f.replace(/\.mjs$/, ".js")), bundle(join("site", page, f), "iife"));
      } else {
        files.set(join(under, page, f), Buffer.from(readFileSync(join(dir, f), "utf8").replaceAll("__AJS_ASSETS_PREFIX__", prefix)));
      }
    }
  }
  return files;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const r = buildAssets({ out: resolve(option("out", join(root, "dist/assets"))), prefix: option("prefix", process.env.AJS_ASSETS_PREFIX ?? "") });
  console.log(`assets: analytics-next ${r.version}, ${r.files} files at ${r.prefix || ""}/analytics-next/bundles/, demo at /demo/, the tester at ${r.prefix}/tester/, the console at ${r.prefix}/console/ → ${r.out}`);
}

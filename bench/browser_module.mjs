// The core in the browser (issue #16): what a page downloads and how long it waits before it can
// plan. Headless Chromium (Debian's, via playwright-core) loads the built assets from a loopback
// server as a page would (core.wasm served as application/wasm, so compiled while streaming), in a
// fresh context each round (no cache): the planner module's import, Planner.load (fetch, compile,
// instantiate), configure(""), the first plan, then the median of 200 plans of one track.
//   node bench/browser_module.mjs        (also run at the end of bench/run.mjs)
import { createReadStream, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import http from "node:http";
import { extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { chromium } from "playwright-core";
import { buildAssets } from "../scripts/build-assets.mjs";

const root = fileURLToPath(new URL("../", import.meta.url));
const TYPES = { ".html": "text/html", ".js": "text/javascript", ".wasm": "application/wasm" };
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function serve(dir) {
  const server = http.createServer((req, res) => {
    const path = normalize(join(dir, new URL(req.url, "http://x").pathname));
    if (!path.startsWith(dir) || !statSync(path, { throwIfNoEntry: false })?.isFile()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": TYPES[extname(path)] ?? "application/octet-stream", "cache-control": "no-store" });
    createReadStream(path).pipe(res);
  });
  return new Promise((ok) => server.listen(0, "127.0.0.1", () => ok(server)));
}

export async function benchBrowserModule({ rounds = 9 } = {}) {
  const dir = join(root, "build/bench/browser-assets");
  buildAssets({ out: dir, prefix: "" });
  writeFileSync(join(dir, "bench.html"), "<!doctype html><title>bench</title>");
  const gz = (f) => gzipSync(readFileSync(join(dir, f)), { level: 9 }).length;
  const size = (f) => ({ raw: statSync(join(dir, f)).size, gzip: gz(f) });
  const sizes = { "core.wasm": size("ajs-edge/core.wasm"), "planner.js": size("ajs-edge/planner.js"), "preview.js": size("ajs-edge/preview.js") };
  const server = await serve(dir);
  const origin = `http://127.0.0.1:${server.address().port}`;
  const browser = await chromium.launch({ executablePath: process.env.AJS_CHROMIUM ?? "/usr/bin/chromium", headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"] });
  const runs = [];
  try {
    for (let r = 0; r < rounds; r++) {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(`${origin}/bench.html`);
      runs.push(await page.evaluate(async () => {
        const t0 = performance.now();
        const { Planner } = await import("/ajs-edge/planner.js");
        const t1 = performance.now();
        const planner = await Planner.load("/ajs-edge/core.wasm");
        const t2 = performance.now();
        planner.configure("");
        const t3 = performance.now();
        const event = { type: "track", event: "Signed Up", userId: "u1", properties: { plan: "pro", seats: 3 }, context: { library: { name: "analytics.js", version: "npm:next-1.84.3" } } };
        planner.plan(event, { writeKey: "demo-write-key" });
        const t4 = performance.now();
        const each = [];
        for (let i = 0; i < 200; i++) {
          const s = performance.now();
          planner.plan(event, { writeKey: "demo-write-key" });
          each.push(performance.now() - s);
        }
        each.sort((a, b) => a - b);
        return { import_ms: t1 - t0, load_ms: t2 - t1, configure_ms: t3 - t2, first_plan_ms: t4 - t3, ready_ms: t4 - t0, plan_ms: each[100] };
      }));
      await context.close();
    }
  } finally {
    await browser.close();
    server.close();
  }
  const pick = (k) => median(runs.map((x) => x[k]));
  return { rounds, sizes, import_ms: pick("import_ms"), load_ms: pick("load_ms"), configure_ms: pick("configure_ms"), first_plan_ms: pick("first_plan_ms"), ready_ms: pick("ready_ms"), plan_ms: pick("plan_ms") };
}

export function browserModuleTable(b) {
  const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
  const total = b.sizes["core.wasm"].gzip + b.sizes["planner.js"].gzip;
  return [
    `| what a page loads | raw | gzip -9 |`,
    `|---|---|---|`,
    ...Object.entries(b.sizes).map(([f, s]) => `| ${f} | ${kb(s.raw)} | ${kb(s.gzip)} |`),
    `| core.wasm + planner.js (the tester) | | **${kb(total)}** (target ≤ 150 KB) |`,
    "",
    `| in Chromium, fresh context, median of ${b.rounds} | ms |`,
    `|---|---|`,
    `| import planner.js | ${b.import_ms.toFixed(1)} |`,
    `| Planner.load: fetch, compile (streaming), instantiate | ${b.load_ms.toFixed(1)} |`,
    `| configure("") | ${b.configure_ms.toFixed(2)} |`,
    `| first plan (one track) | ${b.first_plan_ms.toFixed(2)} |`,
    `| **from import to the first plan** | **${b.ready_ms.toFixed(1)}** |`,
    `| each further plan of one track (median of 200) | ${b.plan_ms.toFixed(3)} |`,
  ].join("\n");
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const b = await benchBrowserModule({ rounds: Number(process.env.AJS_BENCH_ROUNDS ?? 9) });
  mkdirSync(join(root, "build/bench"), { recursive: true });
  writeFileSync(join(root, "build/bench/browser_module.json"), JSON.stringify(b, null, 2));
  console.log(browserModuleTable(b));
}

// End-to-end harness: the Worker under `wrangler dev` (real workerd, the real wrangler.toml with its
// [assets] and [build]), a recording tap in front of it, a static server for pages on another
// origin, and Debian's Chromium driven by playwright-core. Everything listens on 127.0.0.1.
import { spawn } from "node:child_process";
import { createReadStream, mkdtempSync, rmSync, statSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import { dirname, extname, join, normalize, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { waitFor } from "../support/capture_server.mjs";

export const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export { waitFor };

// `wrangler dev` in its own process group (workerd children included), killed as a group.
// vars: bindings given with --var (AJS_EDGE_CONFIG and the secrets); assets: an assets directory
// replacing wrangler.toml's (binding and run_worker_first stay). Resolves once the Worker answers.
// Ports: `--port 0` and `--inspector-port 0`, so the system picks free ones as it binds them (no
// port is chosen before and bound after, which another process could take in between); the port
// is read from wrangler's "Ready on http://127.0.0.1:<port>" line.
export async function startWrangler({ vars = {}, assets, log = !!process.env.AJS_E2E_LOG } = {}) {
  const state = mkdtempSync(join(tmpdir(), "ajs-e2e-wrangler-"));
  const args = ["dev", "--ip", "127.0.0.1", "--port", "0", "--inspector-port", "0",
    "--show-interactive-dev-session=false", "--persist-to", state, "--log-level", "log"];
  if (assets) args.push("--assets", assets);
  for (const [k, v] of Object.entries(vars)) args.push("--var", `${k}:${v}`);
  const child = spawn(join(root, "node_modules/.bin/wrangler"), args, {
    cwd: root,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false", NO_COLOR: "1", FORCE_COLOR: "0" },
  });
  const lines = [];
  let exited = null;
  const exit = new Promise((ok) => child.on("exit", (code, signal) => ok((exited = { code, signal }))));
  for (const stream of [child.stdout, child.stderr]) {
    let rest = "";
    stream.on("data", (chunk) => {
      if (log) process.stderr.write(chunk);
      const parts = (rest + chunk.toString()).split("\n");
      rest = parts.pop();
      lines.push(...parts);
    });
  }
  // If this process dies first (a test timeout, Ctrl-C), the group must not outlive it.
  const killGroup = () => {
    try { process.kill(-child.pid, "SIGKILL"); } catch {}
    rmSync(state, { recursive: true, force: true });
  };
  process.once("exit", killGroup);
  for (const signal of ["SIGINT", "SIGTERM"]) process.once(signal, () => { killGroup(); process.exit(130); });
  const stop = async () => {
    process.off("exit", killGroup);
    if (!exited) {
      try { process.kill(-child.pid, "SIGTERM"); } catch {}
      const timer = setTimeout(() => { try { process.kill(-child.pid, "SIGKILL"); } catch {} }, 5000);
      await exit;
      clearTimeout(timer);
    }
    rmSync(state, { recursive: true, force: true });
  };
  let port;
  try {
    port = await waitFor(
      async () => {
        if (exited) throw new Error(`wrangler dev exited (${JSON.stringify(exited)})`);
        const ready = lines.map((l) => /Ready on http:\/\/127\.0\.0\.1:(\d+)/.exec(l)).find(Boolean);
        if (!ready) return undefined;
        try {
          const res = await fetch(`http://127.0.0.1:${ready[1]}/__e2e_ready`);
          await res.arrayBuffer();
          return Number(ready[1]);
        } catch {
          return undefined; // announced, not answering yet
        }
      },
      { timeoutMs: 90_000, intervalMs: 100, what: "wrangler dev to answer" },
    );
  } catch (e) {
    await stop();
    throw new Error(`${e.message}:\n${lines.slice(-40).join("\n")}`);
  }
  const url = `http://127.0.0.1:${port}`;
  return { url, port, lines, logs: (from = 0) => jsonLines(lines, from), stop };
}

// The Worker's JSON log lines (console.log), from line `from` on.
export function jsonLines(lines, from = 0) {
  const out = [];
  for (let i = from; i < lines.length; i++) {
    const start = lines[i].indexOf("{");
    if (start < 0) continue;
    try {
      out.push(JSON.parse(lines[i].slice(start)));
    } catch {}
  }
  return out;
}

// A recording pass-through in front of the Worker, as the edge in front of a deployed one: every
// request that reaches the Worker (CORS preflights included) with its headers, body and answer.
// failNext(predicate) answers the next matching request 503 itself, as a transient fault would.
// retarget(port) sets the Worker's port (the tap starts first, so a config can name its origin).
export async function startTap(targetPort) {
  const seen = [];
  let failing = null;
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const entry = { method: req.method, path: req.url, headers: { ...req.headers }, body: body.toString("utf8") };
      seen.push(entry);
      if (failing && failing(entry)) {
        failing = null;
        entry.status = 503;
        entry.injected = true;
        const origin = req.headers.origin;
        res.writeHead(503, { "content-type": "application/json", ...(origin ? { "access-control-allow-origin": origin, "access-control-allow-credentials": "true" } : {}) });
        res.end('{"success":false,"message":"injected by the test tap"}');
        return;
      }
      const up = http.request({ host: "127.0.0.1", port: targetPort, method: req.method, path: req.url, headers: req.headers }, (ur) => {
        entry.status = ur.statusCode;
        entry.responseHeaders = { ...ur.headers };
        res.writeHead(ur.statusCode, ur.headers);
        ur.pipe(res);
      });
      up.on("error", (e) => {
        entry.error = String(e);
        res.destroy();
      });
      up.end(body);
    });
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  const url = `http://127.0.0.1:${server.address().port}`;
  return {
    url,
    seen,
    retarget(port) {
      targetPort = port;
    },
    failNext(predicate) {
      failing = predicate;
    },
    close: () => new Promise((ok) => {
      server.closeAllConnections();
      server.close(() => ok());
    }),
  };
}

const TYPES = { ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".css": "text/css", ".png": "image/png" };

// Static files from `dir` on another origin than the Worker's (the cross-origin site).
export async function startStatic(dir) {
  const server = http.createServer((req, res) => {
    const path = normalize(join(dir, decodeURIComponent(new URL(req.url, "http://x").pathname)));
    let ok = path.startsWith(dir);
    try {
      ok = ok && statSync(path).isFile();
    } catch {
      ok = false;
    }
    if (!ok) {
      res.writeHead(404, { "content-type": "text/plain" });
      res.end("not found");
      return;
    }
    res.writeHead(200, { "content-type": TYPES[extname(path)] ?? "application/octet-stream", "cache-control": "no-store" });
    createReadStream(path).pipe(res);
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    close: () => new Promise((ok) => {
      server.closeAllConnections();
      server.close(() => ok());
    }),
  };
}

// Debian's Chromium (no `playwright install`), with the flags that keep it off the network on its
// own; any host name but 127.0.0.1 fails to resolve, so nothing could reach a Segment host even if
// analytics.js tried (the tests record every attempt and fail on it).
export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.AJS_CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"],
  });
}

// A page promise that never settles (analytics.js failed to load) fails the test instead of hanging it.
export function within(ms, what, promise) {
  let timer;
  const timeout = new Promise((_, fail) => { timer = setTimeout(() => fail(new Error(`${what}: not done after ${ms} ms`)), ms); });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export const SEGMENT_HOST = /(^|\.)(segment\.io|segment\.com|segmentapis\.com)$/i;

// Records every request a browser context makes (and whether it failed) from Playwright's events:
// these do not intercept, so the browser's own CORS preflights still go to the Worker.
export function recordRequests(context) {
  const requests = [];
  context.on("request", (r) => requests.push({ method: r.method(), url: r.url(), request: r }));
  context.on("requestfailed", (r) => {
    const entry = requests.find((e) => e.request === r);
    if (entry) entry.failed = r.failure()?.errorText ?? "failed";
  });
  context.on("requestfinished", (r) => {
    const entry = requests.find((e) => e.request === r);
    if (entry) entry.finished = true;
  });
  return requests;
}

// page.goto, and when it fails (a page whose load never comes), the error names the requests
// still open in the browser, with a tap those the Worker has not answered, and with wrangler dev's
// output its last lines (a reload, an error): which part hung.
export async function goto(page, url, requests, { tap, lines } = {}) {
  try {
    return await page.goto(url);
  } catch (e) {
    const open = requests.filter((r) => !r.finished && !r.failed).map((r) => `${r.method} ${r.url}`);
    const unanswered = (tap?.seen ?? []).filter((r) => r.status === undefined && r.error === undefined).map((r) => `${r.method} ${r.path}`);
    let detail = `still open in the browser: ${JSON.stringify(open)}\nnot answered by the Worker: ${JSON.stringify(unanswered)}`;
    if (lines) detail += `\nwrangler dev's last lines:\n${lines.slice(-30).join("\n")}`;
    // A new error: the test runner prints the stack, which Playwright's error computed with its
    // first message (what was appended to e.message never showed: CI, session 13).
    throw new Error(`${e.message}\n${detail}`, { cause: e });
  }
}

// Request interception (same-origin pages and the demo, where there is no preflight for Playwright
// to answer in the Worker's place): records each request, aborts any to a Segment host.
export async function interceptSegment(context) {
  const intercepted = [];
  await context.route("**/*", (route) => {
    const url = new URL(route.request().url());
    intercepted.push({ method: route.request().method(), url: url.href });
    if (SEGMENT_HOST.test(url.hostname)) return route.abort("blockedbyclient");
    return route.continue();
  });
  return intercepted;
}

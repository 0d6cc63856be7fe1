// The ack latency a client sees (issue #17): beacons at a fixed rate, open loop (each request is
// timed from when it was due, so a stall counts against every request it delays), to the real
// Worker in workerd (Miniflare) with durable delivery as wrangler.toml declares it: the queue
// (Miniflare's broker) and its consumer, the ledger, ops and payload Durable Objects. The consumer
// delivers to a loopback server answering 200 (Gist, Gainsight and PX endpoints pointed at it), so
// the figures include a busy consumer on the same 2 cores. A floor run does the same against a
// Worker that reads the body and answers 200 (bench/cpu_null_worker.mjs): what the load generator,
// HTTP and Miniflare's entry cost alone.
//   node bench/ack_latency.mjs            (AJS_LATENCY_RATE=1000, AJS_LATENCY_SECONDS=10)
// AJS_LATENCY_CLIENT=wrk: the load from wrk (Debian's package, C, one thread) instead of this Node
// process, which then only runs the sink: a quieter generator on 2 cores. wrk keeps 100 connections,
// each sending a beacon 50–150 ms (at random: connections that start together must not stay in
// step) after its last answer (wrk's delay()): about RATE per second, timed
// from each request's sending (a stall delays the connection's next request; it counts once, not
// once per request it held up, as the Node loop's open-loop figures count it).
import { Miniflare } from "miniflare";
import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import http from "node:http";
import { fileURLToPath } from "node:url";
import { deliveryOptions } from "../tests/support/harness.mjs";

const root = fileURLToPath(new URL("../", import.meta.url));
const RATE = Number(process.env.AJS_LATENCY_RATE ?? 1000);
const SECONDS = Number(process.env.AJS_LATENCY_SECONDS ?? 10);
const WARMUP_S = 2;
// AJS_LATENCY_CONSUMER=0: the queue without its consumer (what the ack path costs alone).
const CONSUMER = process.env.AJS_LATENCY_CONSUMER !== "0";
const CLIENT = process.env.AJS_LATENCY_CLIENT ?? "node";
// The Worker as deployed; the same Worker with its queue an in-isolate stub (bench/queue_stub.mjs:
// what the ack path costs without Miniflare's local broker, which runs in the same workerd); and a
// floor that reads the body and answers 200.
const SCRIPTS = { worker: "host-shims/worker/worker.mjs", "stub-queue": "bench/cpu_core_worker.mjs", floor: "bench/cpu_null_worker.mjs" };
const LABELS = { worker: "the Worker (wasi core, queue mode)", "stub-queue": "the Worker, its queue a stub in the isolate", floor: "read the body, answer 200 (floor)" };
const WRK_CONNECTIONS = 100;

function sink() {
  let received = 0;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      received++;
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  return new Promise((ok) => server.listen(0, "127.0.0.1", () => ok({ url: `http://127.0.0.1:${server.address().port}`, received: () => received, close: () => server.close() })));
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

// Sends `count` beacons at `rate` per second; → latencies (ms) of the 2xx, and the failures.
async function load(url, rate, count, bodyOf) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const target = new URL(url);
  const latencies = [];
  let failed = 0;
  const start = performance.now() + 50;
  const pending = new Set();
  const send = (i, due) => {
    const body = bodyOf(i);
    const p = new Promise((done) => {
      const req = http.request({ host: target.hostname, port: target.port, path: "/v1/t", method: "POST", agent,
        headers: { "content-type": "text/plain", "content-length": Buffer.byteLength(body), "cf-connecting-ip": "203.0.113.7" } }, (res) => {
        res.resume();
        res.on("end", () => {
          if (res.statusCode === 200) latencies.push(performance.now() - due);
          else failed++;
          done();
        });
      });
      req.on("error", () => {
        failed++;
        done();
      });
      req.end(body);
    });
    pending.add(p);
    p.then(() => pending.delete(p));
  };
  let next = 0;
  while (next < count) {
    const now = performance.now();
    while (next < count && start + (next * 1000) / rate <= now) {
      send(next, start + (next * 1000) / rate);
      next++;
    }
    // A timer, not a spin: the generator must leave the cores to workerd (a due request waits at
    // most a tick, and that wait is counted: latencies run from when a request was due).
    await new Promise((r) => setTimeout(r, 1));
  }
  await Promise.all(pending);
  agent.destroy();
  return { latencies, failed, seconds: (performance.now() - start) / 1000 };
}

function summary(name, { latencies, failed, seconds }, count) {
  const sorted = [...latencies].sort((a, b) => a - b);
  return { name, requests: count, ok: latencies.length, failed, rate: Math.round(count / seconds), p50_ms: percentile(sorted, 50), p90_ms: percentile(sorted, 90), p99_ms: percentile(sorted, 99), max_ms: sorted.at(-1) };
}

// The same beacons from wrk: `tag` makes the messageIds unique per run. → the summary of its report.
async function loadWrk(url, rate, seconds, tag, name) {
  const delayMs = Math.round((WRK_CONNECTIONS * 1000) / rate);
  const script = `/tmp/ajs-latency-${process.pid}.lua`;
  writeFileSync(script, `local n = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "text/plain"
wrk.headers["CF-Connecting-IP"] = "203.0.113.7"
function request()
  n = n + 1
  local body = string.format('{"writeKey":"wk_latency","type":"track","event":"Order Completed","userId":"user_%d","messageId":"lat-${tag}-%d","properties":{"revenue":49.5,"currency":"EUR"},"context":{"library":{"name":"analytics.js","version":"next-1.84.3"}}}', n % 100, n)
  return wrk.format(nil, "/v1/t", nil, body)
end
function delay() return math.random(${Math.round(delayMs / 2)}, ${Math.round((3 * delayMs) / 2)}) end
`);
  const out = await new Promise((ok, fail) => execFile("wrk", ["-t1", `-c${WRK_CONNECTIONS}`, `-d${seconds}s`, "--latency", "-s", script, url], { timeout: (seconds + 30) * 1000 }, (e, stdout) => (e ? fail(e) : ok(stdout))));
  const ms = (v, unit) => Number(v) * { us: 0.001, ms: 1, s: 1000 }[unit];
  const quantile = (q) => {
    const m = new RegExp(`\\n\\s+${q}%\\s+([\\d.]+)(us|ms|s)\\b`).exec(out);
    if (!m) throw new Error(`wrk: no ${q}% line in\n${out}`);
    return ms(m[1], m[2]);
  };
  const max = /Latency\s+[\d.]+\w+\s+[\d.]+\w+\s+([\d.]+)(us|ms|s)\b/.exec(out);
  const requests = Number(/(\d+) requests in/.exec(out)?.[1]);
  const socketErrors = (/Socket errors: ([^\n]*)/.exec(out)?.[1].match(/\d+/g) ?? []).reduce((n, x) => n + Number(x), 0);
  const failed = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0) + socketErrors;
  return { name, requests, ok: requests - failed, failed, rate: Math.round(requests / seconds), p50_ms: quantile(50), p90_ms: quantile(90), p99_ms: quantile(99), max_ms: max ? ms(max[1], max[2]) : NaN };
}

async function run(name) {
  const target = await sink();
  const config = {
    allowInsecureEndpoints: true,
    sources: [{ writeKey: "wk_latency", destinations: {
      gist: { apiKey: { secret: "GIST_API_KEY" }, endpoint: target.url },
      gainsight: { accessKey: { secret: "GAINSIGHT_ACCESS_KEY" }, endpoint: target.url },
      gainsightPx: { apiKey: { secret: "GAINSIGHT_PX_API_KEY" }, endpoint: target.url },
    } }],
  };
  const durable = deliveryOptions({ consumer: { maxBatchSize: 8, maxBatchTimeout: 2 } }); // wrangler.toml's
  if (!CONSUMER || name === "stub-queue") delete durable.queueConsumers; // the stub queue delivers nothing
  const mf = new Miniflare({
    rootPath: root, modules: true, compatibilityDate: "2025-04-01", cf: false,
    scriptPath: SCRIPTS[name],
    modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
    bindings: { AJS_EDGE_CONFIG: JSON.stringify(config), GIST_API_KEY: "gist-live-4f9c2a7e", GAINSIGHT_ACCESS_KEY: "35a84f9e-7084-47a1-b8a5-593444e9e862", GAINSIGHT_PX_API_KEY: "AP-XXXXXXXXXX-2", DELIVERY_SUBREQUESTS: "10000" },
    ...(name === "floor" ? {} : durable),
    handleRuntimeStdio(stdout, stderr) { stdout.resume(); stderr.resume(); },
  });
  const url = (await mf.ready).toString();
  try {
    const bodyOf = (i) => JSON.stringify({ writeKey: "wk_latency", type: "track", event: "Order Completed", userId: `user_${i % 100}`, messageId: `lat-${name}-${i}`,
      properties: { revenue: 49.5, currency: "EUR" }, context: { library: { name: "analytics.js", version: "next-1.84.3" } } });
    let result;
    let sent;
    if (CLIENT === "wrk") {
      const warm = await loadWrk(url, RATE, WARMUP_S, `${name}-warm`, name);
      result = await loadWrk(url, RATE, SECONDS, name, name);
      sent = warm.requests + result.requests;
    } else {
      await load(url, RATE, RATE * WARMUP_S, (i) => bodyOf(1e7 + i));
      result = summary(name, await load(url, RATE, RATE * SECONDS, bodyOf), RATE * SECONDS);
      sent = RATE * (SECONDS + WARMUP_S);
    }
    if (name === "worker" && CONSUMER) {
      // Nothing lost: every beacon's three calls reach the sink once the queue drains.
      const want = 3 * sent;
      const deadline = Date.now() + 120_000;
      while (target.received() < want && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      // wrk counts the beacons answered before it stopped; a few more were in flight, and delivered.
      result.delivered = CLIENT === "wrk" ? `${target.received()} calls for at least ${want}` : `${target.received()} of ${want} calls`;
    }
    return result;
  } finally {
    await mf.dispose();
    target.close();
  }
}

const rows = [];
for (const name of ["worker", "stub-queue", "floor"]) rows.push(await run(name));
console.log(`ack latency at ${RATE} beacons/s for ${SECONDS} s (after ${WARMUP_S} s of warm-up), ${CLIENT === "wrk" ? `wrk, ${WRK_CONNECTIONS} connections` : "open loop from Node"}, one track each, durable delivery${CONSUMER ? "" : " (no consumer)"}`);
console.log("| Worker | requests | 2xx | failed | achieved rate | p50 | p90 | p99 | max | delivered |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---|");
for (const r of rows) {
  console.log(`| ${LABELS[r.name]} | ${r.requests} | ${r.ok} | ${r.failed} | ${r.rate}/s | ${r.p50_ms.toFixed(2)} ms | ${r.p90_ms.toFixed(2)} ms | ${r.p99_ms.toFixed(2)} ms | ${r.max_ms.toFixed(1)} ms | ${r.delivered ?? "—"} |`);
}

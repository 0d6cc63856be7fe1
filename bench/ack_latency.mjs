// The ack latency a client sees (issue #17): beacons at a fixed rate, open loop (each request is
// timed from when it was due, so a stall counts against every request it delays), to the real
// Worker in workerd (Miniflare) with durable delivery as wrangler.toml declares it: the queue
// (Miniflare's broker) and its consumer, the ledger, ops and payload Durable Objects. The consumer
// delivers to a loopback server answering 200 (Gist, Gainsight and PX endpoints pointed at it), so
// the figures include a busy consumer on the same 2 cores. A floor run does the same against a
// Worker that reads the body and answers 200 (bench/cpu_null_worker.mjs): what the load generator,
// HTTP and Miniflare's entry cost alone.
//   node bench/ack_latency.mjs            (AJS_LATENCY_RATE=1000, AJS_LATENCY_SECONDS=10)
import { Miniflare } from "miniflare";
import http from "node:http";
import { fileURLToPath } from "node:url";
import { deliveryOptions } from "../tests/support/harness.mjs";

const root = fileURLToPath(new URL("../", import.meta.url));
const RATE = Number(process.env.AJS_LATENCY_RATE ?? 1000);
const SECONDS = Number(process.env.AJS_LATENCY_SECONDS ?? 10);
const WARMUP_S = 2;
// AJS_LATENCY_CONSUMER=0: the queue without its consumer (what the ack path costs alone).
const CONSUMER = process.env.AJS_LATENCY_CONSUMER !== "0";

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
  if (!CONSUMER) delete durable.queueConsumers;
  const mf = new Miniflare({
    rootPath: root, modules: true, compatibilityDate: "2025-04-01", cf: false,
    scriptPath: name === "floor" ? "bench/cpu_null_worker.mjs" : "host-shims/worker/worker.mjs",
    modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
    bindings: { AJS_EDGE_CONFIG: JSON.stringify(config), GIST_API_KEY: "gist-live-4f9c2a7e", GAINSIGHT_ACCESS_KEY: "35a84f9e-7084-47a1-b8a5-593444e9e862", GAINSIGHT_PX_API_KEY: "AP-XXXXXXXXXX-2", DELIVERY_SUBREQUESTS: "10000" },
    ...(name === "floor" ? {} : durable),
    handleRuntimeStdio(stdout, stderr) { stdout.resume(); stderr.resume(); },
  });
  const url = (await mf.ready).toString();
  try {
    const bodyOf = (i) => JSON.stringify({ writeKey: "wk_latency", type: "track", event: "Order Completed", userId: `user_${i % 100}`, messageId: `lat-${name}-${i}`,
      properties: { revenue: 49.5, currency: "EUR" }, context: { library: { name: "analytics.js", version: "next-1.84.3" } } });
    await load(url, RATE, RATE * WARMUP_S, (i) => bodyOf(1e7 + i));
    const result = summary(name, await load(url, RATE, RATE * SECONDS, bodyOf), RATE * SECONDS);
    if (name !== "floor" && CONSUMER) {
      // Nothing lost: every beacon's three calls reach the sink once the queue drains.
      const want = 3 * RATE * (SECONDS + WARMUP_S);
      const deadline = Date.now() + 120_000;
      while (target.received() < want && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      result.delivered = `${target.received()} of ${want} calls`;
    }
    return result;
  } finally {
    await mf.dispose();
    target.close();
  }
}

const rows = [];
for (const name of ["worker", "floor"]) rows.push(await run(name));
console.log(`ack latency at ${RATE} beacons/s for ${SECONDS} s (after ${WARMUP_S} s of warm-up), open loop, one track each, durable delivery`);
console.log("| Worker | requests | 2xx | failed | achieved rate | p50 | p90 | p99 | max | delivered |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---|");
for (const r of rows) {
  console.log(`| ${r.name === "floor" ? "read the body, answer 200 (floor)" : "the Worker (wasi core, queue mode)"} | ${r.requests} | ${r.ok} | ${r.failed} | ${r.rate}/s | ${r.p50_ms.toFixed(2)} ms | ${r.p90_ms.toFixed(2)} ms | ${r.p99_ms.toFixed(2)} ms | ${r.max_ms.toFixed(1)} ms | ${r.delivered ?? "—"} |`);
}

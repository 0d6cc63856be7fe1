// Shared set-up of the ingest tests: one capture receiver and one Worker per build, configured
// with three sources, plus helpers to read the Worker's log lines and to prove that nothing was
// planned or delivered.
import assert from "node:assert/strict";
import { startWorker, jsonLogs } from "./harness.mjs";
import { startCaptureServer, waitFor } from "./capture_server.mjs";

export const IP = "203.0.113.7"; // sent as CF-Connecting-IP on every request unless a test overrides it
export const ORIGIN = "https://shop.example"; // the one allowed origin
export const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
export const GENERATED_ID = /^ajs-edge-(\d+)-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

// key-a and key-b deliver to <receiver>/a and /b; key-log prints its calls (capture:log);
// key-strict delivers to /s and refuses a message Segment would drop (rejectInvalidEvents).
export function ingestConfig(captureUrl) {
  const allowedOrigins = [ORIGIN];
  return {
    allowInsecureEndpoints: true,
    sources: [
      { writeKey: "key-a", name: "A", allowedOrigins, destinations: { capture: { endpoint: `${captureUrl}/a` } } },
      { writeKey: "key-b", name: "B", allowedOrigins, destinations: { capture: { endpoint: `${captureUrl}/b` } } },
      { writeKey: "key-log", name: "logged", allowedOrigins, destinations: { capture: {} } },
      { writeKey: "key-strict", name: "strict", allowedOrigins, rejectInvalidEvents: true, destinations: { capture: { endpoint: `${captureUrl}/s` } } },
    ],
  };
}

export async function startIngest(build, config = ingestConfig) {
  const server = await startCaptureServer();
  // Inline delivery (the explicit opt-in): these tests look at what is planned and sent, not at
  // the queue, which tests/delivery/delivery_*.test.mjs cover.
  const worker = await startWorker(build, { bindings: { AJS_EDGE_CONFIG: JSON.stringify(config(server.url)), DELIVERY_MODE: "inline" } });
  return new IngestContext(worker, server);
}

let sentinelCount = 0;
let barrierCount = 0;
export const SENTINEL_PATH = "/v1/t/"; // an alias of /v1/t that no test uses, so its log line is recognisable

class IngestContext {
  constructor(worker, server) {
    this.worker = worker;
    this.server = server;
  }

  // POSTs `body` (an object is sent as JSON text, a string or bytes as they are).
  post(path, body, headers = {}) {
    const payload = typeof body === "string" || body instanceof Uint8Array ? body : JSON.stringify(body);
    return this.worker.fetch(path, {
      method: "POST",
      headers: { "content-type": "text/plain", "cf-connecting-ip": IP, ...headers },
      body: payload,
    });
  }

  fetch(path, init) {
    return this.worker.fetch(path, init);
  }

  // A log barrier: a request to a unique unknown path, whose 404 log line is awaited. Worker log
  // lines reach Node asynchronously but in order, so once it is in, every line written by the
  // requests before it is in too. Returns the index of the barrier's own line.
  async barrier() {
    const path = `/__barrier/${++barrierCount}`;
    const res = await this.worker.fetch(path);
    await res.arrayBuffer();
    assert.equal(res.status, 404);
    const needle = `"path":"${path}"`;
    const lines = this.worker.logs;
    return waitFor(
      () => {
        for (let i = lines.length - 1; i >= 0; i--) if (lines[i].includes(needle)) return i;
        return undefined;
      },
      { what: `the log barrier ${path}` },
    );
  }

  // The log position after which only lines of requests sent from now on appear (async delivery
  // lines of earlier requests aside).
  async mark() {
    return (await this.barrier()) + 1;
  }

  logsSince(mark, to) {
    return jsonLogs(this.worker.logs, mark, to);
  }

  // The first log line after `mark` that `match` accepts.
  waitForLog(mark, match, what = "a log line", timeoutMs = 5000) {
    return waitFor(() => this.logsSince(mark).find(match), { what, timeoutMs });
  }

  // The {at:"ingest"} summary line of the request sent after `mark`: status, counters, calls planned.
  ingestLog(mark) {
    return this.waitForLog(mark, (l) => l.at === "ingest", "the ingest log line");
  }

  // Proves that the requests sent after `mark` delivered nothing: a valid sentinel event goes to
  // key-a next; once it arrives, the receiver must hold it alone. Returns the log lines of those
  // requests (from `mark` to a barrier after the sentinel, the sentinel's own lines left out).
  async expectNothingDelivered(mark) {
    const messageId = `sentinel-${++sentinelCount}`;
    const res = await this.post(SENTINEL_PATH, { writeKey: "key-a", userId: "sentinel", event: "Sentinel", messageId });
    assert.equal(res.status, 200);
    await res.arrayBuffer();
    const got = await this.server.take(1);
    assert.deepEqual(
      got.map((r) => r.body?.messageId),
      [messageId],
      "only the sentinel reached the receiver",
    );
    const end = await this.barrier();
    return this.logsSince(mark, end).filter((l) => l.path !== SENTINEL_PATH && l.messageId !== messageId);
  }

  async dispose() {
    await this.worker.dispose();
    await this.server.close();
  }
}

// Reads a Worker reply: status, headers and the parsed JSON body.
export async function reply(res) {
  const text = await res.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: res.status, headers: res.headers, body };
}

// Checks the receivedAt the Worker stamped: ISO-8601 with milliseconds, within the test's window.
export function assertReceivedAt(value, startedMs, endedMs) {
  assert.match(value, ISO_MS);
  const ms = Date.parse(value);
  assert.ok(ms >= startedMs - 1000 && ms <= endedMs + 1000, `receivedAt ${value} outside the request's time window`);
  return ms;
}

export const iso = (ms) => new Date(ms).toISOString();

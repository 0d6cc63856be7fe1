// Shared set-up of the Gist and Gainsight workerd tests: the contract-strict fakes, one Worker per
// build whose sources point each destination's `endpoint` at a fake, with the secrets as bindings,
// and helpers that wait until every call a request planned has had its final delivery attempt.
import assert from "node:assert/strict";
import { startWorker, jsonLogs } from "./harness.mjs";
import { waitFor } from "./capture_server.mjs";
import { startFakeGist } from "../fakes/gist.mjs";
import { startFakeGainsight, startFakePx } from "../fakes/gainsight.mjs";

export const IP = "203.0.113.7"; // CF-Connecting-IP of every request
export const GIST_KEY = "gist-live-4f9c2a7e";
export const WRONG_GIST_KEY = "gist-revoked-0000";
export const GAINSIGHT_KEY = "35a84f9e-7084-47a1-b8a5-593444e9e862";
export const PX_KEY = "AP-XXXX-1";
export const SECRETS = {
  GIST_API_KEY: GIST_KEY,
  GIST_WRONG_KEY: WRONG_GIST_KEY,
  GAINSIGHT_ACCESS_KEY: GAINSIGHT_KEY,
  GAINSIGHT_PX_API_KEY: PX_KEY,
};
export const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
export const iso = (ms) => new Date(ms).toISOString();
export const pxAuth = (key) => `Basic ${Buffer.from(`${key}:`).toString("base64")}`;

export const gistDest = (fake, settings = {}) => ({ apiKey: { secret: "GIST_API_KEY" }, endpoint: fake.url, ...settings });
export const gainsightDest = (fake, settings = {}) => ({ accessKey: { secret: "GAINSIGHT_ACCESS_KEY" }, endpoint: fake.url, ...settings });
export const pxDest = (fake, settings = {}) => ({ apiKey: { secret: "GAINSIGHT_PX_API_KEY" }, endpoint: fake.url, ...settings });

// A delivery log line is final when no further attempt of that call follows it.
const isFinal = (l) => l.at === "delivery" && (l.outcome !== "retry" || l.attempt >= 3);

let barriers = 0;

// fakes: which fakes to start; sources(fakes) → the config's sources.
export async function startDestinations(build, { gist = false, gainsight = false, px = false, sources }) {
  const fakes = {};
  if (gist) fakes.gist = await startFakeGist({ apiKey: GIST_KEY });
  if (gainsight) fakes.gainsight = await startFakeGainsight({ accessKey: GAINSIGHT_KEY });
  if (px) fakes.px = await startFakePx({ apiKey: PX_KEY });
  try {
    const config = { allowInsecureEndpoints: true, sources: sources(fakes) };
    // Inline delivery (the explicit opt-in): three attempts a call, no queue in between.
    const worker = await startWorker(build, { bindings: { AJS_EDGE_CONFIG: JSON.stringify(config), ...SECRETS, DELIVERY_MODE: "inline", DELIVERY_LOG: "calls" } });
    return new DestinationsContext(worker, fakes);
  } catch (e) {
    for (const fake of Object.values(fakes)) await fake.close(); // else their sockets keep the test process alive
    throw e;
  }
}

class DestinationsContext {
  constructor(worker, fakes) {
    this.worker = worker;
    this.fakes = fakes;
  }

  // Forgets what the fakes received and stored.
  reset() {
    const { gist, gainsight, px } = this.fakes;
    if (gist) {
      gist.requests.length = 0;
      gist.contacts.clear();
      gist.events.length = 0;
      gist.tags.clear();
    }
    for (const fake of [gainsight, px]) {
      if (!fake) continue;
      fake.received.length = 0;
      fake.rejected.length = 0;
    }
  }

  // POSTs a body as analytics.js does (text/plain JSON), from IP.
  async post(path, body, headers = {}) {
    const res = await this.worker.fetch(path, {
      method: "POST",
      headers: { "content-type": "text/plain", "cf-connecting-ip": IP, ...headers },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: await res.json() };
  }

  // The log position after which only lines of requests sent from now on appear: the 404 line of
  // a unique unknown path is awaited (Worker log lines reach Node in order).
  async mark() {
    const path = `/__barrier/${++barriers}`;
    const res = await this.worker.fetch(path);
    await res.arrayBuffer();
    assert.equal(res.status, 404);
    const lines = this.worker.logs;
    const index = await waitFor(
      () => {
        for (let i = lines.length - 1; i >= 0; i--) if (lines[i].includes(`"path":"${path}"`)) return i;
        return undefined;
      },
      { what: `the log barrier ${path}` },
    );
    return index + 1;
  }

  logsSince(mark) {
    return jsonLogs(this.worker.logs, mark);
  }

  // Waits for the ingest lines of the `requests` requests sent after `mark`, then for the final
  // delivery line of every call they planned: after it the fakes hold all they will ever get.
  async settle(mark, { requests = 1, timeoutMs = 5000 } = {}) {
    const ingests = await waitFor(
      () => {
        const found = this.logsSince(mark).filter((l) => l.at === "ingest");
        return found.length >= requests ? found : undefined;
      },
      { what: `${requests} ingest log line(s)`, timeoutMs },
    );
    const calls = ingests.reduce((n, l) => n + l.calls, 0);
    await waitFor(() => this.logsSince(mark).filter(isFinal).length >= calls, { what: `${calls} final delivery line(s)`, timeoutMs });
    const lines = this.logsSince(mark);
    return {
      calls,
      ingests,
      deliveries: lines.filter((l) => l.at === "delivery"),
      notes: lines.filter((l) => l.at === "note"),
    };
  }

  // Posts one request and settles it; asserts the client got 200 {"success":true}.
  async send(path, body, { headers, timeoutMs } = {}) {
    const mark = await this.mark();
    const res = await this.post(path, body, headers);
    assert.deepEqual(res, { status: 200, body: { success: true } });
    return this.settle(mark, { timeoutMs });
  }

  async dispose() {
    await this.worker.dispose();
    for (const fake of Object.values(this.fakes)) await fake.close();
  }
}

// A delivery line reduced to what the tests compare.
export const attemptOf = (l) => ({ destination: l.destination, messageId: l.messageId, status: l.status, outcome: l.outcome, attempt: l.attempt });

// The Gist requests as [method, path, authorization, body].
export const gistCalls = (gist) => gist.requests.map((r) => [r.method, r.path, r.headers.authorization, r.body]);

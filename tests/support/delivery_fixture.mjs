// Shared set-up of the durable-delivery tests: the Gist, Gainsight and PX fakes, each behind a
// fault-injecting proxy (rate 0 unless asked), and one Worker per build with the queue, its
// dead-letter queue and the Durable Objects bound, delays made small through bindings.
import assert from "node:assert/strict";
import { startWorker, deliveryOptions } from "./harness.mjs";
import { waitFor } from "./capture_server.mjs";
import { startFakeGist } from "../fakes/gist.mjs";
import { startFakeGainsight, startFakePx } from "../fakes/gainsight.mjs";
import { startFaultyProxy } from "../fakes/faulty.mjs";

export const ADMIN_TOKEN = "admin-test-token-5b1e";
export const SECRETS = {
  GIST_API_KEY: "gist-live-4f9c2a7e",
  GAINSIGHT_ACCESS_KEY: "35a84f9e-7084-47a1-b8a5-593444e9e862",
  GAINSIGHT_PX_API_KEY: "AP-SECRET-TAG-KEY-2",
};
// Fast retries for tests; production defaults are in host-shims/delivery/delivery_config.mjs. The timeout
// stays long: a loopback call answered after it would be applied and then sent again (at least
// once), and on a loaded machine a 250 ms timeout made exact-count tests fail that way.
export const FAST = {
  DELIVERY_TIMEOUT_MS: "5000",
  DELIVERY_RETRY_BASE_S: "0.5",
  DELIVERY_RETRY_CAP_S: "1",
  DELIVERY_RETRY_AFTER_MAX_S: "1",
  DELIVERY_MAX_ATTEMPTS: "6",
  DELIVERY_CONCURRENCY: "100",
  DELIVERY_LOG: "calls", // a line per call: the tests read what became of each
};

export const destinations = (p) => ({
  gist: { apiKey: { secret: "GIST_API_KEY" }, endpoint: p.gist.url },
  gainsight: { accessKey: { secret: "GAINSIGHT_ACCESS_KEY" }, endpoint: p.gainsight.url },
  gainsightPx: { apiKey: { secret: "GAINSIGHT_PX_API_KEY" }, endpoint: p.px.url },
});

// options: {faults: {rate, seed, hangMs, retryAfter, kinds}, bindings, consumer, queue: false (no queue bound),
// sources(proxies) → the config's sources, ratelimits (Miniflare's form)}
export async function startDelivery(build, { faults = {}, bindings = {}, consumer, queue = true, sources, ratelimits } = {}) {
  const fakes = {
    gist: await startFakeGist({ apiKey: SECRETS.GIST_API_KEY }),
    gainsight: await startFakeGainsight({ accessKey: SECRETS.GAINSIGHT_ACCESS_KEY }),
    px: await startFakePx({ apiKey: SECRETS.GAINSIGHT_PX_API_KEY }),
  };
  const proxies = {};
  let seed = faults.seed ?? 1;
  for (const [name, fake] of Object.entries(fakes)) {
    proxies[name] = await startFaultyProxy(fake.url, { rate: 0, hangMs: 1000, retryAfter: 1, ...faults, seed: seed++ });
  }
  const config = { allowInsecureEndpoints: true, sources: sources ? sources(proxies) : [{ writeKey: "wk", destinations: destinations(proxies) }] };
  let worker;
  try {
    worker = await startWorker(build, {
      bindings: { AJS_EDGE_CONFIG: JSON.stringify(config), ...SECRETS, ADMIN_TOKEN, ...FAST, ...bindings },
      ...(queue ? deliveryOptions({ consumer }) : {}),
      ...(ratelimits ? { ratelimits } : {}),
    });
  } catch (e) {
    // Nothing else would close them, and open servers keep the test process from ending.
    for (const server of [...Object.values(proxies), ...Object.values(fakes)]) await server.close();
    throw e;
  }
  return new DeliveryContext(worker, fakes, proxies);
}

class DeliveryContext {
  constructor(worker, fakes, proxies) {
    this.worker = worker;
    this.fakes = fakes;
    this.proxies = proxies;
  }

  async post(path, body, headers = {}) {
    const res = await this.worker.fetch(path, {
      method: "POST",
      headers: { "content-type": "text/plain", "cf-connecting-ip": "203.0.113.7", ...headers },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let json;
    try {
      json = JSON.parse(text);
    } catch {}
    return { status: res.status, headers: res.headers, body: json ?? text };
  }

  async admin(method, path, body, token = ADMIN_TOKEN) {
    const res = await this.worker.fetch(path, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { "content-type": "application/json" } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    let json;
    try {
      json = JSON.parse(text);
    } catch {}
    return { status: res.status, body: json ?? text };
  }

  async stats() {
    const r = await this.admin("GET", "/admin/stats");
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body;
  }

  // Waits until `done(stats)` holds and the counters have not moved for `quietMs`.
  async settle(done = () => true, { quietMs = 2500, timeoutMs = 60_000 } = {}) {
    let last = "";
    let since = Date.now();
    return waitFor(
      async () => {
        const s = await this.stats();
        const now = JSON.stringify(s.counters) + s.deadLetters;
        if (now !== last) {
          last = now;
          since = Date.now();
          return undefined;
        }
        return Date.now() - since >= quietMs && done(s) ? s : undefined;
      },
      { timeoutMs, intervalMs: 250, what: "delivery to settle" },
    );
  }

  // Every request the upstreams accepted (2xx), per destination, in arrival order.
  delivered() {
    const ok = (p) => p.forwarded.filter((f) => f.status >= 200 && f.status < 300);
    return { gist: ok(this.proxies.gist), gainsight: ok(this.proxies.gainsight), gainsightPx: ok(this.proxies.px) };
  }

  rejected() {
    return Object.values(this.proxies).flatMap((p) => p.forwarded.filter((f) => f.status >= 300));
  }

  async dispose() {
    await this.worker.dispose();
    for (const p of Object.values(this.proxies)) await p.close();
    for (const f of Object.values(this.fakes)) await f.close();
  }
}

// The id a delivered body carries: Gainsight bodies are the Segment message (messageId); Gist
// bodies carry it where the test put it (a `seq` trait or property).
export function deliveredId(destination, body) {
  if (destination === "gist") return body?.custom_properties?.seq ?? body?.properties?.seq;
  return body?.messageId;
}

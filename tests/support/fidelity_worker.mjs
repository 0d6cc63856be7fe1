// The Worker side of the fidelity tests (tests/fidelity/): the real core (build/wasm/ajs_edge.wasm)
// driven in-process through `Core`, as the host drives it, with the secrets filled in as the host
// fills them (host-shims/worker/secrets.mjs `headerValue`).
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Core } from "../../host-shims/core/core.mjs";
import { headerValue } from "../../host-shims/worker/secrets.mjs";

const root = fileURLToPath(new URL("../../", import.meta.url));
const encoder = new TextEncoder();
const decoder = new TextDecoder();

export const RECEIVED_AT = Date.UTC(2026, 7, 1, 10, 0, 0, 500); // 2026-08-01T10:00:00.500Z
export const HOST = "edge.example.com";
export const GAINSIGHT_KEY = "35a84f9e-7084-47a1-b8a5-593444e9e862";
export const PX_KEY = "AP-XXXXXXXXXX-2";
export const GIST_KEY = "gist-live-4f9c2a7e";
export const SECRETS = { GAINSIGHT_ACCESS_KEY: GAINSIGHT_KEY, GAINSIGHT_PX_API_KEY: PX_KEY, GIST_API_KEY: GIST_KEY };

// The sources of the corpus (tests/support/fidelity_corpus.mjs picks one by writeKey). The
// destinations keep their real endpoints: the plan is compared, nothing is sent.
export const WHITELISTS = {
  "wk-gs": [],
  "wk-gs-wl1": ["Order Completed", "mapped event"],
  "wk-gs-wl2": ["order_completed", "signupStarted", "Checkout-Step.Viewed"],
};
export const PX_REGIONS = { "wk-gs": "north_america", "wk-px-eu": "europe", "wk-px-us2": "us2" };

export function fidelityConfig() {
  const sources = Object.entries(WHITELISTS).map(([writeKey, whitelistTrackEvents]) => ({
    writeKey,
    destinations: {
      gainsight: { accessKey: { secret: "GAINSIGHT_ACCESS_KEY" }, whitelistTrackEvents },
      gainsightPx: { apiKey: { secret: "GAINSIGHT_PX_API_KEY" }, region: PX_REGIONS[writeKey] ?? "north_america" },
      gist: { apiKey: { secret: "GIST_API_KEY" } },
    },
  }));
  for (const writeKey of ["wk-px-eu", "wk-px-us2"]) {
    sources.push({ writeKey, destinations: { gainsightPx: { apiKey: { secret: "GAINSIGHT_PX_API_KEY" }, region: PX_REGIONS[writeKey] } } });
  }
  return { sources };
}

// The request meta the Worker hands the core (host-shims/worker/worker_app.mjs) for a corpus
// request {path, ip, contentType}; `extra` overrides members (wasm/pgo/train.mjs: seed, queue, geo).
export function corpusMeta({ path, ip, contentType = "text/plain" }, extra = {}) {
  const headers = { "content-type": contentType };
  if (ip) headers["cf-connecting-ip"] = ip;
  return { method: "POST", url: `https://${HOST}${path}`, headers, receivedAt: RECEIVED_AT, seed: "5eed5eed5eed5eed", bodyTooLarge: false, bodyError: "", ...extra };
}

export class WorkerCore {
  static async start() {
    const self = new WorkerCore();
    self.core = await Core.instantiate(await WebAssembly.compile(readFileSync(`${root}build/wasm/ajs_edge.wasm`)));
    self.core.configure(JSON.stringify(fidelityConfig()));
    return self;
  }

  // request: {path, body (text), ip, contentType}. → {status, reply, calls: [{destination, method,
  // url, headers (lower-case names, secrets filled), body (text), messageId}], notes}
  handle(request) {
    const plan = this.core.handle(corpusMeta(request), encoder.encode(request.body));
    const calls = plan.requests.map((r) => ({
      destination: r.destination,
      method: r.method,
      url: r.url,
      headers: Object.fromEntries(r.headers.map((h) => [h.name.toLowerCase(), headerValue(h, SECRETS)])),
      body: decoder.decode(r.body),
      messageId: r.messageId,
    }));
    return { status: plan.status, reply: decoder.decode(plan.replyBody), calls, notes: plan.notes };
  }
}

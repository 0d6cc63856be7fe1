// Shared set-up of the e2e suites: the strict fakes, one configured Worker under `wrangler dev`
// whose sources deliver to them, the tap in front of it, and what a delivered message must be.
import { cpSync } from "node:fs";
import { join } from "node:path";
import { buildAssets } from "../../scripts/build-assets.mjs";
import { startFakeGist } from "../fakes/gist.mjs";
import { startFakeGainsight, startFakePx } from "../fakes/gainsight.mjs";
import { GAINSIGHT_KEY, GIST_KEY, PX_KEY, SECRETS } from "../support/destinations_fixture.mjs";
import { root, startTap, startWrangler, waitFor } from "./harness.mjs";

export { GAINSIGHT_KEY, GIST_KEY, PX_KEY };
export const PREFIX = "/collect"; // AJS_ASSETS_PREFIX of the test build, and the config's basePath
export const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
export const basic = (user) => `Basic ${Buffer.from(`${user}:`).toString("base64")}`;

// Every source sends to all three fakes; Gist takes pages and groups too.
function destinations(fakes) {
  return {
    gist: { apiKey: { secret: "GIST_API_KEY" }, endpoint: fakes.gist.url, pages: true, groups: "company" },
    gainsight: { accessKey: { secret: "GAINSIGHT_ACCESS_KEY" }, endpoint: fakes.gainsight.url },
    gainsightPx: { apiKey: { secret: "GAINSIGHT_PX_API_KEY" }, endpoint: fakes.px.url },
  };
}

// sources(destinations) → the config's sources. site: a directory of test pages, served by the
// Worker too (same origin) under /e2e/ of a test copy of the assets built with PREFIX. vars: more
// bindings (e.g. delivery tuning).
export async function startEdge({ sources, site, vars = {} }) {
  const assets = join(root, "build/e2e/assets");
  buildAssets({ out: assets, prefix: PREFIX });
  if (site) cpSync(site, join(assets, "e2e"), { recursive: true });
  const fakes = {
    gist: await startFakeGist({ apiKey: GIST_KEY }),
    gainsight: await startFakeGainsight({ accessKey: GAINSIGHT_KEY }),
    px: await startFakePx({ apiKey: PX_KEY }),
  };
  let worker, tap;
  try {
    // The tap's port is known before the Worker's, so sources can allow its origin.
    tap = await startTap(0);
    const config = { basePath: PREFIX, allowInsecureEndpoints: true, sources: sources(destinations(fakes), tap.url) };
    worker = await startWrangler({ vars: { AJS_EDGE_CONFIG: JSON.stringify(config), ...SECRETS, ...vars }, assets });
    tap.retarget(worker.port);
  } catch (e) {
    await tap?.close();
    for (const f of Object.values(fakes)) await f.close();
    throw e;
  }
  return {
    fakes,
    worker,
    tap,
    cdn: tap.url + PREFIX,
    reset() {
      const { gist, gainsight, px } = fakes;
      gist.requests.length = 0;
      gist.contacts.clear();
      gist.events.length = 0;
      gist.tags.clear();
      for (const f of [gainsight, px]) {
        f.received.length = 0;
        f.rejected.length = 0;
      }
    },
    // Waits until the fakes hold at least these many requests (Gist, Gainsight, PX).
    // On a timeout the error says what the Worker was asked and what it logged (a lost call and a
    // slow one look alike from the fakes).
    async until([gist, gainsight, px], what = "deliveries") {
      const got = () => [fakes.gist.requests.length, fakes.gainsight.received.length + fakes.gainsight.rejected.length, fakes.px.received.length + fakes.px.rejected.length];
      try {
        await waitFor(() => { const g = got(); return g[0] >= gist && g[1] >= gainsight && g[2] >= px; },
          { timeoutMs: 15_000, what: () => `${what}: want ${[gist, gainsight, px]} at Gist/Gainsight/PX, have ${got()}` });
      } catch (e) {
        const asked = tap.seen.slice(-12).map((r) => `${r.method} ${r.path} ${r.status ?? r.error ?? "(no answer yet)"}`);
        throw new Error(`${e.message}\nthe Worker's last requests: ${JSON.stringify(asked)}\nwrangler dev's last lines:\n${worker.lines.slice(-40).join("\n")}`, { cause: e });
      }
    },
    async stop() {
      await tap.close();
      await worker.stop();
      for (const f of Object.values(fakes)) await f.close();
    },
  };
}

// What Gainsight and PX must receive for a message the client sent: the message as sent, less its
// writeKey, with the Worker's normalization (README "What it accepts"): receivedAt, the client's
// timestamp kept as originalTimestamp, timestamp = receivedAt − (sentAt − timestamp), context.ip
// from CF-Connecting-IP for a client library's event (Segment fills it "for client side events
// only"), channel ("client" for those, else "server") and version 2, and a batch envelope's sentAt
// on items that lack one. receivedAt is read from the delivery (the Worker's clock) and must be an
// ISO time within the test's window.
export function normalized(sent, delivered, { envelopeSentAt, ip = "127.0.0.1", since }) {
  const expected = structuredClone(sent);
  delete expected.writeKey;
  const sentAt = sent.sentAt ?? envelopeSentAt;
  expected.sentAt = sentAt;
  const receivedAt = delivered.receivedAt;
  if (typeof receivedAt !== "string" || !ISO_MS.test(receivedAt)) throw new Error(`receivedAt ${receivedAt}: not an ISO time`);
  const received = Date.parse(receivedAt);
  if (received < since || received > Date.now()) throw new Error(`receivedAt ${receivedAt}: outside the test`);
  expected.receivedAt = receivedAt;
  expected.originalTimestamp = sent.timestamp;
  expected.timestamp = new Date(received - (Date.parse(sentAt) - Date.parse(sent.timestamp))).toISOString();
  const client = expected.context?.library?.name === "analytics.js";
  if (client) expected.context = { ...expected.context, ip: expected.context?.ip ?? ip };
  expected.channel = client ? "client" : "server";
  expected.version = 2;
  return expected;
}

// Issue #17 in real workerd: the Worker passes what request.cf knows to the core, which picks each
// destination's instance by it (geo rules), adds context.location where a source asks, and applies
// the source's IP policy. Miniflare sets `cf` per request.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { WORKERD_BUILDS, startWorker } from "../support/harness.mjs";
import { startCaptureServer } from "../support/capture_server.mjs";

const EU = { continent: "EU", country: "DE", region: "Bavaria", regionCode: "BY", city: "Munich", postalCode: "80331", timezone: "Europe/Berlin", latitude: "48.13743", longitude: "11.57549", isEUCountry: "1" };
const US = { continent: "NA", country: "US", region: "Texas", city: "Austin", timezone: "America/Chicago", latitude: "30.27", longitude: "-97.74" };

for (const build of WORKERD_BUILDS) {
  describe(`geo rules, location and the IP policy [${build.name}]`, () => {
    let worker, server;
    before(async () => {
      server = await startCaptureServer();
      const config = {
        allowInsecureEndpoints: true,
        sources: [
          {
            writeKey: "wk-geo", enrichLocation: true, ipAddress: "masked",
            destinations: {
              capture: {
                endpoint: `${server.url}/us`,
                geo: [{ when: { isEUCountry: true }, use: { endpoint: `${server.url}/eu` } }],
              },
            },
          },
          { writeKey: "wk-plain", destinations: { capture: { endpoint: `${server.url}/plain` } } },
        ],
      };
      worker = await startWorker(build, { bindings: { AJS_EDGE_CONFIG: JSON.stringify(config), DELIVERY_MODE: "inline" } });
    });
    after(async () => {
      await worker?.dispose();
      await server?.close();
    });

    const track = (writeKey, cf) =>
      worker.mf.dispatchFetch("https://edge.example.com/v1/t", {
        method: "POST",
        headers: { "content-type": "text/plain", "cf-connecting-ip": "203.0.113.7" },
        body: JSON.stringify({ writeKey, type: "track", event: "E", userId: "u", messageId: `m-${writeKey}`, context: { library: { name: "analytics.js" } } }),
        ...(cf ? { cf } : {}),
      });

    test("an EU visitor's message goes to the EU instance with its location; the IP masked to /24", async () => {
      assert.equal((await track("wk-geo", EU)).status, 200);
      const [got] = await server.take(1);
      assert.equal(got.path, "/eu");
      assert.deepEqual(got.body.context, {
        library: { name: "analytics.js" },
        ip: "203.0.113.0",
        location: { city: "Munich", country: "DE", region: "Bavaria", latitude: 48.13743, longitude: 11.57549 },
        timezone: "Europe/Berlin",
      });
    });

    test("a US visitor's goes to the destination's own instance, with its own location", async () => {
      assert.equal((await track("wk-geo", US)).status, 200);
      const [got] = await server.take(1);
      assert.equal(got.path, "/us");
      assert.deepEqual(got.body.context.location, { city: "Austin", country: "US", region: "Texas", latitude: 30.27, longitude: -97.74 });
      assert.equal(got.body.context.timezone, "America/Chicago");
    });

    test("a source without the settings gets none of it; a visitor Cloudflare cannot place goes to the own instance", async () => {
      assert.equal((await track("wk-plain", EU)).status, 200);
      const [plain] = await server.take(1);
      assert.equal(plain.path, "/plain");
      assert.deepEqual(plain.body.context, { library: { name: "analytics.js" }, ip: "203.0.113.7" });
      // Tor ("T1"): no continent, no EU membership, no city. (Without a cf object of its own
      // Miniflare gives a placeholder one, so "nothing known" is tested in the core: geo_test.cpp.)
      assert.equal((await track("wk-geo", { country: "T1", continent: "", city: "", region: "", timezone: "", latitude: "", longitude: "", isEUCountry: "0" })).status, 200);
      const [unknown] = await server.take(1);
      assert.equal(unknown.path, "/us");
      assert.deepEqual(unknown.body.context.location, { country: "T1" });
      assert.equal(unknown.body.context.timezone, undefined);
      assert.equal(unknown.body.context.ip, "203.0.113.0");
    });
  });
}

// Issue #17, data residency: a source with "residency": "eu" has what the host stores of its calls
// (the ledger row, a chain too large for a queue message, a dead letter) in Durable Objects of the
// EU jurisdiction, and nothing of it in the default ones; another source's stays where it was.
// Production asks namespace.jurisdiction("eu") (checked here with a namespace that records it);
// workerd has no jurisdictions, so in Miniflare those objects are the ones named "eu/<name>".
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { deliveryOptions, startWorker } from "../support/harness.mjs";
import { startRecordingServer, waitFor } from "../support/capture_server.mjs";
import { jurisdictionOfKey, jurisdictionOfScope, objectIn } from "../../host-shims/durable/residency.mjs";

test("the jurisdiction is read from a call's scope; production objects come from namespace.jurisdiction()", () => {
  assert.equal(jurisdictionOfScope("gist:0123456789abcdef:fedcba9876543210:eu"), "eu");
  assert.equal(jurisdictionOfScope("gist:0123456789abcdef:fedcba9876543210"), null);
  assert.equal(jurisdictionOfScope("eu"), null);
  assert.equal(jurisdictionOfKey("gist:0123456789abcdef:fedcba9876543210:eu|m-1|0"), "eu");
  assert.equal(jurisdictionOfKey("gist|m-1|0"), null); // a key from before scopes
  const asked = [];
  const ns = (where) => ({
    idFromName: (name) => (asked.push(`${where}:${name}`), name),
    get: (id) => ({ id }),
    jurisdiction: (j) => ns(j),
  });
  assert.deepEqual(objectIn(ns("default"), "eu", "events/3"), { id: "events/3" });
  assert.deepEqual(objectIn(ns("default"), null, "events/3"), { id: "events/3" });
  assert.deepEqual(asked, ["eu:events/3", "default:events/3"]);
});

describe("data residency in workerd", () => {
  let worker, server;
  const names = async () => (await worker.fetch("/test/names", { method: "POST" })).json();
  const track = (writeKey, messageId, properties = {}) =>
    worker.fetch("/v1/t", { method: "POST", headers: { "content-type": "text/plain" }, body: JSON.stringify({ writeKey, type: "track", event: "E", userId: "u", messageId, properties }) });
  const admin = (path) => worker.fetch(path, { headers: { authorization: "Bearer admin-token" } }).then((r) => r.json());

  before(async () => {
    server = await startRecordingServer((req, hits) => [hits.at(-1).body.includes('"fail":true') ? 400 : 200]);
    const gist = { apiKey: { secret: "GIST_API_KEY" }, endpoint: server.url };
    const config = { allowInsecureEndpoints: true, sources: [
      { writeKey: "wk-eu", residency: "eu", destinations: { gist } },
      { writeKey: "wk-plain", destinations: { gist } },
    ] };
    worker = await startWorker({ name: "residency", script: "tests/support/residency_worker.mjs" }, {
      bindings: { AJS_EDGE_CONFIG: JSON.stringify(config), GIST_API_KEY: "gist-key", ADMIN_TOKEN: "admin-token" },
      ...deliveryOptions(),
    });
    await names();
  });
  after(async () => {
    await worker?.dispose();
    await server?.close();
  });

  test("an EU source's ledger rows are in EU objects, another source's in the default ones", async () => {
    assert.equal((await track("wk-eu", "m-eu-1")).status, 200);
    await waitFor(async () => (await admin("/admin/stats")).counters.gist?.sent >= 1, { timeoutMs: 10_000, intervalMs: 100, what: "counted" });
    const eu = await names();
    assert.ok(eu.DELIVERY_LEDGER.length > 0 && eu.DELIVERY_LEDGER.every((n) => /^eu\/events\/\d+$/.test(n)), JSON.stringify(eu));
    assert.ok(eu.jurisdictions.includes("DELIVERY_LEDGER:eu"), JSON.stringify(eu.jurisdictions)); // workerd has none: asked, then named
    assert.equal((await track("wk-plain", "m-plain-1")).status, 200);
    await waitFor(async () => (await admin("/admin/stats")).counters.gist?.sent >= 2, { timeoutMs: 10_000, intervalMs: 100, what: "the plain event delivered" });
    const plain = await names();
    assert.ok(plain.DELIVERY_LEDGER.length > 0 && plain.DELIVERY_LEDGER.every((n) => /^events\/\d+$/.test(n)), JSON.stringify(plain));
  });

  test("an EU source's dead letters and stored chains are in EU objects; the admin routes find them", async () => {
    // Gist refuses a track with properties.fail: a dead letter each.
    assert.equal((await track("wk-eu", "m-eu-bad", { fail: true })).status, 200);
    assert.equal((await track("wk-plain", "m-plain-bad", { fail: true })).status, 200);
    const listed = await waitFor(async () => {
      const l = await admin("/admin/dead-letters");
      return l.total === 2 ? l : false;
    }, { timeoutMs: 15_000, intervalMs: 100, what: "two dead letters" });
    const byMessage = Object.fromEntries(listed.items.map((d) => [d.messageIds[0], d.id]));
    assert.match(byMessage["m-eu-bad"], /^eu-[0-9a-f-]{36}$/);
    assert.match(byMessage["m-plain-bad"], /^[0-9a-f-]{36}$/);
    const ops = (await names()).DELIVERY_OPS;
    assert.ok(ops.some((n) => /^eu\/dead-letters-\d+$/.test(n)), JSON.stringify(ops));
    const one = await admin(`/admin/dead-letters/${byMessage["m-eu-bad"]}`);
    assert.equal(one.id, byMessage["m-eu-bad"]);
    assert.equal(one.message.calls[0].key.split("|")[0].endsWith(":eu"), true);

    // A chain over the queue message limit (one user, five 30 KB events to Gist) is stored: in the EU.
    const big = "x".repeat(30_000);
    const batch = Array.from({ length: 5 }, (_, i) => ({ type: "track", event: "E", userId: "u", messageId: `m-eu-big-${i}`, properties: { big } }));
    const res = await worker.fetch("/v1/batch", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ writeKey: "wk-eu", batch }) });
    assert.equal(res.status, 200);
    await waitFor(async () => (await admin("/admin/stats")).counters.gist?.sent >= 7, { timeoutMs: 15_000, intervalMs: 100, what: "the big chain delivered" }).catch(async (e) => {
      console.log(JSON.stringify(await admin("/admin/stats")), worker.logs.slice(-15).join("\n"));
      throw e;
    });
    const stored = (await names()).DELIVERY_PAYLOADS ?? [];
    assert.ok(stored.length > 0 && stored.every((n) => /^eu\/payloads-\d+$/.test(n)), JSON.stringify(stored));
  });
});

// Differential test of the classic Gainsight destination against Segment's own code (issue #14):
// for every request of the corpus (tests/support/fidelity_corpus.mjs), the Gainsight requests the
// Worker's core plans must be the ones Segment would have made — the tracking API as Segment
// documents it, then Segment's classic `integration-gainsight` 1.5.2 on `segmentio-integration`
// 5.1.0 and `segmentio-facade` 3.2.7, POSTing to a loopback recorder
// (tests/support/fidelity_segment.mjs). Same requests in the same order: method, URL, the
// headers that matter (Content-Type, accessKey, User-Agent), JSON-equal bodies; none where Segment
// sends none (call type, whitelist, `integrations`).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { fidelityCorpus } from "../support/fidelity_corpus.mjs";
import { ClassicGainsightOracle, segmentTrackingApi } from "../support/fidelity_segment.mjs";
import { WorkerCore, RECEIVED_AT, GAINSIGHT_KEY, WHITELISTS } from "../support/fidelity_worker.mjs";
import { requestView, fillGeneratedIds, numberTokenDifferences } from "../support/fidelity_compare.mjs";

const HEADERS = ["content-type", "accesskey", "user-agent"];
const vendor = fileURLToPath(new URL("./vendor/integration-gainsight/", import.meta.url));
const corpus = await fidelityCorpus();
let worker;
let segment;

before(async () => {
  worker = await WorkerCore.start();
  segment = await ClassicGainsightOracle.start();
});
after(() => segment.close());

// The integration's settings for a source: its whitelist as the integration's own tests give it
// (test/index.js: `events: [{key, value: {segmentEvent}}]`).
const settingsOf = (writeKey) => ({ accessKey: GAINSIGHT_KEY, events: WHITELISTS[writeKey].map((key) => ({ key, value: { segmentEvent: key } })) });

async function segmentRequests(entry) {
  const writeKey = JSON.parse(entry.body).writeKey;
  const { messages } = segmentTrackingApi({ ...entry, receivedAt: RECEIVED_AT });
  const out = [];
  for (const message of messages) {
    const { requests } = await segment.deliver(message, settingsOf(writeKey));
    out.push(...requests);
  }
  return out;
}

const workerRequests = (entry) => worker.handle(entry).calls.filter((c) => c.destination === "gainsight");

test("the corpus has a few hundred requests, with unique names", () => {
  assert.ok(corpus.length >= 300, `${corpus.length} requests`);
  assert.equal(new Set(corpus.map((e) => e.name)).size, corpus.length);
});

// The harness runs Segment's integration as its own test suite does (test/index.js with
// segmentio-integration-tester): the fixtures' `input` gives their `output`, whose `timestamp`
// the tester compares loosely (`{}`: any Date).
test("oracle check: the integration reproduces its own fixtures", async () => {
  for (const type of ["identify", "track", "group"]) {
    const { input, output } = JSON.parse(readFileSync(`${vendor}fixtures/${type}-basic.json`, "utf8"));
    const { requests } = await segment.deliver({ ...input, channel: "server" }, { accessKey: GAINSIGHT_KEY, events: [] });
    assert.equal(requests.length, 1, type);
    const { timestamp, channel, ...body } = JSON.parse(requests[0].body);
    const { timestamp: anyDate, ...expected } = output;
    assert.deepEqual(body, expected, type);
    assert.match(timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    if (type === "track") assert.equal(timestamp, "2014-01-01T00:00:00.000Z"); // facade's new-date("2014")
    assert.equal(requests[0].url, "https://event.gainsight.com/clickstream/segmentio/event");
  }
});

// The integration's own whitelist tests (test/index.js `.track()`), through the harness.
test("oracle check: the integration's whitelist tests", async () => {
  const mapped = { accessKey: GAINSIGHT_KEY, events: [{ key: "mapped event", value: { segmentEvent: "mapped event" } }] };
  const track = (event) => ({ type: "track", userId: "user-id", event, timestamp: "2014", channel: "server" });
  assert.equal((await segment.deliver(track("some-event"), { ...mapped, events: [] })).requests.length, 1);
  assert.equal((await segment.deliver(track("mapped event"), mapped)).requests.length, 1);
  assert.equal((await segment.deliver(track("some-event"), mapped)).requests.length, 0);
});

// Both sides' requests per corpus entry, kept for the number test below.
const sent = new Map();

for (const entry of corpus) {
  test(`[${entry.group}] ${entry.name}`, async () => {
    const both = { worker: workerRequests(entry), segment: await segmentRequests(entry) };
    sent.set(entry, both);
    const expected = both.segment.map((r) => requestView(r, HEADERS));
    const actual = both.worker.map((r) => requestView(r, HEADERS));
    fillGeneratedIds(actual, expected);
    assert.deepStrictEqual(actual, expected);
  });
}

// Number tokens as written (parsing above cannot see them): Segment's bodies are
// JSON.stringify(facade.json()), so every number is JavaScript's shortest form of its double.
test("numbers are written as Segment's JSON.stringify writes them", () => {
  assert.equal(sent.size, corpus.length);
  const differences = [...sent].flatMap(([entry, both]) => numberTokenDifferences(entry.name, both.worker, both.segment));
  assert.deepEqual(differences, []);
});

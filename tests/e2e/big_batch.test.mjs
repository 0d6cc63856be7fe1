// wrangler dev as scripts/dev.sh runs it (the real wrangler.toml: the queue, its consumer and the
// Durable Objects in Miniflare) with a configured source: one /v1/batch of 2,500 events to Gist and
// Gainsight is delivered in full, each user's calls in order, and the dev server keeps answering
// (issue #12: inline delivery used to open 5,000 connections at once and kill it; a log line per
// delivered call made the dev proxy leak a socket each, until it ran out of file descriptors).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { PREFIX, startEdge } from "./fixture.mjs";
import { waitFor } from "./harness.mjs";

const USERS = 50;
const EVENTS = 2500;
let edge;

before(async () => {
  edge = await startEdge({
    sources: (d) => [{ writeKey: "wk_big", destinations: { gist: d.gist, gainsight: d.gainsight } }],
    // The Paid plan's budget: the Free plan's 50 subrequests an invocation would take minutes here.
    vars: { DELIVERY_SUBREQUESTS: "10000" },
  });
});

after(async () => {
  await edge?.stop();
});

test("a 2,500-event batch is delivered in full, in order per user, and wrangler dev keeps answering", { timeout: 300_000 }, async () => {
  const batch = [];
  for (let u = 0; u < USERS; u++) batch.push({ type: "identify", userId: `big-${u}`, messageId: `big-${u}-0`, traits: { email: `big-${u}@example.com` } });
  for (let i = USERS; i < EVENTS; i++) batch.push({ type: "track", userId: `big-${i % USERS}`, messageId: `big-${i % USERS}-${i}`, event: "Big Batch", properties: { i } });
  const res = await fetch(`${edge.worker.url}${PREFIX}/v1/batch`, { method: "POST", headers: { "content-type": "text/plain" }, body: JSON.stringify({ writeKey: "wk_big", batch }) });
  assert.deepEqual([res.status, await res.json()], [200, { success: true }]);

  const { gist, gainsight } = edge.fakes;
  await waitFor(() => gist.requests.length >= EVENTS && gainsight.received.length >= EVENTS, {
    timeoutMs: 240_000, intervalMs: 250, what: `${EVENTS} calls each at Gist and Gainsight (have ${gist.requests.length}, ${gainsight.received.length})`,
  });
  assert.equal(gainsight.rejected.length, 0);
  const ids = gainsight.received.map((r) => r.body.messageId);
  assert.equal(new Set(ids).size, EVENTS, "each event once at Gainsight");
  assert.equal(gist.requests.length, EVENTS, "each event once at Gist");
  for (let u = 0; u < USERS; u++) {
    const mine = ids.filter((id) => id.startsWith(`big-${u}-`)).map((id) => Number(id.split("-")[2]));
    assert.deepEqual(mine, [...mine].sort((a, b) => a - b), `user ${u} in order`);
  }
  // The log: no line per delivered call (DELIVERY_LOG's default), the invocations' summaries count
  // them all. Under wrangler dev a line per call exhausted the dev proxy's file descriptors.
  // An invocation writes its summary once it is done, a moment after its last call arrived.
  const ok = (d) => edge.worker.logs().filter((l) => l.at === "delivery-summary").reduce((n, l) => n + (l.calls[d]?.ok ?? 0), 0);
  await waitFor(() => ok("gist") >= EVENTS && ok("gainsight") >= EVENTS, {
    timeoutMs: 30_000, intervalMs: 250, what: `summaries counting ${EVENTS} delivered calls to each destination`,
  });
  assert.deepEqual([ok("gist"), ok("gainsight")], [EVENTS, EVENTS]);
  assert.equal(edge.worker.logs().filter((l) => l.at === "delivery").length, 0, "no call failed, so no call line");
  // Still serving, and never out of file descriptors. Right after such a burst the dev proxy may hold
  // the next request 8–11 s before the Worker answers it (measured in session 8 back to session 7's
  // code: the Worker takes ~1 s, the requests after it ~15 ms): allowed for here, to be looked at.
  assert.equal((await fetch(`${edge.worker.url}${PREFIX}/v1/projects/wk_big/settings`, { signal: AbortSignal.timeout(30_000) })).status, 200);
  assert.ok(!edge.worker.lines.some((l) => /Too many open files|EMFILE/.test(l)));
});

// The identity cookie (README "The anonymous id cookie") with the real analytics.js (the snippet,
// its script from the Worker) on a page of the Worker's own origin, driven as a visitor would be:
// a source with `"identityCookie": true` answers analytics.js's beacon with
// `Set-Cookie: ajs_anonymous_id=<id>`, Chromium keeps it, and once local and session storage are
// gone analytics.js reads the same anonymous id back from it; a source without the setting sets no
// cookie, and the same loss there gives the visitor a new anonymous id.
//
// analytics.js writes `ajs_anonymous_id` from script too, on every read of the id (a read re-syncs
// every store: js-cookie, host-only on an IP address, 365 days, SameSite=Lax, not Secure), so
// emptying the jar leaves only local storage with the id until the next read. The tests tell the
// two cookies apart by `Secure`, which only the Worker's carries.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { interceptSegment, launchChromium, recordRequests, root, SEGMENT_HOST, within } from "./harness.mjs";
import { normalized, PREFIX, startEdge } from "./fixture.mjs";
import { buildSite } from "./pages.mjs";

const site = join(root, "build/e2e/site-identity-cookie");
const WITH_COOKIE = "wk_identity_cookie";
const WITHOUT_COOKIE = "wk_no_identity_cookie";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const YEAR_S = 365 * 86400;
const since = Date.now();
let edge, browser;

before(async () => {
  await buildSite(site);
  edge = await startEdge({
    site,
    sources: (destinations, workerOrigin) => [
      { writeKey: WITH_COOKIE, allowedOrigins: [workerOrigin], destinations, identityCookie: true },
      { writeKey: WITHOUT_COOKIE, allowedOrigins: [workerOrigin], destinations },
    ],
  });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await edge?.stop();
});

// A browser context whose every document records, before any script of the page runs, what it
// starts with: its cookies as the page sees them and the keys of its storages.
async function visitor() {
  const context = await browser.newContext();
  const requests = recordRequests(context);
  const intercepted = await interceptSegment(context);
  await context.addInitScript(() => {
    window.__atLoad = { cookie: document.cookie, localStorage: { ...localStorage }, sessionStorage: { ...sessionStorage } };
  });
  return { context, requests, intercepted, page: await context.newPage() };
}

const pageUrl = (writeKey) => `${edge.tap.url}/e2e/snippet.html?writeKey=${writeKey}&cdn=${encodeURIComponent(edge.cdn)}`;
const ready = (page) => within(15_000, "analytics.js ready", page.evaluate(() => new Promise((ok) => window.analytics.ready(() => ok()))));
const atLoad = (page) => page.evaluate(() => window.__atLoad);
const anonymousId = (page) => within(5_000, "anonymousId()", page.evaluate(() => window.analytics.user().anonymousId()));
const storages = (page) => page.evaluate(() => ({ localStorage: { ...localStorage }, sessionStorage: { ...sessionStorage } }));

async function open(page, writeKey) {
  await page.goto(pageUrl(writeKey));
  await ready(page);
}

async function reload(page) {
  await page.reload();
  await ready(page);
}

async function clearStorages(page) {
  await page.evaluate(() => { localStorage.clear(); sessionStorage.clear(); });
  assert.deepEqual(await storages(page), { localStorage: {}, sessionStorage: {} });
}

// analytics.track on the page; resolves with the beacon as the Worker got and answered it (the
// tap's record) and as Chromium got the answer: exactly one POST /v1/t, answered 200.
async function track(page, event, properties) {
  const from = edge.tap.seen.length;
  const isBeacon = (r) => r.request().method() === "POST" && new URL(r.url()).pathname === `${PREFIX}/v1/t`;
  const answered = page.waitForResponse(isBeacon, { timeout: 15_000 });
  await within(15_000, `analytics.track(${event})`, page.evaluate(async ([e, p]) => { await window.analytics.track(e, p); }, [event, properties]));
  const response = await answered;
  await response.finished();
  const beacons = edge.tap.seen.slice(from).filter((e) => e.method === "POST" && e.path === `${PREFIX}/v1/t`);
  assert.equal(beacons.length, 1, "one beacon");
  const [beacon] = beacons;
  assert.equal(beacon.status, 200);
  assert.equal(response.status(), 200);
  const setCookie = (await response.headersArray()).filter((h) => h.name.toLowerCase() === "set-cookie").map((h) => h.value);
  return { message: JSON.parse(beacon.body), replySetCookie: beacon.responseHeaders["set-cookie"], browserSetCookie: setCookie };
}

// The context's cookies, each with `expires` replaced by its distance in seconds from a year ahead.
async function jar(context) {
  const now = Date.now() / 1000;
  return (await context.cookies()).map((c) => ({ ...c, expires: Math.round(c.expires - (now + YEAR_S)) }));
}

// What the Worker's reply to analytics.js sets for a source with `"identityCookie": true` (a UUID
// is its own js-cookie encoding).
const setCookie = (id) => `ajs_anonymous_id=${id}; Max-Age=${YEAR_S}; Path=/; Secure; SameSite=Lax`;

// A cookie as analytics.js writes it from script on this origin, or as the Worker's reply sets it.
const cookie = (value, { secure }) => ({
  name: "ajs_anonymous_id", value, domain: "127.0.0.1", path: "/", httpOnly: false, secure, sameSite: "Lax",
});
function assertJar(got, want, what) {
  assert.equal(got.length, want.length, `${what}: ${JSON.stringify(got)}`);
  for (const [i, c] of got.entries()) {
    assert.ok(Math.abs(c.expires) <= 86400, `${what}: ${c.name} expires a year ahead ±1 day, off by ${c.expires} s`);
    const { expires, ...rest } = c;
    assert.deepEqual(rest, want[i], what);
  }
}

// Gainsight and PX get the track exactly as analytics.js sent it, normalized; Gist drops an
// anonymous track (no userId, no email: README "Gist"), so it gets nothing.
async function assertDelivered(sent) {
  await edge.until([0, 1, 1], sent.event);
  await new Promise((ok) => setTimeout(ok, 300)); // anything more would arrive now
  const { gist, gainsight, px } = edge.fakes;
  assert.deepEqual(gist.requests, []);
  assert.deepEqual([gainsight.rejected, px.rejected], [[], []]);
  assert.equal(gainsight.received.length, 1);
  assert.equal(px.received.length, 1);
  for (const f of [gainsight, px]) assert.deepEqual(f.received[0].body, normalized(sent, f.received[0].body, { since }));
}

// One visitor (one browser context) throughout: each test goes on from where the one before left it.
describe("identityCookie: analytics.js's anonymous id outlives its local storage", () => {
  let visit, a;
  before(async () => { visit = await visitor(); });
  after(async () => { await visit?.context.close(); });

  test("without the setting the Worker sets no cookie, and analytics.js writes its own on every read of the id", { timeout: 60_000 }, async () => {
    const { context, page } = visit;
    await open(page, WITHOUT_COOKIE);
    assert.deepEqual(await atLoad(page), { cookie: "", localStorage: {}, sessionStorage: {} });
    a = await anonymousId(page);
    assert.match(a, UUID);
    assert.equal((await storages(page)).localStorage.ajs_anonymous_id, JSON.stringify(a));
    // Reading the id wrote analytics.js's own cookie (host-only on an IP address, not Secure).
    assertJar(await jar(context), [cookie(a, { secure: false })], "analytics.js's own cookie after anonymousId()");
    // Only local storage holds the id now; the track's reply sets no cookie, but analytics.js
    // writes its own again while building the event.
    await context.clearCookies();
    assert.deepEqual(await context.cookies(), []);
    edge.reset();
    const plain = await track(page, "Plain Event", { step: 1 });
    assert.equal(plain.message.anonymousId, a);
    assert.equal(plain.message.writeKey, WITHOUT_COOKIE);
    assert.deepEqual([plain.replySetCookie, plain.browserSetCookie], [undefined, []], "no Set-Cookie without the setting");
    assertJar(await jar(context), [cookie(a, { secure: false })], "after a track without the setting");
    await assertDelivered(plain.message);
  });

  test("with the setting the Worker's reply sets ajs_anonymous_id, and Chromium keeps it: host-only, Secure, Lax, a year", { timeout: 60_000 }, async () => {
    const { context, page } = visit;
    await open(page, WITH_COOKIE);
    // (analytics.js stored the user id it read while building the last event, null, too.)
    assert.deepEqual(await atLoad(page), {
      cookie: `ajs_anonymous_id=${a}`, localStorage: { ajs_anonymous_id: JSON.stringify(a), ajs_user_id: "null" }, sessionStorage: {},
    });
    // The jar emptied again, so only local storage has the id when the track starts.
    await context.clearCookies();
    assert.deepEqual(await context.cookies(), []);
    edge.reset();
    const first = await track(page, "Cookie Event", { step: 2 });
    assert.equal(first.message.anonymousId, a);
    assert.equal(first.message.writeKey, WITH_COOKIE);
    assert.deepEqual(first.replySetCookie, [setCookie(a)], "the Worker's reply");
    assert.deepEqual(first.browserSetCookie, [setCookie(a)], "the reply as Chromium got it");
    // Chromium kept it (Secure from http://127.0.0.1, a trustworthy origin), replacing the cookie
    // analytics.js wrote while building the event.
    assertJar(await jar(context), [cookie(a, { secure: true })], "the Worker's cookie");
    await assertDelivered(first.message);
  });

  test("with local storage gone, analytics.js reads the id back from the Worker's cookie and sends it", { timeout: 60_000 }, async () => {
    const { context, page } = visit;
    // Local and session storage gone (as Safari's cap on script-written storage does): the
    // Worker's cookie alone holds the id.
    await clearStorages(page);
    assertJar(await jar(context), [cookie(a, { secure: true })], "before the reload");
    await reload(page);
    assert.deepEqual(await atLoad(page), { cookie: `ajs_anonymous_id=${a}`, localStorage: {}, sessionStorage: {} });
    assert.equal(await anonymousId(page), a, "the id read back from the Worker's cookie");
    assert.equal((await storages(page)).localStorage.ajs_anonymous_id, JSON.stringify(a), "and stored again");
    edge.reset();
    const back = await track(page, "Came Back", { step: 3 });
    assert.equal(back.message.anonymousId, a);
    assert.deepEqual([back.replySetCookie, back.browserSetCookie], [[setCookie(a)], [setCookie(a)]], "refreshed on every beacon");
    assertJar(await jar(context), [cookie(a, { secure: true })], "the refreshed cookie");
    await assertDelivered(back.message);
  });

  test("control: without the setting, the same loss (its cookie is analytics.js's own) gives a new anonymous id", { timeout: 60_000 }, async () => {
    const { context, page, requests, intercepted } = visit;
    await open(page, WITHOUT_COOKIE);
    edge.reset();
    const prior = await track(page, "Before Loss", { step: 4 });
    assert.equal(prior.message.anonymousId, a);
    assert.deepEqual([prior.replySetCookie, prior.browserSetCookie], [undefined, []]);
    // analytics.js's script write (not Secure) replaced the Worker's Secure cookie: Chromium lets a
    // trustworthy origin do that.
    assertJar(await jar(context), [cookie(a, { secure: false })], "analytics.js's own cookie, over the Worker's");
    await assertDelivered(prior.message);
    await context.clearCookies();
    await clearStorages(page);
    await reload(page);
    assert.deepEqual(await atLoad(page), { cookie: "", localStorage: {}, sessionStorage: {} });
    const b = await anonymousId(page);
    assert.match(b, UUID);
    assert.notEqual(b, a, "a new anonymous id");
    edge.reset();
    const lost = await track(page, "New Visitor", { step: 4 });
    assert.equal(lost.message.anonymousId, b);
    assert.deepEqual([lost.replySetCookie, lost.browserSetCookie], [undefined, []]);
    await assertDelivered(lost.message);

    // Over the whole visit the browser asked only the Worker's origin, nothing failed, nothing went to Segment.
    const origin = new URL(edge.tap.url).origin;
    for (const r of requests) {
      assert.equal(new URL(r.url).origin, origin, `request elsewhere: ${r.method} ${r.url}`);
      assert.equal(r.failed, undefined, `${r.method} ${r.url} failed`);
    }
    for (const r of intercepted) assert.ok(!SEGMENT_HOST.test(new URL(r.url).hostname), `intercepted: ${r.url}`);
  });
});

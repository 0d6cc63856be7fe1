// The Gainsight fakes' own contract: `node --test tests/fakes/gainsight.test.mjs`.
import { test, describe, before, after, beforeEach } from "node:test";
import assert from "node:assert/strict";

import { startFakeGainsight, startFakePx } from "./gainsight.mjs";

const ACCESS_KEY = "35a84f9e-7084-47a1-b8a5-593444e9e862";
const PX_KEY = "AP-XXXXXXXXXX-2";
const CLASSIC_PATH = "/clickstream/segmentio/event";
const PX_PATH = "/rte/segmentio/v1/push";

const identify = { type: "identify", userId: "123", messageId: "m1", traits: { accountId: "o283h08fh2390f923uofu23" } };
const basic = (key) => `Basic ${Buffer.from(`${key}:`).toString("base64")}`;
const json = { "content-type": "application/json" };

async function post(url, { headers = {}, body = JSON.stringify(identify), method = "POST" } = {}) {
  const res = await fetch(url, { method, headers, body: method === "GET" ? undefined : body });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

describe("fake Gainsight (classic)", () => {
  let gs;
  before(async () => (gs = await startFakeGainsight({ accessKey: ACCESS_KEY })));
  after(() => gs.close());
  beforeEach(() => {
    gs.received.length = 0;
    gs.rejected.length = 0;
  });
  const ok = () => ({ ...json, accessKey: ACCESS_KEY });

  test("listens on 127.0.0.1 with an ephemeral port", () => {
    assert.match(gs.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  });

  test("accepts a well-formed identify and records path, headers and body", async () => {
    const r = await post(gs.url + CLASSIC_PATH, { headers: ok() });
    assert.equal(r.status, 200);
    assert.equal(gs.received.length, 1);
    assert.equal(gs.received[0].path, CLASSIC_PATH);
    assert.equal(gs.received[0].headers.accesskey, ACCESS_KEY);
    assert.equal(gs.received[0].headers["content-type"], "application/json");
    assert.deepEqual(gs.received[0].body, identify);
  });

  test("accepts group and track", async () => {
    for (const body of [
      { type: "group", userId: "123", groupId: "555", messageId: "m2" },
      { type: "track", userId: "123", event: "Account Created", messageId: "m3" },
    ]) {
      assert.equal((await post(gs.url + CLASSIC_PATH, { headers: ok(), body: JSON.stringify(body) })).status, 200);
    }
    assert.equal(gs.received.length, 2);
  });

  test("refuses page, screen and alias with 400", async () => {
    for (const type of ["page", "screen", "alias"]) {
      const r = await post(gs.url + CLASSIC_PATH, { headers: ok(), body: JSON.stringify({ ...identify, type }) });
      assert.equal(r.status, 400, type);
    }
    assert.equal(gs.received.length, 0);
  });

  test("answers 401 without the accessKey header", async () => {
    const r = await post(gs.url + CLASSIC_PATH, { headers: json });
    assert.equal(r.status, 401);
    assert.equal(gs.received.length, 0);
    assert.equal(gs.rejected[0].status, 401);
  });

  test("answers 403 with a wrong accessKey", async () => {
    const r = await post(gs.url + CLASSIC_PATH, { headers: { ...json, accessKey: "00000000-0000-0000-0000-000000000000" } });
    assert.equal(r.status, 403);
  });

  test("does not take the key as Basic auth", async () => {
    const r = await post(gs.url + CLASSIC_PATH, { headers: { ...json, authorization: basic(ACCESS_KEY) } });
    assert.equal(r.status, 401);
  });

  test("answers 404 on another path, and on a query string", async () => {
    assert.equal((await post(gs.url + "/clickstream/segmentio", { headers: ok() })).status, 404);
    assert.equal((await post(gs.url + CLASSIC_PATH + "?x=1", { headers: ok() })).status, 404);
  });

  test("answers 405 to a method other than POST", async () => {
    const r = await post(gs.url + CLASSIC_PATH, { headers: ok(), method: "PUT" });
    assert.equal(r.status, 405);
    assert.equal(r.headers.get("allow"), "POST");
    assert.equal((await post(gs.url + CLASSIC_PATH, { method: "GET" })).status, 405);
  });

  test("answers 400 to a wrong content type", async () => {
    const r = await post(gs.url + CLASSIC_PATH, { headers: { accessKey: ACCESS_KEY, "content-type": "text/plain" } });
    assert.equal(r.status, 400);
  });

  test("accepts a charset parameter on application/json", async () => {
    const headers = { accessKey: ACCESS_KEY, "content-type": "application/json; charset=utf-8" };
    assert.equal((await post(gs.url + CLASSIC_PATH, { headers })).status, 200);
  });

  test("answers 400 to a body that is not JSON", async () => {
    assert.equal((await post(gs.url + CLASSIC_PATH, { headers: ok(), body: "{nope" })).status, 400);
  });

  test("answers 400 to JSON that is not one Segment message", async () => {
    assert.equal((await post(gs.url + CLASSIC_PATH, { headers: ok(), body: "[]" })).status, 400);
    const anonymous = JSON.stringify({ type: "identify", messageId: "m1" });
    assert.equal((await post(gs.url + CLASSIC_PATH, { headers: ok(), body: anonymous })).status, 400);
  });

  test("failNext(429) answers the next request with Retry-After, then recovers", async () => {
    gs.failNext(429, { retryAfter: 7 });
    const first = await post(gs.url + CLASSIC_PATH, { headers: ok() });
    assert.equal(first.status, 429);
    assert.equal(first.headers.get("retry-after"), "7");
    assert.equal((await post(gs.url + CLASSIC_PATH, { headers: ok() })).status, 200);
    assert.equal(gs.received.length, 1);
  });

  test("failNext(500, {count}) fails that many requests", async () => {
    gs.failNext(500, { count: 2 });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await post(gs.url + CLASSIC_PATH, { headers: ok() })).status);
    assert.deepEqual(statuses, [500, 500, 200]);
  });

  test("failNext does not consume requests to a wrong path", async () => {
    gs.failNext(500);
    assert.equal((await post(gs.url + "/other", { headers: ok() })).status, 404);
    assert.equal((await post(gs.url + CLASSIC_PATH, { headers: ok() })).status, 500);
  });
});

describe("fake Gainsight PX", () => {
  let px;
  before(async () => (px = await startFakePx({ apiKey: PX_KEY })));
  after(() => px.close());
  beforeEach(() => {
    px.received.length = 0;
    px.rejected.length = 0;
  });
  const ok = () => ({ ...json, authorization: basic(PX_KEY) });

  test("accepts identify, group, track and page with Basic auth", async () => {
    const bodies = [
      identify,
      { type: "group", userId: "123", groupId: "555", messageId: "m2" },
      { type: "track", userId: "123", event: "Account Created", messageId: "m3" },
      { type: "page", anonymousId: "a1", name: "Home", messageId: "m4" },
    ];
    for (const body of bodies) {
      assert.equal((await post(px.url + PX_PATH, { headers: ok(), body: JSON.stringify(body) })).status, 200);
    }
    assert.deepEqual(px.received.map((r) => r.body), bodies);
    assert.equal(px.received[0].path, PX_PATH);
    assert.equal(px.received[0].headers.authorization, basic(PX_KEY));
  });

  test("refuses screen and alias with 400", async () => {
    for (const type of ["screen", "alias"]) {
      assert.equal((await post(px.url + PX_PATH, { headers: ok(), body: JSON.stringify({ ...identify, type }) })).status, 400);
    }
  });

  test("answers 401 without Authorization, with a Basic challenge", async () => {
    const r = await post(px.url + PX_PATH, { headers: json });
    assert.equal(r.status, 401);
    assert.match(r.headers.get("www-authenticate"), /^Basic /);
  });

  test("answers 401 to a wrong key, a key with a password, or a Bearer token", async () => {
    for (const authorization of [basic("AP-WRONG-1"), `Basic ${Buffer.from(`${PX_KEY}:pw`).toString("base64")}`, `Bearer ${PX_KEY}`]) {
      assert.equal((await post(px.url + PX_PATH, { headers: { ...json, authorization } })).status, 401, authorization);
    }
  });

  test("answers 400 to [] with a good key, 401 with a bad one (Segment's auth test)", async () => {
    assert.equal((await post(px.url + PX_PATH, { headers: ok(), body: "[]" })).status, 400);
    assert.equal((await post(px.url + PX_PATH, { headers: { ...json, authorization: basic("AP-BAD") }, body: "[]" })).status, 401);
  });

  test("answers 404 on the classic path and on the unused batch path", async () => {
    assert.equal((await post(px.url + CLASSIC_PATH, { headers: ok() })).status, 404);
    assert.equal((await post(px.url + "/rte/segmentio/v1/batch", { headers: ok() })).status, 404);
  });

  test("answers 405 to GET", async () => {
    assert.equal((await post(px.url + PX_PATH, { method: "GET" })).status, 405);
  });

  test("answers 400 to a wrong content type or a non-JSON body", async () => {
    assert.equal((await post(px.url + PX_PATH, { headers: { authorization: basic(PX_KEY), "content-type": "text/plain" } })).status, 400);
    assert.equal((await post(px.url + PX_PATH, { headers: ok(), body: "not json" })).status, 400);
  });

  test("failNext(429) without retryAfter sends no Retry-After", async () => {
    px.failNext(429);
    const r = await post(px.url + PX_PATH, { headers: ok() });
    assert.equal(r.status, 429);
    assert.equal(r.headers.get("retry-after"), null);
  });

  test("each fake is its own server", async () => {
    const other = await startFakePx({ apiKey: "AP-OTHER-2" });
    try {
      assert.notEqual(other.url, px.url);
      assert.equal((await post(other.url + PX_PATH, { headers: ok() })).status, 401);
    } finally {
      await other.close();
    }
  });
});

test("the fakes require their key", async () => {
  await assert.rejects(() => startFakeGainsight({}), TypeError);
  await assert.rejects(() => startFakePx({ apiKey: "" }), TypeError);
});

// The fake Gist API's own contract: node --test tests/fakes/gist.test.mjs
import assert from "node:assert/strict";
import { after, before, beforeEach, test } from "node:test";

import { startFakeGist } from "./gist.mjs";

let gist;
before(async () => {
  gist = await startFakeGist({ apiKey: "test-key" });
});
after(() => gist.close());
beforeEach(() => {
  gist.contacts.clear();
  gist.events.length = 0;
  gist.tags.clear();
  gist.requests.length = 0;
});

async function call(method, path, body, { key = "test-key", contentType = "application/json" } = {}) {
  const headers = { accept: "application/json" };
  if (key !== null) headers.authorization = `Bearer ${key}`;
  if (body !== undefined) headers["content-type"] = contentType;
  const res = await fetch(gist.url + path, {
    method, headers, body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, json: await res.json() };
}

test("a missing or wrong API key is 401 in Gist's error shape", async () => {
  for (const key of [null, "wrong"]) {
    const r = await call("POST", "/contacts", { email: "a@b.co" }, { key });
    assert.equal(r.status, 401);
    assert.equal(r.json.errors[0].code, "unauthorized");
    assert.equal(typeof r.json.errors[0].message, "string");
  }
  assert.equal(gist.contacts.size, 0);
});

test("unknown paths are 404, wrong methods 405, non-JSON bodies 415 and 400", async () => {
  assert.equal((await call("POST", "/users", { email: "a@b.co" })).status, 404);
  const wrongMethod = await call("PUT", "/contacts", { email: "a@b.co" });
  assert.equal(wrongMethod.status, 405);
  assert.equal(wrongMethod.headers.get("allow"), "POST, GET");
  assert.equal((await call("POST", "/contacts", "email=a@b.co", { contentType: "text/plain" })).status, 415);
  const broken = await call("POST", "/contacts", "{not json");
  assert.equal(broken.status, 400);
  assert.equal(broken.json.errors[0].code, "invalid_json");
});

test("POST /contacts creates, then updates the contact matched by user_id", async () => {
  const created = await call("POST", "/contacts", {
    user_id: "u1", email: "a@b.co", signed_up_at: 1785578400, tags: ["trial"], custom_properties: { plan: "free" },
  });
  assert.equal(created.status, 200);
  assert.equal(created.json.contact.type, "user");
  const updated = await call("POST", "/contacts", { user_id: "u1", email: "new@b.co", custom_properties: { seats: 5 } });
  assert.equal(updated.json.contact.id, created.json.contact.id);
  assert.equal(gist.contacts.size, 1);
  const contact = gist.contacts.get(created.json.contact.id);
  assert.equal(contact.email, "new@b.co");
  assert.deepEqual(contact.custom_properties, { plan: "free", seats: 5 });
  assert.deepEqual(contact.tags, ["trial"]);
});

test("POST /contacts refuses a missing identifier, wrong types, unknown fields and a create without email", async () => {
  const cases = [
    [{ name: "Ann" }, "parameter_not_found"],
    [{ email: "a@b.co", signed_up_at: "2026-08-01" }, "parameter_invalid"],
    [{ email: "a@b.co", user_id: 7 }, "parameter_invalid"],
    [{ email: "a@b.co", tags: "vip" }, "parameter_invalid"],
    [{ email: "a@b.co", custom_properties: [] }, "parameter_invalid"],
    [{ email: "a@b.co", signedUpAt: 1 }, "parameter_invalid"],
    [{ user_id: "u-new" }, "parameter_not_found"],
  ];
  for (const [body, code] of cases) {
    const r = await call("POST", "/contacts", body);
    assert.equal(r.status, 400, JSON.stringify(body));
    assert.equal(r.json.errors[0].code, code, JSON.stringify(body));
  }
  assert.equal(gist.contacts.size, 0);
});

test("POST /events stores the normalised name and creates the contact only from an email", async () => {
  const unknown = await call("POST", "/events", { event_name: "Signed Up", user_id: "ghost" });
  assert.equal(unknown.status, 404);
  assert.equal(unknown.json.errors[0].code, "not_found");
  const ok = await call("POST", "/events", {
    event_name: "Completed.Order $Big", email: "a@b.co", occurred_at: 1785578400, properties: { total: 3 },
  });
  assert.equal(ok.status, 200);
  assert.equal(gist.contacts.size, 1);
  assert.deepEqual(gist.events, [{
    event_name: "completed-order -big", contact_id: [...gist.contacts.keys()][0], user_id: null, email: "a@b.co",
    occurred_at: 1785578400, properties: { total: 3 },
  }]);
  assert.equal((await call("POST", "/events", { email: "a@b.co" })).status, 400);
  assert.equal((await call("POST", "/events", { event_name: "X", email: "a@b.co", occurred_at: "now" })).status, 400);
});

test("POST /tags tags and untags contacts found by user_id or email, at most 50 per call", async () => {
  await call("POST", "/contacts", { user_id: "u1", email: "a@b.co" });
  const tagged = await call("POST", "/tags", { name: "VIP", contacts: [{ user_id: "u1" }] });
  assert.equal(tagged.status, 200);
  assert.equal(tagged.json.tag.name, "VIP");
  assert.deepEqual([...gist.contacts.values()][0].tags, ["VIP"]);
  await call("POST", "/tags", { name: "VIP", contacts: [{ email: "a@b.co", untag: true }] });
  assert.deepEqual([...gist.contacts.values()][0].tags, []);
  const tooMany = Array.from({ length: 51 }, () => ({ user_id: "u1" }));
  assert.equal((await call("POST", "/tags", { name: "VIP", contacts: tooMany })).status, 400);
  assert.equal((await call("POST", "/tags", { name: "VIP", contacts: [{ user_id: "nobody" }] })).status, 404);
});

test("failNext answers 429 with Retry-After, then 500, then recovers; every request is recorded", async () => {
  gist.failNext(429, { retryAfter: 2, count: 2 });
  gist.failNext(500);
  for (const expected of [429, 429]) {
    const r = await call("POST", "/contacts", { user_id: "u1", email: "a@b.co" });
    assert.equal(r.status, expected);
    assert.equal(r.headers.get("retry-after"), "2");
    assert.equal(r.json.errors[0].code, "rate_limited");
  }
  assert.equal((await call("POST", "/contacts", { user_id: "u1", email: "a@b.co" })).status, 500);
  assert.equal((await call("POST", "/contacts", { user_id: "u1", email: "a@b.co" })).status, 200);
  assert.equal(gist.requests.length, 4);
  assert.deepEqual(gist.requests[3].body, { user_id: "u1", email: "a@b.co" });
  assert.equal(gist.requests[3].headers.authorization, "Bearer test-key");
  assert.equal(gist.requests[3].path, "/contacts");
});

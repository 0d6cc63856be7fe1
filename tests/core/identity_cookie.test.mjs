// Issue #17: the ajs_anonymous_id cookie the Worker sets (src/http/identity_cookie.cpp) holds the
// id exactly as analytics.js's own cookie library writes it: js-cookie's converter (the npm
// package analytics-next depends on) is the oracle, over every printable ASCII character and a
// sample of others, and its reader gives the id back.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import Cookies from "js-cookie";
import { Core } from "../../host-shims/core/core.mjs";

const root = fileURLToPath(new URL("../../", import.meta.url));
const encoder = new TextEncoder();

test("the cookie's value is js-cookie's encoding of the anonymousId, and reads back as it", async () => {
  const core = await Core.instantiate(await WebAssembly.compile(readFileSync(`${root}build/wasm/ajs_edge.wasm`)));
  core.configure(JSON.stringify({ sources: [{ writeKey: "wk", identityCookie: { domain: "example.com" }, destinations: { capture: {} } }] }));
  const ids = [
    ...Array.from({ length: 95 }, (_, i) => `id${String.fromCharCode(32 + i)}end`),
    "6c2f4e1a-8b1d-4f00-9a57-3e2b7d9c1f00", "é", "日本語", "🙂", "a=b; c", "%41", "\"quoted\"", "tab\there", "x".repeat(400),
  ];
  for (const anonymousId of ids) {
    const body = JSON.stringify({ writeKey: "wk", type: "track", event: "E", anonymousId, context: { library: { name: "analytics.js" } } });
    const plan = core.handle({ method: "POST", url: "https://example.com/v1/t", headers: {}, receivedAt: 1785578400500, seed: "00000000000000ff", bodyTooLarge: false, bodyError: "" }, encoder.encode(body));
    const cookie = plan.replyHeaders.find(([name]) => name === "set-cookie")?.[1];
    const value = Cookies.converter.write(anonymousId, "ajs_anonymous_id");
    assert.equal(cookie, `ajs_anonymous_id=${value}; Max-Age=31536000; Path=/; Domain=example.com; Secure; SameSite=Lax`, JSON.stringify(anonymousId));
    assert.equal(Cookies.converter.read(value, "ajs_anonymous_id"), anonymousId);
  }
});

// The request meta's bytes as the host writes them (host-shims/core/meta.mjs; the layout in
// wasm/README.md), read back here as the C++ reader reads them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { encodeMeta, META_HEAD_BYTES, META_MAGIC, META_STRINGS } from "../../host-shims/core/meta.mjs";

function read(bytes) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const strings = [];
  let at = META_HEAD_BYTES;
  for (let i = 0; i < view.getUint32(24, true); i++) {
    const n = view.getUint32(at, true);
    strings.push(Buffer.from(bytes.subarray(at + 4, at + 4 + n)).toString("utf8"));
    at += 4 + n;
  }
  assert.equal(at, bytes.length, "nothing after the strings");
  return {
    magic: view.getUint32(0, true),
    flags: view.getUint32(4, true),
    receivedAt: view.getFloat64(8, true),
    seed: (BigInt(view.getUint32(20, true)) << 32n) | BigInt(view.getUint32(16, true)),
    strings: Object.fromEntries(META_STRINGS.map((name, i) => [name, strings[i]])),
  };
}

test("meta: every field in its place; strings as UTF-8 in the reader's order", () => {
  const m = read(encodeMeta({
    method: "POST", url: "https://edge.example.com/v1/t?x=1",
    headers: { authorization: "Basic d2s6", origin: "https://shop.example", "cf-connecting-ip": "203.0.113.7", "access-control-request-headers": "content-type" },
    receivedAt: 1785578400500, seed: "9f86d081884c7d65", bodyTooLarge: true, bodyError: "bad gzip", queue: true,
    geo: { continent: "EU", country: "DE", region: "Bayern", regionCode: "BY", city: "München", postalCode: "80331", timezone: "Europe/Berlin", latitude: "48.13743", longitude: "11.57549", isEUCountry: true },
  }));
  assert.equal(m.magic, META_MAGIC);
  assert.equal(m.flags, 0b111);
  assert.equal(m.receivedAt, 1785578400500);
  assert.equal(m.seed, 0x9f86d081884c7d65n);
  assert.deepEqual(m.strings, {
    method: "POST", url: "https://edge.example.com/v1/t?x=1", authorization: "Basic d2s6", origin: "https://shop.example",
    client_ip: "203.0.113.7", access_control_request_headers: "content-type", body_error: "bad gzip",
    continent: "EU", country: "DE", region: "Bayern", region_code: "BY", city: "München", postal_code: "80331",
    timezone: "Europe/Berlin", latitude: "48.13743", longitude: "11.57549",
  });
});

test("meta: absent or mistyped fields are empty, zero or false (only the boolean true sets a flag)", () => {
  const m = read(encodeMeta({ method: "GET", url: "https://e.example/", headers: { origin: 7 }, bodyTooLarge: "yes", queue: 1, geo: { isEUCountry: "1", city: null } }));
  assert.equal(m.flags, 0);
  assert.equal(m.receivedAt, 0);
  assert.equal(m.seed, 0n);
  assert.equal(m.strings.origin, "");
  assert.equal(m.strings.city, "");
  assert.equal(Object.values(m.strings).filter((s) => s !== "").length, 2);
});

test("meta: the seed is read as hex, either case; anything else counts 0; 16 digits at most", () => {
  const seed = (s) => read(encodeMeta({ method: "POST", url: "https://e.example/v1/t", seed: s })).seed;
  assert.equal(seed("09"), 9n);
  assert.equal(seed("af"), 0xafn);
  assert.equal(seed("AF"), 0xafn);
  assert.equal(seed("0z"), 0n);
  assert.equal(seed("z1"), 1n);
  assert.equal(seed("0123456789abcdef0"), 0x0123456789abcdefn);
  assert.equal(seed("ffffffffffffffffzz"), 0xffffffffffffffffn);
});

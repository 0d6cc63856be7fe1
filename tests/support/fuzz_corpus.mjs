// The fuzzer's inputs as a host would send them: fuzz/fuzz_handle.cpp's configurations and its
// request decoding (the 5 selector bytes → the request meta), the committed corpus and
// reproducers, and a few hostile bodies. Used where a test runs the core over that corpus
// (build_parity.test.mjs, queue_messages.test.mjs).
import { readFileSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));

// fuzz_handle.cpp's `configs` table, read from the source so there is one copy of it:
// {"name", R"(text)", …} or {"name", nullptr, R"(shape)"} (the built-in demo).
export function fuzzConfigs() {
  const source = readFileSync(`${root}fuzz/fuzz_handle.cpp`, "utf8");
  const table = source.slice(source.indexOf("constexpr fuzz_config configs[]"), source.indexOf("constexpr std::size_t config_count"));
  const out = [];
  for (const m of table.matchAll(/\{"([^"]+)",\s*(?:R"\(([\s\S]*?)\)"|nullptr),\s*(?:R"\(([\s\S]*?)\)"|nullptr)\}/g)) {
    out.push({ name: m[1], text: m[2] ?? "", shape: JSON.parse(m[2] ?? m[3]) });
  }
  return out;
}

// fuzz_handle.cpp make_request(): the 5 selector bytes → the request meta a host would send.
const PATHS = [
  "/v1/t", "/v1/track", "/v1/i", "/v1/identify", "/v1/p", "/v1/page", "/v1/s", "/v1/screen", "/v1/g", "/v1/group", "/v1/a",
  "/v1/alias", "/v1/b", "/v1/batch", "/v1/import", "/v1/b", "/v1/batch", "/v1/t", "/v1/i", "/v1/m", "/v1/projects/{wk}/settings",
  "/projects/{wk}/settings", "/v1/projects/unknown-key/settings", "/v1/projects//settings", "/v1/", "/v1/x", "/", "/v1/t/extra",
  "/V1/T", "/v1//t",
];
const METHODS = ["POST", "POST", "POST", "OPTIONS", "GET", "HEAD", "PUT", "post"];
const HOSTS = ["edge.example.com", "evil.example:8443"];
const b64 = (s) => Buffer.from(s, "latin1").toString("base64");

// `queue` overrides the selector bit that asks for queue messages.
export function requestMeta(shape, h, { queue = (h[0] & 0x80) !== 0 } = {}) {
  const basePath = (shape.basePath ?? "").replace(/\/+$/, "");
  const sources = shape.sources.map((s) => ({ writeKey: s.writeKey, origins: s.allowedOrigins ?? [] }));
  const source = sources[(h[3] & 3) % sources.length];
  const other = sources[sources.length - 1 - ((h[3] & 3) % sources.length)];
  let path = PATHS[(h[2] & 0x7f) % PATHS.length].replace("{wk}", source.writeKey);
  const prefix = (h[1] >> 3) & 3;
  if (prefix <= 1) path = basePath + path;
  else if (prefix === 3) path = "/wrong" + path;
  if (h[1] & 0x40) path += "/";
  if (h[1] & 0x20) path += `?writeKey=${source.writeKey}#frag`;
  const headers = {};
  const auth = [
    null, `Basic ${b64(`${source.writeKey}:`)}`, `Basic ${b64(source.writeKey)}`, `basic ${b64(`${source.writeKey}:`)}`,
    `Basic ${b64(`${source.writeKey}:a-password`)}`, "Basic %%not base64%%", `Bearer ${source.writeKey}`, `Basic ${b64("unknown-key:")}`,
  ][(h[3] >> 2) & 7];
  if (auth) headers.authorization = auth;
  const origin = [
    null, null, source.origins[0] ?? "https://shop.example", "https://evil.example", "null", other.origins.at(-1) ?? "https://a.example",
    "https://shop.example", "HTTPS://SHOP.EXAMPLE",
  ][h[3] >> 5];
  if (origin) headers.origin = origin;
  const ip = ["203.0.113.7", null, "2001:db8::1", '"><img src=x>\\'][h[4] & 3];
  if (ip) headers["cf-connecting-ip"] = ip;
  const acrh = [null, "authorization,content-type", "X-Custom-A, x_custom_b", "content-type\r\nset-cookie: a=b\0x"][(h[4] >> 2) & 3];
  if (acrh) headers["access-control-request-headers"] = acrh;
  const meta = {
    method: METHODS[h[1] & 7],
    url: `https://${HOSTS[h[2] >> 7]}${path}`,
    headers,
    receivedAt: [1785578400500, 0, -62167219200001, 8.64e15][(h[4] >> 4) & 3],
    seed: h[4] & 0x80 ? "9f86d081884c7d65" : "ffffffffffffffffzz",
  };
  if (h[1] & 0x80) {
    if (h[4] & 0x40) meta.bodyTooLarge = true;
    else meta.bodyError = "incorrect header check";
  } else {
    meta.bodyTooLarge = false;
    meta.bodyError = "";
  }
  if (queue) meta.queue = true;
  const geo = [
    null,
    { continent: "EU", country: "DE", region: "Bavaria", regionCode: "BY", city: "Munich", postalCode: "80331", timezone: "Europe/Berlin", latitude: "48.13743", longitude: "11.57549", isEUCountry: true },
    { continent: "NA", country: "US", city: "Austin", latitude: "30.27", longitude: "-97.74", isEUCountry: false },
    { continent: "EU\"", country: "CH", city: '"><img src=x>\u2028', timezone: "z".repeat(101), latitude: "1e999", longitude: "--1", region: "a\0b", isEUCountry: "1" },
  ][(h[0] >> 3) & 3];
  if (geo) meta.geo = geo;
  return JSON.stringify(meta);
}

export function corpus() {
  const out = [];
  for (const dir of ["fuzz/corpus", "fuzz/regressions"]) {
    for (const name of readdirSync(`${root}${dir}`).sort()) {
      if (name.endsWith(".md")) continue;
      const bytes = readFileSync(`${root}${dir}/${name}`);
      if (bytes.length >= 5) out.push({ name: `${dir}/${name}`, head: bytes.subarray(0, 5), body: bytes.subarray(5) });
    }
  }
  // Hostile bodies, each sent as a single track and as a batch (header: full config, POST /v1/t or
  // /v1/batch, Basic auth, an IP).
  const deep = (n) => `{"writeKey":"wk-full","type":"track","event":"E","userId":"u","properties":${"[".repeat(n)}${"]".repeat(n)}}`;
  const hostile = {
    "deep-64": deep(60),
    "deep-10000": deep(10_000),
    "huge-numbers": `{"writeKey":"wk-full","type":"track","event":"E","userId":"u","properties":{"a":1e400,"b":-0,"c":1e-400,"d":123456789012345678901234567890}}`,
    "bad-utf8": Buffer.concat([Buffer.from('{"writeKey":"wk-full","type":"track","event":"'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('","userId":"u"}')]),
    "nul-and-escapes": '{"writeKey":"wk-full","type":"track","event":"a\\u0000b\\ud800","userId":"u\u0000"}',
    "many-keys": `{"writeKey":"wk-full","type":"identify","userId":"u","traits":{${Array.from({ length: 3000 }, (_, i) => `"k${i}":${i}`).join(",")}}}`,
    "duplicate-keys": '{"writeKey":"wk-full","type":"track","event":"A","event":"B","userId":"u","userId":"v"}',
    "truncated": '{"writeKey":"wk-full","type":"track","event":"E","userId":"u","properties":{"a":[1,2',
  };
  for (const [name, body] of Object.entries(hostile)) {
    for (const [path, code] of [["t", 0], ["batch", 13]]) {
      const payload = path === "t" ? body : `{"batch":[${body}]}`;
      out.push({ name: `hostile/${name}/${path}`, head: Buffer.from([0, 0, code, 1 << 2, 0]), body: Buffer.from(payload) });
    }
  }
  // Selector bytes the seeds do not use: a GET to an ingest path, a body over the size limit.
  out.push({ name: "extra/get-track", head: Buffer.from([0, 4, 0, 1 << 2, 0]), body: Buffer.alloc(0) });
  out.push({ name: "extra/body-too-large", head: Buffer.from([0, 0x80, 13, 1 << 2, 0x40]), body: Buffer.from("{}") });
  out.push({ name: "extra/body-error", head: Buffer.from([0, 0x80, 0, 1 << 2, 0]), body: Buffer.alloc(0) });
  return out;
}


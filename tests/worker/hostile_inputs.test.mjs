// Hostile input, as a table, against the Worker in real workerd on the wasi build, in both
// delivery modes (queue and inline), delivering to the strict Gist, Gainsight and PX fakes. Each
// row: the request, the exact status and error, what must reach each destination (usually
// nothing), and then proof that the Worker still serves: an identify sent after it is delivered.
// The amplification and oversized-tag cases of issue #10 are rows here.
import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { gzipSync } from "node:zlib";
import { WORKERD_BUILDS } from "../support/harness.mjs";
import { startDelivery, destinations } from "../support/delivery_fixture.mjs";
import { waitFor } from "../support/capture_server.mjs";

const NOTHING = { gist: 0, gainsight: 0, gainsightPx: 0 };
const json = (v) => JSON.stringify(v);
const tracks = (n) => Array.from({ length: n }, () => ({ type: "track", userId: "u", event: "e" }));

// Gist flattens nested traits into keys that repeat every ancestor's name: `levels` levels of
// `keyBytes`-byte keys over `leaves` leaves asks for levels × keyBytes × leaves bytes of keys.
function deepNested(levels, keyBytes, leaves, n = 0) {
  let inner = Object.fromEntries(Array.from({ length: leaves }, (_, i) => [String(i), 1]));
  for (let level = levels - 1; level >= 0; level--) inner = { [String.fromCharCode(97 + (level % 26)).repeat(keyBytes)]: inner };
  return json({ writeKey: "wk", userId: `u-deep-${n}`, messageId: `deep-${n}`, traits: { email: `deep${n}@example.com`, deep: inner } });
}

function manyTags(n) {
  const names = Array.from({ length: n }, (_, i) => i.toString(36)).join(",");
  return json({ writeKey: "wk", userId: "u-tags", messageId: "tags", traits: { email: "tags@example.com", tags: names } });
}

// [what, {path, body, headers}, status, code, message (regexp), what reaches each destination]
const ROWS = [
  [
    "the issue's amplification: 2,500 tracks under a 380 KB envelope context, sent gzipped",
    { path: "/v1/batch", body: gzipSync(json({ writeKey: "wk", context: { pad: "x".repeat(380 * 1024) }, batch: tracks(2500) })), headers: { "content-encoding": "gzip" } },
    400, "invalid_request", /^batch\[0\] exceeds the 32 KB limit per message \(the batch's context, integrations and sentAt included\)$/, NOTHING,
  ],
  [
    "a 20 KB envelope context copied into 2,500 tracks (50 MB of copies)",
    { path: "/v1/batch", body: json({ writeKey: "wk", context: { pad: "x".repeat(20 * 1024) }, batch: tracks(2500) }) },
    400, "invalid_request", /^the batch's context, integrations and sentAt, copied into each of its 2500 items, would add over 1024 KB/, NOTHING,
  ],
  [
    "a 25 KB identify whose nested traits would make 1.2 MB of Gist keys: not sent to Gist, the rest delivered",
    { path: "/v1/identify", body: deepNested(40, 600, 50) },
    200, undefined, undefined, { gist: 0, gainsight: 1, gainsightPx: 1 },
  ],
  [
    "20 identifies of 1.3 KB asking for 60 KB of Gist keys each: over the request's byte budget",
    { path: "/v1/batch", body: json({ writeKey: "wk", batch: Array.from({ length: 20 }, (_, i) => ({ type: "identify", ...JSON.parse(deepNested(10, 100, 60, i)) })) }) },
    400, "invalid_request", /^refused: this request would make the Worker send .* over its budget of 704 calls and \d+ bytes/, NOTHING,
  ],
  [
    "a track of 6,400 × 1e20: 32 KB as sent, 141 KB as JavaScript writes it",
    { path: "/v1/t", body: `{"writeKey":"wk","userId":"u","event":"e","properties":{"n":[${Array(6400).fill("1e20").join(",")}]}}` },
    400, "invalid_request", /^message exceeds the 32 KB limit$/, NOTHING,
  ],
  [
    "an identify with 8,083 tags (Gist tags on): the contact and 20 tag calls",
    { path: "/v1/identify", body: manyTags(8083) },
    200, undefined, undefined, { gist: 21, gainsight: 1, gainsightPx: 1 },
  ],
  [
    "a gzip bomb: 20 MB of spaces in about 20 KB",
    { path: "/v1/batch", body: gzipSync(Buffer.alloc(20 * 1024 * 1024, 0x20)), headers: { "content-encoding": "gzip" } },
    400, "invalid_request", /^request body exceeds the 500 KB batch limit$/, NOTHING,
  ],
  [
    "a corrupt gzip body",
    { path: "/v1/t", body: Buffer.from("1f8b0800000000000003ffffffff", "hex"), headers: { "content-encoding": "gzip" } },
    400, "invalid_request", /^body is not valid gzip data$/, NOTHING,
  ],
  [
    "Content-Encoding: br",
    { path: "/v1/t", body: json({ writeKey: "wk", userId: "u", event: "e" }), headers: { "content-encoding": "br" } },
    400, "invalid_request", /^unsupported Content-Encoding: br$/, NOTHING,
  ],
  [
    "arrays nested 100,000 deep",
    { path: "/v1/batch", body: "[".repeat(100_000) },
    400, "invalid_request", /^malformed JSON: /, NOTHING,
  ],
  [
    "a single message over 32 KB",
    { path: "/v1/t", body: json({ writeKey: "wk", userId: "u", event: "e", properties: { pad: "p".repeat(33 * 1024) } }) },
    400, "invalid_request", /^message exceeds the 32 KB limit$/, NOTHING,
  ],
  [
    "an unknown writeKey",
    { path: "/v1/t", body: json({ writeKey: "guess", userId: "u", event: "e" }) },
    401, "unauthorized", /^unknown writeKey "guess…": no source in the configuration \(AJS_EDGE_CONFIG\) has it$/, NOTHING,
  ],
  [
    "Basic auth that is not base64",
    { path: "/v1/batch", body: json({ batch: tracks(3) }), headers: { authorization: "Basic !!!%%%" } },
    401, "unauthorized", /^writeKey missing/, NOTHING,
  ],
  [
    "one batch item naming an unknown writeKey refuses the whole batch",
    { path: "/v1/batch", body: json({ writeKey: "wk", batch: [...tracks(2), { ...tracks(1)[0], writeKey: "guess" }] }) },
    401, "unauthorized", /^unknown writeKey "guess…"/, NOTHING,
  ],
  [
    "invalid UTF-8",
    { path: "/v1/t", body: Buffer.concat([Buffer.from('{"writeKey":"wk","userId":"u","event":"'), Buffer.from([0xff]), Buffer.from('"}')]) },
    400, "invalid_request", /^malformed JSON: /, NOTHING,
  ],
  [
    "2,500 items that are not objects",
    { path: "/v1/batch", body: json({ writeKey: "wk", batch: Array.from({ length: 2500 }, (_, i) => i) }) },
    200, undefined, undefined, NOTHING,
  ],
  [
    "a writeKey hidden in context and integrations goes nowhere",
    { path: "/v1/t", body: json({ writeKey: "wk", userId: "u-ctx", event: "e", context: { writeKey: "wk2" }, integrations: { All: false, Gainsight: true } }) },
    200, undefined, undefined, { gist: 0, gainsight: 1, gainsightPx: 0 },
  ],
];

const count = (d) => ({ gist: d.gist.length, gainsight: d.gainsight.length, gainsightPx: d.gainsightPx.length });
const minus = (a, b) => Object.fromEntries(Object.keys(a).map((k) => [k, a[k] - b[k]]));

for (const build of WORKERD_BUILDS) {
  for (const mode of ["queue", "inline"]) {
    describe(`hostile inputs [${build.name}, ${mode}]`, () => {
      let ctx;
      let alive = 0;
      before(async () => {
        ctx = await startDelivery(build, {
          queue: mode === "queue",
          bindings: mode === "inline" ? { DELIVERY_MODE: "inline" } : {},
          sources: (p) => [{ writeKey: "wk", destinations: { ...destinations(p), gist: { ...destinations(p).gist, tags: true } } }],
        });
      });
      after(async () => {
        await ctx?.dispose();
      });

      for (const [what, input, status, code, message, reaches] of ROWS) {
        test(`${what} → ${status}, then the Worker still serves`, async () => {
          const start = count(ctx.delivered());
          const res = await ctx.worker.fetch(input.path, {
            method: "POST",
            headers: { "content-type": "text/plain", "cf-connecting-ip": "203.0.113.7", ...input.headers },
            body: input.body,
          });
          const body = await res.json();
          assert.equal(res.status, status, JSON.stringify(body).slice(0, 300));
          if (code) {
            assert.equal(body.success, false);
            assert.equal(body.code, code);
            assert.match(body.message, message);
          } else {
            assert.deepEqual(body, { success: true });
          }

          // Still serving: an identify sent now reaches all three destinations.
          const id = `alive-${++alive}`;
          const ok = await ctx.post("/v1/identify", { writeKey: "wk", userId: id, messageId: id, traits: { email: `${id}@example.com` } });
          assert.equal(ok.status, 200);
          const expected = { gist: reaches.gist + 1, gainsight: reaches.gainsight + 1, gainsightPx: reaches.gainsightPx + 1 };
          await waitFor(() => {
            const now = minus(count(ctx.delivered()), start);
            return now.gist >= expected.gist && now.gainsight >= expected.gainsight && now.gainsightPx >= expected.gainsightPx;
          }, { timeoutMs: 15_000, what: `${JSON.stringify(expected)} deliveries` });
          // A fixed wait only before the negative check below: anything more than expected would show by now.
          await new Promise((resolve) => setTimeout(resolve, 300));
          assert.deepEqual(minus(count(ctx.delivered()), start), expected);
          assert.ok(ctx.delivered().gainsight.some((r) => r.body?.messageId === id));
          assert.deepEqual(ctx.rejected(), [], "no destination refused a call");
        });
      }
    });
  }
}

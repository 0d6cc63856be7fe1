// The core's wasm memory stays bounded (issue #10): the largest legal requests never grow an
// instance past MEMORY_BOUND (README "Security"), and memory does not ratchet up across requests.
// Linear memory never shrinks, so what matters is the high-water mark.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Core } from "../../host-shims/core/core.mjs";
import { makeBatch } from "../../bench/make_batch.mjs";

const MIB = 1024 * 1024;
const MEMORY_BOUND = 32 * MIB;
const root = fileURLToPath(new URL("../../", import.meta.url));
const encoder = new TextEncoder();

const CONFIG = JSON.stringify({
  sources: [{
    writeKey: "wk_bench",
    destinations: {
      capture: { endpoint: "https://capture.example" },
      gist: { apiKey: { secret: "GIST_API_KEY" }, pages: true, groups: "company", tags: true },
      gainsight: { accessKey: { secret: "GAINSIGHT_ACCESS_KEY" } },
      gainsightPx: { apiKey: { secret: "GAINSIGHT_PX_API_KEY" } },
    },
  }],
});

const meta = (path) => ({ method: "POST", url: `https://edge.example.com${path}`, headers: { "cf-connecting-ip": "203.0.113.7" }, receivedAt: 1785578400500, seed: "00000000000000ff" });
const pad = (text, bytes) => text + " ".repeat(Math.max(0, bytes - encoder.encode(text).length));
const fill = (make, limit) => {
  // The largest body of this shape within the 500 KB batch limit.
  let n = 1;
  while (encoder.encode(make(n * 2)).length <= limit) n *= 2;
  for (let step = n >> 1; step > 0; step >>= 1) if (encoder.encode(make(n + step)).length <= limit) n += step;
  return make(n);
};
const LIMIT = 500 * 1024;

// [what, path, body text, expected status]
const REQUESTS = [
  ["the 500 KB analytics.js batch of the benchmark (~490 events, ~1,200 calls)", "/v1/batch", pad(JSON.stringify(makeBatch({ events: 490 })), 0), 200],
  ["2,500 small tracks to four destinations", "/v1/batch", JSON.stringify({ writeKey: "wk_bench", batch: Array.from({ length: 2500 }, (_, i) => ({ type: "track", userId: `u${i % 50}`, event: "Clicked", properties: { n: i, pad: "x".repeat(120) } })) }), 200],
  ["2,500 tracks sharing a 400-byte envelope context (1 MB of copies)", "/v1/batch", JSON.stringify({ writeKey: "wk_bench", context: { library: { name: "x".repeat(380) } }, batch: Array.from({ length: 2500 }, () => ({ type: "track", userId: "u", event: "e" })) }), 200],
  ["a batch of numbers only (a value every 2 bytes)", "/v1/batch", fill((n) => `{"writeKey":"wk_bench","batch":[${"0,".repeat(n)}0]}`, LIMIT), 200],
  ["1,000 identifies with 20 tags each, Gist tags on (24,000 calls, near the most a request may plan)", "/v1/batch", JSON.stringify({ writeKey: "wk_bench", batch: Array.from({ length: 1000 }, (_, i) => ({ type: "identify", userId: `u${i}`, traits: { email: `u${i}@example.com`, tags: Array.from({ length: 20 }, (_, t) => `t${t}`) } })) }), 200],
  ["2,500 such identifies: over the call budget, refused", "/v1/batch", JSON.stringify({ writeKey: "wk_bench", batch: Array.from({ length: 2500 }, (_, i) => ({ type: "identify", userId: `u${i}`, traits: { email: `u${i}@example.com`, tags: Array.from({ length: 20 }, (_, t) => `t${t}`) } })) }), 400],
  ["objects nested 63 deep, over and over", "/v1/batch", fill((n) => `{"writeKey":"wk_bench","batch":[${Array.from({ length: n }, () => `{"type":"identify","userId":"u","traits":{"email":"a@b.c","d":${"{\"k\":".repeat(58)}1${"}".repeat(58)}}}`).join(",")}]}`, LIMIT), 200],
];

for (const [build, file] of [["wasi", "ajs_edge.wasm"], ["emscripten", "ajs_edge_emscripten.wasm"]]) {
  test(`[${build}] the largest legal requests keep wasm memory ≤ 32 MiB, and it stops growing after the second round`, async () => {
    const core = await Core.instantiate(await WebAssembly.compile(readFileSync(`${root}build/wasm/${file}`)));
    core.configure(CONFIG);
    const memory = () => core.x.memory.buffer.byteLength;
    const peaks = [];
    for (let round = 0; round < 4; round++) {
      for (const [what, path, text, status] of REQUESTS) {
        const body = encoder.encode(text);
        assert.ok(body.length <= LIMIT, `${what}: ${body.length} bytes`);
        const plan = core.handle(meta(path), body);
        assert.equal(plan.status, status, `${what}: ${new TextDecoder().decode(plan.replyBody)}`);
        assert.ok(memory() <= MEMORY_BOUND, `${what}: memory ${memory() / MIB} MiB`);
      }
      peaks.push(memory());
    }
    // The allocator settles within two rounds (the second may place blocks differently); after
    // that the same requests reuse the same memory.
    assert.deepEqual(peaks.slice(2), [peaks[1], peaks[1]], `peaks per round (MiB): ${peaks.map((p) => p / MIB)}`);
    console.log(`[${build}] peak wasm memory ${(peaks[3] / MIB).toFixed(2)} MiB`);
  });
}

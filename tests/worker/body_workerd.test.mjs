// host-shims/worker/body.mjs in real workerd, twice: behind Miniflare's entry worker (as wrangler
// dev runs it: every body arrives chunked, and the reader fills buffers of its own with
// readAtLeast instead of taking the stream's chunks one by one) and under plain workerd (as
// production: a body sent with a length keeps its Content-Length and is read with one
// arrayBuffer()). Bodies of every size around the fill sizes and the cap are read whole and byte
// for byte; one byte past the cap is tooLarge; gzip still goes chunk by chunk.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { Miniflare } from "miniflare";
import { startPlainWorkerd } from "../support/plain_workerd.mjs";

const root = fileURLToPath(new URL("../../", import.meta.url));
const KB = 1024;
// Bytes that differ from one offset to the next (a lost or repeated chunk changes the sum).
const bytesOf = (n) => Uint8Array.from({ length: n }, (_, i) => (i * 7 + (i >> 9)) & 255);
const sumOf = (bytes) => bytes.reduce((s, b) => (s * 31 + b) >>> 0, 0);

const RUNTIMES = {
  // Miniflare's entry worker passes every body on chunked: `declared` is never true there.
  Miniflare: {
    async start() {
      const mf = new Miniflare({ rootPath: root, modules: true, scriptPath: "tests/support/body_worker.mjs", compatibilityDate: "2025-04-01" });
      await mf.ready;
      return { fetch: (path, init) => mf.dispatchFetch(`https://edge.example.com${path}`, init), stop: () => mf.dispose(), keepsLength: false };
    },
  },
  "plain workerd": {
    async start() {
      const w = await startPlainWorkerd({ entry: "tests/support/body_worker.mjs" });
      return { fetch: (path, init) => fetch(`${w.url}${path}`, init), stop: w.stop, keepsLength: true };
    },
  },
};

for (const [runtime, { start }] of Object.entries(RUNTIMES)) {
  describe(runtime, () => {
    let worker;
    before(async () => { worker = await start(); });
    after(() => worker?.stop());

    async function post(body, { limit = 500 * KB, chunked = true, headers = {} } = {}) {
      // A stream body goes chunked (no Content-Length); a Uint8Array with its length.
      const sent = chunked
        ? new ReadableStream({
            start(c) {
              for (let at = 0; at < body.length; at += 4 * KB) c.enqueue(body.subarray(at, at + 4 * KB));
              c.close();
            },
          })
        : body;
      const res = await worker.fetch(`/read?limit=${limit}`, { method: "POST", body: sent, headers, duplex: "half" });
      assert.equal(res.status, 200);
      const out = await res.json();
      // (An empty stream goes with "content-length: 0": nothing to read either way.)
      if (body.length > 0) assert.equal(out.declared, !chunked && worker.keepsLength, `${body.length} bytes, chunked: ${chunked}: the body came with a Content-Length`);
      delete out.declared;
      return out;
    }

    test("every size around the fill sizes (16, 64, 256 KB) and the cap is read whole, chunked or with a length", async () => {
      for (const n of [0, 1, 300, 16 * KB - 1, 16 * KB, 16 * KB + 1, 80 * KB, 80 * KB + 1, 336 * KB, 336 * KB + 1, 500 * KB - 1, 500 * KB]) {
        const body = bytesOf(n);
        for (const chunked of [true, false]) {
          assert.deepEqual(await post(body, { chunked }), { length: n, sum: sumOf(body), tooLarge: false, error: "" }, `${n} bytes, chunked: ${chunked}`);
        }
      }
    });

    test("one byte past the cap is tooLarge, and nothing is kept", async () => {
      for (const [n, limit] of [[500 * KB + 1, 500 * KB], [16 * KB + 1, 16 * KB], [4097, 4096], [2, 1]]) {
        for (const chunked of [true, false]) {
          assert.deepEqual(await post(bytesOf(n), { limit, chunked }), { length: 0, sum: 0, tooLarge: true, error: "" }, `${n} over ${limit}`);
        }
        for (const chunked of [true, false]) assert.equal((await post(bytesOf(n - 1), { limit, chunked })).length, n - 1, `${n - 1} within ${limit}`);
      }
    });

    test("a gzip body is inflated and capped after inflating, as in Node", async () => {
      const text = Buffer.from("x".repeat(40 * KB));
      assert.deepEqual(await post(new Uint8Array(gzipSync(text)), { chunked: false, headers: { "content-encoding": "gzip" } }),
        { length: text.length, sum: sumOf(text), tooLarge: false, error: "" });
      assert.deepEqual(await post(new Uint8Array(gzipSync(text)), { limit: 40 * KB - 1, chunked: false, headers: { "content-encoding": "gzip" } }),
        { length: 0, sum: 0, tooLarge: true, error: "" });
    });
  });
}

// host-shims/worker/body.mjs on its own: each Content-Encoding analytics clients may send, the cap
// pinned at the byte (after inflating), and the refusals' exact reasons. The Worker-level
// behaviour (400s, nothing planned, gzip bombs) is in tests/worker/ingest_limits.test.mjs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { gzipSync, deflateSync, deflateRawSync } from "node:zlib";
import { readBody, MAX_BODY_BYTES } from "../../host-shims/worker/body.mjs";

const text = '{"writeKey":"wk","event":"E","userId":"u"}';
const request = (body, encoding) =>
  new Request("https://edge.example.com/v1/t", { method: "POST", body, headers: encoding === undefined ? {} : { "content-encoding": encoding } });
const read = async (body, encoding, limit) => {
  const r = await readBody(request(body, encoding), limit);
  return { ...r, text: Buffer.from(r.bytes).toString() };
};

test("identity, gzip and deflate (zlib) bodies are read as the same text, whatever the header's case", async () => {
  for (const [body, encoding] of [[text, undefined], [text, "identity"], [gzipSync(text), "gzip"], [gzipSync(text), " GZip "],
    [deflateSync(text), "deflate"], [deflateSync(text), "DEFLATE"]]) {
    assert.deepEqual(await read(body, encoding), { bytes: new Uint8Array(Buffer.from(text)), text }, `${encoding}`);
  }
});

test("an encoding it cannot inflate is refused by name, and nothing is read", async () => {
  for (const encoding of ["br", "zstd", "gzip, deflate", "x-gzip"]) {
    const r = await read(gzipSync(text), encoding);
    assert.deepEqual([r.bytes.length, r.error], [0, `unsupported Content-Encoding: ${encoding.trim().toLowerCase()}`]);
  }
});

test("bytes that are not what the header says are refused with the encoding's name", async () => {
  assert.equal((await read(Buffer.from(text), "gzip")).error, "body is not valid gzip data");
  assert.equal((await read(deflateRawSync(text), "deflate")).error, "body is not valid deflate data");
});

test("the cap counts inflated bytes: exactly the limit is read, one byte more is tooLarge", async () => {
  assert.equal(MAX_BODY_BYTES, 500 * 1024);
  const limit = 4096;
  const at = "x".repeat(limit);
  assert.equal((await read(gzipSync(at), "gzip", limit)).text, at);
  assert.deepEqual(await read(gzipSync(`${at}x`), "gzip", limit), { bytes: new Uint8Array(0), tooLarge: true, text: "" });
  assert.equal((await read(at, undefined, limit)).text, at);
  assert.deepEqual(await read(`${at}x`, undefined, limit), { bytes: new Uint8Array(0), tooLarge: true, text: "" });
});

test("no body reads as empty", async () => {
  assert.deepEqual(await readBody(new Request("https://edge.example.com/v1/t", { method: "POST" })), { bytes: new Uint8Array(0) });
});

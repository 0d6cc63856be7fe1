// The core writes every string as JSON.stringify does, in both wasm builds, whose string scans run
// 16 bytes at a time on WebAssembly SIMD (wasm/sse2_on_simd128: Boost.JSON's SSE2 scan, each
// intrinsic as its wasm instruction; src/json/write_json.cpp clean_prefix). Natively the same
// scan is SSE2 itself (tests/unit/security_test.cpp). Every byte JSON escapes, and a few it does
// not, at every position of strings about the scan's 16-byte steps, with a second one 16 bytes
// on: read back from Gainsight's body (the message as the client sent it, normalized), byte for
// byte.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Core } from "../../host-shims/core/core.mjs";
import { BENCH_CONFIG } from "../../bench/make_batch.mjs";

const root = fileURLToPath(new URL("../../", import.meta.url));
const encoder = new TextEncoder();
const decoder = new TextDecoder();
const meta = { method: "POST", url: "https://edge.example.com/v1/batch", headers: {}, receivedAt: 1785578400500, seed: "00000000000000ff" };

// Bytes JSON escapes (controls, '"', '\\') and neighbours it does not (' ', '/', '[', 'a', DEL).
const BYTES = [...Array.from({ length: 0x20 }, (_, i) => i), 0x22, 0x5c, 0x20, 0x2f, 0x5b, 0x61, 0x7f];
// About the scans' 16-byte steps, and every size class of the wasi build's short copies (1-3, 4-7,
// 8-15, 16-32 bytes: wasm/bulk_memory.cpp memcpy, memmove).
const LENGTHS = [1, 2, 3, 4, 5, 7, 8, 9, 12, 15, 16, 17, 24, 31, 32, 33, 40];

// A module's core, configured as the benchmark's source.
async function benchCore(file) {
  const core = await Core.instantiate(await WebAssembly.compile(readFileSync(`${root}build/wasm/${file}`)));
  core.configure(JSON.stringify(BENCH_CONFIG));
  return core;
}

// Tracks carrying `strings` as their properties p0, p1, …, `perEvent` to a track.
function tracksOf(strings, perEvent) {
  const events = [];
  for (let i = 0; i < strings.length; i += perEvent) {
    const properties = Object.fromEntries(strings.slice(i, i + perEvent).map((s, j) => [`p${j}`, s]));
    events.push({ type: "track", userId: `u${i}`, event: "Scan", messageId: `m${i}`, properties, writeKey: "wk_bench" });
  }
  return events;
}

function strings() {
  const out = [];
  for (const length of LENGTHS)
    for (const byte of BYTES)
      for (let at = 0; at < length; at++) {
        const chars = Array(length).fill("a");
        chars[at] = String.fromCharCode(byte);
        if (at + 16 < length) chars[at + 16] = '"';
        out.push(chars.join(""));
      }
  return out;
}

for (const file of ["ajs_edge.wasm", "ajs_edge_emscripten.wasm"]) {
  test(`${file}: strings with escapes at every position are written as JSON.stringify writes them`, async () => {
    const core = await benchCore(file);
    const all = strings();
    // 200 strings an event (each message well under 32 KB), 40 events a batch.
    const events = tracksOf(all, 200);
    let checked = 0;
    for (let i = 0; i < events.length; i += 40) {
      const batch = events.slice(i, i + 40);
      const plan = core.handle(meta, encoder.encode(JSON.stringify({ batch })));
      assert.equal(plan.status, 200);
      for (const sent of batch) {
        const call = plan.requests.find((r) => r.destination === "gainsight" && r.messageId === sent.messageId);
        assert.ok(call, `Gainsight's call for ${sent.messageId}`);
        const body = decoder.decode(call.body);
        const written = JSON.parse(body).properties;
        assert.deepEqual(written, sent.properties);
        // The text itself, property by property, as JSON.stringify writes the object.
        assert.ok(body.includes(JSON.stringify({ properties: sent.properties }).slice(1, -1)), sent.messageId);
        checked += Object.keys(written).length;
      }
    }
    assert.equal(checked, all.length);
  });
}

// A lone surrogate escape (\ud800, \udc00) anywhere in a body is read as U+FFFD, as browsers'
// JSON.parse does not but Segment's servers do (src/ingest/lone_surrogates.cpp). The core finds
// the body's backslashes with memchr, 16 bytes at a time in the wasi build (wasm/bulk_memory.cpp):
// one missed is a 400 for the whole batch. At every position of strings about the 16-byte steps,
// with a '\\' escape 16 bytes on.
function loneSurrogateStrings() {
  const out = [];
  for (const length of LENGTHS)
    for (const lone of ["\ud800", "\udc00"])
      for (let at = 0; at < length; at++) {
        const chars = Array(length).fill("a");
        chars[at] = lone;
        if (at + 16 < length) chars[at + 16] = "\\";
        out.push(chars.join(""));
      }
  return out;
}

for (const file of ["ajs_edge.wasm", "ajs_edge_emscripten.wasm"]) {
  test(`${file}: lone surrogate escapes at every position are read as U+FFFD`, async () => {
    const core = await benchCore(file);
    const all = loneSurrogateStrings();
    const events = tracksOf(all, 50);
    const plan = core.handle(meta, encoder.encode(JSON.stringify({ batch: events })));
    assert.equal(plan.status, 200, decoder.decode(plan.replyBody));
    let checked = 0;
    for (const sent of events) {
      const call = plan.requests.find((r) => r.destination === "gainsight" && r.messageId === sent.messageId);
      assert.ok(call, `Gainsight's call for ${sent.messageId}`);
      const written = JSON.parse(decoder.decode(call.body)).properties;
      const expected = Object.fromEntries(Object.entries(sent.properties).map(([k, v]) => [k, v.replace(/[\ud800-\udfff]/g, "\ufffd")]));
      assert.deepEqual(written, expected);
      checked += Object.keys(written).length;
    }
    assert.equal(checked, all.length);
  });
}

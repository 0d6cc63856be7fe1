// Numbers go out as JavaScript would send them on: JSON.stringify(JSON.parse(text)) of every
// number a client may write, in the bodies the core builds, through the real ABI of both wasm
// builds (the Worker's wasi module and the browser's Emscripten one). The core's parser reads
// numbers Boost.JSON 1.81 gets an ulp wrong again from their text (src/json/parse_json.hpp).
//   node --test tests/core/numbers.test.mjs
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Core } from "../../host-shims/core/core.mjs";
import { prng } from "../fakes/faulty.mjs";

const root = fileURLToPath(new URL("../../", import.meta.url));
const CONFIG = JSON.stringify({ sources: [{ writeKey: "wk", destinations: {
  gainsight: { accessKey: { secret: "GS" } }, gainsightPx: { apiKey: { secret: "PX" } }, gist: { apiKey: { secret: "G" } } } }] });
const builds = {};
for (const [name, file] of [["wasi", "ajs_edge.wasm"], ["emscripten", "ajs_edge_emscripten.wasm"]]) {
  builds[name] = await Core.instantiate(await WebAssembly.compile(readFileSync(`${root}build/wasm/${file}`)));
  builds[name].configure(CONFIG);
}
const encoder = new TextEncoder();
const decoder = new TextDecoder();

// One track whose properties.values is the JSON array text `values`: each destination's body.
function bodies(core, values) {
  const meta = { method: "POST", url: "https://edge.example.com/v1/track", headers: {}, receivedAt: 1785578400500, seed: "00000000000000ff" };
  const text = `{"writeKey":"wk","userId":"u","event":"E","context":{"traits":{"email":"u@example.com"}},"properties":{"values":${values}}}`;
  const p = core.handle(meta, encoder.encode(text));
  assert.equal(p.status, 200, decoder.decode(p.replyBody));
  return Object.fromEntries(p.requests.map((r) => [r.destination, decoder.decode(r.body)]));
}

// ---- Number texts, seeded (the same every run) ----
const rand = prng(0x6e756d);
const digits = (n) => Array.from({ length: n }, (_, i) => Math.floor(rand() * 10) || (i === 0 ? 1 : 0)).join("");
const randomDouble = () => new Float64Array(new Uint32Array([Math.floor(rand() * 2 ** 32), Math.floor(rand() * 2 ** 32)]).buffer)[0];
const NUMBER_TEXTS = [];
for (let i = 0; i < 3000; i++) {
  const x = rand();
  NUMBER_TEXTS.push(String(x), String(x * 1000), String(i / 3), String(0.1 * i), String(i * 1.1), String(19.99 * i)); // as JavaScript writes them
  NUMBER_TEXTS.push((x * 1000).toPrecision(1 + (i % 21)), x.toExponential(i % 21), `${digits(1 + (i % 25))}.${digits(1 + (i % 30))}e${(i % 80) - 40}`);
  const d = randomDouble();
  if (Number.isFinite(d)) NUMBER_TEXTS.push(String(d), d.toPrecision(17));
}
NUMBER_TEXTS.push("0.30000000000000004", "9007199254740993", "9007199254740993.0", "18446744073709551616", "123456789012345678901234567890",
  "5e-324", "2.4703282292062327e-324", "2.2250738585072011e-308", "1.7976931348623157e308", "1.7976931348623159e308", "1e400", "-1e400",
  "1e-400", "-0", "-0.0", "0e5", "1E+22", "1e23", "1.0e-7", "1e21", "123e-2", `1.${"0".repeat(3000)}1`, `0.${"0".repeat(320)}1e300`);

for (const [name, core] of Object.entries(builds)) {
  test(`${name}: every number goes out as JSON.stringify(JSON.parse(text)) writes it, in every body`, () => {
    const CHUNK = 200;
    let checked = 0;
    for (let start = 0; start < NUMBER_TEXTS.length; start += CHUNK) {
      const texts = NUMBER_TEXTS.slice(start, start + CHUNK);
      const expected = JSON.stringify(texts.map((t) => JSON.parse(t)));
      const out = bodies(core, `[${texts.join(",")}]`);
      for (const destination of ["gainsight", "gainsightPx"]) {
        const values = JSON.stringify(JSON.parse(out[destination]).properties.values);
        if (values !== expected) {
          const got = JSON.parse(values);
          const i = texts.findIndex((t, k) => JSON.stringify(JSON.parse(t)) !== JSON.stringify(got[k]));
          assert.fail(`${destination}: ${texts[i]} went out as ${JSON.stringify(got[i])}, JavaScript sends ${JSON.stringify(JSON.parse(texts[i]))}`);
        }
        assert.ok(out[destination].includes(`"values":${expected}`), `${destination}: the numbers' text itself`);
      }
      // Gist flattens an array property into one text (gist_values.cpp): the same digits there.
      // (Not for 1e400: a client's JSON.stringify never writes a number past the doubles.)
      if (texts.every((t) => Number.isFinite(JSON.parse(t))))
        assert.equal(JSON.parse(out.gist).properties.values, texts.map((t) => String(JSON.parse(t))).join(", "));
      checked += texts.length;
    }
    assert.equal(checked, NUMBER_TEXTS.length);
  });
}

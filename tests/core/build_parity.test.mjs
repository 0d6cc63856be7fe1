// The two wasm builds of the core (wasi-sdk and Emscripten) and the native one are one program:
// over a corpus of requests and configurations, all three give byte-identical output through the
// real ABI — the same return code and the same bytes (a plan, or an error) for every ajs_configure
// and ajs_handle. The native build is what the unit tests and the fuzzer run, with SSE2 under
// Boost.JSON's and the writer's string scans; the wasm builds run them on WebAssembly SIMD
// (wasm/sse2_on_simd128). Natively the ABI is driven through tests/native/abi_host.cpp.
// This is what lets the workerd suites run on the wasi build only: what the core decides is
// checked here for both builds; the Emscripten Worker (host-shims/worker/worker_emscripten.mjs) is still
// started in workerd by emscripten_smoke.test.mjs.
//
// The corpus: the fuzzer's seeds and reproducers (fuzz/corpus, fuzz/regressions), each under the
// configuration its first byte selects and under every other one, decoded into a request exactly
// as fuzz/fuzz_handle.cpp does; a few hostile bodies; and configurations good and bad.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { wasmImports } from "../../host-shims/core/wasi_shim.mjs";
import { decodePlan } from "../../host-shims/core/plan.mjs";
import { encodeMeta } from "../../host-shims/core/meta.mjs";
import { corpus, fuzzConfigs, requestMeta } from "../support/fuzz_corpus.mjs";
import { abiHostInput, abiHostRecords } from "../native/abi_host_stream.mjs";

const root = fileURLToPath(new URL("../../", import.meta.url));
const encoder = new TextEncoder();

// One instance of a build, driven through the exported C ABI as a host drives it.
async function instantiate(file) {
  const module = await WebAssembly.compile(readFileSync(`${root}build/wasm/${file}`));
  let memory;
  const instance = await WebAssembly.instantiate(module, wasmImports(() => memory));
  memory = instance.exports.memory;
  instance.exports._initialize?.();
  const x = instance.exports;
  const put = (bytes) => {
    const p = x.ajs_alloc(bytes.length);
    new Uint8Array(x.memory.buffer, p, bytes.length).set(bytes);
    return p;
  };
  const output = () => Buffer.from(new Uint8Array(x.memory.buffer, x.ajs_output_ptr(), x.ajs_output_len()));
  return {
    abi: x.ajs_abi_version(),
    configure(text) {
      const bytes = encoder.encode(text);
      const p = put(bytes);
      const rc = x.ajs_configure(p, bytes.length);
      x.ajs_free(p);
      return { rc, out: output() };
    },
    handle(meta, body) {
      const m = encodeMeta(JSON.parse(meta));
      const mp = put(m);
      const bp = put(body);
      const rc = x.ajs_handle(mp, m.length, bp, body.length);
      x.ajs_free(mp);
      x.ajs_free(bp);
      return { rc, out: output() };
    },
  };
}

// The native build (build/native/abi_host) given every call at once: its records, in order.
function nativeCalls(calls) {
  const run = spawnSync(`${root}build/native/abi_host`, { input: abiHostInput(calls), maxBuffer: 1 << 30 });
  assert.equal(run.status, 0, `abi_host: ${run.error ?? run.stderr}`);
  return abiHostRecords(run.stdout);
}

// Configurations the core must refuse, each naming a field (config.test.mjs checks the wording in workerd).
const BAD_CONFIGS = [
  "{", "[]", '{"sources":[]}', '{"sources":[{"writeKey":""}]}', '{"sources":[{"writeKey":"a"},{"writeKey":"a"}]}',
  '{"sources":[{"writeKey":"a","destinations":{"gist":{}}}]}', '{"sources":[{"writeKey":"a","destinations":{"gist":{"apiKey":"inline"}}}]}',
  '{"sources":[{"writeKey":"a","destinations":{"nope":{}}}]}', '{"basePath":"no-slash","sources":[{"writeKey":"a"}]}',
  '{"sources":[{"writeKey":"a","destinations":{"gainsight":{"accessKey":{"secret":"K"},"endpoint":"http://insecure.example"}}}]}',
  '{"sources":[{"writeKey":"a","rateLimits":{"writeKey":5}}]}', '{"unknownField":1,"sources":[{"writeKey":"a"}]}',
];

test("the wasi, Emscripten and native builds give byte-identical output over the fuzz corpus, hostile bodies and configurations", async (t) => {
  const wasi = await instantiate("ajs_edge.wasm");
  const emscripten = await instantiate("ajs_edge_emscripten.wasm");
  assert.equal(wasi.abi, emscripten.abi);
  const differ = (what, a, b, names) =>
    `${what}: ${names[0]} rc ${a.rc} ${a.out.toString("latin1").slice(0, 300)} | ${names[1]} rc ${b.rc} ${b.out.toString("latin1").slice(0, 300)}`;
  const same = (what, a, b) => {
    if (a.rc !== b.rc || !a.out.equals(b.out)) assert.fail(differ(what, a, b, ["wasi", "emscripten"]));
    return a;
  };
  // Every call again natively, at the end: what wasi answered, to compare.
  const abiCalls = [];
  const configure = (text) => {
    const r = same(`configure ${text}`, wasi.configure(text), emscripten.configure(text));
    abiCalls.push({ kind: "c", text: Buffer.from(text), what: `configure ${text}`, wasi: r });
    return r;
  };
  const handle = (what, meta, body) => {
    const r = same(what, wasi.handle(meta, body), emscripten.handle(meta, body));
    abiCalls.push({ kind: "h", meta: Buffer.from(encodeMeta(JSON.parse(meta))), body: Buffer.from(body), what, wasi: r });
    return r;
  };

  // Configurations: the output describes the config (secrets, limiters) or names the bad field.
  const refused = BAD_CONFIGS.map((text) => configure(text));
  assert.ok(refused.every((r) => r.rc !== 0), "every bad configuration is refused");

  const configs = fuzzConfigs();
  assert.deepEqual(configs.map((c) => c.name), ["full", "basepath-whitelist-tagsoff", "consent", "multi-source", "default-hosts", "demo", "tags-consent-basepath", "edge-facts"]);
  const seeds = corpus();
  assert.ok(seeds.length >= 100, `corpus of ${seeds.length}`);
  const outcomes = new Map(); // reply status → count: the corpus reaches plans with calls and every kind of refusal
  let calls = 0;
  let handled = 0;
  for (const config of configs) {
    assert.equal(configure(config.text).rc, 0, config.name);
    for (const seed of seeds) {
      const meta = requestMeta(config.shape, seed.head, { queue: handled % 2 === 0 }); // queue messages in every other plan
      const what = `${config.name} ${seed.name} ${meta}`;
      const r = handle(what, meta, seed.body);
      assert.equal(r.rc, 0, what); // the core always answers with a plan (its reply may be an error)
      const plan = decodePlan(r.out);
      outcomes.set(plan.status, (outcomes.get(plan.status) ?? 0) + 1);
      calls += plan.requests.length;
      handled++;
    }
  }
  t.diagnostic(`${handled} requests, ${calls} planned calls; replies ${JSON.stringify(Object.fromEntries([...outcomes].sort((a, b) => a[0] - b[0])))}`);
  assert.ok(handled >= 700, `${handled} requests compared`);
  for (const status of [200, 204, 400, 401, 403, 404, 405]) assert.ok(outcomes.get(status) > 0, `some replies ${status}`);
  assert.ok(calls > handled, `${calls} planned calls`);

  const native = nativeCalls(abiCalls);
  assert.equal(native.length, abiCalls.length, "a record for every call");
  for (const [i, call] of abiCalls.entries()) {
    if (native[i].rc !== call.wasi.rc || !native[i].out.equals(call.wasi.out)) assert.fail(differ(call.what, call.wasi, native[i], ["wasi", "native"]));
  }
});

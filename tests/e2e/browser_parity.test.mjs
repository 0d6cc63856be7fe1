// The core in the browser is the Worker's core: over a corpus of messages for every destination
// (the fidelity corpus: Gist, Gainsight and Gainsight PX under their config) and the fuzz corpus
// under each of the fuzzer's configurations, the plans the Emscripten module computes in Chromium
// (loaded as a page loads it: planner.js and core.wasm from the built assets) are byte-identical
// to the wasi module's in workerd (Miniflare), configuration descriptions included.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { buildAssets } from "../../scripts/build-assets.mjs";
import { startWorker } from "../support/harness.mjs";
import { corpus, fuzzConfigs, requestMeta } from "../support/fuzz_corpus.mjs";
import { fidelityCorpus } from "../support/fidelity_corpus.mjs";
import { fidelityConfig, HOST, RECEIVED_AT } from "../support/fidelity_worker.mjs";
import { launchChromium, root, startStatic, within } from "./harness.mjs";

const assets = join(root, "build/e2e/parity-assets");
let worker, stat, browser;

before(async () => {
  buildAssets({ out: assets, prefix: "" });
  [worker, stat, browser] = await Promise.all([
    startWorker({ name: "wasi", script: "tests/support/plan_bytes_worker.mjs" }),
    startStatic(assets),
    launchChromium(),
  ]);
});

after(async () => {
  await browser?.close();
  await stat?.close();
  await worker?.dispose();
});

const b64 = (bytes) => Buffer.from(bytes).toString("base64");

// [{name, text, requests: [{name, meta (JSON text), body (base64)}]}]
async function cases() {
  const fidelity = (await fidelityCorpus()).map((r, i) => {
    const headers = { "content-type": r.contentType ?? "text/plain" };
    if (r.ip) headers["cf-connecting-ip"] = r.ip;
    // Half without a queue, half with: the calls, and the queue messages the durable path sends.
    const meta = { method: "POST", url: `https://${HOST}${r.path}`, headers, receivedAt: RECEIVED_AT, seed: "5eed5eed5eed5eed", bodyTooLarge: false, bodyError: "", queue: i % 2 === 1 };
    return { name: r.name, meta: JSON.stringify(meta), body: b64(Buffer.from(r.body)) };
  });
  const seeds = corpus();
  const fuzz = fuzzConfigs().map((config) => ({
    name: `fuzz ${config.name}`,
    text: config.text,
    requests: seeds.map((seed, i) => ({ name: seed.name, meta: requestMeta(config.shape, seed.head, { queue: i % 2 === 0 }), body: b64(seed.body) })),
  }));
  return [{ name: "fidelity (every destination)", text: JSON.stringify(fidelityConfig()), requests: fidelity }, ...fuzz];
}

test("the Emscripten core in Chromium plans every request byte for byte as the wasi core in workerd", async (t) => {
  const all = await cases();
  const strip = (c) => ({ text: c.text, requests: c.requests.map(({ meta, body }) => ({ meta, body })) });
  const inWorkerd = await (await worker.fetch("/", { method: "POST", body: JSON.stringify({ configs: all.map(strip) }) })).json();

  const page = await browser.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(`${stat.url}/tester/index.html`);
  const inBrowser = await within(120_000, "plans in Chromium", page.evaluate(async (configs) => {
    const { Planner, CoreError } = await import("/ajs-edge/planner.js");
    const planner = await Planner.load("/ajs-edge/core.wasm");
    const fromBase64 = (text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
    const toBase64 = (bytes) => {
      let binary = "";
      for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
      return btoa(binary);
    };
    const core = planner.core;
    return configs.map(({ text, requests }) => {
      let configure;
      try {
        configure = new TextEncoder().encode(JSON.stringify(core.configure(text)));
      } catch (e) {
        if (!(e instanceof CoreError)) throw e;
        configure = new TextEncoder().encode(`error ${e.code} ${e.message}`);
      }
      const plans = requests.map(({ meta, body }) => {
        try {
          return toBase64(core.handleBytes(JSON.parse(meta), fromBase64(body)));
        } catch (e) {
          if (!(e instanceof CoreError)) throw e;
          return `error ${e.code} ${e.message}`;
        }
      });
      return { configure: toBase64(configure), plans };
    });
  }, all.map(strip)));
  await page.close();
  assert.deepEqual(errors, []);

  let compared = 0;
  let withCalls = 0;
  for (const [i, c] of all.entries()) {
    assert.equal(inBrowser[i].configure, inWorkerd.configs[i].configure, `${c.name}: the configuration's description`);
    for (const [j, r] of c.requests.entries()) {
      const [a, b] = [inBrowser[i].plans[j], inWorkerd.configs[i].plans[j]];
      if (a !== b) assert.fail(`${c.name} / ${r.name} ${r.meta}: the plans differ (browser ${a.length} chars, workerd ${b.length} chars)`);
      assert.ok(!a.startsWith("error "), `${c.name} / ${r.name}: the core answered with a plan`);
      const calls = Buffer.from(a, "base64").readUInt32LE(16); // header word 4: the request count
      if (calls > 0) withCalls++;
      compared++;
    }
  }
  t.diagnostic(`${compared} plans compared, ${withCalls} with calls`);
  assert.ok(compared >= 1100, `${compared} plans`);
  assert.ok(withCalls >= 500, `${withCalls} plans with calls`);
});

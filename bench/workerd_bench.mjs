// The core in real workerd (Miniflare), timed from outside: per batch = (t(n) − t(0)) / n.
import { Miniflare } from "miniflare";
import { fileURLToPath } from "node:url";
import { BENCH_CONFIG, WORKLOADS } from "./make_batch.mjs";

const root = fileURLToPath(new URL("../", import.meta.url));

export async function benchWorkerd({ builds = ["wasi", "emscripten"], n = 50, rounds = 5 } = {}) {
  const mf = new Miniflare({
    rootPath: root, modules: true, scriptPath: "bench/workerd_bench_worker.mjs",
    modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
    compatibilityDate: "2025-04-01", cf: false, bindings: { AJS_EDGE_CONFIG: JSON.stringify(BENCH_CONFIG) },
  });
  await mf.ready;
  const results = {};
  try {
    for (const build of builds) {
      const run = async (body, path, count) => {
        const t0 = performance.now();
        const r = await mf.dispatchFetch(`http://bench/run?build=${build}&n=${count}&path=${path}`, { method: "POST", body });
        const { calls } = await r.json();
        return { ms: performance.now() - t0, calls };
      };
      const per = async (body, path, count) => {
        await run(body, path, count); // warm up
        const samples = [];
        let calls = 0;
        for (let i = 0; i < rounds; i++) {
          const base = await run(body, path, 0);
          const full = await run(body, path, count);
          samples.push((full.ms - base.ms) / count);
          calls = full.calls;
        }
        samples.sort((a, b) => a - b);
        return { median_ms: samples[Math.floor(samples.length / 2)], min_ms: samples[0], calls };
      };
      results[build] = {};
      for (const w of WORKLOADS) {
        const body = w.body();
        results[build][w.name] = { bytes: Buffer.byteLength(body), ...(await per(body, w.path, n * w.repeat)) };
      }
    }
  } finally {
    await mf.dispose();
  }
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(JSON.stringify(await benchWorkerd(), null, 1));

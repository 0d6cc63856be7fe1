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
    const run = async (build, body, path, count) => {
      const t0 = performance.now();
      const r = await mf.dispatchFetch(`http://bench/run?build=${build}&n=${count}&path=${path}`, { method: "POST", body });
      const { calls } = await r.json();
      return { ms: performance.now() - t0, calls };
    };
    const bodies = WORKLOADS.map((w) => ({ ...w, text: w.body() }));
    // Every build warmed up on every workload before any is timed, then each workload's rounds
    // time every build in turn, starting with another build each round. Timed one build after
    // another, the first paid the process's own warm-up (its beacon 40–50 µs first, 16–24 µs
    // second, whichever build it was; session 14) and a slow spell of the machine fell on one side.
    for (const build of builds) for (const w of bodies) await run(build, w.text, w.path, n * w.repeat);
    const samples = {};
    for (const w of bodies)
      for (let i = 0; i < rounds; i++)
        for (let b = 0; b < builds.length; b++) {
          const build = builds[(b + i) % builds.length];
          const count = n * w.repeat;
          const base = await run(build, w.text, w.path, 0);
          const full = await run(build, w.text, w.path, count);
          const s = (samples[build] ??= {})[w.name] ??= { ms: [], calls: 0 };
          s.ms.push((full.ms - base.ms) / count);
          s.calls = full.calls;
        }
    for (const build of builds) {
      results[build] = {};
      for (const w of bodies) {
        const { ms, calls } = samples[build][w.name];
        ms.sort((a, b) => a - b);
        results[build][w.name] = { bytes: Buffer.byteLength(w.text), median_ms: ms[Math.floor(ms.length / 2)], min_ms: ms[0], calls };
      }
    }
  } finally {
    await mf.dispose();
  }
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(JSON.stringify(await benchWorkerd(), null, 1));

// Runs the Worker inside real workerd (Miniflare), once per core build.
import { Miniflare } from "miniflare";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));

export const BUILDS = [
  { name: "wasi", script: "host-shims/worker.mjs" },
  { name: "emscripten", script: "host-shims/worker_emscripten.mjs" },
];

// bindings: {AJS_EDGE_CONFIG?, GIST_API_KEY?, …}; returns {fetch(path, init), logs, dispose()}.
export async function startWorker(build, { bindings = {}, log = false } = {}) {
  const logs = [];
  const mf = new Miniflare({
    rootPath: root,
    modules: true,
    scriptPath: build.script,
    modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
    compatibilityDate: "2025-04-01",
    bindings,
    cf: false,
    handleRuntimeStdio(stdout, stderr) {
      for (const stream of [stdout, stderr]) {
        stream.on("data", (chunk) => {
          for (const line of chunk.toString().split("\n")) if (line.trim()) logs.push(line);
          if (log) process.stderr.write(chunk);
        });
      }
    },
  });
  await mf.ready;
  return {
    logs,
    fetch: (path, init) => mf.dispatchFetch(new URL(path, "https://edge.example.com").toString(), init),
    dispose: () => mf.dispose(),
  };
}

// The JSON log lines the Worker wrote, parsed.
export function jsonLogs(logs) {
  const out = [];
  for (const line of logs) {
    const start = line.indexOf("{");
    if (start < 0) continue;
    try {
      out.push(JSON.parse(line.slice(start)));
    } catch {}
  }
  return out;
}

export const basic = (user, password = "") => `Basic ${Buffer.from(password === null ? user : `${user}:${password}`).toString("base64")}`;

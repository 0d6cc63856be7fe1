// Runs inside workerd for the benchmark: POST /run?build=wasi|emscripten|js&n=N runs the durable
// ingest path on the body N times (request bytes → the sendBatch entries) with the core (the same
// glue as the Worker), or with the plain-JS baseline for build=js.
// workerd freezes timers during CPU work, so the driver times requests from outside and subtracts
// an n=0 request.
import wasi from "../build/wasm/ajs_edge.wasm";
import emscripten from "../build/wasm/ajs_edge_emscripten.wasm";
import { Core } from "../host-shims/core/core.mjs";
import { parseConfig } from "./js_baseline.mjs";
import { coreIngest, jsIngest } from "./ingest_paths.mjs";

const modules = { wasi, emscripten };
const cores = {};
let jsConfig; // parsed once per isolate, like the core's configure()

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const build = url.searchParams.get("build") ?? "wasi";
    const n = Number(url.searchParams.get("n") ?? "1");
    const body = new Uint8Array(await request.arrayBuffer());
    if (build === "js") {
      jsConfig ??= parseConfig(env.AJS_EDGE_CONFIG);
    } else if (!cores[build]) {
      cores[build] = await Core.instantiate(modules[build]);
      cores[build].configure(env.AJS_EDGE_CONFIG);
    }
    const meta = { method: "POST", url: `https://edge.example.com${url.searchParams.get("path") ?? "/v1/batch"}`,
      headers: { "cf-connecting-ip": "203.0.113.7" }, receivedAt: 1785578400500, seed: "00000000000000ff" };
    const ingest = build === "js" ? jsIngest(jsConfig) : coreIngest(cores[build]);
    let calls = 0;
    for (let i = 0; i < n; i++) calls = ingest(meta, body).calls;
    return Response.json({ calls });
  },
};

// The Cloudflare Worker: the wasi build of the core (wrangler.toml [build] makes it).
import wasmModule from "./wasm/ajs_edge.wasm";
import { createWorker } from "./worker_app.mjs";

export default createWorker(wasmModule, { build: "wasi" });

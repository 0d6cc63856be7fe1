// @ts-check
// The same Worker on the Emscripten build of the core: the cross-check the tests run too.
import wasmModule from "../../build/wasm/ajs_edge_emscripten.wasm";
import { env } from "cloudflare:workers";
import { createWorker } from "./worker_app.mjs";

export { DeliveryLedger, DeliveryOps, DeliveryPayloads } from "../durable/durable_objects.mjs";
export default createWorker(wasmModule, { build: "emscripten", env });

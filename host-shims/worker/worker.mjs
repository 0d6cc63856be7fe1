// @ts-check
// The Cloudflare Worker: the wasi build of the core (wrangler.toml [build] makes it).
// Handlers: fetch (ingest, admin) and queue (delivery consumer); plus the Durable Objects. The
// bindings at startup (`env` of cloudflare:workers) let it read its configuration before any request.
import wasmModule from "../../build/wasm/ajs_edge.wasm";
import { env } from "cloudflare:workers";
import { createWorker } from "./worker_app.mjs";

export { DeliveryLedger, DeliveryOps, DeliveryPayloads } from "../durable/durable_objects.mjs";
export default createWorker(wasmModule, { build: "wasi", env });

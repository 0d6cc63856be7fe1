// @ts-check
// The Durable Object classes of durable delivery; the Worker entries export them (workerd needs
// a bound class exported from the main module). Kept out of worker_app.mjs, which plain Node
// imports too (node_host.mjs) and which has no "cloudflare:workers".
export { DeliveryLedger } from "./ledger_do.mjs";
export { DeliveryOps } from "./ops_do.mjs";
export { DeliveryPayloads } from "./payloads_do.mjs";

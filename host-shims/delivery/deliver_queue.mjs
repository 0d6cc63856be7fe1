// @ts-check
// The producer: a plan's calls become ordered chains (chain.mjs), and the chains of one request
// queue messages (as few as fit: a bundle holds several), handed to the DELIVERY_QUEUE binding
// before the client is answered. Within Cloudflare Queues' limits:
// 128 KB per message (a larger chain is stored in DELIVERY_PAYLOADS and the message carries its
// reference), sendBatch ≤ 100 messages and ≤ 256 KB. Throws when anything could not be queued:
// the caller then answers 503 and the client's retry is deduplicated by the ledger.
import { jsonBytes, bundleOf, decodeMessage, BUNDLE_OVERHEAD_BYTES } from "./chain.mjs";
import { hasPayloadStore, putPayload } from "../durable/payloads.mjs";
import { QUEUE_BATCH_MAX_BYTES, QUEUE_BATCH_MAX_MESSAGES, QUEUE_MESSAGE_MAX_BYTES } from "./platform_limits.mjs";

export const MESSAGE_MAX_BYTES = QUEUE_MESSAGE_MAX_BYTES - 11_072; // 120,000: headroom for Queues' own metadata
export const BATCH_MAX_MESSAGES = QUEUE_BATCH_MAX_MESSAGES;
export const BATCH_MAX_BYTES = QUEUE_BATCH_MAX_BYTES - 12_144; // 250,000: headroom
const PER_MESSAGE_OVERHEAD = 100;
const PARALLEL_SENDS = 4;

// Splits a chain into parts that each fit one message (only without a payload store: the parts
// are separate messages, so order between them is no longer guaranteed).
function splitChain(chain) {
  const parts = [];
  let part = { ...chain, calls: [] };
  let size = jsonBytes(part);
  for (const call of chain.calls) {
    const bytes = jsonBytes(call) + 1;
    if (part.calls.length > 0 && size + bytes > MESSAGE_MAX_BYTES) {
      parts.push(part);
      part = { ...chain, calls: [] };
      size = jsonBytes(part);
    }
    if (size + bytes > MESSAGE_MAX_BYTES) throw new Error(`one ${chain.destination} call is over ${MESSAGE_MAX_BYTES} bytes and no DELIVERY_PAYLOADS store is bound`);
    part.calls.push(call);
    size += bytes;
  }
  if (part.calls.length) parts.push(part);
  return parts;
}

// Chains → message bodies; oversized chains are stored (or split). Returns {bodies, refs}.
export async function toMessages(chains, env, log, { replay = false } = {}) {
  const bodies = [];
  const refs = [];
  for (const chain of chains) {
    const body = replay ? { ...chain, replay: true } : chain;
    const bytes = jsonBytes(body);
    if (bytes <= MESSAGE_MAX_BYTES) {
      bodies.push({ body, bytes });
    } else if (hasPayloadStore(env)) {
      const ref = await putPayload(env, { calls: chain.calls });
      refs.push(ref);
      const small = { v: chain.v, destination: chain.destination, orderKey: chain.orderKey, ref, count: chain.calls.length, ...(replay ? { replay } : {}) };
      bodies.push({ body: small, bytes: jsonBytes(small) });
      log({ at: "enqueue", destination: chain.destination, stored: ref, bytes, calls: chain.calls.length });
    } else {
      const parts = splitChain(body);
      log({ at: "enqueue", warning: "chain over the queue message limit split without DELIVERY_PAYLOADS: order between its parts is not guaranteed", destination: chain.destination, parts: parts.length });
      for (const part of parts) bodies.push({ body: part, bytes: jsonBytes(part) });
    }
  }
  return { bodies, refs };
}

// Chain bodies ({body, bytes}, each within MESSAGE_MAX_BYTES) → message bodies: consecutive chains
// share a message (a bundle) while it stays within MESSAGE_MAX_BYTES; a chain alone goes as it is.
export function bundle(chainBodies) {
  const out = [];
  let group = [];
  let size = BUNDLE_OVERHEAD_BYTES;
  const flush = () => {
    if (group.length === 1) out.push(group[0]);
    else if (group.length > 1) out.push({ body: bundleOf(group.map((g) => g.body)), bytes: size - 1 });
    group = [];
    size = BUNDLE_OVERHEAD_BYTES;
  };
  for (const c of chainBodies) {
    if (group.length > 0 && size + c.bytes > MESSAGE_MAX_BYTES) flush(); // the bundle's bytes with c: size + c.bytes
    group.push(c);
    size += c.bytes + 1;
  }
  flush();
  return out;
}

// Groups message bodies into sendBatch calls within the count and byte limits.
export function batches(bodies) {
  const out = [];
  let batch = [];
  let size = 0;
  for (const m of bodies) {
    const bytes = m.bytes + PER_MESSAGE_OVERHEAD;
    if (batch.length && (batch.length >= BATCH_MAX_MESSAGES || size + bytes > BATCH_MAX_BYTES)) {
      out.push(batch);
      batch = [];
      size = 0;
    }
    batch.push({ body: m.body, contentType: m.contentType ?? "json" });
    size += bytes;
  }
  if (batch.length) out.push(batch);
  return out;
}

export async function sendAll(queue, bodies) {
  const groups = batches(bodies);
  let next = 0;
  const worker = async () => {
    while (next < groups.length) await queue.sendBatch(groups[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_SENDS, groups.length) }, worker));
}

// Queues chains (already built, e.g. dead letters being replayed). Returns the message count.
export async function enqueueChains(chains, env, log, options) {
  // Stored payloads stay on failure: a batch sent before the failing one may reference them (the
  // payload store drops orphans after payloadKeepMs, at least 30 days).
  const { bodies: chainBodies } = await toMessages(chains, env, log, options);
  const bodies = bundle(chainBodies);
  await sendAll(env.DELIVERY_QUEUE, bodies);
  return bodies.length;
}

// Queues the messages the core wrote for one request (plan.messages: finished bodies, bundled
// within MESSAGE_MAX_BYTES), as bytes, with no object per call. A chain over the limit is read
// back and stored as toMessages does. Returns {chains, messages}.
export async function enqueueCoreMessages(coreMessages, env, log) {
  const bodies = [];
  let chains = 0;
  for (const m of coreMessages) {
    chains += m.chains;
    if (!m.oversized) {
      bodies.push({ body: m.bytes, bytes: m.bytes.length, contentType: "bytes" });
      continue;
    }
    const { bodies: stored } = await toMessages([decodeMessage(m.bytes)], env, log);
    bodies.push(...stored);
  }
  await sendAll(env.DELIVERY_QUEUE, bodies);
  return { chains, messages: bodies.length };
}

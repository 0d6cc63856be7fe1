// @ts-check
// The unit of durable delivery: one ordered chain per destination and order key of one request,
// its calls in plan order. This is also the queue message's wire form (v1), which names secrets
// and never carries their values:
//   {v:1, destination, orderKey, calls:[{method, url, headers, body | bodyBase64, messageId, key, flags?}]}
//   headers: [{name, value}] for literal ones, [{name, secret, format}] for secret ones
//   optional: replay (a replayed dead letter), firstQueuedAt (ms; a chain's rest queued again by
//   the consumer keeps when the chain was first queued), ref/count/from (a stored chain)
// The core writes these messages for every request (src/plan/queue_messages.hpp) in a compact,
// framed form, queued as bytes:
//   - the chain names a `method`, `headers`, `url` and dedup `scope` that its calls lack (a call
//     names its own where they differ), and a call has the `ordinal` of its key in place of the
//     key (scope | messageId | ordinal; no ordinal: no key); expandChain gives each call its own
//     method, headers, url and key when a message is read;
//   - the bodies are not in the JSON: the envelope (the chain or bundle, each call with a
//     `bodyLength` in place of `body`) is followed by a newline and the calls' bodies, raw, in
//     the envelope's order. A body carried in a JSON string is escaped and unescaped quote by quote.
// decodeMessage turns such bytes back into the plain form above. JS builds chains only from dead
// letters, to replay them, in the expanded, plain form.
// A queue message is one chain (v1) or, when a request makes several, a bundle of them (v2), so
// that a beacon to three destinations is one message, not three (a message is billed as three
// queue operations):
//   {v:2, chains:[chain, …]}   each chain in the v1 form above
// Dead letters always hold one chain (v1): a bundle is taken apart when it fails.
// `key` is the dedup key: scope | messageId | ordinal, both from the core's plan: the scope names
// the destination, the source (a hash of its writeKey) and the destination account, so one
// source cannot suppress another's events; the ordinal counts the calls one messageId makes to one
// scope (a Gist identify may be a contact upsert plus tag calls). Messages queued before scopes
// existed carry keys "destination|messageId|ordinal" and are consumed as they are.
const encoder = new TextEncoder();
// Bytes of a message body as Queues counts it (contentType "json").
export const jsonBytes = (value) => encoder.encode(JSON.stringify(value)).length;
const strictUtf8 = new TextDecoder("utf-8", /** @type {any} */ ({ fatal: true })); // workers-types omit `fatal`; workerd has it

export const WIRE_VERSION = 1;
export const BUNDLE_VERSION = 2;

const isChain = (b) =>
  !!b && b.v === WIRE_VERSION && typeof b.destination === "string" && (Array.isArray(b.calls) || typeof b.ref === "string");

// The chains a message body carries, in order; null when it is neither form.
export function chainsOf(body) {
  if (isChain(body)) return [body];
  if (body?.v === BUNDLE_VERSION && Array.isArray(body.chains) && body.chains.length > 0 && body.chains.every(isChain)) return body.chains;
  return null;
}

// A chain in the compact form (chain-level method, headers, url and scope; ordinals for keys) →
// every call with its own, in the plain form; any other value as it is.
export function expandChain(chain) {
  if (!chain || typeof chain !== "object" || !Array.isArray(chain.calls)) return chain;
  if (chain.method === undefined && chain.headers === undefined && chain.url === undefined && chain.scope === undefined) return chain;
  const { method, headers, url, scope, ...rest } = chain;
  return { ...rest, calls: rest.calls.map((call) => (call && typeof call === "object" ? expandCall(call, method, headers, url, scope) : call)) };
}

// A call that names its own key keeps it (messages written before keys were ordinals).
function expandCall(call, method, headers, url, chainScope) {
  const { scope = chainScope, ordinal, key, flags, ...own } = call;
  const made = key ?? (ordinal === undefined || scope === undefined ? "" : `${scope}|${own.messageId}|${ordinal}`);
  return { method, headers, url, ...own, key: made, ...(flags === undefined ? {} : { flags }) };
}

// A message body as the consumer reads it: its chains expanded.
const expandBody = (body) => (body?.v === BUNDLE_VERSION && Array.isArray(body.chains) ? { ...body, chains: body.chains.map(expandChain) } : expandChain(body));

const NEWLINE = 10;

// The bytes of a message the core wrote (or any JSON text) → its body in the plain form, chains
// expanded. Bytes that are neither (or whose body lengths do not add up to the bytes after the
// envelope) read as their text, or null when not UTF-8: chainsOf refuses both, and a dead letter
// shows what came.
export function decodeMessage(raw) {
  const bytes = raw instanceof Uint8Array ? raw : ArrayBuffer.isView(raw) ? new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength) : new Uint8Array(raw);
  try {
    const end = bytes.indexOf(NEWLINE); // compact JSON has none: the envelope's end
    const body = JSON.parse(strictUtf8.decode(end < 0 ? bytes : bytes.subarray(0, end)));
    if (end < 0 || fillBodies(body, bytes, end + 1)) return expandBody(body);
  } catch {}
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return null;
  }
}

// Gives each call of the envelope its body, read in order from bytes[at…]; false unless the
// lengths cover the bytes exactly.
function fillBodies(envelope, bytes, at) {
  const chains = chainsOf(envelope);
  if (!chains) return false;
  for (const chain of chains) {
    if (!Array.isArray(chain.calls)) return false;
    for (const call of chain.calls) {
      const n = call?.bodyLength;
      if (!Number.isSafeInteger(n) || n < 0 || at + n > bytes.length) return false;
      delete call.bodyLength;
      call.body = strictUtf8.decode(bytes.subarray(at, (at += n)));
    }
  }
  return at === bytes.length;
}

// A message as the consumer reads it. The producer queues the core's message bodies as bytes
// (contentType "bytes": an ArrayBuffer arrives), chains built in JS as "json" (an object arrives).
export function readMessage(message) {
  const raw = message.body;
  if (!(raw instanceof ArrayBuffer || ArrayBuffer.isView(raw))) return message;
  return {
    id: message.id,
    timestamp: message.timestamp,
    attempts: message.attempts,
    body: decodeMessage(raw),
    ack: () => message.ack(),
    retry: (options) => message.retry(options),
  };
}

// Several chains as one message body (a chain alone goes as it is: deliver_queue.mjs bundle).
export const bundleOf = (chains) => ({ v: BUNDLE_VERSION, chains });
// A bundle's own bytes; each chain in it adds its JSON and a comma.
export const BUNDLE_OVERHEAD_BYTES = jsonBytes({ v: BUNDLE_VERSION, chains: [] });

// A wire call → what send.mjs sends (secrets still named, filled in at send time).
export function sendable(call, destination) {
  let body;
  if (call.bodyBase64 !== undefined) body = Uint8Array.from(atob(call.bodyBase64), (c) => c.charCodeAt(0));
  else body = encoder.encode(call.body ?? "");
  return {
    destination,
    method: call.method,
    url: call.url,
    headers: call.headers.map((h) => (h.secret ? { name: h.name, value: "", secret: h.secret, format: h.format } : { name: h.name, value: h.value, secret: "", format: "none" })),
    body,
    messageId: call.messageId,
    flags: call.flags ?? 0,
  };
}


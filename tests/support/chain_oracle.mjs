// The queue messages as the host built them in JS before the core wrote them
// (src/plan/queue_messages.cpp): plan requests → chains in the wire form of
// host-shims/delivery/chain.mjs. Kept as the oracle the core's messages are checked against
// (tests/core/queue_messages.test.mjs) and to make chains in tests.
const strictUtf8 = new TextDecoder("utf-8", { fatal: true });
const WIRE_VERSION = 1;

function wireHeader(h) {
  if (h.format === "none" || !h.secret) return { name: h.name, value: h.value };
  return { name: h.name, secret: h.secret, format: h.format }; // the value is filled in by the consumer
}

function wireBody(bytes) {
  try {
    return { body: strictUtf8.decode(bytes) };
  } catch {
    let binary = "";
    for (const b of bytes) binary += String.fromCharCode(b);
    return { bodyBase64: btoa(binary) };
  }
}

const dedupKey = (r) => `${r.scope}|${r.messageId}|${r.ordinal}`;
// Each call's plan scope, kept out of the wire form (not enumerable): the compact form names the
// scope of a call without a key too.
const SCOPE = Symbol("scope");

// Plan requests → chains, in order of first appearance.
export function buildChains(requests) {
  const chains = new Map();
  for (const r of requests) {
    const id = `${r.destination}\u0000${r.orderKey}`;
    let chain = chains.get(id);
    if (!chain) chains.set(id, (chain = { v: WIRE_VERSION, destination: r.destination, orderKey: r.orderKey, calls: [] }));
    const call = {
      method: r.method,
      url: r.url,
      headers: r.headers.map(wireHeader),
      ...wireBody(r.body),
      messageId: r.messageId,
      key: r.messageId ? dedupKey(r) : "",
      ...(r.flags ? { flags: r.flags } : {}),
    };
    Object.defineProperty(call, SCOPE, { value: r.scope });
    chain.calls.push(call);
  }
  return [...chains.values()];
}


// A chain in the compact wire form the core writes: the first call's method, headers, url and dedup
// scope named once by the chain, a call naming its own only where they differ, and the ordinal of
// each key (scope | messageId | ordinal) in place of the key (host-shims/delivery/chain.mjs
// expandChain undoes it). A key not of that form (made by a test) is carried as it is.
export function compactChain(chain) {
  const keyParts = (call) => {
    const key = call.key ?? "";
    if (key === "") return { scope: call[SCOPE] ?? "" };
    const at = key.lastIndexOf("|");
    const ordinal = key.slice(at + 1);
    const tail = `|${call.messageId}|`;
    if (/^(0|[1-9][0-9]*)$/.test(ordinal) && key.slice(0, at + 1).endsWith(tail)) return { scope: key.slice(0, at + 1 - tail.length), ordinal: Number(ordinal) };
    return { scope: call[SCOPE] ?? "", key };
  };
  const [first] = chain.calls;
  const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
  const { v, destination, orderKey } = chain;
  const { scope: firstScope } = keyParts(first);
  return {
    v, destination, orderKey, method: first.method, headers: first.headers, url: first.url, scope: firstScope,
    calls: chain.calls.map((call) => {
      const { method, headers, url, messageId, flags, key: _, ...body } = call; // body: {body} or {bodyBase64}
      const { scope, ordinal, key } = keyParts(call);
      return {
        ...(method !== first.method ? { method } : {}), ...(same(headers, first.headers) ? {} : { headers }),
        ...(url !== first.url ? { url } : {}), ...(scope !== firstScope ? { scope } : {}),
        ...body, messageId, ...(ordinal !== undefined ? { ordinal } : {}), ...(key !== undefined ? { key } : {}), ...(flags ? { flags } : {}),
      };
    }),
  };
}

const encoder = new TextEncoder();
const NEWLINE = Uint8Array.of(10);
const BUNDLE_HEAD = '{"v":2,"chains":[', BUNDLE_TAIL = "]}";

// A compact chain in the framed form the core queues (src/plan/queue_messages.hpp): its JSON with
// each call's `body` replaced, in place, by its `bodyLength` in bytes; and the bodies.
export function frameChain(chain) {
  const bodies = chain.calls.map((call) => {
    if (typeof call.body !== "string") throw new Error("the core writes text bodies only");
    return encoder.encode(call.body);
  });
  const calls = chain.calls.map((call, i) => Object.fromEntries(Object.entries(call).map(([k, v]) => (k === "body" ? ["bodyLength", bodies[i].length] : [k, v]))));
  const envelope = JSON.stringify({ ...chain, calls });
  const bytes = encoder.encode(envelope).length + bodies.reduce((n, b) => n + b.length, 0);
  return { envelope, bodies, bytes };
}

// Compact chains → the core's queue messages, [{bytes, chains, oversized}]: consecutive chains
// bundled while the message (envelope, newline, bodies) stays within `maxBytes`; a chain over it
// alone and flagged.
export function frameMessages(chains, maxBytes) {
  const out = [];
  let group = [];
  let size = BUNDLE_HEAD.length + BUNDLE_TAIL.length + 1;
  const write = (members, oversized) => {
    const envelope = members.length === 1 ? members[0].envelope : `${BUNDLE_HEAD}${members.map((m) => m.envelope).join(",")}${BUNDLE_TAIL}`;
    const parts = [encoder.encode(envelope), NEWLINE, ...members.flatMap((m) => m.bodies)];
    const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    parts.reduce((at, p) => (bytes.set(p, at), at + p.length), 0);
    out.push({ bytes, chains: members.length, oversized });
  };
  const flush = () => {
    if (group.length > 0) write(group, false);
    group = [];
    size = BUNDLE_HEAD.length + BUNDLE_TAIL.length + 1;
  };
  for (const framed of chains.map(frameChain)) {
    if (framed.bytes + 1 > maxBytes) {
      flush();
      write([framed], true);
      continue;
    }
    if (group.length > 0 && size + framed.bytes > maxBytes) flush();
    group.push(framed);
    size += framed.bytes + 1;
  }
  flush();
  return out;
}

// @ts-check
// Client of the dedup ledger (ledger_do.mjs, binding DELIVERY_LEDGER). A key always maps to the
// same shard: "<destination>/<fnv1a(key) mod shards>".
export function fnv1a(text) {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

// null without the binding (then nothing is deduplicated).
export function ledgerFor(env, cfg) {
  const ns = env?.DELIVERY_LEDGER;
  if (!ns) return null;
  const stubs = new Map();
  const shard = (destination, key) => {
    const name = `${destination}/${fnv1a(key) % cfg.ledgerShards}`;
    let stub = stubs.get(name);
    if (!stub) stubs.set(name, (stub = ns.get(ns.idFromName(name))));
    return stub;
  };
  return {
    claim: (destination, key, leaseMs, replay, owner) => shard(destination, key).claim(key, leaseMs, replay, owner),
    complete: (destination, key, delivered, owner) => shard(destination, key).complete(key, delivered, cfg.dedupMs, owner),
    release: (destination, key, token) => shard(destination, key).release(key, token),
  };
}

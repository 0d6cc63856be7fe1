// @ts-check
import { jurisdictionOfKey, objectIn } from "./residency.mjs";
// Client of the dedup ledger (ledger_do.mjs, binding DELIVERY_LEDGER). A key always maps to the
// same shard, "events/<n>", chosen by the key's source and messageId (not its destination): the
// calls one event makes to Gist, Gainsight and PX share a shard, so a beacon's calls are claimed in
// one round trip and settled in one more. (Shards were "<destination>/<n>" before: rows kept there
// are not consulted; a client retry straddling that upgrade could be delivered twice.)
export function fnv1a(text) {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

// The event a key "scope|messageId|ordinal" belongs to, "source|messageId" (scope
// "destination:source:account", or just "destination" in keys from before scopes): its shard, and
// its row in the ledger (ledger_do.mjs).
export function eventOf(key) {
  const first = key.indexOf("|");
  const last = key.lastIndexOf("|");
  const scope = first < 0 ? "" : key.slice(0, first);
  const messageId = first < 0 ? key : key.slice(first + 1, last > first ? last : key.length);
  return `${scope.split(":")[1] ?? ""}|${messageId}`;
}

// The shard number of a key.
export const shardIndex = (key, shards) => fnv1a(eventOf(key)) % shards;

// Items grouped by the shard of their key and its jurisdiction (residency.mjs): Map
// "<jurisdiction>|events/<n>" → items.
function byShard(items, shards) {
  const groups = new Map();
  for (const item of items) {
    const name = `${jurisdictionOfKey(item.key) ?? ""}|events/${shardIndex(item.key, shards)}`;
    const group = groups.get(name);
    if (group) group.push(item);
    else groups.set(name, [item]);
  }
  return groups;
}

// null without the binding (then nothing is deduplicated).
export function ledgerFor(env, cfg) {
  const ns = env?.DELIVERY_LEDGER;
  if (!ns) return null;
  const stubs = new Map();
  const stub = (group) => {
    let s = stubs.get(group);
    if (!s) {
      const [jurisdiction, name] = group.split("|");
      stubs.set(group, (s = objectIn(ns, jurisdiction || null, name)));
    }
    return s;
  };
  return {
    // The shard of a key, and the round trips claimAll (and settleAll) make for keys: one per shard.
    shardOf: (key) => shardIndex(key, cfg.ledgerShards),
    trips: (keys) => new Set(keys.map((key) => shardIndex(key, cfg.ledgerShards))).size,
    // items [{key, replay}] → Map key → the claim's answer (ledger_do.mjs claim), one trip per shard.
    // A key named twice (two chains of one message with the same call) is claimed once.
    async claimAll(items, leaseMs, owner) {
      const answers = new Map();
      const once = [...new Map(items.map((item) => [item.key, item])).values()];
      await Promise.all([...byShard(once, cfg.ledgerShards)].map(async ([name, group]) => {
        const got = await stub(name).claimAll(group, leaseMs, owner);
        group.forEach((item, i) => answers.set(item.key, got[i]));
      }));
      return answers;
    },
    // entries [{key, outcome: "delivered" | "failed" | "release", token?}], one trip per shard.
    async settleAll(entries, owner) {
      await Promise.all([...byShard(entries, cfg.ledgerShards)].map(([name, group]) => stub(name).settleAll(group, cfg.dedupMs, owner)));
    },
  };
}

// @ts-check
// Client of the operator store (ops_do.mjs, binding DELIVERY_OPS): counters and dead letters.
// Counters live in one object ("ops"): totals since the start, and per-minute buckets of the last
// 24 hours (GET /admin/stats/series) written by the same call. Dead letters are spread over DELIVERY_OPS_SHARDS objects
// ("dead-letters-<n>", n = fnv1a(id) mod shards), each purging what is older than
// DELIVERY_DEAD_LETTER_DAYS (alarm); the "ops" object is read as one more source, for dead letters
// written before sharding (it takes no new ones). Listing merges the sources' pages, oldest first,
// with an opaque cursor "<at ms>.<id>".
// Without the binding, dead letters are written to the log in full (secrets named only) and
// counters are kept in memory for this isolate.
// sent: 2xx · retried: a message put back after a retryable failure · failed: permanent 4xx (each
// also deadLettered) · deduplicated: a call skipped because another message had already sent it ·
// deadLettered: calls kept as dead letters, whatever the reason · busy: a call put back because another consumer held it · deferred: a chain
// (or its rest) queued again because the invocation's subrequest budget ran out · dropped
// (inline only): a call given up after its attempts.
import { deliveryConfig } from "../delivery/delivery_config.mjs";
import { fnv1a } from "./ledger.mjs";
import { hasPayloadStore, jurisdictionOfRef, touchPayload } from "./payloads.mjs";
import { jurisdictionOfCalls, objectIn } from "./residency.mjs";

export const COUNTERS = ["sent", "retried", "failed", "deduplicated", "deadLettered", "busy", "deferred"];

const ERROR_EXCERPT = 300;
const COUNTERS_OBJECT = "ops";
export const MAX_PAGE = 500;
export const ID_MAX_CHARS = 200;

export const opsStub = (env) => (env?.DELIVERY_OPS ? env.DELIVERY_OPS.get(env.DELIVERY_OPS.idFromName(COUNTERS_OBJECT)) : null);

export const deadLetterShard = (id, shards) => fnv1a(id) % shards;
export const deadLetterShardName = (n) => `dead-letters-${n}`;
// A dead letter of a source kept in a jurisdiction (residency.mjs) has an id "<jurisdiction>-<uuid>"
// and lives in that jurisdiction's shards.
const EU_ID = /^eu-/;
// The store's source of an id: its shard, or for an EU id one of the EU shards (after the "ops" object).
const homeOf = (id, shards) => (EU_ID.test(id) ? shards + 1 : 0) + deadLetterShard(id, shards);

// A listing cursor: where the previous page ended, in the global order (at, id).
export const cursorOf = (item) => `${Date.parse(item.at)}.${item.id}`;

export class CursorError extends Error {}

// "" / null → the start; "<at>.<id>" → {at, id}; anything else throws CursorError.
export function parseCursor(text) {
  if (text === null || text === undefined || text === "") return null;
  const m = /^(\d{1,15})\.([^]{1,200})$/.exec(String(text));
  if (!m) throw new CursorError("after: not a cursor (use the `next` of the previous page)");
  return { at: Number(m[1]), id: m[2] };
}

const byAge = (a, b) => {
  const d = Date.parse(a.at) - Date.parse(b.at);
  return d !== 0 ? d : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
};

// The dead letters of one Worker (null without DELIVERY_OPS). Sources 0 … shards−1 are the shards;
// source `shards` is the "ops" object (dead letters from before sharding); sources shards+1 …
// 2·shards are the EU jurisdiction's shards.
export function deadLetterStore(env) {
  const ns = env?.DELIVERY_OPS;
  if (!ns) return null;
  const shards = deliveryConfig(env).opsShards;
  const stubs = new Map();
  const stub = (i) => {
    let s = stubs.get(i);
    if (!s) {
      if (i > shards) s = objectIn(ns, "eu", deadLetterShardName(i - shards - 1));
      else s = ns.get(ns.idFromName(i === shards ? COUNTERS_OBJECT : deadLetterShardName(i)));
      stubs.set(i, s);
    }
    return s;
  };
  const sources = Array.from({ length: 2 * shards + 1 }, (_, i) => i);
  const where = new Map(); // id → source, learnt from get()

  const groupBy = (ids, sourceOf) => {
    const groups = new Map();
    for (const id of ids) {
      const i = sourceOf(id);
      if (!groups.has(i)) groups.set(i, []);
      groups.get(i).push(id);
    }
    return groups;
  };

  // Asks each id's home shard, then every other source for the ids not found there (an entry
  // written under another shard count, or before sharding). → Map id → result
  async function lookup(ids, call) {
    const found = new Map();
    const home = groupBy(ids, (id) => where.get(id) ?? homeOf(id, shards));
    await Promise.all([...home].map(async ([i, group]) => {
      for (const [id, value] of await call(i, group)) found.set(id, { value, source: i });
    }));
    const missing = ids.filter((id) => !found.has(id));
    if (missing.length) {
      await Promise.all(sources.map(async (i) => {
        const group = missing.filter((id) => (where.get(id) ?? homeOf(id, shards)) !== i);
        if (group.length === 0) return;
        for (const [id, value] of await call(i, group)) if (!found.has(id)) found.set(id, { value, source: i });
      }));
    }
    for (const [id, { source }] of found) where.set(id, source);
    return found;
  }

  return {
    shards,

    async add(entries) {
      const groups = new Map();
      for (const e of entries) {
        const i = homeOf(e.id, shards);
        if (!groups.has(i)) groups.set(i, []);
        groups.get(i).push(e);
      }
      await Promise.all([...groups].map(([i, group]) => stub(i).addDeadLetters(group)));
    },

    // {total, items, next}: summaries, oldest first across every source; `total` counts all.
    async list({ limit = 100, after = null, destination = undefined } = {}) {
      const n = Math.max(1, Math.min(MAX_PAGE, Math.floor(Number(limit)) || 100));
      const pages = await Promise.all(sources.map((i) => stub(i).listDeadLetters({ limit: n, after, destination })));
      const merged = pages.flatMap((p) => p.items).sort(byAge);
      const items = merged.slice(0, n);
      const more = merged.length > n || pages.some((p) => p.more);
      return { total: pages.reduce((t, p) => t + p.total, 0), items, next: more && items.length ? cursorOf(items[items.length - 1]) : null };
    },

    async total() {
      const counts = await Promise.all(sources.map((i) => stub(i).countDeadLetters()));
      return counts.reduce((t, n) => t + n, 0);
    },

    // Full entries (their queue message included), in the order of `ids`; unknown ids left out.
    async get(ids) {
      const found = await lookup(ids, async (i, group) => (await stub(i).getDeadLetters({ ids: group })).map((e) => [e.id, e]));
      return ids.filter((id) => found.has(id)).map((id) => found.get(id).value);
    },

    // Deletes; returns the deleted entries' messages (the caller drops stored payloads they reference).
    async delete(ids) {
      const found = await lookup(ids, async (i, group) => Object.entries(await stub(i).deleteDeadLetters(group)));
      for (const id of ids) where.delete(id);
      return ids.filter((id) => found.has(id)).map((id) => found.get(id).value);
    },
  };
}

// Per-destination counter increments, flushed once per queue batch.
export class Counters {
  constructor() {
    this.delta = {};
  }
  add(destination, name, n = 1) {
    const d = (this.delta[destination] ??= {});
    d[name] = (d[name] ?? 0) + n;
  }
  merge(other) {
    for (const [destination, counters] of Object.entries(other.delta)) {
      for (const [name, n] of Object.entries(counters)) this.add(destination, name, n);
    }
  }
  get empty() {
    return Object.keys(this.delta).length === 0;
  }
}

// The counters over time: one bucket a minute, kept SERIES_KEEP_MINUTES (24 h).
export const SERIES_STEP_MS = 60_000;
export const SERIES_KEEP_MINUTES = 1440;
export const minuteOf = (ms) => Math.floor(ms / SERIES_STEP_MS);

// This isolate's counters when no DELIVERY_OPS is bound: totals, and minute → delta.
const memory = new Counters();
const memoryMinutes = new Map();

// One call to the "ops" object a flush: the totals and the bucket of the minute of `at`.
export async function flushCounters(env, counters, at = Date.now()) {
  if (counters.empty) return;
  const stub = opsStub(env);
  if (stub) {
    await stub.addCounters(counters.delta, at);
    return;
  }
  memory.merge(counters);
  const minute = minuteOf(at);
  let bucket = memoryMinutes.get(minute);
  if (!bucket) memoryMinutes.set(minute, (bucket = new Counters()));
  bucket.merge(counters);
  for (const m of memoryMinutes.keys()) if (m <= minute - SERIES_KEEP_MINUTES) memoryMinutes.delete(m);
}

// The last `minutes` buckets up to the one of `now`, oldest first:
// {stepMs, start (ms of the first bucket), buckets, destinations: {destination: {counter: [n, …]}}}.
// Every destination that has totals is listed, each with every counter (zeros filled).
export async function readCounterSeries(env, { minutes = 60, now = Date.now() } = {}) {
  const n = Math.max(1, Math.min(SERIES_KEEP_MINUTES, Math.floor(minutes)));
  const last = minuteOf(now);
  const first = last - n + 1;
  const stub = opsStub(env);
  /** @type {{buckets: Array<[number, Record<string, Record<string, number>>]>, names: Record<string, string[]>}} */
  const raw = stub
    ? await stub.counterSeries({ from: first, to: last })
    : {
        buckets: [...memoryMinutes].filter(([m]) => m >= first && m <= last).map(([m, c]) => [m, c.delta]),
        names: Object.fromEntries(Object.entries(memory.delta).map(([d, c]) => [d, Object.keys(c)])),
      };
  const destinations = {};
  const series = (destination, name) => {
    const d = (destinations[destination] ??= Object.fromEntries(COUNTERS.map((c) => [c, new Array(n).fill(0)])));
    return (d[name] ??= new Array(n).fill(0));
  };
  for (const [destination, names] of Object.entries(raw.names)) for (const name of names) series(destination, name);
  for (const [minute, delta] of raw.buckets) {
    for (const [destination, counters] of Object.entries(delta)) {
      for (const [name, value] of Object.entries(counters)) series(destination, name)[minute - first] += value;
    }
  }
  return { stepMs: SERIES_STEP_MS, start: first * SERIES_STEP_MS, buckets: n, destinations };
}

// {scope: "durable" | "isolate", counters: {destination: {sent, retried, …}}}, zeros included.
export async function readCounters(env) {
  const stub = opsStub(env);
  const raw = stub ? await stub.counters() : memory.delta;
  const counters = {};
  for (const [destination, values] of Object.entries(raw)) {
    counters[destination] = Object.fromEntries(COUNTERS.map((name) => [name, 0]));
    Object.assign(counters[destination], values);
  }
  return { scope: stub ? "durable" : "isolate", counters };
}

// A dead letter: `message` is the queue message body that replays it.
export function deadLetter({ reason, destination, orderKey, result = undefined, attempts, message }) {
  const calls = Array.isArray(message?.calls) ? message.calls : [];
  const jurisdiction = jurisdictionOfCalls(calls) ?? (typeof message?.ref === "string" ? jurisdictionOfRef(message.ref) : null);
  return {
    id: `${jurisdiction ? `${jurisdiction}-` : ""}${crypto.randomUUID()}`,
    at: Date.now(),
    destination,
    orderKey,
    reason,
    status: result?.status ?? 0,
    error: String(result?.error ?? "").slice(0, ERROR_EXCERPT),
    attempts,
    messageIds: [...new Set(calls.map((c) => c?.messageId))].slice(0, 50),
    calls: typeof message?.ref === "string" ? (message.count ?? 1) - (message.from ?? 0) : calls.length,
    message,
  };
}

export async function recordDeadLetters(env, entries, log) {
  if (entries.length === 0) return;
  const store = deadLetterStore(env);
  if (store) {
    await store.add(entries);
    // A dead letter pointing at a stored chain restarts that chain's clock in the payload store,
    // which keeps it a day longer than any dead letter (delivery_config.mjs payloadKeepMs).
    if (hasPayloadStore(env)) {
      for (const e of entries) {
        if (typeof e.message?.ref === "string") {
          await touchPayload(env, e.message.ref).catch((err) => log({ at: "dead-letter", id: e.id, error: `payload not touched: ${err?.message ?? err}` }));
        }
      }
    }
    for (const e of entries) log({ at: "dead-letter", id: e.id, destination: e.destination, reason: e.reason, status: e.status, calls: e.calls, messageIds: e.messageIds });
  } else {
    for (const e of entries) log({ ...e, at: "dead-letter", stored: false, time: new Date(e.at).toISOString() });
  }
}

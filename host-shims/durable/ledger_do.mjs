// @ts-check
// Durable Object (SQLite): the dedup ledger, one object per shard (a hash of the key's source and
// messageId: ledger.mjs). The consumer claims a message's calls in one round trip (claimAll) and
// settles them in one more (settleAll); claim/complete/release are the same rules for one key.
// A Durable Object runs its calls one at a time over strongly consistent storage, so two
// consumers that race for one key cannot both win — KV, eventually consistent, would let both
// through. Per key:
//   claim    → "claimed" (a lease, with a token), "busy" (someone holds a live lease: retry
//              later), "delivered" or "failed" (answered before: skip)
//   complete → delivered (2xx) or failed (permanent 4xx), remembered for `keepMs` (24 h)
//   release  → drops the lease (retryable failure: the next attempt may claim it again)
// A replayed dead letter may claim a "failed" key again; a "delivered" key is never sent twice.
//
// Storage is billed per row written (Workers Paid: $1.00 per million past 50 million a month;
// Free: 100,000 a day), so the calls of one event (its Gist, Gainsight and PX calls share a
// shard) live in ONE row, keyed by the event: a round trip writes each event it touches once, and
// an event costs three rows written in all (claimed, settled, purged) whatever its number of
// calls. The table has no rowid and no index (each would be a row written more per write);
// expired rows are purged by an alarm at most once an hour, a scan that costs rows read only.
import { DurableObject } from "cloudflare:workers";
import { eventOf } from "./ledger.mjs";

const LEASED = 0;
const DELIVERED = 1;
const FAILED = 2;
const STATE_NAME = ["busy", "delivered", "failed"];
export const PURGE_EVERY_MS = 3_600_000; // the alarm comes back at most this often

/** @typedef {{state: number, until: number, token: string, owner: string}} Entry */

// The events a round trip touches: each row read once, each changed row written once (save).
// `legacy`: the per-call `calls` table of earlier versions, consulted for a key no event row holds.
export class EventRows {
  constructor(sql, legacy = false) {
    this.sql = sql;
    this.legacy = legacy;
    /** @type {Map<string, {calls: Record<string, [number, number, string, string]>, changed: boolean}>} */
    this.events = new Map();
  }

  #event(key) {
    const event = eventOf(key);
    let e = this.events.get(event);
    if (!e) {
      const [row] = this.sql.exec("SELECT calls FROM events WHERE event = ?", event).toArray();
      this.events.set(event, (e = { calls: row ? JSON.parse(row.calls) : {}, changed: false }));
    }
    return e;
  }

  /** @returns {Entry | null} */
  get(key) {
    const found = this.#event(key).calls[key];
    if (found) return { state: found[0], until: found[1], token: found[2], owner: found[3] };
    if (!this.legacy) return null;
    const [old] = this.sql.exec("SELECT state, until, token, owner FROM calls WHERE key = ?", key).toArray();
    return old ? { state: Number(old.state), until: Number(old.until), token: String(old.token), owner: String(old.owner) } : null;
  }

  /** @param {Entry | null} entry null: forget the key */
  set(key, entry) {
    const e = this.#event(key);
    if (entry) e.calls[key] = [entry.state, entry.until, entry.token, entry.owner];
    else delete e.calls[key];
    if (!entry && this.legacy) this.sql.exec("DELETE FROM calls WHERE key = ?", key); // a lease from before the upgrade
    e.changed = true;
  }

  save() {
    for (const [event, { calls, changed }] of this.events) {
      if (!changed) continue;
      const untils = Object.values(calls).map((c) => c[1]);
      if (untils.length === 0) this.sql.exec("DELETE FROM events WHERE event = ?", event);
      else this.sql.exec("INSERT INTO events (event, calls, until) VALUES (?, ?, ?) ON CONFLICT (event) DO UPDATE SET calls = excluded.calls, until = excluded.until", event, JSON.stringify(calls), Math.max(...untils));
    }
    this.events.clear();
  }
}

export class DeliveryLedger extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec("CREATE TABLE IF NOT EXISTS events (event TEXT PRIMARY KEY, calls TEXT NOT NULL, until INTEGER NOT NULL) WITHOUT ROWID");
    this.legacy = this.sql.exec("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'calls'").toArray().length > 0;
    this.alarmAt = undefined; // cached: undefined = unknown
  }

  eventRows() {
    return new EventRows(this.sql, this.legacy);
  }

  // `owner` names the queue message sending the call: a retry of that same message skipping what
  // it already sent is told apart from a duplicate. A live lease of the same message is its own
  // (an attempt that died before settling: the queue runs one attempt of a message at a time), so
  // the retry takes it over instead of waiting for it to end.
  #claim(rows, now, key, leaseMs, replay, owner) {
    const row = rows.get(key);
    const free = !row || row.until <= now || (row.state === FAILED && replay) || (row.state === LEASED && owner !== "" && row.owner === owner);
    if (!free) {
      return { state: STATE_NAME[row.state], owner: row.owner, retryInMs: row.state === LEASED ? row.until - now : 0 };
    }
    const token = crypto.randomUUID();
    rows.set(key, { state: LEASED, until: now + leaseMs, token, owner });
    return { state: "claimed", token };
  }

  claim(key, leaseMs, replay = false, owner = "") {
    return this.claimAll([{ key, replay }], leaseMs, owner)[0];
  }

  async complete(key, delivered, keepMs, owner = "") {
    await this.settleAll([{ key, outcome: delivered ? "delivered" : "failed" }], keepMs, owner);
  }

  release(key, token) {
    const rows = this.eventRows();
    this.#release(rows, key, token);
    rows.save();
  }

  #release(rows, key, token) {
    const row = rows.get(key);
    if (row && row.state === LEASED && row.token === token) rows.set(key, null);
  }

  // The calls of one queue message in one round trip: items [{key, replay}] → the claim of each.
  claimAll(items, leaseMs, owner = "") {
    const now = Date.now();
    const rows = this.eventRows();
    const answers = items.map(({ key, replay }) => this.#claim(rows, now, key, leaseMs, !!replay, owner));
    rows.save();
    return answers;
  }

  // How they went, in one round trip: entries [{key, outcome, token}], outcome "delivered" or
  // "failed" (complete) or "release" (the lease it names dropped).
  async settleAll(entries, keepMs, owner = "") {
    const until = Date.now() + keepMs;
    const rows = this.eventRows();
    let recorded = false;
    for (const { key, outcome, token } of entries) {
      if (outcome === "release") {
        this.#release(rows, key, token);
      } else {
        rows.set(key, { state: outcome === "delivered" ? DELIVERED : FAILED, until, token: "", owner });
        recorded = true;
      }
    }
    rows.save();
    if (recorded) await this.#ensureAlarm(until);
  }

  // Every remembered key: [key, Entry] (the count for operators, the rows for tests).
  entries() {
    const out = [];
    for (const { calls } of this.sql.exec("SELECT calls FROM events").toArray()) {
      for (const [key, [state, until, token, owner]] of Object.entries(JSON.parse(String(calls)))) out.push([key, { state, until, token, owner }]);
    }
    if (this.legacy) {
      for (const r of this.sql.exec("SELECT key, state, until, token, owner FROM calls").toArray()) {
        out.push([String(r.key), { state: Number(r.state), until: Number(r.until), token: String(r.token), owner: String(r.owner) }]);
      }
    }
    return out;
  }

  // The number of remembered keys (tests and operators).
  size() {
    return this.entries().length;
  }

  async #ensureAlarm(until) {
    if (this.alarmAt === undefined) this.alarmAt = await this.ctx.storage.getAlarm();
    if (this.alarmAt === null) {
      this.alarmAt = until;
      await this.ctx.storage.setAlarm(until);
    }
  }

  // Purges the rows whose every call expired, and comes back at the next expiry, at most once an
  // hour (each purge scans the table). The per-call table of earlier versions goes when empty.
  async alarm() {
    const now = Date.now();
    this.sql.exec("DELETE FROM events WHERE until <= ?", now);
    let { next } = this.sql.exec("SELECT MIN(until) AS next FROM events").one();
    if (this.legacy) {
      this.sql.exec("DELETE FROM calls WHERE until <= ?", now);
      const old = this.sql.exec("SELECT MIN(until) AS next FROM calls").one().next;
      if (old === null) {
        this.sql.exec("DROP TABLE calls");
        this.legacy = false;
      } else {
        next = next === null ? old : Math.min(Number(next), Number(old));
      }
    }
    this.alarmAt = next ?? null;
    if (next !== null) await this.ctx.storage.setAlarm(Math.max(Number(next), now + PURGE_EVERY_MS));
  }
}

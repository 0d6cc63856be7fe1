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
// an event costs two rows written in all (claimed, settled) whatever its number of calls. A new
// row goes into the table of its UTC day ("events_<day number>"), and a day's table is dropped
// whole once all its rows have expired: DROP TABLE writes no row, where deleting would write one
// per event. Tables have no rowid and no index (each would be a row written more per write).
import { DurableObject } from "cloudflare:workers";
import { eventOf } from "./ledger.mjs";

const LEASED = 0;
const DELIVERED = 1;
const FAILED = 2;
const STATE_NAME = ["busy", "delivered", "failed"];
export const PURGE_EVERY_MS = 3_600_000; // the alarm comes back at most this often
export const DAY_MS = 86_400_000;
export const dayOf = (ms) => Math.floor(ms / DAY_MS);
const tableOf = (day) => `events_${day}`;
const TABLE_NAME = /^events_(\d+)$/;
export const createDayTable = (sql, day) =>
  sql.exec(`CREATE TABLE IF NOT EXISTS ${tableOf(day)} (event TEXT PRIMARY KEY, calls TEXT NOT NULL, until INTEGER NOT NULL) WITHOUT ROWID`);

/** @typedef {{state: number, until: number, token: string, owner: string}} Entry */

// The events a round trip touches: each row read once (from whichever day's table holds it), each
// changed row written once, where it is (save); a new one in today's table.
// `ledger.legacy`: the per-call `calls` table of earlier versions, consulted for a key no event
// row holds.
export class EventRows {
  constructor(ledger) {
    this.ledger = ledger;
    this.sql = ledger.sql;
    /** @type {Map<string, {calls: Record<string, [number, number, string, string]>, day: number | null, changed: boolean}>} */
    this.events = new Map();
  }

  #event(key) {
    const event = eventOf(key);
    let e = this.events.get(event);
    if (!e) {
      e = { calls: {}, day: null, changed: false };
      for (const day of this.ledger.days) {
        const [row] = this.sql.exec(`SELECT calls FROM ${tableOf(day)} WHERE event = ?`, event).toArray();
        if (row) {
          e = { calls: JSON.parse(String(row.calls)), day, changed: false };
          break;
        }
      }
      this.events.set(event, e);
    }
    return e;
  }

  /** @returns {Entry | null} */
  get(key) {
    const found = this.#event(key).calls[key];
    if (found) return { state: found[0], until: found[1], token: found[2], owner: found[3] };
    if (!this.ledger.legacy) return null;
    const [old] = this.sql.exec("SELECT state, until, token, owner FROM calls WHERE key = ?", key).toArray();
    return old ? { state: Number(old.state), until: Number(old.until), token: String(old.token), owner: String(old.owner) } : null;
  }

  /** @param {Entry | null} entry null: forget the key */
  set(key, entry) {
    const e = this.#event(key);
    if (entry) e.calls[key] = [entry.state, entry.until, entry.token, entry.owner];
    else delete e.calls[key];
    if (!entry && this.ledger.legacy) this.sql.exec("DELETE FROM calls WHERE key = ?", key); // a lease from before the upgrade
    e.changed = true;
  }

  save() {
    for (const [event, e] of this.events) {
      if (!e.changed) continue;
      const untils = Object.values(e.calls).map((c) => c[1]);
      if (untils.length === 0) {
        if (e.day !== null) this.sql.exec(`DELETE FROM ${tableOf(e.day)} WHERE event = ?`, event);
        continue;
      }
      const day = e.day ?? this.ledger.today();
      this.sql.exec(`INSERT INTO ${tableOf(day)} (event, calls, until) VALUES (?, ?, ?) ON CONFLICT (event) DO UPDATE SET calls = excluded.calls, until = excluded.until`,
        event, JSON.stringify(e.calls), Math.max(...untils));
    }
    this.events.clear();
  }
}

export class DeliveryLedger extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    const tables = this.sql.exec("SELECT name FROM sqlite_master WHERE type = 'table'").toArray().map((r) => String(r.name));
    this.legacy = tables.includes("calls");
    /** @type {number[]} the days that have a table, newest first */
    this.days = tables.map((name) => TABLE_NAME.exec(name)).filter((m) => m !== null).map((m) => Number(m[1])).sort((a, b) => b - a);
    this.alarmAt = undefined; // cached: undefined = unknown
  }

  // Today's day number, its table created on first use (two rows written, once a day).
  today() {
    const day = dayOf(Date.now());
    if (this.days[0] !== day) {
      createDayTable(this.sql, day);
      this.days = [day, ...this.days.filter((d) => d !== day)].sort((a, b) => b - a);
    }
    return day;
  }

  eventRows() {
    return new EventRows(this);
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
  claimAll(items, leaseMs, owner) {
    const now = Date.now();
    const rows = this.eventRows();
    const answers = items.map(({ key, replay }) => this.#claim(rows, now, key, leaseMs, !!replay, owner));
    rows.save();
    return answers;
  }

  // How they went, in one round trip: entries [{key, outcome, token}], outcome "delivered" or
  // "failed" (complete) or "release" (the lease it names dropped).
  async settleAll(entries, keepMs, owner) {
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
    for (const day of this.days) {
      for (const { calls } of this.sql.exec(`SELECT calls FROM ${tableOf(day)}`).toArray()) {
        for (const [key, [state, until, token, owner]] of Object.entries(JSON.parse(String(calls)))) out.push([key, { state, until, token, owner }]);
      }
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

  // Drops each past day's table once all its rows have expired (today's only when empty), and
  // comes back when the next one may go (today's: tomorrow), at most once an hour. The per-call table of earlier
  // versions is purged row by row and dropped when empty.
  async alarm() {
    const now = Date.now();
    const today = dayOf(now);
    let next = null;
    const later = (t) => (next = next === null ? t : Math.min(next, t));
    for (const day of [...this.days]) {
      const { last } = this.sql.exec(`SELECT MAX(until) AS last FROM ${tableOf(day)}`).one();
      if (day >= today && last !== null) {
        later((day + 1) * DAY_MS); // still taking new rows today
      } else if (last === null || Number(last) <= now) {
        this.sql.exec(`DROP TABLE ${tableOf(day)}`);
        this.days = this.days.filter((d) => d !== day);
      } else {
        later(Number(last));
      }
    }
    if (this.legacy) {
      this.sql.exec("DELETE FROM calls WHERE until <= ?", now);
      const old = this.sql.exec("SELECT MIN(until) AS next FROM calls").one().next;
      if (old === null) {
        this.sql.exec("DROP TABLE calls");
        this.legacy = false;
      } else {
        later(Number(old));
      }
    }
    this.alarmAt = next;
    if (next !== null) await this.ctx.storage.setAlarm(Math.max(next, now + PURGE_EVERY_MS));
  }
}

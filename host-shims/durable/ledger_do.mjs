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
// Expired rows are purged by an alarm.
import { DurableObject } from "cloudflare:workers";

const LEASED = 0;
const DELIVERED = 1;
const FAILED = 2;
const STATE_NAME = ["busy", "delivered", "failed"];

export class DeliveryLedger extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(`CREATE TABLE IF NOT EXISTS calls (key TEXT PRIMARY KEY, state INTEGER NOT NULL,
                   until INTEGER NOT NULL, token TEXT NOT NULL DEFAULT '', owner TEXT NOT NULL DEFAULT '')`);
    this.sql.exec("CREATE INDEX IF NOT EXISTS calls_until ON calls (until)");
    this.alarmAt = undefined; // cached: undefined = unknown
  }

  // `owner` names the queue message sending the call: a retry of that same message skipping what
  // it already sent is told apart from a duplicate. A live lease of the same message is its own
  // (an attempt that died before settling: the queue runs one attempt of a message at a time), so
  // the retry takes it over instead of waiting for it to end.
  claim(key, leaseMs, replay = false, owner = "") {
    const now = Date.now();
    const [row] = this.sql.exec("SELECT state, until, owner FROM calls WHERE key = ?", key).toArray();
    const free = !row || row.until <= now || (row.state === FAILED && replay) || (row.state === LEASED && owner !== "" && row.owner === owner);
    if (!free) {
      return { state: STATE_NAME[row.state], owner: row.owner, retryInMs: row.state === LEASED ? row.until - now : 0 };
    }
    const token = crypto.randomUUID();
    this.sql.exec("INSERT OR REPLACE INTO calls (key, state, until, token, owner) VALUES (?, ?, ?, ?, ?)", key, LEASED, now + leaseMs, token, owner);
    return { state: "claimed", token };
  }

  async complete(key, delivered, keepMs, owner = "") {
    const until = Date.now() + keepMs;
    this.#record(key, delivered, until, owner);
    await this.#ensureAlarm(until);
  }

  #record(key, delivered, until, owner) {
    this.sql.exec("INSERT OR REPLACE INTO calls (key, state, until, token, owner) VALUES (?, ?, ?, '', ?)", key, delivered ? DELIVERED : FAILED, until, owner);
  }

  // The calls of one queue message in one round trip: items [{key, replay}] → the claim of each.
  claimAll(items, leaseMs, owner = "") {
    return items.map(({ key, replay }) => this.claim(key, leaseMs, !!replay, owner));
  }

  // How they went, in one round trip: entries [{key, outcome, token}], outcome "delivered" or
  // "failed" (complete) or "release" (the lease it names dropped).
  async settleAll(entries, keepMs, owner = "") {
    const until = Date.now() + keepMs;
    let recorded = false;
    for (const { key, outcome, token } of entries) {
      if (outcome === "release") {
        this.release(key, token);
      } else {
        this.#record(key, outcome === "delivered", until, owner);
        recorded = true;
      }
    }
    if (recorded) await this.#ensureAlarm(until);
  }

  release(key, token) {
    this.sql.exec("DELETE FROM calls WHERE key = ? AND state = ? AND token = ?", key, LEASED, token);
  }

  // The number of remembered keys (tests and operators).
  size() {
    return this.sql.exec("SELECT COUNT(*) AS n FROM calls").one().n;
  }

  async #ensureAlarm(until) {
    if (this.alarmAt === undefined) this.alarmAt = await this.ctx.storage.getAlarm();
    if (this.alarmAt === null) {
      this.alarmAt = until;
      await this.ctx.storage.setAlarm(until);
    }
  }

  async alarm() {
    const now = Date.now();
    this.sql.exec("DELETE FROM calls WHERE until <= ?", now);
    const { next } = this.sql.exec("SELECT MIN(until) AS next FROM calls").one();
    this.alarmAt = next ?? null;
    if (next !== null) await this.ctx.storage.setAlarm(Math.max(next, now + 60_000));
  }
}

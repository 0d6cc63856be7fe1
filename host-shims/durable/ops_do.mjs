// @ts-check
// Durable Object (SQLite): what an operator reads. One class, two roles (ops.mjs picks the object):
//   "ops"               per-destination counters (and dead letters written before sharding,
//                       read and purged like a shard's, never added to)
//   "dead-letters-<n>"  one shard of the dead letters (calls that failed for good, or whose
//                       retries ran out) with their reason
// Each dead letter keeps the queue message that replays it (secrets named, never filled in).
// Dead letters older than DELIVERY_DEAD_LETTER_DAYS are purged by an alarm.
import { DurableObject } from "cloudflare:workers";
import { deliveryConfig } from "../delivery/delivery_config.mjs";

const MAX_PAGE = 500;
const ALARM_MIN_GAP_MS = 1000;

export class DeliveryOps extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(`CREATE TABLE IF NOT EXISTS dead_letters (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT UNIQUE NOT NULL,
                   at INTEGER NOT NULL, destination TEXT NOT NULL, order_key TEXT NOT NULL, reason TEXT NOT NULL,
                   status INTEGER NOT NULL, error TEXT NOT NULL, attempts INTEGER NOT NULL, message_ids TEXT NOT NULL,
                   calls INTEGER NOT NULL, message TEXT NOT NULL)`);
    this.sql.exec("CREATE INDEX IF NOT EXISTS dead_letters_at_id ON dead_letters (at, id)");
    this.sql.exec(`CREATE TABLE IF NOT EXISTS counters (destination TEXT NOT NULL, name TEXT NOT NULL,
                   value INTEGER NOT NULL, PRIMARY KEY (destination, name))`);
    this.retentionMs = deliveryConfig(env).deadLetterRetentionMs;
    this.alarmAt = undefined; // cached: undefined = unknown, null = none
  }

  // entries: [{id, at, destination, orderKey, reason, status, error, attempts, messageIds, calls, message}]
  async addDeadLetters(entries) {
    this.ctx.storage.transactionSync(() => {
      for (const e of entries) {
        this.sql.exec(
          `INSERT OR REPLACE INTO dead_letters (id, at, destination, order_key, reason, status, error, attempts, message_ids, calls, message)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          e.id, e.at, e.destination, e.orderKey ?? "", e.reason, e.status ?? 0, e.error ?? "", e.attempts ?? 0,
          JSON.stringify(e.messageIds ?? []), e.calls ?? 0, JSON.stringify(e.message),
        );
      }
    });
    await this.#ensureAlarm();
  }

  // Summaries (no bodies), oldest first by (at, id), after the cursor `after` ({at, id} or null).
  // → {total (all of this object's), items (≤ limit), more}
  async listDeadLetters({ limit = 100, after = null, destination = undefined } = {}) {
    await this.#ensureAlarm(); // also starts the purge of dead letters kept from before retention existed
    const n = Math.max(1, Math.min(MAX_PAGE, Math.floor(Number(limit)) || 100));
    const where = [];
    const args = [];
    if (after) {
      where.push("(at > ? OR (at = ? AND id > ?))");
      args.push(Number(after.at), Number(after.at), String(after.id));
    }
    if (destination) {
      where.push("destination = ?");
      args.push(String(destination));
    }
    const rows = this.sql.exec(
      `SELECT id, at, destination, order_key, reason, status, error, attempts, message_ids, calls FROM dead_letters
       ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY at, id LIMIT ?`, ...args, n + 1,
    ).toArray();
    return { total: this.countDeadLetters(), items: rows.slice(0, n).map(summary), more: rows.length > n };
  }

  countDeadLetters() {
    return this.sql.exec("SELECT COUNT(*) AS n FROM dead_letters").one().n;
  }

  // Full entries, message included, for the ids held here.
  getDeadLetters({ ids = [] } = {}) {
    return ids.flatMap((id) => this.sql.exec("SELECT * FROM dead_letters WHERE id = ?", String(id)).toArray())
      .map((r) => ({ ...summary(r), message: JSON.parse(r.message) }));
  }

  // → {id: message} of the entries deleted (the caller drops stored payloads they reference).
  deleteDeadLetters(ids = []) {
    const messages = {};
    this.ctx.storage.transactionSync(() => {
      for (const id of ids) {
        const [row] = this.sql.exec("SELECT message FROM dead_letters WHERE id = ?", String(id)).toArray();
        if (!row) continue;
        messages[id] = JSON.parse(row.message);
        this.sql.exec("DELETE FROM dead_letters WHERE id = ?", String(id));
      }
    });
    return messages;
  }

  // The alarm is due when the oldest dead letter reaches the retention (set earlier if the
  // retention was shortened since).
  async #ensureAlarm() {
    const { oldest } = this.sql.exec("SELECT MIN(at) AS oldest FROM dead_letters").one();
    if (oldest === null) return;
    if (this.alarmAt === undefined) this.alarmAt = await this.ctx.storage.getAlarm();
    const due = oldest + this.retentionMs;
    if (this.alarmAt === null || this.alarmAt > due) {
      this.alarmAt = due;
      await this.ctx.storage.setAlarm(due);
    }
  }

  async alarm() {
    const now = Date.now();
    this.sql.exec("DELETE FROM dead_letters WHERE at <= ?", now - this.retentionMs);
    const { oldest } = this.sql.exec("SELECT MIN(at) AS oldest FROM dead_letters").one();
    this.alarmAt = oldest === null ? null : Math.max(oldest + this.retentionMs, now + ALARM_MIN_GAP_MS);
    if (this.alarmAt !== null) await this.ctx.storage.setAlarm(this.alarmAt);
  }

  // delta: {destination: {counter: n}}
  addCounters(delta) {
    this.ctx.storage.transactionSync(() => {
      for (const [destination, counters] of Object.entries(delta)) {
        for (const [name, value] of Object.entries(counters)) {
          if (!value) continue;
          this.sql.exec(
            "INSERT INTO counters (destination, name, value) VALUES (?, ?, ?) ON CONFLICT (destination, name) DO UPDATE SET value = value + excluded.value",
            destination, name, value,
          );
        }
      }
    });
  }

  counters() {
    const out = {};
    for (const r of this.sql.exec("SELECT destination, name, value FROM counters ORDER BY destination, name")) {
      (out[r.destination] ??= {})[r.name] = r.value;
    }
    return out;
  }
}

function summary(r) {
  return {
    id: r.id,
    at: new Date(r.at).toISOString(),
    destination: r.destination,
    orderKey: r.order_key,
    reason: r.reason,
    status: r.status,
    error: r.error,
    attempts: r.attempts,
    messageIds: JSON.parse(r.message_ids),
    calls: r.calls,
  };
}

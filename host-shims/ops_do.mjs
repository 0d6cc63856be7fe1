// Durable Object (SQLite), one instance ("ops"): what an operator reads — dead letters (calls that
// failed for good, or whose retries ran out) with their reason, and per-destination counters.
// Each dead letter keeps the queue message that replays it (secrets named, never filled in).
import { DurableObject } from "cloudflare:workers";

const MAX_PAGE = 500;

export class DeliveryOps extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(`CREATE TABLE IF NOT EXISTS dead_letters (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT UNIQUE NOT NULL,
                   at INTEGER NOT NULL, destination TEXT NOT NULL, order_key TEXT NOT NULL, reason TEXT NOT NULL,
                   status INTEGER NOT NULL, error TEXT NOT NULL, attempts INTEGER NOT NULL, message_ids TEXT NOT NULL,
                   calls INTEGER NOT NULL, message TEXT NOT NULL)`);
    this.sql.exec(`CREATE TABLE IF NOT EXISTS counters (destination TEXT NOT NULL, name TEXT NOT NULL,
                   value INTEGER NOT NULL, PRIMARY KEY (destination, name))`);
  }

  // entries: [{id, at, destination, orderKey, reason, status, error, attempts, messageIds, calls, message}]
  addDeadLetters(entries) {
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
  }

  // Oldest first; `after` is the `next` of the previous page. Summaries only (no bodies).
  listDeadLetters({ limit = 100, after = 0, destination } = {}) {
    const n = Math.max(1, Math.min(MAX_PAGE, Number(limit) || 100));
    const where = destination ? "seq > ? AND destination = ?" : "seq > ?";
    const args = destination ? [Number(after) || 0, destination] : [Number(after) || 0];
    const rows = this.sql.exec(
      `SELECT seq, id, at, destination, order_key, reason, status, error, attempts, message_ids, calls FROM dead_letters
       WHERE ${where} ORDER BY seq LIMIT ?`, ...args, n + 1,
    ).toArray();
    const more = rows.length > n;
    const items = rows.slice(0, n).map(summary);
    const total = this.sql.exec("SELECT COUNT(*) AS n FROM dead_letters").one().n;
    return { total, items, next: more ? rows[n - 1].seq : null };
  }

  // Full entries, message included: by ids, or the oldest `limit` after `after` (a seq).
  getDeadLetters({ ids, limit = 100, after = 0 } = {}) {
    const rows = ids
      ? ids.flatMap((id) => this.sql.exec("SELECT * FROM dead_letters WHERE id = ?", id).toArray())
      : this.sql.exec("SELECT * FROM dead_letters WHERE seq > ? ORDER BY seq LIMIT ?", after, Math.max(1, Math.min(MAX_PAGE, limit))).toArray();
    return rows.map((r) => ({ ...summary(r), seq: r.seq, message: JSON.parse(r.message) }));
  }

  // Returns the deleted entries' messages (the caller drops stored payloads they reference).
  deleteDeadLetters(ids) {
    const messages = [];
    this.ctx.storage.transactionSync(() => {
      for (const id of ids) {
        const [row] = this.sql.exec("SELECT message FROM dead_letters WHERE id = ?", id).toArray();
        if (!row) continue;
        messages.push(JSON.parse(row.message));
        this.sql.exec("DELETE FROM dead_letters WHERE id = ?", id);
      }
    });
    return messages;
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

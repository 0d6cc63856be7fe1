// @ts-check
// Durable Object (SQLite): what an operator reads. One class, three roles (ops.mjs and live.mjs
// pick the object):
//   "ops"               per-destination counters: totals, and a bucket a minute for 24 h (and
//                       dead letters written before sharding, read and purged like a shard's,
//                       never added to)
//   "dead-letters-<n>"  one shard of the dead letters (calls that failed for good, or whose
//                       retries ran out) with their reason
//   "live"              the console's live view: until when it is armed, and the last requests
//                       accepted per source (live.mjs)
// Each dead letter keeps the queue message that replays it (secrets named, never filled in).
// Dead letters older than DELIVERY_DEAD_LETTER_DAYS and live requests older than LIVE_KEEP_MS are
// purged by an alarm; minute buckets past 24 h by the next write of another minute.
import { DurableObject } from "cloudflare:workers";
import { deliveryConfig } from "../delivery/delivery_config.mjs";
import { minuteOf, SERIES_KEEP_MINUTES } from "./ops.mjs";
import { LIVE_KEEP_MS, LIVE_MAX_SOURCES, LIVE_PER_SOURCE } from "./live.mjs";

const MAX_PAGE = 500;
const ALARM_MIN_GAP_MS = 1000;
const LIVE_ENTRY_MAX_CHARS = 128 * 1024; // live.mjs writes at most 20 events of 2 KB and their summaries
const LIVE_READ_MAX_CHARS = 1024 * 1024; // a read of the whole ring could be 20 sources × 50 requests × 45 KB

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
    // One row a minute holding every destination's increments ({destination: {counter: n}}): a
    // flush writes one row more than the totals, whatever the number of destinations and counters.
    this.sql.exec("CREATE TABLE IF NOT EXISTS counter_minutes (minute INTEGER PRIMARY KEY, counts TEXT NOT NULL) WITHOUT ROWID");
    this.sql.exec("CREATE TABLE IF NOT EXISTS live_state (id INTEGER PRIMARY KEY CHECK (id = 0), until INTEGER NOT NULL)");
    this.sql.exec(`CREATE TABLE IF NOT EXISTS live_requests (seq INTEGER PRIMARY KEY AUTOINCREMENT, source TEXT NOT NULL,
                   at INTEGER NOT NULL, entry TEXT NOT NULL)`);
    this.sql.exec("CREATE INDEX IF NOT EXISTS live_requests_source ON live_requests (source, seq)");
    this.retentionMs = deliveryConfig(env).deadLetterRetentionMs;
    this.alarmAt = undefined; // cached: undefined = unknown, null = none
    this.purgedMinute = null; // the minute of the last purge of old buckets
    this.live = undefined; // cached `until` of the live view: undefined = unknown, null = not armed
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
    await this.#alarmBy(oldest + this.retentionMs);
  }

  async #alarmBy(due) {
    if (this.alarmAt === undefined) this.alarmAt = await this.ctx.storage.getAlarm();
    if (this.alarmAt === null || this.alarmAt > due) {
      this.alarmAt = due;
      await this.ctx.storage.setAlarm(due);
    }
  }

  async alarm() {
    const now = Date.now();
    this.sql.exec("DELETE FROM dead_letters WHERE at <= ?", now - this.retentionMs);
    this.sql.exec("DELETE FROM live_requests WHERE at <= ?", now - LIVE_KEEP_MS);
    const { oldest } = this.sql.exec("SELECT MIN(at) AS oldest FROM dead_letters").one();
    const { oldestLive } = this.sql.exec("SELECT MIN(at) AS oldestLive FROM live_requests").one();
    const due = Math.min(oldest === null ? Infinity : oldest + this.retentionMs, oldestLive === null ? Infinity : oldestLive + LIVE_KEEP_MS);
    this.alarmAt = due === Infinity ? null : Math.max(due, now + ALARM_MIN_GAP_MS);
    if (this.alarmAt !== null) await this.ctx.storage.setAlarm(this.alarmAt);
  }

  // delta: {destination: {counter: n}}, counted at `at` (ms): added to the totals and to the
  // bucket of at's minute, in one transaction. The first write of a minute drops the buckets that
  // are SERIES_KEEP_MINUTES old.
  addCounters(delta, at = Date.now()) {
    const minute = minuteOf(Number(at) || Date.now());
    this.ctx.storage.transactionSync(() => {
      const moved = {};
      for (const [destination, counters] of Object.entries(delta)) {
        for (const [name, value] of Object.entries(counters)) {
          if (!value) continue;
          this.sql.exec(
            "INSERT INTO counters (destination, name, value) VALUES (?, ?, ?) ON CONFLICT (destination, name) DO UPDATE SET value = value + excluded.value",
            destination, name, value,
          );
          (moved[destination] ??= {})[name] = value;
        }
      }
      if (Object.keys(moved).length === 0) return;
      const [row] = this.sql.exec("SELECT counts FROM counter_minutes WHERE minute = ?", minute).toArray();
      const counts = row ? JSON.parse(String(row.counts)) : {};
      for (const [destination, counters] of Object.entries(moved)) {
        const d = (counts[destination] ??= {});
        for (const [name, value] of Object.entries(counters)) d[name] = (d[name] ?? 0) + value;
      }
      this.sql.exec("INSERT INTO counter_minutes (minute, counts) VALUES (?, ?) ON CONFLICT (minute) DO UPDATE SET counts = excluded.counts", minute, JSON.stringify(counts));
      if (this.purgedMinute !== minute) {
        this.sql.exec("DELETE FROM counter_minutes WHERE minute <= ?", minute - SERIES_KEEP_MINUTES);
        this.purgedMinute = minute;
      }
    });
  }

  // The buckets of the minutes from … to (inclusive), and the counter names of every destination
  // that has totals. → {buckets: [[minute, {destination: {counter: n}}], …], names: {destination: [name, …]}}
  counterSeries({ from, to }) {
    const buckets = this.sql.exec("SELECT minute, counts FROM counter_minutes WHERE minute BETWEEN ? AND ? ORDER BY minute", Number(from), Number(to))
      .toArray().map((r) => [r.minute, JSON.parse(String(r.counts))]);
    const names = {};
    for (const r of this.sql.exec("SELECT destination, name FROM counters ORDER BY destination, name")) (names[r.destination] ??= []).push(r.name);
    return { buckets, names };
  }

  // The live view (live.mjs). `until`: ms, or null when not armed.
  #liveUntil() {
    if (this.live === undefined) {
      const [row] = this.sql.exec("SELECT until FROM live_state WHERE id = 0").toArray();
      this.live = row ? Number(row.until) : null;
    }
    return this.live;
  }

  liveUntil() {
    return this.#liveUntil();
  }

  async armLive(until) {
    this.sql.exec("INSERT OR REPLACE INTO live_state (id, until) VALUES (0, ?)", Number(until));
    this.live = Number(until);
    return this.live;
  }

  // Disarms and forgets what was recorded.
  disarmLive() {
    this.ctx.storage.transactionSync(() => {
      this.sql.exec("DELETE FROM live_state");
      this.sql.exec("DELETE FROM live_requests");
    });
    this.live = null;
  }

  // One accepted request, filed under each of its sources, if the view is armed (an isolate's
  // cached `until` may be up to LIVE_REFRESH_MS late). Each source keeps its last LIVE_PER_SOURCE;
  // past LIVE_MAX_SOURCES, the source heard from least recently goes.
  async recordLive(sources, entry) {
    const until = this.#liveUntil();
    if (until === null || until <= Date.now() || !Array.isArray(sources)) return false;
    const text = JSON.stringify(entry);
    if (text.length > LIVE_ENTRY_MAX_CHARS) return false;
    const at = Date.now();
    this.ctx.storage.transactionSync(() => {
      for (const source of sources.slice(0, LIVE_MAX_SOURCES)) {
        this.sql.exec("INSERT INTO live_requests (source, at, entry) VALUES (?, ?, ?)", String(source), at, text);
        this.sql.exec(
          `DELETE FROM live_requests WHERE source = ? AND seq <= (SELECT seq FROM live_requests WHERE source = ? ORDER BY seq DESC LIMIT 1 OFFSET ?)`,
          String(source), String(source), LIVE_PER_SOURCE,
        );
      }
      const { n } = this.sql.exec("SELECT COUNT(DISTINCT source) AS n FROM live_requests").one();
      if (Number(n) > LIVE_MAX_SOURCES) {
        const stale = this.sql.exec("SELECT source FROM live_requests GROUP BY source ORDER BY MAX(seq) LIMIT ?", Number(n) - LIVE_MAX_SOURCES).toArray();
        for (const r of stale) this.sql.exec("DELETE FROM live_requests WHERE source = ?", r.source);
      }
    });
    await this.#alarmBy(at + LIVE_KEEP_MS);
    return true;
  }

  // What was recorded after `after` (a seq), per source, oldest first, about LIVE_READ_MAX_CHARS at
  // most (`more`: read again from the last seq). → {until, sources: {id: [entry]}, more}
  readLive(after = 0) {
    this.sql.exec("DELETE FROM live_requests WHERE at <= ?", Date.now() - LIVE_KEEP_MS);
    const sources = {};
    let chars = 0;
    let more = false;
    for (const r of this.sql.exec("SELECT seq, source, at, entry FROM live_requests WHERE seq > ? ORDER BY seq", Number(after) || 0)) {
      const text = String(r.entry);
      if (chars > 0 && chars + text.length > LIVE_READ_MAX_CHARS) {
        more = true;
        break;
      }
      chars += text.length;
      const { at, ...rest } = JSON.parse(text);
      (sources[String(r.source)] ??= []).push({ seq: r.seq, at: new Date(Number(at ?? r.at)).toISOString(), ...rest });
    }
    return { until: this.#liveUntil(), sources, more };
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

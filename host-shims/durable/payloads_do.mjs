// @ts-check
// Durable Object (SQLite): chains too large for one queue message (128 KB). The producer stores
// the chain and enqueues a reference; the consumer reads it, and deletes it once the chain is
// done or its dead letter is discarded. Strongly consistent, unlike KV: a consumer in another
// location reads what the producer has just written. Rows are cut at 512 Ki characters
// (SQLite-backed objects take at most 2 MB per row). Orphans go after payloadKeepMs
// (delivery_config.mjs: 30 days, or a day more than the dead-letter retention if that is longer),
// counted from the last put or touch — recording a dead letter that points at a chain touches it,
// so a chain outlives every dead letter that refers to it.
import { DurableObject } from "cloudflare:workers";
import { deliveryConfig, payloadKeepMs } from "../delivery/delivery_config.mjs";

const CHUNK_CHARS = 512 * 1024;

export class DeliveryPayloads extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(`CREATE TABLE IF NOT EXISTS chunks (id TEXT NOT NULL, n INTEGER NOT NULL, text TEXT NOT NULL,
                   created INTEGER NOT NULL, PRIMARY KEY (id, n))`);
    this.keepMs = payloadKeepMs(deliveryConfig(env));
  }

  async put(id, text) {
    const now = Date.now();
    this.ctx.storage.transactionSync(() => {
      for (let n = 0, at = 0; at < text.length || n === 0; n++, at += CHUNK_CHARS) {
        this.sql.exec("INSERT OR REPLACE INTO chunks (id, n, text, created) VALUES (?, ?, ?, ?)", id, n, text.slice(at, at + CHUNK_CHARS), now);
      }
    });
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(now + this.keepMs);
  }

  async touch(id) {
    const now = Date.now();
    this.sql.exec("UPDATE chunks SET created = ? WHERE id = ?", now, id);
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(now + this.keepMs);
  }

  get(id) {
    const rows = this.sql.exec("SELECT text FROM chunks WHERE id = ? ORDER BY n", id).toArray();
    return rows.length ? rows.map((r) => r.text).join("") : null;
  }

  delete(id) {
    this.sql.exec("DELETE FROM chunks WHERE id = ?", id);
  }

  async alarm() {
    const now = Date.now();
    this.sql.exec("DELETE FROM chunks WHERE created < ?", now - this.keepMs);
    const [{ oldest }] = this.sql.exec("SELECT MIN(created) AS oldest FROM chunks").toArray();
    if (oldest !== null) await this.ctx.storage.setAlarm(Math.max(oldest + this.keepMs, now + 1000));
  }
}

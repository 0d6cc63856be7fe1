// A Worker for the delivery tests that need real workerd (Queues, Durable Objects, fetch) but not
// the core: the production host modules (admin, producer, consumer, Durable Objects) around test
// routes that queue or send chains the test builds itself, and seed dead letters.
//   POST /test/enqueue        [chain, …]           → enqueueChains (queue mode)
//   POST /test/inline         [call, …] (wire form, with destination and orderKey) → deliverInline
//   POST /test/dead-letters   [entry, …]           → recordDeadLetters (sharded store)
//   POST /test/legacy         [entry, …]           → straight into the pre-sharding "ops" object
//   POST /test/consume        {destination, messages, answers, env?, queue?} → consumeBatch with these
//                             messages (fake Message objects) against the real ledger, payload store
//                             and dead-letter store; `answers` script the destination (see below).
//                             → what each message decided, the calls received, the log lines, the
//                             ledger rows and the counters of `destination`
//   POST /test/ledger         {shard, method, args} → that method of the ledger object "<shard>"
//   POST /test/payloads       {shard, method, args} → that method of the payload object "<shard>"
//   POST /test/put-payload    {calls}              → putPayload (the producer's side): its ref
// Bindings read here: TEST_CONFIG_STATUS (JSON: what GET /admin/config answers; absent: no route),
// TEST_CONFIG_THROWS (configStatus throws).
import { handleAdmin } from "../../host-shims/admin/admin.mjs";
import { enqueueChains } from "../../host-shims/delivery/deliver_queue.mjs";
import { consumeBatch } from "../../host-shims/delivery/consume_queue.mjs";
import { deliverInline } from "../../host-shims/delivery/deliver_inline.mjs";
import { recordDeadLetters, opsStub, readCounters } from "../../host-shims/durable/ops.mjs";
import { sendable } from "../../host-shims/delivery/chain.mjs";
import { putPayload } from "../../host-shims/durable/payloads.mjs";
import { DeliveryLedger as Ledger, DeliveryPayloads as Payloads } from "../../host-shims/durable/durable_objects.mjs";
import { createDayTable, dayOf } from "../../host-shims/durable/ledger_do.mjs";
import { eventOf } from "../../host-shims/durable/ledger.mjs";

export { DeliveryOps } from "../../host-shims/durable/durable_objects.mjs";

// The production Durable Objects, with a look inside for exact assertions. Local workerd's clock
// moves even within synchronous code, so the helpers hold Date.now() still over the synchronous
// part of the production method they call (where it reads the clock) and report times from that
// very `now`.
function atNow(fn) {
  const real = Date.now;
  const now = real();
  Date.now = () => now;
  try {
    return { now, value: fn() };
  } finally {
    Date.now = real;
  }
}

async function alarmIn(storage, now) {
  const at = await storage.getAlarm();
  return at === null ? null : at - now;
}

export class DeliveryLedger extends Ledger {
  // Counts the rows each statement writes (SQLite storage is billed by them).
  constructor(ctx, env) {
    super(ctx, env);
    const sql = this.sql;
    this.rowsWritten = 0;
    this.sql = {
      exec: (...args) => {
        const cursor = sql.exec(...args);
        const all = cursor.toArray();
        this.rowsWritten += cursor.rowsWritten;
        return { toArray: () => all, one: () => all[0] };
      },
    };
  }
  // A method of the ledger, and the rows it wrote.
  async counted(method, ...args) {
    const before = this.rowsWritten;
    const result = await this[method](...args);
    return { rowsWritten: this.rowsWritten - before, result };
  }
  eventCount() {
    return this.days.reduce((n, day) => n + this.sql.exec(`SELECT COUNT(*) AS n FROM events_${day}`).one().n, 0);
  }
  // The days that have a table, counted back from today (0: today, 1: yesterday, …).
  tables() {
    const today = dayOf(Date.now());
    return this.days.map((day) => today - day);
  }
  // Moves the row of `key`'s event into the table of `daysAgo` days back (as if written then).
  toDay(key, daysAgo) {
    const event = eventOf(key);
    const day = dayOf(Date.now()) - daysAgo;
    let row;
    for (const d of this.days) {
      [row] = this.sql.exec(`SELECT event, calls, until FROM events_${d} WHERE event = ?`, event).toArray();
      if (row) {
        this.sql.exec(`DELETE FROM events_${d} WHERE event = ?`, event);
        break;
      }
    }
    createDayTable(this.sql, day);
    this.sql.exec(`INSERT INTO events_${day} (event, calls, until) VALUES (?, ?, ?)`, row.event, row.calls, row.until);
    if (!this.days.includes(day)) this.days = [...this.days, day].sort((a, b) => b - a);
  }
  // What the object knows of its storage after a restart: a fresh instance's (the constructor
  // reads the tables back), then the days counted back from today as `tables` gives them.
  restart() {
    const fresh = new Ledger(this.ctx, this.env);
    this.legacy = fresh.legacy;
    this.days = fresh.days;
    this.alarmAt = undefined;
    return { days: this.tables(), legacy: this.legacy };
  }
  // A table that is not the ledger's (its name only resembles a day table's).
  createOtherTable(name) {
    this.sql.exec(`CREATE TABLE "${name}" (x INTEGER)`);
  }
  async nextAlarmInMs() {
    return alarmIn(this.ctx.storage, Date.now());
  }
  // Runs the alarm at the very millisecond `key`'s row expires.
  async fireAlarmAtExpiry(key) {
    const until = this.eventRows().get(key).until;
    await this.ctx.storage.deleteAlarm();
    const real = Date.now;
    Date.now = () => until;
    try {
      await this.alarm();
    } finally {
      Date.now = real;
    }
    return this.tables();
  }
  // The per-call table of earlier versions, with these rows.
  seedLegacy(rows) {
    this.sql.exec(`CREATE TABLE IF NOT EXISTS calls (key TEXT PRIMARY KEY, state INTEGER NOT NULL,
                   until INTEGER NOT NULL, token TEXT NOT NULL DEFAULT '', owner TEXT NOT NULL DEFAULT '')`);
    this.sql.exec("CREATE INDEX IF NOT EXISTS calls_until ON calls (until)");
    for (const r of rows) this.sql.exec("INSERT INTO calls (key, state, until, token, owner) VALUES (?, ?, ?, ?, ?)", r.key, r.state, r.until, r.token, r.owner);
    this.legacy = true;
  }
  expireLegacy() {
    this.sql.exec("UPDATE calls SET until = 0");
  }
  hasLegacyTable() {
    return this.sql.exec("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'calls'").toArray().length > 0;
  }
  // Every row; `inMs`: its `until` counted from `now`.
  rows(now = Date.now()) {
    return this.entries().sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, { state, until, token, owner }]) => ({ key, state, inMs: until - now, token, owner }));
  }
  // Moves a key's `until` to now + inMs (0: it expires at this very ms).
  expire(key, inMs) {
    const rows = this.eventRows();
    const entry = rows.get(key);
    if (entry) rows.set(key, { ...entry, until: Date.now() + inMs });
    rows.save();
  }
  // expire, then claim at the same `now`.
  claimWithUntil(key, inMs, leaseMs, replay, owner) {
    return atNow(() => {
      this.expire(key, inMs);
      return this.claim(key, leaseMs, replay, owner);
    }).value;
  }
  // claim / complete, and the row they left, its `until` counted from the `now` they used.
  claimAndRead(key, leaseMs, replay, owner) {
    const { now, value: result } = atNow(() => this.claim(key, leaseMs, replay, owner));
    return { result, row: this.#row(key, now) };
  }
  async completeAndRead(key, delivered, keepMs, owner) {
    const { now, value: done } = atNow(() => this.complete(key, delivered, keepMs, owner));
    await done;
    return { row: this.#row(key, now), alarmInMs: await alarmIn(this.ctx.storage, now) };
  }
  // Runs the alarm handler as workerd does (the alarm that fired is gone first).
  async fireAlarm() {
    await this.ctx.storage.deleteAlarm();
    const { now, value: done } = atNow(() => this.alarm());
    await done;
    return { rows: this.rows(now), alarmInMs: await alarmIn(this.ctx.storage, now) };
  }
  #row(key, now) {
    const r = this.eventRows().get(key);
    return r ? { state: r.state, inMs: r.until - now, token: r.token, owner: r.owner } : null;
  }
}

export class DeliveryPayloads extends Payloads {
  // Every chunk: id, n, its length and `created` counted back from `now`.
  chunks(now = Date.now()) {
    return this.sql.exec("SELECT id, n, length(text) AS chars, created FROM chunks ORDER BY id, n").toArray()
      .map(({ id, n, chars, created }) => ({ id, n, chars, ageMs: now - created }));
  }
  // Makes a payload older by `ms` (as if put that long ago).
  age(id, ms) {
    this.sql.exec("UPDATE chunks SET created = created - ? WHERE id = ?", ms, id);
  }
  keep() {
    return this.keepMs;
  }
  // Schedules the alarm `ms` from now (as an earlier put would have); null: none.
  async alarmIn(ms) {
    if (ms === null) await this.ctx.storage.deleteAlarm();
    else await this.ctx.storage.setAlarm(Date.now() + ms);
  }
  async putAndRead(id, text) {
    return this.#read(atNow(() => this.put(id, text)));
  }
  async touchAndRead(id) {
    return this.#read(atNow(() => this.touch(id)));
  }
  async fireAlarm() {
    await this.ctx.storage.deleteAlarm();
    return this.#read(atNow(() => this.alarm()));
  }
  async #read({ now, value: done }) {
    await done;
    return { chunks: this.chunks(now), alarmInMs: await alarmIn(this.ctx.storage, now) };
  }
}

// A queue Message as the consumer sees it, recording what the consumer decided.
function fakeMessage({ id, body, attempts = 1, timestamp = Date.now() }) {
  return {
    id, body, attempts, timestamp: new Date(timestamp), acked: false, retried: null,
    ack() { this.acked = true; },
    retry(options) { this.retried = options ?? {}; },
  };
}

// A destination answering from a script, one entry per call in order: [status, headers?], "drop"
// (the connection is lost) or {status, headers?, peek: true} (also records the ledger rows of the
// call's destination as they are while the call is in flight). Records every call it receives.
function scriptedDestination(answers, env, destination) {
  const received = [];
  const fetchImpl = async (url, init) => {
    const answer = answers.shift() ?? [200];
    const { status, headers = {}, peek = false } = Array.isArray(answer) ? { status: answer[0], headers: answer[1] } : typeof answer === "string" ? { status: answer } : answer;
    received.push({ url, method: init.method, headers: Object.fromEntries(init.headers), body: new TextDecoder().decode(init.body), ...(peek ? { ledger: await ledgerRows(env, destination) } : {}) });
    if (status === "drop") throw new TypeError("Network connection lost.");
    return new Response(status === 200 ? "{}" : `{"message":"e${status}"}`, { status, headers });
  };
  return { fetchImpl, received };
}

// The rows of a destination's keys in every ledger shard ("events/<n>"), with their shard.
async function ledgerRows(env, destination) {
  const shards = Number(env.DELIVERY_LEDGER_SHARDS ?? 16);
  const out = [];
  for (let n = 0; n < shards; n++) {
    const stub = env.DELIVERY_LEDGER.get(env.DELIVERY_LEDGER.idFromName(`events/${n}`));
    for (const row of await stub.rows()) if (row.key.split("|")[0].split(":")[0] === destination) out.push({ shard: n, ...row });
  }
  return out;
}

async function consumeRoute({ messages, answers = [], env: vars = {}, queue = "ajs-edge-delivery", destination = "gist" }, env) {
  const runEnv = { ...env, ...vars };
  const lines = [];
  const fakes = messages.map(fakeMessage);
  const dest = scriptedDestination(answers, runEnv, destination);
  await consumeBatch({ queue, messages: fakes }, runEnv, (l) => lines.push(l), { fetchImpl: dest.fetchImpl });
  return {
    messages: fakes.map(({ id, acked, retried }) => ({ id, acked, retried })),
    received: dest.received,
    lines,
    ledger: await ledgerRows(runEnv, destination),
    counters: (await readCounters(runEnv)).counters[destination] ?? null, // all this destination's batches so far
  };
}

const log = (entry) => console.log(JSON.stringify(entry));

function adminOptions(env) {
  if (env.TEST_CONFIG_THROWS) return { configStatus: () => { throw new Error("config status exploded at /secret/path"); } };
  if (env.TEST_CONFIG_STATUS) return { configStatus: async () => JSON.parse(env.TEST_CONFIG_STATUS) };
  return {};
}

export default {
  async fetch(request, env, ctx) {
    const admin = await handleAdmin(request, env, log, adminOptions(env));
    if (admin) return admin;
    const { pathname } = new URL(request.url);
    if (request.method === "POST" && pathname === "/test/enqueue") {
      const n = await enqueueChains(await request.json(), env, log);
      return Response.json({ messages: n });
    }
    if (request.method === "POST" && pathname === "/test/inline") {
      const calls = (await request.json()).map((c) => ({ ...sendable(c, c.destination), orderKey: c.orderKey }));
      ctx.waitUntil(deliverInline(calls, env, log));
      return Response.json({ calls: calls.length });
    }
    if (request.method === "POST" && pathname === "/test/dead-letters") {
      await recordDeadLetters(env, await request.json(), log);
      return Response.json({ ok: true });
    }
    if (request.method === "POST" && pathname === "/test/legacy") {
      await opsStub(env).addDeadLetters(await request.json());
      return Response.json({ ok: true });
    }
    if (request.method === "POST" && pathname === "/test/consume") {
      return Response.json(await consumeRoute(await request.json(), env));
    }
    if (request.method === "POST" && (pathname === "/test/ledger" || pathname === "/test/payloads")) {
      const { shard, method, args = [] } = await request.json();
      const ns = pathname === "/test/ledger" ? env.DELIVERY_LEDGER : env.DELIVERY_PAYLOADS;
      const result = await ns.get(ns.idFromName(shard))[method](...args);
      return Response.json({ result: result ?? null });
    }
    if (request.method === "POST" && pathname === "/test/put-payload") {
      return Response.json({ ref: await putPayload(env, await request.json()) });
    }
    return new Response("not found", { status: 404 });
  },
  async queue(batch, env) {
    await consumeBatch(batch, env, log);
  },
};

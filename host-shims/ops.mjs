// Client of the operator store (ops_do.mjs, binding DELIVERY_OPS): counters and dead letters.
// Without the binding, dead letters are written to the log in full (secrets named only) and
// counters are kept in memory for this isolate.
// sent: 2xx · retried: a message put back after a retryable failure · failed: permanent 4xx ·
// deduplicated: a call skipped because another message had already sent it · deadLettered: calls
// kept as dead letters · busy: a call put back because another consumer held it · dropped
// (inline only): a call given up after its attempts.
export const COUNTERS = ["sent", "retried", "failed", "deduplicated", "deadLettered", "busy"];

const ERROR_EXCERPT = 300;

export const opsStub = (env) => (env?.DELIVERY_OPS ? env.DELIVERY_OPS.get(env.DELIVERY_OPS.idFromName("ops")) : null);

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

const memory = new Counters(); // this isolate's counters when no DELIVERY_OPS is bound

export async function flushCounters(env, counters) {
  if (counters.empty) return;
  const stub = opsStub(env);
  if (stub) await stub.addCounters(counters.delta);
  else memory.merge(counters);
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
export function deadLetter({ reason, destination, orderKey, result, attempts, message }) {
  const calls = message.calls ?? [];
  return {
    id: crypto.randomUUID(),
    at: Date.now(),
    destination,
    orderKey,
    reason,
    status: result?.status ?? 0,
    error: String(result?.error ?? "").slice(0, ERROR_EXCERPT),
    attempts,
    messageIds: [...new Set(calls.map((c) => c.messageId))].slice(0, 50),
    calls: message.ref ? message.count - (message.from ?? 0) : calls.length,
    message,
  };
}

export async function recordDeadLetters(env, entries, log) {
  if (entries.length === 0) return;
  const stub = opsStub(env);
  if (stub) {
    await stub.addDeadLetters(entries);
    for (const e of entries) log({ at: "dead-letter", id: e.id, destination: e.destination, reason: e.reason, status: e.status, calls: e.calls, messageIds: e.messageIds });
  } else {
    for (const e of entries) log({ ...e, at: "dead-letter", stored: false, time: new Date(e.at).toISOString() });
  }
}

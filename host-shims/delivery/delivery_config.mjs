// @ts-check
// Delivery tuning, read from Worker bindings ([vars] or secrets) with production defaults, so
// that tests can make retries fast. Every value is a number (a string binding is parsed).
import { BindingError } from "../worker/secrets.mjs";
import { OPEN_CONNECTIONS, QUEUE_DELAY_MAX_S, SUBREQUESTS_FREE } from "./platform_limits.mjs";

const DEFAULTS = {
  DELIVERY_TIMEOUT_MS: 10_000, // one outgoing call, answer included
  DELIVERY_MAX_ATTEMPTS: 15, // queue deliveries of one message before its rest is dead-lettered; keep ≤ max_retries
  DELIVERY_RETRY_BASE_S: 5, // backoff: min(cap, base · 2^(attempt−1)) · random, at least base/2
  DELIVERY_RETRY_CAP_S: 1800,
  DELIVERY_RETRY_AFTER_MAX_S: 3600, // a Retry-After above this is cut to it
  DELIVERY_CONCURRENCY: OPEN_CONNECTIONS, // chains sent at once by one consumer invocation
  DELIVERY_SUBREQUESTS: SUBREQUESTS_FREE, // fetches and Durable Object calls one consumer invocation may make (Paid: 10000)
  DELIVERY_DEDUP_HOURS: 24, // how long a delivered call's key is remembered
  DELIVERY_LEDGER_SHARDS: 16, // ledger Durable Objects per destination; changing it forgets the ledger
  DELIVERY_NOT_FOUND_ATTEMPTS: 4, // a 404 to a retryNotFound call is permanent from this attempt on…
  DELIVERY_NOT_FOUND_WINDOW_S: 600, // …or once the message was first queued this long ago
  DELIVERY_OPS_SHARDS: 8, // dead-letter Durable Objects ("dead-letters-<n>"); only ever raise it
  DELIVERY_DEAD_LETTER_DAYS: 14, // dead letters older than this are purged (alarm)
};

const DAY_MS = 86_400_000;
const PAYLOAD_MIN_KEEP_MS = 30 * DAY_MS;

// How long the payload store keeps a chain nobody deleted: at least 30 days, and a day longer than
// a dead letter is kept (a dead letter may point at a stored chain; recording one touches it).
export const payloadKeepMs = (cfg) => Math.max(PAYLOAD_MIN_KEEP_MS, cfg.deadLetterRetentionMs + DAY_MS);

// Fewer subrequests than this and an invocation could not finish one call and its closing writes:
// the consumer would defer everything, forever.
const SUBREQUESTS_MIN = 10;

export function deliveryConfig(env = {}) {
  const out = {};
  for (const [name, fallback] of Object.entries(DEFAULTS)) {
    const raw = env[name];
    const n = raw === undefined || raw === null || raw === "" ? NaN : Number(raw);
    out[name] = Number.isFinite(n) && n >= 0 ? n : fallback;
  }
  return {
    timeoutMs: out.DELIVERY_TIMEOUT_MS,
    maxAttempts: Math.max(1, Math.floor(out.DELIVERY_MAX_ATTEMPTS)),
    retryBaseS: out.DELIVERY_RETRY_BASE_S,
    retryCapS: Math.min(QUEUE_DELAY_MAX_S, out.DELIVERY_RETRY_CAP_S),
    retryAfterMaxS: Math.min(QUEUE_DELAY_MAX_S, out.DELIVERY_RETRY_AFTER_MAX_S),
    concurrency: Math.max(1, Math.floor(out.DELIVERY_CONCURRENCY)),
    subrequests: Math.max(SUBREQUESTS_MIN, Math.floor(out.DELIVERY_SUBREQUESTS)),
    dedupMs: out.DELIVERY_DEDUP_HOURS * 3_600_000,
    ledgerShards: Math.max(1, Math.floor(out.DELIVERY_LEDGER_SHARDS)),
    notFoundAttempts: Math.max(1, Math.floor(out.DELIVERY_NOT_FOUND_ATTEMPTS)),
    notFoundWindowS: out.DELIVERY_NOT_FOUND_WINDOW_S,
    opsShards: Math.max(1, Math.min(256, Math.floor(out.DELIVERY_OPS_SHARDS))),
    deadLetterRetentionMs: out.DELIVERY_DEAD_LETTER_DAYS > 0 ? out.DELIVERY_DEAD_LETTER_DAYS * DAY_MS : DEFAULTS.DELIVERY_DEAD_LETTER_DAYS * DAY_MS,
    logCalls: logMode(env) === "calls", // checked by deliveryLog when the configuration loads
    deadLetterQueue: typeof env.DELIVERY_DEAD_LETTER_QUEUE === "string" && env.DELIVERY_DEAD_LETTER_QUEUE !== ""
      ? env.DELIVERY_DEAD_LETTER_QUEUE
      : "ajs-edge-delivery-dlq",
  };
}

// How a configured Worker delivers. The queue is the default and the only durable way; a Worker
// without it does not load. Inline delivery (after the reply, a few attempts, lost if those fail)
// is an explicit opt-in for a Worker without queues: DELIVERY_MODE = "inline". The demo is a dry
// run and needs neither.
export const DELIVERY_MODES = ["queue", "inline"];
export const NO_QUEUE =
  "no DELIVERY_QUEUE binding: calls are delivered through a Cloudflare Queue, and this Worker has none " +
  "(wrangler.toml [[queues.producers]] DELIVERY_QUEUE and its [[queues.consumers]]; `bash scripts/deploy.sh` creates the queues). " +
  'To deliver without durability instead (calls lost when a destination is down), set DELIVERY_MODE = "inline"';

export function deliveryMode(env) {
  const raw = env?.DELIVERY_MODE;
  const mode = raw === undefined || raw === null || raw === "" ? "queue" : String(raw);
  if (!DELIVERY_MODES.includes(mode)) throw new BindingError(`DELIVERY_MODE: "queue" (the default) or "inline", not ${JSON.stringify(mode.slice(0, 40))}`);
  if (mode === "queue" && typeof env?.DELIVERY_QUEUE?.sendBatch !== "function") throw new BindingError(NO_QUEUE);
  return mode;
}

// What the delivery log holds (call_log.mjs): "failures" (the default: a line per call that did
// not go out, and a summary per invocation) or "calls" (a line per call too).
export const DELIVERY_LOG_MODES = ["failures", "calls"];

function logMode(env) {
  const raw = env?.DELIVERY_LOG;
  return raw === undefined || raw === null || raw === "" ? DELIVERY_LOG_MODES[0] : String(raw);
}

// The mode, checked when the configuration loads (a BindingError names a bad value).
export function deliveryLog(env) {
  const mode = logMode(env);
  if (!DELIVERY_LOG_MODES.includes(mode)) throw new BindingError(`DELIVERY_LOG: "failures" (the default) or "calls", not ${JSON.stringify(mode.slice(0, 40))}`);
  return mode;
}

// A gate that lets at most `limit` calls of `run(fn)` be in flight; the others wait their turn.
export function limiter(limit) {
  let active = 0;
  const waiting = [];
  return async function run(fn) {
    if (active >= limit) await new Promise((resolve) => waiting.push(resolve));
    else active++;
    try {
      return await fn();
    } finally {
      const next = waiting.shift();
      if (next) next(); // the slot passes on
      else active--;
    }
  };
}

// Runs `fn` over `items` with at most `limit` at a time.
export async function eachLimited(items, limit, fn) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

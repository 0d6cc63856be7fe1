// @ts-check
import { CALL_FLAGS } from "../core/plan.mjs";

// What a destination's answer means for delivery: sent, try again later, or never.
// 2xx ok; 408, 429 and 5xx (and network errors, timeouts) retryable; other statuses permanent
// (3xx included: a redirect is never followed, see send.mjs), except 404 for a call the plan
// flags retryNotFound (it refers to something an earlier call creates, e.g. a Gist event for the
// contact of an identify still on its way) — within a budget, see notFoundRetry below.
export function classifyStatus(status, flags = 0) {
  if (status >= 200 && status < 300) return "ok";
  if (status === 408 || status === 429 || status >= 500) return "retry";
  if (status === 404 && flags & CALL_FLAGS.retryNotFound) return "retry";
  return "permanent";
}

export const isRedirect = (status) => status >= 300 && status < 400;

const LOCATION_MAX = 200;

// The error of a refused redirect: its status and the origin (only) of its Location, resolved
// against the URL that was called. Nothing is ever sent there.
export function redirectError(status, location, url) {
  let target = "";
  if (location) {
    try {
      const origin = new URL(location, url).origin;
      target = origin && origin !== "null" ? origin : "a non-http location";
    } catch {
      target = "an unreadable location";
    }
    if (target.length > LOCATION_MAX) target = `${target.slice(0, LOCATION_MAX)}…`;
  }
  return `redirect${status ? ` (${status})` : ""} ${target ? `to ${target} ` : ""}refused: credentials are never sent to a redirect target`;
}

// Retry-After in seconds or as an HTTP date; undefined when absent or unreadable.
export function retryAfterSeconds(value, now = Date.now()) {
  if (!value) return undefined;
  const s = Number(value);
  if (Number.isFinite(s)) return Math.max(0, s);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, (at - now) / 1000);
}

// Exponential backoff with full jitter, in seconds.
export function backoffSeconds(attempt, { base = 1, cap = 300, random = Math.random } = {}) {
  const ceiling = Math.min(cap, base * 2 ** Math.max(0, attempt - 1));
  return Math.max(base / 2, ceiling * random());
}

export const NOT_FOUND_FIRST_DELAY_S = 30;

// The budget of a 404 to a retryNotFound call, in queue mode. `attempt` is the queue message's
// attempt (1 = first delivery) and `ageS` the seconds since the message was first enqueued (a
// replayed dead letter is a new message: it starts fresh). The 404 is retried while
// attempt < notFoundAttempts and the window is not spent, after 30 s, 60 s, 120 s, … (never
// beyond DELIVERY_RETRY_CAP_S, nor beyond the end of the window); else it is permanent.
// → {retry: true, delaySeconds} | {retry: false, why}
export function notFoundRetry({ attempt, ageS = 0 }, { notFoundAttempts, notFoundWindowS, retryCapS }) {
  const age = Math.max(0, ageS);
  if (attempt >= notFoundAttempts) return { retry: false, why: `404 after ${attempt} attempt${attempt === 1 ? "" : "s"} (DELIVERY_NOT_FOUND_ATTEMPTS ${notFoundAttempts})` };
  const left = Math.floor(notFoundWindowS - age);
  if (left < 1) return { retry: false, why: `404 still after ${Math.round(age)} s (DELIVERY_NOT_FOUND_WINDOW_S ${notFoundWindowS})` };
  const delay = Math.min(NOT_FOUND_FIRST_DELAY_S * 2 ** Math.max(0, attempt - 1), retryCapS, left);
  return { retry: true, delaySeconds: Math.max(1, Math.floor(delay)) };
}

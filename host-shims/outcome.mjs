import { CALL_FLAGS } from "./plan.mjs";

// What a destination's answer means for delivery: sent, try again later, or never.
// 2xx ok; 408, 429 and 5xx (and network errors, timeouts) retryable; other statuses permanent,
// except 404 for a call the plan flags retryNotFound (it refers to something an earlier call
// creates, e.g. a Gist event for the contact of an identify still on its way).
export function classifyStatus(status, flags = 0) {
  if (status >= 200 && status < 300) return "ok";
  if (status === 408 || status === 429 || status >= 500) return "retry";
  if (status === 404 && flags & CALL_FLAGS.retryNotFound) return "retry";
  return "permanent";
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

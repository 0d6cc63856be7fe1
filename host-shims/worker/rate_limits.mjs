// @ts-check
// Rate limits with Cloudflare's Workers Rate Limiting bindings ([[ratelimits]] in wrangler.toml).
// The core decides which limits a request counts against (its plan's `rateLimits`: a binding and
// a key per check, per writeKey and per client IP); the host asks the bindings, before anything
// of the request is delivered. A binding the config only defaults to may be absent (no limit);
// one the config names must exist, checked at config load like the secrets.
import { BindingError } from "./secrets.mjs";

// The bindings count per period of 10 or 60 s and do not say when the window ends: a client
// told to wait the longer period never comes back too early (analytics.js and analytics-node
// retry a 429 with backoff).
export const RETRY_AFTER_S = 60;

export function checkRateLimiters(description, env) {
  for (const { binding, field, required } of description.rateLimiters ?? []) {
    if (required && typeof env?.[binding]?.limit !== "function") {
      throw new BindingError(`${field}: no rate limiting binding ${binding} (declare it under [[ratelimits]] in wrangler.toml)`);
    }
  }
}

// The names of default bindings that are absent: the operator should know a limit is off.
export function missingDefaultLimiters(description, env) {
  return (description.rateLimiters ?? []).filter((l) => !l.required && typeof env?.[l.binding]?.limit !== "function").map((l) => l.binding);
}

// The first check over its limit ({binding, key}), or null when every one passed. In order, and
// no further once one refuses: a request refused per client IP is not counted against its
// writeKey, so one noisy client does not use up its source's budget.
export async function overRateLimit(checks, env) {
  for (const check of checks ?? []) {
    const limiter = env?.[check.binding];
    if (typeof limiter?.limit !== "function") continue;
    // A limiter that fails lets the request through: losing events is worse than a missed count.
    const outcome = await limiter.limit({ key: check.key }).catch(() => ({ success: true }));
    if (outcome?.success === false) return check;
  }
  return null;
}

// @ts-check
// Sends one planned call: secrets filled in, a timeout, the answer classified. The capture
// destination's `capture:log` calls are printed instead of sent. Redirects are never followed
// (the credentials would go to the Location): a 3xx is a permanent failure, reason "redirect".
import { headerValue, redactedHeaders } from "../worker/secrets.mjs";
import { classifyStatus, retryAfterSeconds, isRedirect, redirectError } from "./outcome.mjs";

const decoder = new TextDecoder();

// What the destination said was wrong: Gist's {"errors":[{"message"}]}, a {"message"}, or the
// start of the body.
function errorText(body) {
  try {
    const parsed = JSON.parse(body);
    const message = parsed?.errors?.[0]?.message ?? parsed?.message ?? parsed?.error;
    if (typeof message === "string" && message) return message.slice(0, 500);
  } catch {}
  return body.slice(0, 500);
}

export async function sendCall(call, env, { timeoutMs = 10_000, fetchImpl = fetch } = {}) {
  const started = Date.now();
  if (call.url === "capture:log") {
    console.log(
      JSON.stringify({
        capture: { destination: call.destination, method: call.method, url: call.url, messageId: call.messageId },
        headers: redactedHeaders(call),
        body: JSON.parse(decoder.decode(call.body)),
      }),
    );
    return { outcome: "ok", status: 200, latencyMs: 0 };
  }
  const headers = new Headers();
  for (const h of call.headers) headers.set(h.name, headerValue(h, env));
  try {
    const response = await fetchImpl(call.url, {
      method: call.method,
      headers,
      body: call.body,
      redirect: "manual",
      signal: AbortSignal.timeout(timeoutMs),
    });
    // A manual redirect's answer: status 3xx in workerd, type "opaqueredirect" (status 0) elsewhere.
    if (isRedirect(response.status) || /** @type {string} */ (response.type) === "opaqueredirect") {
      await response.body?.cancel().catch(() => {});
      return {
        outcome: "permanent",
        reason: "redirect",
        status: response.status, // 0 for an opaque redirect (browsers), which hides it
        error: redirectError(response.status, response.headers.get("location"), call.url),
        latencyMs: Date.now() - started,
      };
    }
    const text = await response.text().catch(() => "");
    return {
      outcome: classifyStatus(response.status, call.flags),
      status: response.status,
      retryAfter: retryAfterSeconds(response.headers.get("retry-after")),
      error: response.ok ? undefined : errorText(text),
      latencyMs: Date.now() - started,
    };
  } catch (e) {
    const timeout = e?.name === "TimeoutError" || e?.name === "AbortError";
    return { outcome: "retry", status: 0, error: timeout ? "timeout" : `network: ${e?.message ?? e}`, latencyMs: Date.now() - started };
  }
}

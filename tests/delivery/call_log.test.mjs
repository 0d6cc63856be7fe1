// The delivery log of one invocation (host-shims/delivery/call_log.mjs): which call lines are
// written, the cap, and the summary that counts every outcome.
import { test } from "node:test";
import assert from "node:assert/strict";
import { CallLog, CALL_LINES_MAX } from "../../host-shims/delivery/call_log.mjs";

const line = (destination, outcome, i = 0) => ({ at: "delivery", mode: "queue", destination, messageId: `m${i}`, attempt: 1, outcome });

test("by default the routine outcomes (ok, skipped) have no line; every other one has; other lines pass untouched", () => {
  const out = [];
  const calls = new CallLog((l) => out.push(l), { mode: "queue" });
  for (const outcome of ["ok", "skipped", "retry", "permanent", "busy", "duplicate"]) calls.log(line("gist", outcome));
  calls.log({ at: "consume", error: "x" });
  calls.summary({ queue: "q", messages: 2 });
  assert.deepEqual(out.map((l) => [l.at, l.outcome]), [
    ["delivery", "retry"], ["delivery", "permanent"], ["delivery", "busy"], ["delivery", "duplicate"], ["consume", undefined], ["delivery-summary", undefined],
  ]);
  assert.deepEqual(out.at(-1), { at: "delivery-summary", mode: "queue", queue: "q", messages: 2, calls: { gist: { ok: 1, skipped: 1, retry: 1, permanent: 1, busy: 1, duplicate: 1 } } });
});

test("verbose (DELIVERY_LOG = calls): every call has its line", () => {
  const out = [];
  const calls = new CallLog((l) => out.push(l), { mode: "inline", verbose: true });
  calls.log(line("gist", "ok", 1));
  calls.log(line("gainsight", "skipped", 2));
  calls.summary();
  assert.deepEqual(out, [line("gist", "ok", 1), line("gainsight", "skipped", 2), { at: "delivery-summary", mode: "inline", calls: { gist: { ok: 1 }, gainsight: { skipped: 1 } } }]);
});

test("at most `max` call lines, the rest counted in the summary; lines that are not calls are never held back", () => {
  const out = [];
  const calls = new CallLog((l) => out.push(l), { mode: "queue", max: 2 });
  for (let i = 0; i < 5; i++) calls.log(line("gist", "permanent", i));
  calls.log({ at: "dead-letter", id: "d1" });
  calls.log(line("gist", "ok", 9));
  calls.summary();
  assert.deepEqual(out.map((l) => l.messageId ?? l.at), ["m0", "m1", "dead-letter", "delivery-summary"]);
  assert.deepEqual(out.at(-1), { at: "delivery-summary", mode: "queue", calls: { gist: { permanent: 5, ok: 1 } }, linesLeftOut: 3 });
});

test("an invocation that made no call writes no summary", () => {
  const out = [];
  const calls = new CallLog((l) => out.push(l), { mode: "queue" });
  calls.log({ at: "consume", deferred: 1 });
  calls.summary({ queue: "q", messages: 1 });
  assert.deepEqual(out, [{ at: "consume", deferred: 1 }]);
});

test("the cap keeps a consumer invocation's call lines under the 256 KB Workers Logs keeps per invocation", () => {
  // The longest call line the consumer writes: its error is cut at 200 characters.
  const longest = { ...line("gainsightPx", "permanent", 123456789), messageId: "x".repeat(100), status: 400, latencyMs: 10_000, reason: "retries_exhausted", error: "e".repeat(200) };
  assert.ok(CALL_LINES_MAX * JSON.stringify(longest).length < 256 * 1024 * 0.75, "room left for the other lines");
});

test("DELIVERY_LOG: absent, null or empty is \"failures\"; \"calls\" turns on a line per call; anything else is a binding error", async () => {
  const { deliveryLog, deliveryConfig } = await import("../../host-shims/delivery/delivery_config.mjs");
  const { BindingError } = await import("../../host-shims/worker/secrets.mjs");
  for (const env of [{}, { DELIVERY_LOG: null }, { DELIVERY_LOG: "" }, undefined]) {
    assert.equal(deliveryLog(env), "failures", JSON.stringify(env));
    assert.equal(deliveryConfig(env ?? {}).logCalls, false);
  }
  assert.equal(deliveryLog({ DELIVERY_LOG: "calls" }), "calls");
  assert.equal(deliveryConfig({ DELIVERY_LOG: "calls" }).logCalls, true);
  assert.throws(() => deliveryLog({ DELIVERY_LOG: "x".repeat(100) }), { message: `DELIVERY_LOG: "failures" (the default) or "calls", not "${"x".repeat(40)}"` }, "a long value is cut at 40 characters");
  for (const bad of ["verbose", "Calls", "undefined", 1]) {
    assert.throws(() => deliveryLog({ DELIVERY_LOG: bad }), (e) => e instanceof BindingError && e.message.includes(`not ${JSON.stringify(String(bad))}`), String(bad));
  }
});

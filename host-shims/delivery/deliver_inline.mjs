// @ts-check
// Delivery without a queue (the local default): after the reply, in ctx.waitUntil, with a few
// bounded retries. Durability is off in this mode and the log says so.
import { sendCall } from "./send.mjs";
import { backoffSeconds } from "./outcome.mjs";
import { OPEN_CONNECTIONS } from "./platform_limits.mjs";

export const MAX_ATTEMPTS = 3;
const MAX_WAIT_S = 5;
const PARALLEL_CHAINS = OPEN_CONNECTIONS;

// Calls with one destination and order key go one after the other, in plan order.
export function orderedChains(calls) {
  const chains = new Map();
  for (const call of calls) {
    const key = `${call.destination}\u0000${call.orderKey}`;
    let chain = chains.get(key);
    if (!chain) chains.set(key, (chain = []));
    chain.push(call);
  }
  return [...chains.values()];
}

export async function deliverInline(calls, env, log, options = {}) {
  const chains = orderedChains(calls);
  let next = 0;
  const worker = async () => {
    while (next < chains.length) {
      const chain = chains[next++];
      for (const call of chain) await deliverWithRetries(call, env, log, options);
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_CHAINS, chains.length) }, worker));
}

async function deliverWithRetries(call, env, log, options) {
  for (let attempt = 1; ; attempt++) {
    const result = await sendCall(call, env, options);
    // The last attempt of a call that would be tried again says that it is lost: inline delivery
    // has no queue to keep it.
    const dropped = result.outcome === "retry" && attempt >= MAX_ATTEMPTS;
    log({
      at: "delivery",
      mode: "inline",
      destination: call.destination,
      messageId: call.messageId,
      status: result.status,
      outcome: dropped ? "dropped" : result.outcome,
      attempt,
      latencyMs: result.latencyMs,
      ...(dropped ? { reason: `given up after ${MAX_ATTEMPTS} attempts: lost (inline delivery keeps nothing; DELIVERY_MODE "queue" would)` } : result.reason ? { reason: result.reason } : {}),
      error: result.error,
    });
    if (result.outcome !== "retry" || attempt >= MAX_ATTEMPTS) return result;
    const wait = Math.min(MAX_WAIT_S, result.retryAfter ?? backoffSeconds(attempt, { base: 0.25, cap: MAX_WAIT_S }));
    await new Promise((resolve) => setTimeout(resolve, wait * 1000));
  }
}

// @ts-check
// The consumer (the Worker's `queue` handler). Each message is one ordered chain or a bundle of
// them (chain.mjs); a chain's calls are sent in order, each claimed in the dedup ledger first, and
// the chains of a bundle side by side. A message is retried, acked or dead-lettered once all its
// chains are through (settleMessage).
//   2xx                      → recorded as delivered; the chain goes on
//   other 4xx (permanent)    → a dead letter for that call (reason "permanent"); the chain goes on
//   3xx                      → never followed (send.mjs): a dead letter, reason "redirect"
//   429 / 408 / 5xx / timeout / network error → the chain stops and the message is retried:
//                              after Retry-After when given, else exponential backoff with jitter;
//                              calls already delivered are skipped next time (ledger)
//   404 to a retryNotFound call → retried like the above within a small budget (outcome.mjs
//                              notFoundRetry: DELIVERY_NOT_FOUND_ATTEMPTS attempts of the message,
//                              DELIVERY_NOT_FOUND_WINDOW_S since it was first queued), then
//                              permanent: a dead letter, reason "not_found"; the chain goes on
//   retries used up          → one dead letter holding the rest of the chain, then ack
// Messages arriving on the dead-letter queue (the queue gave up on them) become dead letters.
// Subrequests: one invocation spends at most DELIVERY_SUBREQUESTS (fetches and Durable Object
// calls; the Free plan allows 50). A call starts only if the budget covers all it may cost; a chain
// that meets the end of the budget stops there, and its rest goes back to the queue as a new
// message (same order, the original acked once the rest is queued).
import { deliveryConfig, eachLimited, limiter } from "./delivery_config.mjs";
import { CallLog } from "./call_log.mjs";
import { CONSUMER_WALL_MS } from "./platform_limits.mjs";
import { batches, sendAll } from "./deliver_queue.mjs";
import { sendCall } from "./send.mjs";
import { backoffSeconds, notFoundRetry } from "./outcome.mjs";
import { chainsOf, jsonBytes, readMessage, sendable, WIRE_VERSION } from "./chain.mjs";
import { ledgerFor } from "../durable/ledger.mjs";
import { getPayload, deletePayload } from "../durable/payloads.mjs";
import { Counters, flushCounters, deadLetter, recordDeadLetters } from "../durable/ops.mjs";

// What one call may cost in subrequests: the fetch, and a dead letter (its store and the stored
// chain it may point at). The ledger's round trips are the message's (claimCalls).
export const CALL_SUBREQUESTS = 3;
// What the smallest message may cost: a ledger claim and settle (one shard), and one call.
const MESSAGE_SUBREQUESTS = 2 + CALL_SUBREQUESTS;

// The subrequests one invocation has left. The closing writes (the deferred rests' sendBatch
// calls, the counters) are set aside before the first call. Each message gets a share of its own
// (share/giveBack); within it a call takes its worst case before it starts and gives back what it
// did not use.
export class SubrequestBudget {
  constructor(limit) {
    this.left = limit;
    this.held = 0; // shares out
    this.waiting = [];
  }
  take(n) {
    if (this.left < n) return false;
    this.left -= n;
    return true;
  }
  refund(n) {
    this.left += n;
  }
  // A share for one message: what it may cost at most (`want`), waiting while other messages hold
  // shares (they give back what they did not use), so that a message begins whole when it can;
  // else what is left once no share is out. null when that is under `need` (nothing can start).
  async share(need, want) {
    while (this.left < want && this.held > 0) await new Promise((resolve) => this.waiting.push(resolve));
    const n = Math.min(want, this.left);
    if (n < need) return null;
    this.left -= n;
    this.held++;
    return new SubrequestBudget(n);
  }
  giveBack(share) {
    this.left += share.left;
    share.left = 0;
    this.held--;
    const waiting = this.waiting;
    this.waiting = [];
    for (const wake of waiting) wake();
  }
}

// Seconds before the next attempt: Retry-After when the destination gave one, else backoff.
export function retryDelaySeconds(result, attempt, cfg, random = Math.random) {
  if (result?.notFoundDelayS !== undefined) return result.notFoundDelayS;
  if (result?.retryAfter !== undefined) return Math.min(cfg.retryAfterMaxS, Math.ceil(result.retryAfter));
  return Math.min(cfg.retryCapS, Math.round(backoffSeconds(attempt, { base: cfg.retryBaseS, cap: cfg.retryCapS, random })));
}

// A 404 to a retryNotFound call: retried within its budget (the delay rides on the result), else
// made permanent with reason "not_found".
function budgetNotFound(result, attempt, ageS, cfg) {
  if (result.outcome !== "retry" || result.status !== 404) return result;
  const d = notFoundRetry({ attempt, ageS }, cfg);
  if (d.retry) return { ...result, notFoundDelayS: d.delaySeconds };
  return { ...result, outcome: "permanent", reason: "not_found", error: `${d.why}: ${result.error ?? ""}` };
}

// Sends calls[from…] in order. Returns {kind: "done"} | {kind: "retry", index, result} |
// {kind: "busy", index, retryInMs} | {kind: "budget", index} (the subrequests ran out before it).
// `claims`: the ledger's answer for each call's key (claimAll, made before; null without a ledger);
// what became of each claimed call it sent goes to `settle` ("delivered" or "failed"; the message
// releases every other claim when it settles). `taken` (key → the chain sending it) keeps two
// chains of one message that carry the same call (a client's duplicate, bundled with the original)
// from both sending it: the second waits (busy) and the message comes back for it.
// A permanent failure is handed to `permanent(index, result)` (which stores its dead letter,
// reason `result.reason` or "permanent") before the ledger records it, so none is forgotten.
// `ageS`: seconds since the message was first queued.
export async function runChain({ destination, calls, from = 0, attempt, ageS = 0, owner = "", claims = null, settle = [], taken = new Map(), permanent }, { env, cfg, counters, log, fetchImpl, budget, connections }) {
  const me = {};
  for (let i = from; i < calls.length; i++) {
    if (budget && !budget.take(CALL_SUBREQUESTS)) return { kind: "budget", index: i };
    let used = 0;
    try {
      const call = calls[i];
      // Not claimed: the message's share could not pay for its ledger shard. Later, like the rest.
      if (call.key && claims && !claims.has(call.key)) return { kind: "budget", index: i };
      const base = { at: "delivery", mode: "queue", destination, messageId: call.messageId, attempt };
      let claim = call.key ? claims?.get(call.key) : undefined;
      if (claim?.state === "claimed" && (taken.get(call.key) ?? me) !== me) claim = { state: "busy", retryInMs: 1000 }; // another chain of this message has it
      if (claim?.state === "claimed") taken.set(call.key, me);
      if (claim && claim.state !== "claimed") {
        if (claim.state === "delivered" || claim.state === "failed") {
          // Sent by an earlier attempt of this same message (resumed), or by another one (a duplicate).
          const resumed = owner !== "" && claim.owner === owner;
          if (!resumed) counters.add(destination, "deduplicated");
          log({ ...base, outcome: resumed ? "skipped" : "duplicate", previously: claim.state });
          continue;
        }
        counters.add(destination, "busy");
        log({ ...base, outcome: "busy" });
        return { kind: "busy", index: i, retryInMs: claim.retryInMs };
      }
      used++;
      const send = () => sendCall(sendable(call, destination), env, { timeoutMs: cfg.timeoutMs, ...(fetchImpl ? { fetchImpl } : {}) });
      const sent = await (connections ? connections(send) : send());
      const result = budgetNotFound(sent, attempt, ageS, cfg);
      log({
        ...base, status: result.status, outcome: result.outcome, latencyMs: result.latencyMs,
        ...(result.reason ? { reason: result.reason } : {}), ...(result.error ? { error: String(result.error).slice(0, 200) } : {}),
      });
      if (result.outcome === "retry") return { kind: "retry", index: i, result };
      if (result.outcome !== "ok") {
        used += 2; // the dead letter's store, and the stored chain it may point at
        await permanent(i, result);
        counters.add(destination, "deadLettered"); // failed for good, and kept (ops.mjs COUNTERS)
      }
      if (claim) settle.push({ key: call.key, outcome: result.outcome === "ok" ? "delivered" : "failed" });
      counters.add(destination, result.outcome === "ok" ? "sent" : "failed");
    } finally {
      budget?.refund(CALL_SUBREQUESTS - used);
    }
  }
  return { kind: "done" };
}

// Seconds since the message was first sent to the queue (Message.timestamp, kept across its
// retries; a replayed dead letter is a new message). 0 when unknown.
export function messageAgeS(message, now = Date.now()) {
  const t = Number(message?.timestamp); // a Date (or ms)
  return Number.isFinite(t) && t > 0 ? Math.max(0, (now - t) / 1000) : 0;
}

// The rest of a chain from call `index` on, as a message body (wire form v1, chain.mjs); it keeps
// when the chain was first queued, for the 404 window.
function restOf(body, calls, index, firstQueuedAt) {
  const { v, destination, orderKey, replay } = body;
  const head = { v, destination, orderKey, ...(replay ? { replay } : {}), ...(firstQueuedAt ? { firstQueuedAt } : {}) };
  return body.ref ? { ...head, ref: body.ref, count: calls.length, from: index } : { ...head, calls: calls.slice(index) };
}

// The ledger's part of a message (or of a stored chain once read), before its first call: its
// calls claimed in one round trip per ledger shard, and as many round trips set aside for settling
// them after. As many as the budget allows, in order: a call left unclaimed stops its chain there
// (runChain), so a message whose calls span more shards than one invocation can pay for still
// moves on. Returns the claims (a Map; null without a ledger).
async function claimCalls(items, w, ctx, keep = CALL_SUBREQUESTS) {
  if (!ctx.ledger) return null;
  const affordable = Math.floor((w.budget.left - keep) / 2);
  const shards = new Set();
  const claimed = [];
  for (const item of items) {
    const shard = ctx.ledger.shardOf(item.key);
    if (!shards.has(shard)) {
      if (shards.size >= affordable) break;
      shards.add(shard);
    }
    claimed.push(item);
  }
  if (claimed.length === 0) return new Map();
  w.budget.take(2 * shards.size);
  w.settleTrips += shards.size;
  const claims = await ctx.ledger.claimAll(claimed, ctx.leaseMs, w.message.id ?? "");
  for (const [key, claim] of claims) if (claim.state === "claimed") w.held.set(key, claim.token);
  return claims;
}

// The calls of chains (from where each stands) that the ledger knows: those with a key.
const keyedCalls = (chain, calls) => calls.slice(chain.from ?? 0).filter((c) => c.key).map((c) => ({ key: c.key, replay: !!chain.replay }));

// What a message may cost at most, and the least it must have to start: its claims and settling,
// every call at its worst (CALL_SUBREQUESTS), a stored chain's read, delete and ledger trips on top.
function messageCost(chains, trips, ctx) {
  const shards = ctx.cfg.ledgerShards;
  let want = 2 * trips;
  for (const chain of chains) {
    const n = chain.calls ? chain.calls.length - (chain.from ?? 0) : (chain.count ?? 1) - (chain.from ?? 0);
    want += n * CALL_SUBREQUESTS + (chain.ref ? 2 + (ctx.ledger ? 2 * Math.min(shards, n) : 0) : 0);
  }
  const first = chains[0];
  const need = (ctx.ledger && (first.ref || trips > 0) ? 2 : 0) + CALL_SUBREQUESTS + (first.ref ? 2 : 0);
  return { need, want: Math.max(need, want) };
}

// When a chain was first queued (ms; 0 when unknown): a rest keeps it, for the 404 window.
const firstQueuedAtOf = (chain, message) => (Number(chain.firstQueuedAt) > 0 ? Number(chain.firstQueuedAt) : Number(message.timestamp) || 0);

// A chain the budget did not reach: all of it later, untouched.
function notBegun(chain, message) {
  const firstQueuedAt = firstQueuedAtOf(chain, message);
  return { kind: "deferred", destination: chain.destination, rest: { ...chain, ...(firstQueuedAt ? { firstQueuedAt } : {}) } };
}

// One chain of a message, to its outcome; nothing is acked or retried here (settleMessage does,
// once every chain of the message has one):
//   {kind:"done", ref?}              every call answered (ref: the stored chain, to delete)
//   {kind:"deferred", rest}          the budget ran out first: `rest` goes back to the queue
//   {kind:"busy", delayS}            another consumer holds a call (a concurrent duplicate)
//   {kind:"retry", delayS, result, rest, count}   a retryable failure at the head of `rest`
//   {kind:"dead", entry, count}      the stored chain is gone: a dead letter
async function consumeChain(chain, w, ctx) {
  const { env, cfg, ledger } = ctx;
  const { message, budget } = w;
  const attempt = message.attempts ?? 1;
  const owner = message.id ?? "";
  const firstQueuedAt = firstQueuedAtOf(chain, message);
  const { destination, orderKey } = chain;
  const untouched = notBegun(chain, message);
  if (!chain.ref && budget.left < CALL_SUBREQUESTS) return untouched;
  let calls = chain.calls;
  let claims = w.claims;
  if (chain.ref) {
    // A stored chain is read only when the share holds the read, its delete once done, its
    // ledger trips (at most one per shard its calls could fall in) and its first call, all kept
    // while it is read and claimed: chains side by side cannot spend it on reads and claims that
    // no call follows. The delete's subrequest stays held until the message settles.
    const n = Math.max(1, (chain.count ?? 1) - (chain.from ?? 0));
    const trips = ledger ? 2 * Math.min(cfg.ledgerShards, n) : 0;
    if (!budget.take(2 + trips + CALL_SUBREQUESTS)) return untouched;
    calls = (await getPayload(env, chain.ref))?.calls;
    if (!calls) {
      budget.refund(1 + trips + CALL_SUBREQUESTS);
      const count = (chain.count ?? 1) - (chain.from ?? 0); // as the dead letter counts them
      return { kind: "dead", destination, count, entry: deadLetter({ reason: "payload_missing", destination, orderKey, attempts: attempt, message: chain }) };
    }
    budget.refund(trips); // claimCalls takes what the chain's shards need, at once
    claims = await claimCalls(keyedCalls(chain, calls), w, ctx, 0);
    budget.refund(CALL_SUBREQUESTS); // the first call takes it again at once (runChain)
  }
  const permanent = (index, result) =>
    recordDeadLetters(env, [deadLetter({ reason: result.reason ?? "permanent", destination, orderKey, result, attempts: attempt, message: { v: WIRE_VERSION, destination, orderKey, calls: [calls[index]] } })], ctx.log);
  const ageS = messageAgeS({ timestamp: firstQueuedAt });
  const r = await runChain({ destination, calls, from: chain.from ?? 0, attempt, ageS, owner, claims, settle: w.settle, taken: w.taken, permanent }, ctx);
  if (r.kind === "done") return { kind: "done", destination, ref: chain.ref };
  if (chain.ref) budget.refund(1); // no delete
  if (r.kind === "budget") return { kind: "deferred", destination, rest: restOf(chain, calls, r.index, firstQueuedAt) };
  if (r.kind === "busy") {
    // Come back when the other consumer's lease ends.
    return { kind: "busy", destination, delayS: Math.max(1, Math.min(Math.ceil(r.retryInMs / 1000), retryDelaySeconds(undefined, attempt, cfg) || 1)) };
  }
  return {
    kind: "retry", destination, result: r.result, delayS: retryDelaySeconds(r.result, attempt, cfg), count: calls.length - r.index,
    rest: restOf({ v: WIRE_VERSION, destination, orderKey, ref: chain.ref }, calls, r.index),
  };
}

// A message: its share of the budget, its calls claimed, its chains side by side, the ledger told
// how each claimed call went (one round trip per shard), then settled. A message the budget cannot
// begin waits whole for the next invocation.
async function consumeMessage(message, ctx) {
  // claims: the answers; held: key → token of those this message got; settle: what became of them.
  const w = { message, chains: chainsOf(message.body), claims: null, held: new Map(), settle: [], taken: new Map(), settleTrips: 0, budget: null };
  if (w.chains === null) return settleMessage(w, [], ctx);
  const items = w.chains.flatMap((chain) => (chain.calls ? keyedCalls(chain, chain.calls) : []));
  const trips = ctx.ledger && items.length > 0 ? ctx.ledger.trips(items.map((item) => item.key)) : 0;
  const { need, want } = messageCost(w.chains, trips, ctx);
  w.budget = await ctx.budget.share(need, want);
  if (!w.budget) return settleMessage(w, w.chains.map((chain) => notBegun(chain, message)), ctx);
  try {
    w.claims = await claimCalls(items, w, ctx);
    const outcomes = await Promise.all(w.chains.map((chain) => consumeChain(chain, w, { ...ctx, budget: w.budget }).catch((error) => ({ kind: "error", error }))));
    // Every claim no chain sent is dropped: not reached, stopped by a failure, not begun.
    const answered = new Set(w.settle.map((e) => e.key));
    for (const [key, token] of w.held) if (!answered.has(key)) w.settle.push({ key, outcome: "release", token });
    if (w.settle.length > 0) await ctx.ledger.settleAll(w.settle, message.id ?? "");
    w.budget.refund(w.settleTrips - (w.settle.length > 0 ? ctx.ledger.trips(w.settle.map((e) => e.key)) : 0));
    const deletes = outcomes.filter((o) => o.kind === "done" && o.ref).length; // their subrequests kept
    w.budget.left -= deletes;
    ctx.budget.giveBack(w.budget);
    w.budget = null;
    await settleMessage(w, outcomes, ctx, deletes);
  } finally {
    if (w.budget) ctx.budget.giveBack(w.budget);
  }
}

// A message once each of its chains has an outcome (`outcomes[i]` for `chains[i]`):
// - a chain that must be tried again (busy, or a retryable failure with attempts left): the whole
//   message is retried after the longest delay any of them asked for; what its chains already
//   sent is skipped then (the ledger), so the others lose nothing;
// - else dead letters for the chains that failed for good (retries used up, payload gone), the
//   deferred rests queued again (requeueDeferred acks the message after), else the ack.
async function settleMessage({ message, chains }, outcomes, ctx, deletes = 0) {
  const { env, cfg, counters, budget, deferred } = ctx;
  const attempt = message.attempts ?? 1;
  if (chains === null) {
    ctx.log({ at: "consume", error: "not a delivery message (v1 chain or v2 bundle)", id: message.id });
    counters.add("unknown", "deadLettered");
    const body = message.body;
    await recordDeadLetters(env, [deadLetter({ reason: "malformed", destination: String(body?.destination ?? "unknown"), orderKey: "", attempts: attempt, message: body ?? null })], ctx.log);
    message.ack();
    return;
  }
  const error = outcomes.find((o) => o.kind === "error");
  if (error) {
    budget.refund(deletes);
    throw error.error;
  }
  const again = outcomes.filter((o) => o.kind === "busy" || (o.kind === "retry" && attempt < cfg.maxAttempts));
  if (again.length > 0) {
    budget.refund(deletes); // stored chains done are read again with the message: not deleted
    for (const o of again) if (o.kind === "retry") counters.add(o.destination, "retried");
    message.retry({ delaySeconds: Math.max(...again.map((o) => o.delayS)) });
    return;
  }
  const entries = [];
  for (const o of outcomes) {
    if (o.kind === "dead") entries.push(o.entry);
    if (o.kind === "retry") {
      entries.push(deadLetter({ reason: "retries_exhausted", destination: o.destination, orderKey: o.rest.orderKey, result: o.result, attempts: attempt, message: o.rest }));
    }
    if (o.kind === "dead" || o.kind === "retry") counters.add(o.destination, "deadLettered", o.count);
  }
  await recordDeadLetters(env, entries, ctx.log);
  const rests = outcomes.filter((o) => o.kind === "deferred").map((o) => o.rest);
  if (rests.length > 0) {
    budget.refund(deletes); // stored chains done here stay until payloadKeepMs: were the re-queue
    deferred.push({ message, rests }); // refused, the message would read them again
    return;
  }
  message.ack();
  for (const o of outcomes) {
    if (o.kind === "done" && o.ref) {
      await deletePayload(env, o.ref).catch((e) => ctx.log({ at: "consume", error: `payload not deleted: ${e?.message ?? e}` }));
    }
  }
}

// Messages the queue gave up on (max_retries): kept as dead letters as they are, a bundle as one
// per chain (a dead letter holds one chain, to be replayed or discarded on its own).
async function consumeDeadLetterQueue(batch, { env, counters, log }) {
  for (const message of batch.messages) {
    const body = message.body;
    const parts = chainsOf(body) ?? [body];
    try {
      await recordDeadLetters(env, parts.map((part) => deadLetter({ reason: "dead_letter_queue", destination: String(part?.destination ?? "unknown"), orderKey: String(part?.orderKey ?? ""), attempts: message.attempts ?? 0, message: part ?? null })), log);
      for (const part of parts) {
        const calls = Array.isArray(part?.calls) ? part.calls.length - (part.from ?? 0) : (part?.count ?? 1) - (part?.from ?? 0);
        counters.add(String(part?.destination ?? "unknown"), "deadLettered", calls);
      }
      message.ack();
    } catch (e) {
      log({ at: "consume", error: `dead letter not stored: ${e?.message ?? e}`, id: message.id });
      message.retry({ delaySeconds: 60 });
    }
  }
}

// The chains the budget did not reach go back to the queue, each whole or from where it stopped,
// each a message of its own (sendAll: within sendBatch's limits): the rests of a big bundle are
// then taken up by invocations side by side, not one after another. Then their messages are acked.
// If the queue refuses, the messages are retried instead (the ledger skips what they already sent).
async function requeueDeferred(deferred, { env, counters, log }) {
  if (deferred.length === 0) return;
  const rests = deferred.flatMap((d) => d.rests);
  try {
    await sendAll(env.DELIVERY_QUEUE, rests.map((body) => ({ body, bytes: jsonBytes(body) })));
    for (const d of deferred) d.message.ack();
  } catch (e) {
    log({ at: "consume", error: `deferred chains not queued again: ${e?.message ?? e}`, messages: deferred.length });
    for (const d of deferred) d.message.retry({ delaySeconds: 1 });
  }
  for (const rest of rests) counters.add(rest.destination, "deferred");
  log({ at: "consume", deferred: rests.length, reason: "subrequest budget (DELIVERY_SUBREQUESTS)" });
}

// Set aside before the first call: the counters' flush, and the sendBatch calls that would queue
// every message of the batch again (a rest is never larger than its message, but for the
// firstQueuedAt it gains: one call of slack). Capped so that one call can always run: a batch too
// large for its budget still moves on (were its re-queue then over the limit, the platform refuses
// it and the messages are retried).
function closingSubrequests(messages, cfg) {
  const all = messages.map((m) => ({ body: m.body ?? null, bytes: jsonBytes(m.body ?? null) }));
  return Math.max(0, Math.min(2 + batches(all).length, cfg.subrequests - MESSAGE_SUBREQUESTS));
}

// How long a claim holds a call for this invocation: until every call of the batch could have
// timed out in turn, within the invocation's wall time (a live lease makes a concurrent duplicate
// wait; a claim is released or completed as soon as the message settles).
function leaseMsFor(messages, cfg) {
  const calls = messages.reduce((n, m) => n + (chainsOf(m.body) ?? []).reduce((k, c) => k + (c.calls?.length ?? c.count ?? 1), 0), 0);
  return Math.min(CONSUMER_WALL_MS, 2 * cfg.timeoutMs + 5000 + calls * cfg.timeoutMs);
}

export async function consumeBatch(queued, env, out, { fetchImpl = undefined } = {}) {
  const batch = { queue: queued.queue, messages: queued.messages.map(readMessage) };
  const cfg = deliveryConfig(env);
  const calls = new CallLog(out, { mode: "queue", verbose: cfg.logCalls });
  const log = calls.log;
  const counters = new Counters();
  const budget = new SubrequestBudget(cfg.subrequests - closingSubrequests(batch.messages, cfg));
  const deferred = [];
  const ctx = {
    env, cfg, counters, log, fetchImpl, ledger: ledgerFor(env, cfg), budget, deferred,
    connections: limiter(cfg.concurrency), leaseMs: leaseMsFor(batch.messages, cfg),
  };
  if (batch.queue === cfg.deadLetterQueue) {
    await consumeDeadLetterQueue(batch, ctx);
  } else {
    // Messages side by side; their fetches share the invocation's connections (`connections`).
    await eachLimited(batch.messages, cfg.concurrency, async (message) => {
      try {
        await consumeMessage(message, ctx);
      } catch (e) {
        // Our own failure (a Durable Object unreachable, …): try the whole message again later.
        log({ at: "consume", error: String(e?.message ?? e), id: message.id, attempt: message.attempts });
        message.retry({ delaySeconds: retryDelaySeconds(undefined, message.attempts ?? 1, cfg) });
      }
    });
    await requeueDeferred(deferred, ctx);
  }
  await flushCounters(env, counters).catch((e) => log({ at: "consume", error: `counters not saved: ${e?.message ?? e}` }));
  calls.summary({ queue: batch.queue, messages: batch.messages.length });
}

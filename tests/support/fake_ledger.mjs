// A fake ledger's one-key methods (claim, complete, release) given the message-wide ones the
// consumer calls, by the same loop as ledger_do.mjs's claimAll and settleAll.
export function withMessageMethods(ledger) {
  ledger.claimAll = (items, leaseMs, owner) => items.map(({ key, replay }) => ledger.claim(key, leaseMs, replay, owner));
  ledger.settleAll = (entries, keepMs, owner) => {
    for (const e of entries) {
      if (e.outcome === "release") ledger.release(e.key, e.token);
      else ledger.complete(e.key, e.outcome === "delivered", keepMs, owner);
    }
  };
  return ledger;
}

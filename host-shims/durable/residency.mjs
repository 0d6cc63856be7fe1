// @ts-check
// Data residency (README "Data residency"): a source configured with "residency": "eu" has the core
// end each call's dedup scope with ":eu" (src/config/config.hpp residency_suffix), so the host can
// tell from a call's key alone where what it stores of that call must live: the ledger row, a
// stored chain, a dead letter go to Durable Objects of that jurisdiction
// (namespace.jurisdiction("eu")). Counters (numbers per destination) stay in the default one.
//
// workerd (wrangler dev, Miniflare) has no jurisdictions: there `jurisdiction()` throws "not
// implemented" (and a stand-in namespace may have no such method), and a jurisdiction's objects
// become objects named "<jurisdiction>/<name>" in the plain namespace, so that local runs and
// tests still keep them apart.
export const JURISDICTIONS = ["eu"];

/** @param {string} scope "<destination>:<source>:<account>[:<jurisdiction>]" → the jurisdiction or null */
export function jurisdictionOfScope(scope) {
  const last = scope.lastIndexOf(":");
  const tail = last < 0 ? "" : scope.slice(last + 1);
  return JURISDICTIONS.includes(tail) && scope.split(":").length === 4 ? tail : null;
}

/** @param {string} key "<scope>|<messageId>|<ordinal>" */
export const jurisdictionOfKey = (key) => jurisdictionOfScope(String(key).split("|", 1)[0]);

// The jurisdiction of a chain's calls (one chain: one source, so one jurisdiction).
export const jurisdictionOfCalls = (calls) => (Array.isArray(calls) ? calls.map((c) => jurisdictionOfKey(c?.key ?? "")).find(Boolean) ?? null : null);

const unsupported = new WeakSet(); // namespaces whose runtime has no jurisdictions

// The object of `name` in namespace `ns`, in `jurisdiction` (null: the default one): {id, stub}.
export function objectIn(ns, jurisdiction, name) {
  if (!jurisdiction) return ns.get(ns.idFromName(name));
  if (typeof ns.jurisdiction !== "function") unsupported.add(ns);
  if (!unsupported.has(ns)) {
    try {
      const sub = ns.jurisdiction(jurisdiction);
      return sub.get(sub.idFromName(name));
    } catch (e) {
      if (!/not implemented/i.test(String(e?.message ?? e))) throw e;
      unsupported.add(ns);
    }
  }
  return ns.get(ns.idFromName(`${jurisdiction}/${name}`));
}

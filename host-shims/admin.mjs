// Operator endpoints, answered by the host before the core sees the request. They exist only
// when the ADMIN_TOKEN secret is set, and need `Authorization: Bearer <ADMIN_TOKEN>`.
//   GET    /admin/stats                        per-destination counters, delivery mode
//   GET    /admin/dead-letters[?limit&after&destination]   summaries, oldest first; `next` pages on
//   GET    /admin/dead-letters/<id>            one dead letter, its queue message included
//   DELETE /admin/dead-letters/<id>            discard it
//   POST   /admin/dead-letters/replay          {"ids":[…]} or {"all":true} (or ?id=…): queue again
import { opsStub, readCounters } from "./ops.mjs";
import { enqueueChains } from "./deliver_queue.mjs";
import { deletePayload } from "./payloads.mjs";

const PREFIX = "/admin/";
const REPLAY_PAGE = 100;
const REPLAY_MAX_PAGES = 50; // one request replays at most 5,000; call again for more

const json = (status, value, headers = {}) =>
  new Response(JSON.stringify(value), { status, headers: { "content-type": "application/json", "cache-control": "no-store", ...headers } });

// Compares in time that depends on the length only.
function sameText(a, b) {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  if (x.length !== y.length) return false;
  let diff = 0;
  for (let i = 0; i < x.length; i++) diff |= x[i] ^ y[i];
  return diff === 0;
}

export const isAdminPath = (url, env) => url.pathname.startsWith(PREFIX) && typeof env?.ADMIN_TOKEN === "string" && env.ADMIN_TOKEN !== "";

// null: not an admin request (the core answers it, 404 included).
export async function handleAdmin(request, env, log) {
  const url = new URL(request.url);
  if (!isAdminPath(url, env)) return null;
  if (!sameText(request.headers.get("authorization") ?? "", `Bearer ${env.ADMIN_TOKEN}`)) {
    return json(401, { success: false, code: "unauthorized", message: "Authorization: Bearer <ADMIN_TOKEN> required" }, { "www-authenticate": 'Bearer realm="ajs-edge admin"' });
  }
  const path = url.pathname.slice(PREFIX.length).replace(/\/+$/, "");
  const method = request.method.toUpperCase();
  const ops = opsStub(env);
  const mode = env.DELIVERY_QUEUE ? "queue" : "inline";

  if (path === "stats" && method === "GET") {
    const { scope, counters } = await readCounters(env);
    const deadLetters = ops ? (await ops.listDeadLetters({ limit: 1 })).total : null;
    return json(200, { mode, durable: mode === "queue", dedup: !!env.DELIVERY_LEDGER, scope, counters, deadLetters });
  }
  if (!path.startsWith("dead-letters")) return json(404, { success: false, code: "not_found", message: `no admin route ${url.pathname}` });
  if (!ops) return json(409, { success: false, code: "no_store", message: "no DELIVERY_OPS binding: dead letters are only logged" });

  if (path === "dead-letters" && method === "GET") {
    const q = url.searchParams;
    return json(200, await ops.listDeadLetters({ limit: q.get("limit") ?? 100, after: q.get("after") ?? 0, destination: q.get("destination") ?? undefined }));
  }
  if (path === "dead-letters/replay" && method === "POST") return replay(request, url, env, ops, log);
  const one = path.match(/^dead-letters\/([^/]+)$/);
  if (one && method === "GET") {
    const [entry] = await ops.getDeadLetters({ ids: [decodeURIComponent(one[1])] });
    return entry ? json(200, entry) : json(404, { success: false, code: "not_found", message: "no such dead letter" });
  }
  if (one && method === "DELETE") {
    const messages = await ops.deleteDeadLetters([decodeURIComponent(one[1])]);
    for (const m of messages) if (m?.ref) await deletePayload(env, m.ref).catch(() => {});
    return json(messages.length ? 200 : 404, { deleted: messages.length });
  }
  return json(405, { success: false, code: "method_not_allowed", message: `${method} ${url.pathname}` });
}

async function replay(request, url, env, ops, log) {
  if (!env.DELIVERY_QUEUE) return json(409, { success: false, code: "no_queue", message: "replay needs the DELIVERY_QUEUE binding" });
  let ids = url.searchParams.getAll("id");
  let all = false;
  if (ids.length === 0) {
    const body = await request.json().catch(() => ({}));
    if (Array.isArray(body?.ids)) ids = body.ids.map(String);
    all = body?.all === true;
  }
  if (ids.length === 0 && !all) return json(400, { success: false, code: "invalid_request", message: 'give {"ids":[…]}, {"all":true} or ?id=' });

  let replayed = 0;
  let skipped = 0; // entries whose message is not a chain (a malformed message): left in place
  let after = 0;
  for (let page = 0; page < (all ? REPLAY_MAX_PAGES : 1); page++) {
    const entries = all ? await ops.getDeadLetters({ limit: REPLAY_PAGE, after }) : await ops.getDeadLetters({ ids });
    if (entries.length === 0) break;
    after = entries[entries.length - 1].seq;
    const good = entries.filter((e) => e.message?.v === 1 && typeof e.message.destination === "string");
    skipped += entries.length - good.length;
    // Queued first, deleted after: a failure in between replays twice, and the ledger keeps
    // what was already delivered from being sent again.
    await enqueueChains(good.map((e) => e.message), env, log, { replay: true });
    await ops.deleteDeadLetters(good.map((e) => e.id));
    replayed += good.length;
    if (!all || entries.length < REPLAY_PAGE) break;
  }
  log({ at: "admin", action: "replay", replayed, skipped });
  const remaining = (await ops.listDeadLetters({ limit: 1 })).total;
  return json(200, { replayed, skipped, remaining });
}

// A Worker for the delivery tests that need real workerd (Queues, Durable Objects, fetch) but not
// the core: the production host modules (admin, producer, consumer, Durable Objects) around test
// routes that queue or send chains the test builds itself, and seed dead letters.
//   POST /test/enqueue        [chain, …]           → enqueueChains (queue mode)
//   POST /test/inline         [call, …] (wire form, with destination and orderKey) → deliverInline
//   POST /test/dead-letters   [entry, …]           → recordDeadLetters (sharded store)
//   POST /test/legacy         [entry, …]           → straight into the pre-sharding "ops" object
// Bindings read here: TEST_CONFIG_STATUS (JSON: what GET /admin/config answers; absent: no route),
// TEST_CONFIG_THROWS (configStatus throws).
import { handleAdmin } from "../../host-shims/admin.mjs";
import { enqueueChains } from "../../host-shims/deliver_queue.mjs";
import { consumeBatch } from "../../host-shims/consume_queue.mjs";
import { deliverInline } from "../../host-shims/deliver_inline.mjs";
import { recordDeadLetters, opsStub } from "../../host-shims/ops.mjs";
import { sendable } from "../../host-shims/chain.mjs";

export { DeliveryLedger, DeliveryOps, DeliveryPayloads } from "../../host-shims/durable_objects.mjs";

const log = (entry) => console.log(JSON.stringify(entry));

function adminOptions(env) {
  if (env.TEST_CONFIG_THROWS) return { configStatus: () => { throw new Error("config status exploded at /secret/path"); } };
  if (env.TEST_CONFIG_STATUS) return { configStatus: async () => JSON.parse(env.TEST_CONFIG_STATUS) };
  return {};
}

export default {
  async fetch(request, env, ctx) {
    const admin = await handleAdmin(request, env, log, adminOptions(env));
    if (admin) return admin;
    const { pathname } = new URL(request.url);
    if (request.method === "POST" && pathname === "/test/enqueue") {
      const n = await enqueueChains(await request.json(), env, log);
      return Response.json({ messages: n });
    }
    if (request.method === "POST" && pathname === "/test/inline") {
      const calls = (await request.json()).map((c) => ({ ...sendable(c, c.destination), orderKey: c.orderKey }));
      ctx.waitUntil(deliverInline(calls, env, log));
      return Response.json({ calls: calls.length });
    }
    if (request.method === "POST" && pathname === "/test/dead-letters") {
      await recordDeadLetters(env, await request.json(), log);
      return Response.json({ ok: true });
    }
    if (request.method === "POST" && pathname === "/test/legacy") {
      await opsStub(env).addDeadLetters(await request.json());
      return Response.json({ ok: true });
    }
    return new Response("not found", { status: 404 });
  },
  async queue(batch, env) {
    await consumeBatch(batch, env, log);
  },
};

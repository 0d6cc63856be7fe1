// The Worker (worker_app.mjs around the wasi core) for the operator console's workerd tests
// (tests/durable/counter_series.test.mjs, live_events.test.mjs), with its DELIVERY_OPS binding
// counted: every method a request calls on an ops object is recorded, so a test can tell that a
// request made no call at all. Test routes:
//   POST /test/ops-calls                 → {calls: ["<object>.<method>", …]} since the last call (then forgotten)
//   POST /test/ops {object, method, args} → that method of the ops object "<object>" (not counted)
//   POST /test/flush {delta, at}         → flushCounters(env, counters, at): one flush at a known time
import wasmModule from "../../build/wasm/ajs_edge.wasm";
import { createWorker } from "../../host-shims/worker/worker_app.mjs";
import { Counters, flushCounters } from "../../host-shims/durable/ops.mjs";
import { DeliveryOps as Ops } from "../../host-shims/durable/durable_objects.mjs";

export { DeliveryLedger, DeliveryPayloads } from "../../host-shims/durable/durable_objects.mjs";

// The production object, with a look inside.
export class DeliveryOps extends Ops {
  minuteRows() {
    return this.sql.exec("SELECT minute FROM counter_minutes ORDER BY minute").toArray().map((r) => r.minute);
  }
  liveRows() {
    return this.sql.exec("SELECT source, COUNT(*) AS n FROM live_requests GROUP BY source ORDER BY source").toArray();
  }
  // Rows written by addCounters (SQLite storage is billed by them).
  addCountersCounted(delta, at) {
    const sql = this.sql;
    let rowsWritten = 0;
    this.sql = { exec: (...args) => { const c = sql.exec(...args); const all = c.toArray(); rowsWritten += c.rowsWritten; return Object.assign(all, { toArray: () => all, one: () => all[0] }); } };
    try {
      this.addCounters(delta, at);
    } finally {
      this.sql = sql;
    }
    return rowsWritten;
  }
}

const worker = createWorker(wasmModule, { build: "wasi" });
let calls = [];

// DELIVERY_OPS as the Worker sees it: each stub's method calls recorded.
function countedOps(ns) {
  return {
    idFromName: (name) => ns.idFromName(name),
    get(id) {
      const stub = ns.get(id);
      const object = String(id.name ?? id);
      return new Proxy({}, {
        get: (_, method) => (...args) => {
          calls.push(`${object}.${String(method)}`);
          return stub[method](...args);
        },
      });
    },
  };
}

export default {
  async fetch(request, env, ctx) {
    const { pathname } = new URL(request.url);
    if (request.method === "POST" && pathname === "/test/ops-calls") {
      const seen = calls;
      calls = [];
      return Response.json({ calls: seen });
    }
    if (request.method === "POST" && pathname === "/test/ops") {
      const { object, method, args = [] } = await request.json();
      const result = await env.DELIVERY_OPS.get(env.DELIVERY_OPS.idFromName(object))[method](...args);
      return Response.json({ result: result ?? null });
    }
    if (request.method === "POST" && pathname === "/test/flush") {
      const { delta, at } = await request.json();
      const counters = new Counters();
      for (const [destination, values] of Object.entries(delta)) for (const [name, n] of Object.entries(values)) counters.add(destination, name, n);
      await flushCounters({ ...env, DELIVERY_OPS: countedOps(env.DELIVERY_OPS) }, counters, at);
      return Response.json({ ok: true });
    }
    return worker.fetch(request, env.DELIVERY_OPS ? { ...env, DELIVERY_OPS: countedOps(env.DELIVERY_OPS) } : env, ctx);
  },
  queue: (batch, env) => worker.queue(batch, env),
};

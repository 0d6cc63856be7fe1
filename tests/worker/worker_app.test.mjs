// The host glue outside workerd: trap recovery, and the Node host serving the real core.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createWorker } from "../../host-shims/worker/worker_app.mjs";
import { loadWorker, serve } from "../../host-shims/node/node_host.mjs";

const trapWat = fileURLToPath(new URL("trap_module.wat", import.meta.url));

test("a trap answers 500 and the next request gets a fresh core instance", async () => {
  const bytes = execFileSync("wat2wasm", [trapWat, "--output=-"]);
  const module = await WebAssembly.compile(bytes);
  const realInstantiate = WebAssembly.instantiate;
  let instances = 0;
  WebAssembly.instantiate = (...args) => {
    instances++;
    return realInstantiate(...args);
  };
  const logs = [];
  const realLog = console.log;
  console.log = (line) => logs.push(line);
  try {
    const worker = createWorker(module);
    const post = () => worker.fetch(new Request("https://edge.example.com/v1/t", { method: "POST", body: "{}" }), {}, {});
    const first = await post();
    assert.equal(first.status, 500);
    assert.deepEqual(await first.json(), { success: false, message: "internal error", code: "internal_error" });
    assert.equal(instances, 1);
    assert.equal((await post()).status, 500);
    assert.equal(instances, 2, "the trapped instance was dropped");
    assert.ok(logs.some((l) => JSON.parse(l).at === "trap"));
  } finally {
    WebAssembly.instantiate = realInstantiate;
    console.log = realLog;
  }
});

test("the Node host serves the same Worker app over HTTP", async () => {
  const server = await serve(await loadWorker("wasi"), { port: 0, env: {} });
  const { port } = server.address();
  const realLog = console.log;
  console.log = () => {};
  try {
    const ok = await fetch(`http://127.0.0.1:${port}/v1/t`, {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: JSON.stringify({ writeKey: "demo-write-key", event: "Clicked", userId: "u1" }),
    });
    assert.equal(ok.status, 200);
    assert.deepEqual(await ok.json(), { success: true });
    const settings = await fetch(`http://127.0.0.1:${port}/v1/projects/demo-write-key/settings`);
    assert.equal((await settings.json()).integrations["Segment.io"].apiHost, `127.0.0.1:${port}/v1`);
    assert.equal((await fetch(`http://127.0.0.1:${port}/v1/t`)).status, 405);
  } finally {
    console.log = realLog;
    server.close();
  }
});

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

test("the Node host hands the body over as a stream: the Worker's cap holds, with a length or chunked", async () => {
  const server = await serve(await loadWorker("wasi"), { port: 0, env: {} });
  const { port } = server.address();
  const realLog = console.log;
  console.log = () => {};
  const KB = 1024;
  const batch = (bytes) => JSON.stringify({ writeKey: "demo-write-key", batch: [{ type: "track", event: "E", userId: "u", properties: { pad: "x".repeat(bytes) } }] });
  const chunked = (text) => new ReadableStream({
    start(c) {
      const bytes = new TextEncoder().encode(text);
      for (let at = 0; at < bytes.length; at += 16 * KB) c.enqueue(bytes.subarray(at, at + 16 * KB));
      c.close();
    },
  });
  try {
    for (const [what, body] of [["with a length", batch(600 * KB)], ["chunked", chunked(batch(600 * KB))]]) {
      const res = await fetch(`http://127.0.0.1:${port}/v1/batch`, { method: "POST", headers: { "content-type": "application/json" }, body, duplex: "half" });
      assert.equal(res.status, 400, what);
      assert.match((await res.json()).message, /500 KB batch limit/, what);
    }
    const small = await fetch(`http://127.0.0.1:${port}/v1/batch`, { method: "POST", body: chunked(batch(10 * KB)), duplex: "half" });
    assert.equal(small.status, 200);
    // A body that does not end until the reply is in: refused once past the cap, while the client
    // still sends (a host that read it whole first would wait for its end, and time out here).
    let replied = false;
    const endless = new ReadableStream({
      pull(c) {
        if (replied) c.close();
        else c.enqueue(new Uint8Array(16 * KB).fill(0x20));
      },
    });
    const refused = await fetch(`http://127.0.0.1:${port}/v1/batch`, { method: "POST", body: endless, duplex: "half", signal: AbortSignal.timeout(10_000) });
    replied = true;
    assert.equal(refused.status, 400);
    assert.match((await refused.json()).message, /500 KB batch limit/);
  } finally {
    console.log = realLog;
    server.close();
  }
});

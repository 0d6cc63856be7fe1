// The same Worker app in plain Node (no workerd): for benchmarks, quick experiments and hosts
// without Cloudflare. Node may compile wasm from bytes, so the module is read from disk.
// Usage: node host-shims/node/node_host.mjs [--build wasi|emscripten] [--port 8788]
//        (AJS_EDGE_CONFIG and the secrets it names come from the environment; plain Node has no
//        queue, so a configured source runs with DELIVERY_MODE=inline, which loses failed calls)
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { createWorker } from "../worker/worker_app.mjs";

const wasmFiles = { wasi: "../../build/wasm/ajs_edge.wasm", emscripten: "../../build/wasm/ajs_edge_emscripten.wasm" };

export async function loadWorker(build = "wasi") {
  const bytes = await readFile(fileURLToPath(new URL(wasmFiles[build], import.meta.url)));
  return createWorker(await WebAssembly.compile(bytes), { build });
}

// A request's body as a web stream. Past the Worker's cap the reader cancels it: the rest is then
// read and dropped (Node's requestTimeout bounds how long), so that the socket stays up to carry
// the refusal (Readable.toWeb would destroy it, and the client would see no reply).
function bodyStream(req) {
  let open = true;
  return new ReadableStream({
    start(c) {
      req.on("data", (chunk) => {
        if (!open) return;
        c.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        if ((c.desiredSize ?? 0) <= 0) req.pause();
      });
      req.on("end", () => open && ((open = false), c.close()));
      req.on("error", (e) => open && ((open = false), c.error(e)));
    },
    pull() {
      req.resume();
    },
    cancel() {
      open = false;
      req.resume();
    },
  }, { highWaterMark: 64 * 1024, size: (chunk) => chunk.byteLength });
}

// Serves `worker` over HTTP; resolves to the listening server.
export function serve(worker, { port = 8788, host = "127.0.0.1", env = process.env } = {}) {
  const server = createServer(async (req, res) => {
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) headers.set(k, Array.isArray(v) ? v.join(", ") : v);
    if (!headers.has("cf-connecting-ip")) headers.set("cf-connecting-ip", req.socket.remoteAddress ?? "");
    // The body as the client's stream, not buffered here: the Worker's reader (worker/body.mjs)
    // stops at its cap, as in workerd.
    const hasBody = req.method !== "GET" && req.method !== "HEAD";
    const request = new Request(`http://${req.headers.host ?? `${host}:${port}`}${req.url}`, {
      method: req.method,
      headers,
      body: hasBody ? bodyStream(req) : undefined,
      duplex: "half",
    });
    const pending = [];
    const response = await worker.fetch(request, env, { waitUntil: (p) => pending.push(p) });
    res.writeHead(response.status, Object.fromEntries(response.headers));
    res.end(Buffer.from(await response.arrayBuffer()));
  });
  return new Promise((resolve) => server.listen(port, host, () => resolve(server)));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (name, fallback) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? process.argv[i + 1] : fallback;
  };
  const build = arg("build", "wasi");
  const port = Number(arg("port", 8788));
  await serve(await loadWorker(build), { port });
  console.log(JSON.stringify({ at: "node-host", build, listening: `http://127.0.0.1:${port}` }));
}

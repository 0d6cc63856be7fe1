// The loopback receiver for the capture destination's `endpoint`: a Node http server on
// 127.0.0.1 (ephemeral port) that records every request the Worker sends it and answers 200.
// Delivery runs in ctx.waitUntil after the reply, so tests wait for arrivals with a deadline.
import http from "node:http";

// Polls `probe` until it returns something other than undefined/false; throws after timeoutMs.
// `what`: text, or a function giving it when the time is up (a state read then, not at the start).
export async function waitFor(probe, { timeoutMs = 5000, intervalMs = 10, what = "condition" } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === "function" ? what() : what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export async function startCaptureServer() {
  const received = []; // {method, path, headers, raw, body} in arrival order
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      let body;
      try {
        body = JSON.parse(raw);
      } catch {
        body = undefined;
      }
      received.push({ method: req.method, path: req.url, headers: req.headers, raw, body });
      res.writeHead(200, { "content-type": "application/json" });
      res.end('{"ok":true}');
    });
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const url = `http://127.0.0.1:${server.address().port}`;

  return {
    url,
    received,
    // Waits until at least `count` requests arrived, then removes and returns the first `count`.
    async take(count, { timeoutMs = 5000 } = {}) {
      await waitFor(() => received.length >= count, {
        timeoutMs,
        what: `${count} captured request(s) (got ${received.length})`,
      });
      return received.splice(0, count);
    },
    clear() {
      received.length = 0;
    },
    close() {
      return new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      });
    },
  };
}

// A loopback HTTP server that records every request and answers with `answer(req, hits)`:
// [status, headers, body].
export async function startRecordingServer(answer = () => [200]) {
  const hits = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      hits.push({ method: req.method, path: req.url, headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      const [status, headers = {}, body = status < 300 ? "{}" : `{"message":"answer ${status}"}`] = answer(req, hits);
      res.writeHead(status, { "content-type": "application/json", ...headers });
      res.end(body);
    });
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    hits,
    close: () => new Promise((resolve) => {
      server.closeAllConnections?.();
      server.close(() => resolve());
    }),
  };
}

// A fault-injecting HTTP proxy to put in front of a fake upstream (gist.mjs, gainsight.mjs).
// Node 20, no dependencies.
//
//   const proxy = await startFaultyProxy(gist.url, { rate: 0.5, seed: 7 });
//   … point the destination's `endpoint` at proxy.url …
//   proxy.faults  {500, 429, hang, drop}: how many of each were injected
//   proxy.forwarded  [{method, path, body, status, ms}] every request that reached the upstream, with its answer
//   proxy.injected   [{kind, path, body}] every request answered with a fault instead
//   proxy.setRate(0)  stops injecting; await proxy.close()
//
// With probability `rate` a request is not forwarded and gets one fault, the kinds in turn
// at random: 500; 429 with Retry-After: `retryAfter`; a hang (no answer; the socket is destroyed
// after `hangMs`, past the caller's timeout); a dropped connection (socket destroyed once the
// request is read). Faults happen before the upstream sees the request, so a call that failed
// was never applied: a correct client then delivers each call exactly once — unless a forwarded
// call is answered after the caller's timeout, which no sender can tell from a loss.
import http from "node:http";

export const FAULT_KINDS = ["500", "429", "hang", "drop"];

// mulberry32: a small seeded PRNG, so that a run can be repeated.
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function parse(raw) {
  try {
    return JSON.parse(raw.toString("utf8"));
  } catch {
    return raw.toString("utf8");
  }
}

export async function startFaultyProxy(target, { rate = 0.5, kinds = FAULT_KINDS, retryAfter = 1, hangMs = 2000, seed = 1 } = {}) {
  const random = prng(seed);
  const upstream = new URL(target);
  const faults = Object.fromEntries(FAULT_KINDS.map((k) => [k, 0]));
  const forwarded = [];
  const injected = [];
  const hanging = new Set();
  let requests = 0;

  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      requests++;
      const raw = Buffer.concat(chunks);
      const t0 = Date.now();
      if (random() < rate) {
        const kind = kinds[Math.floor(random() * kinds.length)];
        faults[kind]++;
        injected.push({ kind, path: req.url, body: parse(raw) });
        switch (kind) {
          case "500":
            res.writeHead(500, { "content-type": "application/json" });
            return res.end('{"error":"injected 500"}');
          case "429":
            res.writeHead(429, { "content-type": "application/json", "retry-after": String(retryAfter) });
            return res.end('{"error":"injected 429"}');
          case "hang": {
            const timer = setTimeout(() => {
              hanging.delete(timer);
              req.socket.destroy();
            }, hangMs);
            hanging.add(timer);
            return;
          }
          default:
            return req.socket.destroy();
        }
      }
      const out = http.request(
        { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host } },
        (up) => {
          const back = [];
          up.on("data", (c) => back.push(c));
          up.on("end", () => {
            forwarded.push({ method: req.method, path: req.url, body: parse(raw), status: up.statusCode, ms: Date.now() - t0 });
            const headers = { ...up.headers };
            delete headers["transfer-encoding"];
            res.writeHead(up.statusCode, headers);
            res.end(Buffer.concat(back));
          });
        },
      );
      out.on("error", (e) => {
        res.writeHead(502);
        res.end(String(e));
      });
      out.end(raw);
    });
  });
  server.keepAliveTimeout = 1000;

  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    faults,
    forwarded,
    injected,
    get requests() {
      return requests;
    },
    setRate(r) {
      rate = r;
    },
    close() {
      for (const t of hanging) clearTimeout(t);
      hanging.clear();
      return new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      });
    },
  };
}

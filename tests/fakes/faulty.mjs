// A fault-injecting HTTP proxy to put in front of a fake upstream (gist.mjs, gainsight.mjs).
// Node 20, no dependencies.
//
//   const proxy = await startFaultyProxy(gist.url, { rate: 0.5, seed: 7 });
//   … point the destination's `endpoint` at proxy.url …
//   proxy.faults     {500, 429, hang, drop, lost}: how many of each were injected
//   proxy.forwarded  [{method, path, body, status, ms, attempt, lost}] every request that reached
//                    the upstream (and was applied there), with the upstream's answer
//   proxy.injected   [{kind, path, body, attempt}] every request that met a fault (a "lost" one
//                    is in both lists)
//   proxy.setRate(0)  stops injecting; await proxy.close()
//
// Which request meets which fault is decided per call, never by arrival order: decideFault()
// hashes the seed, the call's identity (method, path, body) and its attempt number (the n-th time
// this proxy sees that same call). However concurrent requests interleave, each call meets the
// same faults, and a test can tell from the pattern what each call went through.
//
// The kinds:
//   500, 429 (Retry-After: `retryAfter`), hang (no answer; the socket is destroyed after
//   `hangMs`), drop (the socket is destroyed once the request is read): the upstream never sees
//   the request. The call was not applied, so a correct sender delivers it exactly once in the end.
//   lost (only when listed in `kinds`): the request is forwarded and applied upstream, then the
//   connection is destroyed after `hangMs` instead of answering. No sender can tell that from a
//   call that never arrived, so an at-least-once sender sends it again: each lost answer is one
//   extra copy upstream, exactly.
// None depends on the caller's timer: with `hangMs` below the caller's timeout the caller sees a
// lost connection, never a timeout, so a test's outcome does not depend on how loaded the machine is.
import http from "node:http";
import { createHash } from "node:crypto";

export const FAULT_KINDS = ["500", "429", "hang", "drop"]; // never applied upstream
export const LOST = "lost"; // applied upstream, the answer lost on the way back

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

// The identity of a call as the upstream sees it: the same request sent again has the same one.
export function callIdentity(method, path, rawBody) {
  return createHash("sha256").update(`${method} ${path}\n`).update(rawBody).digest("hex");
}

// The fault for attempt `attempt` (1, 2, …) of the call `identity`, or null (forward it): a pure
// function of its arguments.
export function decideFault(seed, identity, attempt, rate, kinds = FAULT_KINDS) {
  if (!(rate > 0)) return null;
  const h = createHash("sha256").update(`${seed}|${attempt}|${identity}`).digest();
  const u = (offset) => h.readUInt32BE(offset) / 4294967296;
  return u(0) < rate ? kinds[Math.floor(u(4) * kinds.length)] : null;
}

function parse(raw) {
  try {
    return JSON.parse(raw.toString("utf8"));
  } catch {
    return raw.toString("utf8");
  }
}

export async function startFaultyProxy(target, { rate = 0.5, kinds = FAULT_KINDS, retryAfter = 1, hangMs = 2000, seed = 1 } = {}) {
  const upstream = new URL(target);
  const faults = Object.fromEntries([...FAULT_KINDS, LOST].map((k) => [k, 0]));
  const forwarded = [];
  const injected = [];
  const attempts = new Map(); // call identity → requests seen
  const hanging = new Set();
  let requests = 0;

  const later = (ms, fn) => {
    const timer = setTimeout(() => {
      hanging.delete(timer);
      fn();
    }, ms);
    hanging.add(timer);
  };

  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      requests++;
      const raw = Buffer.concat(chunks);
      const t0 = Date.now();
      const identity = callIdentity(req.method, req.url, raw);
      const attempt = (attempts.get(identity) ?? 0) + 1;
      attempts.set(identity, attempt);
      const kind = decideFault(seed, identity, attempt, rate, kinds);
      if (kind) {
        faults[kind]++;
        injected.push({ kind, path: req.url, body: parse(raw), attempt });
      }
      switch (kind) {
        case "500":
          res.writeHead(500, { "content-type": "application/json" });
          return res.end('{"error":"injected 500"}');
        case "429":
          res.writeHead(429, { "content-type": "application/json", "retry-after": String(retryAfter) });
          return res.end('{"error":"injected 429"}');
        case "hang":
          return later(hangMs, () => req.socket.destroy());
        case "drop":
          return req.socket.destroy();
      }
      const out = http.request(
        { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host } },
        (up) => {
          const back = [];
          up.on("data", (c) => back.push(c));
          up.on("end", () => {
            forwarded.push({ method: req.method, path: req.url, body: parse(raw), status: up.statusCode, ms: Date.now() - t0, attempt, lost: kind === LOST });
            if (kind === LOST) return later(hangMs, () => req.socket.destroy());
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
    seed,
    kinds,
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

// Contract-strict fakes of the two Gainsight ingest endpoints the core plans calls to
// (docs/destinations/gainsight.md). Node 20, no dependencies. Each listens on 127.0.0.1, port 0.
//
//   const gs = await startFakeGainsight({ accessKey });  // classic: POST /clickstream/segmentio/event
//   const px = await startFakePx({ apiKey });            // PX:      POST /rte/segmentio/v1/push
//   gs.url, gs.received ([{path, headers, body}] of accepted requests), gs.rejected
//   gs.failNext(429, { retryAfter: 2, count: 3 }); await gs.close();
//
// Checks, in this order (the first failure answers):
//   404 any other path (query strings included) · 405 any method but POST
//   the failures queued by failNext (429 with Retry-After when given, 500, …)
//   auth: classic 401 without `accessKey`, 403 with a wrong one (the live code was never
//         recorded, see gainsight-api.md §9.3); PX 401 without or with a wrong Basic
//         username (Segment's PX destination relies on 401 for a bad key)
//   400 Content-Type not application/json · 400 body not JSON · 400 body not a Segment message
//       of a call type the endpoint takes (classic: identify, group, track; PX: those and page;
//       PX answers 400 to `[]` with a good key, as its testAuthentication expects)
// Accepted requests get 200 with an empty body.
import http from "node:http";

const segmentMessage = (types) => (body) => {
  if (body === null || typeof body !== "object" || Array.isArray(body)) return "body must be one Segment message (a JSON object)";
  if (!types.includes(body.type)) return `type must be one of ${types.join(", ")}`;
  if (!body.userId && !body.anonymousId) return "userId or anonymousId is required";
  if (typeof body.messageId !== "string" || body.messageId === "") return "messageId is required";
  return null;
};

function classicAuth(accessKey) {
  return (headers) => {
    const key = headers["accesskey"];
    if (key === undefined) return { status: 401, error: "accessKey header missing" };
    if (key !== accessKey) return { status: 403, error: "invalid accessKey" };
    return null;
  };
}

function pxAuth(apiKey) {
  const expected = `Basic ${Buffer.from(`${apiKey}:`, "utf8").toString("base64")}`;
  return (headers) => {
    const auth = headers["authorization"];
    if (auth === undefined) return { status: 401, error: "Authorization header missing", challenge: true };
    const [scheme, token] = auth.split(" ");
    if (scheme?.toLowerCase() !== "basic" || `Basic ${token}` !== expected) {
      return { status: 401, error: "invalid API key", challenge: true };
    }
    return null;
  };
}

function isJsonContentType(value) {
  return typeof value === "string" && value.split(";")[0].trim().toLowerCase() === "application/json";
}

async function startFake({ path, authorize, validBody }) {
  const received = [];
  const rejected = [];
  const failures = []; // one entry per request still to fail: { status, retryAfter }

  const answer = (req, res, status, error, extraHeaders = {}) => {
    if (status >= 400) rejected.push({ method: req.method, path: req.url, status, error });
    const body = error === undefined ? "" : JSON.stringify({ error });
    res.writeHead(status, { ...(body ? { "content-type": "application/json" } : {}), ...extraHeaders });
    res.end(body);
  };

  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      if (req.url !== path) return answer(req, res, 404, `no route ${req.url}`);
      if (req.method !== "POST") return answer(req, res, 405, `method ${req.method} not allowed`, { allow: "POST" });
      const failure = failures.shift();
      if (failure) {
        const headers = failure.retryAfter === undefined ? {} : { "retry-after": String(failure.retryAfter) };
        return answer(req, res, failure.status, `injected failure ${failure.status}`, headers);
      }
      const denied = authorize(req.headers);
      if (denied) {
        return answer(req, res, denied.status, denied.error, denied.challenge ? { "www-authenticate": 'Basic realm="px"' } : {});
      }
      if (!isJsonContentType(req.headers["content-type"])) {
        return answer(req, res, 400, `Content-Type must be application/json, got ${req.headers["content-type"] ?? "none"}`);
      }
      let body;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      } catch {
        return answer(req, res, 400, "body is not JSON");
      }
      const invalid = validBody(body);
      if (invalid) return answer(req, res, 400, invalid);
      received.push({ path: req.url, headers: { ...req.headers }, body });
      answer(req, res, 200);
    });
  });

  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const { port } = server.address();

  return {
    url: `http://127.0.0.1:${port}`,
    received,
    rejected,
    // The next `count` requests that reach the route (right path, POST) get `status`.
    failNext(status, { retryAfter, count = 1 } = {}) {
      for (let i = 0; i < count; i++) failures.push({ status, retryAfter });
    },
    close() {
      return new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

export async function startFakeGainsight({ accessKey }) {
  if (typeof accessKey !== "string" || accessKey === "") throw new TypeError("startFakeGainsight: accessKey required");
  return startFake({
    path: "/clickstream/segmentio/event",
    authorize: classicAuth(accessKey),
    validBody: segmentMessage(["identify", "group", "track"]),
  });
}

export async function startFakePx({ apiKey }) {
  if (typeof apiKey !== "string" || apiKey === "") throw new TypeError("startFakePx: apiKey required");
  return startFake({
    path: "/rte/segmentio/v1/push",
    authorize: pxAuth(apiKey),
    validBody: segmentMessage(["identify", "group", "track", "page"]),
  });
}

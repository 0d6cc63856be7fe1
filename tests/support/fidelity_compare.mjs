// What the fidelity tests compare of an outgoing request, the same way for both sides.
import { GENERATED_MESSAGE_ID } from "./fidelity_segment.mjs";

// The request as compared: method, URL, the headers that matter (lower-case names; a header the
// side does not send is absent), the body as parsed JSON.
export function requestView(request, headerNames) {
  const headers = {};
  for (const name of headerNames) {
    if (request.headers[name] !== undefined) headers[name] = request.headers[name];
  }
  return { method: request.method, url: request.url, headers, body: JSON.parse(request.body) };
}

// Segment generates a messageId when the client sent none; its value is random, so the Worker's
// generated id stands in for it when it is one Segment would accept (a non-empty string of fewer
// than 100 characters: http-api/index.md "Errors", Deduplication). Pairs by position.
export function fillGeneratedIds(workerViews, segmentViews) {
  const n = Math.min(workerViews.length, segmentViews.length);
  for (let i = 0; i < n; i++) {
    const id = workerViews[i].body?.messageId;
    if (segmentViews[i].body?.messageId === GENERATED_MESSAGE_ID && typeof id === "string" && id.length > 0 && id.length < 100) {
      workerViews[i].body.messageId = GENERATED_MESSAGE_ID;
    }
  }
}

// The number tokens of a JSON text as written, by path (["properties","a"] → "properties.a"):
// parsing loses the difference between 1.50 and 1.5, or 12345678901234567890 and 12345678901234567000.
function numberTokens(text) {
  const out = {};
  let i = 0;
  const ws = () => {
    while (i < text.length && " \t\n\r".includes(text[i])) i++;
  };
  const string = () => {
    const start = i++;
    while (text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i));
  };
  const value = (path) => {
    ws();
    const c = text[i];
    if (c === "{") {
      i++;
      ws();
      if (text[i] === "}") return void i++;
      for (;;) {
        ws();
        const key = string();
        ws();
        i++; // :
        value(`${path}${path ? "." : ""}${key}`);
        ws();
        if (text[i++] === "}") return;
      }
    }
    if (c === "[") {
      i++;
      ws();
      if (text[i] === "]") return void i++;
      for (let k = 0; ; k++) {
        value(`${path}[${k}]`);
        ws();
        if (text[i++] === "]") return;
      }
    }
    if (c === '"') return void string();
    const m = /^-?\d+(\.\d+)?([eE][+-]?\d+)?|^true|^false|^null/.exec(text.slice(i, i + 400));
    if (!m) throw new Error(`numberTokens: unexpected ${JSON.stringify(text.slice(i, i + 20))}`);
    if (/^-|^\d/.test(m[0])) out[path] = m[0];
    i += m[0].length;
  };
  value("");
  return out;
}

// The number tokens that differ between the Worker's request bodies and Segment's, paired by
// position (`name` labels each line); requests only one side sent are left to the request tests.
export function numberTokenDifferences(name, workerRequests, segmentRequests) {
  const out = [];
  if (workerRequests.length !== segmentRequests.length) return out;
  workerRequests.forEach((request, i) => {
    const got = numberTokens(request.body);
    const want = numberTokens(segmentRequests[i].body);
    for (const path of Object.keys(got)) {
      if (want[path] !== undefined && want[path] !== got[path]) out.push(`${name}: ${path} Worker ${got[path]}, Segment ${want[path]}`);
    }
  });
  return out;
}

// @ts-check
// The demo (no AJS_EDGE_CONFIG): nothing leaves the Worker. Every call the core plans is printed,
// secrets by name only, and the latest are kept for the demo page (GET /demo/calls?after=N).
import { redactedHeaders } from "../worker/secrets.mjs";

const decoder = new TextDecoder();

export class PlannedCalls {
  constructor(limit = 200) {
    this.limit = limit;
    this.calls = [];
    this.seq = 0;
  }

  // Prints and keeps every call of one plan; returns nothing to deliver.
  record(requests, log) {
    for (const call of requests) {
      const text = decoder.decode(call.body);
      let body;
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
      const entry = { seq: ++this.seq, destination: call.destination, method: call.method, url: call.url,
        headers: redactedHeaders(call), body, messageId: call.messageId };
      log({ at: "planned", dryRun: true, ...entry });
      this.calls.push(entry);
      if (this.calls.length > this.limit) this.calls.shift();
    }
  }

  response(url) {
    const after = Number(new URL(url).searchParams.get("after") ?? 0);
    return Response.json({ calls: this.calls.filter((c) => c.seq > after), next: this.seq },
      { headers: { "cache-control": "no-store", "access-control-allow-origin": "*" } });
  }
}

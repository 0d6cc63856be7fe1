// A Worker that reads its request's body with host-shims/worker/body.mjs (the limit from ?limit=)
// and answers what it read: the reader as workerd runs it (its byte streams' readAtLeast, or one
// arrayBuffer() for a body with a Content-Length), and whether the body came with a length.
import { readBody } from "../../host-shims/worker/body.mjs";

export default {
  async fetch(request) {
    const limit = Number(new URL(request.url).searchParams.get("limit"));
    const r = await readBody(request, limit);
    let sum = 0;
    for (const b of r.bytes) sum = (sum * 31 + b) >>> 0;
    const declared = request.headers.has("content-length");
    return Response.json({ length: r.bytes.length, sum, tooLarge: r.tooLarge ?? false, error: r.error ?? "", declared });
  },
};

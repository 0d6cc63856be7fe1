// A Worker that reads its request's body with host-shims/worker/body.mjs (the limit from ?limit=)
// and answers what it read: the reader as workerd runs it (its byte streams' readAtLeast).
import { readBody } from "../../host-shims/worker/body.mjs";

export default {
  async fetch(request) {
    const limit = Number(new URL(request.url).searchParams.get("limit"));
    const r = await readBody(request, limit);
    let sum = 0;
    for (const b of r.bytes) sum = (sum * 31 + b) >>> 0;
    return Response.json({ length: r.bytes.length, sum, tooLarge: r.tooLarge ?? false, error: r.error ?? "" });
  },
};

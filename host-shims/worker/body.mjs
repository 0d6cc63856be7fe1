// @ts-check
// Reads a request body with a cap, inflating gzip/deflate with DecompressionStream. Reading
// stops past the cap, so a small gzip bomb cannot fill memory.
export const MAX_BODY_BYTES = 500 * 1024; // Segment's batch limit; the core enforces the exact limits

export async function readBody(request, limit = MAX_BODY_BYTES) {
  if (!request.body) return { bytes: new Uint8Array(0) };
  const encoding = (request.headers.get("content-encoding") ?? "").trim().toLowerCase();
  let stream = request.body;
  if (encoding === "gzip" || encoding === "deflate") stream = stream.pipeThrough(new DecompressionStream(encoding));
  else if (encoding !== "" && encoding !== "identity") {
    await request.body.cancel().catch(() => {});
    return { bytes: new Uint8Array(0), error: `unsupported Content-Encoding: ${encoding}` };
  }
  const reader = stream.getReader();
  const chunks = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > limit) {
        await reader.cancel().catch(() => {});
        return { bytes: new Uint8Array(0), tooLarge: true };
      }
      chunks.push(value);
    }
  } catch {
    return { bytes: new Uint8Array(0), error: encoding ? `body is not valid ${encoding} data` : "body could not be read" };
  }
  if (chunks.length === 1) return { bytes: chunks[0] };
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.byteLength;
  }
  return { bytes };
}

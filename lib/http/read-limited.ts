// Reads a web-standard request body with a byte limit, stopping (and cancelling the stream) as soon as the limit
// is passed, so an oversized body is never buffered whole (Request.arrayBuffer() / text() would).

export class LimitExceededError extends Error {
  constructor(readonly limit: number) {
    super(`request body larger than the limit of ${limit} bytes`);
    this.name = "LimitExceededError";
  }
}

export async function readLimited(body: ReadableStream<Uint8Array> | null, limit: number): Promise<Buffer> {
  if (!body) return Buffer.alloc(0);
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw new LimitExceededError(limit);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, size);
}

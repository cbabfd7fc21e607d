// Request-body decompression as the Pushgateway (1.6+) does it before parsing a push (docs/compatibility.md: push bodies), and the
// response-encoding choice for scrapes (docs/compatibility.md: scrape).
//
// Content-Encoding is matched case-insensitively: `gzip` is gunzipped, `snappy` is read as the snappy *framing*
// format (the stream format of github.com/golang/snappy's Reader and snzip, not the raw block format); any other
// value leaves the body untouched. Failures throw BodyDecodeError whose message is the Go error text the
// Pushgateway answers with (status 400): "gzip: invalid header", "unexpected EOF" (truncated gzip), "EOF"
// (empty gzip body), "gzip: invalid checksum", "snappy: corrupt input", "snappy: unsupported input".
//
// Decompression stops at the body limit: a small body that inflates to gigabytes (a "zip bomb") costs no more
// than the limit in memory and CPU, and answers DecodedBodyTooLargeError (413) rather than a decode error.
import { gunzip as gunzipAsync, gunzipSync } from "node:zlib";
import * as snappy from "snappyjs";

export class BodyDecodeError extends Error {
  constructor(
    message: string,
    readonly encoding: "gzip" | "snappy",
  ) {
    super(message);
    this.name = "BodyDecodeError";
  }
}

/** The decompressed body would exceed the limit; decompression stopped there. */
export class DecodedBodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`decompressed request body larger than the limit of ${limit} bytes`);
    this.name = "DecodedBodyTooLargeError";
  }
}

// ---------------------------------------------------------------------------------------------------------
// gzip

function checkGzipHeader(body: Buffer): void {
  // Go: gzip.NewReader reads the header first; an empty body fails there with io.EOF.
  if (body.length === 0) throw new BodyDecodeError("EOF", "gzip");
  // Go reads the 10-byte header with io.ReadFull before looking at it: a shorter body is io.ErrUnexpectedEOF.
  if (body.length < 10) throw new BodyDecodeError("unexpected EOF", "gzip");
  if (body[0] !== 0x1f || body[1] !== 0x8b || body[2] !== 8) throw new BodyDecodeError("gzip: invalid header", "gzip");
}

function gzipError(e: unknown, maxOutput: number): Error {
  if ((e as { code?: string }).code === "ERR_BUFFER_TOO_LARGE") return new DecodedBodyTooLargeError(maxOutput);
  return new BodyDecodeError(goGzipMessage(e), "gzip");
}

/** zlib refuses maxOutputLength above its buffer limit; anything that large is effectively unbounded. */
const zlibMax = (maxOutput: number) => Math.min(maxOutput + 1, 2 ** 31 - 1);

function gunzip(body: Buffer, maxOutput: number): Buffer {
  checkGzipHeader(body);
  try {
    return gunzipSync(body, { maxOutputLength: zlibMax(maxOutput) });
  } catch (e) {
    throw gzipError(e, maxOutput);
  }
}

/** As gunzip, inflating on libuv's thread pool instead of the event loop. */
function gunzipOffThread(body: Buffer, maxOutput: number): Promise<Buffer> {
  checkGzipHeader(body);
  return new Promise((resolve, reject) =>
    gunzipAsync(body, { maxOutputLength: zlibMax(maxOutput) }, (err, out) => (err ? reject(gzipError(err, maxOutput)) : resolve(out))),
  );
}

/** Maps a zlib error onto the text Go's compress/gzip (and compress/flate) would give. */
function goGzipMessage(e: unknown): string {
  const code = (e as { code?: string }).code;
  const msg = e instanceof Error ? e.message : String(e);
  if (code === "Z_BUF_ERROR" || /unexpected end of file/i.test(msg)) return "unexpected EOF";
  if (/incorrect data check|incorrect length check/i.test(msg)) return "gzip: invalid checksum";
  if (/incorrect header check|unknown compression method|invalid header/i.test(msg)) return "gzip: invalid header";
  return "flate: corrupt input";
}

// ---------------------------------------------------------------------------------------------------------
// snappy framing format (https://github.com/google/snappy/blob/main/framing_format.txt)

const SNAPPY_CORRUPT = "snappy: corrupt input";
const SNAPPY_UNSUPPORTED = "snappy: unsupported input";
const MAX_BLOCK_SIZE = 65536;
/** golang/snappy MaxEncodedLen(65536): the largest compressed chunk payload a reader accepts. */
const MAX_ENCODED_LEN = 32 + MAX_BLOCK_SIZE + Math.floor(MAX_BLOCK_SIZE / 6);
const STREAM_IDENTIFIER = Buffer.from("sNaPpY", "latin1");

const CRC32C_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    t[i] = c >>> 0;
  }
  return t;
})();

/** CRC-32C (Castagnoli), as used by the snappy framing format. */
export function crc32c(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (let i = 0; i < data.length; i++) crc = CRC32C_TABLE[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** The framing format's masked checksum of uncompressed data. */
export function snappyMaskedChecksum(data: Uint8Array): number {
  const c = crc32c(data);
  return (((c >>> 15) | (c << 17)) + 0xa282ead8) >>> 0;
}

/**
 * Reads a snappy framing-format stream the way github.com/golang/snappy's Reader does, including its error
 * choices: a truncated chunk is "snappy: corrupt input" (its readFull turns io.ErrUnexpectedEOF into
 * ErrCorrupt); an over-long chunk or a reserved unskippable chunk type is "snappy: unsupported input".
 */
function unsnappyFramed(body: Buffer, maxOutput: number): Buffer {
  const reader = new SnappyFrameReader(body, maxOutput);
  while (!reader.step(Infinity));
  return reader.result();
}

/** As unsnappyFramed, yielding to the event loop after every 1 MiB of output. */
async function unsnappyFramedYielding(body: Buffer, maxOutput: number): Promise<Buffer> {
  const reader = new SnappyFrameReader(body, maxOutput);
  while (!reader.step(1 << 20)) await new Promise((r) => setImmediate(r));
  return reader.result();
}

class SnappyFrameReader {
  private readonly out: Buffer[] = [];
  private total = 0;
  private pos = 0;
  private sawHeader = false;

  constructor(
    private readonly body: Buffer,
    private readonly maxOutput: number,
  ) {}

  result(): Buffer {
    return this.out.length === 1 ? this.out[0]! : Buffer.concat(this.out);
  }

  private emit(data: Buffer): void {
    // Counted as each chunk decodes, so a stream of tiny chunks that expand 20x stops at the limit.
    this.total += data.length;
    if (this.total > this.maxOutput) throw new DecodedBodyTooLargeError(this.maxOutput);
    this.out.push(data);
  }

  /** Decodes chunks until about `budget` bytes were produced; true when the stream is done. */
  step(budget: number): boolean {
    const body = this.body;
    const corrupt = () => new BodyDecodeError(SNAPPY_CORRUPT, "snappy");
    const stopAt = this.total + budget;
    while (this.pos < body.length) {
      if (this.total >= stopAt) return false;
      let pos = this.pos;
      if (body.length - pos < 4) throw corrupt();
      const chunkType = body[pos]!;
      const chunkLen = body[pos + 1]! | (body[pos + 2]! << 8) | (body[pos + 3]! << 16);
      pos += 4;
      if (!this.sawHeader) {
        if (chunkType !== 0xff) throw corrupt();
        this.sawHeader = true;
      }
      if (chunkLen > MAX_ENCODED_LEN + 4) throw new BodyDecodeError(SNAPPY_UNSUPPORTED, "snappy");
      // 0x02-0x7f: reserved unskippable chunks (refused before their payload is read, as Go does).
      if (chunkType >= 0x02 && chunkType <= 0x7f) throw new BodyDecodeError(SNAPPY_UNSUPPORTED, "snappy");
      if (body.length - pos < chunkLen) throw corrupt();
      const chunk = body.subarray(pos, pos + chunkLen);
      this.pos = pos + chunkLen;

      if (chunkType === 0x00) {
        // Compressed data: 4-byte masked CRC of the uncompressed data, then a snappy block of at most 64 KiB.
        if (chunkLen < 4) throw corrupt();
        let data: Uint8Array;
        try {
          data = snappy.uncompress(chunk.subarray(4), MAX_BLOCK_SIZE);
        } catch {
          throw corrupt();
        }
        if (snappyMaskedChecksum(data) !== chunk.readUInt32LE(0)) throw corrupt();
        this.emit(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
      } else if (chunkType === 0x01) {
        // Uncompressed data: 4-byte masked CRC, then at most 64 KiB as they are.
        if (chunkLen < 4 || chunkLen - 4 > MAX_BLOCK_SIZE) throw corrupt();
        const data = chunk.subarray(4);
        if (snappyMaskedChecksum(data) !== chunk.readUInt32LE(0)) throw corrupt();
        this.emit(data);
      } else if (chunkType === 0xff) {
        // Stream identifier; may be repeated (concatenated streams).
        if (chunkLen !== STREAM_IDENTIFIER.length || !chunk.equals(STREAM_IDENTIFIER)) throw corrupt();
      }
      // 0x80-0xfe: reserved skippable chunks and padding, skipped.
    }
    return true;
  }
}

// ---------------------------------------------------------------------------------------------------------

/**
 * Decodes a push body according to its Content-Encoding header value. Returns the body itself for identity or
 * unknown encodings. Throws BodyDecodeError (message = the Go error text) for a broken gzip/snappy body.
 */
export function decodeRequestBody(body: Buffer, contentEncoding: string | undefined, maxOutput = Infinity): Buffer {
  switch ((contentEncoding ?? "").trim().toLowerCase()) {
    case "gzip":
      return gunzip(body, maxOutput);
    case "snappy":
      return unsnappyFramed(body, maxOutput);
    default:
      return body;
  }
}

/**
 * decodeRequestBody for the server: gzip inflates off the event loop, snappy yields between megabytes, and both
 * stop with DecodedBodyTooLargeError once the output would pass maxOutput bytes.
 */
export async function decodeRequestBodyAsync(body: Buffer, contentEncoding: string | undefined, maxOutput: number): Promise<Buffer> {
  switch ((contentEncoding ?? "").trim().toLowerCase()) {
    case "gzip":
      return gunzipOffThread(body, maxOutput);
    case "snappy":
      return unsnappyFramedYielding(body, maxOutput);
    default:
      return body;
  }
}

/**
 * Chooses the scrape response encoding from Accept-Encoding the way newest promhttp does (Go's
 * httputil.NegotiateContentEncoding with the offers identity, gzip; zstd is not compiled in): the first offer
 * matched with the strictly highest q wins, `*` matches either offer (and so picks identity, which is offered
 * first), codings compare case-sensitively. Where Go ends with q=0 for everything (an error in promhttp),
 * identity is returned.
 */
export function negotiateResponseEncoding(acceptEncoding: string | string[] | undefined): "gzip" | "identity" {
  if (acceptEncoding === undefined) return "identity";
  const header = Array.isArray(acceptEncoding) ? acceptEncoding.join(",") : acceptEncoding;
  const specs: { value: string; q: number }[] = [];
  for (const part of header.split(",")) {
    const [valueRaw, ...params] = part.split(";");
    const value = (valueRaw ?? "").trim();
    if (value === "") continue;
    let q = 1;
    let ok = true;
    for (const p of params) {
      const m = /^\s*q\s*=\s*(.*?)\s*$/.exec(p);
      if (!m) continue;
      q = /^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/.test(m[1]!) ? Number(m[1]) : NaN;
      if (Number.isNaN(q)) ok = false;
    }
    if (ok) specs.push({ value, q });
  }
  let best: "gzip" | "identity" = "identity";
  let bestQ = -1;
  for (const offer of ["identity", "gzip"] as const) {
    for (const spec of specs) {
      if (spec.q > bestQ && (spec.value === "*" || spec.value === offer)) {
        bestQ = spec.q;
        best = offer;
      }
    }
  }
  return bestQ === 0 ? "identity" : best;
}

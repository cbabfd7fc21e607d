// Request-body decompression as the Pushgateway (1.6+) does it before parsing a push (reference §4.2), and the
// response-encoding choice for scrapes (§7.5).
//
// Content-Encoding is matched case-insensitively: `gzip` is gunzipped, `snappy` is read as the snappy *framing*
// format (the stream format of github.com/golang/snappy's Reader and snzip, not the raw block format); any other
// value leaves the body untouched. Failures throw BodyDecodeError whose message is the Go error text the
// Pushgateway answers with (status 400): "gzip: invalid header", "unexpected EOF" (truncated gzip), "EOF"
// (empty gzip body), "gzip: invalid checksum", "snappy: corrupt input", "snappy: unsupported input".
import { gunzipSync } from "node:zlib";
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

// ---------------------------------------------------------------------------------------------------------
// gzip

function gunzip(body: Buffer): Buffer {
  // Go: gzip.NewReader reads the header first; an empty body fails there with io.EOF.
  if (body.length === 0) throw new BodyDecodeError("EOF", "gzip");
  // Go reads the 10-byte header with io.ReadFull before looking at it: a shorter body is io.ErrUnexpectedEOF.
  if (body.length < 10) throw new BodyDecodeError("unexpected EOF", "gzip");
  if (body[0] !== 0x1f || body[1] !== 0x8b || body[2] !== 8) throw new BodyDecodeError("gzip: invalid header", "gzip");
  try {
    return gunzipSync(body);
  } catch (e) {
    throw new BodyDecodeError(goGzipMessage(e), "gzip");
  }
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
function unsnappyFramed(body: Buffer): Buffer {
  const corrupt = () => new BodyDecodeError(SNAPPY_CORRUPT, "snappy");
  const out: Buffer[] = [];
  let pos = 0;
  let sawHeader = false;
  while (pos < body.length) {
    if (body.length - pos < 4) throw corrupt();
    const chunkType = body[pos]!;
    const chunkLen = body[pos + 1]! | (body[pos + 2]! << 8) | (body[pos + 3]! << 16);
    pos += 4;
    if (!sawHeader) {
      if (chunkType !== 0xff) throw corrupt();
      sawHeader = true;
    }
    if (chunkLen > MAX_ENCODED_LEN + 4) throw new BodyDecodeError(SNAPPY_UNSUPPORTED, "snappy");
    const take = (): Buffer => {
      if (body.length - pos < chunkLen) throw corrupt();
      const chunk = body.subarray(pos, pos + chunkLen);
      pos += chunkLen;
      return chunk;
    };

    if (chunkType === 0x00) {
      // Compressed data: 4-byte masked CRC of the uncompressed data, then a snappy block of at most 64 KiB.
      if (chunkLen < 4) throw corrupt();
      const chunk = take();
      let data: Uint8Array;
      try {
        data = snappy.uncompress(chunk.subarray(4), MAX_BLOCK_SIZE);
      } catch {
        throw corrupt();
      }
      if (snappyMaskedChecksum(data) !== chunk.readUInt32LE(0)) throw corrupt();
      out.push(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    } else if (chunkType === 0x01) {
      // Uncompressed data: 4-byte masked CRC, then at most 64 KiB as they are.
      if (chunkLen < 4 || chunkLen - 4 > MAX_BLOCK_SIZE) throw corrupt();
      const chunk = take();
      const data = chunk.subarray(4);
      if (snappyMaskedChecksum(data) !== chunk.readUInt32LE(0)) throw corrupt();
      out.push(data);
    } else if (chunkType === 0xff) {
      // Stream identifier; may be repeated (concatenated streams).
      if (chunkLen !== STREAM_IDENTIFIER.length || !take().equals(STREAM_IDENTIFIER)) throw corrupt();
    } else if (chunkType <= 0x7f) {
      // 0x02-0x7f: reserved unskippable chunks.
      throw new BodyDecodeError(SNAPPY_UNSUPPORTED, "snappy");
    } else {
      // 0x80-0xfe: reserved skippable chunks and padding.
      take();
    }
  }
  return out.length === 1 ? out[0]! : Buffer.concat(out);
}

// ---------------------------------------------------------------------------------------------------------

/**
 * Decodes a push body according to its Content-Encoding header value. Returns the body itself for identity or
 * unknown encodings. Throws BodyDecodeError (message = the Go error text) for a broken gzip/snappy body.
 */
export function decodeRequestBody(body: Buffer, contentEncoding: string | undefined): Buffer {
  switch ((contentEncoding ?? "").trim().toLowerCase()) {
    case "gzip":
      return gunzip(body);
    case "snappy":
      return unsnappyFramed(body);
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

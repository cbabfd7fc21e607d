import { readFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import * as snappyjs from "snappyjs";
import { describe, expect, it } from "vitest";
import { BodyDecodeError, crc32c, decodeRequestBody, negotiateResponseEncoding, snappyMaskedChecksum } from "../../../lib/http/content-encoding";

const fixtures = path.join(__dirname, "../../fixtures/snappy");
const fixture = (name: string) => readFileSync(path.join(fixtures, name));

const TEXT = Buffer.from('# TYPE some_metric gauge\nsome_metric{label="val1"} 42\n');

function decodeError(body: Buffer, encoding: string): BodyDecodeError {
  try {
    decodeRequestBody(body, encoding);
  } catch (e) {
    expect(e).toBeInstanceOf(BodyDecodeError);
    return e as BodyDecodeError;
  }
  throw new Error("expected a BodyDecodeError");
}

// ---- snappy frame construction by hand (stream identifier + chunks) ------------------------------------

function chunk(type: number, payload: Uint8Array): Buffer {
  const header = Buffer.alloc(4);
  header[0] = type;
  header.writeUIntLE(payload.length, 1, 3);
  return Buffer.concat([header, payload]);
}
const STREAM_ID = chunk(0xff, Buffer.from("sNaPpY"));
function checksum(data: Uint8Array): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(snappyMaskedChecksum(data));
  return b;
}
const compressedChunk = (data: Buffer) => chunk(0x00, Buffer.concat([checksum(data), Buffer.from(snappyjs.compress(data))]));
const uncompressedChunk = (data: Buffer) => chunk(0x01, Buffer.concat([checksum(data), data]));

describe("decodeRequestBody: identity and unknown encodings", () => {
  it("returns the body unchanged without or with an unknown Content-Encoding", () => {
    for (const enc of [undefined, "", "identity", "deflate", "br", "x-whatever"]) {
      expect(decodeRequestBody(TEXT, enc)).toBe(TEXT);
    }
  });
});

describe("decodeRequestBody: gzip", () => {
  it("gunzips, matching the header value case-insensitively", () => {
    for (const enc of ["gzip", "GZIP", "GZip", " gzip "]) {
      expect(decodeRequestBody(gzipSync(TEXT), enc).equals(TEXT)).toBe(true);
    }
  });

  it("handles multi-member gzip streams", () => {
    const body = Buffer.concat([gzipSync(TEXT), gzipSync(TEXT)]);
    expect(decodeRequestBody(body, "gzip").toString()).toBe(TEXT.toString() + TEXT.toString());
  });

  it("gives Go's 'gzip: invalid header' for a body that is not gzip", () => {
    expect(decodeError(TEXT, "gzip").message).toBe("gzip: invalid header");
    expect(decodeError(Buffer.concat([gzipSync(TEXT), Buffer.from("trailing garbage")]), "gzip").message).toBe("gzip: invalid header");
  });

  it("gives 'unexpected EOF' for a truncated body, 'EOF' for an empty one", () => {
    const gz = gzipSync(TEXT);
    expect(decodeError(gz.subarray(0, gz.length - 5), "gzip").message).toBe("unexpected EOF");
    expect(decodeError(gz.subarray(0, 20), "gzip").message).toBe("unexpected EOF");
    expect(decodeError(gz.subarray(0, 4), "gzip").message).toBe("unexpected EOF");
    expect(decodeError(Buffer.alloc(0), "gzip").message).toBe("EOF");
  });

  it("gives 'gzip: invalid checksum' for a CRC mismatch", () => {
    const gz = Buffer.from(gzipSync(TEXT));
    gz[gz.length - 6]! ^= 0x01;
    expect(decodeError(gz, "gzip").message).toBe("gzip: invalid checksum");
  });

  it("tags the error with the encoding", () => {
    expect(decodeError(TEXT, "gzip").encoding).toBe("gzip");
  });
});

describe("crc32c", () => {
  it("matches the CRC-32C check value and RFC 3720 vectors", () => {
    expect(crc32c(Buffer.from("123456789"))).toBe(0xe3069283);
    expect(crc32c(Buffer.alloc(32, 0))).toBe(0x8a9136aa);
    expect(crc32c(Buffer.alloc(32, 0xff))).toBe(0x62a8ab43);
    expect(crc32c(new Uint8Array())).toBe(0);
  });
});

describe("decodeRequestBody: snappy framing format", () => {
  it("decodes a fixture produced by python-snappy (compressed chunks spanning two blocks)", () => {
    const out = decodeRequestBody(fixture("metrics.txt.sz"), "snappy");
    expect(out.equals(fixture("metrics.txt"))).toBe(true);
  });

  it("decodes a python-snappy fixture with an uncompressed chunk", () => {
    expect(decodeRequestBody(fixture("noise.bin.sz"), "SNAPPY").equals(fixture("noise.bin"))).toBe(true);
  });

  it("decodes hand-built frames: compressed, uncompressed, skippable and repeated stream identifiers", () => {
    const a = Buffer.from("first part\n");
    const b = Buffer.from("second part\n");
    const body = Buffer.concat([
      STREAM_ID,
      compressedChunk(a),
      chunk(0xfe, Buffer.alloc(3)), // padding
      chunk(0x80, Buffer.from("skip me")), // reserved skippable
      STREAM_ID,
      uncompressedChunk(b),
      compressedChunk(Buffer.alloc(0)),
    ]);
    expect(decodeRequestBody(body, "snappy").toString()).toBe("first part\nsecond part\n");
  });

  it("gives an empty body for an empty stream and for a lone stream identifier", () => {
    expect(decodeRequestBody(Buffer.alloc(0), "snappy").length).toBe(0);
    expect(decodeRequestBody(STREAM_ID, "snappy").length).toBe(0);
  });

  it("rejects a raw snappy block (not framed) as corrupt", () => {
    const raw = Buffer.from(snappyjs.compress(TEXT));
    expect(decodeError(raw, "snappy").message).toBe("snappy: corrupt input");
  });

  it("rejects a stream without the stream identifier first", () => {
    expect(decodeError(compressedChunk(TEXT), "snappy").message).toBe("snappy: corrupt input");
  });

  it("rejects a bad checksum", () => {
    const c = compressedChunk(TEXT);
    c[4]! ^= 0xff;
    expect(decodeError(Buffer.concat([STREAM_ID, c]), "snappy").message).toBe("snappy: corrupt input");
    const u = uncompressedChunk(TEXT);
    u[u.length - 1]! ^= 0x01;
    expect(decodeError(Buffer.concat([STREAM_ID, u]), "snappy").message).toBe("snappy: corrupt input");
  });

  it("rejects corrupt compressed data, a bad identifier and short chunks", () => {
    const garbage = Buffer.concat([checksum(TEXT), Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f, 0x01])]);
    expect(decodeError(Buffer.concat([STREAM_ID, chunk(0x00, garbage)]), "snappy").message).toBe("snappy: corrupt input");
    expect(decodeError(chunk(0xff, Buffer.from("sNaPpX")), "snappy").message).toBe("snappy: corrupt input");
    expect(decodeError(Buffer.concat([STREAM_ID, chunk(0x01, Buffer.alloc(2))]), "snappy").message).toBe("snappy: corrupt input");
  });

  it("rejects blocks larger than 64 KiB", () => {
    const big = Buffer.alloc(65537, 0x61);
    expect(decodeError(Buffer.concat([STREAM_ID, compressedChunk(big)]), "snappy").message).toBe("snappy: corrupt input");
    expect(decodeError(Buffer.concat([STREAM_ID, uncompressedChunk(big)]), "snappy").message).toBe("snappy: corrupt input");
  });

  it("rejects reserved unskippable chunk types as unsupported", () => {
    expect(decodeError(Buffer.concat([STREAM_ID, chunk(0x02, Buffer.alloc(1))]), "snappy").message).toBe("snappy: unsupported input");
  });

  it("reports a truncated stream as corrupt, like golang/snappy (its readFull maps unexpected EOF to ErrCorrupt)", () => {
    const full = fixture("metrics.txt.sz");
    expect(decodeError(full.subarray(0, full.length - 10), "snappy").message).toBe("snappy: corrupt input");
    expect(decodeError(full.subarray(0, 12), "snappy").message).toBe("snappy: corrupt input");
    expect(decodeError(Buffer.concat([STREAM_ID, Buffer.from([0x00, 0x10])]), "snappy").message).toBe("snappy: corrupt input");
  });

  it("rejects a chunk longer than golang/snappy's buffer as unsupported", () => {
    const header = Buffer.from([0x80, 0xff, 0xff, 0x01]); // 0x01ffff bytes
    expect(decodeError(Buffer.concat([STREAM_ID, header]), "snappy").message).toBe("snappy: unsupported input");
  });
});

describe("negotiateResponseEncoding (promhttp / httputil.NegotiateContentEncoding semantics)", () => {
  it("picks gzip when gzip has the highest q", () => {
    for (const h of ["gzip", "deflate, gzip", "gzip;q=0.5", "br;q=1.0, gzip;q=0.8, *;q=0.1", "identity;q=0.5, gzip", ["deflate", "gzip"]]) {
      expect(negotiateResponseEncoding(h)).toBe("gzip");
    }
  });

  it("falls back to identity", () => {
    for (const h of [
      undefined,
      "",
      "identity",
      "deflate, br",
      "gzip;q=0",
      "gzip;q=0.0, identity",
      "*", // matches identity first, which Go offers first
      "*;q=0",
      "gzip;q=0.5, identity",
      "gzip;q=0.5, *",
      "GZIP", // Go compares codings case-sensitively
      "x-gzip",
      "gzip;q=2", // invalid q: the spec is ignored
    ]) {
      expect(negotiateResponseEncoding(h)).toBe("identity");
    }
  });
});

// The protobuf wire format as Go's runtime reads it (varints, tags, length-delimited fields), for parse-protobuf.ts:
// truncation, wire types 6/7, field number 0, stray end-groups and over-long varints are ProtobufDecodeErrors.
/** A malformed delimited protobuf body. `message` is the reason, suitable as the text of a 400 response. */
export class ProtobufDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ProtobufDecodeError";
  }
}

export const UNEXPECTED_EOF = "unexpected EOF";

const TWO_32 = 4294967296;

export class WireReader {
  pos: number;
  private view: DataView | undefined;

  constructor(
    readonly buf: Uint8Array,
    start: number,
    readonly end: number,
  ) {
    this.pos = start;
  }

  /** A varint as [low 32 bits, high 32 bits], both unsigned. Go's protowire rules: at most 10 bytes. */
  varint(): [number, number] {
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new ProtobufDecodeError(UNEXPECTED_EOF);
      const b = this.buf[this.pos++]!;
      if (i < 4) lo |= (b & 0x7f) << (i * 7);
      else if (i === 4) {
        lo |= (b & 0x0f) << 28;
        hi |= (b & 0x7f) >>> 4;
      } else {
        if (i === 9 && b > 1) throw new ProtobufDecodeError("proto: integer overflow");
        hi |= (b & 0x7f) << (i * 7 - 32);
      }
      if (b < 0x80) return [lo >>> 0, hi >>> 0];
    }
    throw new ProtobufDecodeError("proto: integer overflow");
  }

  fixed64Double(): number {
    if (this.end - this.pos < 8) throw new ProtobufDecodeError(UNEXPECTED_EOF);
    this.view ??= new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  skipBytes(n: number): void {
    if (this.end - this.pos < n) throw new ProtobufDecodeError(UNEXPECTED_EOF);
    this.pos += n;
  }

  /** Length of a length-delimited field; checks that the bytes are there. */
  length(): number {
    const [lo, hi] = this.varint();
    const n = hi * TWO_32 + lo;
    if (n > this.end - this.pos) throw new ProtobufDecodeError(UNEXPECTED_EOF);
    return n;
  }

  /** Skips one field value of the given wire type (the tag has been read). */
  skip(fieldNumber: number, wireType: number, typeName: string): void {
    switch (wireType) {
      case 0:
        this.varint();
        return;
      case 1:
        this.skipBytes(8);
        return;
      case 2: {
        const n = this.length(); // (not `this.pos += this.length()`: that would add to the pre-call pos)
        this.pos += n;
        return;
      }
      case 5:
        this.skipBytes(4);
        return;
      case 3: {
        // A group: fields until the matching end-group tag.
        for (;;) {
          if (this.pos >= this.end) throw new ProtobufDecodeError(UNEXPECTED_EOF);
          const [num, wt] = this.tag(typeName);
          if (wt === 4) {
            if (num !== fieldNumber) throw new ProtobufDecodeError("proto: mismatching end group marker");
            return;
          }
          this.skip(num, wt, typeName);
        }
      }
      case 4:
        throw new ProtobufDecodeError("proto: unexpected end group");
      default:
        throw new ProtobufDecodeError(`proto: can't skip unknown wire type ${wireType}`);
    }
  }

  tag(typeName: string): [number, number] {
    const [lo, hi] = this.varint();
    const wireType = lo & 7;
    const fieldNumber = hi * (TWO_32 / 8) + (lo >>> 3);
    if (fieldNumber < 1 || fieldNumber > 0x1fffffff) {
      throw new ProtobufDecodeError(`proto: ${typeName}: illegal tag ${fieldNumber} (wire type ${wireType})`);
    }
    return [fieldNumber, wireType];
  }
}

// Conversions of a varint's two halves into JS numbers (precision is lost beyond 2^53, as with any JS number).
export const asUint64 = (lo: number, hi: number): number => hi * TWO_32 + lo;
export const asInt64 = (lo: number, hi: number): number => (hi | 0) * TWO_32 + lo;
export function asSint64(lo: number, hi: number): number {
  const neg = lo & 1;
  let l = ((lo >>> 1) | (hi << 31)) >>> 0;
  let h = hi >>> 1;
  if (neg) {
    l = ~l >>> 0;
    h = ~h >>> 0;
  }
  return asInt64(l, h);
}
export const asSint32 = (lo: number): number => (lo >>> 1) ^ -(lo & 1);

// Hand-built protobuf wire bytes, independent of the decoder under test: varints and field keys.

/** Unsigned LEB128 varint; negative numbers are encoded as their 64-bit two's complement, as protobuf does. */
export function varint(n: number | bigint): number[] {
  let v = BigInt.asUintN(64, BigInt(n));
  const out: number[] = [];
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) b |= 0x80;
    out.push(b);
  } while (v > 0n);
  return out;
}

/** A field key: field number and wire type. */
export const fieldKey = (field: number, wireType: number): number[] => varint(field * 8 + wireType);

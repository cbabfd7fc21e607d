// The Pushgateway's @base64 rule (docs/compatibility.md: grouping key): base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "=")).
// Go's decoder is reproduced step by step so that error positions and partial results match.

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const DECODE = new Int16Array(256).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i;

export interface Base64Result {
  /** Decoded bytes; on error, the bytes decoded before the failing quantum (as Go returns them). */
  bytes: Buffer;
  /** Go's error text, e.g. "illegal base64 data at input byte 3". */
  error?: string;
}

/** Decodes a binary string (one char per byte) with Go's RawURLEncoding after trimming trailing '='. */
export function decodeBase64Url(input: string): Base64Result {
  let end = input.length;
  while (end > 0 && input.charCodeAt(end - 1) === 61 /* = */) end--;
  const out: number[] = [];
  let si = 0;
  for (;;) {
    const quantum: number[] = [];
    let j = 0;
    for (; j < 4; j++) {
      if (si === end) break;
      const c = input.charCodeAt(si);
      si++;
      const v = c < 256 ? DECODE[c]! : -1;
      if (v >= 0) {
        quantum.push(v);
        continue;
      }
      if (c === 10 || c === 13) {
        j--;
        continue;
      }
      return { bytes: Buffer.from(out), error: `illegal base64 data at input byte ${si - 1}` };
    }
    if (j === 0) break;
    if (j === 1) return { bytes: Buffer.from(out), error: `illegal base64 data at input byte ${si - 1}` };
    const [a = 0, b = 0, c = 0, d = 0] = quantum;
    const n = (a << 18) | (b << 12) | (c << 6) | d;
    out.push((n >> 16) & 0xff);
    if (j >= 3) out.push((n >> 8) & 0xff);
    if (j === 4) out.push(n & 0xff);
    if (j < 4) break;
  }
  return { bytes: Buffer.from(out) };
}

/** URL-safe base64 with '=' padding, as the Pushgateway's UI builds delete URLs (padding makes "" encode as "="). */
export function encodeBase64Url(value: string): string {
  const b = Buffer.from(value, "utf8").toString("base64").replace(/\+/g, "-").replace(/\//g, "_");
  return b === "" ? "=" : b;
}

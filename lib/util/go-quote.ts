// Go's strconv.Quote (the %q verb), so that error texts quote user input exactly as the Pushgateway does.
import { isUtf8 } from "node:buffer";

const SIMPLE_ESCAPES: Record<number, string> = { 7: "\\a", 8: "\\b", 12: "\\f", 10: "\\n", 13: "\\r", 9: "\\t", 11: "\\v", 34: '\\"', 92: "\\\\" };

function isGoPrintable(cp: number): boolean {
  if (cp < 0x20 || cp === 0x7f) return false;
  if (cp < 0x7f) return true;
  return /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u.test(String.fromCodePoint(cp));
}

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, "0");
}

/**
 * Quotes bytes (a binary string, one char per byte, or a Uint8Array) the way Go quotes a string: valid UTF-8
 * is kept when printable, everything else is escaped; invalid bytes become \xNN.
 */
export function goQuoteBytes(bytes: Uint8Array): string {
  let out = '"';
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let i = 0;
  while (i < text.length) {
    const b = text[i]!;
    if (b < 0x80) {
      out += SIMPLE_ESCAPES[b] ?? (isGoPrintable(b) ? String.fromCharCode(b) : `\\x${hex(b, 2)}`);
      i++;
      continue;
    }
    const len = b >= 0xf0 && b < 0xf8 ? 4 : b >= 0xe0 ? 3 : b >= 0xc2 && b < 0xe0 ? 2 : 0;
    const chunk = len ? text.subarray(i, i + len) : undefined;
    const valid = chunk !== undefined && chunk.length === len && isUtf8(chunk);
    const decoded = valid ? chunk.toString("utf8") : "";
    const cp = decoded.codePointAt(0);
    if (valid && cp !== undefined) {
      out += isGoPrintable(cp) ? decoded : cp < 0x10000 ? `\\u${hex(cp, 4)}` : `\\U${hex(cp, 8)}`;
      i += len;
    } else {
      out += `\\x${hex(b, 2)}`;
      i++;
    }
  }
  return out + '"';
}

/** %q of a Go string holding UTF-8 text. */
export function goQuote(s: string): string {
  return goQuoteBytes(Buffer.from(s, "utf8"));
}

/** %q of a Go byte (a quoted character literal, e.g. 'x' or '\n'). */
export function goQuoteByte(b: number): string {
  if (b === 39) return "'\\''";
  if (b === 34) return "'\"'";
  const simple = SIMPLE_ESCAPES[b];
  if (simple) return `'${simple}'`;
  if (b < 0x80) return isGoPrintable(b) ? `'${String.fromCharCode(b)}'` : `'\\x${hex(b, 2)}'`;
  // A byte >= 0x80 is the rune U+0080..U+00FF for %q.
  return isGoPrintable(b) ? `'${String.fromCharCode(b)}'` : `'\\u${hex(b, 4)}'`;
}

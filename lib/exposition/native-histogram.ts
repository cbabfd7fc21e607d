// Native (sparse) histograms: expanding spans and deltas into buckets, and bucket boundaries exactly as
// Prometheus computes them (getBound: a correctly rounded fraction scaled by a power of two).
import type { BucketSpan, Histogram } from "./model";

/** Expands spans plus delta-encoded (integer) or absolute (float) counts into per-index counts. */
export function expandSpans(spans: BucketSpan[] | undefined, deltas: number[] | undefined, counts: number[] | undefined): { index: number; count: number }[] {
  const out: { index: number; count: number }[] = [];
  if (!spans) return out;
  const useFloat = (counts?.length ?? 0) > 0;
  let index = 0;
  let pos = 0;
  let running = 0;
  for (const span of spans) {
    index += span.offset;
    for (let j = 0; j < span.length; j++, pos++, index++) {
      let count: number;
      if (useFloat) count = counts![pos] ?? 0;
      else {
        running += deltas?.[pos] ?? 0;
        count = running;
      }
      out.push({ index, count });
    }
  }
  return out;
}

const fractions = new Map<number, number[]>();

/**
 * The correctly rounded 2^(k/2^schema)/2 for k in [0, 2^schema): Prometheus' exponentialBounds table. Math.pow is
 * not guaranteed to round correctly, so the nearest double is settled with exact integer arithmetic.
 */
function fractionTable(schema: number): number[] {
  let table = fractions.get(schema);
  if (table) return table;
  const n = 1 << schema;
  table = [];
  for (let k = 0; k < n; k++) {
    // t = 2^(k/n) in [1, 2) as M / 2^52; move M until t lies between the midpoints around it.
    let m = BigInt(Math.round(Math.pow(2, k / n) * 2 ** 52));
    const target = 1n << BigInt(k + 53 * n); // t^n scaled by (2^53)^n
    const N = BigInt(n);
    while ((2n * m + 1n) ** N < target) m++;
    while ((2n * m - 1n) ** N > target) m--;
    table.push(Number(m) / 2 ** 53);
  }
  fractions.set(schema, table);
  return table;
}

/** Upper bound of native bucket `index` at `schema` (Prometheus' getBound). */
export function nativeBucketBound(schema: number, index: number): number {
  if (schema < 0) {
    let exp = index * 2 ** -schema;
    if (exp === 1024) exp--;
    return 2 ** exp;
  }
  const frac = fractionTable(schema)[index & ((1 << schema) - 1)]!;
  let exp = Math.floor(index / 2 ** schema) + 1;
  if (frac === 0.5 && exp === 1025) exp--;
  return frac * 2 ** exp;
}

export interface NativeBucket {
  /** Prometheus boundary rule: 0 (lower, upper], 1 [lower, upper), 3 [lower, upper] (the zero bucket). */
  rule: 0 | 1 | 3;
  lower: number;
  upper: number;
  count: number;
}

/** All buckets from the most negative to the most positive, zero bucket included when it has a width or count. */
export function nativeBuckets(h: Histogram): NativeBucket[] {
  const schema = h.schema ?? 0;
  const out: NativeBucket[] = [];
  const neg = expandSpans(h.negativeSpan, h.negativeDelta, h.negativeCount);
  for (let i = neg.length - 1; i >= 0; i--) {
    const b = neg[i]!;
    out.push({ rule: 1, lower: -nativeBucketBound(schema, b.index), upper: -nativeBucketBound(schema, b.index - 1), count: b.count });
  }
  const zt = h.zeroThreshold ?? 0;
  const zc = h.zeroCountFloat ?? h.zeroCount ?? 0;
  if (zt > 0 || zc > 0) out.push({ rule: 3, lower: -zt, upper: zt, count: zc });
  for (const b of expandSpans(h.positiveSpan, h.positiveDelta, h.positiveCount)) {
    out.push({ rule: 0, lower: nativeBucketBound(schema, b.index - 1), upper: nativeBucketBound(schema, b.index), count: b.count });
  }
  return out;
}

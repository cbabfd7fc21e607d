// A minimal encoder for delimited io.prometheus.client.MetricFamily streams (the Pushgateway's protobuf push format),
// so the suite can build protobuf bodies without depending on pushboard's own code.
import { fieldKey, varint } from "../helpers/proto-wire";

export const PROTO_CONTENT_TYPE = "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited";

const key = fieldKey;
function bytesField(field: number, b: number[] | Buffer): number[] {
  return [...key(field, 2), ...varint(b.length), ...b];
}
const str = (field: number, s: string) => bytesField(field, Buffer.from(s, "utf8"));
function dbl(field: number, v: number): number[] {
  const b = Buffer.alloc(8);
  b.writeDoubleLE(v);
  return [...key(field, 1), ...b];
}
const uint = (field: number, v: number) => [...key(field, 0), ...varint(v)];

export type PbType = "COUNTER" | "GAUGE" | "SUMMARY" | "UNTYPED" | "HISTOGRAM";
const TYPES: Record<PbType, number> = { COUNTER: 0, GAUGE: 1, SUMMARY: 2, UNTYPED: 3, HISTOGRAM: 4 };

export interface PbMetric {
  labels?: Record<string, string>;
  value?: number;
  timestampMs?: number;
  summary?: { count: number; sum: number; quantiles: [number, number][] };
  histogram?: { count: number; sum: number; buckets: [number, number][] };
}
export interface PbFamily {
  name: string;
  help?: string;
  type: PbType;
  metrics: PbMetric[];
}

function metric(m: PbMetric, type: PbType): number[] {
  const out: number[] = [];
  for (const [k, v] of Object.entries(m.labels ?? {})) out.push(...bytesField(1, [...str(1, k), ...str(2, v)]));
  if (type === "GAUGE") out.push(...bytesField(2, dbl(1, m.value ?? 0)));
  if (type === "COUNTER") out.push(...bytesField(3, dbl(1, m.value ?? 0)));
  if (type === "UNTYPED") out.push(...bytesField(5, dbl(1, m.value ?? 0)));
  if (type === "SUMMARY" && m.summary) {
    const s = m.summary;
    out.push(...bytesField(4, [...uint(1, s.count), ...dbl(2, s.sum), ...s.quantiles.flatMap(([q, v]) => bytesField(3, [...dbl(1, q), ...dbl(2, v)]))]));
  }
  if (type === "HISTOGRAM" && m.histogram) {
    const h = m.histogram;
    out.push(...bytesField(7, [...uint(1, h.count), ...dbl(2, h.sum), ...h.buckets.flatMap(([ub, c]) => bytesField(3, [...uint(1, c), ...dbl(2, ub)]))]));
  }
  if (m.timestampMs !== undefined) out.push(...key(6, 0), ...varint(m.timestampMs));
  return out;
}

export function encodeFamily(f: PbFamily): number[] {
  const out = [...str(1, f.name)];
  if (f.help !== undefined) out.push(...str(2, f.help));
  out.push(...uint(3, TYPES[f.type]));
  for (const m of f.metrics) out.push(...bytesField(4, metric(m, f.type)));
  return out;
}

/** Varint-length-delimited stream of families. */
export function delimited(...fams: PbFamily[]): Uint8Array {
  const out: number[] = [];
  for (const f of fams) {
    const b = encodeFamily(f);
    out.push(...varint(b.length), ...b);
  }
  return Uint8Array.from(out);
}

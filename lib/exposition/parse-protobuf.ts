// Decoding of delimited protobuf io.prometheus.client.MetricFamily streams (docs/compatibility.md: push bodies).
// The encoder is render-protobuf.ts.
//
// Decoding walks the protobufjs reflection types of metrics-schema.ts with a small wire reader of its own, so
// that malformed input is judged the way Go's protobuf runtime judges it (protobufjs' generated decoders are
// laxer: they read a known field whatever its wire type):
//   - a known field that arrives with an unexpected wire type is skipped like an unknown field;
//   - proto2 enums are closed: an out-of-range MetricType is dropped, so the family type reads as COUNTER,
//     which is what Go's GetType() returns for an unset type;
//   - a singular message field that occurs twice is merged, scalars are last-wins, repeated fields append;
//   - truncation, wire types 6/7, field number 0, stray end-groups and over-long varints are errors.
import protobuf from "protobufjs";
import { MetricFamilyType } from "./metrics-schema";
import { asInt64, asSint32, asSint64, asUint64, ProtobufDecodeError, UNEXPECTED_EOF, WireReader } from "./protobuf-wire";
export { ProtobufDecodeError } from "./protobuf-wire";
import type { Bucket, BucketSpan, Exemplar, Histogram, LabelPair, Metric, MetricFamily, MetricType, SimpleValue, Summary } from "./model";
import { METRIC_TYPES } from "./model";

const TYPE_BY_NUMBER: readonly MetricType[] = METRIC_TYPES;

// ---------------------------------------------------------------------------------------------------------
// Reflective decoding into plain objects keyed by protobufjs' camelCase field names

type Raw = Record<string, unknown>;

interface FieldPlan {
  name: string;
  repeated: boolean;
  /** For messages: the nested plan. */
  message?: TypePlan;
  /** For enums: the defined numbers (proto2 enums are closed). */
  enumValues?: Set<number>;
  scalar?: string;
  wireType: number;
  packable: boolean;
}

interface TypePlan {
  fullName: string;
  fields: Map<number, FieldPlan>;
}

const WIRE_TYPE: Record<string, number> = {
  double: 1,
  float: 5,
  int32: 0,
  uint32: 0,
  sint32: 0,
  fixed32: 5,
  sfixed32: 5,
  int64: 0,
  uint64: 0,
  sint64: 0,
  fixed64: 1,
  sfixed64: 1,
  bool: 0,
  string: 2,
  bytes: 2,
};

const plans = new Map<protobuf.Type, TypePlan>();

function planFor(type: protobuf.Type): TypePlan {
  const cached = plans.get(type);
  if (cached) return cached;
  const plan: TypePlan = { fullName: type.fullName.replace(/^\./, ""), fields: new Map() };
  plans.set(type, plan); // before recursing: message types may be recursive in principle
  for (const field of type.fieldsArray) {
    field.resolve();
    const rt = field.resolvedType;
    const fp: FieldPlan = { name: field.name, repeated: field.repeated, wireType: 0, packable: false };
    if (rt instanceof protobuf.Type) {
      fp.message = planFor(rt);
      fp.wireType = 2;
    } else if (rt instanceof protobuf.Enum) {
      fp.enumValues = new Set(Object.values(rt.values));
      fp.wireType = 0;
      fp.packable = field.repeated;
    } else {
      const wt = WIRE_TYPE[field.type];
      if (wt === undefined) throw new Error(`metrics-schema: unsupported field type ${field.type}`);
      fp.scalar = field.type;
      fp.wireType = wt;
      fp.packable = field.repeated && wt !== 2;
    }
    plan.fields.set(field.id, fp);
  }
  return plan;
}

const utf8 = new TextDecoder("utf-8");

function readScalar(r: WireReader, kind: string): unknown {
  switch (kind) {
    case "double":
      return r.fixed64Double();
    case "string": {
      const n = r.length();
      const s = utf8.decode(r.buf.subarray(r.pos, r.pos + n));
      r.pos += n;
      return s;
    }
    case "bytes": {
      const n = r.length();
      const b = r.buf.slice(r.pos, r.pos + n);
      r.pos += n;
      return b;
    }
    case "uint64": {
      const [lo, hi] = r.varint();
      return asUint64(lo, hi);
    }
    case "int64": {
      const [lo, hi] = r.varint();
      return asInt64(lo, hi);
    }
    case "sint64": {
      const [lo, hi] = r.varint();
      return asSint64(lo, hi);
    }
    case "uint32":
      return r.varint()[0];
    case "int32":
      return r.varint()[0] | 0;
    case "sint32":
      return asSint32(r.varint()[0]);
    case "bool": {
      const [lo, hi] = r.varint();
      return lo !== 0 || hi !== 0;
    }
    case "float": {
      r.skipBytes(4);
      return new DataView(r.buf.buffer, r.buf.byteOffset + r.pos - 4, 4).getFloat32(0, true);
    }
    case "fixed32":
    case "sfixed32": {
      r.skipBytes(4);
      const v = new DataView(r.buf.buffer, r.buf.byteOffset + r.pos - 4, 4);
      return kind === "fixed32" ? v.getUint32(0, true) : v.getInt32(0, true);
    }
    case "fixed64":
    case "sfixed64": {
      r.skipBytes(8);
      const v = new DataView(r.buf.buffer, r.buf.byteOffset + r.pos - 8, 8);
      const lo = v.getUint32(0, true);
      const hi = v.getUint32(4, true);
      return kind === "fixed64" ? asUint64(lo, hi) : asInt64(lo, hi);
    }
  }
  throw new Error(`metrics-schema: unsupported scalar ${kind}`);
}

function pushValue(target: Raw, fp: FieldPlan, value: unknown): void {
  if (fp.enumValues && !fp.enumValues.has(value as number)) return; // closed enum: unknown value dropped
  if (fp.repeated) {
    let arr = target[fp.name] as unknown[] | undefined;
    if (!arr) target[fp.name] = arr = [];
    arr.push(value);
  } else {
    target[fp.name] = value;
  }
}

/** Decodes the bytes [r.pos, end) as `plan`, merging into `target`. */
function decodeMessage(r: WireReader, end: number, plan: TypePlan, target: Raw): Raw {
  const sub = end === r.end ? r : new WireReader(r.buf, r.pos, end);
  while (sub.pos < end) {
    const [num, wt] = sub.tag(plan.fullName);
    const fp = plan.fields.get(num);
    if (fp === undefined) {
      sub.skip(num, wt, plan.fullName);
      continue;
    }
    if (fp.message && wt === 2) {
      const n = sub.length();
      const stop = sub.pos + n;
      let child: Raw;
      if (fp.repeated) {
        child = {};
        pushValue(target, fp, child);
      } else {
        child = (target[fp.name] as Raw | undefined) ?? {};
        target[fp.name] = child;
      }
      decodeMessage(sub, stop, fp.message, child);
      sub.pos = stop;
    } else if (fp.packable && wt === 2) {
      const n = sub.length();
      const stop = sub.pos + n;
      const packed = new WireReader(sub.buf, sub.pos, stop);
      const kind = fp.scalar ?? "int32";
      while (packed.pos < stop) pushValue(target, fp, readScalar(packed, kind));
      sub.pos = stop;
    } else if (!fp.message && wt === fp.wireType) {
      pushValue(target, fp, readScalar(sub, fp.scalar ?? "int32"));
    } else {
      // Wrong wire type for a known field: Go keeps it as an unknown field.
      sub.skip(num, wt, plan.fullName);
    }
  }
  if (sub !== r) r.pos = end;
  return target;
}

// ---------------------------------------------------------------------------------------------------------
// Raw objects → model

const str = (v: unknown): string => (typeof v === "string" ? v : "");
const num = (v: unknown): number => (typeof v === "number" ? v : 0);
const optNum = (v: unknown): number | undefined => (typeof v === "number" ? v : undefined);
const rawList = (v: unknown): Raw[] => (Array.isArray(v) ? (v as Raw[]) : []);

function timestampMs(v: unknown): number | undefined {
  if (v === undefined) return undefined;
  const t = v as Raw;
  return num(t.seconds) * 1000 + num(t.nanos) / 1e6;
}

function toLabels(v: unknown): LabelPair[] {
  return rawList(v).map((lp) => ({ name: str(lp.name), value: str(lp.value) }));
}

function toExemplar(e: Raw): Exemplar {
  const out: Exemplar = { label: toLabels(e.label), value: num(e.value) };
  const ts = timestampMs(e.timestamp);
  if (ts !== undefined) out.timestampMs = ts;
  return out;
}

function toSimple(v: Raw): SimpleValue {
  const out: SimpleValue = { value: num(v.value) };
  if (v.exemplar !== undefined) out.exemplar = toExemplar(v.exemplar as Raw);
  const ct = timestampMs(v.createdTimestamp);
  if (ct !== undefined) out.createdTimestampMs = ct;
  return out;
}

function toSummary(s: Raw): Summary {
  const out: Summary = {
    sampleCount: num(s.sampleCount),
    sampleSum: num(s.sampleSum),
    quantile: rawList(s.quantile).map((q) => ({ quantile: num(q.quantile), value: num(q.value) })),
  };
  const ct = timestampMs(s.createdTimestamp);
  if (ct !== undefined) out.createdTimestampMs = ct;
  return out;
}

function toSpans(v: unknown): BucketSpan[] {
  return rawList(v).map((s) => ({ offset: num(s.offset), length: num(s.length) }));
}

function toHistogram(h: Raw): Histogram {
  const out: Histogram = {
    sampleCount: num(h.sampleCount),
    sampleSum: num(h.sampleSum),
    bucket: rawList(h.bucket).map((b) => {
      const bucket: Bucket = { cumulativeCount: num(b.cumulativeCount), upperBound: num(b.upperBound) };
      const f = optNum(b.cumulativeCountFloat);
      if (f !== undefined) bucket.cumulativeCountFloat = f;
      if (b.exemplar !== undefined) bucket.exemplar = toExemplar(b.exemplar as Raw);
      return bucket;
    }),
  };
  const scf = optNum(h.sampleCountFloat);
  if (scf !== undefined) out.sampleCountFloat = scf;
  const ct = timestampMs(h.createdTimestamp);
  if (ct !== undefined) out.createdTimestampMs = ct;
  for (const k of ["schema", "zeroThreshold", "zeroCount", "zeroCountFloat"] as const) {
    const v = optNum(h[k]);
    if (v !== undefined) out[k] = v;
  }
  for (const k of ["negativeSpan", "positiveSpan"] as const) {
    if (Array.isArray(h[k]) && (h[k] as unknown[]).length > 0) out[k] = toSpans(h[k]);
  }
  for (const k of ["negativeDelta", "negativeCount", "positiveDelta", "positiveCount"] as const) {
    if (Array.isArray(h[k]) && (h[k] as unknown[]).length > 0) out[k] = (h[k] as number[]).slice();
  }
  if (Array.isArray(h.exemplars) && h.exemplars.length > 0) out.exemplars = rawList(h.exemplars).map(toExemplar);
  return out;
}

function toMetric(m: Raw): Metric {
  const out: Metric = { label: toLabels(m.label) };
  if (m.gauge !== undefined) out.gauge = toSimple(m.gauge as Raw);
  if (m.counter !== undefined) out.counter = toSimple(m.counter as Raw);
  if (m.summary !== undefined) out.summary = toSummary(m.summary as Raw);
  if (m.untyped !== undefined) out.untyped = toSimple(m.untyped as Raw);
  if (m.histogram !== undefined) out.histogram = toHistogram(m.histogram as Raw);
  const ts = optNum(m.timestampMs);
  if (ts !== undefined) out.timestampMs = ts;
  return out;
}

function toFamily(f: Raw): MetricFamily {
  return {
    name: str(f.name),
    help: str(f.help),
    // Unset (or an unknown number, dropped above) reads as COUNTER, like Go's GetType().
    type: TYPE_BY_NUMBER[num(f.type)] ?? "COUNTER",
    metric: rawList(f.metric).map(toMetric),
  };
}

/** Decodes one MetricFamily message (no length prefix). */
export function decodeMetricFamily(bytes: Uint8Array): MetricFamily {
  const r = new WireReader(bytes, 0, bytes.length);
  return toFamily(decodeMessage(r, bytes.length, planFor(MetricFamilyType), {}));
}

/**
 * Decodes a body of varint-length-delimited MetricFamily messages, read until EOF, as the Pushgateway does.
 * A family name seen twice: the later message replaces the earlier one (Go map overwrite), keeping the
 * position of the first. An empty body gives []. Metric names are not validated; `timestampMs` is kept (the
 * caller rejects it). Throws ProtobufDecodeError on malformed input.
 */
export function decodeDelimitedFamilies(bytes: Uint8Array): MetricFamily[] {
  const byName = new Map<string, MetricFamily>();
  const plan = planFor(MetricFamilyType);
  const r = new WireReader(bytes, 0, bytes.length);
  while (r.pos < bytes.length) {
    // Length prefix: Go reads it with binary.ReadUvarint.
    let lo: number, hi: number;
    try {
      [lo, hi] = r.varint();
    } catch (e) {
      if (e instanceof ProtobufDecodeError && e.message === "proto: integer overflow") {
        throw new ProtobufDecodeError("binary: varint overflows a 64-bit integer");
      }
      throw e;
    }
    const size = asUint64(lo, hi);
    if (size > bytes.length - r.pos) throw new ProtobufDecodeError(UNEXPECTED_EOF);
    const end = r.pos + size;
    const family = toFamily(decodeMessage(r, end, plan, {}));
    r.pos = end;
    byName.set(family.name, family);
  }
  return [...byName.values()];
}

// Delimited protobuf codec for io.prometheus.client.MetricFamily streams (docs/compatibility.md: push bodies, scrape).
//
// Decoding walks the protobufjs reflection types of metrics-schema.ts with a small wire reader of its own, so
// that malformed input is judged the way Go's protobuf runtime judges it (protobufjs' generated decoders are
// laxer: they read a known field whatever its wire type):
//   - a known field that arrives with an unexpected wire type is skipped like an unknown field;
//   - proto2 enums are closed: an out-of-range MetricType is dropped, so the family type reads as COUNTER,
//     which is what Go's GetType() returns for an unset type;
//   - a singular message field that occurs twice is merged, scalars are last-wins, repeated fields append;
//   - truncation, wire types 6/7, field number 0, stray end-groups and over-long varints are errors.
// Encoding uses protobufjs' generated encoder.
import protobuf from "protobufjs";
import { MetricFamilyType } from "./metrics-schema";
import type {
  Bucket,
  BucketSpan,
  Exemplar,
  Histogram,
  LabelPair,
  Metric,
  MetricFamily,
  MetricType,
  SimpleValue,
  Summary,
} from "./model";
import { METRIC_TYPE_NUMBER, METRIC_TYPES } from "./model";

/** A malformed delimited protobuf body. `message` is the reason, suitable as the text of a 400 response. */
export class ProtobufDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ProtobufDecodeError";
  }
}

const UNEXPECTED_EOF = "unexpected EOF";

const TYPE_BY_NUMBER: readonly MetricType[] = METRIC_TYPES;

// ---------------------------------------------------------------------------------------------------------
// Wire reader

const TWO_32 = 4294967296;

class WireReader {
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
const asUint64 = (lo: number, hi: number): number => hi * TWO_32 + lo;
const asInt64 = (lo: number, hi: number): number => (hi | 0) * TWO_32 + lo;
function asSint64(lo: number, hi: number): number {
  const neg = lo & 1;
  let l = ((lo >>> 1) | (hi << 31)) >>> 0;
  let h = hi >>> 1;
  if (neg) {
    l = ~l >>> 0;
    h = ~h >>> 0;
  }
  return asInt64(l, h);
}
const asSint32 = (lo: number): number => (lo >>> 1) ^ -(lo & 1);

// ---------------------------------------------------------------------------------------------------------
// Reflective decoding into plain objects keyed by protobufjs' camelCase field names

type Raw = Record<string, unknown>;

type ScalarKind = "double" | "float" | "varint" | "fixed64" | "fixed32" | "string" | "bytes";

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

// ---------------------------------------------------------------------------------------------------------
// Model → protobuf

interface PbTimestamp {
  seconds: number;
  nanos: number;
}

function pbTimestamp(ms: number): PbTimestamp {
  let seconds = Math.floor(ms / 1000);
  let nanos = Math.round((ms - seconds * 1000) * 1e6);
  if (nanos >= 1e9) {
    seconds += 1;
    nanos -= 1e9;
  }
  return { seconds, nanos };
}

function pbLabels(labels: LabelPair[]): Raw[] {
  return labels.map((l) => ({ name: l.name, value: l.value }));
}

function pbExemplar(e: Exemplar): Raw {
  const out: Raw = { label: pbLabels(e.label), value: e.value };
  if (e.timestampMs !== undefined) out.timestamp = pbTimestamp(e.timestampMs);
  return out;
}

function pbCounter(c: SimpleValue): Raw {
  const out: Raw = { value: c.value };
  if (c.exemplar) out.exemplar = pbExemplar(c.exemplar);
  if (c.createdTimestampMs !== undefined) out.createdTimestamp = pbTimestamp(c.createdTimestampMs);
  return out;
}

function pbHistogram(h: Histogram): Raw {
  const out: Raw = {
    sampleCount: h.sampleCount,
    sampleSum: h.sampleSum,
    bucket: h.bucket.map((b) => {
      const pb: Raw = { cumulativeCount: b.cumulativeCount, upperBound: b.upperBound };
      if (b.cumulativeCountFloat !== undefined) pb.cumulativeCountFloat = b.cumulativeCountFloat;
      if (b.exemplar) pb.exemplar = pbExemplar(b.exemplar);
      return pb;
    }),
  };
  if (h.sampleCountFloat !== undefined) out.sampleCountFloat = h.sampleCountFloat;
  if (h.createdTimestampMs !== undefined) out.createdTimestamp = pbTimestamp(h.createdTimestampMs);
  for (const k of ["schema", "zeroThreshold", "zeroCount", "zeroCountFloat"] as const) {
    if (h[k] !== undefined) out[k] = h[k];
  }
  for (const k of ["negativeSpan", "positiveSpan"] as const) {
    const spans = h[k];
    if (spans && spans.length > 0) out[k] = spans.map((s) => ({ offset: s.offset, length: s.length }));
  }
  for (const k of ["negativeDelta", "negativeCount", "positiveDelta", "positiveCount"] as const) {
    const v = h[k];
    if (v && v.length > 0) out[k] = v;
  }
  if (h.exemplars && h.exemplars.length > 0) out.exemplars = h.exemplars.map(pbExemplar);
  return out;
}

function pbMetric(m: Metric): Raw {
  const out: Raw = { label: pbLabels(m.label) };
  if (m.gauge) out.gauge = { value: m.gauge.value };
  if (m.counter) out.counter = pbCounter(m.counter);
  if (m.summary) {
    const s: Raw = {
      sampleCount: m.summary.sampleCount,
      sampleSum: m.summary.sampleSum,
      quantile: m.summary.quantile.map((q) => ({ quantile: q.quantile, value: q.value })),
    };
    if (m.summary.createdTimestampMs !== undefined) s.createdTimestamp = pbTimestamp(m.summary.createdTimestampMs);
    out.summary = s;
  }
  if (m.untyped) out.untyped = { value: m.untyped.value };
  if (m.histogram) out.histogram = pbHistogram(m.histogram);
  if (m.timestampMs !== undefined) out.timestampMs = m.timestampMs;
  return out;
}

function pbFamily(f: MetricFamily): Raw {
  const out: Raw = { name: f.name, type: METRIC_TYPE_NUMBER[f.type], metric: f.metric.map(pbMetric) };
  if (f.help !== "") out.help = f.help;
  return out;
}

/**
 * Encodes families as a varint-length-delimited MetricFamily stream (the scrape's protobuf format). Writes what
 * is stored: no `+Inf` bucket is added (only the text writers add one). Empty HELP is omitted, type always
 * written. decodeDelimitedFamilies(encodeDelimitedFamilies(x)) gives x back for families with distinct names.
 */
export function encodeDelimitedFamilies(families: MetricFamily[]): Uint8Array {
  const w = protobuf.Writer.create();
  for (const f of families) MetricFamilyType.encodeDelimited(pbFamily(f), w);
  return w.finish();
}


// The lossless, compact family encoding every durable backend stores (SQLite family rows, the PostgreSQL snapshot
// columns and change log): a JSON document, so JSON.parse does the heavy lifting at native speed.
//
// Compact form, used whenever a family has only the usual fields (text pushes always do):
//   [name, help, typeCode, metric, metric, ...]          typeCode: index in TYPES
//   metric  = [labels, kind, payload] or [labels, kind, payload, timestampMs]
//   labels  = ["name1", "value1", "name2", "value2", ...]
//   kind 0/1/2 (counter/gauge/untyped): payload = value
//   kind 3 (summary):   payload = [sampleCount, sampleSum, quantile1, value1, ...]
//   kind 4 (histogram): payload = [sampleCount, sampleSum, upperBound1, cumulativeCount1, ...]
// A number that JSON cannot carry (NaN, ±Inf, -0) sits in its numeric slot as the string "NaN", "Infinity",
// "-Infinity" or "-0"; slots are typed by position, so strings in label/help slots need no escaping.
// Anything else (exemplars, created timestamps, float or native histograms, a metric with several value fields, an
// unknown field) falls back to a generic form for that metric, or for the whole family: a JSON *string* holding
// JSON.stringify(object) with NaN/±Inf/-0 written as NUL-tagged strings ("\0NaN", ...) and genuine strings that
// start with NUL given one more NUL. The generic form keeps every own enumerable field, like JSON does.
import { intern, internPair } from "../exposition/intern";
import { METRIC_TYPES, type Bucket, type LabelPair, type Metric, type MetricFamily, type MetricType, type Quantile } from "../exposition/model";

const TYPES: readonly MetricType[] = METRIC_TYPES;
const TYPE_CODE = new Map<string, number>(TYPES.map((t, i) => [t, i]));
const SIMPLE_KINDS = ["counter", "gauge", "untyped"] as const;
const KIND_SUMMARY = 3;
const KIND_HISTOGRAM = 4;

const TAG = "\u0000";

function replacer(_key: string, v: unknown): unknown {
  if (typeof v === "number") {
    if (Number.isFinite(v)) return v === 0 && 1 / v < 0 ? TAG + "-0" : v;
    return TAG + String(v); // NaN, Infinity, -Infinity
  }
  if (typeof v === "string" && v.charCodeAt(0) === 0) return TAG + v;
  return v;
}

function reviver(_key: string, v: unknown): unknown {
  if (typeof v === "string" && v.charCodeAt(0) === 0) {
    const rest = v.slice(1);
    if (rest.charCodeAt(0) === 0) return rest;
    const n = specialNumber(rest);
    if (n === undefined) throw new Error(`bad tagged value ${JSON.stringify(v)}`);
    return n;
  }
  return v;
}

function genericEncode(x: unknown): string {
  // Arrays of finite numbers (push histories) need no replacer, which costs a call per element.
  if (Array.isArray(x) && x.every((v) => typeof v === "number" && Number.isFinite(v) && !Object.is(v, -0))) return JSON.stringify(x);
  return JSON.stringify(x, replacer);
}
function genericDecode<T>(s: string): T {
  return (s.includes("\\u0000") ? JSON.parse(s, reviver) : JSON.parse(s)) as T;
}

/** A number for a numeric slot: itself, or its name when JSON cannot carry it. */
function num(x: number): number | string {
  return Number.isFinite(x) && !(x === 0 && 1 / x < 0) ? x : Object.is(x, -0) ? "-0" : String(x);
}
function specialNumber(s: string): number | undefined {
  switch (s) {
    case "NaN":
      return NaN;
    case "Infinity":
      return Infinity;
    case "-Infinity":
      return -Infinity;
    case "-0":
      return -0;
    default:
      return undefined;
  }
}
function unnum(x: unknown): number {
  if (typeof x === "number") return x;
  const n = typeof x === "string" ? specialNumber(x) : undefined;
  if (n === undefined) throw new Error(`bad number ${JSON.stringify(x)} in stored family`);
  return n;
}

/** True if every own field of o that is not undefined is one of `allowed`. */
function onlyFields(o: object, allowed: readonly string[]): boolean {
  for (const k in o) {
    if (!Object.prototype.hasOwnProperty.call(o, k)) continue;
    if ((o as Record<string, unknown>)[k] !== undefined && !allowed.includes(k)) return false;
  }
  return true;
}

const METRIC_FIELDS = ["label", "counter", "gauge", "untyped", "summary", "histogram", "timestampMs"] as const;

function encodeMetric(m: Metric): unknown {
  if (!onlyFields(m, METRIC_FIELDS) || !Array.isArray(m.label)) return genericEncode(m);
  const labels: string[] = [];
  for (const l of m.label) {
    if (typeof l.name !== "string" || typeof l.value !== "string" || !onlyFields(l, ["name", "value"])) return genericEncode(m);
    labels.push(l.name, l.value);
  }
  let kind = -1;
  let payload: unknown;
  let set = 0;
  for (let i = 0; i < SIMPLE_KINDS.length; i++) {
    const v = m[SIMPLE_KINDS[i]!];
    if (v === undefined) continue;
    set++;
    if (typeof v.value !== "number" || !onlyFields(v, ["value"])) return genericEncode(m);
    kind = i;
    payload = num(v.value);
  }
  if (m.summary !== undefined) {
    set++;
    const s = m.summary;
    if (!onlyFields(s, ["sampleCount", "sampleSum", "quantile"]) || !Array.isArray(s.quantile)) return genericEncode(m);
    const p: Array<number | string> = [num(s.sampleCount), num(s.sampleSum)];
    for (const q of s.quantile) {
      if (!onlyFields(q, ["quantile", "value"])) return genericEncode(m);
      p.push(num(q.quantile), num(q.value));
    }
    kind = KIND_SUMMARY;
    payload = p;
  }
  if (m.histogram !== undefined) {
    set++;
    const h = m.histogram;
    if (!onlyFields(h, ["sampleCount", "sampleSum", "bucket"]) || !Array.isArray(h.bucket)) return genericEncode(m);
    const p: Array<number | string> = [num(h.sampleCount), num(h.sampleSum)];
    for (const b of h.bucket) {
      if (!onlyFields(b, ["upperBound", "cumulativeCount"])) return genericEncode(m);
      p.push(num(b.upperBound), num(b.cumulativeCount));
    }
    kind = KIND_HISTOGRAM;
    payload = p;
  }
  if (set !== 1) return genericEncode(m);
  return m.timestampMs === undefined ? [labels, kind, payload] : [labels, kind, payload, num(m.timestampMs)];
}

// The in-memory form of a stored family, the same whether it was decoded here (a restart, a replica, an undo
// snapshot) or pushed (compactFamily): label arrays of exact length holding shared pairs (internPair), and a
// counter/gauge/untyped metric built as one literal with its value, so it has no out-of-object property store.
// Measured at 300k series (BENCHMARKS.md, issue 17, Memory), this is ~130 B per series less than the parser's
// objects (grown label arrays, a value field added after the literal, a pair object per series).

/** A counter, gauge or untyped metric in its compact form (`kind` 0/1/2 as SIMPLE_KINDS). */
function simpleMetric(label: LabelPair[], kind: number, value: number, ts: number | undefined): Metric {
  if (ts === undefined) {
    if (kind === 1) return { label, gauge: { value } };
    if (kind === 0) return { label, counter: { value } };
    return { label, untyped: { value } };
  }
  if (kind === 1) return { label, gauge: { value }, timestampMs: ts };
  if (kind === 0) return { label, counter: { value }, timestampMs: ts };
  return { label, untyped: { value }, timestampMs: ts };
}

/** The labels as an exact-length array of shared pairs. */
function compactLabels(label: LabelPair[]): LabelPair[] {
  const out = new Array<LabelPair>(label.length);
  for (let i = 0; i < label.length; i++) out[i] = internPair(label[i]!.name, label[i]!.value);
  return out;
}

/**
 * Brings a pushed family's metrics to the compact in-memory form a decoded family has (in place: the family must
 * not be shared yet). Anything but a plain counter/gauge/untyped sample keeps its object, with compact labels.
 */
export function compactFamily(family: MetricFamily): void {
  const ms = family.metric;
  for (let i = 0; i < ms.length; i++) {
    const m = ms[i]!;
    const label = compactLabels(m.label);
    const kind = m.summary === undefined && m.histogram === undefined ? simpleKindOf(m) : -1;
    if (kind < 0) {
      m.label = label;
      continue;
    }
    ms[i] = simpleMetric(label, kind, m[SIMPLE_KINDS[kind]!]!.value, m.timestampMs);
  }
}

/** The SIMPLE_KINDS index of a metric with one plain value ({value} only) and no field but its labels and timestamp; -1 otherwise. */
function simpleKindOf(m: Metric): number {
  let kind = -1;
  for (let i = 0; i < SIMPLE_KINDS.length; i++) {
    if (m[SIMPLE_KINDS[i]!] === undefined) continue;
    if (kind >= 0) return -1;
    kind = i;
  }
  if (kind < 0) return -1;
  const name = SIMPLE_KINDS[kind]!;
  const v = m[name]!;
  if (typeof v.value !== "number") return -1;
  for (const k in v) if (k !== "value" && (v as unknown as Record<string, unknown>)[k] !== undefined) return -1;
  for (const k in m) if (k !== "label" && k !== name && k !== "timestampMs" && (m as unknown as Record<string, unknown>)[k] !== undefined) return -1;
  return kind;
}

function decodeMetric(x: unknown): Metric {
  if (typeof x === "string") return genericDecode<Metric>(x);
  const [flat, kind, payload, ts] = x as [string[], number, unknown, unknown];
  const label: LabelPair[] = new Array<LabelPair>(flat.length >> 1);
  for (let i = 0, j = 0; i < flat.length; i += 2, j++) label[j] = internPair(flat[i]!, flat[i + 1]!);
  const timestampMs = ts === undefined ? undefined : unnum(ts);
  if (kind === KIND_SUMMARY) {
    const p = payload as unknown[];
    const quantile: Quantile[] = [];
    for (let i = 2; i < p.length; i += 2) quantile.push({ quantile: unnum(p[i]), value: unnum(p[i + 1]) });
    const m: Metric = { label, summary: { sampleCount: unnum(p[0]), sampleSum: unnum(p[1]), quantile } };
    if (timestampMs !== undefined) m.timestampMs = timestampMs;
    return m;
  }
  if (kind === KIND_HISTOGRAM) {
    const p = payload as unknown[];
    const bucket: Bucket[] = [];
    for (let i = 2; i < p.length; i += 2) bucket.push({ upperBound: unnum(p[i]), cumulativeCount: unnum(p[i + 1]) });
    const m: Metric = { label, histogram: { sampleCount: unnum(p[0]), sampleSum: unnum(p[1]), bucket } };
    if (timestampMs !== undefined) m.timestampMs = timestampMs;
    return m;
  }
  if (SIMPLE_KINDS[kind] === undefined) throw new Error(`bad metric kind ${kind} in stored family`);
  return simpleMetric(label, kind, unnum(payload), timestampMs);
}

/** Encodes a family losslessly (NaN, ±Inf and -0 included) as a compact JSON document. */
export function encodeFamily(family: MetricFamily): string {
  const type = TYPE_CODE.get(family.type);
  if (
    type === undefined ||
    typeof family.name !== "string" ||
    typeof family.help !== "string" ||
    !Array.isArray(family.metric) ||
    !onlyFields(family, ["name", "help", "type", "metric"])
  ) {
    return JSON.stringify(genericEncode(family));
  }
  const doc: unknown[] = [family.name, family.help, type];
  for (const m of family.metric) doc.push(encodeMetric(m));
  return JSON.stringify(doc);
}

/** Inverse of encodeFamily. */
export function decodeFamily(data: string | Buffer): MetricFamily {
  return decodeFamilyDocument(JSON.parse(typeof data === "string" ? data : data.toString("utf8")) as unknown);
}

/** Inverse of encodeFamily, for a document already parsed (e.g. embedded in a larger JSON document). */
export function decodeFamilyDocument(doc: unknown): MetricFamily {
  if (typeof doc === "string") return genericDecode<MetricFamily>(doc);
  const arr = doc as unknown[];
  const type = TYPES[arr[2] as number];
  if (type === undefined) throw new Error(`bad type code ${String(arr[2])} in stored family`);
  const metric: Metric[] = new Array<Metric>(arr.length - 3);
  for (let i = 3; i < arr.length; i++) metric[i - 3] = decodeMetric(arr[i]);
  return { name: intern(arr[0] as string), help: arr[1] as string, type, metric };
}

/** Encodes a list of numbers (a push history) losslessly. */
export function encodeNumbers(xs: number[]): string {
  return genericEncode(xs);
}

/** Inverse of encodeNumbers. */
export function decodeNumbers(s: string): number[] {
  return genericDecode<number[]>(s);
}

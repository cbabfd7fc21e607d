// Encoding of families as a delimited protobuf io.prometheus.client.MetricFamily stream (the scrape's protobuf
// format), with protobufjs' generated encoder. The decoder is parse-protobuf.ts.
import protobuf from "protobufjs";
import { MetricFamilyType } from "./metrics-schema";
import type { Exemplar, Histogram, LabelPair, Metric, MetricFamily, SimpleValue } from "./model";
import { METRIC_TYPE_NUMBER } from "./model";

type Raw = Record<string, unknown>;

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

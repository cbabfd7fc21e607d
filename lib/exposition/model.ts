// The in-memory metric model. It mirrors io.prometheus.client.MetricFamily (metrics.proto) field for field,
// in protobufjs' camelCase spelling, so that text and protobuf codecs both map onto it losslessly and the
// consistency check can ask the same questions the Go client library asks of a *dto.MetricFamily.

/** In io.prometheus.client.MetricType's enum order (the protobuf number is the index). */
export const METRIC_TYPES = ["COUNTER", "GAUGE", "SUMMARY", "UNTYPED", "HISTOGRAM", "GAUGE_HISTOGRAM"] as const;
export type MetricType = (typeof METRIC_TYPES)[number];

/** metrics.proto enum numbers, in the order the proto declares them. */
export const METRIC_TYPE_NUMBER = Object.fromEntries(METRIC_TYPES.map((t, i) => [t, i])) as Record<MetricType, number>;

export interface LabelPair {
  name: string;
  value: string;
}

export interface Exemplar {
  label: LabelPair[];
  value: number;
  timestampMs?: number;
}

export interface SimpleValue {
  value: number;
  exemplar?: Exemplar;
  createdTimestampMs?: number;
}

export interface Quantile {
  quantile: number;
  value: number;
}

export interface Summary {
  sampleCount: number;
  sampleSum: number;
  quantile: Quantile[];
  createdTimestampMs?: number;
}

export interface Bucket {
  cumulativeCount: number;
  /** Set instead of cumulativeCount for float histograms. */
  cumulativeCountFloat?: number;
  upperBound: number;
  exemplar?: Exemplar;
}

export interface BucketSpan {
  offset: number;
  length: number;
}

export interface Histogram {
  sampleCount: number;
  sampleCountFloat?: number;
  sampleSum: number;
  bucket: Bucket[];
  createdTimestampMs?: number;
  // Native (sparse) histogram fields; present only when pushed via protobuf.
  schema?: number;
  zeroThreshold?: number;
  zeroCount?: number;
  zeroCountFloat?: number;
  negativeSpan?: BucketSpan[];
  negativeDelta?: number[];
  negativeCount?: number[];
  positiveSpan?: BucketSpan[];
  positiveDelta?: number[];
  positiveCount?: number[];
  exemplars?: Exemplar[];
}

/**
 * One sample (series) of a family. Exactly one of the value fields is normally set, and it matches the family
 * type; a protobuf push can break that rule, which the consistency check then reports like the Go client does.
 */
export interface Metric {
  /** Label pairs. Stored metrics keep them sorted by name (see sanitiseFamilies). */
  label: LabelPair[];
  counter?: SimpleValue;
  gauge?: SimpleValue;
  untyped?: SimpleValue;
  summary?: Summary;
  histogram?: Histogram;
  timestampMs?: number;
}

export interface MetricFamily {
  name: string;
  /** "" when no HELP was given. */
  help: string;
  type: MetricType;
  metric: Metric[];
}

/** True if a histogram carries native (sparse) buckets: the same test the Pushgateway's API applies. */
export function isNativeHistogram(h: Histogram): boolean {
  return (
    (h.zeroThreshold ?? 0) > 0 ||
    (h.zeroCount ?? 0) > 0 ||
    (h.zeroCountFloat ?? 0) > 0 ||
    (h.positiveSpan?.length ?? 0) > 0 ||
    (h.negativeSpan?.length ?? 0) > 0
  );
}

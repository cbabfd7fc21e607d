// OpenMetrics 1.0 text writer, as Go's expfmt.MetricFamilyToOpenMetrics writes it (default options: no
// `# UNIT`, no `_created` lines).
//   - A counter named `x_total` gets `# HELP x` / `# TYPE x counter`; its samples keep the full name. A counter
//     whose name lacks `_total` is typed `unknown` (Go does not append `_total`).
//   - Untyped is `unknown`. Histograms get a `+Inf` bucket when the stored buckets lack one. Gauge histograms
//     use `_gsum` / `_gcount` as the OpenMetrics spec demands. Native buckets have no OpenMetrics 1.0 form and
//     are not written (only classic buckets are), as in Go.
//   - Floats: Go's shortest %g with ".0" appended to integral values (1.0, 123456.0, 1e+06, +Inf, NaN).
//     Counts (_count, _bucket, _gcount) are the integer (uint64) fields printed plainly. OpenMetrics 1.0 has
//     no float counts, and Go writes GetCumulativeCount()/GetSampleCount() only, so the *_float fields of a
//     float histogram are not written (its integer counts, normally 0, are).
//   - Names that are not legacy-valid are quoted (`{"a.b",x="1"} 1.0`), like newer expfmt.
// The caller appends OPENMETRICS_EOF after the last family.
import { escapeOpenMetricsHelp, escapeLabelValue } from "./escape";
import { formatGoFloat } from "./format-float";
import { TextChunks } from "./render-text";
import type { Exemplar, LabelPair, Metric, MetricFamily } from "./model";

export const OPENMETRICS_CONTENT_TYPE = "application/openmetrics-text; version=1.0.0; charset=utf-8";
export const OPENMETRICS_EOF = "# EOF\n";

const LEGACY_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/** expfmt's writeOpenMetricsFloat. */
export function formatOpenMetricsFloat(f: number): string {
  if (f === 0) return "0.0"; // also -0
  if (f === 1) return "1.0";
  if (f === -1) return "-1.0";
  const s = formatGoFloat(f); // NaN, +Inf, -Inf included
  return /[.eIN]/.test(s) ? s : s + ".0";
}

/** expfmt's writeUint for uint64 counts. */
function formatUint(n: number): string {
  return Number.isInteger(n) && n >= 0 ? BigInt(n).toString() : formatOpenMetricsFloat(n);
}

function writeName(name: string): string {
  return LEGACY_NAME.test(name) ? name : '"' + escapeLabelValue(name) + '"';
}

function nameAndLabels(name: string, labels: LabelPair[], extraName?: string, extraValue?: number): string {
  let s = "";
  let sep = "{";
  let inside = false;
  if (name !== "") {
    if (!LEGACY_NAME.test(name)) {
      s += sep;
      sep = ",";
      inside = true;
    }
    s += writeName(name);
  }
  if (labels.length === 0 && extraName === undefined) return inside ? s + "}" : s;
  for (const l of labels) {
    s += sep + writeName(l.name) + '="' + escapeLabelValue(l.value) + '"';
    sep = ",";
  }
  if (extraName !== undefined) s += sep + extraName + '="' + formatOpenMetricsFloat(extraValue!) + '"';
  return s + "}";
}

function exemplarText(e: Exemplar | undefined): string {
  if (!e || e.label.length === 0) return "";
  let s = " # " + nameAndLabels("", e.label) + " " + formatOpenMetricsFloat(e.value);
  // Go: float64(ts.UnixNano()) / 1e9 (the metric timestamp, by contrast, is float64(ms) / 1000).
  if (e.timestampMs !== undefined) s += " " + formatOpenMetricsFloat((e.timestampMs * 1e6) / 1e9);
  return s;
}

function sample(name: string, m: Metric, value: string, extraName?: string, extraValue?: number, exemplar?: Exemplar): string {
  let line = nameAndLabels(name, m.label, extraName, extraValue) + " " + value;
  if (m.timestampMs !== undefined) line += " " + formatOpenMetricsFloat(m.timestampMs / 1000);
  return line + exemplarText(exemplar) + "\n";
}

function metricText(f: MetricFamily, m: Metric): string {
  const name = f.name;
  const fl = formatOpenMetricsFloat;
  switch (f.type) {
    case "COUNTER":
      return sample(name, m, fl(m.counter?.value ?? 0), undefined, undefined, m.counter?.exemplar);
    case "GAUGE":
      return sample(name, m, fl(m.gauge?.value ?? 0));
    case "UNTYPED":
      return sample(name, m, fl(m.untyped?.value ?? 0));
    case "SUMMARY": {
      const s = m.summary;
      if (!s) return "";
      let out = "";
      for (const q of s.quantile) out += sample(name, m, fl(q.value), "quantile", q.quantile);
      return out + sample(name + "_sum", m, fl(s.sampleSum)) + sample(name + "_count", m, formatUint(s.sampleCount));
    }
    case "HISTOGRAM":
    case "GAUGE_HISTOGRAM": {
      const h = m.histogram;
      if (!h) return "";
      const gauge = f.type === "GAUGE_HISTOGRAM";
      let out = "";
      let infSeen = false;
      for (const b of h.bucket) {
        out += sample(name + "_bucket", m, formatUint(b.cumulativeCount), "le", b.upperBound, b.exemplar);
        if (b.upperBound === Infinity) infSeen = true;
      }
      const count = formatUint(h.sampleCount);
      if (!infSeen) out += sample(name + "_bucket", m, count, "le", Infinity);
      return out + sample(name + (gauge ? "_gsum" : "_sum"), m, fl(h.sampleSum)) + sample(name + (gauge ? "_gcount" : "_count"), m, count);
    }
  }
}

const OM_TYPE: Record<MetricFamily["type"], string> = {
  COUNTER: "counter",
  GAUGE: "gauge",
  SUMMARY: "summary",
  UNTYPED: "unknown",
  HISTOGRAM: "histogram",
  GAUGE_HISTOGRAM: "gaugehistogram",
};

/** One family in OpenMetrics 1.0 text: HELP (if non-empty), TYPE, then the samples in the given order. */
export function renderOpenMetricsFamily(f: MetricFamily): string {
  let out = openMetricsHeader(f);
  for (const m of f.metric) out += metricText(f, m);
  return out;
}

/** renderOpenMetricsFamily as UTF-8 buffers of about 64 KiB (render-text.ts: TextChunks), for the scrape cache. */
export function renderOpenMetricsFamilyParts(f: MetricFamily): Buffer[] {
  const out = new TextChunks();
  out.add(openMetricsHeader(f));
  for (const m of f.metric) out.add(metricText(f, m));
  return out.finish();
}

function openMetricsHeader(f: MetricFamily): string {
  let shortName = f.name;
  let type = OM_TYPE[f.type];
  if (f.type === "COUNTER") {
    if (f.name.endsWith("_total")) shortName = f.name.slice(0, -6);
    else type = "unknown";
  }
  let out = "";
  if (f.help !== "") out += `# HELP ${writeName(shortName)} ${escapeOpenMetricsHelp(f.help)}\n`;
  out += `# TYPE ${writeName(shortName)} ${type}\n`;
  return out;
}

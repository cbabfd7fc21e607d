// The Pushgateway's JSON API (docs/compatibility.md: JSON API): /api/v1/metrics and /api/v1/status, byte-shaped like Go's
// encoding/json output (sorted map keys, struct field order, HTML-safe escaping).
import { formatGoFloat } from "../exposition/format-float";
import { isNativeHistogram, type Histogram, type LabelPair, type Metric, type MetricFamily } from "../exposition/model";
import { nativeBuckets } from "../exposition/native-histogram";
import { lastPushSuccessful } from "../store/store-state";
import type { Group, StoredFamily } from "../store/types";
import { byName } from "../grouping/label-order";

export const CORS_HEADERS: Record<string, string> = {
  "Access-Control-Allow-Headers": "Accept, Authorization, Content-Type, Origin",
  "Access-Control-Allow-Methods": "GET, POST, DELETE, OPTIONS",
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Expose-Headers": "Date",
  "Cache-Control": "no-cache, no-store, must-revalidate",
};

/** Go's time.Time JSON (RFC 3339 with nanoseconds, trailing zeros trimmed), in UTC. */
export function goTimeJson(ms: number): string {
  const whole = Math.floor(ms);
  const iso = new Date(whole).toISOString(); // 2026-11-24T13:47:10.342Z
  const micros = Math.round((ms - whole) * 1000);
  let frac = iso.slice(20, 23) + String(Math.min(micros, 999)).padStart(3, "0");
  frac = frac.replace(/0+$/, "");
  return iso.slice(0, 19) + (frac ? "." + frac : "") + "Z";
}

function labelMap(labels: LabelPair[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const l of [...labels].sort(byName)) out[l.name] = l.value;
  return out;
}

function sortedObject(entries: Array<[string, unknown]>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) out[k] = v;
  return out;
}

/** Native histogram buckets as [boundaryRule, lower, upper, count] (Pushgateway 1.8+ shape), empty ones left out. */
function nativeBucketList(h: Histogram): Array<[number, string, string, string]> {
  return nativeBuckets(h)
    .filter((b) => b.count !== 0)
    .map((b) => [b.rule, formatGoFloat(b.lower), formatGoFloat(b.upper), formatGoFloat(b.count)]);
}

/** Integer counts print as Go prints a uint64; float counts (float histograms) as floats. */
function count(intCount: number, floatCount: number | undefined): string {
  if (floatCount !== undefined) return formatGoFloat(floatCount);
  return Number.isSafeInteger(intCount) ? String(intCount) : BigInt(intCount).toString();
}

function encodeMetric(type: MetricFamily["type"], m: Metric): Record<string, unknown> {
  const labels = labelMap(m.label);
  switch (type) {
    case "SUMMARY": {
      const s = m.summary;
      const quantiles = sortedObject((s?.quantile ?? []).map((q) => [formatGoFloat(q.quantile), formatGoFloat(q.value)]));
      return { count: count(s?.sampleCount ?? 0, undefined), labels, quantiles, sum: formatGoFloat(s?.sampleSum ?? 0) };
    }
    case "HISTOGRAM":
    case "GAUGE_HISTOGRAM": {
      const h = m.histogram;
      if (h && isNativeHistogram(h)) {
        return { buckets: nativeBucketList(h), count: count(h.sampleCount, h.sampleCountFloat), labels, sum: formatGoFloat(h.sampleSum) };
      }
      const buckets = sortedObject((h?.bucket ?? []).map((b) => [formatGoFloat(b.upperBound), count(b.cumulativeCount, b.cumulativeCountFloat)]));
      return { buckets, count: count(h?.sampleCount ?? 0, h?.sampleCountFloat), labels, sum: formatGoFloat(h?.sampleSum ?? 0) };
    }
    default: {
      const v = m.counter ?? m.gauge ?? m.untyped;
      return { labels, value: formatGoFloat(v?.value ?? 0) };
    }
  }
}

function encodeFamily(sf: StoredFamily): Record<string, unknown> {
  const f = sf.family;
  const out: Record<string, unknown> = { time_stamp: goTimeJson(sf.timestampMs), type: f.type };
  if (f.help !== "") out.help = f.help;
  out.metrics = f.metric.map((m) => encodeMetric(f.type, m));
  return out;
}

/** One group as the API shows it: a flat map of labels, last_push_successful and every family. */
export function encodeGroup(g: Group): Record<string, unknown> {
  const entries: Array<[string, unknown]> = [
    ["labels", labelMap(g.labels)],
    ["last_push_successful", lastPushSuccessful(g)],
  ];
  const byName = new Map(entries);
  for (const [name, sf] of g.families) byName.set(name, encodeFamily(sf));
  return sortedObject([...byName.entries()]);
}

/** Go's json.Marshal escapes <, >, & and the line separators. */
export function goJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"));
}

export function metricsJson(groups: Iterable<Group>): string {
  const data: string[] = [];
  for (const g of groups) data.push(goJson(encodeGroup(g)));
  return `{"status":"success","data":[${data.join(",")}]}`;
}

export function statusJson(buildInfo: Record<string, string>, flags: Record<string, string>, startMs: number): string {
  return goJson({
    status: "success",
    data: { build_information: sortedObject(Object.entries(buildInfo)), flags: sortedObject(Object.entries(flags)), start_time: goTimeJson(startMs) },
  });
}

// One group in full: families, samples with human values, bucket/quantile tables, exposition text.
import { formatGoFloat } from "../exposition/format-float";
import { isNativeHistogram, type Histogram, type Metric, type MetricFamily } from "../exposition/model";
import { nativeBuckets as expandNativeBuckets } from "../exposition/native-histogram";
import { renderFamilyText } from "../exposition/render-text";
import { formatGroupingLabels } from "../grouping/grouping-key";
import type { StoreReader } from "../store/types";
import { decodeGroupId, deletePathOf } from "./group-id";
import { humanValue } from "./human";
import { summarize, toRow } from "./summary";
import { PUSH_FAILURE_TIME_METRIC, PUSH_TIME_METRIC } from "../consistency/check-push";
import type { FamilyView, GroupDetailResponse, SampleView } from "./types";
import type { ListContext } from "./list";
import { alertRuleYaml, prometheusGraphUrl, pushAgeExpr } from "./prometheus";
import type { GroupRow, TimelineEntry } from "./types";
import type { LabelPair } from "../exposition/model";
import type { KeyRejections } from "../protocol/push-diagnostics";
import { byName } from "../grouping/label-order";

/**
 * The detail view shows at most this many samples and families: a group of 200,000 series would otherwise be a
 * 70 MB response that the browser cannot render. The scrape and /api/v1/metrics still serve everything.
 */
export const DETAIL_MAX_SAMPLES = 2000;
export const DETAIL_MAX_FAMILIES = 500;

export interface DetailContext extends ListContext {
  routePrefix: string;
  /** --dashboard.prometheus-url ("" or absent: no links). */
  prometheusUrl?: string;
}

/** Timeline entries kept (the store keeps 32 pushes; the diagnostics 5 rejections per key). */
const TIMELINE_MAX = 40;

/** `backup_postgres · database=billing`: the job's value, then the other grouping labels (the tab title). */
export function groupTitle(labels: readonly LabelPair[]): string {
  const job = labels.find((l) => l.name === "job")?.value ?? "";
  const rest = labels.filter((l) => l.name !== "job").sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return [job, ...rest.map((l) => `${l.name}=${l.value === "" ? '""' : l.value}`)].join(" · ");
}

/**
 * Successful pushes and rejected ones, newest first. Rejections come from the process's diagnostics (status and
 * text); push_failure_time_seconds adds the last failure when the diagnostics do not have it (e.g. after a restart).
 */
export function pushTimeline(row: Pick<GroupRow, "pushHistory" | "lastFailureMs" | "lastError">, rejections: KeyRejections | undefined): TimelineEntry[] {
  const out: TimelineEntry[] = row.pushHistory.map((timeMs) => ({ timeMs, ok: true }));
  const recent = rejections?.recent ?? [];
  for (const r of recent) out.push({ timeMs: r.timeMs, ok: false, status: r.status, message: r.message, ...(r.client ? { client: r.client } : {}) });
  const last = row.lastFailureMs;
  if (last !== null && !recent.some((r) => Math.abs(r.timeMs - last) < 1000)) {
    const message = row.lastError && Math.abs(row.lastError.timeMs - last) < 1000 ? row.lastError.message : undefined;
    out.push({ timeMs: last, ok: false, ...(message !== undefined ? { message } : {}) });
  }
  out.sort((a, b) => b.timeMs - a.timeMs);
  return out.slice(0, TIMELINE_MAX);
}

type NativeView = NonNullable<NonNullable<SampleView["histogram"]>["native"]>;

export function nativeBuckets(h: Histogram): NativeView {
  const zt = h.zeroThreshold ?? 0;
  const buckets = expandNativeBuckets(h).map((b) => ({ lower: formatGoFloat(b.lower), upper: formatGoFloat(b.upper), count: b.count }));
  return { schema: h.schema ?? 0, zeroThreshold: formatGoFloat(zt), zeroCount: h.zeroCountFloat ?? h.zeroCount ?? 0, buckets };
}

function simpleValue(m: Metric): number | undefined {
  return m.gauge?.value ?? m.counter?.value ?? m.untyped?.value;
}

export function sampleView(family: MetricFamily, m: Metric): SampleView {
  const name = family.name;
  const v: SampleView = { labels: [...m.label].sort(byName), value: "", human: "" };
  if (m.timestampMs !== undefined) v.timestampMs = m.timestampMs;
  const sv = simpleValue(m);
  if (m.summary) {
    const s = m.summary;
    v.summary = {
      count: formatGoFloat(s.sampleCount),
      sum: formatGoFloat(s.sampleSum),
      quantiles: s.quantile.map((q) => ({ quantile: formatGoFloat(q.quantile), value: formatGoFloat(q.value), human: humanValue(name, q.value) })),
    };
    v.value = `count ${formatGoFloat(s.sampleCount)}, sum ${formatGoFloat(s.sampleSum)}`;
    v.human = `${humanValue(name + "_count", s.sampleCount)} samples, sum ${humanValue(name + "_sum", s.sampleSum)}`;
  } else if (m.histogram) {
    const h = m.histogram;
    const count = h.sampleCountFloat ?? h.sampleCount;
    let prev = 0;
    const buckets = h.bucket.map((b) => {
      const c = b.cumulativeCountFloat ?? b.cumulativeCount;
      const inBucket = Math.max(0, c - prev);
      prev = c;
      return { le: formatGoFloat(b.upperBound), count: c, inBucket };
    });
    if (h.bucket.length > 0 && h.bucket[h.bucket.length - 1]!.upperBound !== Infinity) {
      buckets.push({ le: "+Inf", count, inBucket: Math.max(0, count - prev) });
    }
    v.histogram = { count: formatGoFloat(count), sum: formatGoFloat(h.sampleSum), buckets };
    if (isNativeHistogram(h)) v.histogram.native = nativeBuckets(h);
    v.value = `count ${formatGoFloat(count)}, sum ${formatGoFloat(h.sampleSum)}`;
    v.human = `${humanValue(name + "_count", count)} samples, sum ${humanValue(name + "_sum", h.sampleSum)}`;
  } else if (sv !== undefined) {
    v.value = formatGoFloat(sv);
    v.human = humanValue(name, sv);
  }
  return v;
}

export function familyView(name: string, family: MetricFamily, lastPushedMs: number, maxSamples = Infinity): FamilyView {
  // push_failure_time_seconds is rewritten on every push; what matters is its value (0: never failed).
  if (name === PUSH_FAILURE_TIME_METRIC) lastPushedMs = (simpleValue(family.metric[0] ?? { label: [] }) ?? 0) * 1000;
  const shown = family.metric.length > maxSamples ? family.metric.slice(0, maxSamples) : family.metric;
  return {
    name,
    help: family.help,
    type: family.type,
    lastPushedMs,
    synthetic: name === PUSH_TIME_METRIC || name === PUSH_FAILURE_TIME_METRIC,
    samples: shown.map((m) => sampleView(family, m)),
    totalSamples: family.metric.length,
  };
}

/** The detail of group `id`, or undefined when no such group exists (or the id is malformed). */
export function groupDetail(store: StoreReader, id: string, ctx: DetailContext): GroupDetailResponse | undefined {
  const key = decodeGroupId(id);
  if (key === undefined) return undefined;
  const group = store.getGroup(key);
  if (!group) return undefined;
  const summary = summarize(group, ctx.defaultStaleAfterMs, ctx.nowMs, ctx.lifecycle);
  const names = [...group.families.keys()].sort();
  const families: FamilyView[] = [];
  let exposition = "";
  let budget = DETAIL_MAX_SAMPLES;
  let shownSamples = 0;
  let totalSamples = 0;
  for (const name of names) {
    const sf = group.families.get(name)!;
    totalSamples += sf.family.metric.length;
    if (families.length >= DETAIL_MAX_FAMILIES) continue;
    const view = familyView(name, sf.family, sf.timestampMs, budget);
    budget -= view.samples.length;
    shownSamples += view.samples.length;
    families.push(view);
    const shown = view.samples.length === sf.family.metric.length ? sf.family : { ...sf.family, metric: sf.family.metric.slice(0, view.samples.length) };
    if (view.samples.length > 0) exposition += renderFamilyText(shown);
  }
  const truncated =
    families.length < names.length || shownSamples < totalSamples
      ? { shownFamilies: families.length, totalFamilies: names.length, shownSamples, totalSamples }
      : null;
  const row = toRow(summary, ctx.diagnostics);
  const groupingKey = formatGroupingLabels(group.labels);
  const expr = pushAgeExpr(group.labels);
  return {
    row,
    families,
    exposition,
    truncated,
    deletePath: deletePathOf(group.labels, ctx.routePrefix),
    groupingKey,
    title: groupTitle(group.labels),
    timeline: pushTimeline(row, ctx.diagnostics?.get(group.key)),
    prometheus: ctx.prometheusUrl ? { graphUrl: prometheusGraphUrl(ctx.prometheusUrl, expr), expr } : null,
    alertRule: alertRuleYaml(group.labels, row.staleAfterMs, groupingKey),
    nowMs: ctx.nowMs,
    adminApi: ctx.adminApi,
  };
}

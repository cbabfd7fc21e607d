// Push and storage limits (flags --push.max-*, --storage.max-*, --push.rate-limit-per-*; 0 = off). Each
// rejection is a 4xx whose message names the limit and its flag, counted in pushboard_rejected_pushes_total.
// The storage limits are checked against the store before the write is queued: concurrent pushes may pass the
// limit by the few that race, never by more.
import { LIMIT_FLAGS, type PushLimits } from "../config/flags";
import type { LabelPair, MetricFamily } from "../exposition/model";
import { groupingKey } from "../grouping/grouping-key";
import type { StoreReader } from "../store/types";
import { PUSH_FAILURE_TIME_METRIC, PUSH_TIME_METRIC } from "../consistency/check-push";

export interface LimitRejection {
  status: number;
  reason: string;
  message: string;
  retryAfterSeconds?: number;
}

const SYNTHETIC = new Set([PUSH_TIME_METRIC, PUSH_FAILURE_TIME_METRIC]);

function reject(status: number, reason: string, limit: keyof PushLimits, what: string, value: number): LimitRejection {
  return { status, reason, message: `${what} (limit ${value}, --${LIMIT_FLAGS[limit]})` };
}

/** Series count, labels per series and label lengths of one push. */
export function checkPushShape(families: MetricFamily[], grouping: LabelPair[], limits: PushLimits): LimitRejection | undefined {
  const { maxSeriesPerPush, maxLabelsPerSeries, maxLabelNameLength, maxLabelValueLength } = limits;
  const checkLabel = (l: LabelPair): LimitRejection | undefined => {
    if (maxLabelNameLength > 0 && Buffer.byteLength(l.name) > maxLabelNameLength)
      return reject(
        413,
        "label_name_length",
        "maxLabelNameLength",
        `label name ${JSON.stringify(l.name.slice(0, 64))}… is ${Buffer.byteLength(l.name)} bytes long`,
        maxLabelNameLength,
      );
    if (maxLabelValueLength > 0 && Buffer.byteLength(l.value) > maxLabelValueLength)
      return reject(
        413,
        "label_value_length",
        "maxLabelValueLength",
        `value of label ${JSON.stringify(l.name)} is ${Buffer.byteLength(l.value)} bytes long`,
        maxLabelValueLength,
      );
    return undefined;
  };
  for (const l of grouping) {
    const r = checkLabel(l);
    if (r) return r;
  }
  let series = 0;
  for (const f of families) {
    series += f.metric.length;
    if (maxSeriesPerPush > 0 && series > maxSeriesPerPush)
      return reject(413, "series_per_push", "maxSeriesPerPush", `push has more than ${maxSeriesPerPush} series`, maxSeriesPerPush);
    for (const m of f.metric) {
      // Grouping labels are added to every series that lacks them.
      const count = m.label.length + grouping.filter((g) => !m.label.some((l) => l.name === g.name)).length;
      if (maxLabelsPerSeries > 0 && count > maxLabelsPerSeries)
        return reject(413, "labels_per_series", "maxLabelsPerSeries", `a series of ${JSON.stringify(f.name)} has ${count} labels`, maxLabelsPerSeries);
      for (const l of m.label) {
        const r = checkLabel(l);
        if (r) return r;
      }
    }
  }
  return undefined;
}

/** Total groups and series after the push; a re-push that does not grow the store always passes. */
export function checkStorageGrowth(
  store: StoreReader,
  grouping: LabelPair[],
  families: MetricFamily[],
  replace: boolean,
  limits: PushLimits,
): LimitRejection | undefined {
  if (limits.maxGroups <= 0 && limits.maxSeries <= 0) return undefined;
  const existing = store.getGroup(groupingKey(grouping));
  if (!existing && limits.maxGroups > 0 && store.groupCount() >= limits.maxGroups)
    return reject(403, "max_groups", "maxGroups", `the store holds ${store.groupCount()} groups; no new group can be added`, limits.maxGroups);
  if (limits.maxSeries <= 0) return undefined;
  let before = 0;
  let after = 0;
  const pushed = new Set<string>();
  for (const f of families) {
    pushed.add(f.name);
    after += f.metric.length;
  }
  if (existing) {
    for (const [name, sf] of existing.families) {
      if (SYNTHETIC.has(name)) continue;
      before += sf.family.metric.length;
      if (!replace && !pushed.has(name)) after += sf.family.metric.length;
    }
  } else after += 2; // push_time_seconds and push_failure_time_seconds
  const total = store.seriesCount() - before + after;
  if (after > before && total > limits.maxSeries)
    return reject(403, "max_series", "maxSeries", `the push would grow the store to ${total} series`, limits.maxSeries);
  return undefined;
}

/** Token buckets (rate per second, a burst of one second's worth), bounded in the number of keys. */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; atMs: number }>();
  constructor(
    private readonly ratePerSecond: number,
    private readonly maxKeys = 100_000,
  ) {}

  /** 0 when allowed, else the seconds to wait. */
  take(key: string, nowMs: number): number {
    const burst = Math.max(1, this.ratePerSecond);
    let b = this.buckets.get(key);
    if (!b) {
      b = { tokens: burst, atMs: nowMs };
      this.buckets.set(key, b);
      if (this.buckets.size > this.maxKeys) this.buckets.delete(this.buckets.keys().next().value!);
    }
    b.tokens = Math.min(burst, b.tokens + ((nowMs - b.atMs) / 1000) * this.ratePerSecond);
    b.atMs = nowMs;
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - b.tokens) / this.ratePerSecond));
  }
}

export function rateLimited(kind: "job" | "client", who: string, limits: PushLimits, retryAfterSeconds: number): LimitRejection {
  const key = kind === "job" ? "pushRatePerJob" : "pushRatePerClient";
  const r = reject(429, `rate_limit_${kind}`, key, `too many pushes from ${kind} ${JSON.stringify(who)}`, limits[key]);
  return { ...r, message: r.message.replace("(limit ", "(limit per second ") + `; retry in ${retryAfterSeconds} s`, retryAfterSeconds };
}

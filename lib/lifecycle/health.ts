// Per-group health: the `up` that a pushed job does not have. A group is overdue when its last push attempt
// (success or failure: a failing pusher is alive) is older than its cadence allows:
//   - a lifecycle rule's `expect_every` (the longest gap the operator accepts), else
//   - the cadence learnt from its push history × 3 (the dashboard's staleness rule, lib/dashboard/staleness.ts), else
//   - --dashboard.stale-after.
// Exported on /metrics as pushboard_group_up (1 fresh, 0 overdue) and
// pushboard_group_expected_interval_seconds (the cadence used; absent while unknown), with exactly the labels of
// the group's push_time_seconds, so `time() - push_time_seconds` and these join in PromQL.
import type { Metric, MetricFamily } from "../exposition/model";
import { compareMetrics, renderFamilyHeader, renderMetricText } from "../exposition/render-text";
import { groupBase, type GroupBase } from "../dashboard/summary";
import { PUSH_TIME_METRIC } from "../consistency/check-push";
import { staleFloorMs, staleThresholdMs } from "../dashboard/staleness";
import type { Group, MetricStore } from "../store/types";
import { resolveLifecycle, type LifecycleRule, type LifecycleRules, type ResolvedLifecycle } from "./rules";

import { GROUP_EXPECTED_INTERVAL_METRIC, GROUP_UP_METRIC } from "../consistency/check-push";

const UP_HELP = "1 while the group pushes on its cadence, 0 once it is overdue (pushboard: the up of a pushed job).";
const INTERVAL_HELP = "The push cadence pushboard expects of the group: declared by a lifecycle rule, or learnt from its pushes.";

export type CadenceSource = "rule" | "learnt" | "default";

export interface GroupHealth {
  overdue: boolean;
  /** The cadence used, or null when neither declared nor learnt. */
  intervalMs: number | null;
  source: CadenceSource;
  /** Age of the last push attempt after which the group is overdue. */
  overdueAfterMs: number;
  /** When it turns (or turned) overdue, or null if it never pushed. */
  overdueAtMs: number | null;
  /** The rule that declared the cadence. */
  rule?: LifecycleRule;
}

/** The health of a group at `nowMs` from its summary base and its resolved lifecycle rules. */
export function groupHealth(base: GroupBase, lifecycle: ResolvedLifecycle, defaultStaleAfterMs: number, nowMs: number): GroupHealth {
  let intervalMs: number | null;
  let overdueAfterMs: number;
  let source: CadenceSource;
  if (lifecycle.expectEvery) {
    intervalMs = lifecycle.expectEvery.ms;
    overdueAfterMs = intervalMs;
    source = "rule";
  } else if (base.intervalMs !== null) {
    intervalMs = base.intervalMs;
    overdueAfterMs = staleThresholdMs(intervalMs, defaultStaleAfterMs);
    source = "learnt";
  } else {
    intervalMs = null;
    overdueAfterMs = defaultStaleAfterMs;
    source = "default";
  }
  const overdueAtMs = base.lastAttemptMs === null ? null : base.lastAttemptMs + overdueAfterMs;
  return { overdue: overdueAtMs === null || nowMs > overdueAtMs, intervalMs, source, overdueAfterMs, overdueAtMs, rule: lifecycle.expectEvery?.rule };
}

/** The store as the exporter needs it. */
export type HealthStoreView = Pick<MetricStore, "groups" | "onChange" | "getGroup">;

/** Families for the scrape, with the text exposition of each already rendered (samples in exposition order). */
export interface DerivedSnapshot {
  version: number;
  families: MetricFamily[];
  text: Map<string, string>;
}

interface HealthEntry {
  group: Group;
  /** The rules the entry was computed under, and when (with them) the group turns overdue. */
  rules: LifecycleRules;
  overdueAtMs: number | null;
  up: Metric;
  upLine: string;
  intervalMs: number | null;
  interval: Metric | null;
  intervalLine: string;
}

/**
 * Builds the two health families for /metrics. The families only change when a write lands, the rules change, or
 * the clock passes the moment the next group turns overdue; between those, a scrape reuses the last result
 * (`version` tells the renderer whether its encoded copy is still good).
 */
export class GroupHealthExporter {
  private cached: (DerivedSnapshot & { validUntilMs: number }) | undefined;
  /** Per group key: the samples and text lines of the last snapshot, and the group object they were made from. */
  private readonly entries = new Map<string, HealthEntry>();
  /** Entries in exposition order (compareMetrics of their labels), kept while the set of groups is unchanged. */
  private order: HealthEntry[] | undefined;
  private version = 0;
  private readonly resolved = new WeakMap<Group, { rules: LifecycleRules; lifecycle: ResolvedLifecycle }>();

  constructor(
    private readonly store: HealthStoreView,
    private readonly rules: () => LifecycleRules,
    private readonly defaultStaleAfterMs: number,
  ) {
    store.onChange(() => (this.cached = undefined));
  }

  readonly names = [GROUP_EXPECTED_INTERVAL_METRIC, GROUP_UP_METRIC] as const;

  /** Forget the cached result (the rules changed). */
  invalidate(): void {
    this.cached = undefined;
  }

  lifecycleOf(group: Group): ResolvedLifecycle {
    const rules = this.rules();
    const hit = this.resolved.get(group);
    if (hit && hit.rules === rules) return hit.lifecycle;
    const labels = new Map(group.labels.map((l) => [l.name, l.value] as const));
    const lifecycle = resolveLifecycle(rules, labels);
    this.resolved.set(group, { rules, lifecycle });
    return lifecycle;
  }

  healthOf(group: Group, nowMs: number): GroupHealth {
    return groupHealth(groupBase(group, staleFloorMs(this.defaultStaleAfterMs)), this.lifecycleOf(group), this.defaultStaleAfterMs, nowMs);
  }

  /**
   * The two families at `nowMs`. Per group, the samples and their text lines are kept from the last snapshot while
   * the group object (the store replaces it on every write) and its health are unchanged, and the sample order is
   * kept while the set of groups is: after a push, only that group's lines are rendered again.
   */
  snapshot(nowMs: number): DerivedSnapshot {
    if (this.cached && nowMs <= this.cached.validUntilMs) return this.cached;
    let validUntilMs = Infinity;
    let setChanged = false;
    let seen = 0;
    for (const g of this.store.groups()) {
      const label = g.families.get(PUSH_TIME_METRIC)?.family.metric[0]?.label;
      if (!label) continue;
      seen++;
      const prev = this.entries.get(g.key);
      // The same group object (not written since) under the same rules changes only when its overdue time passes.
      if (prev && prev.group === g && prev.rules === this.rules() && (prev.up.gauge!.value === 0 || prev.overdueAtMs === null || nowMs <= prev.overdueAtMs)) {
        if (prev.up.gauge!.value === 1 && prev.overdueAtMs !== null) validUntilMs = Math.min(validUntilMs, prev.overdueAtMs);
        continue;
      }
      const h = this.healthOf(g, nowMs);
      if (!h.overdue && h.overdueAtMs !== null) validUntilMs = Math.min(validUntilMs, h.overdueAtMs);
      const upValue = h.overdue ? 0 : 1;
      if (prev && prev.group === g && prev.up.gauge!.value === upValue && prev.intervalMs === h.intervalMs) {
        prev.overdueAtMs = h.overdueAtMs;
        prev.rules = this.rules();
        continue;
      }
      if (!prev) setChanged = true;
      const up: Metric = { label, gauge: { value: upValue } };
      const interval: Metric | null = h.intervalMs === null ? null : { label, gauge: { value: h.intervalMs / 1000 } };
      this.entries.set(g.key, {
        group: g,
        rules: this.rules(),
        overdueAtMs: h.overdueAtMs,
        up,
        upLine: renderMetricText(GROUP_UP_METRIC, "GAUGE", up),
        intervalMs: h.intervalMs,
        interval,
        intervalLine: interval ? renderMetricText(GROUP_EXPECTED_INTERVAL_METRIC, "GAUGE", interval) : "",
      });
    }
    if (seen !== this.entries.size) {
      for (const key of this.entries.keys()) if (!this.store.getGroup(key)) this.entries.delete(key);
      setChanged = true;
    }
    if (setChanged || !this.order) this.order = [...this.entries.values()].sort((a, b) => compareMetrics(a.up, b.up));
    else this.order = this.order.map((e) => this.entries.get(e.group.key)!);
    const order = this.order;
    const withInterval = order.filter((e) => e.interval !== null);
    const text = new Map<string, string>();
    if (withInterval.length)
      text.set(
        GROUP_EXPECTED_INTERVAL_METRIC,
        renderFamilyHeader(GROUP_EXPECTED_INTERVAL_METRIC, INTERVAL_HELP, "GAUGE") + withInterval.map((e) => e.intervalLine).join(""),
      );
    if (order.length) text.set(GROUP_UP_METRIC, renderFamilyHeader(GROUP_UP_METRIC, UP_HELP, "GAUGE") + order.map((e) => e.upLine).join(""));
    const families: MetricFamily[] = [];
    if (withInterval.length)
      families.push({ name: GROUP_EXPECTED_INTERVAL_METRIC, help: INTERVAL_HELP, type: "GAUGE", metric: withInterval.map((e) => e.interval!) });
    if (order.length) families.push({ name: GROUP_UP_METRIC, help: UP_HELP, type: "GAUGE", metric: order.map((e) => e.up) });
    this.cached = { version: ++this.version, families, text, validUntilMs };
    return this.cached;
  }
}

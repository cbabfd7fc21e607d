// Per-group summaries for the groups table.
//
// Everything that depends only on the group's contents (labels, counts, push times, typical interval, the
// filter haystack) is computed once per Group object and cached in a WeakMap: the store replaces a Group
// object on every write, and a cheap fingerprint guards against a store that mutates one in place. Only the
// time-dependent part (stale or not) is recomputed per request, which is a few comparisons per group.
import type { Group } from "../store/types";
import type { PushDiagnostics } from "../protocol/push-diagnostics";
import type { FilterSubject } from "./filter";
import { encodeGroupId, orderGroupLabels } from "./group-id";
import { laggingFamilies } from "../lifecycle/stale-families";
import { isStale, learnCadence, staleFloorMs, staleThresholdMs } from "./staleness";
import type { GroupRow, GroupStatus } from "./types";
import { PUSH_FAILURE_TIME_METRIC, PUSH_TIME_METRIC } from "../consistency/check-push";
import { lastPushSuccessful, syntheticValue } from "../store/store-state";

/** The time-independent part of a summary. */
export interface GroupBase {
  id: string;
  key: string;
  labels: GroupRow["labels"];
  labelMap: Map<string, string>;
  job: string;
  /** `job="…",a="…"` in display order, for sorting by labels. */
  labelSortKey: string;
  haystack: string;
  lastPushMs: number | null;
  lastFailureMs: number | null;
  lastPushFailed: boolean;
  lastAttemptMs: number | null;
  lastError: GroupRow["lastError"];
  families: number;
  series: number;
  intervalMs: number | null;
  /** Pushes the learnt cadence came from; without one, the distinct pushes known. */
  cadencePushes: number;
  pushHistory: number[];
  /** Families left behind by the group's pushes (lib/lifecycle/stale-families.ts), or null. */
  staleFamilies: GroupRow["staleFamilies"];
}

/** What lifecycle rules say of a group (lib/lifecycle/lifecycle.ts implements it). */
export interface GroupLifecycleView {
  /** The cadence a rule declares (expect_every), if any. */
  declaredCadenceMs(group: Group): number | undefined;
  /** When a rule's expire_after deletes the group, if one applies. */
  expiresAtMs(group: Group): number | undefined;
  /**
   * Changes (by identity) whenever the rules do, so the list index (list-index.ts) can keep what declaredCadenceMs
   * said per group; without it the index asks again on every request.
   */
  rulesVersion?(): unknown;
}

/** A summary at a point in time. */
export interface GroupSummary extends FilterSubject {
  base: GroupBase;
  /** The most urgent of the facts: failed, else stale, else fresh. */
  status: GroupStatus;
  staleAfterMs: number;
  /** The cadence the staleness rule used: declared by a rule, learnt from pushes, or none (the default). */
  cadenceMs: number | null;
  cadenceSource: "rule" | "learnt" | "default";
  expiresAtMs: number | null;
}

function gaugeSeconds(group: Group, name: string): number | null {
  const v = syntheticValue(group, name);
  return v === 0 || !Number.isFinite(v) ? null : v * 1000;
}

export function computeBase(group: Group, floorMs: number): GroupBase {
  const labels = orderGroupLabels(group.labels);
  const labelMap = new Map(labels.map((l) => [l.name, l.value]));
  let families = 0;
  let series = 0;
  const hay: string[] = labels.map((l) => `${l.name}=${l.value}`);
  for (const [name, sf] of group.families) {
    if (name === PUSH_TIME_METRIC || name === PUSH_FAILURE_TIME_METRIC) continue;
    families++;
    series += sf.family.metric.length;
    hay.push(name);
  }
  const lastPushMs = gaugeSeconds(group, PUSH_TIME_METRIC);
  const lastFailureMs = gaugeSeconds(group, PUSH_FAILURE_TIME_METRIC);
  const lastPushFailed = !lastPushSuccessful(group);
  const lastAttemptMs = lastPushMs === null ? lastFailureMs : lastFailureMs === null ? lastPushMs : Math.max(lastPushMs, lastFailureMs);
  const learnt = learntFields(group.pushHistory, floorMs);
  const lagging = laggingFamilies(group, learnt.intervalMs);
  return {
    id: encodeGroupId(group.key),
    key: group.key,
    labels,
    labelMap,
    job: labelMap.get("job") ?? "",
    labelSortKey: labels.map((l) => `${l.name}=${JSON.stringify(l.value)}`).join(","),
    haystack: hay.join("\n").toLowerCase(),
    lastPushMs,
    lastFailureMs,
    lastPushFailed,
    lastAttemptMs,
    lastError: group.lastError ? { timeMs: group.lastError.timeMs, message: group.lastError.message } : null,
    families,
    series,
    ...learnt,
    pushHistory: [...group.pushHistory],
    staleFamilies:
      lagging.length === 0
        ? null
        : { count: lagging.length, newestWriteMs: lagging[lagging.length - 1]!.timestampMs, names: lagging.slice(0, 5).map((sf) => sf.family.name) },
  };
}

function learntFields(history: readonly number[], floorMs: number): Pick<GroupBase, "intervalMs" | "cadencePushes"> {
  const learnt = learnCadence(history, floorMs);
  return learnt ? { intervalMs: learnt.intervalMs, cadencePushes: learnt.pushes } : { intervalMs: null, cadencePushes: new Set(history).size };
}

function fingerprint(g: Group): string {
  const h = g.pushHistory;
  return `${h.length}|${h[h.length - 1] ?? ""}|${g.families.size}|${g.families.get(PUSH_TIME_METRIC)?.timestampMs ?? ""}|${
    g.families.get(PUSH_FAILURE_TIME_METRIC)?.timestampMs ?? ""
  }|${g.lastError?.timeMs ?? ""}`;
}

interface CacheEntry {
  fp: string;
  floorMs: number;
  base: GroupBase;
}

/** Shared across Next's route bundles (each may hold its own copy of this module). */
const holder = globalThis as unknown as { __pushboardDashboardCache?: WeakMap<Group, CacheEntry> };
const cache = (holder.__pushboardDashboardCache ??= new WeakMap<Group, CacheEntry>());

export const cacheStats = { hits: 0, misses: 0 };

export function groupBase(group: Group, floorMs: number): GroupBase {
  const fp = fingerprint(group);
  const hit = cache.get(group);
  if (hit && hit.fp === fp && hit.floorMs === floorMs) {
    cacheStats.hits++;
    return hit.base;
  }
  cacheStats.misses++;
  const base = computeBase(group, floorMs);
  cache.set(group, { fp, floorMs, base });
  return base;
}

/**
 * A group's summary at `nowMs`. A cadence declared by a lifecycle rule (expect_every) is the longest accepted gap
 * and replaces the learnt one, as for pushboard_group_up (lib/lifecycle/health.ts).
 */
export function summarize(group: Group, defaultStaleAfterMs: number, nowMs: number, lifecycle?: GroupLifecycleView): GroupSummary {
  const base = groupBase(group, staleFloorMs(defaultStaleAfterMs));
  const declared = lifecycle?.declaredCadenceMs(group);
  const staleAfterMs = declared ?? staleThresholdMs(base.intervalMs, defaultStaleAfterMs);
  const stale = isStale(base.lastAttemptMs, staleAfterMs, nowMs);
  // Stale and failed are independent facts (a stopped pusher whose last attempt was rejected is both); `status`
  // is the single most urgent one, for a badge or a sort: failed, then stale, then fresh.
  const status: GroupStatus = base.lastPushFailed ? "failed" : stale ? "stale" : "fresh";
  return {
    base,
    staleAfterMs,
    stale,
    failed: base.lastPushFailed,
    status,
    labels: base.labelMap,
    haystack: base.haystack,
    staleFamilies: base.staleFamilies?.count ?? 0,
    cadenceMs: declared ?? base.intervalMs,
    cadenceSource: declared !== undefined ? "rule" : base.intervalMs !== null ? "learnt" : "default",
    expiresAtMs: lifecycle?.expiresAtMs(group) ?? null,
  };
}

/** The table row of a summary; with diagnostics, the key's rejected pushes too. */
export function toRow(s: GroupSummary, diagnostics?: Pick<PushDiagnostics, "get">): GroupRow {
  const b = s.base;
  const rej = diagnostics?.get(b.key);
  const last = rej?.recent[0];
  return {
    id: b.id,
    labels: b.labels,
    lastPushMs: b.lastPushMs,
    lastFailureMs: b.lastFailureMs,
    lastPushFailed: b.lastPushFailed,
    lastError: b.lastError,
    families: b.families,
    series: b.series,
    status: s.status,
    stale: s.stale,
    intervalMs: b.intervalMs,
    staleAfterMs: s.staleAfterMs,
    pushHistory: b.pushHistory,
    cadenceMs: s.cadenceMs,
    cadenceSource: s.cadenceSource,
    cadencePushes: b.cadencePushes,
    expiresAtMs: s.expiresAtMs,
    staleFamilies: b.staleFamilies,
    rejected: rej && last ? { count: rej.count, last: { timeMs: last.timeMs, status: last.status, message: last.message, client: last.client ?? null } } : null,
  };
}

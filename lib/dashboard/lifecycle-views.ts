// The dashboard's Activity (audit trail) and Expiries (lifecycle preview) pages' data.
import type { Lifecycle } from "../lifecycle/lifecycle";
import { formatPrometheusDuration } from "../lifecycle/prom-duration";
import type { StoreReader } from "../store/types";
import type { PushDiagnostics } from "../protocol/push-diagnostics";
import { encodeGroupId, orderGroupLabels } from "./group-id";
import type { ActivityResponse, ExpiriesResponse } from "./types";

export const ACTIVITY_LIMIT = 500;
export const EXPIRY_HORIZON_MS = 24 * 3600_000;

export function activity(store: StoreReader, diagnostics: PushDiagnostics | undefined, nowMs: number, limit = ACTIVITY_LIMIT): ActivityResponse {
  const restorable = new Map(store.restorable(nowMs).map((r) => [r.entry.id, r.untilMs]));
  return {
    nowMs,
    rejections: (diagnostics?.all(limit) ?? []).map((r) => ({
      labels: orderGroupLabels(r.labels),
      id: store.getGroup(r.key) ? encodeGroupId(r.key) : null,
      count: r.count,
      recent: r.recent.map((x) => ({ timeMs: x.timeMs, status: x.status, message: x.message, client: x.client ?? null })),
    })),
    entries: store.audit(limit).map((e) => ({
      id: e.id ?? null,
      timeMs: e.timeMs,
      action: e.action,
      families: e.families ?? null,
      restorableUntilMs: (e.id !== undefined ? restorable.get(e.id) : undefined) ?? null,
      source: e.source,
      labels: orderGroupLabels(e.labels),
      groups: e.groups,
      series: e.series,
      rule: e.rule ?? null,
      user: e.user ?? null,
      client: e.client ?? null,
      userAgent: e.userAgent ?? null,
    })),
  };
}

export function expiries(lifecycle: Lifecycle | undefined, nowMs: number, horizonMs = EXPIRY_HORIZON_MS): ExpiriesResponse {
  const rules = lifecycle?.rules();
  return {
    source: rules?.source ?? "",
    rules: (rules?.rules ?? []).map((r) => ({
      index: r.index,
      match: r.match.text,
      expectEvery: r.expectEveryMs === undefined ? null : formatPrometheusDuration(r.expectEveryMs),
      expireAfter: r.expireAfterMs === undefined ? null : formatPrometheusDuration(r.expireAfterMs),
      expireFamiliesAfter: r.expireFamiliesAfterMs === undefined ? null : formatPrometheusDuration(r.expireFamiliesAfterMs),
    })),
    upcoming: (lifecycle?.upcoming(nowMs + horizonMs) ?? []).map((e) => ({
      id: encodeGroupId(e.group.key),
      labels: orderGroupLabels(e.group.labels),
      dueAtMs: e.dueAtMs,
      rule: e.rule.index,
      match: e.rule.match.text,
    })),
    horizonMs,
    nowMs,
  };
}

// pushboard's lifecycle API, beside the Pushgateway's /api/v1 (JSON in Prometheus' API envelope):
//   GET    /api/v1/groups?match[]=<selector>&stale=true|false&not_pushed_for=<duration>   list groups
//   DELETE /api/v1/groups?match[]=…&not_pushed_for=…[&dry_run=true]                       delete them (admin API)
//   DELETE /api/v1/groups?match[]=…&family=<name>[&family=…][&dry_run=true]              delete only those families
//   GET    /api/v1/lifecycle     the rules in force and every group due to expire in the next 24 h
//   GET    /api/v1/audit?limit=N the audit trail, newest first
// Several match[] are ORed, as in Prometheus; stale and not_pushed_for narrow the result further. A delete
// re-checks every group inside the write queue (a group pushed since it was listed is kept).
import type { LabelPair } from "../exposition/model";
import { GroupHealthExporter } from "../lifecycle/health";
import type { Lifecycle } from "../lifecycle/lifecycle";
import { DurationError, formatPrometheusDuration, parsePrometheusDuration } from "../lifecycle/prom-duration";
import { parseSelector, SelectorError, type Selector } from "../lifecycle/selector";
import { lastAttemptMs, syntheticValue } from "../store/store-state";
import type { AuditEntry, AuditSource, FamilyDeleteCondition, Group, MetricStore, WriteResult } from "../store/types";
import { PUSH_FAILURE_TIME_METRIC, PUSH_TIME_METRIC } from "../consistency/check-push";
import { CORS_HEADERS } from "./api-v1";
import type { ProtocolResponse } from "./response";

const PREVIEW_HORIZON_MS = 24 * 3600_000;
const MAX_AUDIT_LIMIT = 10_000;

export class ApiQueryError extends Error {}

function json(status: number, body: unknown, extra: Record<string, string> = {}): ProtocolResponse {
  return { status, headers: { ...CORS_HEADERS, "Content-Type": "application/json", ...extra }, body: JSON.stringify(body) };
}

export function apiError(status: number, message: string): ProtocolResponse {
  return json(status, { status: "error", errorType: status === 403 ? "forbidden" : "bad_data", error: message });
}

const labelObject = (labels: readonly LabelPair[]): Record<string, string> => Object.fromEntries(labels.map((l) => [l.name, l.value]));
const iso = (ms: number | null): string | null => (ms === null || ms <= 0 ? null : new Date(ms).toISOString());

export interface GroupsQuery {
  selectors: Selector[];
  stale?: boolean;
  notPushedForMs?: number;
  dryRun: boolean;
  /** family=<name> (repeatable): delete only these families of the selected groups. */
  families: string[];
}

/** Parses the query string of /api/v1/groups; throws ApiQueryError with a message for the client. */
export function parseGroupsQuery(query: string): GroupsQuery {
  const params = new URLSearchParams(query.startsWith("?") ? query.slice(1) : query);
  const selectors: Selector[] = [];
  for (const m of params.getAll("match[]")) {
    try {
      selectors.push(parseSelector(m));
    } catch (err) {
      if (err instanceof SelectorError) throw new ApiQueryError(`invalid match[] ${JSON.stringify(m)}: ${err.message}`);
      throw err;
    }
  }
  const families = [...new Set(params.getAll("family"))];
  for (const f of families) {
    if (f === "") throw new ApiQueryError('invalid family "": a metric family name');
    if (f === PUSH_TIME_METRIC || f === PUSH_FAILURE_TIME_METRIC)
      throw new ApiQueryError(`family ${f} cannot be deleted on its own: it records the group's pushes (delete the group instead)`);
  }
  const out: GroupsQuery = { selectors, dryRun: false, families };
  const bool = (name: string): boolean | undefined => {
    const v = params.get(name);
    if (v === null) return undefined;
    if (v === "true" || v === "1") return true;
    if (v === "false" || v === "0") return false;
    throw new ApiQueryError(`invalid ${name} ${JSON.stringify(v)}: true or false`);
  };
  out.stale = bool("stale");
  out.dryRun = bool("dry_run") ?? false;
  const npf = params.get("not_pushed_for");
  if (npf !== null) {
    try {
      out.notPushedForMs = parsePrometheusDuration(npf);
    } catch (err) {
      if (err instanceof DurationError) throw new ApiQueryError(`invalid not_pushed_for: ${err.message}`);
      throw err;
    }
  }
  return out;
}

export interface LifecycleApiDeps {
  store: MetricStore;
  lifecycle: Lifecycle;
  enableAdminApi: boolean;
  now: () => number;
}

function selectGroups(deps: LifecycleApiDeps, q: GroupsQuery, nowMs: number): Group[] {
  const out: Group[] = [];
  for (const g of deps.store.groups()) {
    if (q.selectors.length > 0) {
      const labels = new Map(g.labels.map((l) => [l.name, l.value] as const));
      if (!q.selectors.some((s) => s.matches(labels))) continue;
    }
    if (q.stale !== undefined && deps.lifecycle.health.healthOf(g, nowMs).overdue !== q.stale) continue;
    if (q.notPushedForMs !== undefined && nowMs - lastAttemptMs(g) < q.notPushedForMs) continue;
    out.push(g);
  }
  return out;
}

function groupJson(health: GroupHealthExporter, lifecycle: Lifecycle, g: Group, nowMs: number) {
  const h = health.healthOf(g, nowMs);
  const lastPush = syntheticValue(g, PUSH_TIME_METRIC) * 1000;
  const lastFailure = syntheticValue(g, PUSH_FAILURE_TIME_METRIC) * 1000;
  const failed = lastFailure > lastPush;
  const expiry = lifecycle.expiryOf(g);
  return {
    labels: labelObject(g.labels),
    last_push: iso(lastPush),
    last_failure: iso(lastFailure),
    last_error: g.lastError ? { time: iso(g.lastError.timeMs), message: g.lastError.message } : null,
    status: h.overdue ? "stale" : failed ? "failed" : "fresh",
    stale: h.overdue,
    failed,
    expected_interval_seconds: h.intervalMs === null ? null : h.intervalMs / 1000,
    cadence_source: h.source,
    overdue_at: iso(h.overdueAtMs),
    expires_at: expiry ? iso(expiry.dueAtMs) : null,
  };
}

/** The parsed query, or the 400 that says what is wrong with it. */
function groupsQueryOr400(query: string): GroupsQuery | ProtocolResponse {
  try {
    return parseGroupsQuery(query);
  } catch (err) {
    if (err instanceof ApiQueryError) return apiError(400, err.message);
    throw err;
  }
}

export function listGroupsApi(deps: LifecycleApiDeps, query: string): ProtocolResponse {
  const q = groupsQueryOr400(query);
  if ("status" in q) return q;
  const nowMs = deps.now();
  const groups = selectGroups(deps, q, nowMs);
  return json(200, { status: "success", data: groups.map((g) => groupJson(deps.lifecycle.health, deps.lifecycle, g, nowMs)) });
}

export async function deleteGroupsApi(deps: LifecycleApiDeps, query: string, audit: AuditSource): Promise<ProtocolResponse> {
  if (!deps.enableAdminApi) return apiError(403, "deleting by selector is an admin API: start pushboard with --web.enable-admin-api");
  const q = groupsQueryOr400(query);
  if ("status" in q) return q;
  if (q.selectors.length === 0) return apiError(400, "at least one match[] selector is required to delete groups");
  const nowMs = deps.now();
  const groups = selectGroups(deps, q, nowMs);
  if (q.families.length > 0) return deleteFamiliesApi(deps, q, groups, audit);
  if (q.dryRun || groups.length === 0) {
    return json(200, {
      status: "success",
      data: { dry_run: q.dryRun, deleted: 0, would_delete: q.dryRun ? groups.length : 0, groups: groups.map((g) => labelObject(g.labels)) },
    });
  }
  const res = await deps.store.submit({ kind: "deleteIf", groups: groups.map((g) => ({ key: g.key, lastAttemptAtMostMs: lastAttemptMs(g) })), audit });
  if (!res.ok) return apiError(res.status, res.message);
  const removed = res.removed ?? [];
  return json(200, {
    status: "success",
    data: {
      dry_run: false,
      deleted: removed.length,
      kept: groups.length - removed.length,
      groups: removed.map((r) => labelObject(r.labels)),
      undo: undoJson(res),
    },
  });
}

function undoJson(res: WriteResult): { operation: string; until: string | null } | null {
  return res.ok && res.undo ? { operation: res.undo.operation, until: iso(res.undo.untilMs) } : null;
}

/** family=…: removes those families from each selected group, each only if not written since it was selected. */
async function deleteFamiliesApi(deps: LifecycleApiDeps, q: GroupsQuery, groups: Group[], audit: AuditSource): Promise<ProtocolResponse> {
  const conditions: FamilyDeleteCondition[] = [];
  for (const g of groups) {
    const families = q.families.flatMap((name) => {
      const sf = g.families.get(name);
      return sf ? [{ name, timestampMs: sf.timestampMs }] : [];
    });
    if (families.length > 0) conditions.push({ key: g.key, families });
  }
  const listed = (c: FamilyDeleteCondition[]) =>
    c.map((x) => ({ labels: labelObject(deps.store.getGroup(x.key)?.labels ?? []), families: x.families.map((f) => f.name) }));
  if (q.dryRun || conditions.length === 0) {
    return json(200, {
      status: "success",
      data: { dry_run: q.dryRun, deleted: 0, would_delete: q.dryRun ? conditions.length : 0, groups: q.dryRun ? listed(conditions) : [] },
    });
  }
  const res = await deps.store.submit({ kind: "deleteFamilies", groups: conditions, audit });
  if (!res.ok) return apiError(res.status, res.message);
  const removed = res.removed ?? [];
  return json(200, {
    status: "success",
    data: {
      dry_run: false,
      deleted: removed.length,
      kept: conditions.length - removed.length,
      groups: removed.map((r) => ({ labels: labelObject(r.labels), families: r.families ?? [] })),
      undo: undoJson(res),
    },
  });
}

export function lifecycleApi(deps: LifecycleApiDeps): ProtocolResponse {
  const nowMs = deps.now();
  const rules = deps.lifecycle.rules();
  return json(200, {
    status: "success",
    data: {
      source: rules.source || null,
      rules: rules.rules.map((r) => ({
        index: r.index,
        line: r.line,
        match: r.match.text,
        expect_every: r.expectEveryMs === undefined ? null : formatPrometheusDuration(r.expectEveryMs),
        expire_after: r.expireAfterMs === undefined ? null : formatPrometheusDuration(r.expireAfterMs),
        expire_families_after: r.expireFamiliesAfterMs === undefined ? null : formatPrometheusDuration(r.expireFamiliesAfterMs),
      })),
      upcoming_expiries: deps.lifecycle.upcoming(nowMs + PREVIEW_HORIZON_MS).map((e) => ({
        labels: labelObject(e.group.labels),
        due_at: iso(e.dueAtMs),
        rule: e.rule.index,
        match: e.rule.match.text,
      })),
    },
  });
}

function auditJson(e: AuditEntry) {
  return {
    id: e.id ?? null,
    time: iso(e.timeMs),
    action: e.action,
    families: e.families ?? null,
    restores: e.restores ?? null,
    source: e.source,
    labels: labelObject(e.labels),
    groups: e.groups,
    series: e.series,
    rule: e.rule ?? null,
    user: e.user ?? null,
    client: e.client ?? null,
    user_agent: e.userAgent ?? null,
  };
}

export function auditApi(deps: LifecycleApiDeps, query: string): ProtocolResponse {
  const params = new URLSearchParams(query.startsWith("?") ? query.slice(1) : query);
  const raw = params.get("limit") ?? "100";
  const limit = Number(raw);
  if (!/^\d+$/.test(raw) || limit < 1) return apiError(400, `invalid limit ${JSON.stringify(raw)}: a positive integer`);
  return json(200, { status: "success", data: deps.store.audit(Math.min(limit, MAX_AUDIT_LIMIT)).map(auditJson) });
}

// Undo and family deletes from the dashboard: restore an audited delete (POST /api/ui/undo/<id>), list what can
// still be restored (GET /api/ui/undo), and delete chosen families of one group (POST
// /api/ui/groups/<id>/families/delete). All go through MetricStore.submit, ordered with pushes and durable.
import type { AuditSource, MetricStore, RestoreOutcome } from "../store/types";
import { PUSH_FAILURE_TIME_METRIC, PUSH_TIME_METRIC } from "../consistency/check-push";
import { ActionError } from "./actions";
import { decodeGroupId, encodeGroupId, orderGroupLabels } from "./group-id";
import type { FamilyDeleteResponse, RestorableResponse, RestoreResponse } from "./types";

const MAX_FAMILIES = 10_000;

/** The HTTP status of a restore: 200 if anything came back, else 409 (refused or already restored), 410 or 404. */
export function restoreStatus(o: RestoreOutcome): number {
  if (o.restored.length > 0) return 200;
  if (o.refused.length > 0 || o.missing.some((m) => m.reason === "restored")) return 409;
  if (o.missing.some((m) => m.reason === "expired")) return 410;
  return 404;
}

export async function restoreDeletion(store: MetricStore, id: string, audit: AuditSource): Promise<{ status: number; body: RestoreResponse }> {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) throw new ActionError(`invalid deletion id ${JSON.stringify(id.slice(0, 80))}`, 400);
  const res = await store.submit({ kind: "restore", ids: [id], audit });
  if (!res.ok) throw new ActionError(res.message, res.status);
  const o = res.restore!;
  const body: RestoreResponse = {
    restored: o.restored.map((r) => ({
      labels: orderGroupLabels(r.labels),
      id: store.getGroup(r.key) ? encodeGroupId(r.key) : null,
      families: r.families ?? null,
    })),
    refused: o.refused.map((r) => ({ labels: orderGroupLabels(r.labels), reason: r.reason })),
    missing: o.missing,
  };
  return { status: restoreStatus(o), body };
}

export function restorableDeletions(store: MetricStore, nowMs: number, undoWindowMs: number): RestorableResponse {
  return {
    entries: store.restorable(nowMs).map((r) => ({
      id: r.entry.id,
      operation: r.entry.operation ?? null,
      timeMs: r.entry.timeMs,
      untilMs: r.untilMs,
      action: r.entry.action,
      labels: orderGroupLabels(r.entry.labels),
      groups: r.groups,
      families: r.entry.families ?? null,
    })),
    undoWindowMs,
    nowMs,
  };
}

/** Validates {"families": [{"name": string, "lastPushedMs": number}, ...]} (the write times the page showed). */
export function readFamilies(body: unknown): Array<{ name: string; timestampMs: number }> {
  const list = typeof body === "object" && body !== null ? (body as { families?: unknown }).families : undefined;
  if (!Array.isArray(list) || list.length === 0) throw new ActionError('"families" must be a non-empty array of {"name", "lastPushedMs"}', 400);
  if (list.length > MAX_FAMILIES) throw new ActionError(`at most ${MAX_FAMILIES} families per request`, 400);
  return list.map((f) => {
    const { name, lastPushedMs } = (f ?? {}) as { name?: unknown; lastPushedMs?: unknown };
    if (typeof name !== "string" || typeof lastPushedMs !== "number" || !Number.isFinite(lastPushedMs)) {
      throw new ActionError('each family must be {"name": string, "lastPushedMs": number}', 400);
    }
    if (name === PUSH_TIME_METRIC || name === PUSH_FAILURE_TIME_METRIC)
      throw new ActionError(`${name} cannot be deleted on its own: it records the group's pushes (delete the group instead)`, 400);
    return { name, timestampMs: lastPushedMs };
  });
}

/** Deletes the chosen families of one group, each only if it was not pushed again since the page showed it. */
export async function deleteFamilies(store: MetricStore, id: string, body: unknown, audit: AuditSource): Promise<FamilyDeleteResponse> {
  const families = readFamilies(body);
  const key = decodeGroupId(id);
  if (key === undefined || !store.getGroup(key)) throw new ActionError("no such group (it may have been deleted)", 404);
  const res = await store.submit({ kind: "deleteFamilies", groups: [{ key, families }], audit });
  if (!res.ok) throw new ActionError(res.message, res.status);
  const deleted = res.removed?.[0]?.families ?? [];
  return { deleted, kept: [...new Set(families.map((f) => f.name))].filter((n) => !deleted.includes(n)), ...(res.undo ? { undo: res.undo } : {}) };
}

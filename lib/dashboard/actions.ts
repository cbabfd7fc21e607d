// Deletes from the dashboard. They go through MetricStore.submit, so they are ordered with protocol writes
// and durable before they are acknowledged, exactly like DELETE /metrics/job/... .
import type { AuditSource, MetricStore, WriteResult } from "../store/types";
import { lastAttemptMs } from "../store/store-state";
import { decodeGroupId, encodeGroupId } from "./group-id";
import { summarize } from "./summary";
import { matchingSummaries, type ListContext } from "./list";
import { listIndex } from "./list-index";
import { matchesFilter, parseFilter } from "./filter";
import type { DeleteResponse, MatchResponse } from "./types";

export class ActionError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export const MAX_DELETE_IDS = 100_000;

/** The `ids` of a request body of the form {ids: string[]} (400 when missing or not strings). */
export function readIds(body: unknown): string[] {
  const ids = readOptionalIds(body);
  if (ids === undefined) throw new ActionError('"ids" must be an array of strings', 400);
  return ids;
}

/** The `ids` of a request body that may leave them out (undefined then). */
export function readOptionalIds(body: unknown): string[] | undefined {
  if (typeof body !== "object" || body === null) throw new ActionError("body must be a JSON object", 400);
  const ids = (body as { ids?: unknown }).ids;
  if (ids === undefined) return undefined;
  if (!Array.isArray(ids) || !ids.every((x) => typeof x === "string")) throw new ActionError('"ids" must be an array of strings', 400);
  if (ids.length > MAX_DELETE_IDS) throw new ActionError(`at most ${MAX_DELETE_IDS} ids per request`, 400);
  return ids as string[];
}

async function submitDeleteMany(store: MetricStore, keys: string[], audit: AuditSource): Promise<Pick<DeleteResponse, "deleted" | "undo">> {
  if (keys.length === 0) return { deleted: 0 };
  const res = await store.submit({ kind: "deleteMany", keys, audit });
  if (!res.ok) throw new ActionError(res.message, res.status);
  return { deleted: res.deleted ?? keys.length, ...undoOf(res) };
}

/** The undo handle of a delete, for the dashboard's "Undo" notice. */
function undoOf(res: WriteResult): Pick<DeleteResponse, "undo"> {
  return res.ok && res.undo ? { undo: res.undo } : {};
}

/** Reads the optional filter text {"q": "…"} of a request body ("" when absent). */
export function readFilter(body: unknown): string {
  const q = (body as { q?: unknown } | null)?.q;
  if (q === undefined) return "";
  if (typeof q !== "string") throw new ActionError('"q" must be the filter text', 400);
  return q;
}

/** Submits a conditional delete: each group only if its last push attempt is not later than when it was chosen. */
async function submitDeleteIf(
  store: MetricStore,
  groups: { key: string; lastAttemptAtMostMs: number }[],
  audit: AuditSource,
): Promise<{ deleted: Set<string> } & Pick<DeleteResponse, "undo">> {
  if (groups.length === 0) return { deleted: new Set() };
  const res = await store.submit({ kind: "deleteIf", groups, audit });
  if (!res.ok) throw new ActionError(res.message, res.status);
  return { deleted: new Set((res.removed ?? []).map((r) => r.key)), ...undoOf(res) };
}

/** Which of `ids` the filter `q` matches now (the selection a filter change keeps). */
export function matchIds(store: MetricStore, q: string, ids: string[], ctx: ListContext): MatchResponse {
  const shown = new Set(matchingSummaries(store, q, ctx).map((s) => s.base.id));
  return { ids: [...new Set(ids)].filter((id) => shown.has(id)), q };
}

/**
 * Deletes the groups named by ids; ids of groups that do not exist are reported as skipped. With a filter
 * (`scope.q`, the table's filter when the selection was confirmed), only ids the filter matches are deleted, each
 * only if it has not pushed since (conditional, like deleteStale); the others are reported as skipped.
 */
export async function deleteGroups(store: MetricStore, ids: string[], audit: AuditSource, scope?: { q: string; ctx: ListContext }): Promise<DeleteResponse> {
  if (scope && scope.q.trim() !== "") {
    const shown = new Map(matchingSummaries(store, scope.q, scope.ctx).map((s) => [s.base.id, s.base.key]));
    const groups: { key: string; lastAttemptAtMostMs: number }[] = [];
    const skipped: string[] = [];
    for (const id of new Set(ids)) {
      const key = shown.get(id);
      const g = key === undefined ? undefined : store.getGroup(key);
      if (g) groups.push({ key: g.key, lastAttemptAtMostMs: lastAttemptMs(g) });
      else skipped.push(id);
    }
    const { deleted, undo } = await submitDeleteIf(store, groups, audit);
    for (const g of groups) if (!deleted.has(g.key)) skipped.push(encodeGroupId(g.key));
    return { deleted: deleted.size, skipped, ...(undo ? { undo } : {}) };
  }
  const keys: string[] = [];
  const skipped: string[] = [];
  for (const id of new Set(ids)) {
    const key = decodeGroupId(id);
    if (key !== undefined && store.getGroup(key)) keys.push(key);
    else skipped.push(id);
  }
  return { ...(await submitDeleteMany(store, keys, audit)), skipped };
}

/**
 * Deletes stale groups within the filter `q` ("" for every group). With ids (the list the user was shown), only
 * those that are still stale and still matched by the filter are deleted; without ids, every stale group the
 * filter matches. The delete is conditional inside the write queue: a group whose last push attempt changed since
 * it was found stale (it pushed again, even a push queued just before this delete) is kept.
 */
export async function deleteStale(store: MetricStore, ids: string[] | undefined, ctx: ListContext, audit: AuditSource, q = ""): Promise<DeleteResponse> {
  const groups: { key: string; lastAttemptAtMostMs: number }[] = [];
  const skipped: string[] = [];
  const filter = parseFilter(q);
  const inScope = (g: Parameters<typeof summarize>[0]) => {
    const s = summarize(g, ctx.defaultStaleAfterMs, ctx.nowMs, ctx.lifecycle);
    return s.stale && (filter.terms.length === 0 || matchesFilter(filter, s));
  };
  if (ids === undefined) {
    // Every stale group in scope: the list index has each group's staleness at ctx.nowMs (as summarize computes it).
    for (const e of listIndex(store, ctx).entries) {
      if (e.stale && (filter.terms.length === 0 || matchesFilter(filter, e))) groups.push({ key: e.group.key, lastAttemptAtMostMs: lastAttemptMs(e.group) });
    }
  } else {
    for (const id of new Set(ids)) {
      const key = decodeGroupId(id);
      const g = key === undefined ? undefined : store.getGroup(key);
      if (g && inScope(g)) groups.push({ key: g.key, lastAttemptAtMostMs: lastAttemptMs(g) });
      else skipped.push(id);
    }
  }
  const { deleted, undo } = await submitDeleteIf(store, groups, audit);
  for (const c of groups) if (!deleted.has(c.key) && ids !== undefined) skipped.push(encodeGroupId(c.key));
  return { deleted: deleted.size, skipped, ...(undo ? { undo } : {}) };
}

/**
 * "Delete matching (N)": every group the filter `q` matches when the request is applied (the table's filter,
 * across all pages). Conditional like deleteStale: a group that pushes while the delete waits in the queue is kept.
 */
export async function deleteMatching(store: MetricStore, q: string, ctx: ListContext, audit: AuditSource): Promise<DeleteResponse> {
  if (q.trim() === "") throw new ActionError("a filter is required: use Delete all to delete every group", 400);
  const filter = parseFilter(q);
  const groups: { key: string; lastAttemptAtMostMs: number }[] = [];
  for (const s of listIndex(store, ctx).entries) {
    const g = matchesFilter(filter, s) ? store.getGroup(s.base.key) : undefined;
    if (g) groups.push({ key: g.key, lastAttemptAtMostMs: lastAttemptMs(g) });
  }
  const { deleted, undo } = await submitDeleteIf(store, groups, audit);
  return { deleted: deleted.size, skipped: groups.filter((g) => !deleted.has(g.key)).map((g) => encodeGroupId(g.key)), ...(undo ? { undo } : {}) };
}

export async function wipeAll(store: MetricStore, audit: AuditSource): Promise<DeleteResponse> {
  const before = store.groupCount();
  const res = await store.submit({ kind: "wipe", audit });
  if (!res.ok) throw new ActionError(res.message, res.status);
  return { deleted: res.deleted ?? before, skipped: [], ...undoOf(res) };
}

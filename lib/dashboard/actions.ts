// Deletes from the dashboard. They go through MetricStore.submit, so they are ordered with protocol writes
// and durable before they are acknowledged, exactly like DELETE /metrics/job/... .
import type { AuditSource, MetricStore } from "../store/types";
import { lastAttemptMs } from "../store/store-state";
import { decodeGroupId, encodeGroupId } from "./group-id";
import { summarize } from "./summary";
import { summarizeAll, type ListContext } from "./list";
import { matchesFilter, parseFilter } from "./filter";
import type { DeleteResponse } from "./types";

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

async function submitDeleteMany(store: MetricStore, keys: string[], audit: AuditSource): Promise<number> {
  if (keys.length === 0) return 0;
  const res = await store.submit({ kind: "deleteMany", keys, audit });
  if (!res.ok) throw new ActionError(res.message, res.status);
  return res.deleted ?? keys.length;
}

/** Deletes the groups named by ids; ids of groups that do not exist are reported as skipped. */
export async function deleteGroups(store: MetricStore, ids: string[], audit: AuditSource): Promise<DeleteResponse> {
  const keys: string[] = [];
  const skipped: string[] = [];
  for (const id of new Set(ids)) {
    const key = decodeGroupId(id);
    if (key !== undefined && store.getGroup(key)) keys.push(key);
    else skipped.push(id);
  }
  return { deleted: await submitDeleteMany(store, keys, audit), skipped };
}

/**
 * Deletes stale groups. With ids (the list the user was shown), only those that are still stale now are
 * deleted; without ids, every stale group. The delete is conditional inside the write queue: a group whose
 * last push attempt changed since it was found stale (it pushed again, even a push queued just before this
 * delete) is kept.
 */
export async function deleteStale(store: MetricStore, ids: string[] | undefined, ctx: ListContext, audit: AuditSource): Promise<DeleteResponse> {
  const groups: { key: string; lastAttemptAtMostMs: number }[] = [];
  const skipped: string[] = [];
  const candidates = ids === undefined ? [...store.groups()].map((g) => ({ id: undefined, g })) : [...new Set(ids)].map((id) => {
    const key = decodeGroupId(id);
    return { id, g: key === undefined ? undefined : store.getGroup(key) };
  });
  for (const { id, g } of candidates) {
    if (g && summarize(g, ctx.defaultStaleAfterMs, ctx.nowMs, ctx.lifecycle).stale) groups.push({ key: g.key, lastAttemptAtMostMs: lastAttemptMs(g) });
    else if (id !== undefined) skipped.push(id);
  }
  if (groups.length === 0) return { deleted: 0, skipped };
  const res = await store.submit({ kind: "deleteIf", groups, audit });
  if (!res.ok) throw new ActionError(res.message, res.status);
  const deleted = new Set((res.removed ?? []).map((r) => r.key));
  for (const c of groups) if (!deleted.has(c.key) && ids !== undefined) skipped.push(encodeGroupId(c.key));
  return { deleted: deleted.size, skipped };
}

/**
 * "Delete matching (N)": every group the filter `q` matches when the request is applied (the table's filter,
 * across all pages). Conditional like deleteStale: a group that pushes while the delete waits in the queue is kept.
 */
export async function deleteMatching(store: MetricStore, q: string, ctx: ListContext, audit: AuditSource): Promise<DeleteResponse> {
  if (q.trim() === "") throw new ActionError("a filter is required: use Delete all to delete every group", 400);
  const filter = parseFilter(q);
  const groups: { key: string; lastAttemptAtMostMs: number }[] = [];
  for (const s of summarizeAll(store, ctx)) {
    const g = matchesFilter(filter, s) ? store.getGroup(s.base.key) : undefined;
    if (g) groups.push({ key: g.key, lastAttemptAtMostMs: lastAttemptMs(g) });
  }
  if (groups.length === 0) return { deleted: 0, skipped: [] };
  const res = await store.submit({ kind: "deleteIf", groups, audit });
  if (!res.ok) throw new ActionError(res.message, res.status);
  const deleted = new Set((res.removed ?? []).map((r) => r.key));
  return { deleted: deleted.size, skipped: groups.filter((g) => !deleted.has(g.key)).map((g) => encodeGroupId(g.key)) };
}

export async function wipeAll(store: MetricStore, audit: AuditSource): Promise<DeleteResponse> {
  const before = store.groupCount();
  const res = await store.submit({ kind: "wipe", audit });
  if (!res.ok) throw new ActionError(res.message, res.status);
  return { deleted: res.deleted ?? before, skipped: [] };
}

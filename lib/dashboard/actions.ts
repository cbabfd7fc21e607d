// Deletes from the dashboard. They go through MetricStore.submit, so they are ordered with protocol writes
// and durable before they are acknowledged, exactly like DELETE /metrics/job/... .
import type { MetricStore } from "../store/types";
import { decodeGroupId } from "./group-id";
import { summarize } from "./summary";
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

/** Validates a request body of the form {ids: string[]}. `optional`: a missing ids means "no restriction". */
export function readIds(body: unknown, optional = false): string[] | undefined {
  if (typeof body !== "object" || body === null) throw new ActionError("body must be a JSON object", 400);
  const ids = (body as { ids?: unknown }).ids;
  if (ids === undefined && optional) return undefined;
  if (!Array.isArray(ids) || !ids.every((x) => typeof x === "string")) throw new ActionError('"ids" must be an array of strings', 400);
  if (ids.length > MAX_DELETE_IDS) throw new ActionError(`at most ${MAX_DELETE_IDS} ids per request`, 400);
  return ids as string[];
}

async function submitDeleteMany(store: MetricStore, keys: string[]): Promise<number> {
  if (keys.length === 0) return 0;
  const res = await store.submit({ kind: "deleteMany", keys });
  if (!res.ok) throw new ActionError(res.message, res.status);
  return res.deleted ?? keys.length;
}

/** Deletes the groups named by ids; ids of groups that do not exist are reported as skipped. */
export async function deleteGroups(store: MetricStore, ids: string[]): Promise<DeleteResponse> {
  const keys: string[] = [];
  const skipped: string[] = [];
  for (const id of new Set(ids)) {
    const key = decodeGroupId(id);
    if (key !== undefined && store.getGroup(key)) keys.push(key);
    else skipped.push(id);
  }
  return { deleted: await submitDeleteMany(store, keys), skipped };
}

/**
 * Deletes stale groups. With ids (the list the user was shown), only those that are still stale now are
 * deleted: a group that pushed again since the list was shown survives. Without ids, every stale group.
 */
export async function deleteStale(store: MetricStore, ids: string[] | undefined, defaultStaleAfterMs: number, nowMs: number): Promise<DeleteResponse> {
  const keys: string[] = [];
  const skipped: string[] = [];
  if (ids === undefined) {
    for (const g of store.groups()) if (summarize(g, defaultStaleAfterMs, nowMs).stale) keys.push(g.key);
  } else {
    for (const id of new Set(ids)) {
      const key = decodeGroupId(id);
      const g = key === undefined ? undefined : store.getGroup(key);
      if (g && summarize(g, defaultStaleAfterMs, nowMs).stale) keys.push(g.key);
      else skipped.push(id);
    }
  }
  return { deleted: await submitDeleteMany(store, keys), skipped };
}

export async function wipeAll(store: MetricStore): Promise<DeleteResponse> {
  const before = store.groupCount();
  const res = await store.submit({ kind: "wipe" });
  if (!res.ok) throw new ActionError(res.message, res.status);
  return { deleted: res.deleted ?? before, skipped: [] };
}

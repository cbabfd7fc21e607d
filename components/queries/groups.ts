// queryOptions (key + fetcher + polling in one place) and mutation hooks that own their invalidation. No
// 'use client': the server pages prefetch with the same options (components/queries/server-prefetch.ts).
import { keepPreviousData, queryOptions, useMutation, useQueryClient } from "@tanstack/react-query";
import type { ApiError } from "./api";
import type { ListParams } from "@/lib/dashboard/types";
import { api } from "./api";
import { uiKeys } from "./keys";
import { announceDelete } from "../undo/undo-store";

export const DEFAULT_REFRESH_MS = 5000;

export const groupListOptions = (p: ListParams) =>
  queryOptions({
    queryKey: uiKeys.list(p),
    queryFn: ({ signal }) => api.listGroups(p, signal),
    placeholderData: keepPreviousData,
  });

/** One group; polled unless `paused` (the page's pause button) or the group is gone (404). */
export const groupDetailOptions = (id: string, { paused = false }: { paused?: boolean } = {}) =>
  queryOptions({
    queryKey: uiKeys.detail(id),
    queryFn: ({ signal }) => api.groupDetail(id, signal),
    retry: (count, err) => (err as { status?: number }).status !== 404 && count < 1,
    refetchInterval: (query) => (paused || (query.state.error as ApiError | null)?.status === 404 ? false : DEFAULT_REFRESH_MS),
  });

/** The stale groups within the filter q, listed before "Delete stale matching". */
export const staleGroupsOptions = (q: string) =>
  queryOptions({
    queryKey: uiKeys.stale(q),
    queryFn: ({ signal }) => api.staleGroups(q, signal),
    staleTime: 0,
  });

export const jobOverviewOptions = () =>
  queryOptions({
    queryKey: uiKeys.jobs(),
    queryFn: ({ signal }) => api.jobs(signal),
    refetchInterval: DEFAULT_REFRESH_MS,
  });

export const statusOptions = () =>
  queryOptions({
    queryKey: uiKeys.status(),
    queryFn: ({ signal }) => api.status(signal),
    refetchInterval: DEFAULT_REFRESH_MS,
  });

export const activityOptions = () =>
  queryOptions({
    queryKey: uiKeys.activity(),
    queryFn: ({ signal }) => api.activity(signal),
    refetchInterval: DEFAULT_REFRESH_MS,
  });

export const expiriesOptions = () =>
  queryOptions({
    queryKey: uiKeys.expiries(),
    queryFn: ({ signal }) => api.expiries(signal),
    refetchInterval: DEFAULT_REFRESH_MS,
  });

/** Refreshes everything that shows groups, except the details of the groups just deleted (they would 404). */
function useInvalidateAfterDelete() {
  const qc = useQueryClient();
  return async (_res: unknown, ids: string[] | void) => {
    const gone = new Set(ids ?? []);
    await Promise.all([
      qc.invalidateQueries({ queryKey: uiKeys.groups(), predicate: (q) => !(q.queryKey[2] === "detail" && gone.has(q.queryKey[3] as string)) }),
      qc.invalidateQueries({ queryKey: uiKeys.status() }),
    ]);
  };
}

/** Deletes groups by id (only those the filter q still matches); lists, details and the status page refresh at once. */
export function useDeleteGroups() {
  const invalidate = useInvalidateAfterDelete();
  return useMutation({
    mutationFn: (v: { ids: string[]; q: string }) => api.deleteGroups(v.ids, v.q),
    onSuccess: (res, v) => (announceDelete(res), invalidate(res, v.ids)),
  });
}

/** Deletes the listed groups that are still stale and matched by the filter q. */
export function useDeleteStale() {
  const invalidate = useInvalidateAfterDelete();
  return useMutation({
    mutationFn: (v: { ids: string[]; q: string }) => api.deleteStale(v.q, v.ids),
    onSuccess: (res, v) => (announceDelete(res), invalidate(res, v.ids)),
  });
}

/** Deletes every group the filter matches, across all pages. */
export function useDeleteMatching() {
  const invalidate = useInvalidateAfterDelete();
  return useMutation({ mutationFn: (q: string) => api.deleteMatching(q), onSuccess: (res) => (announceDelete(res), invalidate(res, [])) });
}

/** Deletes every group (admin API only). */
export function useWipe() {
  const invalidate = useInvalidateAfterDelete();
  return useMutation({ mutationFn: () => api.wipe(), onSuccess: (res) => (announceDelete(res), invalidate(res)) });
}

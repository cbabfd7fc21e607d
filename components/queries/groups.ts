"use client";
// queryOptions (key + fetcher in one place) and mutation hooks that own their invalidation.
import { keepPreviousData, queryOptions, useMutation, useQueryClient } from "@tanstack/react-query";
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

export const groupDetailOptions = (id: string) =>
  queryOptions({
    queryKey: uiKeys.detail(id),
    queryFn: ({ signal }) => api.groupDetail(id, signal),
    retry: (count, err) => (err as { status?: number }).status !== 404 && count < 1,
  });

export const staleGroupsOptions = () =>
  queryOptions({
    queryKey: uiKeys.stale(),
    queryFn: ({ signal }) => api.staleGroups(signal),
    staleTime: 0,
  });

export const statusOptions = () =>
  queryOptions({
    queryKey: uiKeys.status(),
    queryFn: ({ signal }) => api.status(signal),
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

/** Deletes groups by id; lists, details and the status page refresh at once. */
export function useDeleteGroups() {
  const invalidate = useInvalidateAfterDelete();
  return useMutation({ mutationFn: (ids: string[]) => api.deleteGroups(ids), onSuccess: (res, ids) => (announceDelete(res), invalidate(res, ids)) });
}

/** Deletes the listed groups that are still stale. */
export function useDeleteStale() {
  const invalidate = useInvalidateAfterDelete();
  return useMutation({ mutationFn: (ids: string[]) => api.deleteStale(ids), onSuccess: (res, ids) => (announceDelete(res), invalidate(res, ids)) });
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

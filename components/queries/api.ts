// Plain fetchers for /api/ui (no React), so they can be used and tested without hooks.
import type {
  DeleteResponse,
  GroupDetailResponse,
  GroupListResponse,
  ListParams,
  StaleListResponse,
  StatusResponse,
  ActivityResponse,
  ExpiriesResponse,
  FamilyDeleteResponse,
  RestorableResponse,
  RestoreResponse,
} from "@/lib/dashboard/types";

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/** The dashboard's path prefix ("" or "/prefix"), set by PrefixProvider before any query runs. */
let apiBase = "";
export function setApiBase(prefix: string): void {
  apiBase = prefix;
}

async function request<T>(path: string, init?: RequestInit): Promise<T> {
  const res = await fetch(apiBase + path, { ...init, headers: { accept: "application/json", ...init?.headers }, cache: "no-store" });
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (!res.ok) {
    const msg = (body as { error?: string } | undefined)?.error ?? `${res.status} ${res.statusText}`;
    throw new ApiError(msg, res.status);
  }
  return body as T;
}

function post<T>(path: string, body: unknown): Promise<T> {
  return request<T>(path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
}

export function listParamsToSearch(p: ListParams): URLSearchParams {
  const sp = new URLSearchParams();
  if (p.q) sp.set("q", p.q);
  if (p.sort !== "labels") sp.set("sort", p.sort);
  if (p.dir !== "asc") sp.set("dir", p.dir);
  if (p.page !== 1) sp.set("page", String(p.page));
  if (p.size !== 50) sp.set("size", String(p.size));
  if (p.groupBy) sp.set("groupBy", p.groupBy);
  return sp;
}

export const api = {
  listGroups: (p: ListParams, signal?: AbortSignal) => request<GroupListResponse>(`/api/ui/groups?${listParamsToSearch(p)}`, { signal }),
  groupDetail: (id: string, signal?: AbortSignal) => request<GroupDetailResponse>(`/api/ui/groups/${encodeURIComponent(id)}`, { signal }),
  staleGroups: (signal?: AbortSignal) => request<StaleListResponse>("/api/ui/groups/stale", { signal }),
  status: (signal?: AbortSignal) => request<StatusResponse>("/api/ui/status", { signal }),
  activity: (signal?: AbortSignal) => request<ActivityResponse>("/api/ui/activity", { signal }),
  expiries: (signal?: AbortSignal) => request<ExpiriesResponse>("/api/ui/expiries", { signal }),
  deleteGroups: (ids: string[]) => post<DeleteResponse>("/api/ui/groups/delete", { ids }),
  deleteStale: (ids: string[]) => post<DeleteResponse>("/api/ui/groups/delete-stale", { ids }),
  deleteMatching: (q: string) => post<DeleteResponse>("/api/ui/groups/delete-matching", { q }),
  wipe: () => post<DeleteResponse>("/api/ui/wipe", {}),
  deleteFamilies: (id: string, families: { name: string; lastPushedMs: number }[]) =>
    post<FamilyDeleteResponse>(`/api/ui/groups/${encodeURIComponent(id)}/families/delete`, { families }),
  restore: (id: string) => post<RestoreResponse>(`/api/ui/undo/${encodeURIComponent(id)}`, {}),
  restorable: (signal?: AbortSignal) => request<RestorableResponse>("/api/ui/undo", { signal }),
};

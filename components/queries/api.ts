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
} from "@/lib/dashboard/types";
import { DEFAULT_PAGE_SIZE, UI_API_PATH } from "@/lib/dashboard/api-constants";

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
  if (p.size !== DEFAULT_PAGE_SIZE) sp.set("size", String(p.size));
  if (p.groupBy) sp.set("groupBy", p.groupBy);
  return sp;
}

export const api = {
  listGroups: (p: ListParams, signal?: AbortSignal) => request<GroupListResponse>(`${UI_API_PATH}/groups?${listParamsToSearch(p)}`, { signal }),
  groupDetail: (id: string, signal?: AbortSignal) => request<GroupDetailResponse>(`${UI_API_PATH}/groups/${encodeURIComponent(id)}`, { signal }),
  staleGroups: (signal?: AbortSignal) => request<StaleListResponse>(`${UI_API_PATH}/groups/stale`, { signal }),
  status: (signal?: AbortSignal) => request<StatusResponse>(`${UI_API_PATH}/status`, { signal }),
  activity: (signal?: AbortSignal) => request<ActivityResponse>(`${UI_API_PATH}/activity`, { signal }),
  expiries: (signal?: AbortSignal) => request<ExpiriesResponse>(`${UI_API_PATH}/expiries`, { signal }),
  deleteGroups: (ids: string[]) => post<DeleteResponse>(`${UI_API_PATH}/groups/delete`, { ids }),
  deleteStale: (ids: string[]) => post<DeleteResponse>(`${UI_API_PATH}/groups/delete-stale`, { ids }),
  deleteMatching: (q: string) => post<DeleteResponse>(`${UI_API_PATH}/groups/delete-matching`, { q }),
  wipe: () => post<DeleteResponse>(`${UI_API_PATH}/wipe`, {}),
};

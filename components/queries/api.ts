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
  JobOverviewResponse,
  MatchResponse,
} from "@/lib/dashboard/types";
import { DEFAULT_PAGE_SIZE, UI_API_PATH } from "@/lib/dashboard/api-constants";

/**
 * A failed dashboard request. `status` 0 means the server could not be reached at all (down, or the network);
 * the message then says so in words, never the browser's raw "Failed to fetch". `position` is set for a filter
 * syntax error: where in the filter text it goes wrong.
 */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly position?: number,
  ) {
    super(message);
  }
  get unreachable(): boolean {
    return this.status === 0;
  }
}

export const UNREACHABLE_MESSAGE = "Cannot reach the pushboard server (it may be down or restarting, or the network is out)";

/** The dashboard's path prefix ("" or "/prefix"), set by PrefixProvider before any query runs. */
let apiBase = "";
export function setApiBase(prefix: string): void {
  apiBase = prefix;
}

async function request<T>(path: string, init?: RequestInit): Promise<T> {
  let res: Response;
  let text: string;
  try {
    res = await fetch(apiBase + path, { ...init, headers: { accept: "application/json", ...init?.headers }, cache: "no-store" });
    text = await res.text();
  } catch (e) {
    if ((e as Error).name === "AbortError") throw e;
    throw new ApiError(UNREACHABLE_MESSAGE, 0);
  }
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (!res.ok) {
    const err = body as { error?: string; position?: number } | undefined;
    const msg = err?.error ?? (res.status >= 500 ? `Server error: ${res.status} ${res.statusText}` : `${res.status} ${res.statusText}`);
    throw new ApiError(msg, res.status, typeof err?.position === "number" ? err.position : undefined);
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
  staleGroups: (q: string, signal?: AbortSignal) => request<StaleListResponse>(`${UI_API_PATH}/groups/stale?${new URLSearchParams({ q })}`, { signal }),
  jobs: (signal?: AbortSignal) => request<JobOverviewResponse>(`${UI_API_PATH}/jobs`, { signal }),
  matchIds: (q: string, ids: string[]) => post<MatchResponse>(`${UI_API_PATH}/groups/match`, { q, ids }),
  status: (signal?: AbortSignal) => request<StatusResponse>(`${UI_API_PATH}/status`, { signal }),
  activity: (signal?: AbortSignal) => request<ActivityResponse>(`${UI_API_PATH}/activity`, { signal }),
  expiries: (signal?: AbortSignal) => request<ExpiriesResponse>(`${UI_API_PATH}/expiries`, { signal }),
  /** With q (the filter the selection was made under), only ids the filter still matches are deleted. */
  deleteGroups: (ids: string[], q = "") => post<DeleteResponse>(`${UI_API_PATH}/groups/delete`, { ids, q }),
  /** The listed groups that are still stale and matched by q. */
  deleteStale: (q: string, ids: string[]) => post<DeleteResponse>(`${UI_API_PATH}/groups/delete-stale`, { q, ids }),
  deleteMatching: (q: string) => post<DeleteResponse>(`${UI_API_PATH}/groups/delete-matching`, { q }),
  wipe: () => post<DeleteResponse>(`${UI_API_PATH}/wipe`, {}),
  deleteFamilies: (id: string, families: { name: string; lastPushedMs: number }[]) =>
    post<FamilyDeleteResponse>(`${UI_API_PATH}/groups/${encodeURIComponent(id)}/families/delete`, { families }),
  restore: (id: string) => post<RestoreResponse>(`${UI_API_PATH}/undo/${encodeURIComponent(id)}`, {}),
  restorable: (signal?: AbortSignal) => request<RestorableResponse>(`${UI_API_PATH}/undo`, { signal }),
};

// The groups list: filter, sort and page on the server, so the browser only ever receives one page.
import type { StoreReader } from "../store/types";
import { matchesFilter, parseFilter, type ParsedFilter } from "./filter";
import type { PushDiagnostics } from "../protocol/push-diagnostics";
import { summarize, toRow, type GroupLifecycleView, type GroupSummary } from "./summary";
import { listIndex, orderId, type ListEntry, type ListIndex, type Sortable } from "./list-index";
import { DEFAULT_PAGE_SIZE } from "./api-constants";
import {
  SORT_KEYS,
  type GroupListResponse,
  type GroupStatus,
  type JobBucket,
  type JobOverviewResponse,
  type JobOverviewRow,
  type StatusCounts,
  type ListParams,
  type SortDir,
  type SortKey,
  type StaleListResponse,
} from "./types";

export const MAX_PAGE_SIZE = 500;

export interface ListContext {
  defaultStaleAfterMs: number;
  nowMs: number;
  adminApi: boolean;
  lifecycle?: GroupLifecycleView;
  /** Rejected pushes per grouping key, shown on each group's row. */
  diagnostics?: PushDiagnostics;
}

function intParam(v: string | null, def: number, min: number, max: number): number {
  const n = v === null || v === "" ? def : Math.floor(Number(v));
  return Number.isFinite(n) ? Math.min(max, Math.max(min, n)) : def;
}

export function parseListParams(sp: URLSearchParams): ListParams {
  const sortRaw = sp.get("sort") ?? "";
  const sort: SortKey = (SORT_KEYS as readonly string[]).includes(sortRaw) ? (sortRaw as SortKey) : "labels";
  const dir: SortDir = sp.get("dir") === "desc" ? "desc" : "asc";
  return {
    q: sp.get("q") ?? "",
    sort,
    dir,
    page: intParam(sp.get("page"), 1, 1, 1_000_000),
    size: intParam(sp.get("size"), DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE),
    groupBy: sp.get("groupBy") === "job" ? "job" : "",
  };
}

const STATUS_RANK: Record<GroupStatus, number> = { failed: 0, stale: 1, fresh: 2 };

function str(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Nulls sort last in both directions. */
function nullableNum(a: number | null, b: number | null, sign: number): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return sign * (a - b);
}

export function comparator(sort: SortKey, dir: SortDir, groupByJob = false): (a: Sortable, b: Sortable) => number {
  const sign = dir === "asc" ? 1 : -1;
  const primary = (a: Sortable, b: Sortable): number => {
    const x = a.base;
    const y = b.base;
    switch (sort) {
      case "labels":
        return sign * str(x.labelSortKey, y.labelSortKey);
      case "job":
        return sign * str(x.job, y.job);
      case "status":
        return sign * (STATUS_RANK[a.status] - STATUS_RANK[b.status]);
      case "lastPush":
        return nullableNum(x.lastPushMs, y.lastPushMs, sign);
      case "lastFailure":
        return nullableNum(x.lastFailureMs, y.lastFailureMs, sign);
      case "interval":
        return nullableNum(x.intervalMs, y.intervalMs, sign);
      case "families":
        return sign * (x.families - y.families);
      case "series":
        return sign * (x.series - y.series);
    }
  };
  return (a, b) => {
    if (groupByJob) {
      const j = str(a.base.job, b.base.job);
      if (j !== 0) return j;
    }
    return primary(a, b) || str(a.base.labelSortKey, b.base.labelSortKey) || str(a.base.key, b.base.key);
  };
}

/** Summaries of every group at ctx.nowMs (cached per group; only staleness is recomputed). */
export function summarizeAll(store: StoreReader, ctx: ListContext): GroupSummary[] {
  const out: GroupSummary[] = [];
  for (const g of store.groups()) out.push(summarize(g, ctx.defaultStaleAfterMs, ctx.nowMs, ctx.lifecycle));
  return out;
}

/** Adds one group to independent status counts: fresh (neither stale nor failed), stale, failed. */
export function countStatus(c: StatusCounts, s: { stale: boolean; failed: boolean }): void {
  c.total++;
  if (s.stale) c.stale++;
  if (s.failed) c.failed++;
  if (!s.stale && !s.failed) c.fresh++;
}

export const emptyCounts = (): StatusCounts => ({ total: 0, fresh: 0, stale: 0, failed: 0 });

/**
 * The groups the filter text matches (all of them for an empty filter), in the store's order, as list index entries
 * (base, stale, failed, status at ctx.nowMs). Throws FilterError.
 */
export function matchingSummaries(store: StoreReader, q: string, ctx: ListContext): ListEntry[] {
  const filter = parseFilter(q);
  const all = listIndex(store, ctx).entries;
  return filter.terms.length === 0 ? [...all] : all.filter((s) => matchesFilter(filter, s));
}

/** The comparator of the list's order for sort/dir/grouping (status: the entries' status at the last refresh). */
const comparatorOf = (p: Pick<ListParams, "sort" | "dir" | "groupBy">) => comparator(p.sort, p.dir, p.groupBy === "job");

/** Every entry in the list's order for sort/dir/grouping (the index's cached order: read it, do not change it). */
function sortedEntries(idx: ListIndex, p: Pick<ListParams, "sort" | "dir" | "groupBy">): readonly ListEntry[] {
  const byJob = p.groupBy === "job";
  return p.sort === "status"
    ? idx.statusOrder(idx.order(orderId("labels", "asc", byJob), comparator("labels", "asc", byJob)), p.dir, byJob)
    : idx.order(orderId(p.sort, p.dir, byJob), comparatorOf(p));
}

/**
 * The matches of a filter in the list's order, and their status counts. The filter is tested in the store's order
 * (memory order, mostly); few matches are sorted among themselves, many are picked from the cached order.
 */
function matchedEntries(
  idx: ListIndex,
  filter: ParsedFilter,
  p: Pick<ListParams, "sort" | "dir" | "groupBy">,
): { matched: readonly ListEntry[]; matching: StatusCounts } {
  if (filter.terms.length === 0) return { matched: sortedEntries(idx, p), matching: { ...idx.counts } };
  const matching = emptyCounts();
  const few: ListEntry[] = [];
  const fewMax = idx.entries.length >> 4;
  for (const e of idx.entries) {
    e.match = matchesFilter(filter, e);
    if (e.match) {
      countStatus(matching, e);
      if (few.length <= fewMax) few.push(e);
    }
  }
  if (few.length <= fewMax) return { matched: few.sort(comparatorOf(p)), matching };
  return { matched: sortedEntries(idx, p).filter((e) => e.match), matching };
}

/**
 * One page of the list. Throws FilterError for a bad filter. Costs one pass over the groups (staleness at
 * ctx.nowMs and the filter) plus the page's rows: the sorted orders are cached and patched (list-index.ts).
 */
export function listGroups(store: StoreReader, params: ListParams, ctx: ListContext): GroupListResponse {
  const filter = parseFilter(params.q);
  const idx = listIndex(store, ctx);
  const counts = { ...idx.counts };
  const { matched, matching } = matchedEntries(idx, filter, params);
  const byJob = params.groupBy === "job";
  const pages = Math.max(1, Math.ceil(matched.length / params.size));
  const page = Math.min(params.page, pages);
  const start = (page - 1) * params.size;
  const res: GroupListResponse = {
    rows: matched.slice(start, start + params.size).map((s) => toRow(summarize(s.group, ctx.defaultStaleAfterMs, ctx.nowMs, ctx.lifecycle), ctx.diagnostics)),
    q: params.q,
    total: matched.length,
    totalAll: idx.entries.length,
    page,
    size: params.size,
    pages,
    sort: params.sort,
    dir: params.dir,
    counts,
    matching,
    nowMs: ctx.nowMs,
    adminApi: ctx.adminApi,
    defaultStaleAfterMs: ctx.defaultStaleAfterMs,
  };
  if (byJob) {
    const jobs = new Map<string, JobBucket>();
    let b: JobBucket | undefined;
    for (const s of matched) {
      // matched is in job order (grouped by job), so a job's groups come in one run: one lookup per run.
      if (b === undefined || b.job !== s.job) {
        b = jobs.get(s.job);
        if (!b) jobs.set(s.job, (b = { job: s.job, count: 0, stale: 0, failed: 0 }));
      }
      b.count++;
      if (s.stale) b.stale++;
      if (s.failed) b.failed++;
    }
    res.jobs = [...jobs.values()];
  }
  return res;
}

/** The stale groups the filter matches (every stale group for an empty filter), oldest last attempt first. */
export function listStale(store: StoreReader, ctx: ListContext, q = ""): StaleListResponse {
  const filter = parseFilter(q);
  const rows = listIndex(store, ctx)
    .entries.filter((s) => s.stale && (filter.terms.length === 0 || matchesFilter(filter, s)))
    .sort((a, b) => nullableNum(a.base.lastAttemptMs, b.base.lastAttemptMs, 1) || str(a.base.labelSortKey, b.base.labelSortKey))
    .map((s) => toRow(summarize(s.group, ctx.defaultStaleAfterMs, ctx.nowMs, ctx.lifecycle), ctx.diagnostics));
  return { rows, q, nowMs: ctx.nowMs };
}

/** Broken jobs first: most failed groups, then most stale, then by name. */
function compareJobs(a: JobOverviewRow, b: JobOverviewRow): number {
  return b.failed - a.failed || b.stale - a.stale || str(a.job, b.job);
}

/**
 * The job overview: one row per job with its groups counted by status. One pass over the list index's entries, so
 * it costs about what one list request does.
 */
export function listJobs(store: StoreReader, ctx: ListContext): JobOverviewResponse {
  const jobs = new Map<string, JobOverviewRow>();
  const totals = emptyCounts();
  for (const s of listIndex(store, ctx).entries) {
    let j = jobs.get(s.job);
    if (!j) jobs.set(s.job, (j = { job: s.job, ...emptyCounts(), lastPushMs: null }));
    countStatus(j, s);
    countStatus(totals, s);
    const last = s.base.lastPushMs;
    if (last !== null && (j.lastPushMs === null || last > j.lastPushMs)) j.lastPushMs = last;
  }
  return { jobs: [...jobs.values()].sort(compareJobs), totals, nowMs: ctx.nowMs };
}

// Wire types of the dashboard's JSON API (/api/ui/*). Shared by lib/dashboard (producer) and components/
// (consumer); type-only, so the browser bundle gets nothing from lib/ but these shapes.
import type { LabelPair, MetricType } from "../exposition/model";

export type GroupStatus = "fresh" | "stale" | "failed";

/** One row of the groups table. Times are Unix ms; null means never. */
export interface GroupRow {
  /** base64url (no padding) of the grouping key: the group's identity in URLs and API bodies. */
  id: string;
  /** Grouping labels, `job` first, then by name. */
  labels: LabelPair[];
  lastPushMs: number | null;
  lastFailureMs: number | null;
  /** True when the last push attempt failed (push_failure_time_seconds > push_time_seconds); independent of `stale`. */
  lastPushFailed: boolean;
  /** Text of the last rejected push, if the store kept one. */
  lastError: { timeMs: number; message: string } | null;
  /** Pushed families and series (samples), not counting push_time_seconds / push_failure_time_seconds. */
  families: number;
  series: number;
  /** The most urgent fact for one badge or a sort: failed, else stale, else fresh. */
  status: GroupStatus;
  stale: boolean;
  /** Typical push interval (ms) from the recent push history; null with fewer than two pushes. */
  intervalMs: number | null;
  /** Age after which this group counts as stale (ms), from the interval or the configured default. */
  staleAfterMs: number;
  /** Recent successful pushes, oldest first (Unix ms). */
  pushHistory: number[];
  /** The cadence staleness is judged by (ms): declared by a lifecycle rule, else the learnt interval; null if neither. */
  cadenceMs: number | null;
  cadenceSource: "rule" | "learnt" | "default";
  /** Pushes the learnt cadence came from; with the default, how many (too few) pushes are known. */
  cadencePushes: number;
  /** When a lifecycle rule will delete the group (Unix ms), or null. */
  expiresAtMs: number | null;
  /**
   * Families left behind by the group's pushes (written more than max(1 h, 2 × interval) before its last push;
   * lib/lifecycle/stale-families.ts): how many, the newest of their write times, the first few names. Null if none.
   */
  staleFamilies: { count: number; newestWriteMs: number; names: string[] } | null;
  /** Pushes to this grouping key that were rejected (any reason) since the server started: count and the latest. */
  rejected: { count: number; last: { timeMs: number; status: number; message: string; client: string | null } } | null;
}

export interface JobBucket {
  job: string;
  count: number;
  stale: number;
  failed: number;
}

/**
 * Groups counted by status. Stale and failed are independent (a group can be both); fresh is neither; so
 * fresh + stale + failed can exceed total. Each count is what the filter is:fresh / is:stale / is:failed finds.
 */
export interface StatusCounts {
  total: number;
  fresh: number;
  stale: number;
  failed: number;
}

export interface GroupListResponse {
  rows: GroupRow[];
  /** The filter text this answer applies. */
  q: string;
  /** Groups matching the filter. */
  total: number;
  /** Groups in the store. */
  totalAll: number;
  page: number;
  size: number;
  pages: number;
  sort: SortKey;
  dir: SortDir;
  /** Status counts over the whole store (not just the filter). */
  counts: StatusCounts;
  /** Status counts of the groups the filter matches (what "Delete stale matching (N)" deletes). */
  matching: StatusCounts;
  /** Per-job counts of the filtered set, present with groupBy=job. */
  jobs?: JobBucket[];
  /** Server time of the answer (Unix ms), to correct client clock skew in "N ago" texts. */
  nowMs: number;
  adminApi: boolean;
  defaultStaleAfterMs: number;
}

export const SORT_KEYS = ["labels", "job", "status", "lastPush", "lastFailure", "interval", "families", "series"] as const;
export type SortKey = (typeof SORT_KEYS)[number];
export type SortDir = "asc" | "desc";

export interface ListParams {
  q: string;
  sort: SortKey;
  dir: SortDir;
  /** 1-based. */
  page: number;
  size: number;
  groupBy: "" | "job";
}

export interface StaleListResponse {
  rows: GroupRow[];
  /** The filter the list is scoped to ("" for every stale group). */
  q: string;
  nowMs: number;
}

/** One job of the job overview. */
export interface JobOverviewRow extends StatusCounts {
  job: string;
  /** The job's most recent successful push (Unix ms), null if none. */
  lastPushMs: number | null;
}

export interface JobOverviewResponse {
  /** Broken jobs first: most failed groups, then most stale, then by name. */
  jobs: JobOverviewRow[];
  totals: StatusCounts;
  nowMs: number;
}

/** The answer of POST /api/ui/groups/match: which of the given ids the filter matches. */
export interface MatchResponse {
  ids: string[];
  q: string;
}

export interface SampleView {
  labels: LabelPair[];
  /** Exact value as Go prints it (formatGoFloat), e.g. "1.7955279738964758e+09". */
  value: string;
  /** Human-readable rendering, e.g. "1.2 k", "3.5 MiB", "2026-11-24 13:46:36 UTC". */
  human: string;
  timestampMs?: number;
  summary?: {
    count: string;
    sum: string;
    quantiles: { quantile: string; value: string; human: string }[];
  };
  histogram?: {
    count: string;
    sum: string;
    /** Classic buckets; `count` is cumulative, `inBucket` the count of that bucket alone. */
    buckets: { le: string; count: number; inBucket: number }[];
    /** Native (sparse) buckets, lowest first; bounds as Go prints them. */
    native?: {
      schema: number;
      zeroThreshold: string;
      zeroCount: number;
      buckets: { lower: string; upper: string; count: number }[];
    };
  };
}

export interface FamilyView {
  name: string;
  help: string;
  type: MetricType;
  lastPushedMs: number;
  synthetic: boolean;
  /** The first samples of the family (the detail view is bounded, see GroupDetailResponse.truncated). */
  samples: SampleView[];
  /** How many samples the family has in all. */
  totalSamples: number;
}

export interface GroupDetailResponse {
  row: GroupRow;
  families: FamilyView[];
  /** Text format 0.0.4 of the samples shown (the whole group unless truncated). */
  exposition: string;
  /** Set when the group is too large to show whole: only the first families/samples are included. */
  truncated: { shownFamilies: number; totalFamilies: number; shownSamples: number; totalSamples: number } | null;
  /** Path (route prefix included) for `curl -X DELETE <origin><path>`, in the Pushgateway UI's @base64 form. */
  deletePath: string;
  /** `{job="x", instance="y"}`: the exact grouping key. */
  groupingKey: string;
  /** The page title naming the group: `backup_postgres · database=billing`. */
  title: string;
  /** Recent push attempts, newest first: successful pushes and rejected ones (with status and error text). */
  timeline: TimelineEntry[];
  /** Links to the Prometheus of --dashboard.prometheus-url; null when the flag is not set. */
  prometheus: { graphUrl: string; expr: string } | null;
  /** A rule file alerting when the group has not pushed for its stale-after (valid for `promtool check rules`). */
  alertRule: string;
  nowMs: number;
  adminApi: boolean;
}

/** One push attempt on a group's timeline. */
export interface TimelineEntry {
  timeMs: number;
  ok: boolean;
  /** HTTP status of a rejected push, when known (the store keeps only the time of older failures). */
  status?: number;
  message?: string;
  client?: string;
}

export interface StatusResponse {
  version: string;
  startedAtMs: number;
  uptimeMs: number;
  nowMs: number;
  storage: string;
  /** The backend in plain words: "SQLite file /data/x.db: durable, …", "in memory only: …", "PostgreSQL host/db …". */
  backend: { kind: "sqlite" | "memory" | "postgres"; durable: boolean; text: string; file?: string };
  /** The database's size on disk (SQLite file + WAL, or pg_database_size); null in memory or when unknown. */
  databaseSizeBytes: number | null;
  /** Push traffic since this process started: accepted pushes in the last minute (from the groups' push histories), all push requests, and the rejected ones by HTTP status and by limit (pushboard_rejected_pushes_total). */
  pushes: {
    lastMinute: number;
    total: number | null;
    rejectedByStatus: { status: number; count: number }[];
    rejectedByReason: { reason: string; count: number }[];
  };
  /** When /metrics was last scraped (Unix ms), null before the first scrape since start. */
  lastScrapeMs: number | null;
  /** Storage commit failures (disk full, I/O error) and the current one, if the last commit failed. */
  storageErrors: { total: number; failing: { sinceMs: number; message: string } | null };
  groups: number;
  series: number;
  counts: Record<GroupStatus, number>;
  /** The Pushgateway flags as /api/v1/status shows them. */
  flags: Record<string, string>;
  /** What a flag's value means here, where it could mislead (e.g. an empty persistence.file beside a SQLite file). */
  flagNotes: Record<string, string>;
  /** pushboard's own settings. */
  settings: Record<string, string>;
  adminApi: boolean;
  /** Who is signed in (basic auth), absent for an anonymous request. */
  user?: string;
  /** The roles the viewer holds (see lib/server/authorization.ts): the dashboard hides what they do not allow. */
  roles: Array<"read" | "push" | "admin">;
  /** Present while the store cannot reach its database: reads show the last known state, writes are refused. */
  readOnly?: { sinceMs: number; message: string };
}

export interface DeleteResponse {
  deleted: number;
  /** Ids that named no group (already gone) or were skipped (no longer stale). */
  skipped: string[];
  /** Set when the delete can be undone: POST /api/ui/undo/<operation> before untilMs. */
  undo?: { operation: string; untilMs: number };
}

/** POST /api/ui/groups/<id>/families/delete {"families": [{"name", "lastPushedMs"}]} */
export interface FamilyDeleteResponse {
  /** Families removed. */
  deleted: string[];
  /** Families kept because they were pushed again (or were already gone) since the page showed them. */
  kept: string[];
  undo?: { operation: string; untilMs: number };
}

/** POST /api/ui/undo/<id>: what was restored and what was refused (and why). */
export interface RestoreResponse {
  restored: { labels: LabelPair[]; id: string | null; families: string[] | null }[];
  refused: { labels: LabelPair[]; reason: string }[];
  missing: { id: string; reason: "restored" | "expired" | "unknown"; message: string }[];
}

/** GET /api/ui/undo: deletions that can still be restored, newest first. */
export interface RestorableResponse {
  entries: {
    id: string;
    operation: string | null;
    timeMs: number;
    untilMs: number;
    action: ActivityEntry["action"];
    labels: LabelPair[];
    groups: number;
    families: string[] | null;
  }[];
  undoWindowMs: number;
  nowMs: number;
}

export interface ApiError {
  error: string;
  /** For a filter syntax error: the 0-based offset in the filter text where it goes wrong, and an excerpt there. */
  position?: number;
  excerpt?: string;
}

/** One entry of the Activity page (the audit trail). */
export interface ActivityEntry {
  /** Audit entry id (null for entries written before undo existed). */
  id: string | null;
  timeMs: number;
  action: "delete" | "expire" | "wipe" | "restore";
  /** Families removed from (or restored into) a group that stays; null when the whole group went. */
  families: string[] | null;
  /** Until when Restore can bring it back (Unix ms); null when it cannot (past the window, or restored). */
  restorableUntilMs: number | null;
  source: "api" | "dashboard" | "selector" | "rule";
  labels: LabelPair[];
  groups: number;
  series: number;
  rule: number | null;
  user: string | null;
  client: string | null;
  userAgent: string | null;
}

/** A grouping key some of whose pushes were rejected. */
export interface RejectionView {
  labels: LabelPair[];
  /** The key's group, when it exists (a key whose every push was rejected has none). */
  id: string | null;
  count: number;
  recent: { timeMs: number; status: number; message: string; client: string | null }[];
}

export interface ActivityResponse {
  entries: ActivityEntry[];
  rejections: RejectionView[];
  nowMs: number;
}

/** One group a lifecycle rule will delete. */
export interface UpcomingExpiryView {
  id: string;
  labels: LabelPair[];
  dueAtMs: number;
  rule: number;
  match: string;
}

export interface ExpiriesResponse {
  /** The rules file, "" when none is configured. */
  source: string;
  rules: { index: number; match: string; expectEvery: string | null; expireAfter: string | null; expireFamiliesAfter?: string | null }[];
  /** Groups due within `horizonMs`, soonest first. */
  upcoming: UpcomingExpiryView[];
  horizonMs: number;
  nowMs: number;
}

// Contracts of the metric store: MetricStore is the one interface the protocol router, the scrape renderer, the
// dashboard and the runtime depend on. Every backend keeps every group in memory (reads never touch disk or the
// network) and makes each write durable before its promise resolves: the embedded store (lib/store/memory-store.ts,
// optionally with SQLite persistence) and the replicated PostgreSQL store (lib/store/postgres/).
//
// Ownership: a Group (and everything it references: labels, families, metrics, push history) handed out by a
// reader is read-only and immutable. The store never mutates a stored Group; a write replaces it with a new
// object. A reader may therefore keep a Group (or a family of it) as long as it likes: it stays a consistent
// snapshot of that group at the time it was read. Iterators (groups(), familyNames(), groupsWithFamily()) are live
// views: consume them synchronously, never across an await.
import type { LabelPair, MetricFamily } from "../exposition/model";

/** A family as stored in a group: the sanitised family plus the time of the request that last wrote it. */
export interface StoredFamily {
  family: MetricFamily;
  /** Unix time in milliseconds (fractional, microsecond resolution) of the write request. */
  timestampMs: number;
}

/** Everything the store remembers about one grouping key. */
export interface Group {
  /** Canonical grouping key (see lib/grouping/grouping-key.ts). */
  key: string;
  /** Grouping labels (job plus URL labels), sorted by name. No implicit instance. */
  labels: LabelPair[];
  /** Families by name, including push_time_seconds and push_failure_time_seconds. */
  families: Map<string, StoredFamily>;
  /** Unix ms of recent successful pushes, oldest first, at most PUSH_HISTORY_LENGTH entries. */
  pushHistory: number[];
  /** The last rejected push to this group, if any. */
  lastError?: { timeMs: number; message: string };
}

export const PUSH_HISTORY_LENGTH = 32;

/** A write, as the protocol layer hands it to the store. Writes are applied in submission order. */
export type WriteRequest =
  | {
      kind: "put" | "post";
      /** Grouping labels, sorted by name, job included. */
      labels: LabelPair[];
      /** Parsed, not yet sanitised families. */
      families: MetricFamily[];
      /** Run the consistency check (false with --push.disable-consistency-check). */
      check: boolean;
      /** Request time, Unix ms. */
      nowMs: number;
      /** Raw bytes of grouping label values that are not valid UTF-8, by label name (the check rejects them). */
      invalidUtf8?: Map<string, Buffer>;
    }
  | { kind: "delete"; labels: LabelPair[]; audit?: AuditSource }
  | { kind: "deleteMany"; keys: string[]; audit?: AuditSource }
  /**
   * Conditional deletes (expiry, stale and selector deletes): each group goes only if its last push attempt is
   * still at or before `lastAttemptAtMostMs`, checked when the write is applied in the queue, so a group pushed
   * again after the decision to delete it is kept.
   */
  | { kind: "deleteIf"; groups: DeleteCondition[]; audit?: AuditSource }
  | { kind: "wipe"; audit?: AuditSource }
  /**
   * Conditional family delete: each named family goes only if its write time is still `timestampMs` (a family
   * pushed again meanwhile is kept). push_time_seconds is untouched (this is not a push); naming
   * push_time_seconds or push_failure_time_seconds refuses the whole request (400).
   */
  | { kind: "deleteFamilies"; groups: FamilyDeleteCondition[]; audit?: AuditSource }
  /**
   * Brings back what audited deletes removed (lib/store/undo.ts): `ids` name audit entries or whole operations.
   * Never overwrites a group (or family) written since the delete; refusals are reported per group.
   */
  | { kind: "restore"; ids: string[]; audit?: AuditSource };

export interface FamilyDeleteCondition {
  key: string;
  /** The families to remove, each with the write time it must still have. */
  families: Array<{ name: string; timestampMs: number }>;
}

export interface DeleteCondition {
  key: string;
  /** Unix ms; the group's last push attempt (success or failure) must not be later. */
  lastAttemptAtMostMs: number;
}

/** A group removed by a delete, as reported to the caller. */
export interface RemovedGroup {
  key: string;
  labels: LabelPair[];
  series: number;
  /** For a family delete: the families removed (the group itself stays). */
  families?: string[];
}

/** How to undo an audited delete, as reported to its caller. */
export interface UndoHandle {
  /** Operation id: POST /api/ui/undo/<operation> restores everything this write removed. */
  operation: string;
  /** Unix ms after which the snapshot is pruned. */
  untilMs: number;
}

/** What a restore did, per group. */
export interface RestoreOutcome {
  restored: Array<{ id: string; key: string; labels: LabelPair[]; series: number; families?: string[] }>;
  /** Groups not restored: written again since the delete, or conflicting with series pushed meanwhile. */
  refused: Array<{ id: string; key: string; labels: LabelPair[]; reason: string }>;
  /** Ids with nothing (left) to restore. */
  missing: Array<{ id: string; reason: "restored" | "expired" | "unknown"; message: string }>;
}

export type WriteResult =
  | {
      ok: true;
      /** Number of groups removed, for deletes. */ deleted?: number;
      /** The groups removed, for deletes. */ removed?: RemovedGroup[];
      /** Set when what was removed can be restored (an audited delete, undo window > 0). */
      undo?: UndoHandle;
      /** For a restore. */
      restore?: RestoreOutcome;
    }
  | { ok: false; status: number; message: string };

/** Who asked for a delete, for the audit trail. */
export interface AuditSource {
  /** api: the Pushgateway API; dashboard; selector: DELETE /api/v1/groups; rule: lifecycle expiry. */
  source: "api" | "dashboard" | "selector" | "rule";
  /** Lifecycle rule index, for expiries. */
  rule?: number;
  /** Authenticated user, when auth is on. */
  user?: string;
  /** Client address. */
  client?: string;
  userAgent?: string;
}

/** One audit trail entry: one deleted, expired or restored group, or one wipe. */
export interface AuditEntry extends AuditSource {
  /** Stable id (absent in entries written before undo existed): names the entry's undo snapshot. */
  id?: string;
  /** Id shared by the entries of one write (a bulk delete): undoes them together. */
  operation?: string;
  /** Unix ms. */
  timeMs: number;
  action: "delete" | "expire" | "wipe" | "restore";
  /** For a family delete (or its restore): the families removed from the group; absent when the group went. */
  families?: string[];
  /** For a restore: the id of the entry whose deletion it undid. */
  restores?: string;
  /** Grouping labels of the group (empty for a wipe). */
  labels: LabelPair[];
  /** Series removed. */
  series: number;
  /** Groups removed (1, or all of them for a wipe). */
  groups: number;
}

/**
 * What a durable backend must persist. One mutation describes the complete effect of one applied write on one
 * group, so replaying mutations in order rebuilds the store exactly.
 */
export type Mutation =
  | {
      op: "upsertGroup";
      key: string;
      labels: LabelPair[];
      /** Families written by this request (the full new state of each named family). */
      families: StoredFamily[];
      /** Names of families removed from the group by this write (PUT removes every family it does not push). */
      removedFamilies: string[];
      pushHistory: number[];
      lastError?: { timeMs: number; message: string };
    }
  | { op: "deleteGroup"; key: string }
  | { op: "wipe" }
  /** Audit trail entries written with the deletes they describe (in the same commit). */
  | { op: "audit"; entries: AuditEntry[] }
  /** Stores (or replaces) the undo snapshot of an audit entry. */
  | { op: "putUndo"; snapshot: UndoSnapshot }
  /** Removes an undo snapshot (fully restored). */
  | { op: "dropUndo"; id: string };

/**
 * What an audited delete removed, kept for the undo window: whole groups, or (`partial`) only the families a
 * family delete removed from a group that stays.
 */
export interface UndoSnapshot {
  /** The audit entry's id. */
  id: string;
  /** The audit entry's operation (a bulk delete), if any. */
  operation?: string;
  timeMs: number;
  partial: boolean;
  groups: PersistedGroup[];
}

/** A persisted group, as loaded at startup. */
export interface PersistedGroup {
  key: string;
  labels: LabelPair[];
  families: StoredFamily[];
  pushHistory: number[];
  lastError?: { timeMs: number; message: string };
}

/**
 * Durable storage behind the in-memory store. `commit` is called with the mutations of one or more writes (a
 * group commit) and must make them durable atomically before it returns or resolves; if it throws or rejects,
 * none of them may be visible after a restart.
 */
export interface Persistence {
  readonly description: string;
  /**
   * True if `commit` may be called again before the previous commit settles (the store then applies the next
   * writes while the previous batch is being made durable). Commits settle in call order, and when one rejects,
   * every commit called after it and before its rejection was seen rejects too, none of them applied.
   */
  readonly pipelined?: boolean;
  load(): PersistedGroup[] | Promise<PersistedGroup[]>;
  /** The retained audit trail, oldest first. */
  loadAudit(): AuditEntry[] | Promise<AuditEntry[]>;
  /** The undo snapshots not yet pruned, oldest first. */
  loadUndo?(): UndoSnapshot[] | Promise<UndoSnapshot[]>;
  commit(mutations: Mutation[]): void | Promise<void>;
  close(): void | Promise<void>;
}

/** Listener notified with the names of families whose content changed (for render caches). */
export type ChangeListener = (changedFamilies: Iterable<string>) => void;

/** Whether reads are known to be current. */
export interface Freshness {
  /** Set while the store cannot confirm it is current (e.g. its database is unreachable): reads are of the last known state. */
  stale?: {
    /** Unix ms since when. */
    sinceMs: number;
    /** Human-readable, e.g. "database unreachable since 2026-12-01T20:00:00.000Z". */
    message: string;
    /** Nothing was ever loaded: there is no last known state to answer from. */
    unloaded?: boolean;
  };
}

/** Read side of the store, used by scrape, the JSON API and the dashboard. */
export interface StoreReader {
  getGroup(key: string): Group | undefined;
  /** Every group, in insertion order (a replaced group keeps its place; a deleted and re-created one goes last). */
  groups(): IterableIterator<Group>;
  groupCount(): number;
  seriesCount(): number;
  /** Names of all stored families. */
  familyNames(): IterableIterator<string>;
  /** Groups holding family `name`. */
  groupsWithFamily(name: string): Iterable<Group>;
  /** The newest audit entries first, at most `limit`. */
  audit(limit: number): AuditEntry[];
  /** Deletions that can still be restored, newest first. */
  restorable(nowMs?: number): RestorableDeletion[];
}

/** An audited delete whose snapshot is still kept. */
export interface RestorableDeletion {
  entry: AuditEntry & { id: string };
  /** Unix ms after which it can no longer be restored. */
  untilMs: number;
  /** Groups (or, for a family delete, the group) still to restore. */
  groups: number;
}

export interface MetricStore extends StoreReader {
  /** Human-readable description of the backend, e.g. "sqlite: /data/pushboard.db" (never a password). */
  readonly description: string;
  /**
   * Applies a write. Resolves once it is applied, durable and visible to the next read (on every replica, for a
   * replicated backend). A write that cannot be made durable resolves with status 503 (or 500) and is not applied.
   */
  submit(req: WriteRequest): Promise<WriteResult>;
  /**
   * Read barrier: resolves once the local state includes every write acknowledged (by any replica) before the
   * call, or, if that cannot be confirmed promptly, with `stale` set (reads then answer from the last known state).
   */
  sync(): Promise<Freshness>;
  /** Freshness as last known, without waiting. */
  freshness(): Freshness;
  /** Called after every change of the local state, whichever replica made it. Returns the unsubscribe function. */
  onChange(listener: ChangeListener): () => void;
  /** False while the write queue is over capacity (mirrors the Pushgateway's health check). */
  healthy(): boolean;
  /** True once the state is loaded and confirmed current (for /-/ready). */
  ready(): boolean;
  /** Commits the storage refused (disk full, I/O error) and the current failure (null once a commit succeeds). */
  readonly storageStatus?: { errors: number; failing: { sinceMs: number; message: string } | null };
  /** Size of the backend's database in bytes, for the status page (null when it cannot be told right now). */
  databaseSizeBytes?(): Promise<number | null>;
  close(): Promise<void>;
}

// Contracts of the metric store. The store keeps every group in memory (reads never touch disk) and hands each
// applied write to a Persistence backend, which makes it durable before the write's promise resolves.
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
    }
  | { kind: "delete"; labels: LabelPair[] }
  | { kind: "deleteMany"; keys: string[] }
  | { kind: "wipe" };

export type WriteResult =
  | { ok: true; /** Number of groups removed, for deletes. */ deleted?: number }
  | { ok: false; status: number; message: string };

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
  | { op: "wipe" };

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
  load(): PersistedGroup[] | Promise<PersistedGroup[]>;
  commit(mutations: Mutation[]): void | Promise<void>;
  close(): void | Promise<void>;
}

/** Read side of the store, used by scrape, the JSON API and the dashboard. */
export interface StoreReader {
  getGroup(key: string): Group | undefined;
  groups(): IterableIterator<Group>;
  groupCount(): number;
  seriesCount(): number;
}

export interface MetricStore extends StoreReader {
  /** Applies a write. Resolves once it is applied, durable and visible to the next read. */
  submit(req: WriteRequest): Promise<WriteResult>;
  /** False while the write queue is over capacity (mirrors the Pushgateway's health check). */
  healthy(): boolean;
  /** Commits the storage refused (disk full, I/O error) and the current failure (null once a commit succeeds). */
  readonly storageStatus?: { errors: number; failing: { sinceMs: number; message: string } | null };
  close(): Promise<void>;
}

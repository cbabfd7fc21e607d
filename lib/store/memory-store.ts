// The embedded store: the in-memory state (lib/store/store-state.ts), one ordered write queue, and an optional
// Persistence (SQLite) that makes each batch of writes durable before the writes are acknowledged (group commit).
// Without persistence it is the Pushgateway's in-memory store.
import type { OwnFamilyInfo } from "../consistency/check-push";
import { StoreState, newBatch, type WriteBatch } from "./store-state";
import { StateReader } from "./state-reader";
import type { Logger } from "../util/log";
import type { Freshness, MetricStore, Persistence, WriteRequest, WriteResult } from "./types";

export { lastPushSuccessful, syntheticValue, PUSH_TIME_HELP, PUSH_FAILURE_TIME_HELP, INCONSISTENT_PREFIX } from "./store-state";

interface QueuedWrite {
  req: WriteRequest;
  resolve: (r: WriteResult) => void;
}

/** A batch applied to memory whose commit has not been answered yet. */
interface InFlight {
  queued: QueuedWrite[];
  batch: WriteBatch;
  results: WriteResult[];
  settled: boolean;
  error?: unknown;
  /** Taken back out after an earlier batch failed; its writes were queued again. */
  cancelled?: boolean;
}

/** Batches a pipelined persistence may hold at once (it commits those that wait together). */
const MAX_BATCHES_IN_FLIGHT = 4;

export interface MemoryStoreOptions {
  persistence?: Persistence;
  ownFamily?: (name: string) => OwnFamilyInfo | undefined;
  /** Queue length above which healthy() turns false. */
  queueCapacity?: number;
  logger?: Logger;
  /** Audit entries older than this are dropped (--audit.retention); the persistence prunes its copy alike. */
  auditRetentionMs?: number;
  /** Deleted groups stay restorable this long (--dashboard.undo-window); the persistence prunes alike. */
  undoWindowMs?: number;
}

const CURRENT: Freshness = {};

export class MemoryStore extends StateReader implements MetricStore {
  private queue: QueuedWrite[] = [];
  private scheduled = false;
  private inFlight: InFlight[] = [];
  private closed = false;
  private loaded = false;
  private readonly persistence: Persistence | undefined;
  private readonly queueCapacity: number;
  private readonly log: Logger;
  readonly description: string;

  constructor(opts: MemoryStoreOptions = {}) {
    const log = opts.logger ?? (() => {});
    super(new StoreState(opts.ownFamily, log, opts.auditRetentionMs, opts.undoWindowMs));
    this.log = log;
    this.persistence = opts.persistence;
    this.queueCapacity = opts.queueCapacity ?? 100_000;
    this.description = this.persistence?.description ?? "memory (nothing is persisted)";
    if (!this.persistence) this.loaded = true;
  }

  /** Loads the persisted state. Call once, before serving. */
  async load(): Promise<number> {
    if (!this.persistence) return 0;
    const groups = await this.persistence.load();
    this.state.loadGroups(groups);
    this.state.loadAudit(await this.persistence.loadAudit());
    if (this.persistence.loadUndo) this.state.loadUndo(await this.persistence.loadUndo());
    this.loaded = true;
    return groups.length;
  }

  /** One process owns the state: it is always current. */
  sync(): Promise<Freshness> {
    return Promise.resolve(CURRENT);
  }
  freshness(): Freshness {
    return CURRENT;
  }

  healthy(): boolean {
    return this.queue.length < this.queueCapacity;
  }
  ready(): boolean {
    return this.loaded && !this.closed;
  }

  /** Commits the storage refused (disk full, I/O error), and the current failure until a commit succeeds. */
  readonly storageStatus: { errors: number; failing: { sinceMs: number; message: string } | null } = { errors: 0, failing: null };

  // --- writes --------------------------------------------------------------------------------------------

  submit(req: WriteRequest): Promise<WriteResult> {
    if (this.closed) return Promise.resolve({ ok: false, status: 503, message: "store is shutting down" });
    return new Promise((resolve) => {
      this.queue.push({ req, resolve });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // Let writes that arrive in the same turn of the event loop join this batch.
    setImmediate(() => this.applyQueued());
  }

  /**
   * Applies the queued writes as one batch and hands its mutations to the persistence. With a pipelined
   * persistence the next batch is applied (on top of this one) while this one is being made durable; writes are
   * answered in batch order, each once its own batch is durable.
   */
  private applyQueued(): void {
    this.scheduled = false;
    if (this.queue.length === 0) return;
    const depth = this.persistence?.pipelined ? MAX_BATCHES_IN_FLIGHT : 1;
    if (this.inFlight.length >= depth) return; // settle() schedules again
    const queued = this.queue;
    this.queue = [];
    const batch = newBatch();
    const results = queued.map((w) => this.state.apply(w.req, batch));
    const entry: InFlight = { queued, batch, results, settled: false };
    this.inFlight.push(entry);
    let commit: void | Promise<void> = undefined;
    try {
      if (this.persistence && batch.mutations.length > 0) commit = this.persistence.commit(batch.mutations);
    } catch (err) {
      commit = Promise.reject(err as Error);
    }
    if (commit)
      commit.then(
        () => this.settle(entry),
        (err: unknown) => this.settle(entry, err),
      );
    else this.settle(entry);
  }

  /** Records the outcome of a batch, then answers the writes of every batch at the head that has one. */
  private settle(entry: InFlight, err?: unknown): void {
    if (entry.cancelled) return;
    entry.settled = true;
    entry.error = err;
    while (this.inFlight.length > 0 && this.inFlight[0]!.settled) {
      const head = this.inFlight[0]!;
      if (head.error !== undefined) {
        this.fail(head.error);
        break;
      }
      this.inFlight.shift();
      this.storageStatus.failing = null;
      this.state.notify(head.batch.changed);
      head.queued.forEach((w, i) => w.resolve(head.results[i]!));
    }
    if (this.queue.length > 0) this.schedule();
  }

  /**
   * The oldest batch in flight could not be made durable: take it and every later batch (applied on top of it)
   * back out of memory, fail the writes of the failed batch, and queue the later writes again, first.
   */
  private fail(err: unknown): void {
    const entries = this.inFlight;
    this.inFlight = [];
    for (let i = entries.length - 1; i >= 0; i--) {
      entries[i]!.cancelled = true;
      this.state.undo(entries[i]!.batch);
    }
    const [failed, ...later] = entries;
    this.log("error", "committing writes failed", { err: String(err), writes: failed!.queued.length });
    const message = `storage error, write not applied: ${err instanceof Error ? err.message : String(err)}`;
    this.storageStatus.errors++;
    this.storageStatus.failing = { sinceMs: this.storageStatus.failing?.sinceMs ?? Date.now(), message };
    for (const e of entries) this.state.notify(e.batch.changed);
    this.queue = [...later.flatMap((e) => e.queued), ...this.queue];
    for (const w of failed!.queued) w.resolve({ ok: false, status: 500, message });
  }

  async close(): Promise<void> {
    this.closed = true;
    while (this.inFlight.length > 0 || this.queue.length > 0) await new Promise((r) => setImmediate(r));
    await this.persistence?.close();
  }
}

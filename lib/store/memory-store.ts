// The embedded store: the in-memory state (lib/store/store-state.ts), one ordered write queue, and an optional
// Persistence (SQLite) that makes each batch of writes durable before the writes are acknowledged (group commit).
// Without persistence it is the Pushgateway's in-memory store.
import type { OwnFamilyInfo } from "../consistency/check-push";
import { StoreState, newBatch } from "./store-state";
import type { Logger } from "../util/log";
import type { AuditEntry, ChangeListener, Freshness, Group, MetricStore, Persistence, WriteRequest, WriteResult } from "./types";

export { lastPushSuccessful, syntheticValue, PUSH_TIME_HELP, PUSH_FAILURE_TIME_HELP, INCONSISTENT_PREFIX } from "./store-state";

interface QueuedWrite {
  req: WriteRequest;
  resolve: (r: WriteResult) => void;
}

export interface MemoryStoreOptions {
  persistence?: Persistence;
  ownFamily?: (name: string) => OwnFamilyInfo | undefined;
  /** Queue length above which healthy() turns false. */
  queueCapacity?: number;
  logger?: Logger;
  /** Audit entries older than this are dropped (--audit.retention); the persistence prunes its copy alike. */
  auditRetentionMs?: number;
}

const CURRENT: Freshness = {};

export class MemoryStore implements MetricStore {
  private readonly state: StoreState;
  private queue: QueuedWrite[] = [];
  private flushing = false;
  private closed = false;
  private loaded = false;
  private readonly persistence: Persistence | undefined;
  private readonly queueCapacity: number;
  private readonly log: Logger;
  readonly description: string;

  constructor(opts: MemoryStoreOptions = {}) {
    this.persistence = opts.persistence;
    this.queueCapacity = opts.queueCapacity ?? 100_000;
    this.log = opts.logger ?? (() => {});
    this.state = new StoreState(opts.ownFamily, this.log, opts.auditRetentionMs);
    this.description = this.persistence?.description ?? "memory (nothing is persisted)";
    if (!this.persistence) this.loaded = true;
  }

  /** Loads the persisted state. Call once, before serving. */
  async load(): Promise<number> {
    if (!this.persistence) return 0;
    const groups = await this.persistence.load();
    this.state.loadGroups(groups);
    this.state.loadAudit(await this.persistence.loadAudit());
    this.loaded = true;
    return groups.length;
  }

  onChange(listener: ChangeListener): () => void {
    return this.state.onChange(listener);
  }

  // --- StoreReader ---------------------------------------------------------------------------------------

  audit(limit: number): AuditEntry[] {
    return this.state.audit(limit);
  }

  getGroup(key: string): Group | undefined {
    return this.state.getGroup(key);
  }
  groups(): IterableIterator<Group> {
    return this.state.groups();
  }
  groupCount(): number {
    return this.state.groupCount();
  }
  seriesCount(): number {
    return this.state.seriesCount();
  }
  familyNames(): IterableIterator<string> {
    return this.state.familyNames();
  }
  groupsWithFamily(name: string): Iterable<Group> {
    return this.state.groupsWithFamily(name);
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
      if (!this.flushing) {
        this.flushing = true;
        // Let writes that arrive in the same turn of the event loop join this batch.
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    while (this.queue.length > 0) {
      const queued = this.queue;
      this.queue = [];
      const batch = newBatch();
      const results = queued.map((w) => this.state.apply(w.req, batch));
      if (this.persistence && batch.mutations.length > 0) {
        try {
          await this.persistence.commit(batch.mutations);
          this.storageStatus.failing = null;
        } catch (err) {
          // Nothing of this batch is durable: take it back out of memory and fail every write in it.
          this.state.undo(batch);
          this.log("error", "committing writes failed", { err: String(err), writes: queued.length });
          const message = `storage error, write not applied: ${err instanceof Error ? err.message : String(err)}`;
          this.storageStatus.errors++;
          this.storageStatus.failing = { sinceMs: this.storageStatus.failing?.sinceMs ?? Date.now(), message };
          for (let i = 0; i < results.length; i++) results[i] = { ok: false, status: 500, message };
        }
      }
      this.state.notify(batch.changed);
      queued.forEach((w, i) => w.resolve(results[i]!));
    }
    this.flushing = false;
  }

  async close(): Promise<void> {
    this.closed = true;
    while (this.flushing) await new Promise((r) => setImmediate(r));
    await this.persistence?.close();
  }
}

// The replicated store: any number of pushboard replicas share one PostgreSQL database and serve the same data.
// Every replica keeps the whole state in memory (lib/store/store-state.ts) and follows the database's change log.
//
// Writes are linearizable across replicas. One batch of queued writes (group commit) is one transaction that
//   1. takes the transaction-level advisory lock WRITE_LOCK_KEY (one global order of batches),
//   2. catches up: reads the change-log rows committed since this replica's version and applies them,
//   3. applies the writes to the now current state, running the consistency check against it (a write that
//      conflicts with another replica's committed write gets the same 400 as on one server),
//   4. writes the snapshot rows, one change-log row with the next version, bumps pushboard_meta.version, NOTIFYs
//      that version and commits.
// The local state holds only committed data: the batch is taken back out of memory before the commit is sent and
// put back in once it succeeded (so a read between the two never sees a write that may yet fail). A 200 means
// committed. Two round trips per batch, whatever its size.
//
// Reads are current: sync() (awaited by every scrape, API and dashboard read) selects the current version and
// catches up from the change log when behind, so the next read on any replica shows a write acknowledged anywhere.
// Concurrent reads share one version check. Replicas also follow through LISTEN/NOTIFY (payload: the version),
// catch up after every reconnect, and poll as a backstop. A change never reloads the whole store: only a replica
// that fell behind the retained change log (CHANGE_LOG_RETAIN batches) reloads the snapshot.
//
// Failures: when the database cannot be reached, writes answer 503 at once (nothing is applied), reads answer
// from the last known state with `stale` set, ready() is false; a background probe reconnects, catches up and
// resumes without a restart. Every query has a bounded timeout. A replica killed mid-write loses nothing
// acknowledged: the transaction either committed (and its 200 may or may not have been sent) or did not.
import pg from "pg";
import type { OwnFamilyInfo } from "../../consistency/check-push";
import { StoreState, newBatch } from "../store-state";
import { StateReader } from "../state-reader";
import type { Logger } from "../../util/log";
import type { Freshness, MetricStore, WriteRequest, WriteResult } from "../types";
import { AUDIT_RETENTION_MS } from "../audit-trail";
import { UNDO_WINDOW_MS } from "../undo";
import { decodeMutations } from "./codec";
import { migrate, NewerSchemaError, WRITE_LOCK_KEY } from "./schema";
import { clientConfigOf, passwordRedactor, redactUrl } from "./url";
import { commitSql, loadSnapshot, type Snapshot } from "./sql";
import { ChangeFeed } from "./change-feed";
import { Reachability } from "./reachability";
import { WriteQueue, type QueuedWrite } from "./write-queue";

export interface PostgresStoreOptions {
  url: string;
  /** Audit entries older than this are dropped (--audit.retention). */
  auditRetentionMs?: number;
  /** Deleted groups stay restorable this long (--dashboard.undo-window). */
  undoWindowMs?: number;
  ownFamily?: (name: string) => OwnFamilyInfo | undefined;
  logger?: Logger;
  /** Queue length above which healthy() turns false. */
  queueCapacity?: number;
  /** Timeout of every query and of connecting, ms. */
  queryTimeoutMs?: number;
  /** How long a read waits to confirm it is current before answering from the last known state, ms. */
  readSyncTimeoutMs?: number;
  /** Backstop poll interval, ms (also the reconnect interval while the database is unreachable). */
  pollIntervalMs?: number;
  /** Change-log rows kept (batches); a replica further behind reloads the snapshot. */
  changeLogRetain?: number;
  /** Called when the store can never work (a newer schema): the process should exit. */
  onFatal?: (err: Error) => void;
}

/** Largest number of writes in one transaction (bounds the statement size and the time the lock is held). */
const MAX_BATCH = 1000;
/** Change-log rows read per catch-up query. */
const CATCH_UP_PAGE = 500;

export class PostgresStore extends StateReader implements MetricStore {
  readonly description: string;
  private readonly pool: pg.Pool;
  private readonly log: Logger;
  private readonly redact: (text: string) => string;
  private readonly queueCapacity: number;
  private readonly readSyncTimeoutMs: number;
  private readonly pollIntervalMs: number;
  private readonly retain: number;
  private readonly onFatal: (err: Error) => void;

  /** Version of the last change-log batch applied to the local state. */
  private version = 0;
  private loaded = false;
  private closed = false;
  /** Set while the database is unreachable (Unix ms of the first failure). */
  private readonly reach: Reachability;

  private readonly writes: WriteQueue;
  /** Serialises everything that changes the local state (write batches, catch-ups, reloads). */
  private exclusiveTail: Promise<unknown> = Promise.resolve();

  private checkRunning: Promise<void> | undefined;
  private checkQueued: Promise<void> | undefined;
  private catchUpPending = false;

  private readonly feed: ChangeFeed;
  private pollTimer: NodeJS.Timeout | undefined;
  private probing = false;

  private readonly auditRetentionMs: number;
  private readonly undoWindowMs: number;

  constructor(opts: PostgresStoreOptions) {
    const log = opts.logger ?? (() => {});
    const auditRetentionMs = opts.auditRetentionMs ?? AUDIT_RETENTION_MS;
    const undoWindowMs = opts.undoWindowMs ?? UNDO_WINDOW_MS;
    super(new StoreState(opts.ownFamily, log, auditRetentionMs, undoWindowMs));
    this.log = log;
    this.auditRetentionMs = auditRetentionMs;
    this.undoWindowMs = undoWindowMs;
    this.redact = passwordRedactor(opts.url);
    this.description = `postgres: ${redactUrl(opts.url)}`;
    this.queueCapacity = opts.queueCapacity ?? 100_000;
    this.readSyncTimeoutMs = opts.readSyncTimeoutMs ?? 2000;
    this.pollIntervalMs = opts.pollIntervalMs ?? 1000;
    this.retain = opts.changeLogRetain ?? 10_000;
    this.onFatal = opts.onFatal ?? (() => {});
    const clientConfig = clientConfigOf(opts.url, opts.queryTimeoutMs ?? 5000);
    this.pool = new pg.Pool({ ...clientConfig, max: 6, idleTimeoutMillis: 30_000 });
    // An idle client's connection broke (database restarted, network cut): the pool drops it; the next query fails
    // over to a new connection or reports the outage.
    this.pool.on("error", (err) => this.log("debug", "idle database connection failed", { err: this.errorText(err) }));
    this.reach = new Reachability(this.log);
    this.writes = new WriteQueue({ maxBatch: MAX_BATCH, refusal: () => this.refusal(), commit: () => this.exclusive(() => this.commitBatch()) });
    this.feed = new ChangeFeed({
      clientConfig,
      retryMs: this.pollIntervalMs,
      log: this.log,
      errorText: (err) => this.errorText(err),
      onVersion: (v) => v > this.version && this.scheduleCatchUp(),
      onListening: () => this.versionCheck(),
    });
  }

  // --- lifecycle -----------------------------------------------------------------------------------------

  /**
   * Connects, migrates and loads the state. Resolves after the first attempt, successful or not: a replica started
   * while the database is down serves (not ready, reads 503, writes 503) and keeps retrying in the background.
   */
  async start(): Promise<void> {
    await this.tryLoad();
    this.schedulePoll();
  }

  private async tryLoad(): Promise<boolean> {
    try {
      const client = await this.pool.connect();
      let broken = false;
      try {
        await migrate(client, (msg, fields) => this.log("info", msg, fields));
        await this.exclusive(async () => {
          await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
          const snapshot = await loadSnapshot(client, Date.now() - this.undoWindowMs);
          await client.query("COMMIT");
          this.replaceState(snapshot);
          this.loaded = true;
          this.log("info", "loaded the shared store from PostgreSQL", {
            groups: snapshot.groups.length,
            series: this.state.seriesCount(),
            version: snapshot.version,
            storage: this.description,
          });
        });
      } catch (err) {
        broken = true;
        throw err;
      } finally {
        client.release(broken);
      }
      this.reachable();
      this.feed.start();
      return true;
    } catch (err) {
      if (err instanceof NewerSchemaError) {
        this.log("error", "cannot use the database", { err: err.message });
        this.onFatal(err);
      }
      this.unreachable(err);
      return false;
    }
  }

  async databaseSizeBytes(): Promise<number | null> {
    try {
      const res = await this.pool.query<{ size: string }>("SELECT pg_database_size(current_database())::text AS size");
      return Number(res.rows[0]?.size ?? NaN) || null;
    } catch {
      return null;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.pollTimer) clearTimeout(this.pollTimer);
    while (this.writes.busy) await new Promise((r) => setTimeout(r, 5));
    await this.exclusiveTail.catch(() => {});
    await this.feed.close();
    await this.pool.end().catch(() => {});
  }

  // --- health and freshness ------------------------------------------------------------------------------

  healthy(): boolean {
    return this.writes.length < this.queueCapacity;
  }

  ready(): boolean {
    return this.loaded && this.reach.reachable && !this.closed;
  }

  freshness(): Freshness {
    return this.reach.freshness(this.loaded);
  }

  /** The database could not be reached: reads go stale, writes are refused until the probe succeeds. */
  private unreachable(err: unknown): void {
    this.reach.failed(this.errorText(err));
  }

  private reachable(): void {
    this.reach.succeeded(this.version);
  }

  private errorText(err: unknown): string {
    return this.redact(err instanceof Error ? err.message || err.name : String(err));
  }

  // --- reads ---------------------------------------------------------------------------------------------

  sync(): Promise<Freshness> {
    if (!this.loaded || !this.reach.reachable || this.closed) return Promise.resolve(this.freshness());
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<Freshness>((resolve) => {
      timer = setTimeout(() => {
        const message = `database did not confirm within ${this.readSyncTimeoutMs} ms that this replica is current`;
        resolve({ stale: { sinceMs: Date.now(), message } });
      }, this.readSyncTimeoutMs);
    });
    const checked = this.versionCheck().then(() => this.freshness());
    return Promise.race([checked, timedOut]).finally(() => clearTimeout(timer));
  }

  /** A version check that starts after the call (so it sees every write acknowledged before it), shared by callers. */
  private versionCheck(): Promise<void> {
    if (!this.checkRunning) {
      this.checkRunning = this.checkVersion().finally(() => (this.checkRunning = undefined));
      return this.checkRunning;
    }
    this.checkQueued ??= this.checkRunning.then(() => {
      this.checkQueued = undefined;
      return this.versionCheck();
    });
    return this.checkQueued;
  }

  /** SELECT of the current version; catches up when behind. Never throws: a failure marks the database unreachable. */
  private async checkVersion(): Promise<void> {
    try {
      const res = await this.pool.query<{ version: string }>("SELECT version FROM pushboard_meta WHERE id = 1");
      const current = Number(res.rows[0]?.version ?? 0);
      if (current > this.version) await this.exclusive(() => this.catchUp(current));
      this.reachable();
    } catch (err) {
      this.unreachable(err);
    }
  }

  /** Applies change-log rows after this.version (under exclusive). Reloads the snapshot if the log no longer has them. */
  private async catchUp(target: number, client?: pg.ClientBase): Promise<void> {
    const db = client ?? this.pool;
    const changed = new Set<string>();
    try {
      for (;;) {
        const res = await db.query<{ version: string; mutations: string }>(
          `SELECT version, mutations FROM pushboard_changes WHERE version > $1 ORDER BY version LIMIT ${CATCH_UP_PAGE}`,
          [this.version],
        );
        if (res.rows.length > 0 && Number(res.rows[0]!.version) !== this.version + 1) break; // pruned: reload
        this.applyChangeRows(res.rows, changed);
        if (res.rows.length < CATCH_UP_PAGE) break;
      }
    } finally {
      this.state.notify(changed);
    }
    if (this.version < target) await this.reload(client);
  }

  private applyChangeRows(rows: Array<{ version: string; mutations: string }>, changed: Set<string>): void {
    for (const row of rows) {
      this.state.applyMutations(decodeMutations(row.mutations), changed);
      this.version = Number(row.version);
    }
  }

  /** Replaces the local state with the snapshot (only when this replica fell behind the retained change log). */
  private async reload(client?: pg.ClientBase): Promise<void> {
    const own = client === undefined;
    const c = client ?? (await this.pool.connect());
    let broken = false;
    try {
      if (own) await c.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
      const snapshot = await loadSnapshot(c, Date.now() - this.undoWindowMs);
      if (own) await c.query("COMMIT");
      this.log("warn", "fell behind the retained change log: reloaded the whole store", {
        from: this.version,
        to: snapshot.version,
        groups: snapshot.groups.length,
      });
      this.replaceState(snapshot);
    } catch (err) {
      broken = true;
      throw err;
    } finally {
      if (own) (c as pg.PoolClient).release(broken);
    }
  }

  /** Replaces the local state with a snapshot, and tells the listeners what changed. */
  private replaceState({ version, groups, audit, undo }: Snapshot): void {
    const changed = new Set<string>();
    this.state.clear(changed);
    this.state.loadGroups(groups, changed);
    this.state.loadAudit(audit);
    this.state.loadUndo(undo);
    this.version = version;
    this.state.notify(changed);
  }

  /** Runs fn after every earlier exclusive section. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.exclusiveTail.then(fn, fn);
    this.exclusiveTail = run.catch(() => {});
    return run;
  }

  // --- following: LISTEN/NOTIFY and the backstop poll ---------------------------------------------------

  private scheduleCatchUp(): void {
    if (this.catchUpPending) return;
    this.catchUpPending = true;
    void this.exclusive(async () => {
      this.catchUpPending = false;
      await this.catchUp(0);
    }).catch((err) => this.unreachable(err));
  }

  private schedulePoll(): void {
    if (this.closed) return;
    const interval = !this.reach.reachable || !this.loaded ? Math.min(500, this.pollIntervalMs) : this.pollIntervalMs;
    this.pollTimer = setTimeout(() => void this.poll(), interval);
    this.pollTimer.unref();
  }

  private async poll(): Promise<void> {
    if (this.probing) return;
    this.probing = true;
    try {
      if (!this.loaded) await this.tryLoad();
      else await this.versionCheck();
      if (this.loaded && this.reach.reachable) this.feed.start();
    } finally {
      this.probing = false;
      this.schedulePoll();
    }
  }

  // --- writes --------------------------------------------------------------------------------------------

  submit(req: WriteRequest): Promise<WriteResult> {
    if (this.closed) return Promise.resolve({ ok: false, status: 503, message: "store is shutting down" });
    const refused = this.refusal();
    if (refused) return Promise.resolve(refused);
    return this.writes.submit(req);
  }

  private refusal(): WriteResult | undefined {
    return this.reach.refusal(this.loaded);
  }

  /**
   * One write transaction (see the top of this file). The batch is taken from the queue only once the lock is held,
   * so every write that queued up while another replica held the lock joins this commit.
   */
  private async commitBatch(): Promise<void> {
    let client: pg.PoolClient | undefined;
    let queued: QueuedWrite[] | undefined;
    try {
      client = await this.pool.connect();
      const begun = (await client.query(
        `BEGIN; SELECT pg_advisory_xact_lock(${WRITE_LOCK_KEY}); ` +
          `SELECT version FROM pushboard_meta WHERE id = 1; ` +
          `SELECT version, mutations FROM pushboard_changes WHERE version > ${this.version} ORDER BY version LIMIT ${CATCH_UP_PAGE}`,
      )) as unknown as pg.QueryResult[];
      const current = Number(begun[2]!.rows[0]?.version ?? 0);
      const rows = begun[3]!.rows as Array<{ version: string; mutations: string }>;
      if (current > this.version) {
        const changed = new Set<string>();
        if (rows.length > 0 && Number(rows[0]!.version) === this.version + 1) this.applyChangeRows(rows, changed);
        this.state.notify(changed);
        // Longer gaps (more than a page, or pruned): continue on the lock-holding connection.
        if (this.version < current) await this.catchUp(current, client);
      }
      queued = this.writes.take();
      const batch = newBatch();
      const results = queued.map((w) => this.state.apply(w.req, batch));
      // Hold only committed data in memory while the commit is in flight.
      this.state.undo(batch);
      const next = current + 1;
      const sql =
        batch.mutations.length > 0
          ? commitSql(batch.mutations, next, {
              retain: this.retain,
              auditCutoffMs: Date.now() - this.auditRetentionMs,
              undoCutoffMs: Date.now() - this.undoWindowMs,
            })
          : "";
      await client.query(sql + "COMMIT");
      if (batch.mutations.length > 0) {
        this.state.redo(batch);
        this.version = next;
      }
      this.state.notify(batch.changed);
      client.release();
      this.reachable();
      queued.forEach((w, i) => w.resolve(results[i]!));
    } catch (err) {
      // Destroying the connection rolls the transaction back (if it is still open) and frees the lock.
      client?.release(true);
      this.unreachable(err);
      queued ??= this.writes.take();
      this.log("error", "write transaction failed, writes not applied", { err: this.errorText(err), writes: queued.length });
      const failed: WriteResult = { ok: false, status: 503, message: `database error, write not applied: ${this.errorText(err)}` };
      for (const w of queued) w.resolve(failed);
    }
  }
}

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
import type { Logger } from "../../util/log";
import type { AuditEntry, ChangeListener, Freshness, Group, MetricStore, Mutation, PersistedGroup, WriteRequest, WriteResult } from "../types";
import { AUDIT_MAX_ENTRIES, AUDIT_RETENTION_MS } from "../audit-trail";
import { decodeMutations, encodeMutations, familyText, keyFromText, keyText } from "./codec";
import { migrate, NewerSchemaError, NOTIFY_CHANNEL, WRITE_LOCK_KEY } from "./schema";
import { passwordRedactor, redactUrl } from "./url";
import { decodeFamily } from "../sqlite-persistence";

export interface PostgresStoreOptions {
  url: string;
  /** Audit entries older than this are dropped (--audit.retention). */
  auditRetentionMs?: number;
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

interface QueuedWrite {
  req: WriteRequest;
  resolve: (r: WriteResult) => void;
}

/** Largest number of writes in one transaction (bounds the statement size and the time the lock is held). */
const MAX_BATCH = 1000;
/** Change-log rows read per catch-up query. */
const CATCH_UP_PAGE = 500;

export class PostgresStore implements MetricStore {
  readonly description: string;
  private readonly state: StoreState;
  private readonly pool: pg.Pool;
  private readonly clientConfig: pg.ClientConfig;
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
  private unreachableSince: number | undefined;
  private lastError = "";

  private queue: QueuedWrite[] = [];
  private flushing = false;
  /** Serialises everything that changes the local state (write batches, catch-ups, reloads). */
  private exclusiveTail: Promise<unknown> = Promise.resolve();

  private checkRunning: Promise<void> | undefined;
  private checkQueued: Promise<void> | undefined;
  private catchUpPending = false;

  private listener: pg.Client | undefined;
  private listenerRetry: NodeJS.Timeout | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private probing = false;

  private readonly auditRetentionMs: number;

  constructor(opts: PostgresStoreOptions) {
    this.log = opts.logger ?? (() => {});
    this.redact = passwordRedactor(opts.url);
    this.description = `postgres: ${redactUrl(opts.url)}`;
    this.auditRetentionMs = opts.auditRetentionMs ?? AUDIT_RETENTION_MS;
    this.state = new StoreState(opts.ownFamily, this.log, this.auditRetentionMs);
    this.queueCapacity = opts.queueCapacity ?? 100_000;
    this.readSyncTimeoutMs = opts.readSyncTimeoutMs ?? 2000;
    this.pollIntervalMs = opts.pollIntervalMs ?? 1000;
    this.retain = opts.changeLogRetain ?? 10_000;
    this.onFatal = opts.onFatal ?? (() => {});
    const timeout = opts.queryTimeoutMs ?? 5000;
    this.clientConfig = {
      connectionString: opts.url,
      application_name: "pushboard",
      connectionTimeoutMillis: timeout,
      query_timeout: timeout,
      statement_timeout: timeout,
      lock_timeout: timeout,
      // A replica that vanished mid-transaction must not hold the write lock for long.
      idle_in_transaction_session_timeout: timeout * 2,
      keepAlive: true,
      keepAliveInitialDelayMillis: 5000,
    };
    this.pool = new pg.Pool({ ...this.clientConfig, max: 6, idleTimeoutMillis: 30_000 });
    // An idle client's connection broke (database restarted, network cut): the pool drops it; the next query fails
    // over to a new connection or reports the outage.
    this.pool.on("error", (err) => this.log("debug", "idle database connection failed", { err: this.errorText(err) }));
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
          const changed = new Set<string>();
          const { version, groups, audit } = await loadSnapshot(client);
          await client.query("COMMIT");
          this.state.clear(changed);
          this.state.loadGroups(groups, changed);
          this.state.loadAudit(audit);
          this.version = version;
          this.loaded = true;
          this.state.notify(changed);
          this.log("info", "loaded the shared store from PostgreSQL", { groups: groups.length, series: this.state.seriesCount(), version, storage: this.description });
        });
      } catch (err) {
        broken = true;
        throw err;
      } finally {
        client.release(broken);
      }
      this.reachable();
      this.startListener();
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

  async close(): Promise<void> {
    this.closed = true;
    if (this.pollTimer) clearTimeout(this.pollTimer);
    if (this.listenerRetry) clearTimeout(this.listenerRetry);
    while (this.flushing) await new Promise((r) => setTimeout(r, 5));
    await this.exclusiveTail.catch(() => {});
    const l = this.listener;
    this.listener = undefined;
    await l?.end().catch(() => {});
    await this.pool.end().catch(() => {});
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
  onChange(listener: ChangeListener): () => void {
    return this.state.onChange(listener);
  }

  // --- health and freshness ------------------------------------------------------------------------------

  healthy(): boolean {
    return this.queue.length < this.queueCapacity;
  }

  ready(): boolean {
    return this.loaded && this.unreachableSince === undefined && !this.closed;
  }

  freshness(): Freshness {
    if (this.unreachableSince !== undefined) {
      const since = new Date(this.unreachableSince).toISOString();
      return { stale: { sinceMs: this.unreachableSince, message: `database unreachable since ${since}`, unloaded: !this.loaded || undefined } };
    }
    if (!this.loaded) return { stale: { sinceMs: Date.now(), message: "database not reached yet", unloaded: true } };
    return {};
  }

  /** The database could not be reached: reads go stale, writes are refused until the probe succeeds. */
  private unreachable(err: unknown): void {
    const text = this.errorText(err);
    if (this.unreachableSince === undefined) {
      this.unreachableSince = Date.now();
      this.log("warn", "database unreachable: reads answer from the last known state, writes are refused", { err: text });
    } else if (text !== this.lastError) {
      this.log("debug", "database still unreachable", { err: text });
    }
    this.lastError = text;
  }

  private reachable(): void {
    if (this.unreachableSince === undefined) return;
    this.log("info", "database reachable again", { version: this.version, downMs: Date.now() - this.unreachableSince });
    this.unreachableSince = undefined;
    this.lastError = "";
  }

  private errorText(err: unknown): string {
    return this.redact(err instanceof Error ? err.message || err.name : String(err));
  }

  // --- reads ---------------------------------------------------------------------------------------------

  sync(): Promise<Freshness> {
    if (!this.loaded || this.unreachableSince !== undefined || this.closed) return Promise.resolve(this.freshness());
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
      const { version, groups, audit } = await loadSnapshot(c);
      if (own) await c.query("COMMIT");
      this.log("warn", "fell behind the retained change log: reloaded the whole store", { from: this.version, to: version, groups: groups.length });
      const changed = new Set<string>();
      this.state.clear(changed);
      this.state.loadGroups(groups, changed);
      this.state.loadAudit(audit);
      this.version = version;
      this.state.notify(changed);
    } catch (err) {
      broken = true;
      throw err;
    } finally {
      if (own) (c as pg.PoolClient).release(broken);
    }
  }

  /** Runs fn after every earlier exclusive section. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.exclusiveTail.then(fn, fn);
    this.exclusiveTail = run.catch(() => {});
    return run;
  }

  // --- following: LISTEN/NOTIFY and the backstop poll ---------------------------------------------------

  private startListener(): void {
    if (this.listener || this.closed) return;
    const client = new pg.Client(this.clientConfig);
    this.listener = client;
    let failed = false;
    const fail = (err: unknown): void => {
      if (failed) return;
      failed = true;
      if (this.listener === client) this.listener = undefined;
      client.end().catch(() => {});
      if (this.closed) return;
      this.log("debug", "change feed disconnected; reconnecting", { err: this.errorText(err) });
      this.listenerRetry = setTimeout(() => this.startListener(), this.pollIntervalMs);
    };
    client.on("error", fail);
    client.on("end", () => fail(new Error("connection ended")));
    client.on("notification", (n) => {
      const v = Number(n.payload);
      if (Number.isFinite(v) && v > this.version) this.scheduleCatchUp();
    });
    client
      .connect()
      .then(() => client.query(`LISTEN ${NOTIFY_CHANNEL}`))
      // Nothing is replayed to a listener that was away: catch up by version after every (re)connect.
      .then(() => this.versionCheck())
      .catch(fail);
  }

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
    const interval = this.unreachableSince !== undefined || !this.loaded ? Math.min(500, this.pollIntervalMs) : this.pollIntervalMs;
    this.pollTimer = setTimeout(() => void this.poll(), interval);
    this.pollTimer.unref();
  }

  private async poll(): Promise<void> {
    if (this.probing) return;
    this.probing = true;
    try {
      if (!this.loaded) await this.tryLoad();
      else await this.versionCheck();
      if (this.loaded && this.unreachableSince === undefined) this.startListener();
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
    return new Promise((resolve) => {
      this.queue.push({ req, resolve });
      if (!this.flushing) {
        this.flushing = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  /** The 503 for writes while the database is unreachable or the state not loaded. */
  private refusal(): WriteResult | undefined {
    if (this.unreachableSince !== undefined) {
      const since = new Date(this.unreachableSince).toISOString();
      return { ok: false, status: 503, message: `database unreachable since ${since}: write not applied (pushboard is read-only until PostgreSQL is reachable again): ${this.lastError}` };
    }
    if (!this.loaded) return { ok: false, status: 503, message: "the shared store is not loaded yet (PostgreSQL not reached): write not applied" };
    return undefined;
  }

  private async flush(): Promise<void> {
    while (this.queue.length > 0) {
      const refused = this.refusal();
      if (refused) {
        for (const w of this.queue.splice(0)) w.resolve(refused);
        continue;
      }
      await this.exclusive(() => this.commitBatch());
    }
    this.flushing = false;
  }

  /** The writes of the next batch: everything queued so far (up to MAX_BATCH). */
  private takeBatch(): QueuedWrite[] {
    return this.queue.length > MAX_BATCH ? this.queue.splice(0, MAX_BATCH) : this.queue.splice(0);
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
      queued = this.takeBatch();
      const batch = newBatch();
      const results = queued.map((w) => this.state.apply(w.req, batch));
      // Hold only committed data in memory while the commit is in flight.
      this.state.undo(batch);
      const next = current + 1;
      const sql = batch.mutations.length > 0 ? this.commitSql(batch.mutations, next, client) : "";
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
      queued ??= this.takeBatch();
      this.log("error", "write transaction failed, writes not applied", { err: this.errorText(err), writes: queued.length });
      const failed: WriteResult = { ok: false, status: 503, message: `database error, write not applied: ${this.errorText(err)}` };
      for (const w of queued) w.resolve(failed);
    }
  }

  /** The snapshot, change-log, version and notification statements of one batch (simple-query text). */
  private commitSql(mutations: Mutation[], version: number, client: pg.ClientBase): string {
    const lit = (s: string): string => client.escapeLiteral(s);
    const parts: string[] = [];
    for (const m of mutations) {
      switch (m.op) {
        case "upsertGroup": {
          const key = lit(keyText(m.key));
          parts.push(
            `INSERT INTO pushboard_groups (key, labels, push_history, last_error_ms, last_error_message) VALUES (${key}, ${lit(JSON.stringify(m.labels))}, ` +
              `${lit(JSON.stringify(m.pushHistory))}, ${m.lastError ? numberLiteral(m.lastError.timeMs) : "NULL"}, ${m.lastError ? lit(JSON.stringify(m.lastError.message)) : "NULL"}) ` +
              `ON CONFLICT (key) DO UPDATE SET labels = EXCLUDED.labels, push_history = EXCLUDED.push_history, ` +
              `last_error_ms = EXCLUDED.last_error_ms, last_error_message = EXCLUDED.last_error_message`,
          );
          if (m.removedFamilies.length > 0) {
            parts.push(`DELETE FROM pushboard_families WHERE group_key = ${key} AND name IN (${m.removedFamilies.map((n) => lit(JSON.stringify(n))).join(", ")})`);
          }
          if (m.families.length > 0) {
            const values = m.families.map((sf) => `(${key}, ${lit(JSON.stringify(sf.family.name))}, ${numberLiteral(sf.timestampMs)}, ${lit(familyText(sf))})`);
            parts.push(
              `INSERT INTO pushboard_families (group_key, name, timestamp_ms, data) VALUES ${values.join(", ")} ` +
                `ON CONFLICT (group_key, name) DO UPDATE SET timestamp_ms = EXCLUDED.timestamp_ms, data = EXCLUDED.data`,
            );
          }
          break;
        }
        case "deleteGroup": {
          const key = lit(keyText(m.key));
          parts.push(`DELETE FROM pushboard_families WHERE group_key = ${key}`, `DELETE FROM pushboard_groups WHERE key = ${key}`);
          break;
        }
        case "wipe":
          parts.push(`DELETE FROM pushboard_families`, `DELETE FROM pushboard_groups`);
          break;
        case "audit":
          parts.push(
            `INSERT INTO pushboard_audit (time_ms, entry) VALUES ${m.entries.map((e) => `(${numberLiteral(e.timeMs)}, ${lit(JSON.stringify(e))})`).join(", ")}`,
            `DELETE FROM pushboard_audit WHERE id <= (SELECT max(id) FROM pushboard_audit) - ${AUDIT_MAX_ENTRIES} OR time_ms < ${Date.now() - this.auditRetentionMs}`,
          );
          break;
      }
    }
    parts.push(`INSERT INTO pushboard_changes (version, mutations) VALUES (${version}, ${lit(encodeMutations(mutations))})`);
    parts.push(`UPDATE pushboard_meta SET version = ${version} WHERE id = 1`);
    parts.push(`SELECT pg_notify('${NOTIFY_CHANNEL}', '${version}')`);
    if (version % 100 === 0 && version > this.retain) parts.push(`DELETE FROM pushboard_changes WHERE version <= ${version - this.retain}`);
    return parts.join(";\n") + ";\n";
  }
}

function numberLiteral(n: number): string {
  if (!Number.isFinite(n)) throw new Error(`non-finite number ${n} in a timestamp`);
  return String(n);
}

/** Reads the version and every group, in insertion order (the caller provides a consistent snapshot). */
async function loadSnapshot(client: pg.ClientBase): Promise<{ version: number; groups: PersistedGroup[]; audit: AuditEntry[] }> {
  const v = await client.query<{ version: string }>("SELECT version FROM pushboard_meta WHERE id = 1");
  const version = Number(v.rows[0]?.version ?? 0);
  const g = await client.query<{ key: string; labels: string; push_history: string; last_error_ms: number | null; last_error_message: string | null }>(
    "SELECT key, labels, push_history, last_error_ms, last_error_message FROM pushboard_groups ORDER BY seq",
  );
  const byKey = new Map<string, PersistedGroup>();
  for (const row of g.rows) {
    const key = keyFromText(row.key);
    const group: PersistedGroup = { key, labels: JSON.parse(row.labels), families: [], pushHistory: JSON.parse(row.push_history) };
    if (row.last_error_ms !== null) group.lastError = { timeMs: row.last_error_ms, message: row.last_error_message === null ? "" : (JSON.parse(row.last_error_message) as string) };
    byKey.set(row.key, group);
  }
  const f = await client.query<{ group_key: string; timestamp_ms: number; data: string }>("SELECT group_key, timestamp_ms, data FROM pushboard_families ORDER BY seq");
  for (const row of f.rows) {
    const group = byKey.get(row.group_key);
    if (group) group.families.push({ timestampMs: row.timestamp_ms, family: decodeFamily(row.data) });
  }
  const a = await client.query<{ entry: string }>(`SELECT entry FROM pushboard_audit ORDER BY id DESC LIMIT ${AUDIT_MAX_ENTRIES}`);
  const audit = a.rows.map((r) => JSON.parse(r.entry) as AuditEntry).reverse();
  return { version, groups: [...byKey.values()], audit };
}

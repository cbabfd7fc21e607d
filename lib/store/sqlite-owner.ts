// The side of the SQLite backend that holds the connection: it runs on the database worker thread
// (sqlite-worker.ts) in production, or in-process (tests on the sources). It commits groups of batches in one
// transaction with one WAL flush (group commit), each batch in a savepoint of its own, so a batch that fails is
// rolled back alone.
//
// Epochs: the writer applies batch N+1 to its in-memory state on top of batch N before N is committed (a
// pipeline). If N fails, every later batch sent before the writer learned of it was built on N, so it must not be
// committed either: the owner discards every later batch of the failed batch's epoch, and the writer, having
// taken them back out of memory, re-applies their writes and sends them again with the next epoch.
import type Database from "better-sqlite3";
import { closeSync, fdatasync, fdatasyncSync, openSync } from "node:fs";
import { errorText, isCorruption, openOrReset, PersistenceError, type OpenOptions, type PersistenceLogger } from "./sqlite-schema";
import { groupsFromRows, SqliteStatements, type SqlOps, type StoredRows } from "./sqlite-statements";
import type { PersistedGroup } from "./types";

export interface OwnerOptions extends OpenOptions {
  /** fdatasync the WAL after each commit (synchronous=NORMAL), rather than FULL's sync inside it or none. */
  flushWal: boolean;
}

export interface CommitRequest {
  id: number;
  epoch: number;
  ops: SqlOps;
}

/** ok; failed (this batch's statements or its commit failed); discarded (an earlier batch of its epoch failed). */
export type CommitOutcome = { id: number; ok: true } | { id: number; ok: false; error: SerializedError; discarded?: boolean };

/** An error as it crosses the thread boundary. `fatal`: memory and disk can no longer be trusted to agree. */
export interface SerializedError {
  name: string;
  message: string;
  kind?: PersistenceError["kind"];
  file?: string;
  code?: string;
  fatal?: boolean;
}

export function serializeError(err: unknown, fatal = false): SerializedError {
  const e = err instanceof Error ? err : new Error(String(err));
  const out: SerializedError = { name: e.name, message: e.message };
  if (e instanceof PersistenceError) {
    out.kind = e.kind;
    out.file = e.file;
  }
  const code = (e as { code?: unknown }).code;
  if (typeof code === "string") out.code = code;
  if (fatal) out.fatal = true;
  return out;
}

export function deserializeError(s: SerializedError): Error {
  if (s.kind !== undefined) return new PersistenceError(s.kind, s.file ?? "", s.message);
  const e = new Error(s.message);
  e.name = s.name;
  if (s.code !== undefined) (e as Error & { code?: string }).code = s.code;
  return e;
}

/** The transaction control of commit(), prepared once (db.exec would parse its SQL on every commit). */
interface TransactionStatements {
  begin: Database.Statement;
  savepoint: Database.Statement;
  release: Database.Statement;
  commit: Database.Statement;
}

function transactionStatements(db: Database.Database): TransactionStatements {
  return {
    begin: db.prepare("BEGIN IMMEDIATE"),
    savepoint: db.prepare("SAVEPOINT batch"),
    release: db.prepare("RELEASE batch"),
    commit: db.prepare("COMMIT"),
  };
}

export class SqliteOwner {
  private db: Database.Database;
  private stmts: SqliteStatements;
  private tx: TransactionStatements;
  private walFd: number | undefined;
  /** Batches of this epoch and older are discarded: one of them failed. */
  private discardUpTo = -1;
  private fatal: SerializedError | undefined;

  /** Opens the database (throws PersistenceError when it cannot be used). */
  constructor(
    private readonly abs: string,
    private readonly opts: OwnerOptions,
    private readonly log: PersistenceLogger,
  ) {
    this.db = openOrReset(abs, opts, log);
    this.stmts = new SqliteStatements(this.db);
    this.tx = transactionStatements(this.db);
  }

  /** Every stored group; a database found corrupt here is reset (if allowed) and reads as empty. */
  load(): PersistedGroup[] {
    return this.readingRows((rows) => groupsFromRows(rows), []);
  }

  /** Every stored row, copied out (to send to another thread); corrupt as in load(). */
  rows(): StoredRows {
    return this.readingRows((rows) => ({ groups: [...rows.groups], families: [...rows.families] }), { groups: [], families: [] });
  }

  private readingRows<T>(read: (rows: StoredRows) => T, empty: T): T {
    try {
      return read(this.stmts.rows());
    } catch (err) {
      if (!isCorruption(err)) throw err;
      this.db.close();
      this.closeWal();
      this.db = openOrReset(this.abs, this.opts, this.log, err);
      this.stmts = new SqliteStatements(this.db);
      this.tx = transactionStatements(this.db);
      return empty;
    }
  }

  auditEntries(): string[] {
    return this.stmts.auditEntries();
  }

  undoSnapshots(oldestMs: number): string[] {
    return this.stmts.undoSnapshots(oldestMs);
  }

  /**
   * Commits the batches in order, in one transaction, and makes it durable (`syncWal` false: the caller flushes
   * the WAL itself, with flushWal below, before it acknowledges). One outcome per request.
   */
  commit(requests: CommitRequest[], syncWal = this.opts.flushWal): CommitOutcome[] {
    if (this.fatal) return requests.map((r) => ({ id: r.id, ok: false, error: this.fatal! }));
    const outcomes: CommitOutcome[] = [];
    const committed: CommitRequest[] = [];
    let failure: SerializedError | undefined;
    if (requests.length === 1 && requests[0]!.epoch > this.discardUpTo) return this.commitOne(requests[0]!, syncWal);
    // IMMEDIATE: take the write lock up front, so a concurrent reader cannot make the transaction fail half-way.
    try {
      this.tx.begin.run();
    } catch (err) {
      return this.failAll(
        requests,
        requests.map((r) => ({ id: r.id, ok: true })),
        serializeError(err),
      );
    }
    for (const r of requests) {
      if (r.epoch <= this.discardUpTo) {
        outcomes.push(this.rejected(r, failure ?? { name: "Error", message: "an earlier commit failed" }, true));
        continue;
      }
      try {
        this.tx.savepoint.run();
        this.stmts.run(r.ops);
        this.tx.release.run();
        committed.push(r);
        outcomes.push({ id: r.id, ok: true });
      } catch (err) {
        failure = serializeError(err);
        this.discardUpTo = r.epoch;
        try {
          this.db.exec("ROLLBACK TO batch; RELEASE batch");
        } catch {
          // The transaction is gone (SQLite rolled it back itself): nothing of it is kept; COMMIT below fails.
        }
        outcomes.push(this.rejected(r, failure, false));
      }
    }
    try {
      if (this.db.inTransaction) this.tx.commit.run();
      else if (committed.length > 0) throw new Error("the transaction was rolled back");
    } catch (err) {
      if (this.db.inTransaction) this.db.exec("ROLLBACK");
      return this.failAll(requests, outcomes, serializeError(err));
    }
    if (committed.length > 0 && syncWal) {
      try {
        fdatasyncSync(this.wal());
      } catch (err) {
        return requests.map((r) => ({ id: r.id, ok: false, error: this.walFailed(err) }));
      }
    }
    return outcomes;
  }

  /**
   * commit() of a single batch (the usual case at low concurrency): the same outcomes, without the savepoint,
   * since a failed batch is the whole transaction and is rolled back as such.
   */
  private commitOne(r: CommitRequest, syncWal: boolean): CommitOutcome[] {
    try {
      this.tx.begin.run();
    } catch (err) {
      return this.failAll([r], [{ id: r.id, ok: true }], serializeError(err));
    }
    try {
      this.stmts.run(r.ops);
    } catch (err) {
      const failure = serializeError(err);
      this.discardUpTo = r.epoch;
      try {
        if (this.db.inTransaction) this.db.exec("ROLLBACK");
      } catch {
        // Already gone: SQLite rolled it back itself.
      }
      return [this.rejected(r, failure, false)];
    }
    try {
      if (!this.db.inTransaction) throw new Error("the transaction was rolled back");
      this.tx.commit.run();
    } catch (err) {
      if (this.db.inTransaction) this.db.exec("ROLLBACK");
      return this.failAll([r], [{ id: r.id, ok: true }], serializeError(err));
    }
    if (syncWal) {
      try {
        fdatasyncSync(this.wal());
      } catch (err) {
        return [{ id: r.id, ok: false, error: this.walFailed(err) }];
      }
    }
    return [{ id: r.id, ok: true }];
  }

  private wal(): number {
    return (this.walFd ??= openSync(this.abs + "-wal", "r+"));
  }

  /** The commit is in the WAL but maybe not on disk: a restart from disk is the only honest state. */
  private walFailed(err: unknown): SerializedError {
    this.fatal = serializeError(new Error(`flushing the write-ahead log ${this.abs}-wal failed: ${errorText(err)}`), true);
    this.log("error", "fdatasync of the WAL failed; acknowledged state can no longer be guaranteed", { file: this.abs, err: errorText(err) });
    return this.fatal;
  }

  /** fdatasync of the WAL on libuv's thread pool (for commits made with syncWal false); the error, if any, is fatal. */
  flushWal(done: (error?: SerializedError) => void): void {
    let fd: number;
    try {
      fd = this.wal();
    } catch (err) {
      done(this.walFailed(err));
      return;
    }
    fdatasync(fd, (err) => done(err ? this.walFailed(err) : undefined));
  }

  /** The whole transaction failed: its first batch not yet rejected fails, the later ones are discarded. */
  private failAll(requests: CommitRequest[], outcomes: CommitOutcome[], error: SerializedError): CommitOutcome[] {
    this.discardUpTo = Math.max(this.discardUpTo, ...requests.map((r) => r.epoch));
    let first = true;
    return outcomes.map((o, i) => {
      if (!o.ok) return o;
      const out = this.rejected(requests[i]!, error, !first);
      first = false;
      return out;
    });
  }

  private rejected(r: CommitRequest, error: SerializedError, discarded: boolean): CommitOutcome {
    return discarded ? { id: r.id, ok: false, error, discarded: true } : { id: r.id, ok: false, error };
  }

  private closeWal(): void {
    if (this.walFd !== undefined) closeSync(this.walFd);
    this.walFd = undefined;
  }

  close(): void {
    this.closeWal();
    try {
      this.db.pragma("wal_checkpoint(TRUNCATE)");
    } catch (err) {
      this.log("warn", "WAL checkpoint at close failed; the WAL will be replayed at next open", { file: this.abs, err: errorText(err) });
    }
    this.db.close();
  }
}

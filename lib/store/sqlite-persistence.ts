// The embedded durable backend: SQLite through better-sqlite3 in WAL mode. A commit resolves only once the WAL is
// fdatasynced, so an acknowledged write survives kill -9 and power loss. The store may send the next batch before
// this one is durable (`pipelined`): its statements run while the previous flush is on libuv's thread pool, or,
// with the connection on a database worker thread (sqlite-worker.ts, opt-in), beside the event loop altogether;
// see sqlite-owner.ts for how a failure discards the batches built on it.
// Files: sqlite-schema.ts (open, validate, migrate, reset), sqlite-statements.ts (SQL), sqlite-owner.ts (the
// connection and group commit), lib/store/family-codec.ts (the family encoding every backend stores).
// A database that cannot be read is never discarded silently: opening throws a PersistenceError that says what
// happened, where the file is and what to do, unless allowReset asks to move it aside and start empty.
import { existsSync } from "node:fs";
import path from "node:path";
import { MessageChannel, receiveMessageOnPort, Worker } from "node:worker_threads";
import { AUDIT_RETENTION_MS } from "./audit-trail";
import { deserializeError, SqliteOwner, type CommitOutcome, type OwnerOptions, type SerializedError } from "./sqlite-owner";
import { PersistenceError, SCHEMA_VERSION, type PersistenceLogger } from "./sqlite-schema";
import { encodeCommit, groupsFromRows, type StoredRows } from "./sqlite-statements";
import type { WorkerInit, WorkerReply, WorkerRequest } from "./sqlite-worker";
import type { AuditEntry, Mutation, PersistedGroup, Persistence, UndoSnapshot } from "./types";
import { UNDO_WINDOW_MS } from "./undo";
import { decodeUndoSnapshot } from "./undo-codec";

export { decodeFamily, decodeFamilyDocument, encodeFamily } from "./family-codec";
export { APPLICATION_ID, PersistenceError, SCHEMA_VERSION, type PersistenceErrorKind, type PersistenceLogger, type PersistenceLogLevel } from "./sqlite-schema";

export interface SqlitePersistenceOptions {
  /** Move an unreadable database aside to `<file>.corrupt-<timestamp>` and start empty instead of throwing. */
  allowReset?: boolean;
  logger?: PersistenceLogger;
  /**
   * How a commit becomes durable before it is acknowledged:
   * - "WAL_FDATASYNC" (default): PRAGMA synchronous=NORMAL, then an fdatasync of the WAL; as durable as FULL.
   * - "FULL": PRAGMA synchronous=FULL, the fsync inside the commit.
   * - "NORMAL": no fsync before acknowledging (survives kill -9, not power loss); for benchmarks only.
   */
  synchronous?: "WAL_FDATASYNC" | "FULL" | "NORMAL";
  /** Called when flushing the WAL fails: memory and disk can no longer be trusted to agree (default: throw). */
  onFatal?: (err: Error) => void;
  /** Run PRAGMA quick_check at open (default true). */
  integrityCheck?: boolean;
  /** Audit entries older than this are pruned (--audit.retention). */
  auditRetentionMs?: number;
  /** Undo snapshots older than this are pruned (--dashboard.undo-window). */
  undoWindowMs?: number;
  /**
   * The bundled sqlite-worker.cjs to hold the connection on a worker thread; null: on the calling thread. Default:
   * see defaultWorkerFile.
   */
  workerFile?: string | null;
}

/** How long opening may take on the worker (busy_timeout and quick_check included) before it is given up. */
const OPEN_TIMEOUT_MS = 120_000;

/** The worker side, as the persistence talks to it: inline (an SqliteOwner here) or on a worker thread. */
interface Connection {
  /** `lone`: the batch is a single write (nothing to overlap its flush with, if nothing else is in flight). */
  commit(id: number, epoch: number, ops: ReturnType<typeof encodeCommit>, lone: boolean): void;
  request<T>(t: "rows" | "audit" | "close"): Promise<T>;
  /** The encoded undo snapshots not older than oldestMs (older ones are dropped). */
  undoSnapshots(oldestMs: number): Promise<string[]>;
  load(): Promise<PersistedGroup[]>;
}

export function openSqlitePersistence(file: string, opts: SqlitePersistenceOptions = {}): Persistence {
  const abs = path.resolve(file);
  const log = opts.logger ?? (() => {});
  const syncMode = opts.synchronous ?? "WAL_FDATASYNC";
  const ownerOpts: OwnerOptions = {
    allowReset: opts.allowReset ?? false,
    integrityCheck: opts.integrityCheck ?? true,
    synchronous: syncMode === "FULL" ? "FULL" : "NORMAL",
    flushWal: syncMode === "WAL_FDATASYNC",
  };
  const retention = { auditRetentionMs: opts.auditRetentionMs ?? AUDIT_RETENTION_MS, undoWindowMs: opts.undoWindowMs ?? UNDO_WINDOW_MS };

  // Commits in flight, oldest first; the connection answers them in order.
  const pending = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  let nextId = 0;
  let epoch = 0;
  let closed = false;
  const settle = (outcomes: CommitOutcome[]): void => {
    for (const o of outcomes) {
      const p = pending.get(o.id);
      if (!p) continue;
      pending.delete(o.id);
      if (o.ok) {
        p.resolve();
        continue;
      }
      // The batches sent after a failed one were built on it: their successors get a new epoch (sqlite-owner.ts).
      if (!o.discarded) epoch++;
      const err = deserializeError(o.error);
      if (o.error.fatal && !o.discarded) opts.onFatal?.(err);
      p.reject(err);
    }
  };

  const workerFile = opts.workerFile === undefined ? defaultWorkerFile() : opts.workerFile;
  const conn: Connection = workerFile
    ? onWorker(workerFile, abs, ownerOpts, log, settle)
    : inline(new SqliteOwner(abs, ownerOpts, log), ownerOpts.flushWal, settle);

  const persistence: Persistence = {
    description: `sqlite: ${abs}`,
    pipelined: true,

    async loadAudit(): Promise<AuditEntry[]> {
      return (await conn.request<string[]>("audit")).map((e) => JSON.parse(e) as AuditEntry);
    },

    async loadUndo(): Promise<UndoSnapshot[]> {
      return (await conn.undoSnapshots(Date.now() - retention.undoWindowMs)).map((d) => decodeUndoSnapshot(d));
    },

    async load(): Promise<PersistedGroup[]> {
      if (closed) throw new Error("sqlite persistence is closed");
      return conn.load();
    },

    commit(mutations: Mutation[]): Promise<void> {
      if (closed) throw new Error("sqlite persistence is closed");
      if (mutations.length === 0) return Promise.resolve();
      let ops;
      try {
        ops = encodeCommit(mutations, retention);
      } catch (err) {
        return Promise.reject(err as Error);
      }
      const id = nextId++;
      const done = new Promise<void>((resolve, reject) => pending.set(id, { resolve, reject }));
      conn.commit(id, epoch, ops, mutations.length === 1);
      return done;
    },

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await conn.request("close");
    },
  };
  log("info", "opened persistence database", { file: abs, schemaVersion: SCHEMA_VERSION, synchronous: syncMode, thread: workerFile ? "worker" : "inline" });
  return persistence;
}

/**
 * The connection on this thread. A commit with nothing else in flight flushes the WAL inline (a thread hop would
 * only add latency); otherwise the flush runs on libuv's thread pool, so the event loop parses, applies and
 * commits the next batch meanwhile. Flushes may finish out of order; commits are answered in order.
 */
function inline(owner: SqliteOwner, flushWal: boolean, settle: (o: CommitOutcome[]) => void): Connection {
  // Commits not answered yet, oldest first; `outcomes` is set once known.
  const waiting: Array<{ outcomes?: CommitOutcome[] }> = [];
  const answer = (slot: { outcomes?: CommitOutcome[] }, outcomes: CommitOutcome[]): void => {
    slot.outcomes = outcomes;
    while (waiting.length > 0 && waiting[0]!.outcomes) settle(waiting.shift()!.outcomes!);
  };
  return {
    commit: (id, epoch, ops, lone) => {
      const req = [{ id, epoch, ops }];
      const slot = {};
      waiting.push(slot);
      if (!flushWal || (lone && waiting.length === 1)) {
        // Nothing to overlap with: one synchronous commit-and-flush.
        answer(slot, owner.commit(req));
        return;
      }
      const outcomes = owner.commit(req, false);
      if (!outcomes[0]!.ok) {
        answer(slot, outcomes);
        return;
      }
      owner.flushWal((error) => answer(slot, error ? [{ id, ok: false, error }] : outcomes));
    },
    load: () => {
      try {
        return Promise.resolve(owner.load());
      } catch (err) {
        return Promise.reject(err as Error);
      }
    },
    request: <T>(t: "rows" | "audit" | "close"): Promise<T> => {
      try {
        return Promise.resolve((t === "rows" ? owner.rows() : t === "audit" ? owner.auditEntries() : owner.close()) as T);
      } catch (err) {
        return Promise.reject(err as Error);
      }
    },
    undoSnapshots: (oldestMs) => {
      try {
        return Promise.resolve(owner.undoSnapshots(oldestMs));
      } catch (err) {
        return Promise.reject(err as Error);
      }
    },
  };
}

/** Starts the database worker and waits (synchronously, so opening errors throw here) until it has opened the file. */
function onWorker(file: string, abs: string, opts: OwnerOptions, log: PersistenceLogger, settle: (o: CommitOutcome[]) => void): Connection {
  const { port1, port2 } = new MessageChannel();
  const signal = new Int32Array(new SharedArrayBuffer(4));
  const init: WorkerInit = { abs, opts, port: port2, signal };
  const worker = new Worker(file, { workerData: init, transferList: [port2] });
  const results = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 0;
  let inFlight = 0;
  // The worker keeps the process alive only while it holds work, so a server that exits is never held up by it.
  const hold = (d: number): void => {
    inFlight += d;
    if (inFlight > 0) worker.ref();
    else worker.unref();
  };
  const handle = (r: WorkerReply | { ok: boolean; error?: SerializedError }): void => {
    if (!("t" in r)) return;
    if (r.t === "log") log(r.level, r.msg, r.fields);
    else if (r.t === "commits") {
      hold(-r.outcomes.length);
      settle(r.outcomes);
    } else {
      const p = results.get(r.id);
      if (!p) return;
      results.delete(r.id);
      hold(-1);
      if (r.error) p.reject(deserializeError(r.error));
      else p.resolve(r.value);
    }
  };

  if (Atomics.wait(signal, 0, 0, OPEN_TIMEOUT_MS) === "timed-out") {
    void worker.terminate();
    throw new PersistenceError("io", abs, `Opening the persistence database ${abs} did not finish within ${OPEN_TIMEOUT_MS / 1000} s.`);
  }
  let opened: { ok: boolean; error?: SerializedError } | undefined;
  for (let m = receiveMessageOnPort(port1); m; m = receiveMessageOnPort(port1)) {
    const msg = m.message as WorkerReply | { ok: boolean; error?: SerializedError };
    if ("t" in msg) handle(msg);
    else opened = msg;
  }
  if (!opened?.ok) {
    void worker.terminate();
    port1.close();
    throw opened?.error ? deserializeError(opened.error) : new PersistenceError("io", abs, `Cannot open the persistence database ${abs}`);
  }
  port1.on("message", handle);
  port1.unref();
  worker.unref();
  worker.on("error", (err) => {
    // The database thread died: nothing it held is known to be durable. Fail it all; the owner exits (onFatal).
    const e = new Error(`the database thread failed: ${err.message}`);
    for (const [, p] of results) p.reject(e);
    results.clear();
    settle([...Array(nextCommitId).keys()].map((id) => ({ id, ok: false, error: { name: "Error", message: e.message, fatal: true } })));
  });
  let nextCommitId = 0;
  const send = (req: WorkerRequest): void => worker.postMessage(req);
  const ask = <T>(req: (id: number) => WorkerRequest): Promise<T> => {
    const id = nextId++;
    hold(1);
    return new Promise<T>((resolve, reject) => {
      results.set(id, { resolve: resolve as (v: unknown) => void, reject });
      send(req(id));
    });
  };
  return {
    commit(id, epoch, ops) {
      nextCommitId = id + 1;
      hold(1);
      send({ t: "commit", id, epoch, ops });
    },
    async load() {
      return groupsFromRows(await this.request<StoredRows>("rows"));
    },
    request<T>(t: "rows" | "audit" | "close"): Promise<T> {
      return ask<T>((id) => ({ t, id }));
    },
    undoSnapshots(oldestMs) {
      return ask<string[]>((id) => ({ t: "undo", id, oldestMs }));
    },
  };
}

/**
 * The connection stays on the event loop unless PUSHBOARD_SQLITE_THREAD=worker (then sqlite-worker.cjs beside the
 * server bundle, .next/pushboard/). Measured on 2 shared cores (BENCHMARKS.md, issue 17): the worker's two thread
 * hops per commit cost more than the statements they move off the event loop (0.43x the Pushgateway at 1
 * connection against 0.92x on the event loop, the same at 4 and 16), so it is opt-in.
 */
function defaultWorkerFile(): string | undefined {
  if (process.env.PUSHBOARD_SQLITE_THREAD !== "worker") return undefined;
  const f = path.join(__dirname, "sqlite-worker.cjs");
  return existsSync(f) ? f : undefined;
}

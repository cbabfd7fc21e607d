// Worker-thread entry of the SQLite backend (bundled to .next/pushboard/sqlite-worker.cjs by lib/cli/build.mjs):
// owns the database connection, so the statements and the WAL flush of a commit run beside the event loop, which
// meanwhile parses and applies the next writes. Commits that arrive while one is running are committed together
// (one transaction, one flush). The open result is posted on `port` and signalled on `signal`, for the opener
// waits for it synchronously.
import { parentPort, workerData, type MessagePort } from "node:worker_threads";
import type { PersistenceLogLevel } from "./sqlite-schema";
import { serializeError, SqliteOwner, type CommitRequest, type OwnerOptions } from "./sqlite-owner";

export interface WorkerInit {
  abs: string;
  opts: OwnerOptions;
  port: MessagePort;
  signal: Int32Array;
}

export type WorkerRequest =
  | ({ t: "commit" } & CommitRequest)
  | { t: "rows"; id: number }
  | { t: "audit"; id: number }
  | { t: "undo"; id: number; oldestMs: number }
  | { t: "close"; id: number };

export type WorkerReply =
  | { t: "log"; level: PersistenceLogLevel; msg: string; fields?: Record<string, unknown> }
  | { t: "commits"; outcomes: import("./sqlite-owner").CommitOutcome[] }
  | { t: "result"; id: number; value?: unknown; error?: import("./sqlite-owner").SerializedError };

const init = workerData as WorkerInit;
// Every reply goes on `port`, which the opener can also read synchronously while it waits for the open.
const post = (r: WorkerReply): void => init.port.postMessage(r);
const log = (level: PersistenceLogLevel, msg: string, fields?: Record<string, unknown>): void => post({ t: "log", level, msg, fields });

let owner: SqliteOwner | undefined;
try {
  owner = new SqliteOwner(init.abs, init.opts, log);
  init.port.postMessage({ ok: true });
} catch (err) {
  init.port.postMessage({ ok: false, error: serializeError(err) });
}
Atomics.store(init.signal, 0, 1);
Atomics.notify(init.signal, 0);

let queue: WorkerRequest[] = [];
let scheduled = false;

parentPort!.on("message", (req: WorkerRequest) => {
  queue.push(req);
  if (!scheduled) {
    scheduled = true;
    // Let every message already posted join this round, so queued commits share one transaction and one flush.
    setImmediate(drain);
  }
});

function drain(): void {
  scheduled = false;
  const reqs = queue;
  queue = [];
  let commits: CommitRequest[] = [];
  const flushCommits = (): void => {
    if (commits.length === 0) return;
    post({ t: "commits", outcomes: owner!.commit(commits) });
    commits = [];
  };
  for (const req of reqs) {
    if (req.t === "commit") {
      commits.push(req);
      continue;
    }
    flushCommits();
    try {
      if (req.t === "rows") post({ t: "result", id: req.id, value: owner!.rows() });
      else if (req.t === "audit") post({ t: "result", id: req.id, value: owner!.auditEntries() });
      else if (req.t === "undo") post({ t: "result", id: req.id, value: owner!.undoSnapshots(req.oldestMs) });
      else {
        owner!.close();
        post({ t: "result", id: req.id });
        parentPort!.close();
        init.port.close();
      }
    } catch (err) {
      post({ t: "result", id: req.id, error: serializeError(err) });
    }
  }
  flushCommits();
}

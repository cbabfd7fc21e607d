// Opening the SQLite database file: create it private, check it is a pushboard database this version can read,
// configure it (WAL, exclusive lock), migrate its schema, and the one place that moves an unreadable file aside.
//
// Schema (version 1 and 2), chosen so one commit costs O(size of its mutations), never O(group) or O(store):
//   groups(key TEXT PRIMARY KEY, labels TEXT /* JSON LabelPair[] */, push_history TEXT /* JSON number[] */,
//          last_error_ms REAL NULL, last_error_message TEXT NULL)
//   families(group_key TEXT, name TEXT, timestamp_ms REAL, data TEXT /* encodeFamily(MetricFamily) */,
//            PRIMARY KEY (group_key, name))
//   audit(id INTEGER PRIMARY KEY AUTOINCREMENT, time_ms REAL, entry TEXT /* JSON AuditEntry */)
// A new version is one more entry in MIGRATIONS (plus its columns in sqlite-statements.ts).
import Database from "better-sqlite3";
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, renameSync, statSync } from "node:fs";
import path from "node:path";

import type { LogLevel as PersistenceLogLevel, Logger as PersistenceLogger } from "../util/log";
export type { PersistenceLogLevel, PersistenceLogger };

/** How the database is opened (the subset of the persistence options that concerns the file itself). */
export interface OpenOptions {
  /** Move an unreadable database aside to `<file>.corrupt-<timestamp>` and start empty instead of throwing. */
  allowReset?: boolean;
  /** PRAGMA synchronous: FULL (the WAL is synced inside each commit) or NORMAL. */
  synchronous?: "FULL" | "NORMAL";
  /** Run PRAGMA quick_check at open (default true). */
  integrityCheck?: boolean;
}

export type PersistenceErrorKind = "corrupt" | "not-pushboard" | "newer-schema" | "locked" | "io";

/** Opening or loading the database failed; the message tells the operator what happened and what to do. */
export class PersistenceError extends Error {
  constructor(
    readonly kind: PersistenceErrorKind,
    readonly file: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "PersistenceError";
  }
}

/** "PBRD": marks a SQLite file as a pushboard database. */
export const APPLICATION_ID = 0x50425244;

interface Migration {
  version: number;
  description: string;
  up(db: Database.Database): void;
}

/** Applied in order inside one transaction each; `PRAGMA user_version` records the last one applied. */
const MIGRATIONS: Migration[] = [
  {
    version: 1,
    description: "groups and families tables",
    up(db) {
      db.exec(`
        CREATE TABLE groups (
          key TEXT PRIMARY KEY NOT NULL,
          labels TEXT NOT NULL,
          push_history TEXT NOT NULL,
          last_error_ms REAL,
          last_error_message TEXT
        );
        CREATE TABLE families (
          group_key TEXT NOT NULL,
          name TEXT NOT NULL,
          timestamp_ms REAL NOT NULL,
          data TEXT NOT NULL,
          PRIMARY KEY (group_key, name)
        );
      `);
    },
  },
  {
    version: 2,
    description: "audit trail",
    up(db) {
      db.exec(`CREATE TABLE audit (id INTEGER PRIMARY KEY AUTOINCREMENT, time_ms REAL NOT NULL, entry TEXT NOT NULL);`);
    },
  },
  {
    version: 3,
    description: "undo snapshots of deletes",
    up(db) {
      db.exec(`CREATE TABLE undo (id TEXT PRIMARY KEY NOT NULL, time_ms REAL NOT NULL, data TEXT NOT NULL); CREATE INDEX undo_time ON undo (time_ms);`);
    },
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

export function sqliteCode(err: unknown): string | undefined {
  return typeof err === "object" && err !== null && "code" in err ? String((err as { code: unknown }).code) : undefined;
}

export function isCorruption(err: unknown): boolean {
  const code = sqliteCode(err) ?? "";
  return code.startsWith("SQLITE_NOTADB") || code.startsWith("SQLITE_CORRUPT");
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function timestampSuffix(now = new Date()): string {
  return now.toISOString().replace(/[:.]/g, "-");
}

export function corruptError(abs: string, cause: unknown): PersistenceError {
  return new PersistenceError(
    "corrupt",
    abs,
    `The persistence database ${abs} cannot be read: ${errorText(cause)}. ` +
      `It was left untouched. If it is a Prometheus Pushgateway persistence file (Go gob format), pushboard cannot ` +
      `read it: start pushboard with another file and copy the data with \`pushboard import --from <pushgateway url>\`. ` +
      `Otherwise restore it from a backup, or move it away (or start with --storage.reset-on-corruption, which moves it ` +
      `to ${path.basename(abs)}.corrupt-<timestamp>) to start with an empty store.`,
    { cause },
  );
}

/**
 * Opens the database, or, when it cannot be read and `allowReset` is set, moves it aside (logging where to) and
 * opens an empty one in its place. `cause` is an error already seen while reading it (at load), if any.
 */
export function openOrReset(abs: string, opts: OpenOptions, log: PersistenceLogger, cause?: unknown): Database.Database {
  if (cause === undefined) {
    try {
      return openChecked(abs, opts);
    } catch (err) {
      if (!(err instanceof PersistenceError) || err.kind !== "corrupt" || !opts.allowReset) throw err;
      cause = err.cause ?? err;
    }
  } else if (!opts.allowReset) {
    throw corruptError(abs, cause);
  }
  const moved = moveAside(abs);
  log("error", "persistence database is unreadable; moved it aside and starting with an empty store", {
    file: abs,
    movedTo: moved,
    err: errorText(cause),
  });
  return openChecked(abs, opts);
}

/** Opens (creating if needed), checks, configures and migrates the database. */
function openChecked(abs: string, opts: OpenOptions): Database.Database {
  try {
    // Pushed metrics are private (the Pushgateway writes its file -rw-------): a directory created here is 0700, and
    // the database 0600; SQLite gives its -wal and -shm files the database's mode.
    mkdirSync(path.dirname(abs), { recursive: true, mode: 0o700 });
    if (!existsSync(abs)) closeSync(openSync(abs, "a", 0o600));
    else if (statSync(abs).isFile()) chmodSync(abs, 0o600);
  } catch (err) {
    throw new PersistenceError("io", abs, `Cannot create the directory of the persistence database ${abs}: ${errorText(err)}`, { cause: err });
  }
  if (existsSync(abs) && statSync(abs).isDirectory()) {
    throw new PersistenceError("io", abs, `The persistence database path ${abs} is a directory; give a file path.`);
  }
  let db: Database.Database;
  try {
    db = new Database(abs);
  } catch (err) {
    throw new PersistenceError("io", abs, `Cannot open the persistence database ${abs}: ${errorText(err)}`, { cause: err });
  }
  try {
    // A rolling restart may still have the old process shutting down: wait for its lock a little.
    db.pragma("busy_timeout = 5000");
    // One process owns the database: two servers with separate in-memory stores writing one file would each lose
    // the other's writes at the next restart. EXCLUSIVE keeps the write lock from the first write until close (and
    // spares WAL its shared-memory file); the empty IMMEDIATE transaction below takes it at open.
    db.pragma("locking_mode = EXCLUSIVE");
    // Reading the header first: a file that is not SQLite fails here with SQLITE_NOTADB, before anything writes.
    let version: number;
    let appId: number;
    let tableCount: number;
    try {
      version = db.pragma("user_version", { simple: true }) as number;
      appId = db.pragma("application_id", { simple: true }) as number;
      tableCount = (db.prepare("SELECT count(*) FROM sqlite_schema").pluck().get() as number) ?? 0;
    } catch (err) {
      if (isCorruption(err)) throw corruptError(abs, err);
      throw err;
    }
    if (appId !== APPLICATION_ID && !(appId === 0 && version === 0 && tableCount === 0)) {
      throw new PersistenceError(
        "not-pushboard",
        abs,
        `The file ${abs} is a SQLite database, but not a pushboard one (application_id ${appId}). ` +
          `It was left untouched; give pushboard a different --persistence.file or PUSHBOARD_DATA_DIR.`,
      );
    }
    if (version > SCHEMA_VERSION) {
      throw new PersistenceError(
        "newer-schema",
        abs,
        `The persistence database ${abs} has schema version ${version}, but this pushboard knows versions up to ` +
          `${SCHEMA_VERSION}: it was written by a newer pushboard. Run that newer version (or newer), or restore a ` +
          `backup made before the upgrade. The file was left untouched.`,
      );
    }
    if (opts.integrityCheck ?? true) {
      let result: string[];
      try {
        result = db.prepare("PRAGMA quick_check").pluck().all() as string[];
      } catch (err) {
        if (isCorruption(err)) throw corruptError(abs, err);
        throw err;
      }
      if (result.length !== 1 || result[0] !== "ok") {
        throw corruptError(abs, new Error(`quick_check: ${result.slice(0, 5).join("; ")}`));
      }
    }
    const mode = db.pragma("journal_mode = WAL", { simple: true }) as string;
    if (String(mode).toLowerCase() !== "wal") throw new Error(`could not switch to WAL mode (journal_mode is ${mode})`);
    db.pragma(`synchronous = ${opts.synchronous ?? "FULL"}`);
    db.pragma("foreign_keys = OFF");
    migrate(db, version);
    db.exec("BEGIN IMMEDIATE; COMMIT");
    return db;
  } catch (err) {
    db.close();
    if (err instanceof PersistenceError) throw err;
    if (isCorruption(err)) throw corruptError(abs, err);
    if ((sqliteCode(err) ?? "").startsWith("SQLITE_BUSY")) {
      throw new PersistenceError(
        "locked",
        abs,
        `The persistence database ${abs} is locked by another process (another pushboard using the same file?). ` +
          `Only one server may use a database file: stop the other one, or give this one another file.`,
        { cause: err },
      );
    }
    throw new PersistenceError("io", abs, `Cannot open the persistence database ${abs}: ${errorText(err)}`, { cause: err });
  }
}

function migrate(db: Database.Database, from: number): void {
  for (const m of MIGRATIONS) {
    if (m.version <= from) continue;
    db.transaction(() => {
      m.up(db);
      db.pragma(`application_id = ${APPLICATION_ID}`);
      db.pragma(`user_version = ${m.version}`);
    }).immediate();
  }
}

/** Renames the file and its WAL/SHM companions to `<file>.corrupt-<timestamp>[-wal|-shm]`; returns the new path. */
function moveAside(abs: string): string {
  const target = `${abs}.corrupt-${timestampSuffix()}`;
  for (const suffix of ["", "-wal", "-shm", "-journal"]) {
    if (existsSync(abs + suffix)) renameSync(abs + suffix, target + suffix);
  }
  return target;
}

// The embedded durable backend: SQLite through better-sqlite3 in WAL mode; a commit resolves only once the WAL is
// fdatasynced, so an acknowledged write survives kill -9 and power loss.
//
// Schema (version 1), chosen so one commit costs O(size of its mutations), never O(group) or O(store):
//   groups(key TEXT PRIMARY KEY, labels TEXT /* JSON LabelPair[] */, push_history TEXT /* JSON number[] */,
//          last_error_ms REAL NULL, last_error_message TEXT NULL)
//   families(group_key TEXT, name TEXT, timestamp_ms REAL, data TEXT /* encodeFamily(MetricFamily) */,
//            PRIMARY KEY (group_key, name))
// Family data is a compact JSON document that keeps NaN, ±Inf and -0 (see encodeFamily).
// A database that cannot be read is never discarded silently: opening throws a PersistenceError that says what
// happened, where the file is and what to do, unless allowReset asks to move it aside and start empty.
import Database from "better-sqlite3";
import { chmodSync, closeSync, existsSync, fdatasync, fdatasyncSync, mkdirSync, openSync, renameSync, statSync } from "node:fs";
import path from "node:path";
import { METRIC_TYPES, type Bucket, type LabelPair, type Metric, type MetricFamily, type MetricType, type Quantile } from "../exposition/model";
import type { AuditEntry, Mutation, PersistedGroup, Persistence, StoredFamily } from "./types";
import { AUDIT_MAX_ENTRIES, AUDIT_RETENTION_MS } from "./audit-trail";

import type { Logger as PersistenceLogger } from "../util/log";
export type { PersistenceLogger };

export interface SqlitePersistenceOptions {
  /** Move an unreadable database aside to `<file>.corrupt-<timestamp>` and start empty instead of throwing. */
  allowReset?: boolean;
  logger?: PersistenceLogger;
  /**
   * How a commit becomes durable before it is acknowledged:
   * - "WAL_FDATASYNC" (default): PRAGMA synchronous=NORMAL, then an fdatasync of the WAL on libuv's thread pool, so
   *   the event loop parses the next pushes while the disk flushes; as durable as FULL.
   * - "FULL": PRAGMA synchronous=FULL, the fsync inside the commit, blocking the event loop.
   * - "NORMAL": no fsync before acknowledging (survives kill -9, not power loss); for benchmarks only.
   */
  synchronous?: "WAL_FDATASYNC" | "FULL" | "NORMAL";
  /** Called when flushing the WAL fails: memory and disk can no longer be trusted to agree (default: throw). */
  onFatal?: (err: Error) => void;
  /** Run PRAGMA quick_check at open (default true). */
  integrityCheck?: boolean;
  /** Audit entries older than this are pruned (--audit.retention). */
  auditRetentionMs?: number;
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
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

// ---------------------------------------------------------------------------------------------------------------
// Lossless, compact family encoding (a JSON document, so JSON.parse does the heavy lifting at native speed).
//
// Compact form, used whenever a family has only the usual fields (text pushes always do):
//   [name, help, typeCode, metric, metric, ...]          typeCode: index in TYPES
//   metric  = [labels, kind, payload] or [labels, kind, payload, timestampMs]
//   labels  = ["name1", "value1", "name2", "value2", ...]
//   kind 0/1/2 (counter/gauge/untyped): payload = value
//   kind 3 (summary):   payload = [sampleCount, sampleSum, quantile1, value1, ...]
//   kind 4 (histogram): payload = [sampleCount, sampleSum, upperBound1, cumulativeCount1, ...]
// A number that JSON cannot carry (NaN, ±Inf, -0) sits in its numeric slot as the string "NaN", "Infinity",
// "-Infinity" or "-0"; slots are typed by position, so strings in label/help slots need no escaping.
// Anything else (exemplars, created timestamps, float or native histograms, a metric with several value fields, an
// unknown field) falls back to a generic form for that metric, or for the whole family: a JSON *string* holding
// JSON.stringify(object) with NaN/±Inf/-0 written as NUL-tagged strings ("\0NaN", ...) and genuine strings that
// start with NUL given one more NUL. The generic form keeps every own enumerable field, like JSON does.

const TYPES: readonly MetricType[] = METRIC_TYPES;
const TYPE_CODE = new Map<string, number>(TYPES.map((t, i) => [t, i]));
const SIMPLE_KINDS = ["counter", "gauge", "untyped"] as const;
const KIND_SUMMARY = 3;
const KIND_HISTOGRAM = 4;

const TAG = "\u0000";

function replacer(_key: string, v: unknown): unknown {
  if (typeof v === "number") {
    if (Number.isFinite(v)) return v === 0 && 1 / v < 0 ? TAG + "-0" : v;
    return TAG + String(v); // NaN, Infinity, -Infinity
  }
  if (typeof v === "string" && v.charCodeAt(0) === 0) return TAG + v;
  return v;
}

function reviver(_key: string, v: unknown): unknown {
  if (typeof v === "string" && v.charCodeAt(0) === 0) {
    const rest = v.slice(1);
    if (rest.charCodeAt(0) === 0) return rest;
    const n = specialNumber(rest);
    if (n === undefined) throw new Error(`bad tagged value ${JSON.stringify(v)}`);
    return n;
  }
  return v;
}

function genericEncode(x: unknown): string {
  // Arrays of finite numbers (push histories) need no replacer, which costs a call per element.
  if (Array.isArray(x) && x.every((v) => typeof v === "number" && Number.isFinite(v) && !Object.is(v, -0))) return JSON.stringify(x);
  return JSON.stringify(x, replacer);
}
function genericDecode<T>(s: string): T {
  return (s.includes("\\u0000") ? JSON.parse(s, reviver) : JSON.parse(s)) as T;
}

/** A number for a numeric slot: itself, or its name when JSON cannot carry it. */
function num(x: number): number | string {
  return Number.isFinite(x) && !(x === 0 && 1 / x < 0) ? x : Object.is(x, -0) ? "-0" : String(x);
}
function specialNumber(s: string): number | undefined {
  switch (s) {
    case "NaN":
      return NaN;
    case "Infinity":
      return Infinity;
    case "-Infinity":
      return -Infinity;
    case "-0":
      return -0;
    default:
      return undefined;
  }
}
function unnum(x: unknown): number {
  if (typeof x === "number") return x;
  const n = typeof x === "string" ? specialNumber(x) : undefined;
  if (n === undefined) throw new Error(`bad number ${JSON.stringify(x)} in stored family`);
  return n;
}

/** True if every own field of o that is not undefined is one of `allowed`. */
function onlyFields(o: object, allowed: readonly string[]): boolean {
  for (const k in o) {
    if (!Object.prototype.hasOwnProperty.call(o, k)) continue;
    if ((o as Record<string, unknown>)[k] !== undefined && !allowed.includes(k)) return false;
  }
  return true;
}

const METRIC_FIELDS = ["label", "counter", "gauge", "untyped", "summary", "histogram", "timestampMs"] as const;

function encodeMetric(m: Metric): unknown {
  if (!onlyFields(m, METRIC_FIELDS) || !Array.isArray(m.label)) return genericEncode(m);
  const labels: string[] = [];
  for (const l of m.label) {
    if (typeof l.name !== "string" || typeof l.value !== "string" || !onlyFields(l, ["name", "value"])) return genericEncode(m);
    labels.push(l.name, l.value);
  }
  let kind = -1;
  let payload: unknown;
  let set = 0;
  for (let i = 0; i < SIMPLE_KINDS.length; i++) {
    const v = m[SIMPLE_KINDS[i]!];
    if (v === undefined) continue;
    set++;
    if (typeof v.value !== "number" || !onlyFields(v, ["value"])) return genericEncode(m);
    kind = i;
    payload = num(v.value);
  }
  if (m.summary !== undefined) {
    set++;
    const s = m.summary;
    if (!onlyFields(s, ["sampleCount", "sampleSum", "quantile"]) || !Array.isArray(s.quantile)) return genericEncode(m);
    const p: Array<number | string> = [num(s.sampleCount), num(s.sampleSum)];
    for (const q of s.quantile) {
      if (!onlyFields(q, ["quantile", "value"])) return genericEncode(m);
      p.push(num(q.quantile), num(q.value));
    }
    kind = KIND_SUMMARY;
    payload = p;
  }
  if (m.histogram !== undefined) {
    set++;
    const h = m.histogram;
    if (!onlyFields(h, ["sampleCount", "sampleSum", "bucket"]) || !Array.isArray(h.bucket)) return genericEncode(m);
    const p: Array<number | string> = [num(h.sampleCount), num(h.sampleSum)];
    for (const b of h.bucket) {
      if (!onlyFields(b, ["upperBound", "cumulativeCount"])) return genericEncode(m);
      p.push(num(b.upperBound), num(b.cumulativeCount));
    }
    kind = KIND_HISTOGRAM;
    payload = p;
  }
  if (set !== 1) return genericEncode(m);
  return m.timestampMs === undefined ? [labels, kind, payload] : [labels, kind, payload, num(m.timestampMs)];
}

function decodeMetric(x: unknown): Metric {
  if (typeof x === "string") return genericDecode<Metric>(x);
  const [flat, kind, payload, ts] = x as [string[], number, unknown, unknown];
  const label: LabelPair[] = new Array<LabelPair>(flat.length >> 1);
  for (let i = 0, j = 0; i < flat.length; i += 2, j++) label[j] = { name: flat[i]!, value: flat[i + 1]! };
  const m: Metric = { label };
  if (kind === KIND_SUMMARY) {
    const p = payload as unknown[];
    const quantile: Quantile[] = [];
    for (let i = 2; i < p.length; i += 2) quantile.push({ quantile: unnum(p[i]), value: unnum(p[i + 1]) });
    m.summary = { sampleCount: unnum(p[0]), sampleSum: unnum(p[1]), quantile };
  } else if (kind === KIND_HISTOGRAM) {
    const p = payload as unknown[];
    const bucket: Bucket[] = [];
    for (let i = 2; i < p.length; i += 2) bucket.push({ upperBound: unnum(p[i]), cumulativeCount: unnum(p[i + 1]) });
    m.histogram = { sampleCount: unnum(p[0]), sampleSum: unnum(p[1]), bucket };
  } else {
    const k = SIMPLE_KINDS[kind];
    if (k === undefined) throw new Error(`bad metric kind ${kind} in stored family`);
    m[k] = { value: unnum(payload) };
  }
  if (ts !== undefined) m.timestampMs = unnum(ts);
  return m;
}

/** Encodes a family losslessly (NaN, ±Inf and -0 included) as a compact JSON document. */
export function encodeFamily(family: MetricFamily): string {
  const type = TYPE_CODE.get(family.type);
  if (
    type === undefined ||
    typeof family.name !== "string" ||
    typeof family.help !== "string" ||
    !Array.isArray(family.metric) ||
    !onlyFields(family, ["name", "help", "type", "metric"])
  ) {
    return JSON.stringify(genericEncode(family));
  }
  const doc: unknown[] = [family.name, family.help, type];
  for (const m of family.metric) doc.push(encodeMetric(m));
  return JSON.stringify(doc);
}

/** Inverse of encodeFamily. */
export function decodeFamily(data: string | Buffer): MetricFamily {
  return decodeFamilyDocument(JSON.parse(typeof data === "string" ? data : data.toString("utf8")) as unknown);
}

/** Inverse of encodeFamily, for a document already parsed (e.g. embedded in a larger JSON document). */
export function decodeFamilyDocument(doc: unknown): MetricFamily {
  if (typeof doc === "string") return genericDecode<MetricFamily>(doc);
  const arr = doc as unknown[];
  const type = TYPES[arr[2] as number];
  if (type === undefined) throw new Error(`bad type code ${String(arr[2])} in stored family`);
  const metric: Metric[] = new Array<Metric>(arr.length - 3);
  for (let i = 3; i < arr.length; i++) metric[i - 3] = decodeMetric(arr[i]);
  return { name: arr[0] as string, help: arr[1] as string, type, metric };
}

// ---------------------------------------------------------------------------------------------------------------

function sqliteCode(err: unknown): string | undefined {
  return typeof err === "object" && err !== null && "code" in err ? String((err as { code: unknown }).code) : undefined;
}

function isCorruption(err: unknown): boolean {
  const code = sqliteCode(err) ?? "";
  return code.startsWith("SQLITE_NOTADB") || code.startsWith("SQLITE_CORRUPT");
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function timestampSuffix(now = new Date()): string {
  return now.toISOString().replace(/[:.]/g, "-");
}

const noopLogger: PersistenceLogger = () => {};

export function openSqlitePersistence(file: string, opts: SqlitePersistenceOptions = {}): Persistence {
  const abs = path.resolve(file);
  const log = opts.logger ?? noopLogger;
  const allowReset = opts.allowReset ?? false;

  let db: Database.Database;
  try {
    db = openChecked(abs, opts);
  } catch (err) {
    if (!(err instanceof PersistenceError) || err.kind !== "corrupt" || !allowReset) throw err;
    const moved = moveAside(abs);
    log("error", "persistence database is unreadable; moved it aside and starting with an empty store", {
      file: abs,
      movedTo: moved,
      err: errorText(err.cause ?? err),
    });
    db = openChecked(abs, opts);
  }

  let stmts = prepare(db);
  let closed = false;


  // Family rows of a batch go out in multi-row upserts: one statement per FAMILY_ROWS_PER_STATEMENT rows costs far
  // less than one statement per row. Deletes flush the pending rows first, so mutations keep their order.
  const upsertFamiliesStatements = new Map<number, Database.Statement>();
  const upsertFamilies = (n: number): Database.Statement => {
    let st = upsertFamiliesStatements.get(n);
    if (!st) {
      st = db.prepare(
        `INSERT INTO families (group_key, name, timestamp_ms, data) VALUES ${Array(n).fill("(?, ?, ?, ?)").join(", ")}
         ON CONFLICT (group_key, name) DO UPDATE SET timestamp_ms = excluded.timestamp_ms, data = excluded.data`,
      );
      upsertFamiliesStatements.set(n, st);
    }
    return st;
  };
  const makeCommitTx = (stmts: Statements) =>
    db.transaction((ms: Mutation[]) => {
      let pending: unknown[] = [];
      const flush = (): void => {
        for (let i = 0; i < pending.length; i += 4 * FAMILY_ROWS_PER_STATEMENT) {
          const chunk = pending.slice(i, i + 4 * FAMILY_ROWS_PER_STATEMENT);
          upsertFamilies(chunk.length / 4).run(chunk);
        }
        pending = [];
      };
      for (const m of ms) {
        switch (m.op) {
          case "upsertGroup": {
            stmts.upsertGroup.run(
              m.key,
              JSON.stringify(m.labels),
              genericEncode(m.pushHistory),
              m.lastError ? m.lastError.timeMs : null,
              m.lastError ? m.lastError.message : null,
            );
            if (m.removedFamilies.length > 0) {
              flush();
              for (const name of m.removedFamilies) stmts.deleteFamily.run(m.key, name);
            }
            for (const f of m.families) pending.push(m.key, f.family.name, f.timestampMs, encodeFamily(f.family));
            break;
          }
          case "deleteGroup":
            flush();
            stmts.deleteGroupFamilies.run(m.key);
            stmts.deleteGroup.run(m.key);
            break;
          case "wipe":
            flush();
            stmts.wipeFamilies.run();
            stmts.wipeGroups.run();
            break;
          case "audit":
            for (const e of m.entries) stmts.insertAudit.run(e.timeMs, JSON.stringify(e));
            stmts.pruneAudit.run(AUDIT_MAX_ENTRIES, Date.now() - (opts.auditRetentionMs ?? AUDIT_RETENTION_MS));
            break;
          default: {
            const never: never = m;
            throw new Error(`unknown mutation ${JSON.stringify(never)}`);
          }
        }
      }
      flush();
    });
  let commitTx = makeCommitTx(stmts);

  // The committed transaction is in the WAL (written, not yet synced); fdatasync of the WAL file makes it durable
  // exactly as synchronous=FULL would, but off the event loop. A failure leaves memory ahead of disk: fatal.
  const syncMode = opts.synchronous ?? "WAL_FDATASYNC";
  let walFd: number | undefined;
  const walFailed = (err: Error): Error => {
    const e = new Error(`flushing the write-ahead log ${abs}-wal failed: ${err.message}`);
    log("error", "fdatasync of the WAL failed; acknowledged state can no longer be guaranteed", { file: abs, err: err.message });
    if (opts.onFatal) opts.onFatal(e);
    return e;
  };
  const flushWalInline = (): void => {
    try {
      walFd ??= openSync(abs + "-wal", "r+");
      fdatasyncSync(walFd);
    } catch (err) {
      throw walFailed(err as Error);
    }
  };
  const flushWal = (): Promise<void> =>
    new Promise((resolve, reject) => {
      try {
        walFd ??= openSync(abs + "-wal", "r+");
      } catch (err) {
        reject(err);
        return;
      }
      fdatasync(walFd, (err) => (err ? reject(walFailed(err)) : resolve()));
    });

  const persistence: Persistence = {
    description: `sqlite: ${abs}`,

    loadAudit(): AuditEntry[] {
      return (stmts.loadAudit.all() as string[]).map((e) => JSON.parse(e) as AuditEntry);
    },

    load(): PersistedGroup[] {
      if (closed) throw new Error("sqlite persistence is closed");
      try {
        return loadAll(stmts);
      } catch (err) {
        if (!isCorruption(err)) throw err;
        const perr = corruptError(abs, err);
        if (!allowReset) throw perr;
        db.close();
        const moved = moveAside(abs);
        log("error", "persistence database is corrupt; moved it aside and starting with an empty store", {
          file: abs,
          movedTo: moved,
          err: errorText(err),
        });
        db = openChecked(abs, opts);
        stmts = prepare(db);
        upsertFamiliesStatements.clear();
        if (walFd !== undefined) closeSync(walFd);
        walFd = undefined;
        commitTx = makeCommitTx(stmts);
        return [];
      }
    },

    commit(mutations: Mutation[]): void | Promise<void> {
      if (closed) throw new Error("sqlite persistence is closed");
      if (mutations.length === 0) return;
      // IMMEDIATE: take the write lock up front, so a concurrent reader (e.g. sqlite3 CLI) cannot make the
      // transaction fail half-way with SQLITE_BUSY on lock upgrade.
      commitTx.immediate(mutations);
      if (syncMode !== "WAL_FDATASYNC") return;
      // A lone write has nothing to overlap with: flushing inline saves the thread-pool round trip.
      if (mutations.length === 1) return flushWalInline();
      return flushWal();
    },

    close(): void {
      if (closed) return;
      closed = true;
      if (walFd !== undefined) closeSync(walFd);
      try {
        db.pragma("wal_checkpoint(TRUNCATE)");
      } catch (err) {
        log("warn", "WAL checkpoint at close failed; the WAL will be replayed at next open", { file: abs, err: errorText(err) });
      }
      db.close();
    },
  };
  log("info", "opened persistence database", { file: abs, schemaVersion: SCHEMA_VERSION, synchronous: opts.synchronous ?? "WAL_FDATASYNC" });
  return persistence;
}

function corruptError(abs: string, cause: unknown): PersistenceError {
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

/** Opens (creating if needed), checks, configures and migrates the database. */
function openChecked(abs: string, opts: SqlitePersistenceOptions): Database.Database {
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
    db.pragma(`synchronous = ${opts.synchronous === "FULL" ? "FULL" : "NORMAL"}`);
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

const FAMILY_ROWS_PER_STATEMENT = 64;

type Statements = ReturnType<typeof prepare>;

function prepare(db: Database.Database) {
  return {
    upsertGroup: db.prepare(
      `INSERT INTO groups (key, labels, push_history, last_error_ms, last_error_message) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET labels = excluded.labels, push_history = excluded.push_history,
         last_error_ms = excluded.last_error_ms, last_error_message = excluded.last_error_message`,
    ),
    upsertFamily: db.prepare(
      `INSERT INTO families (group_key, name, timestamp_ms, data) VALUES (?, ?, ?, ?)
       ON CONFLICT (group_key, name) DO UPDATE SET timestamp_ms = excluded.timestamp_ms, data = excluded.data`,
    ),
    deleteFamily: db.prepare(`DELETE FROM families WHERE group_key = ? AND name = ?`),
    deleteGroupFamilies: db.prepare(`DELETE FROM families WHERE group_key = ?`),
    deleteGroup: db.prepare(`DELETE FROM groups WHERE key = ?`),
    wipeFamilies: db.prepare(`DELETE FROM families`),
    wipeGroups: db.prepare(`DELETE FROM groups`),
    loadGroups: db.prepare(`SELECT key, labels, push_history, last_error_ms, last_error_message FROM groups`).raw(),
    loadFamilies: db.prepare(`SELECT group_key, timestamp_ms, data FROM families`).raw(),
    insertAudit: db.prepare(`INSERT INTO audit (time_ms, entry) VALUES (?, ?)`),
    pruneAudit: db.prepare(`DELETE FROM audit WHERE id <= (SELECT MAX(id) FROM audit) - ? OR time_ms < ?`),
    loadAudit: db.prepare(`SELECT entry FROM audit ORDER BY id`).pluck(),
  };
}

function loadAll(stmts: Statements): PersistedGroup[] {
  const byKey = new Map<string, PersistedGroup>();
  for (const row of stmts.loadGroups.iterate() as IterableIterator<[string, string, string, number | null, string | null]>) {
    const [key, labels, pushHistory, errMs, errMsg] = row;
    const g: PersistedGroup = {
      key,
      labels: JSON.parse(labels) as LabelPair[],
      families: [],
      pushHistory: genericDecode<number[]>(pushHistory),
    };
    if (errMs !== null) g.lastError = { timeMs: errMs, message: errMsg ?? "" };
    byKey.set(key, g);
  }
  // Rowid order: each group's families come back in the order they were first written (an update keeps the row).
  let current: PersistedGroup | undefined;
  let currentKey: string | undefined;
  for (const row of stmts.loadFamilies.iterate() as IterableIterator<[string, number, string]>) {
    const [groupKey, timestampMs, data] = row;
    if (groupKey !== currentKey) {
      currentKey = groupKey;
      current = byKey.get(groupKey);
    }
    // Families are only written together with their group row and deleted with it, so an orphan cannot exist;
    // if one did, it is skipped rather than inventing a group without labels.
    if (!current) continue;
    const sf: StoredFamily = { family: decodeFamily(data), timestampMs };
    current.families.push(sf);
  }
  return [...byKey.values()];
}

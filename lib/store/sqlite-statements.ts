// The SQL of the SQLite backend: mutations flattened to statement parameters (on the thread that applies writes,
// so the family encoding is done where the families are), the prepared statements that run them, and loading the
// stored rows back into groups. See sqlite-schema.ts for the tables.
import type Database from "better-sqlite3";
import type { LabelPair } from "../exposition/model";
import { AUDIT_MAX_ENTRIES } from "./audit-trail";
import { decodeFamily, decodeNumbers, encodeFamily, encodeNumbers } from "./family-codec";
import type { Mutation, PersistedGroup } from "./types";
import { encodeUndoSnapshot } from "./undo-codec";

// A commit travels as one flat array of primitives (cheap to copy to the database thread): an op code followed
// by its parameters.
const OP_GROUP = 0; // key, labels JSON, push history, last error ms | null, last error message | null
const OP_FAMILY = 1; // group key, name, timestamp ms, encoded family
const OP_DELETE_FAMILY = 2; // group key, name
const OP_DELETE_GROUP = 3; // key
const OP_WIPE = 4;
const OP_AUDIT = 5; // time ms, entry JSON
const OP_PRUNE_AUDIT = 6; // keep at most this many entries, drop entries older than this Unix ms
const OP_PUT_UNDO = 7; // snapshot id, time ms, encoded snapshot
const OP_DROP_UNDO = 8; // snapshot id
const OP_PRUNE_UNDO = 9; // drop snapshots older than this Unix ms

export type SqlOps = Array<string | number | null>;

/** How long audit entries and undo snapshots are kept (--audit.retention, --dashboard.undo-window). */
export interface Retention {
  auditRetentionMs: number;
  undoWindowMs: number;
}

/** Flattens mutations into the parameters of their statements. Throws if a family cannot be encoded. */
export function encodeCommit(mutations: Mutation[], retention: Retention, nowMs = Date.now()): SqlOps {
  const ops: SqlOps = [];
  let undoWritten = false;
  for (const m of mutations) {
    switch (m.op) {
      case "upsertGroup":
        ops.push(OP_GROUP, m.key, JSON.stringify(m.labels), encodeNumbers(m.pushHistory), m.lastError?.timeMs ?? null, m.lastError?.message ?? null);
        for (const name of m.removedFamilies) ops.push(OP_DELETE_FAMILY, m.key, name);
        for (const f of m.families) ops.push(OP_FAMILY, m.key, f.family.name, f.timestampMs, encodeFamily(f.family));
        break;
      case "deleteGroup":
        ops.push(OP_DELETE_GROUP, m.key);
        break;
      case "wipe":
        ops.push(OP_WIPE);
        break;
      case "audit":
        for (const e of m.entries) ops.push(OP_AUDIT, e.timeMs, JSON.stringify(e));
        ops.push(OP_PRUNE_AUDIT, AUDIT_MAX_ENTRIES, nowMs - retention.auditRetentionMs);
        break;
      case "putUndo":
        ops.push(OP_PUT_UNDO, m.snapshot.id, m.snapshot.timeMs, encodeUndoSnapshot(m.snapshot));
        undoWritten = true;
        break;
      case "dropUndo":
        ops.push(OP_DROP_UNDO, m.id);
        undoWritten = true;
        break;
      default: {
        const never: never = m;
        throw new Error(`unknown mutation ${JSON.stringify(never)}`);
      }
    }
  }
  // Snapshots past the undo window go with any commit that writes one.
  if (undoWritten) ops.push(OP_PRUNE_UNDO, nowMs - retention.undoWindowMs);
  return ops;
}

/** Family rows go out in multi-row upserts: one statement per this many rows costs far less than one per row. */
const FAMILY_ROWS_PER_STATEMENT = 64;

/** Raw rows as stored: groups [key, labels, history, errMs, errMsg] and families [groupKey, timestampMs, data]. */
export interface StoredRows {
  groups: Iterable<[string, string, string, number | null, string | null]>;
  families: Iterable<[string, number, string]>;
}

/** The prepared statements of one open database. */
export class SqliteStatements {
  private readonly upsertGroup: Database.Statement;
  private readonly deleteFamily: Database.Statement;
  private readonly deleteGroupFamilies: Database.Statement;
  private readonly deleteGroup: Database.Statement;
  private readonly wipeFamilies: Database.Statement;
  private readonly wipeGroups: Database.Statement;
  private readonly insertAudit: Database.Statement;
  private readonly pruneAudit: Database.Statement;
  private readonly loadGroups: Database.Statement;
  private readonly loadFamilies: Database.Statement;
  private readonly loadAuditEntries: Database.Statement;
  private readonly putUndo: Database.Statement;
  private readonly dropUndo: Database.Statement;
  private readonly pruneUndo: Database.Statement;
  private readonly loadUndo: Database.Statement;
  private readonly upsertFamilies = new Map<number, Database.Statement>();

  constructor(private readonly db: Database.Database) {
    this.upsertGroup = db.prepare(
      `INSERT INTO groups (key, labels, push_history, last_error_ms, last_error_message) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET labels = excluded.labels, push_history = excluded.push_history,
         last_error_ms = excluded.last_error_ms, last_error_message = excluded.last_error_message`,
    );
    this.deleteFamily = db.prepare(`DELETE FROM families WHERE group_key = ? AND name = ?`);
    this.deleteGroupFamilies = db.prepare(`DELETE FROM families WHERE group_key = ?`);
    this.deleteGroup = db.prepare(`DELETE FROM groups WHERE key = ?`);
    this.wipeFamilies = db.prepare(`DELETE FROM families`);
    this.wipeGroups = db.prepare(`DELETE FROM groups`);
    this.insertAudit = db.prepare(`INSERT INTO audit (time_ms, entry) VALUES (?, ?)`);
    this.pruneAudit = db.prepare(`DELETE FROM audit WHERE id <= (SELECT MAX(id) FROM audit) - ? OR time_ms < ?`);
    this.loadGroups = db.prepare(`SELECT key, labels, push_history, last_error_ms, last_error_message FROM groups`).raw();
    this.loadFamilies = db.prepare(`SELECT group_key, timestamp_ms, data FROM families`).raw();
    this.loadAuditEntries = db.prepare(`SELECT entry FROM audit ORDER BY id`).pluck();
    this.putUndo = db.prepare(`INSERT INTO undo (id, time_ms, data) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET data = excluded.data`);
    this.dropUndo = db.prepare(`DELETE FROM undo WHERE id = ?`);
    this.pruneUndo = db.prepare(`DELETE FROM undo WHERE time_ms < ?`);
    this.loadUndo = db.prepare(`SELECT data FROM undo ORDER BY time_ms, rowid`).pluck();
  }

  private upsertFamiliesStatement(n: number): Database.Statement {
    let st = this.upsertFamilies.get(n);
    if (!st) {
      st = this.db.prepare(
        `INSERT INTO families (group_key, name, timestamp_ms, data) VALUES ${Array(n).fill("(?, ?, ?, ?)").join(", ")}
         ON CONFLICT (group_key, name) DO UPDATE SET timestamp_ms = excluded.timestamp_ms, data = excluded.data`,
      );
      this.upsertFamilies.set(n, st);
    }
    return st;
  }

  /** Runs the statements of `ops` in the current transaction. Family rows wait in `pending` until a delete or the end. */
  run(ops: SqlOps): void {
    let pending: SqlOps = [];
    const flush = (): void => {
      for (let i = 0; i < pending.length; i += 4 * FAMILY_ROWS_PER_STATEMENT) {
        const chunk = pending.slice(i, i + 4 * FAMILY_ROWS_PER_STATEMENT);
        this.upsertFamiliesStatement(chunk.length / 4).run(chunk);
      }
      pending = [];
    };
    let i = 0;
    while (i < ops.length) {
      const op = ops[i++];
      switch (op) {
        case OP_GROUP:
          this.upsertGroup.run(ops.slice(i, i + 5));
          i += 5;
          break;
        case OP_FAMILY:
          for (let k = 0; k < 4; k++) pending.push(ops[i++]!);
          break;
        case OP_DELETE_FAMILY:
          flush();
          this.deleteFamily.run(ops[i], ops[i + 1]);
          i += 2;
          break;
        case OP_DELETE_GROUP:
          flush();
          this.deleteGroupFamilies.run(ops[i]);
          this.deleteGroup.run(ops[i]);
          i += 1;
          break;
        case OP_WIPE:
          flush();
          this.wipeFamilies.run();
          this.wipeGroups.run();
          break;
        case OP_AUDIT:
          this.insertAudit.run(ops[i], ops[i + 1]);
          i += 2;
          break;
        case OP_PRUNE_AUDIT:
          this.pruneAudit.run(ops[i], ops[i + 1]);
          i += 2;
          break;
        case OP_PUT_UNDO:
          this.putUndo.run(ops[i], ops[i + 1], ops[i + 2]);
          i += 3;
          break;
        case OP_DROP_UNDO:
          this.dropUndo.run(ops[i]);
          i += 1;
          break;
        case OP_PRUNE_UNDO:
          this.pruneUndo.run(ops[i]);
          i += 1;
          break;
        default:
          throw new Error(`bad commit op ${String(op)} at ${i - 1}`);
      }
    }
    flush();
  }

  /** Every stored row, read lazily (one row at a time, so a big store is never held twice during a load). */
  rows(): StoredRows {
    const { loadGroups, loadFamilies } = this;
    return {
      groups: { [Symbol.iterator]: () => loadGroups.iterate() as Iterator<[string, string, string, number | null, string | null]> },
      families: { [Symbol.iterator]: () => loadFamilies.iterate() as Iterator<[string, number, string]> },
    };
  }

  auditEntries(): string[] {
    return this.loadAuditEntries.all() as string[];
  }

  /** The encoded undo snapshots not older than `oldestMs`, oldest first (older ones are dropped first). */
  undoSnapshots(oldestMs: number): string[] {
    this.pruneUndo.run(oldestMs);
    return this.loadUndo.all() as string[];
  }
}

/** Groups from their stored rows, in rowid order (each group's families in the order first written). */
export function groupsFromRows(rows: StoredRows): PersistedGroup[] {
  const byKey = new Map<string, PersistedGroup>();
  for (const [key, labels, pushHistory, errMs, errMsg] of rows.groups) {
    const g: PersistedGroup = { key, labels: JSON.parse(labels) as LabelPair[], families: [], pushHistory: decodeNumbers(pushHistory) };
    if (errMs !== null) g.lastError = { timeMs: errMs, message: errMsg ?? "" };
    byKey.set(key, g);
  }
  let current: PersistedGroup | undefined;
  let currentKey: string | undefined;
  for (const [groupKey, timestampMs, data] of rows.families) {
    if (groupKey !== currentKey) {
      currentKey = groupKey;
      current = byKey.get(groupKey);
    }
    // Families are only written together with their group row and deleted with it, so an orphan cannot exist;
    // if one did, it is skipped rather than inventing a group without labels.
    if (current) current.families.push({ family: decodeFamily(data), timestampMs });
  }
  return [...byKey.values()];
}

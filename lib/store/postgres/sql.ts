// The SQL of the replicated store: the statements one write batch commits, and the snapshot a replica loads.
import type pg from "pg";
import { AUDIT_MAX_ENTRIES } from "../audit-trail";
import { decodeFamily } from "../sqlite-persistence";
import type { AuditEntry, Mutation, PersistedGroup, UndoSnapshot } from "../types";
import { decodeUndoSnapshot, encodeUndoSnapshot } from "../undo-codec";
import { encodeMutations, familyText, keyFromText, keyText } from "./codec";
import { NOTIFY_CHANNEL } from "./schema";

/**
 * A string literal for simple-query text, the same text as node-postgres's escapeLiteral (libpq's
 * PQescapeLiteral): quotes doubled, and with a backslash the E'' form with backslashes doubled. Two native
 * replaces instead of pg's character-by-character concatenation, which took ~4 s for the ~28 MB a 10,000-group
 * delete writes (its undo snapshots), most of it building and collecting the intermediate strings.
 */
export function sqlLiteral(s: string): string {
  const quoted = s.replace(/'/g, "''");
  return s.includes("\\") ? ` E'${quoted.replace(/\\/g, "\\\\")}'` : `'${quoted}'`;
}

export interface CommitSqlOptions {
  /** Change-log rows kept (batches). */
  retain: number;
  /** Audit entries older than this Unix ms are dropped. */
  auditCutoffMs: number;
  /** Undo snapshots older than this Unix ms are dropped (--dashboard.undo-window). */
  undoCutoffMs: number;
}

function numberLiteral(n: number): string {
  if (!Number.isFinite(n)) throw new Error(`non-finite number ${n} in a timestamp`);
  return String(n);
}

/** The snapshot, change-log, version and notification statements of one batch (simple-query text). */
export function commitSql(mutations: Mutation[], version: number, { retain, auditCutoffMs, undoCutoffMs }: CommitSqlOptions): string {
  const lit = sqlLiteral;
  const parts: string[] = [];
  const undo = new UndoRows(parts, lit);
  // A bulk delete is thousands of deleteGroup mutations in a row: two statements for the whole run, not two per
  // group (10,000 groups as 20,000 statements outlasted the query timeout). Any other mutation ends the run, so the
  // order of writes to one key is kept.
  const deleted: string[] = [];
  const flushDeletes = (): void => {
    if (deleted.length === 0) return;
    const keys = deleted.join(", ");
    parts.push(`DELETE FROM pushboard_families WHERE group_key IN (${keys})`, `DELETE FROM pushboard_groups WHERE key IN (${keys})`);
    deleted.length = 0;
  };
  for (const m of mutations) {
    if (m.op === "deleteGroup") {
      deleted.push(lit(keyText(m.key)));
      continue;
    }
    if (m.op !== "putUndo") flushDeletes();
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
          parts.push(
            `DELETE FROM pushboard_families WHERE group_key = ${key} AND name IN (${m.removedFamilies.map((n) => lit(JSON.stringify(n))).join(", ")})`,
          );
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
      case "wipe":
        parts.push(`DELETE FROM pushboard_families`, `DELETE FROM pushboard_groups`);
        break;
      case "audit":
        parts.push(
          `INSERT INTO pushboard_audit (time_ms, entry) VALUES ${m.entries.map((e) => `(${numberLiteral(e.timeMs)}, ${lit(JSON.stringify(e))})`).join(", ")}`,
          `DELETE FROM pushboard_audit WHERE id <= (SELECT max(id) FROM pushboard_audit) - ${AUDIT_MAX_ENTRIES} OR time_ms < ${auditCutoffMs}`,
        );
        break;
      case "putUndo":
        undo.put(m.snapshot);
        break;
      case "dropUndo":
        undo.drop(m.id);
        break;
    }
  }
  flushDeletes();
  undo.finish(undoCutoffMs);
  parts.push(`INSERT INTO pushboard_changes (version, mutations) VALUES (${version}, ${lit(encodeMutations(mutations))})`);
  parts.push(`UPDATE pushboard_meta SET version = ${version} WHERE id = 1`);
  parts.push(`SELECT pg_notify('${NOTIFY_CHANNEL}', '${version}')`);
  if (version % 100 === 0 && version > retain) parts.push(`DELETE FROM pushboard_changes WHERE version <= ${version - retain}`);
  return parts.join(";\n") + ";\n";
}

/**
 * The pushboard_undo statements of one batch (schema v3): snapshots go out in multi-row upserts (a bulk delete
 * writes one per group), a drop first sends what is pending so mutations keep their order, and snapshots past the
 * undo window are pruned once per batch that wrote any.
 */
class UndoRows {
  private pending = new Map<string, string>();
  private wrote = false;

  constructor(
    private readonly parts: string[],
    private readonly lit: (s: string) => string,
  ) {}

  put(s: UndoSnapshot): void {
    if (this.pending.has(s.id)) this.flush(); // one statement cannot upsert a row twice
    this.pending.set(s.id, `(${this.lit(JSON.stringify(s.id))}, ${numberLiteral(s.timeMs)}, ${this.lit(encodeUndoSnapshot(s))})`);
    this.wrote = true;
  }

  drop(id: string): void {
    this.flush();
    this.parts.push(`DELETE FROM pushboard_undo WHERE id = ${this.lit(JSON.stringify(id))}`);
    this.wrote = true;
  }

  finish(oldestMs: number): void {
    this.flush();
    if (this.wrote) this.parts.push(`DELETE FROM pushboard_undo WHERE time_ms < ${numberLiteral(oldestMs)}`);
  }

  private flush(): void {
    if (this.pending.size === 0) return;
    this.parts.push(
      `INSERT INTO pushboard_undo (id, time_ms, data) VALUES ${[...this.pending.values()].join(", ")} ON CONFLICT (id) DO UPDATE SET data = EXCLUDED.data`,
    );
    this.pending.clear();
  }
}

export interface Snapshot {
  version: number;
  groups: PersistedGroup[];
  audit: AuditEntry[];
  undo: UndoSnapshot[];
}

/**
 * Reads the version and every group, in insertion order, the audit trail and the undo snapshots not older than
 * undoCutoffMs (the caller provides a consistent snapshot).
 */
export async function loadSnapshot(client: pg.ClientBase, undoCutoffMs: number): Promise<Snapshot> {
  const v = await client.query<{ version: string }>("SELECT version FROM pushboard_meta WHERE id = 1");
  const version = Number(v.rows[0]?.version ?? 0);
  const g = await client.query<{ key: string; labels: string; push_history: string; last_error_ms: number | null; last_error_message: string | null }>(
    "SELECT key, labels, push_history, last_error_ms, last_error_message FROM pushboard_groups ORDER BY seq",
  );
  const byKey = new Map<string, PersistedGroup>();
  for (const row of g.rows) {
    const key = keyFromText(row.key);
    const group: PersistedGroup = { key, labels: JSON.parse(row.labels), families: [], pushHistory: JSON.parse(row.push_history) };
    if (row.last_error_ms !== null)
      group.lastError = { timeMs: row.last_error_ms, message: row.last_error_message === null ? "" : (JSON.parse(row.last_error_message) as string) };
    byKey.set(row.key, group);
  }
  const f = await client.query<{ group_key: string; timestamp_ms: number; data: string }>(
    "SELECT group_key, timestamp_ms, data FROM pushboard_families ORDER BY seq",
  );
  for (const row of f.rows) {
    const group = byKey.get(row.group_key);
    if (group) group.families.push({ timestampMs: row.timestamp_ms, family: decodeFamily(row.data) });
  }
  const a = await client.query<{ entry: string }>(`SELECT entry FROM pushboard_audit ORDER BY id DESC LIMIT ${AUDIT_MAX_ENTRIES}`);
  const audit = a.rows.map((r) => JSON.parse(r.entry) as AuditEntry).reverse();
  const u = await client.query<{ data: string }>(`SELECT data FROM pushboard_undo WHERE time_ms >= $1 ORDER BY time_ms, id`, [undoCutoffMs]);
  const undo = u.rows.map((r) => decodeUndoSnapshot(r.data));
  return { version, groups: [...byKey.values()], audit, undo };
}

// The PostgreSQL schema, versioned and migrated at startup. Several replicas may start at once: migrations run
// under a session-level advisory lock, so exactly one applies them and the others find them applied.
//
//   pushboard_schema(version, description, applied_at)        one row per applied migration
//   pushboard_meta(id = 1, version)                           the version of the last committed write batch
//   pushboard_changes(version, committed_at, mutations)       the change log: one row per batch (codec.ts)
//   pushboard_groups(key, seq, labels, push_history, last_error_ms, last_error_message)
//   pushboard_families(group_key, name, seq, timestamp_ms, data)
//   pushboard_audit(id, time_ms, entry)                        the audit trail (deletes, expiries, wipes)
//   pushboard_undo(id, time_ms, data)                          undo snapshots of audited deletes (undo-codec.ts)
// groups/families are the snapshot a replica loads at startup; seq keeps insertion order (an update keeps it).
// Every text column holds JSON (see codec.ts).
import type pg from "pg";

/** pg_advisory_xact_lock key serialising every write batch of every replica (ASCII "PBRD"). */
export const WRITE_LOCK_KEY = 0x50425244;
/** pg_advisory_lock key held while migrating. */
export const MIGRATION_LOCK_KEY = 0x50425245;
export const NOTIFY_CHANNEL = "pushboard_changes";

interface Migration {
  version: number;
  description: string;
  sql: string;
}

const MIGRATIONS: Migration[] = [
  {
    version: 1,
    description: "meta, change log, groups and families",
    sql: `
      CREATE TABLE pushboard_meta (id integer PRIMARY KEY CHECK (id = 1), version bigint NOT NULL);
      INSERT INTO pushboard_meta (id, version) VALUES (1, 0);
      CREATE TABLE pushboard_changes (
        version bigint PRIMARY KEY,
        committed_at timestamptz NOT NULL DEFAULT now(),
        mutations text NOT NULL
      );
      CREATE TABLE pushboard_groups (
        key text PRIMARY KEY,
        seq bigint GENERATED ALWAYS AS IDENTITY,
        labels text NOT NULL,
        push_history text NOT NULL,
        last_error_ms double precision,
        last_error_message text
      );
      CREATE TABLE pushboard_families (
        group_key text NOT NULL,
        name text NOT NULL,
        seq bigint GENERATED ALWAYS AS IDENTITY,
        timestamp_ms double precision NOT NULL,
        data text NOT NULL,
        PRIMARY KEY (group_key, name)
      );
      CREATE INDEX pushboard_families_seq ON pushboard_families (seq);
    `,
  },
  {
    version: 2,
    description: "audit trail",
    sql: `
      CREATE TABLE pushboard_audit (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, time_ms double precision NOT NULL, entry text NOT NULL);
    `,
  },
  {
    version: 3,
    description: "undo snapshots of deletes",
    sql: `
      CREATE TABLE pushboard_undo (id text PRIMARY KEY, time_ms double precision NOT NULL, data text NOT NULL);
      CREATE INDEX pushboard_undo_time ON pushboard_undo (time_ms);
    `,
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

export class NewerSchemaError extends Error {}

/** Creates or migrates the schema; returns the version found before migrating. */
export async function migrate(client: pg.ClientBase, log: (msg: string, fields: Record<string, unknown>) => void): Promise<number> {
  await client.query(`SELECT pg_advisory_lock(${MIGRATION_LOCK_KEY})`);
  try {
    await client.query(`CREATE TABLE IF NOT EXISTS pushboard_schema (
      version integer PRIMARY KEY, description text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const res = await client.query<{ v: number | null }>(`SELECT max(version) AS v FROM pushboard_schema`);
    const found = Number(res.rows[0]?.v ?? 0);
    if (found > SCHEMA_VERSION) {
      throw new NewerSchemaError(
        `the database has pushboard schema version ${found}, but this pushboard knows versions up to ${SCHEMA_VERSION}: ` +
          `it was migrated by a newer pushboard. Run that version (or newer); the database was left untouched.`,
      );
    }
    for (const m of MIGRATIONS) {
      if (m.version <= found) continue;
      await client.query("BEGIN");
      try {
        await client.query(m.sql);
        await client.query(`INSERT INTO pushboard_schema (version, description) VALUES ($1, $2)`, [m.version, m.description]);
        await client.query("COMMIT");
      } catch (err) {
        await client.query("ROLLBACK").catch(() => {});
        throw err;
      }
      log("applied database migration", { version: m.version, description: m.description });
    }
    return found;
  } finally {
    await client.query(`SELECT pg_advisory_unlock(${MIGRATION_LOCK_KEY})`).catch(() => {});
  }
}

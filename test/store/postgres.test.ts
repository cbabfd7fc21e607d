// The store contract on PostgreSQL (a real server, test/helpers/postgres.ts), plus what only a shared store
// has: two stores on one database behave as one (read-your-writes, conflicting writes raced, follow by NOTIFY),
// and the database going away and coming back (writes 503, reads stale, recovery without a restart).
// Ports 19750–19759.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { groupingKey } from "@/lib/grouping/grouping-key";
import { PostgresStore } from "@/lib/store/postgres/postgres-store";
import type { MetricStore } from "@/lib/store/types";
import { PG_PASSWORD, postgresAvailable, startPostgres, type PostgresServer } from "../helpers/postgres";
import { job, push, snapshot, storeContract, valueOf } from "./contract";

const available = postgresAvailable();
let server: PostgresServer | undefined;
let dbCount = 0;
const logs: string[] = [];
const urls = new WeakMap<MetricStore, string>();
const undoWindows = new WeakMap<MetricStore, number | undefined>();

async function openPg(url: string, opts: Partial<ConstructorParameters<typeof PostgresStore>[0]> = {}): Promise<PostgresStore> {
  const s = new PostgresStore({
    url,
    logger: (level, msg, fields) => logs.push(`${level} ${msg} ${JSON.stringify(fields ?? {})}`),
    pollIntervalMs: 200,
    queryTimeoutMs: 2000,
    ...opts,
  });
  await s.start();
  urls.set(s, url);
  return s;
}
async function freshDb(): Promise<string> {
  const name = `contract_${++dbCount}`;
  await server!.createDatabase(name);
  return server!.url(name);
}

describe.skipIf(!available)("PostgreSQL store", () => {
  beforeAll(() => {
    server = startPostgres(19750);
  });
  afterAll(() => {
    server?.destroy();
    // Whatever happened, the password never reached a log line.
    expect(logs.join("\n")).not.toContain(PG_PASSWORD);
  });

  storeContract("postgres", {
    fresh: async (opts) => {
      const s = await openPg(await freshDb(), { undoWindowMs: opts?.undoWindowMs });
      undoWindows.set(s, opts?.undoWindowMs);
      return s;
    },
    reopen: async (s) => {
      await s.close();
      const t = await openPg(urls.get(s)!, { undoWindowMs: undoWindows.get(s) });
      undoWindows.set(t, undoWindows.get(s));
      return t;
    },
  });

  it("two stores: a delete on one is restorable and restored on the other, once", async () => {
    const url = await freshDb();
    const a = await openPg(url);
    const b = await openPg(url);
    try {
      await push(a, "put", job("x"), "# TYPE v gauge\nv NaN\n");
      const before = snapshot(a);
      const del = await a.submit({ kind: "delete", labels: job("x"), audit: { source: "api" } });
      await b.sync();
      expect(b.restorable()).toHaveLength(1);
      const op = del.ok ? del.undo!.operation : "";
      const res = await b.submit({ kind: "restore", ids: [op] });
      expect(res.ok && res.restore!.restored).toHaveLength(1);
      await a.sync();
      expect(snapshot(a)).toEqual(before);
      expect(a.restorable()).toEqual([]);
      expect(await a.submit({ kind: "restore", ids: [op] })).toMatchObject({ ok: true, restore: { restored: [], missing: [{ reason: "restored" }] } });
    } finally {
      await a.close();
      await b.close();
    }
  });

  it("describes itself without the password", async () => {
    const s = await openPg(await freshDb());
    expect(s.description).toMatch(/^postgres: postgres:\/\/pushboard:\*\*\*@127\.0\.0\.1:19750\/contract_\d+$/);
    await s.close();
  });

  it("two stores on one database: read-your-writes, one global order, conflicts rejected on the loser", async () => {
    const url = await freshDb();
    const a = await openPg(url);
    const b = await openPg(url);
    try {
      expect(await push(a, "put", job("x"), "# TYPE v counter\nv 1\n")).toEqual({ ok: true });
      expect(await b.sync()).toEqual({});
      expect(valueOf(b, job("x"), "v")).toBe(1);
      // The same conflict raced on both: exactly one wins, the loser gets the single-server 400.
      for (let round = 0; round < 10; round++) {
        const [ra, rb] = await Promise.all([
          push(a, "put", job(`ra${round}`), `# TYPE c${round} counter\nc${round} 1\n`),
          push(b, "put", job(`rb${round}`), `# TYPE c${round} gauge\nc${round} 1\n`),
        ]);
        expect([ra.ok, rb.ok].filter(Boolean)).toHaveLength(1);
        const loser = ra.ok ? rb : ra;
        expect(loser).toMatchObject({ ok: false, status: 400 });
        expect(!loser.ok && loser.message).toMatch(/^pushed metrics are invalid or inconsistent with existing metrics: /);
      }
      await a.sync();
      await b.sync();
      expect(snapshot(a)).toEqual(snapshot(b));
      // Deletes from either apply everywhere.
      expect(await b.submit({ kind: "delete", labels: job("x") })).toMatchObject({ ok: true, deleted: 1 });
      await a.sync();
      expect(a.getGroup(groupingKey(job("x")))).toBeUndefined();
    } finally {
      await a.close();
      await b.close();
    }
  });

  it("a follower applies changes from the feed without being asked (NOTIFY)", async () => {
    const url = await freshDb();
    const a = await openPg(url);
    const b = await openPg(url, { pollIntervalMs: 60_000 });
    try {
      const changed = new Promise<void>((resolve) => b.onChange((names) => [...names].includes("fed") && resolve()));
      await push(a, "put", job("f"), "fed 7\n");
      await changed;
      expect(valueOf(b, job("f"), "fed")).toBe(7);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it("prunes the change log, and a store opened afterwards loads the same state from the snapshot", async () => {
    const url = await freshDb();
    const a = await openPg(url, { changeLogRetain: 5 });
    try {
      for (let i = 0; i < 230; i++) await push(a, "put", job(`g${i % 7}`), `m${i % 7} ${i}\n`);
      const c = await openPg(url);
      expect(snapshot(c)).toEqual(snapshot(a));
      await c.close();
      const pg = (await import("pg")).default;
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      const rows = await client.query<{ n: string }>("SELECT count(*) AS n FROM pushboard_changes");
      await client.end();
      expect(Number(rows.rows[0]!.n)).toBeLessThan(230);
    } finally {
      await a.close();
    }
  });

  it("database down: writes 503 at once, reads stale, not ready; back: resumes without a restart", async () => {
    const url = await freshDb();
    const s = await openPg(url);
    try {
      expect(await push(s, "put", job("k"), "v 1\n")).toEqual({ ok: true });
      server!.stop();
      const refused = await push(s, "put", job("k"), "v 2\n");
      expect(refused).toMatchObject({ ok: false, status: 503 });
      expect(!refused.ok && refused.message).not.toContain(PG_PASSWORD);
      const fresh = await s.sync();
      expect(fresh.stale?.message).toMatch(/^database unreachable since \d{4}-\d\d-\d\dT/);
      expect(s.ready()).toBe(false);
      expect(valueOf(s, job("k"), "v")).toBe(1);
      const again = await push(s, "put", job("k"), "v 3\n");
      expect(again).toMatchObject({ ok: false, status: 503 });
      expect(!again.ok && again.message).toMatch(/database unreachable since/);
      server!.start();
      while (!s.ready()) await new Promise((r) => setTimeout(r, 50));
      expect(await push(s, "put", job("k"), "v 4\n")).toEqual({ ok: true });
      expect(valueOf(s, job("k"), "v")).toBe(4);
      expect(await s.sync()).toEqual({});
    } finally {
      server!.start();
      await s.close();
    }
  });

  it("a store started while the database is down is not ready, and loads once it is back", async () => {
    const url = await freshDb();
    const a = await openPg(url);
    await push(a, "put", job("early"), "e 1\n");
    await a.close();
    server!.stop();
    const s = await openPg(url);
    try {
      expect(s.ready()).toBe(false);
      expect((await s.sync()).stale?.unloaded).toBe(true);
      expect(await push(s, "put", job("k"), "v 1\n")).toMatchObject({ ok: false, status: 503 });
      server!.start();
      while (!s.ready()) await new Promise((r) => setTimeout(r, 50));
      expect(valueOf(s, job("early"), "e")).toBe(1);
    } finally {
      server!.start();
      await s.close();
    }
  });
});

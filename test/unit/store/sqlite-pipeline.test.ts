// The commit pipeline of the SQLite backend on its worker thread: batches sent before an earlier one is durable,
// and what a failed commit does to them. A trigger in the database makes every write of a "poison" group fail
// inside the worker (as a full disk or an I/O error would), so the failure happens where real ones do.
import Database from "better-sqlite3";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { LabelPair } from "@/lib/exposition/model";
import { parseText } from "@/lib/exposition/parse-text";
import { groupingKey } from "@/lib/grouping/grouping-key";
import { MemoryStore } from "@/lib/store/memory-store";
import { openSqlitePersistence } from "@/lib/store/sqlite-persistence";
import type { Mutation, Persistence } from "@/lib/store/types";
import { sqliteWorkerBundle } from "../../helpers/sqlite-worker-bundle";

let bundled: string;
/** The mode under test: the connection on a worker thread, or on this thread (null). */
let workerFile: string | null;
let dir: string;
let file: string;
const toClose: Array<{ close(): unknown }> = [];

beforeAll(async () => {
  bundled = await sqliteWorkerBundle();
  workerFile = bundled;
});
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "pushboard-pipeline-test-"));
  file = path.join(dir, "db.sqlite");
  // Create the schema, then add a trigger that refuses any group whose key mentions "poison".
  openSqlitePersistence(file, { workerFile: null }).close();
  const db = new Database(file);
  db.exec(`CREATE TRIGGER poison BEFORE INSERT ON groups WHEN NEW.key LIKE '%poison%' BEGIN SELECT RAISE(ABORT, 'poisoned write'); END;`);
  db.close();
});
afterEach(async () => {
  for (const c of toClose.splice(0)) await c.close();
  rmSync(dir, { recursive: true, force: true });
});

function open(): Persistence {
  const p = openSqlitePersistence(file, { workerFile });
  toClose.push(p);
  return p;
}
const group = (job: string, history: number): Mutation => ({
  op: "upsertGroup",
  key: groupingKey([{ name: "job", value: job }]),
  labels: [{ name: "job", value: job }],
  families: [],
  removedFamilies: [],
  pushHistory: [history],
});
const settled = (p: void | Promise<void>) =>
  Promise.resolve(p).then(
    () => "ok",
    (e: Error) => `rejected: ${e.message}`,
  );

describe("SQLite commit pipeline (worker thread)", () => {
  it("rejects a failed batch and every batch sent after it before the failure was known; applies none of them", async () => {
    const p = open();
    expect(p.pipelined).toBe(true);
    // Four batches in flight at once: the worker commits them in one transaction, each in its own savepoint.
    const a = settled(p.commit([group("a", 1)]));
    const b = settled(p.commit([group("b", 2), group("poison", 2)]));
    const c = settled(p.commit([group("c", 3)]));
    const d = settled(p.commit([group("d", 4)]));
    expect(await a).toBe("ok");
    expect(await b).toMatch(/rejected: poisoned write/);
    expect(await c).toMatch(/rejected: /);
    expect(await d).toMatch(/rejected: /);
    // Sent once the failure is known: committed as usual.
    expect(await settled(p.commit([group("e", 5)]))).toBe("ok");
    const stored = (await p.load()).map((g) => g.labels[0]!.value).sort();
    expect(stored).toEqual(["a", "e"]);
    await p.close();
    toClose.length = 0;
    const q = open();
    expect((await q.load()).map((g) => g.labels[0]!.value).sort()).toEqual(["a", "e"]);
  });
});

describe.each(["worker", "main"] as const)("pipelined SQLite backend, connection on the %s thread", (mode) => {
  beforeEach(() => {
    workerFile = mode === "worker" ? bundled : null;
  });

  it("commits batches sent back to back in order, each durable when it resolves", async () => {
    const p = open();
    // Two writes per batch: on the event loop their WAL flushes overlap on the thread pool.
    const done = Array.from({ length: 50 }, (_, i) => p.commit([group(`g${i % 5}`, i), group("h", i)]));
    const order: number[] = [];
    done.forEach((d, i) => void Promise.resolve(d).then(() => order.push(i)));
    await Promise.all(done);
    expect(order).toEqual([...Array(50).keys()]);
    const loaded = await p.load();
    expect(loaded.map((g) => [g.labels[0]!.value, g.pushHistory[0]])).toEqual([[`g0`, 45], ["h", 49], ...[1, 2, 3, 4].map((i) => [`g${i}`, 45 + i])]);
  });

  const job = (j: string): LabelPair[] => [{ name: "job", value: j }];
  const push = (s: MemoryStore, kind: "put" | "post", j: string, body: string, nowMs: number) =>
    s.submit({ kind, labels: job(j), families: parseText(Buffer.from(body)), check: true, nowMs });
  const nextTurn = () => new Promise((r) => setImmediate(r));
  const values = (s: MemoryStore, j: string) => {
    const g = s.getGroup(groupingKey(job(j)));
    return g
      ? Object.fromEntries([...g.families].filter(([n]) => !n.startsWith("push_")).map(([n, sf]) => [n, sf.family.metric[0]!.untyped!.value]))
      : undefined;
  };

  it("fails exactly the writes of the failed batch; later writes applied on top of it are applied again and kept", async () => {
    const s = new MemoryStore({ persistence: open() });
    await s.load();
    toClose.pop();
    toClose.push(s);
    expect(await push(s, "put", "x", "a 1\n", 1000)).toEqual({ ok: true });
    // Three batches in flight: x gains b, the poison group (refused by the database), x gains c.
    const w1 = push(s, "post", "x", "b 2\n", 2000);
    await nextTurn();
    const w2 = push(s, "put", "poison", "p 1\n", 3000);
    await nextTurn();
    const w3 = push(s, "post", "x", "c 3\n", 4000);
    const [r1, r2, r3] = await Promise.all([w1, w2, w3]);
    expect(r1).toEqual({ ok: true });
    expect(r2).toMatchObject({ ok: false, status: 500, message: expect.stringContaining("poisoned write") });
    expect(r3).toEqual({ ok: true });
    expect(values(s, "x")).toEqual({ a: 1, b: 2, c: 3 });
    expect(s.getGroup(groupingKey(job("poison")))).toBeUndefined();
    expect(s.storageStatus.errors).toBe(1);
    expect(s.getGroup(groupingKey(job("x")))!.pushHistory).toEqual([1000, 2000, 4000]);
    await s.close();
    toClose.length = 0;
    // What was acknowledged is what is on disk.
    const t = new MemoryStore({ persistence: open() });
    await t.load();
    toClose.pop();
    toClose.push(t);
    expect(values(t, "x")).toEqual({ a: 1, b: 2, c: 3 });
    expect(t.getGroup(groupingKey(job("poison")))).toBeUndefined();
    expect(t.getGroup(groupingKey(job("x")))!.pushHistory).toEqual([1000, 2000, 4000]);
  });
});

import Database from "better-sqlite3";
import { spawn } from "node:child_process";
import { build } from "esbuild";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { LabelPair, Metric, MetricFamily, MetricType } from "../../../lib/exposition/model";
import {
  decodeFamily,
  encodeFamily,
  openSqlitePersistence,
  PersistenceError,
  SCHEMA_VERSION,
  type PersistenceLogger,
} from "../../../lib/store/sqlite-persistence";
import type { Mutation, PersistedGroup, Persistence, StoredFamily } from "../../../lib/store/types";
import { mulberry32 } from "../../helpers/random";
import { sqliteWorkerBundle } from "../../helpers/sqlite-worker-bundle";

let dir: string;
const opened: Persistence[] = [];
/** The database worker of the mode under test (null: the connection on the calling thread). */
let workerFile: string | null = null;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "pushboard-sqlite-test-"));
});
afterEach(async () => {
  for (const p of opened.splice(0)) await p.close();
  rmSync(dir, { recursive: true, force: true });
});

function open(file = path.join(dir, "db.sqlite"), opts?: Parameters<typeof openSqlitePersistence>[1]): Persistence {
  const p = openSqlitePersistence(file, { workerFile, ...opts });
  opened.push(p);
  return p;
}
async function reopen(p: Persistence, file = path.join(dir, "db.sqlite")): Promise<Persistence> {
  await p.close();
  return open(file);
}
async function load(p: Persistence): Promise<PersistedGroup[]> {
  return await p.load();
}

/** A canonical text form in which NaN, ±Inf and -0 stay distinct (independent of the code under test). */
function canon(x: unknown): string {
  if (typeof x === "number") return Object.is(x, -0) ? "-0" : String(x);
  if (typeof x === "string") return JSON.stringify(x);
  if (x === undefined) return "undefined";
  if (x === null) return "null";
  if (Array.isArray(x)) return "[" + x.map(canon).join(",") + "]";
  if (typeof x === "object") {
    const entries = Object.entries(x as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return "{" + entries.map(([k, v]) => JSON.stringify(k) + ":" + canon(v)).join(",") + "}";
  }
  return String(x);
}

function canonGroups(groups: PersistedGroup[]): string {
  const sorted = [...groups]
    .map((g) => ({ ...g, families: [...g.families].sort((a, b) => (a.family.name < b.family.name ? -1 : 1)) }))
    .sort((a, b) => (a.key < b.key ? -1 : 1));
  return canon(sorted);
}

const lbl = (name: string, value: string): LabelPair => ({ name, value });
const key = (labels: LabelPair[]) => labels.map((l) => `${l.name}\xff${l.value}\xff`).join("");

const SPECIAL = [NaN, Infinity, -Infinity, -0, 0, 1e-300, 5e-324, -1.7976931348623157e308, 0.1 + 0.2, 1e6];

function everyTypeFamilies(): MetricFamily[] {
  const labels = [lbl("instance", ""), lbl("job", "j"), lbl("le_odd", "\u0000starts with NUL"), lbl("u", 'ünï €\n"\\')];
  return [
    {
      name: "c",
      help: "A counter.\nWith \\ newline",
      type: "COUNTER",
      metric: SPECIAL.map((v, i) => ({
        label: [...labels, lbl("i", String(i))],
        counter: { value: v, exemplar: { label: [lbl("trace", "abc")], value: v, timestampMs: 1700000000123.5 }, createdTimestampMs: 1600000000000 },
        timestampMs: i % 2 ? -5 : undefined,
      })),
    },
    { name: "g", help: "", type: "GAUGE", metric: SPECIAL.map((v) => ({ label: labels, gauge: { value: v } })) },
    { name: "u", help: "untyped", type: "UNTYPED", metric: [{ label: [], untyped: { value: -0 }, timestampMs: 0 }] },
    {
      name: "s",
      help: "sum",
      type: "SUMMARY",
      metric: [
        {
          label: labels,
          summary: {
            sampleCount: 7,
            sampleSum: NaN,
            quantile: [
              { quantile: 0.5, value: -0 },
              { quantile: 0.99, value: Infinity },
              { quantile: NaN, value: NaN },
            ],
            createdTimestampMs: 12,
          },
        },
      ],
    },
    {
      name: "h",
      help: "hist",
      type: "HISTOGRAM",
      metric: [
        {
          label: labels,
          histogram: {
            sampleCount: 4,
            sampleSum: -Infinity,
            bucket: [
              { cumulativeCount: 1, upperBound: -0 },
              { cumulativeCount: 3, upperBound: 1, exemplar: { label: [], value: NaN } },
              { cumulativeCount: 4, cumulativeCountFloat: 4.5, upperBound: Infinity },
            ],
          },
        },
        {
          label: [lbl("native", "yes")],
          histogram: {
            sampleCount: 10,
            sampleCountFloat: 10.25,
            sampleSum: 3.5,
            bucket: [],
            schema: -4,
            zeroThreshold: 2.938735877055719e-39,
            zeroCount: 1,
            zeroCountFloat: -0,
            negativeSpan: [{ offset: -3, length: 2 }],
            negativeDelta: [1, -1],
            negativeCount: [NaN, Infinity],
            positiveSpan: [{ offset: 0, length: 1 }],
            positiveDelta: [5],
            positiveCount: [0.5],
            exemplars: [{ label: [lbl("a", "b")], value: -Infinity, timestampMs: 1 }],
          },
        },
      ],
    },
    { name: "gh", help: "", type: "GAUGE_HISTOGRAM", metric: [{ label: [], histogram: { sampleCount: 0, sampleSum: 0, bucket: [] } }] },
    { name: "empty", help: "no metrics", type: "GAUGE", metric: [] },
  ];
}

describe("family encoding", () => {
  it("round-trips NaN, ±Inf, -0 and strings starting with NUL", () => {
    for (const f of everyTypeFamilies()) {
      const back = decodeFamily(encodeFamily(f));
      expect(canon(back)).toBe(canon(f));
    }
    const tricky: MetricFamily = {
      name: "\u0000NaN",
      help: "\u0000\u0000-0",
      type: "GAUGE",
      metric: [{ label: [lbl("\u0000Infinity", "\u0000")], gauge: { value: 1 } }],
    };
    expect(canon(decodeFamily(encodeFamily(tricky)))).toBe(canon(tricky));
    expect(Object.is(decodeFamily(encodeFamily({ ...tricky, metric: [{ label: [], gauge: { value: -0 } }] })).metric[0]!.gauge!.value, -0)).toBe(true);
  });

  it("uses the compact positional form for plain text-format families, and is much smaller than JSON", () => {
    const labels = [lbl("instance", ""), lbl("job", "a")];
    const f: MetricFamily = {
      name: "x",
      help: "h",
      type: "HISTOGRAM",
      metric: [
        {
          label: labels,
          histogram: {
            sampleCount: 3,
            sampleSum: NaN,
            bucket: [
              { upperBound: 0.1, cumulativeCount: 1 },
              { upperBound: Infinity, cumulativeCount: 3 },
            ],
          },
        },
      ],
    };
    expect(encodeFamily(f)).toBe('["x","h",4,[["instance","","job","a"],4,[3,"NaN",0.1,1,"Infinity",3]]]');
    expect(canon(decodeFamily(encodeFamily(f)))).toBe(canon(f));
    const g: MetricFamily = { name: "g", help: "", type: "GAUGE", metric: [{ label: labels, gauge: { value: -0 }, timestampMs: 5 }] };
    expect(encodeFamily(g)).toBe('["g","",1,[["instance","","job","a"],1,"-0",5]]');
    expect(encodeFamily(g).length).toBeLessThan(JSON.stringify(g).length / 2);
  });

  it("falls back to the generic form for unusual metrics and families, still losslessly", () => {
    const odd: MetricFamily[] = [
      // Two value fields (a protobuf push can do that), an unknown field, an unknown type.
      { name: "two", help: "", type: "GAUGE", metric: [{ label: [], gauge: { value: NaN }, counter: { value: -0 } }] },
      { name: "extra", help: "", type: "GAUGE", metric: [{ label: [], gauge: { value: 1 }, futureField: [NaN] } as Metric] },
      { name: "t", help: "", type: "FUTURE_TYPE" as MetricType, metric: [{ label: [lbl("\u0000", "\u0000\u0000x")], untyped: { value: Infinity } }] },
      { name: "none", help: "", type: "GAUGE", metric: [{ label: [lbl("a", "b")] }] },
      { name: "fam+", help: "", type: "GAUGE", metric: [], unit: "seconds" } as MetricFamily,
    ];
    for (const f of odd) expect(canon(decodeFamily(encodeFamily(f))), f.name).toBe(canon(f));
  });
});

describe.each(["inline", "worker"] as const)("sqlite persistence (%s)", (mode) => {
  beforeAll(async () => {
    workerFile = mode === "worker" ? await sqliteWorkerBundle() : null;
  });
  afterAll(() => {
    workerFile = null;
  });

  it("describes itself with the absolute path, creates the parent directory, and starts empty", async () => {
    const file = path.join(dir, "a", "b", "pb.db");
    const p = open(file);
    expect(p.description).toBe(`sqlite: ${file}`);
    expect(existsSync(file)).toBe(true);
    expect(await load(p)).toEqual([]);
  });

  it("round-trips every metric type, help, timestamps, push history and last error across a reopen", async () => {
    let p = open();
    const labels = [lbl("instance", "i\u0000x"), lbl("job", "j/ü")];
    const families: StoredFamily[] = everyTypeFamilies().map((family, i) => ({ family, timestampMs: 1795528030342.244 + i }));
    const up: Mutation = {
      op: "upsertGroup",
      key: key(labels),
      labels,
      families,
      removedFamilies: [],
      pushHistory: [1.5, 2, 1795528030342.244],
      lastError: { timeMs: 1795528030000.001, message: 'pushed metrics are invalid or inconsistent with existing metrics: \u0000 "x"' },
    };
    const other: Mutation = { op: "upsertGroup", key: "job\xffother\xff", labels: [lbl("job", "other")], families: [], removedFamilies: [], pushHistory: [] };
    await p.commit([up, other]);
    const expected: PersistedGroup[] = [
      { key: up.key, labels, families, pushHistory: up.pushHistory, lastError: up.lastError },
      { key: other.key, labels: other.labels, families: [], pushHistory: [] },
    ];
    expect(canonGroups(await load(p))).toBe(canonGroups(expected));
    p = await reopen(p);
    const loaded = await load(p);
    expect(canonGroups(loaded)).toBe(canonGroups(expected));
    // Families come back in first-write order, and lastError is absent (not undefined-valued) when not set.
    expect(loaded.find((g) => g.key === up.key)!.families.map((f) => f.family.name)).toEqual(families.map((f) => f.family.name));
    expect("lastError" in loaded.find((g) => g.key === other.key)!).toBe(false);
    const g = loaded.find((g) => g.key === up.key)!.families.find((f) => f.family.name === "g")!;
    expect(g.family.metric.map((m) => m.gauge!.value)).toEqual(SPECIAL); // toEqual: NaN equals NaN, and -0 ≠ 0
    expect(Object.is(g.family.metric[3]!.gauge!.value, -0)).toBe(true);
  });

  it("clears lastError when an upsert has none, and keeps other families on removal", async () => {
    const p = open();
    const labels = [lbl("job", "a")];
    const fam = (name: string, v: number): StoredFamily => ({
      family: { name, help: "", type: "GAUGE", metric: [{ label: labels, gauge: { value: v } }] },
      timestampMs: v,
    });
    await p.commit([
      {
        op: "upsertGroup",
        key: key(labels),
        labels,
        families: [fam("a", 1), fam("b", 2), fam("c", 3)],
        removedFamilies: [],
        pushHistory: [1],
        lastError: { timeMs: 5, message: "bad" },
      },
    ]);
    await p.commit([{ op: "upsertGroup", key: key(labels), labels, families: [fam("a", 10)], removedFamilies: ["b", "nonexistent"], pushHistory: [1, 2] }]);
    const [g] = await load(p);
    expect(g!.lastError).toBeUndefined();
    expect(g!.pushHistory).toEqual([1, 2]);
    expect(g!.families.map((f) => [f.family.name, f.timestampMs])).toEqual([
      ["a", 10],
      ["c", 3],
    ]);
  });

  it("replays random mutation sequences exactly like a reference model (seeded)", async () => {
    for (const seed of [1, 2, 3, 42, 1234]) {
      const rnd = mulberry32(seed);
      const file = path.join(dir, `replay-${seed}.db`);
      let p = open(file);
      const model = new Map<
        string,
        { labels: LabelPair[]; families: Map<string, StoredFamily>; pushHistory: number[]; lastError?: { timeMs: number; message: string } }
      >();
      const jobs = ["a", "b", "c", "d", "e", "", "ü", "x\u0000y"];
      const names = ["f1", "f2", "f3", "f4", "f5", "f6"];
      for (let step = 0; step < 300; step++) {
        const batch: Mutation[] = [];
        const n = 1 + Math.floor(rnd() * 4);
        for (let i = 0; i < n; i++) {
          const r = rnd();
          const labels = [lbl("instance", String(Math.floor(rnd() * 2))), lbl("job", pick(rnd, jobs))];
          const k = key(labels);
          if (r < 0.7) {
            const existing = model.get(k);
            const put = rnd() < 0.5;
            const pushed = names.filter(() => rnd() < 0.4).map((name) => ({ family: randomFamily(rnd, name, labels), timestampMs: step * 1000 + rnd() }));
            const pushedNames = new Set(pushed.map((f) => f.family.name));
            const removedFamilies = put && existing ? [...existing.families.keys()].filter((f) => !pushedNames.has(f)) : [];
            const pushHistory = [...(existing?.pushHistory ?? []), step].slice(-32);
            const lastError = rnd() < 0.2 ? { timeMs: step + rnd(), message: `err ${step}` } : undefined;
            const m: Mutation = { op: "upsertGroup", key: k, labels, families: pushed, removedFamilies, pushHistory, ...(lastError ? { lastError } : {}) };
            batch.push(m);
            const g = existing ?? { labels, families: new Map<string, StoredFamily>(), pushHistory: [] };
            for (const name of removedFamilies) g.families.delete(name);
            for (const f of pushed) g.families.set(f.family.name, f);
            g.pushHistory = pushHistory;
            if (lastError) g.lastError = lastError;
            else delete g.lastError;
            model.set(k, g);
          } else if (r < 0.97) {
            batch.push({ op: "deleteGroup", key: k });
            model.delete(k);
          } else {
            batch.push({ op: "wipe" });
            model.clear();
          }
        }
        await p.commit(batch);
        if (step % 50 === 49) p = await reopen(p, file);
        if (step % 10 === 9 || step === 299) {
          const expected: PersistedGroup[] = [...model].map(([k, g]) => ({
            key: k,
            labels: g.labels,
            families: [...g.families.values()],
            pushHistory: g.pushHistory,
            ...(g.lastError ? { lastError: g.lastError } : {}),
          }));
          const loaded = await load(p);
          expect(canonGroups(loaded), `seed ${seed} step ${step}`).toBe(canonGroups(expected));
          // Family order is first-write order, like a JS Map's insertion order.
          for (const g of loaded) expect(g.families.map((f) => f.family.name)).toEqual([...model.get(g.key)!.families.keys()]);
        }
      }
    }
  });

  it("commits a batch atomically: a failure mid-way leaves nothing of it, and later commits work", async () => {
    let p = open();
    const labels = [lbl("job", "a")];
    const ok: Mutation = { op: "upsertGroup", key: key(labels), labels, families: [], removedFamilies: [], pushHistory: [1] };
    await p.commit([ok]);
    const circular: { name: string; help: string; type: MetricType; metric: Metric[]; self?: unknown } = { name: "bad", help: "", type: "GAUGE", metric: [] };
    circular.self = circular;
    const labels2 = [lbl("job", "b")];
    const batch: Mutation[] = [
      { op: "upsertGroup", key: key(labels2), labels: labels2, families: [], removedFamilies: [], pushHistory: [2] },
      { op: "deleteGroup", key: key(labels) },
      {
        op: "upsertGroup",
        key: key(labels2),
        labels: labels2,
        families: [{ family: circular as MetricFamily, timestampMs: 1 }],
        removedFamilies: [],
        pushHistory: [3],
      },
    ];
    await expect(async () => p.commit(batch)).rejects.toThrow();
    expect(canonGroups(await load(p))).toBe(canonGroups([{ key: ok.key, labels, families: [], pushHistory: [1] }]));
    await p.commit([{ op: "wipe" }, batch[0]!]);
    p = await reopen(p);
    expect(canonGroups(await load(p))).toBe(canonGroups([{ key: key(labels2), labels: labels2, families: [], pushHistory: [2] }]));
  });

  it("refuses a file that is not a database, leaving it untouched, with a clear message", () => {
    const file = path.join(dir, "pushgateway.data");
    const bytes = Buffer.concat([Buffer.from([0x4f, 0xff, 0x81, 0x03, 0x01, 0x01]), Buffer.alloc(5000, 0x41)]); // gob-ish
    writeFileSync(file, bytes);
    let err: unknown;
    try {
      open(file);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PersistenceError);
    const perr = err as PersistenceError;
    expect(perr.kind).toBe("corrupt");
    expect(perr.file).toBe(file);
    expect(perr.message).toContain(file);
    expect(perr.message).toMatch(/not a database/);
    expect(perr.message).toMatch(/pushboard import/);
    expect(readFileSync(file).equals(bytes)).toBe(true);
    expect(readdirSync(dir)).toEqual(["pushgateway.data"]);
  });

  it("moves an unreadable file aside and starts empty when allowReset is set, logging it", async () => {
    const file = path.join(dir, "db.sqlite");
    const bytes = Buffer.from("this is definitely not a SQLite database, it is plain text ".repeat(100));
    writeFileSync(file, bytes);
    const logs: Array<[string, string, Record<string, unknown> | undefined]> = [];
    const logger: PersistenceLogger = (level, msg, fields) => logs.push([level, msg, fields]);
    const p = open(file, { allowReset: true, logger });
    expect(await load(p)).toEqual([]);
    await p.commit([{ op: "upsertGroup", key: "job\xffa\xff", labels: [lbl("job", "a")], families: [], removedFamilies: [], pushHistory: [] }]);
    const aside = readdirSync(dir).filter((f) => f.startsWith("db.sqlite.corrupt-"));
    expect(aside).toHaveLength(1);
    expect(readFileSync(path.join(dir, aside[0]!)).equals(bytes)).toBe(true);
    const err = logs.find(([level]) => level === "error");
    expect(err).toBeDefined();
    expect(err![2]).toMatchObject({ file, movedTo: path.join(dir, aside[0]!) });
  });

  it("detects a database corrupted inside its pages (at open or at load), and resets only when allowed", async () => {
    const file = path.join(dir, "db.sqlite");
    let p = open(file);
    const labels = [lbl("job", "a")];
    const fams = Array.from({ length: 200 }, (_, i): StoredFamily => ({
      family: { name: `f${i}`, help: "h".repeat(100), type: "GAUGE", metric: [{ label: labels, gauge: { value: i } }] },
      timestampMs: i,
    }));
    await p.commit([{ op: "upsertGroup", key: key(labels), labels, families: fams, removedFamilies: [], pushHistory: [] }]);
    await p.close();
    opened.length = 0;
    const buf = readFileSync(file);
    expect(buf.length).toBeGreaterThan(4096 * 4);
    // Garble the b-tree pages after the first one (the header and schema stay readable).
    for (let off = 4096; off < buf.length; off += 4096) buf.fill(0x5a, off, off + 200);
    writeFileSync(file, buf);
    const tryOpenLoad = async (opts?: Parameters<typeof openSqlitePersistence>[1]) => {
      const q = openSqlitePersistence(file, { workerFile, ...opts });
      try {
        return await q.load();
      } finally {
        await q.close();
      }
    };
    await expect(tryOpenLoad()).rejects.toSatisfy((e: unknown) => e instanceof PersistenceError && e.kind === "corrupt" && e.message.includes(file));
    expect(readFileSync(file).equals(buf)).toBe(true);
    expect(await tryOpenLoad({ allowReset: true })).toEqual([]);
    expect(readdirSync(dir).some((f) => f.startsWith("db.sqlite.corrupt-"))).toBe(true);
    p = open(file);
    expect(await load(p)).toEqual([]);
  });

  it("refuses a database with a newer schema version, even with allowReset", async () => {
    const file = path.join(dir, "db.sqlite");
    await open(file).close();
    opened.length = 0;
    const raw = new Database(file);
    raw.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    raw.close();
    for (const allowReset of [false, true]) {
      expect(() => open(file, { allowReset })).toThrow(
        expect.objectContaining({ kind: "newer-schema", message: expect.stringMatching(/schema version \d+.*newer pushboard/) }),
      );
    }
    expect(readdirSync(dir).filter((f) => f.includes("corrupt"))).toEqual([]);
  });

  it("refuses a SQLite database that belongs to another application", () => {
    const file = path.join(dir, "other.db");
    const raw = new Database(file);
    raw.exec("CREATE TABLE t(x)");
    raw.close();
    expect(() => open(file, { allowReset: true })).toThrow(expect.objectContaining({ kind: "not-pushboard" }));
  });

  it("accepts an empty (0-byte) file as a new database and records the schema version", async () => {
    const file = path.join(dir, "empty.db");
    writeFileSync(file, "");
    const p = open(file);
    expect(await load(p)).toEqual([]);
    await p.close();
    const raw = new Database(file, { readonly: true });
    expect(raw.pragma("user_version", { simple: true })).toBe(SCHEMA_VERSION);
    expect(raw.pragma("journal_mode", { simple: true })).toBe("wal");
    raw.close();
  });

  it("keeps committed data when the process never closes the database (WAL replay)", async () => {
    const file = path.join(dir, "db.sqlite");
    const p = open(file);
    await p.commit([{ op: "upsertGroup", key: "job\xffa\xff", labels: [lbl("job", "a")], families: [], removedFamilies: [], pushHistory: [7] }]);
    // Copy the database and its WAL as a crash would leave them, while the first connection is still open.
    for (const s of ["", "-wal"]) if (existsSync(file + s)) writeFileSync(path.join(dir, "copy.db" + s), readFileSync(file + s));
    const q = open(path.join(dir, "copy.db"));
    expect((await load(q)).map((g) => g.pushHistory)).toEqual([[7]]);
  });

  it("refuses a database another process (or connection) is using", async () => {
    const file = path.join(dir, "db.sqlite");
    const p = open(file);
    const t0 = Date.now();
    expect(() => openSqlitePersistence(file, { workerFile })).toThrow(
      expect.objectContaining({ kind: "locked", message: expect.stringContaining("locked by another process") }),
    );
    expect(Date.now() - t0).toBeGreaterThanOrEqual(4000); // waits busy_timeout for a shutting-down predecessor
    await p.close();
    opened.length = 0;
    expect(await load(open(file))).toEqual([]);
  }, 20_000);

  it("keeps every acknowledged commit when the writing process is killed with SIGKILL", async () => {
    // A child process commits in a loop and prints "ack <i>" after each commit returns; we kill -9 it mid-stream.
    const cacheDir = path.join(__dirname, "../../../node_modules/.cache/pushboard-test");
    mkdirSync(cacheDir, { recursive: true });
    const bundle = path.join(cacheDir, "sqlite-persistence.cjs");
    await build({
      entryPoints: [path.join(__dirname, "../../../lib/store/sqlite-persistence.ts")],
      bundle: true,
      platform: "node",
      format: "cjs",
      target: "node20",
      external: ["better-sqlite3"],
      outfile: bundle,
      logLevel: "error",
    });
    const file = path.join(dir, "crash.db");
    const script = `
      const { openSqlitePersistence } = require(${JSON.stringify(bundle)});
      const p = openSqlitePersistence(${JSON.stringify(file)}, { workerFile: ${JSON.stringify(workerFile)} });
      const fam = (i) => ({ name: "f", help: "", type: "GAUGE", metric: [{ label: [], gauge: { value: i % 7 === 0 ? NaN : i + 0.5 } }] });
      (async () => { for (let i = 0; ; i++) {
        const key = "job\xffj" + (i % 50) + "\xff";
        await p.commit([{ op: "upsertGroup", key, labels: [{ name: "job", value: "j" + (i % 50) }], families: [{ family: fam(i), timestampMs: i }], removedFamilies: [], pushHistory: [i] }]);
        process.stdout.write("ack " + i + "\\n");
      } })();`;
    for (let round = 0; round < 3; round++) {
      const child = spawn(process.execPath, ["-e", script], { cwd: path.join(__dirname, "../../.."), stdio: ["ignore", "pipe", "inherit"] });
      let out = "";
      child.stdout.on("data", (d: Buffer) => (out += d.toString()));
      let dead = false;
      const exited = new Promise((r) => child.on("exit", (code) => ((dead = true), r(code))));
      const killAfter = 200 + round * 500;
      await new Promise<void>((resolve, reject) => {
        const check = () => {
          if ((out.match(/\n/g)?.length ?? 0) >= killAfter) resolve();
          else if (dead) reject(new Error(`writer exited early: ${out.slice(-500)}`));
          else setTimeout(check, 2);
        };
        check();
      });
      child.kill("SIGKILL");
      await exited;
      const acks = out
        .split("\n")
        .filter((l) => l.startsWith("ack "))
        .map((l) => Number(l.slice(4)));
      const last = acks[acks.length - 1]!;
      expect(last).toBeGreaterThanOrEqual(killAfter - 1);
      const q = openSqlitePersistence(file, { workerFile });
      const groups = await q.load();
      await q.close();
      // Each of the 50 groups holds a write at least as new as its last acknowledged one (a commit may have
      // landed after its ack was written but before the kill).
      const byKey = new Map(groups.map((g) => [g.key, g.pushHistory[0]!]));
      for (let j = 0; j < 50 && j <= last; j++) {
        const lastAckedForGroup = last - ((last - j) % 50);
        const stored = byKey.get(`job\xffj${j}\xff`);
        expect(stored, `group j${j}, round ${round}`).toBeGreaterThanOrEqual(lastAckedForGroup);
        const f = groups.find((g) => g.key === `job\xffj${j}\xff`)!.families[0]!;
        const v = f.family.metric[0]!.gauge!.value;
        expect(f.timestampMs).toBe(stored);
        if (stored! % 7 === 0) expect(v).toBeNaN();
        else expect(v).toBe(stored! + 0.5);
      }
    }
  }, 60_000);

  it("rejects use after close, and close is idempotent", async () => {
    const p = open();
    await p.close();
    await p.close();
    expect(() => p.commit([{ op: "wipe" }])).toThrow(/closed/);
  });
});

function pick<T>(rnd: () => number, xs: readonly T[]): T {
  return xs[Math.floor(rnd() * xs.length)]!;
}
function randomValue(rnd: () => number): number {
  return rnd() < 0.3 ? pick(rnd, SPECIAL) : (rnd() - 0.5) * 10 ** Math.floor(rnd() * 20 - 10);
}
function randomFamily(rnd: () => number, name: string, group: LabelPair[]): MetricFamily {
  const type = pick(rnd, ["COUNTER", "GAUGE", "UNTYPED", "SUMMARY", "HISTOGRAM"] as const);
  const metric: Metric[] = Array.from({ length: 1 + Math.floor(rnd() * 3) }, (_, i) => {
    const label = [...group, lbl("s", String(i))];
    switch (type) {
      case "COUNTER":
        return { label, counter: { value: randomValue(rnd) } };
      case "GAUGE":
        return { label, gauge: { value: randomValue(rnd) }, ...(rnd() < 0.3 ? { timestampMs: Math.floor(rnd() * 1e12) } : {}) };
      case "UNTYPED":
        return { label, untyped: { value: randomValue(rnd) } };
      case "SUMMARY":
        return {
          label,
          summary: { sampleCount: Math.floor(rnd() * 100), sampleSum: randomValue(rnd), quantile: [{ quantile: 0.5, value: randomValue(rnd) }] },
        };
      case "HISTOGRAM":
        return {
          label,
          histogram: {
            sampleCount: 3,
            sampleSum: randomValue(rnd),
            bucket: [
              { cumulativeCount: 1, upperBound: 0.1 },
              { cumulativeCount: 3, upperBound: Infinity },
            ],
          },
        };
    }
  });
  return { name, help: rnd() < 0.5 ? "" : `help ${name} ${rnd()}`, type, metric };
}

// The list index (lib/dashboard/list-index.ts): cached entries and sorted orders must answer exactly what building
// every summary and sorting on each request answers (the reference below is the list code before the index),
// after writes, deletes, additions, rule changes and as time passes with no write.
import { describe, expect, it } from "vitest";
import { comparator, listGroups, listJobs, listStale, matchingSummaries, summarizeAll } from "../../../lib/dashboard/list";
import { indexStats, listIndex } from "../../../lib/dashboard/list-index";
import { matchesFilter, parseFilter } from "../../../lib/dashboard/filter";
import { toRow, type GroupLifecycleView } from "../../../lib/dashboard/summary";
import { SORT_KEYS, type ListParams, type SortDir } from "../../../lib/dashboard/types";
import type { Group } from "../../../lib/store/types";
import { FakeStore, gauge, makeGroup } from "./fake-store";

const NOW = 1_800_000_000_000;
const MIN = 60_000;
const H = 3_600_000;
type Ctx = { defaultStaleAfterMs: number; nowMs: number; adminApi: boolean; lifecycle?: GroupLifecycleView };
const ctxAt = (nowMs: number, lifecycle?: GroupLifecycleView): Ctx => ({ defaultStaleAfterMs: H, nowMs, adminApi: false, ...(lifecycle ? { lifecycle } : {}) });
const params = (p: Partial<ListParams> = {}): ListParams => ({ q: "", sort: "labels", dir: "asc", page: 1, size: 50, groupBy: "", ...p });

/** The list as it was computed before the index: every summary, filter, count, full sort, page. */
function reference(store: FakeStore, p: ListParams, ctx: Ctx) {
  const filter = parseFilter(p.q);
  const all = summarizeAll(store, ctx);
  const matched = all.filter((s) => filter.terms.length === 0 || matchesFilter(filter, s));
  matched.sort(comparator(p.sort, p.dir, p.groupBy === "job"));
  const pages = Math.max(1, Math.ceil(matched.length / p.size));
  const page = Math.min(p.page, pages);
  const count = (xs: typeof all) => ({
    total: xs.length,
    fresh: xs.filter((s) => !s.stale && !s.failed).length,
    stale: xs.filter((s) => s.stale).length,
    failed: xs.filter((s) => s.failed).length,
  });
  return {
    rows: matched.slice((page - 1) * p.size, page * p.size).map((s) => toRow(s)),
    total: matched.length,
    page,
    counts: count(all),
    matching: count(matched),
  };
}

/** Deterministic pseudo-random numbers. */
function rng(seed: number): () => number {
  let x = seed;
  return () => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
}

function randomGroup(i: number, r: () => number, nowMs: number): Group {
  const every = [MIN, 5 * MIN, 20 * MIN][i % 3]!;
  const n = Math.floor(r() * 6); // 0-5 pushes: some without a cadence
  const last = nowMs - Math.floor(r() * 3 * H);
  const pushes = Array.from({ length: n }, (_, k) => last - (n - 1 - k) * every);
  return makeGroup({
    labels: { job: `job${i % 7}${i % 11 === 0 ? " x" : ""}`, instance: `host-${i}`, ...(i % 5 === 0 ? { env: i % 2 ? "prod" : "dev" } : {}) },
    pushes,
    families: Array.from({ length: 1 + (i % 4) }, (_, k) => gauge(`metric_${k}`, i)),
    ...(r() < 0.15 ? { failureMs: last + 1000 } : {}),
  });
}

const QUERIES = ["", "job=job3", "host-1", "is:stale", "is:fresh", "is:failed", "env=~prod|dev", "metric_2 is:stale", '{job=~"job[12].*"}'];

function expectSameAsReference(store: FakeStore, ctx: Ctx): void {
  for (const q of QUERIES)
    for (const sort of SORT_KEYS)
      for (const dir of ["asc", "desc"] as SortDir[])
        for (const groupBy of ["", "job"] as const) {
          for (const page of [1, 3]) {
            const p = params({ q, sort, dir, groupBy, page, size: 20 });
            const got = listGroups(store, p, ctx);
            const want = reference(store, p, ctx);
            expect(
              { rows: got.rows, total: got.total, page: got.page, counts: got.counts, matching: got.matching },
              `${q} ${sort} ${dir} ${groupBy} ${page}`,
            ).toEqual(want);
          }
        }
}

describe("list index", () => {
  it("answers every sort, direction, grouping and filter as the full computation does", () => {
    const r = rng(7);
    const store = new FakeStore(Array.from({ length: 400 }, (_, i) => randomGroup(i, r, NOW)));
    expectSameAsReference(store, ctxAt(NOW));
  });

  it("stays exact after groups are replaced, deleted and added, and as time passes", () => {
    const r = rng(11);
    const store = new FakeStore(Array.from({ length: 300 }, (_, i) => randomGroup(i, r, NOW)));
    expectSameAsReference(store, ctxAt(NOW)); // builds and caches the orders
    // a few writes (a replaced Group object keeps its place in the store), then a few deletes and new groups
    for (let k = 0; k < 10; k++) store.add(randomGroup((k * 37) % 300, r, NOW + MIN));
    expectSameAsReference(store, ctxAt(NOW + MIN));
    for (let k = 0; k < 5; k++) store.byKey.delete([...store.byKey.keys()][k * 13]!);
    for (let k = 0; k < 5; k++) store.add(randomGroup(1000 + k, r, NOW + MIN));
    expectSameAsReference(store, ctxAt(NOW + 2 * MIN));
    // no write at all: two hours later, most groups turned stale
    expectSameAsReference(store, ctxAt(NOW + 2 * H));
    // many writes at once (more than the orders patch: they are sorted again)
    for (let i = 0; i < 300; i++) if (i % 2) store.add(randomGroup(i, r, NOW + 2 * H));
    expectSameAsReference(store, ctxAt(NOW + 2 * H));
  });

  it("patches its cached orders exactly over many rounds of writes, deletes and new groups", () => {
    const r = rng(5);
    const store = new FakeStore(Array.from({ length: 300 }, (_, i) => randomGroup(i, r, NOW)));
    // Few enough orders to stay cached (MAX_CACHED_ORDERS), so every round patches them.
    const combos = [
      params({ size: 25 }),
      params({ sort: "lastPush", dir: "desc", size: 25, page: 2 }),
      params({ sort: "series", dir: "desc", groupBy: "job", size: 25 }),
      params({ sort: "status", dir: "desc", size: 25 }),
      params({ sort: "interval", q: "job=job2", size: 10 }),
    ];
    const merges = indexStats.merges;
    let next = 2000;
    for (let round = 0; round < 20; round++) {
      const nowMs = NOW + round * 10 * MIN;
      for (let k = 0; k < 6; k++) store.add(randomGroup(Math.floor(r() * 300), r, nowMs));
      if (round % 3 === 0) store.byKey.delete([...store.byKey.keys()][Math.floor(r() * store.byKey.size)]!);
      if (round % 4 === 0) store.add(randomGroup(next++, r, nowMs));
      for (const p of combos) {
        const got = listGroups(store, p, ctxAt(nowMs));
        expect({ rows: got.rows, total: got.total, counts: got.counts, matching: got.matching }, `round ${round} ${JSON.stringify(p)}`).toEqual(
          (({ rows, total, counts, matching }) => ({ rows, total, counts, matching }))(reference(store, p, ctxAt(nowMs))),
        );
      }
    }
    expect(indexStats.merges - merges).toBeGreaterThan(20);
  });

  it("shows a write at once and drops a deleted group, without sorting everything again", () => {
    const store = new FakeStore(Array.from({ length: 200 }, (_, i) => makeGroup({ labels: { job: "j", instance: `h${i}` }, pushes: [NOW - H + i * 1000] })));
    const p = params({ sort: "lastPush", dir: "desc" });
    expect(listGroups(store, p, ctxAt(NOW)).rows[0]!.labels[1]!.value).toBe("h199");
    const sorts = indexStats.sorts;
    store.add(makeGroup({ labels: { job: "j", instance: "h5" }, pushes: [NOW] }));
    const after = listGroups(store, p, ctxAt(NOW));
    expect(after.rows[0]!.labels[1]!.value).toBe("h5");
    expect(after.rows[0]!.lastPushMs).toBe(NOW);
    expect(after.total).toBe(200);
    store.byKey.delete(store.getGroup(makeGroup({ labels: { job: "j", instance: "h5" } }).key)!.key);
    const gone = listGroups(store, p, ctxAt(NOW));
    expect(gone.rows[0]!.labels[1]!.value).toBe("h199");
    expect(gone.total).toBe(199);
    expect(gone.counts.total).toBe(199);
    expect(indexStats.sorts).toBe(sorts); // patched, not re-sorted
  });

  it("turns a group stale as time passes with no write (counts, filter, status sort, stale list, jobs)", () => {
    const store = new FakeStore([makeGroup({ labels: { job: "a" }, pushes: [NOW - 10 * MIN] }), makeGroup({ labels: { job: "b" }, pushes: [NOW - 50 * MIN] })]);
    const ctx = ctxAt(NOW);
    expect(listGroups(store, params(), ctx).counts).toEqual({ total: 2, fresh: 2, stale: 0, failed: 0 });
    expect(listGroups(store, params({ sort: "status" }), ctx).rows.map((r) => r.labels[0]!.value)).toEqual(["a", "b"]);
    const later = ctxAt(NOW + 15 * MIN); // b is now 65 min old: stale after the default hour
    expect(listGroups(store, params(), later).counts).toEqual({ total: 2, fresh: 1, stale: 1, failed: 0 });
    expect(listGroups(store, params({ q: "is:stale" }), later).rows.map((r) => r.labels[0]!.value)).toEqual(["b"]);
    expect(listGroups(store, params({ sort: "status" }), later).rows.map((r) => r.labels[0]!.value)).toEqual(["b", "a"]);
    expect(listStale(store, later).rows.map((r) => r.labels[0]!.value)).toEqual(["b"]);
    expect(listJobs(store, later).totals).toEqual({ total: 2, fresh: 1, stale: 1, failed: 0 });
    expect(matchingSummaries(store, "is:stale", later).map((s) => s.base.job)).toEqual(["b"]);
  });

  it("re-reads declared cadences when the lifecycle rules change, and keeps them while they do not", () => {
    const store = new FakeStore([makeGroup({ labels: { job: "a" }, pushes: [NOW - 10 * MIN] })]);
    let version = { v: 1 };
    let declared: number | undefined = undefined;
    let asked = 0;
    const lifecycle: GroupLifecycleView = {
      declaredCadenceMs: () => (asked++, declared),
      expiresAtMs: () => undefined,
      rulesVersion: () => version,
    };
    expect(listGroups(store, params(), ctxAt(NOW, lifecycle)).counts.stale).toBe(0);
    const before = asked;
    listGroups(store, params(), ctxAt(NOW, lifecycle));
    expect(asked - before).toBe(1); // the page's row only; the index kept its answer
    declared = 5 * MIN; // a rule now expects a push every 5 minutes: 10 minutes without one is stale
    version = { v: 2 };
    expect(listGroups(store, params(), ctxAt(NOW, lifecycle)).counts.stale).toBe(1);
    expect(listGroups(store, params({ q: "is:stale" }), ctxAt(NOW, lifecycle)).rows[0]!.cadenceSource).toBe("rule");
  });

  it("starts over when the default staleness threshold differs", () => {
    const store = new FakeStore([makeGroup({ labels: { job: "a" }, pushes: [NOW - 30 * MIN] })]);
    expect(listIndex(store, ctxAt(NOW)).counts.stale).toBe(0);
    expect(listIndex(store, { defaultStaleAfterMs: 10 * MIN, nowMs: NOW }).counts.stale).toBe(1);
  });
});

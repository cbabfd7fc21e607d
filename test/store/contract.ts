// The one contract every MetricStore backend passes (memory, SQLite, PostgreSQL): write semantics of PUT, POST,
// DELETE, deleteMany and wipe; consistency errors; ordering; durability across a restart (durable backends);
// change notification; the read barrier. Each backend's test file calls storeContract with a factory.
import { afterEach, describe, expect, it } from "vitest";
import { parseText } from "@/lib/exposition/parse-text";
import type { LabelPair } from "@/lib/exposition/model";
import { groupingKey } from "@/lib/grouping/grouping-key";
import { lastPushSuccessful, syntheticValue } from "@/lib/store/store-state";
import type { MetricStore } from "@/lib/store/types";

export interface StoreFactory {
  /** Opens a store on a fresh, empty backend (undoWindowMs: --dashboard.undo-window, kept across reopen). */
  fresh(opts?: { undoWindowMs?: number }): Promise<MetricStore>;
  /** Closes `store` and opens the same backend again; undefined for a backend that keeps nothing. */
  reopen?: (store: MetricStore) => Promise<MetricStore>;
}

export const job = (j: string, extra: Record<string, string> = {}): LabelPair[] =>
  Object.entries({ job: j, ...extra })
    .map(([name, value]) => ({ name, value }))
    .sort((a, b) => (a.name < b.name ? -1 : 1));

export const push = (store: MetricStore, kind: "put" | "post", labels: LabelPair[], body: string, nowMs = 1_000_000) =>
  store.submit({ kind, labels, families: parseText(Buffer.from(body)), check: true, nowMs });

const familyNames = (store: MetricStore, labels: LabelPair[]) => [...(store.getGroup(groupingKey(labels))?.families.keys() ?? [])].sort();

/** Value of the first sample of family `name` in the group, or undefined. */
export function valueOf(store: MetricStore, labels: LabelPair[], name: string): number | undefined {
  const m = store.getGroup(groupingKey(labels))?.families.get(name)?.family.metric[0];
  return m?.untyped?.value ?? m?.gauge?.value ?? m?.counter?.value;
}

/** Everything observable about the store's content, for comparing two stores or a store before and after a restart. */
export function snapshot(store: MetricStore): unknown {
  return [...store.groups()].map((g) => ({
    key: g.key,
    labels: g.labels,
    pushHistory: g.pushHistory,
    lastError: g.lastError,
    families: [...g.families.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([n, sf]) => [n, sf.timestampMs, JSON.stringify(sf.family)]),
  }));
}

export function storeContract(name: string, factory: StoreFactory): void {
  describe(`MetricStore contract: ${name}`, () => {
    const open: MetricStore[] = [];
    const fresh = async (opts?: { undoWindowMs?: number }) => {
      const s = await factory.fresh(opts);
      open.push(s);
      return s;
    };
    afterEach(async () => {
      for (const s of open.splice(0)) await s.close().catch(() => {});
    });

    it("is ready and current once opened", async () => {
      const s = await fresh();
      expect(s.ready()).toBe(true);
      expect(s.healthy()).toBe(true);
      expect(await s.sync()).toEqual({});
      expect(s.freshness()).toEqual({});
      expect(s.groupCount()).toBe(0);
      expect(typeof s.description).toBe("string");
    });

    it("PUT replaces, POST merges by family name, both keep push_* metrics", async () => {
      const s = await fresh();
      expect(await push(s, "put", job("a"), "a 1\nb 2\n")).toEqual({ ok: true });
      expect(await push(s, "post", job("a"), "a 10\nc 3\n")).toEqual({ ok: true });
      expect(familyNames(s, job("a"))).toEqual(["a", "b", "c", "push_failure_time_seconds", "push_time_seconds"]);
      expect(valueOf(s, job("a"), "a")).toBe(10);
      expect(await push(s, "put", job("a"), "d 4\n", 2_000_000)).toEqual({ ok: true });
      expect(familyNames(s, job("a"))).toEqual(["d", "push_failure_time_seconds", "push_time_seconds"]);
      expect(syntheticValue(s.getGroup(groupingKey(job("a")))!, "push_time_seconds")).toBe(2000);
      expect(s.getGroup(groupingKey(job("a")))!.pushHistory).toEqual([1_000_000, 1_000_000, 2_000_000]);
      expect(s.seriesCount()).toBe(3);
      expect([...s.familyNames()].sort()).toEqual(["d", "push_failure_time_seconds", "push_time_seconds"]);
    });

    it("DELETE, deleteMany and wipe remove groups and count them", async () => {
      const s = await fresh();
      for (const j of ["a", "b", "c", "d"]) expect(await push(s, "put", job(j), `m_${j} 1\n`)).toEqual({ ok: true });
      expect(await s.submit({ kind: "delete", labels: job("a") })).toMatchObject({ ok: true, deleted: 1 });
      expect(await s.submit({ kind: "delete", labels: job("a") })).toMatchObject({ ok: true, deleted: 0 });
      expect(await s.submit({ kind: "deleteMany", keys: [groupingKey(job("b")), groupingKey(job("zz"))] })).toMatchObject({ ok: true, deleted: 1 });
      expect([...s.groups()].map((g) => g.labels[0]!.value)).toEqual(["c", "d"]);
      expect(await s.submit({ kind: "wipe" })).toMatchObject({ ok: true, deleted: 2 });
      expect(s.groupCount()).toBe(0);
      expect(s.seriesCount()).toBe(0);
      expect([...s.familyNames()]).toEqual([]);
    });

    it("rejects type clashes, duplicate series and suffix collisions with 400 and records the failure", async () => {
      const s = await fresh();
      expect(await push(s, "put", job("a"), '# TYPE x counter\nx 1\n# TYPE h histogram\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\n')).toEqual({ ok: true });
      const clash = await push(s, "put", job("b"), "# TYPE x gauge\nx 2\n", 2_000_000);
      expect(clash).toMatchObject({ ok: false, status: 400 });
      expect(!clash.ok && clash.message).toMatch(/^pushed metrics are invalid or inconsistent with existing metrics: .*is not a COUNTER/);
      const b = s.getGroup(groupingKey(job("b")))!;
      expect(b.families.has("x")).toBe(false);
      expect(syntheticValue(b, "push_failure_time_seconds")).toBe(2000);
      expect(lastPushSuccessful(b)).toBe(false);
      expect(b.lastError?.message).toMatch(/is not a COUNTER/);
      const dup = await push(s, "post", job("a", { instance: "" }), "# TYPE x counter\nx 3\n");
      expect(dup).toMatchObject({ ok: false, status: 400 });
      expect(!dup.ok && dup.message).toMatch(/was collected before with the same name and label values/);
      const suffix = await push(s, "put", job("c"), "h_count 3\n");
      expect(suffix).toMatchObject({ ok: false, status: 400 });
      expect(!suffix.ok && suffix.message).toMatch(/collides with previously collected histogram named "h"/);
      const ts = await push(s, "put", job("d"), "y 1 1000\n");
      expect(!ts.ok && ts.message).toMatch(/must not have timestamps/);
      expect(valueOf(s, job("a"), "x")).toBe(1);
    });

    it("rejects a grouping label that is not valid UTF-8", async () => {
      const s = await fresh();
      const raw = Buffer.from([0xff, 0xfe]);
      const labels = job("a", { x: raw.toString("utf8") });
      const res = await s.submit({ kind: "put", labels, families: parseText(Buffer.from("m 1\n")), check: true, nowMs: 1, invalidUtf8: new Map([["x", raw]]) });
      expect(res).toMatchObject({ ok: false, status: 400 });
      expect(!res.ok && res.message).toMatch(/not utf8/);
    });

    it("applies writes in submission order, and keeps groups in insertion order", async () => {
      const s = await fresh();
      const all = await Promise.all([
        push(s, "put", job("a"), "v 1\n"),
        push(s, "put", job("b"), "w 1\n"),
        push(s, "put", job("a"), "v 2\n"),
        push(s, "post", job("c"), "u 1\n"),
        s.submit({ kind: "delete", labels: job("c") }),
        push(s, "put", job("c"), "u 3\n"),
        push(s, "put", job("x"), "# TYPE v gauge\nv 1\n"),
      ]);
      expect(all.map((r) => r.ok)).toEqual([true, true, true, true, true, true, false]);
      expect(valueOf(s, job("a"), "v")).toBe(2);
      expect(valueOf(s, job("c"), "u")).toBe(3);
      // x's failure is recorded as a group (its push_* series are consistent).
      expect([...s.groups()].map((g) => g.labels[0]!.value)).toEqual(["a", "b", "c", "x"]);
      await s.submit({ kind: "delete", labels: job("a") });
      await push(s, "put", job("a"), "v 5\n");
      await push(s, "put", job("b"), "w 5\n");
      expect([...s.groups()].map((g) => g.labels[0]!.value)).toEqual(["b", "c", "x", "a"]);
      expect([...s.groupsWithFamily("v")].map((g) => g.labels[0]!.value)).toEqual(["a"]);
    });

    it("hands out groups that later writes never mutate", async () => {
      const s = await fresh();
      await push(s, "put", job("a"), "v 1\n");
      const before = s.getGroup(groupingKey(job("a")))!;
      const text = JSON.stringify(before.families.get("v")!.family);
      await push(s, "post", job("a"), "v 2\nw 1\n");
      expect(JSON.stringify(before.families.get("v")!.family)).toBe(text);
      expect(before.families.has("w")).toBe(false);
      expect(s.getGroup(groupingKey(job("a")))).not.toBe(before);
    });

    it("notifies change listeners with the names of changed families", async () => {
      const s = await fresh();
      const seen: string[][] = [];
      const off = s.onChange((names) => seen.push([...names].sort()));
      await push(s, "put", job("a"), "v 1\n");
      expect(seen.flat()).toEqual(expect.arrayContaining(["push_failure_time_seconds", "push_time_seconds", "v"]));
      seen.length = 0;
      await s.submit({ kind: "delete", labels: job("a") });
      expect(seen.flat()).toEqual(expect.arrayContaining(["v"]));
      off();
      seen.length = 0;
      await push(s, "put", job("b"), "w 1\n");
      expect(seen).toEqual([]);
    });

    it("deleteIf deletes a group only while its last push attempt is not later than the condition", async () => {
      const s = await fresh();
      await push(s, "put", job("a"), "a 1\n", 1_000_000);
      await push(s, "put", job("b"), "b 1\n", 1_000_000);
      const key = (j: string) => groupingKey(job(j));
      // b pushed again after the decision (its last attempt is now 2_000_000): kept.
      await push(s, "put", job("b"), "b 2\n", 2_000_000);
      const res = await s.submit({
        kind: "deleteIf",
        groups: [
          { key: key("a"), lastAttemptAtMostMs: 1_000_000 },
          { key: key("b"), lastAttemptAtMostMs: 1_000_000 },
          { key: key("zz"), lastAttemptAtMostMs: 9e15 },
        ],
        audit: { source: "rule", rule: 3 },
      });
      expect(res).toMatchObject({ ok: true, deleted: 1, removed: [{ key: key("a"), labels: job("a"), series: 1 }] });
      expect(s.getGroup(key("a"))).toBeUndefined();
      expect(valueOf(s, job("b"), "b")).toBe(2);
      expect(s.audit(10)).toEqual([expect.objectContaining({ action: "expire", source: "rule", rule: 3, labels: job("a"), series: 1, groups: 1 })]);
    });

    it("audits deletes and wipes that name their source, newest first", async () => {
      const s = await fresh();
      await push(s, "put", job("a"), "a 1\nb 2\n");
      await push(s, "put", job("b"), "b 1\n");
      await push(s, "put", job("c"), "c 1\n");
      await s.submit({ kind: "delete", labels: job("a"), audit: { source: "api", client: "10.0.0.1", userAgent: "curl/8" } });
      await s.submit({ kind: "deleteMany", keys: [groupingKey(job("b"))], audit: { source: "dashboard", user: "ops" } });
      await s.submit({ kind: "delete", labels: job("nothing"), audit: { source: "api" } }); // deletes nothing: no entry
      await s.submit({ kind: "wipe", audit: { source: "api" } });
      expect(s.audit(10).map((e) => [e.action, e.source, e.labels.map((l) => l.value).join(","), e.series, e.groups, e.user ?? e.client ?? ""])).toEqual([
        ["wipe", "api", "", 1, 1, ""],
        ["delete", "dashboard", "b", 1, 1, "ops"],
        ["delete", "api", "a", 2, 1, "10.0.0.1"],
      ]);
      expect(s.audit(1)).toHaveLength(1);
    });

    it("restores a deleted group exactly (families, HELP, TYPE, values, push times, history, last error), once", async () => {
      const s = await fresh();
      await push(s, "put", job("b"), "# TYPE other gauge\nother 1\n");
      await push(
        s,
        "put",
        job("a"),
        '# HELP v help text\n# TYPE v gauge\nv{x="1"} NaN\nv{x="2"} -Inf\n# TYPE s summary\ns{quantile="0.5"} 1\ns_sum 2\ns_count 3\n',
        1_000_000,
      );
      await push(s, "post", job("a"), "w -0\n", 2_000_000.5);
      expect(await push(s, "post", job("a"), "# TYPE other counter\nother 1\n", 3_000_000)).toMatchObject({ ok: false }); // last error and failure time
      expect(s.getGroup(groupingKey(job("a")))!.lastError).toBeDefined();
      const before = snapshot(s);
      const del = await s.submit({ kind: "delete", labels: job("a"), audit: { source: "api", user: "ops" } });
      expect(del).toMatchObject({ ok: true, deleted: 1, undo: { operation: expect.any(String) } });
      expect(s.getGroup(groupingKey(job("a")))).toBeUndefined();
      const restorable = s.restorable();
      expect(restorable).toEqual([expect.objectContaining({ entry: expect.objectContaining({ action: "delete", labels: job("a"), user: "ops" }), groups: 1 })]);
      const operation = del.ok ? del.undo!.operation : "";
      const res = await s.submit({ kind: "restore", ids: [operation], audit: { source: "dashboard", user: "ops2" } });
      expect(res).toMatchObject({ ok: true, restore: { restored: [{ key: groupingKey(job("a")), labels: job("a") }], refused: [], missing: [] } });
      const sorted = (x: unknown) => (x as { key: string }[]).slice().sort((p, q) => (p.key < q.key ? -1 : 1));
      expect(sorted(snapshot(s))).toEqual(sorted(before));
      expect(s.restorable()).toEqual([]);
      expect(s.audit(1)[0]).toMatchObject({ action: "restore", source: "dashboard", user: "ops2", labels: job("a"), restores: restorable[0]!.entry.id });
      // Idempotent: a second restore (by operation or by entry) restores nothing and says why.
      for (const id of [operation, restorable[0]!.entry.id]) {
        const again = await s.submit({ kind: "restore", ids: [id] });
        expect(again).toMatchObject({ ok: true, restore: { restored: [], missing: [{ id, reason: "restored" }] } });
      }
      expect(await s.submit({ kind: "restore", ids: ["no-such-id"] })).toMatchObject({ ok: true, restore: { missing: [{ reason: "unknown" }] } });
      // The consistency indexes know the restored series.
      expect(await push(s, "put", job("c"), "# TYPE v counter\nv 1\n")).toMatchObject({ ok: false, status: 400 });
    });

    it("restores a wipe and every group of a bulk delete", async () => {
      const s = await fresh();
      for (const j of ["a", "b", "c"]) await push(s, "put", job(j), `m_${j} 1\n`);
      const before = snapshot(s);
      const many = await s.submit({ kind: "deleteMany", keys: [groupingKey(job("a")), groupingKey(job("b"))], audit: { source: "dashboard" } });
      expect(s.restorable()).toHaveLength(2);
      const r1 = await s.submit({ kind: "restore", ids: [many.ok ? many.undo!.operation : ""] });
      expect(r1.ok && r1.restore!.restored.map((r) => r.labels[0]!.value).sort()).toEqual(["a", "b"]);
      const wipe = await s.submit({ kind: "wipe", audit: { source: "api" } });
      expect(s.groupCount()).toBe(0);
      const r2 = await s.submit({ kind: "restore", ids: [wipe.ok ? wipe.undo!.operation : ""] });
      expect(r2.ok && r2.restore!.restored).toHaveLength(3);
      const sorted = (x: unknown) => (x as { key: string }[]).slice().sort((p, q) => (p.key < q.key ? -1 : 1));
      expect(sorted(snapshot(s))).toEqual(sorted(before));
    });

    it("never overwrites a group pushed again since the delete, nor a series pushed meanwhile by another group", async () => {
      const s = await fresh();
      await push(s, "put", job("a"), "# TYPE x gauge\nx 1\n");
      await push(s, "put", job("b"), "# TYPE y gauge\ny 1\n");
      const da = await s.submit({ kind: "delete", labels: job("a"), audit: { source: "api" } });
      const db = await s.submit({ kind: "delete", labels: job("b"), audit: { source: "api" } });
      await push(s, "put", job("a"), "x 5\n", 2_000_000); // a pushed again
      await push(s, "put", job("c"), "# TYPE y counter\ny 1\n"); // y is now a counter elsewhere
      const ra = await s.submit({ kind: "restore", ids: [da.ok ? da.undo!.operation : ""] });
      expect(ra).toMatchObject({
        ok: true,
        restore: { restored: [], refused: [{ labels: job("a"), reason: expect.stringMatching(/pushed again since the deletion/) }] },
      });
      expect(valueOf(s, job("a"), "x")).toBe(5);
      const rb = await s.submit({ kind: "restore", ids: [db.ok ? db.undo!.operation : ""] });
      expect(rb).toMatchObject({
        ok: true,
        restore: {
          restored: [],
          refused: [{ labels: job("b"), reason: expect.stringMatching(/conflicts with metrics pushed since the deletion: .*is not a COUNTER/) }],
        },
      });
      expect(s.getGroup(groupingKey(job("b")))).toBeUndefined();
      // Refused snapshots stay restorable (until the window ends).
      expect(s.restorable()).toHaveLength(2);
    });

    it("deletes families conditionally on their write time, leaves push_time_seconds alone, and restores them", async () => {
      const s = await fresh();
      await push(s, "post", job("a"), "# HELP old_metric gone\n# TYPE old_metric counter\nold_metric 7\nkept 1\nrepushed 1\n", 1_000_000);
      await push(s, "post", job("a"), "repushed 2\n", 2_000_000); // pushed again after the page showed it at 1_000_000
      const g = s.getGroup(groupingKey(job("a")))!;
      const pushTime = g.families.get("push_time_seconds");
      const res = await s.submit({
        kind: "deleteFamilies",
        groups: [
          {
            key: g.key,
            families: [
              { name: "old_metric", timestampMs: 1_000_000 },
              { name: "repushed", timestampMs: 1_000_000 },
              { name: "absent", timestampMs: 1 },
            ],
          },
        ],
        audit: { source: "dashboard", user: "ops" },
      });
      expect(res).toMatchObject({ ok: true, removed: [{ key: g.key, families: ["old_metric"], series: 1 }], undo: { operation: expect.any(String) } });
      const after = s.getGroup(groupingKey(job("a")))!;
      expect([...after.families.keys()].sort()).toEqual(["kept", "push_failure_time_seconds", "push_time_seconds", "repushed"]);
      expect(after.families.get("push_time_seconds")).toBe(pushTime);
      expect(after.pushHistory).toEqual(g.pushHistory);
      expect(valueOf(s, job("a"), "repushed")).toBe(2);
      expect(s.audit(1)[0]).toMatchObject({ action: "delete", families: ["old_metric"], labels: job("a"), user: "ops" });
      expect([...s.familyNames()]).not.toContain("old_metric");
      for (const name of ["push_time_seconds", "push_failure_time_seconds"]) {
        const refused = await s.submit({ kind: "deleteFamilies", groups: [{ key: g.key, families: [{ name, timestampMs: 1_000_000 }] }] });
        expect(refused).toMatchObject({ ok: false, status: 400, message: expect.stringContaining(name) });
      }
      const restore = await s.submit({ kind: "restore", ids: [res.ok ? res.undo!.operation : ""] });
      expect(restore).toMatchObject({ ok: true, restore: { restored: [{ families: ["old_metric"] }] } });
      expect(s.getGroup(groupingKey(job("a")))!.families.get("old_metric")).toEqual(g.families.get("old_metric"));
      // A family pushed again since its delete is never overwritten by a restore.
      const del2 = await s.submit({
        kind: "deleteFamilies",
        groups: [{ key: g.key, families: [{ name: "kept", timestampMs: 1_000_000 }] }],
        audit: { source: "api" },
      });
      await push(s, "post", job("a"), "kept 9\n", 3_000_000);
      const r2 = await s.submit({ kind: "restore", ids: [del2.ok ? del2.undo!.operation : ""] });
      expect(r2).toMatchObject({ ok: true, restore: { restored: [], refused: [{ reason: expect.stringMatching(/pushed again since the deletion: kept/) }] } });
      expect(valueOf(s, job("a"), "kept")).toBe(9);
    });

    it("expiries and conditional deletes are restorable; a family restore into a group deleted since is refused", async () => {
      const s = await fresh();
      await push(s, "put", job("a"), "a 1\n", 1_000_000);
      await push(s, "post", job("b"), "old 1\nnew 1\n", 1_000_000);
      const exp = await s.submit({
        kind: "deleteIf",
        groups: [{ key: groupingKey(job("a")), lastAttemptAtMostMs: 1_000_000 }],
        audit: { source: "rule", rule: 0 },
      });
      expect(exp).toMatchObject({ ok: true, deleted: 1, undo: { operation: expect.any(String) } });
      const fam = await s.submit({
        kind: "deleteFamilies",
        groups: [{ key: groupingKey(job("b")), families: [{ name: "old", timestampMs: 1_000_000 }] }],
        audit: { source: "dashboard" },
      });
      await s.submit({ kind: "delete", labels: job("b"), audit: { source: "api" } });
      const r = await s.submit({ kind: "restore", ids: [exp.ok ? exp.undo!.operation : "", fam.ok ? fam.undo!.operation : ""] });
      expect(r).toMatchObject({
        ok: true,
        restore: { restored: [{ labels: job("a") }], refused: [{ labels: job("b"), reason: expect.stringMatching(/group was deleted since/) }] },
      });
      expect(valueOf(s, job("a"), "a")).toBe(1);
    });

    it("prunes undo snapshots after the undo window; the audit line stays", async () => {
      const s = await fresh({ undoWindowMs: 150 });
      await push(s, "put", job("a"), "m 1\n");
      const del = await s.submit({ kind: "delete", labels: job("a"), audit: { source: "api" } });
      expect(s.restorable()).toHaveLength(1);
      const deadline = (del.ok ? del.undo!.untilMs : 0) + 50;
      while (Date.now() <= deadline) await new Promise((r) => setTimeout(r, 25));
      expect(s.restorable()).toEqual([]);
      const res = await s.submit({ kind: "restore", ids: [del.ok ? del.undo!.operation : ""] });
      expect(res).toMatchObject({ ok: true, restore: { restored: [], missing: [{ reason: "expired", message: expect.stringMatching(/undo window/) }] } });
      expect(s.getGroup(groupingKey(job("a")))).toBeUndefined();
      expect(s.audit(10)).toEqual([expect.objectContaining({ action: "delete", labels: job("a") })]);
      if (factory.reopen) {
        const t = await factory.reopen(s);
        open.push(t);
        expect(t.restorable()).toEqual([]);
        expect(t.audit(10)).toHaveLength(1);
      }
    });

    it("with an undo window of 0 keeps nothing to restore", async () => {
      const s = await fresh({ undoWindowMs: 0 });
      await push(s, "put", job("a"), "m 1\n");
      const del = await s.submit({ kind: "delete", labels: job("a"), audit: { source: "api" } });
      expect(del.ok && del.undo).toBeUndefined();
      expect(s.restorable()).toEqual([]);
    });

    if (factory.reopen) {
      const reopen = factory.reopen;
      it("keeps undo snapshots and family deletes across a restart; a restore survives it too", async () => {
        let s = await fresh();
        await push(s, "put", job("a"), '# HELP v h\n# TYPE v gauge\nv{x="1"} NaN\nv{x="2"} -0\n', 1_000_000);
        await push(s, "post", job("b"), "old 1\nnew 1\n", 1_000_000);
        const before = snapshot(s);
        const del = await s.submit({ kind: "delete", labels: job("a"), audit: { source: "api" } });
        const fam = await s.submit({
          kind: "deleteFamilies",
          groups: [{ key: groupingKey(job("b")), families: [{ name: "old", timestampMs: 1_000_000 }] }],
          audit: { source: "dashboard" },
        });
        s = await reopen(s);
        open.push(s);
        expect(s.getGroup(groupingKey(job("b")))!.families.has("old")).toBe(false);
        expect(s.restorable()).toHaveLength(2);
        const res = await s.submit({ kind: "restore", ids: [del.ok ? del.undo!.operation : "", fam.ok ? fam.undo!.operation : ""] });
        expect(res.ok && res.restore!.restored).toHaveLength(2);
        const sorted = (x: unknown) => (x as { key: string }[]).slice().sort((p, q) => (p.key < q.key ? -1 : 1));
        expect(sorted(snapshot(s))).toEqual(sorted(before));
        s = await reopen(s);
        open.push(s);
        expect(sorted(snapshot(s))).toEqual(sorted(before));
        expect(s.restorable()).toEqual([]);
        const again = await s.submit({ kind: "restore", ids: [del.ok ? del.undo!.operation : ""] });
        expect(again).toMatchObject({ ok: true, restore: { restored: [], missing: [{ reason: "restored" }] } });
      });

      it("keeps the audit trail across a restart", async () => {
        let s = await fresh();
        await push(s, "put", job("a"), "a 1\n");
        await s.submit({ kind: "delete", labels: job("a"), audit: { source: "api", userAgent: "py" } });
        const before = s.audit(10);
        expect(before).toHaveLength(1);
        s = await reopen(s);
        open.push(s);
        expect(s.audit(10)).toEqual(before);
      });

      it("keeps every acknowledged write across a restart, exactly", async () => {
        let s = await fresh();
        await push(s, "put", job("a"), '# HELP v help text\n# TYPE v gauge\nv{x="1"} NaN\nv{x="2"} -Inf\n');
        await push(s, "put", job("b", { inst: "\u0000\u00ff" }), '# TYPE s summary\ns{quantile="0.5"} 1\ns_sum 2\ns_count 3\n');
        await push(s, "put", job("c"), "# TYPE v counter\nv 1\n"); // rejected: recorded failure
        await push(s, "put", job("d"), "gone 1\n");
        await s.submit({ kind: "delete", labels: job("d") });
        await push(s, "post", job("a"), "w -0\n", 3_000_000.123);
        const before = snapshot(s);
        const series = s.seriesCount();
        expect(series).toBe(10);
        s = await reopen(s);
        open.push(s);
        expect(snapshot(s)).toEqual(before);
        expect(s.seriesCount()).toBe(series);
        // The consistency indexes came back too.
        expect(await push(s, "put", job("e"), "# TYPE v counter\nv 1\n")).toMatchObject({ ok: false, status: 400 });
      });
    }
  });
}

// The store's write semantics (docs/compatibility.md: writes, consistency check, synthetic gauges) and its incremental indexes, without HTTP.
import { describe, expect, it } from "vitest";
import { parseText } from "@/lib/exposition/parse-text";
import type { LabelPair } from "@/lib/exposition/model";
import { groupingKey } from "@/lib/grouping/grouping-key";
import { lastPushSuccessful, MemoryStore, syntheticValue } from "@/lib/store/memory-store";
import type { Mutation, Persistence } from "@/lib/store/types";

const job = (j: string, extra: Record<string, string> = {}): LabelPair[] =>
  Object.entries({ job: j, ...extra })
    .map(([name, value]) => ({ name, value }))
    .sort((a, b) => (a.name < b.name ? -1 : 1));
const push = (store: MemoryStore, kind: "put" | "post", labels: LabelPair[], body: string, nowMs = 1_000_000) =>
  store.submit({ kind, labels, families: parseText(Buffer.from(body)), check: true, nowMs });
const names = (store: MemoryStore, labels: LabelPair[]) => [...(store.getGroup(groupingKey(labels))?.families.keys() ?? [])].sort();

describe("MemoryStore writes", () => {
  it("PUT replaces, POST merges by family name, both keep push_* metrics", async () => {
    const s = new MemoryStore();
    expect(await push(s, "put", job("a"), "a 1\nb 2\n")).toEqual({ ok: true });
    expect(await push(s, "post", job("a"), "a 10\nc 3\n")).toEqual({ ok: true });
    expect(names(s, job("a"))).toEqual(["a", "b", "c", "push_failure_time_seconds", "push_time_seconds"]);
    expect(await push(s, "put", job("a"), "")).toEqual({ ok: true });
    expect(names(s, job("a"))).toEqual(["push_failure_time_seconds", "push_time_seconds"]);
    expect(s.seriesCount()).toBe(2);
  });

  it("sanitises labels: grouping labels win, instance defaults to empty", async () => {
    const s = new MemoryStore();
    await push(s, "put", job("j1"), 'm{job="other",instance="inbody",foo="bar"} 1\n');
    const m = s.getGroup(groupingKey(job("j1")))!.families.get("m")!.family.metric[0]!;
    expect(m.label).toEqual([
      { name: "foo", value: "bar" },
      { name: "instance", value: "inbody" },
      { name: "job", value: "j1" },
    ]);
  });

  it("rejects type conflicts across groups and records the failure", async () => {
    const s = new MemoryStore();
    await push(s, "put", job("t1"), "# TYPE x counter\nx 1\n", 1000);
    const r = await push(s, "put", job("t2"), "# TYPE x gauge\nx 1\n", 2000);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.message).toMatch(/^pushed metrics are invalid or inconsistent with existing metrics: collected metric "x" \{ .* \} is not a COUNTER$/);
    const g = s.getGroup(groupingKey(job("t2")))!;
    expect(syntheticValue(g, "push_failure_time_seconds")).toBe(2);
    expect(syntheticValue(g, "push_time_seconds")).toBe(0);
    expect(lastPushSuccessful(g)).toBe(false);
    expect(g.lastError?.message).toContain("is not a COUNTER");
    // Replacing t1's x with a gauge frees the name for t2.
    expect(await push(s, "put", job("t1"), "# TYPE x gauge\nx 1\n")).toEqual({ ok: true });
    expect(await push(s, "put", job("t2"), "# TYPE x gauge\nx 1\n")).toEqual({ ok: true });
  });

  it("rejects duplicate series within a push and across groups", async () => {
    const s = new MemoryStore();
    const dup = await push(s, "put", job("d"), 'dup{a="1"} 1\ndup{a="1"} 2\n');
    expect(!dup.ok && dup.message).toContain("was collected before with the same name and label values");
    await push(s, "put", job("d1"), 'm{instance="i"} 1\n');
    const cross = await push(s, "put", job("d1", { instance: "i" }), "m 2\n");
    expect(cross.ok).toBe(false);
  });

  it("rejects timestamps with the Pushgateway's message", async () => {
    const s = new MemoryStore();
    const r = await push(s, "put", job("ts"), "m 1 1000\n");
    expect(r).toEqual({
      ok: false,
      status: 400,
      message: "pushed metrics are invalid or inconsistent with existing metrics: pushed metrics must not have timestamps",
    });
  });

  it("reports suffix collisions in both directions", async () => {
    const s = new MemoryStore();
    await push(s, "put", job("h"), '# TYPE x histogram\nx_bucket{le="1"} 1\nx_sum 1\nx_count 1\n');
    const r = await push(s, "put", job("g"), "x_count 3\n");
    expect(!r.ok && r.message).toContain('collected metric named "x_count" collides with previously collected histogram named "x"');
    await push(s, "put", job("c"), "y_sum 3\n");
    const r2 = await push(s, "put", job("d"), "# TYPE y summary\ny_sum 1\ny_count 1\n");
    expect(!r2.ok && r2.message).toContain('collected histogram or summary named "y" collides with previously collected metric named "y_sum"');
  });

  it("does not poison the store when a failed push's group would collide (docs/compatibility.md: consistency check)", async () => {
    const s = new MemoryStore();
    await push(s, "put", job("t1"), "m 1\n");
    const r = await push(s, "put", job("t1", { instance: "" }), "m 2\n");
    expect(r.ok).toBe(false);
    expect(s.getGroup(groupingKey(job("t1", { instance: "" })))).toBeUndefined();
    expect(await push(s, "put", job("other"), "o 1\n")).toEqual({ ok: true });
  });

  it("checks against its own metrics' names, types and HELP", async () => {
    const s = new MemoryStore({ ownFamily: (n) => (n === "own_total" ? { type: "COUNTER", help: "Own.", predefinedHelp: false } : undefined) });
    const wrongType = await push(s, "put", job("o"), "# HELP own_total Own.\n# TYPE own_total gauge\nown_total 1\n");
    expect(!wrongType.ok && wrongType.message).toContain("gathered metric family own_total has type GAUGE but should have COUNTER");
    const wrongHelp = await push(s, "put", job("o"), "# TYPE own_total counter\nown_total 1\n");
    expect(!wrongHelp.ok && wrongHelp.message).toContain('gathered metric family own_total has help "" but should have "Own."');
    expect(await push(s, "put", job("o"), "# HELP own_total Own.\n# TYPE own_total counter\nown_total 1\n")).toEqual({ ok: true });
  });

  it("deletes exactly one grouping key, and wipes", async () => {
    const s = new MemoryStore();
    await push(s, "put", job("x"), "a 1\n");
    await push(s, "put", job("x", { instance: "y" }), "a 1\n");
    expect(await s.submit({ kind: "delete", labels: job("x") })).toMatchObject({ ok: true, deleted: 1 });
    expect(s.groupCount()).toBe(1);
    expect(await s.submit({ kind: "wipe" })).toMatchObject({ ok: true, deleted: 1 });
    expect(s.groupCount()).toBe(0);
    expect(s.seriesCount()).toBe(0);
  });
});

describe("MemoryStore persistence", () => {
  it("commits each batch of writes once, in order, before acknowledging", async () => {
    const commits: Mutation[][] = [];
    const persistence: Persistence = { description: "test", load: () => [], loadAudit: () => [], commit: (m) => void commits.push(m), close: () => {} };
    const s = new MemoryStore({ persistence });
    const results = await Promise.all([push(s, "put", job("a"), "a 1\n"), push(s, "put", job("b"), "b 1\n"), s.submit({ kind: "delete", labels: job("a") })]);
    expect(results.every((r) => r.ok)).toBe(true);
    expect(commits).toHaveLength(1);
    expect(commits[0]!.map((m) => m.op)).toEqual(["upsertGroup", "upsertGroup", "deleteGroup"]);
  });

  it("takes a failed commit back out of memory and answers 500", async () => {
    const persistence: Persistence = {
      description: "failing",
      load: () => [],
      loadAudit: () => [],
      commit: () => {
        throw new Error("disk full");
      },
      close: () => {},
    };
    const s = new MemoryStore({ persistence });
    const r = await push(s, "put", job("a"), "a 1\n");
    expect(r).toMatchObject({ ok: false, status: 500 });
    expect(!r.ok && r.message).toContain("disk full");
    expect(s.groupCount()).toBe(0);
    expect(s.seriesCount()).toBe(0);
  });
});

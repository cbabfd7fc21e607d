// Stale families (issue 18): the definition behind has:stale-families and the row text, and the lifecycle rule
// option expire_families_after (parsed, validated, applied conditionally, audited, undoable, counted).
import { describe, expect, it } from "vitest";
import { parseText } from "../../../lib/exposition/parse-text";
import { groupingKey } from "../../../lib/grouping/grouping-key";
import { laggingFamilies } from "../../../lib/lifecycle/stale-families";
import { LifecycleConfigError, parseLifecycleConfig } from "../../../lib/lifecycle/rules";
import { Lifecycle } from "../../../lib/lifecycle/lifecycle";
import { MemoryStore } from "../../../lib/store/memory-store";
import { matchesFilter, parseFilter } from "../../../lib/dashboard/filter";
import { summarize, toRow } from "../../../lib/dashboard/summary";

const H = 3600_000;
const labels = [{ name: "job", value: "etl" }];
const key = groupingKey(labels);
const post = (s: MemoryStore, body: string, nowMs: number) => s.submit({ kind: "post", labels, families: parseText(Buffer.from(body)), check: true, nowMs });

describe("stale families", () => {
  it("are families written more than max(1 h, 2 × interval) before the group's last push", async () => {
    const s = new MemoryStore();
    await post(s, "renamed_metric 1\ncurrent 1\n", 0);
    for (let t = 1; t <= 30; t++) await post(s, "current 1\n", t * 60_000); // every minute for 30 min
    expect(laggingFamilies(s.getGroup(key)!, 60_000)).toEqual([]); // 30 min behind: not yet
    await post(s, "current 1\n", 2 * H);
    const g = s.getGroup(key)!;
    expect(laggingFamilies(g, 60_000).map((sf) => sf.family.name)).toEqual(["renamed_metric"]);
    // A group pushing every 12 h tolerates a family 24 h behind.
    expect(laggingFamilies(g, 12 * H)).toEqual([]);
    const row = toRow(summarize(g, H, 2 * H));
    expect(row.staleFamilies).toEqual({ count: 1, newestWriteMs: 0, names: ["renamed_metric"] });
    const subject = summarize(g, H, 2 * H);
    expect(matchesFilter(parseFilter("has:stale-families"), subject)).toBe(true);
    await post(s, "renamed_metric 2\n", 2 * H + 1);
    expect(matchesFilter(parseFilter("has:stale-families"), summarize(s.getGroup(key)!, H, 2 * H))).toBe(false);
    expect(() => parseFilter("has:nothing")).toThrow(/unknown term "has:nothing" \(has:stale-families\)/);
  });
});

describe("expire_families_after", () => {
  it("is validated like the other rule fields", () => {
    expect(parseLifecycleConfig("rules:\n  - match: '{job=\"etl\"}'\n    expire_families_after: 7d\n", "f").rules[0]!.expireFamiliesAfterMs).toBe(7 * 24 * H);
    expect(() => parseLifecycleConfig("rules:\n  - match: '{job=\"etl\"}'\n    expire_families_after: soon\n", "f")).toThrow(
      /^f:3: rule 0: expire_families_after: /,
    );
    expect(() => parseLifecycleConfig("rules:\n  - match: '{job=\"etl\"}'\n    expire_families_after: 0\n", "f")).toThrow(LifecycleConfigError);
  });

  it("deletes old families of a live group (not push_time_seconds), counted, audited and undoable", async () => {
    const s = new MemoryStore();
    const now = Date.now();
    await post(s, "old 1\nfresh 1\n", now - 8 * 24 * H);
    await post(s, "fresh 2\n", now - 1000);
    const counted: Array<[number, number]> = [];
    const lc = new Lifecycle({
      store: s,
      file: "",
      rules: parseLifecycleConfig(
        "rules:\n  - match: '{job=\"other\"}'\n    expect_every: 1h\n  - match: '{job=\"etl\"}'\n    expire_families_after: 7d\n",
        "f",
      ),
      defaultStaleAfterMs: H,
      log: () => {},
      onExpired: () => {},
      onFamiliesExpired: (rule, n) => counted.push([rule, n]),
    });
    expect(await lc.expireDue(now)).toBe(0); // no group expired
    const g = s.getGroup(key)!;
    expect([...g.families.keys()].sort()).toEqual(["fresh", "push_failure_time_seconds", "push_time_seconds"]);
    expect(counted).toEqual([[1, 1]]);
    expect(s.audit(1)[0]).toMatchObject({ action: "expire", source: "rule", rule: 1, families: ["old"], labels });
    expect(await lc.expireFamilies(now)).toBe(0); // nothing left to expire
    const restored = await s.submit({ kind: "restore", ids: [s.audit(1)[0]!.id!] });
    expect(restored.ok && restored.restore!.restored).toEqual([expect.objectContaining({ families: ["old"] })]);
  });
});

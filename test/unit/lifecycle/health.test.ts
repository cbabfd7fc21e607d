import { describe, expect, it } from "vitest";
import { parseText } from "../../../lib/exposition/parse-text";
import { compareMetrics, renderFamilyText } from "../../../lib/exposition/render-text";
import { GroupHealthExporter } from "../../../lib/lifecycle/health";
import { NO_RULES, parseLifecycleConfig } from "../../../lib/lifecycle/rules";
import { MemoryStore } from "../../../lib/store/memory-store";
import type { LabelPair } from "../../../lib/exposition/model";

const labels = (o: Record<string, string>): LabelPair[] =>
  Object.entries(o)
    .map(([name, value]) => ({ name, value }))
    .sort((a, b) => (a.name < b.name ? -1 : 1));
const put = (s: MemoryStore, l: Record<string, string>, nowMs: number) =>
  s.submit({ kind: "put", labels: labels(l), families: parseText(Buffer.from("x 1\n")), check: true, nowMs });

/** What the generic renderer makes of the families: the exporter's own text must be exactly this. */
function generic(snap: ReturnType<GroupHealthExporter["snapshot"]>): string[] {
  return snap.families.map((f) => renderFamilyText({ ...f, metric: [...f.metric].sort(compareMetrics) }));
}

describe("GroupHealthExporter", () => {
  it("renders the same text as the generic renderer through pushes, deletes, re-creations and time", async () => {
    const s = new MemoryStore();
    const T = Date.parse("2026-12-01T00:00:00Z");
    const rules = parseLifecycleConfig("rules:\n  - match: '{job=\"b\"}'\n    expect_every: 10s\n", "r.yml");
    const h = new GroupHealthExporter(s, () => rules, 60_000);
    for (const j of ["c", "a", "b", "é", "A"]) await put(s, { job: j }, T);
    await put(s, { job: "a", instance: "i2" }, T);
    const check = (now: number) => {
      const snap = h.snapshot(now);
      expect(snap.families.map((f) => snap.text.get(f.name))).toEqual(generic(snap));
      return snap;
    };
    const first = check(T + 1000);
    expect(first.text.get("pushboard_group_up")).toContain('pushboard_group_up{instance="",job="b"} 1\n');
    expect(first.text.get("pushboard_group_expected_interval_seconds")).toBe(
      "# HELP pushboard_group_expected_interval_seconds The push cadence pushboard expects of the group: declared by a lifecycle rule, or learnt from its pushes.\n" +
        "# TYPE pushboard_group_expected_interval_seconds gauge\n" +
        'pushboard_group_expected_interval_seconds{instance="",job="b"} 10\n',
    );
    // Unchanged store and clock before the next transition: the very same snapshot.
    expect(h.snapshot(T + 2000)).toBe(first);
    // b turns overdue after 10 s: a new snapshot with b at 0.
    const later = check(T + 11_000);
    expect(later.version).toBeGreaterThan(first.version);
    expect(later.text.get("pushboard_group_up")).toContain('pushboard_group_up{instance="",job="b"} 0\n');
    await put(s, { job: "b" }, T + 12_000);
    expect(check(T + 12_001).text.get("pushboard_group_up")).toContain('pushboard_group_up{instance="",job="b"} 1\n');
    await s.submit({ kind: "delete", labels: labels({ job: "c" }) });
    expect(check(T + 12_002).text.get("pushboard_group_up")).not.toContain('job="c"');
    await put(s, { job: "c" }, T + 12_003);
    await put(s, { job: "d", zone: "eu" }, T + 12_003);
    const last = check(T + 12_004);
    expect(last.families.find((f) => f.name === "pushboard_group_up")!.metric).toHaveLength(7);
    const h2 = new GroupHealthExporter(s, () => NO_RULES, 60_000);
    expect(h2.snapshot(T + 12_004).text.get("pushboard_group_up")).toBe(last.text.get("pushboard_group_up"));
  });
});

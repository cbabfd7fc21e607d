// The compact in-memory form of stored families (lib/store/family-codec.ts: compactFamily, decodeFamily): the same
// for a pushed and a reloaded family, label pairs shared across groups, nothing the scrape or the JSON could see
// changed. The memory it saves is measured in BENCHMARKS.md (issue 17, Memory), not here.
import { describe, expect, it } from "vitest";
import { parseText } from "@/lib/exposition/parse-text";
import type { LabelPair, Metric, MetricFamily } from "@/lib/exposition/model";
import { groupingKey } from "@/lib/grouping/grouping-key";
import { compactFamily, decodeFamily, encodeFamily } from "@/lib/store/family-codec";
import { MemoryStore } from "@/lib/store/memory-store";

const job = (j: string, instance: string): LabelPair[] => [
  { name: "instance", value: instance },
  { name: "job", value: j },
];
const body = 'm{zone="a",shard="s1"} 1.5\nm{zone="a",shard="s2"} 2.5\n# TYPE c counter\nc 3\n';

async function pushed(store: MemoryStore, labels: LabelPair[], text = body): Promise<Map<string, MetricFamily>> {
  expect(await store.submit({ kind: "put", labels, families: parseText(Buffer.from(text)), check: true, nowMs: 1_000_000 })).toEqual({ ok: true });
  const g = store.getGroup(groupingKey(labels))!;
  return new Map([...g.families].map(([n, sf]) => [n, sf.family]));
}

describe("compact stored families", () => {
  it("a pushed family is stored with exact label arrays, the value in the metric, and pairs shared across groups", async () => {
    const s = new MemoryStore();
    const a = await pushed(s, job("j", "i1"));
    const b = await pushed(s, job("j", "i2"));
    const [ma, mb] = [a.get("m")!.metric, b.get("m")!.metric];
    for (const m of [...ma, ...mb]) {
      expect(Object.keys(m)).toEqual(["label", "untyped"]);
      expect(m.label.map((l) => l.name)).toEqual(["instance", "job", "shard", "zone"]);
    }
    // The body's pairs shard="s1", zone="a" and the grouping pair job="j" are one object each, in both groups.
    expect(ma[0]!.label.find((l) => l.name === "shard")).toBe(mb[0]!.label.find((l) => l.name === "shard"));
    expect(ma[0]!.label.find((l) => l.name === "zone")).toBe(mb[1]!.label.find((l) => l.name === "zone"));
    expect(ma[0]!.label.find((l) => l.name === "job")).toBe(mb[0]!.label.find((l) => l.name === "job"));
    // instance differs between the groups, so its pairs do.
    expect(ma[0]!.label.find((l) => l.name === "instance")!.value).toBe("i1");
    expect(mb[0]!.label.find((l) => l.name === "instance")!.value).toBe("i2");
  });

  it("pushed and decoded families have the same fields in the same order, and share their pairs", async () => {
    const s = new MemoryStore();
    const stored = await pushed(s, job("j", "i1"));
    for (const f of stored.values()) {
      const back = decodeFamily(encodeFamily(f));
      expect(back).toEqual(f);
      expect(JSON.stringify(back)).toBe(JSON.stringify(f));
      back.metric.forEach((m, i) => {
        expect(Object.keys(m)).toEqual(Object.keys(f.metric[i]!));
        m.label.forEach((l, j) => expect(l).toBe(f.metric[i]!.label[j]));
      });
    }
  });

  it("keeps every field of a metric it does not rebuild, and only compacts its labels", () => {
    const exemplar = { label: [{ name: "trace", value: "t" }], value: 1 };
    const odd: Metric[] = [
      { label: [{ name: "a", value: "1" }], counter: { value: 1, exemplar } },
      { label: [{ name: "a", value: "2" }], gauge: { value: 2, createdTimestampMs: 5 } },
      { label: [{ name: "a", value: "3" }], gauge: { value: 3 }, counter: { value: 4 } },
      { label: [{ name: "a", value: "4" }], summary: { sampleCount: 1, sampleSum: 2, quantile: [{ quantile: 0.5, value: 1 }] } },
      { label: [{ name: "a", value: "5" }], untyped: { value: NaN }, timestampMs: 7 },
    ];
    const f: MetricFamily = { name: "x", help: "", type: "COUNTER", metric: odd.map((m) => ({ ...m, label: [...m.label] })) };
    const before = f.metric.slice();
    compactFamily(f);
    for (let i = 0; i < 4; i++) {
      expect(f.metric[i]).toBe(before[i]); // same object, labels replaced
      expect(f.metric[i]).toEqual(odd[i]);
    }
    expect(f.metric[4]).not.toBe(before[4]);
    expect(f.metric[4]).toEqual(odd[4]);
    expect(Object.keys(f.metric[4]!)).toEqual(["label", "untyped", "timestampMs"]);
  });
});

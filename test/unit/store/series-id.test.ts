// seriesId is the identity of a series in the store's uniqueness index: its value must not change with the
// implementation (the hash state after a family name is reused between the samples of one family).
import { describe, expect, it } from "vitest";
import { seriesId } from "@/lib/consistency/check-push";
import type { LabelPair } from "@/lib/exposition/model";

/** The first implementation, kept as the reference. */
function reference(name: string, labels: LabelPair[]): number {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  const mix = (s: string): void => {
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 0x01000193);
      h2 = Math.imul(h2 ^ c, 0x5bd1e995) ^ (h2 >>> 15);
    }
    h1 = Math.imul(h1 ^ 0xff, 0x01000193);
    h2 = Math.imul(h2 ^ 0xff, 0x5bd1e995) ^ (h2 >>> 15);
  };
  mix(name);
  for (const l of labels) {
    mix(l.name);
    mix(l.value);
  }
  return (h2 >>> 11) * 4294967296 + (h1 >>> 0);
}

describe("seriesId", () => {
  it("matches the reference for runs of one family, interleaved families and unicode", () => {
    const names = ["a", "bench_batch_phase_duration_seconds", "ü_name", "a"];
    let seed = 42;
    const rnd = (n: number) => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n;
    for (let i = 0; i < 2000; i++) {
      const name = names[rnd(3) === 0 ? rnd(names.length) : i % names.length]!;
      const labels: LabelPair[] = Array.from({ length: rnd(5) }, (_, k) => ({ name: `l${k}`, value: String.fromCharCode(32 + rnd(2000)).repeat(rnd(4)) }));
      expect(seriesId(name, labels)).toBe(reference(name, labels));
      expect(seriesId(name, labels)).toBe(reference(name, labels));
    }
  });
  it("tells names and label splits apart", () => {
    expect(seriesId("ab", [])).not.toBe(seriesId("a", [{ name: "b", value: "" }]));
    expect(seriesId("m", [{ name: "a", value: "bc" }])).not.toBe(seriesId("m", [{ name: "ab", value: "c" }]));
  });
});

// SeriesOwners (lib/store/series-owners.ts), the compact seriesId -> owning group table, against a Map as the
// reference model over seeded random sets, deletes and re-owning, through several resizes.
import { describe, expect, it } from "vitest";
import { SeriesOwners } from "@/lib/store/series-owners";

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

describe("SeriesOwners", () => {
  it("answers like a Map<number, string> through inserts, re-owning, deletes and resizes", () => {
    const rand = rng(17);
    const t = new SeriesOwners();
    const ref = new Map<number, string>();
    // A pool of ids (53-bit, as seriesId makes them, plus small ones and ones equal in their low 32 bits).
    const ids = Array.from({ length: 6000 }, (_, i) => (i % 3 === 0 ? i : i % 3 === 1 ? Math.floor(rand() * 2 ** 53) : (i + 1) * 4294967296 + 7));
    for (let step = 0; step < 60_000; step++) {
      const id = ids[Math.floor(rand() * ids.length)]!;
      const r = rand();
      if (r < 0.6) {
        const owner = `g${Math.floor(rand() * 50)}`;
        t.set(id, owner);
        ref.set(id, owner);
      } else if (r < 0.9) {
        expect(t.delete(id)).toBe(ref.delete(id));
      } else {
        expect(t.get(id)).toBe(ref.get(id));
      }
      expect(t.size).toBe(ref.size);
    }
    for (const id of ids) expect(t.get(id)).toBe(ref.get(id));
    // Emptied, then refilled: nothing stale is found.
    for (const id of ids) t.delete(id);
    expect(t.size).toBe(0);
    for (const id of ids) expect(t.get(id)).toBeUndefined();
    for (let i = 0; i < 100_000; i++) t.set(i * 7919, "x");
    expect(t.size).toBe(100_000);
    expect(t.get(7919 * 99_999)).toBe("x");
    expect(t.get(7919 * 100_000)).toBeUndefined();
  });
});

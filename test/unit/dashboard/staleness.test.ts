import { describe, expect, it } from "vitest";
import { isStale, median, staleFloorMs, staleThresholdMs, typicalIntervalMs } from "../../../lib/dashboard/staleness";

const MIN = 60_000;
const H = 3_600_000;
const every = (n: number, stepMs: number, start = 1_700_000_000_000) => Array.from({ length: n }, (_, i) => start + i * stepMs);

describe("median", () => {
  it.each([
    [[], null],
    [[5], 5],
    [[3, 1, 2], 2],
    [[4, 1, 2, 3], 2.5],
  ])("%j → %s", (v, want) => expect(median(v)).toBe(want));
});

describe("typicalIntervalMs", () => {
  it("is null below two pushes", () => {
    expect(typicalIntervalMs([], MIN)).toBeNull();
    expect(typicalIntervalMs([1], MIN)).toBeNull();
  });
  it("is the cadence of a regular pusher", () => expect(typicalIntervalMs(every(32, 5 * MIN), MIN)).toBe(5 * MIN));
  it("ignores one late push (median)", () => {
    const h = every(10, 5 * MIN);
    h.push(h[h.length - 1]! + 40 * MIN);
    expect(typicalIntervalMs(h, MIN)).toBe(5 * MIN);
  });
  it("collapses bursts of pushes within one run", () => {
    // A daily job that pushes three times within a few seconds per run.
    const h: number[] = [];
    for (let d = 0; d < 5; d++) for (let k = 0; k < 3; k++) h.push(1_700_000_000_000 + d * 24 * H + k * 2000);
    expect(typicalIntervalMs(h, MIN)).toBe(24 * H);
  });
  it("uses raw gaps for a steady pusher faster than the floor", () => expect(typicalIntervalMs(every(20, 10_000), MIN)).toBe(10_000));
  it("skips non-increasing entries", () => expect(typicalIntervalMs([1000, 1000, 1000], MIN)).toBeNull());
});

describe("staleThresholdMs / isStale", () => {
  it("uses the configured default without history", () => expect(staleThresholdMs(null, H)).toBe(H));
  it("is 3 × the interval", () => expect(staleThresholdMs(5 * MIN, H)).toBe(15 * MIN));
  it("never goes below the one-minute floor", () => expect(staleThresholdMs(10_000, H)).toBe(MIN));
  it("the floor follows a shorter configured default", () => {
    expect(staleFloorMs(2000)).toBe(2000);
    expect(staleThresholdMs(100, 2000)).toBe(2000);
  });
  it("is not capped by the default for slow cadences", () => expect(staleThresholdMs(24 * H, H)).toBe(72 * H));
  it("compares age with the threshold", () => {
    expect(isStale(1000, 500, 1500)).toBe(false);
    expect(isStale(1000, 500, 1501)).toBe(true);
    expect(isStale(null, 500, 0)).toBe(true);
  });
});

import { describe, expect, it } from "vitest";
import { groupDetail, nativeBuckets } from "../../../lib/dashboard/detail";
import { expandSpans, nativeBucketBound as nativeUpperBound } from "../../../lib/exposition/native-histogram";
import { decodeGroupId, deletePathOf, encodeGroupId } from "../../../lib/dashboard/group-id";
import { formatCompact, formatDurationMs, humanValue } from "../../../lib/dashboard/human";
import type { MetricFamily } from "../../../lib/exposition/model";
import { FakeStore, gauge, makeGroup } from "./fake-store";

const NOW = 1_800_000_000_000;
const ctx = { defaultStaleAfterMs: 3_600_000, nowMs: NOW, adminApi: true, routePrefix: "" };

const histogram: MetricFamily = {
  name: "job_duration_seconds",
  help: "Duration.",
  type: "HISTOGRAM",
  metric: [
    {
      label: [],
      histogram: {
        sampleCount: 10,
        sampleSum: 12.5,
        bucket: [
          { upperBound: 0.5, cumulativeCount: 2 },
          { upperBound: 1, cumulativeCount: 7 },
          { upperBound: Infinity, cumulativeCount: 10 },
        ],
      },
    },
  ],
};
const summary: MetricFamily = {
  name: "rpc_seconds",
  help: "",
  type: "SUMMARY",
  metric: [
    {
      label: [{ name: "method", value: "get" }],
      summary: {
        sampleCount: 3,
        sampleSum: 0.3,
        quantile: [
          { quantile: 0.5, value: 0.1 },
          { quantile: 0.99, value: 0.2 },
        ],
      },
    },
  ],
};

describe("group ids", () => {
  it("round-trips keys with 0xFF separators and UTF-8", () => {
    const key = "job\xffbäckup/☃\xffinstance\xff\xff";
    const id = encodeGroupId(key);
    expect(id).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeGroupId(id)).toBe(key);
  });
  it.each(["", "a+b", "a/b", "YQ==", "!!!"])("rejects %j", (id) => expect(decodeGroupId(id)).toBeUndefined());
  it("builds a delete path with @base64 only where a value needs it (test/unit/dashboard/delete-command.test.ts has the grammar)", () => {
    expect(
      deletePathOf(
        [
          { name: "instance", value: "" },
          { name: "job", value: "a/b" },
        ],
        "/pg",
      ),
    ).toBe("/pg/metrics/job@base64/YS9i/instance@base64/=");
    expect(
      deletePathOf(
        [
          { name: "database", value: "billing" },
          { name: "job", value: "backup_postgres" },
        ],
        "/pg",
      ),
    ).toBe("/pg/metrics/job/backup_postgres/database/billing");
  });
});

describe("human values", () => {
  it.each([
    ["push_time_seconds", 1795527973.5, "2026-11-24 13:46:13 UTC"],
    ["backup_last_success_seconds", 1.7e9, "2023-11-14 22:13:20 UTC"],
    ["process_uptime_seconds", 86_400 * 3, "3d"],
    ["push_failure_time_seconds", 0, "never"],
    ["backup_size_bytes", 3.5 * 1024 * 1024, "3.5 MiB"],
    ["job_duration_seconds", 125, "2m 5s"],
    ["job_duration_seconds", 0.25, "250 ms"],
    ["requests_total", 1234567, "1.23 M"],
    ["x", 42, "42"],
    ["x", NaN, "NaN"],
    ["x", -Infinity, "-Inf"],
    ["cache_hit_ratio", 0.5, "50 %"],
  ])("%s %s → %s", (name, v, want) => expect(humanValue(name, v)).toBe(want));
  it("formats durations", () => {
    expect(formatDurationMs(3_600_000)).toBe("1h");
    expect(formatDurationMs(90_000)).toBe("1m 30s");
    expect(formatDurationMs(2 * 86_400_000 + 3_600_000)).toBe("2d 1h");
    expect(formatCompact(999.5)).toBe("999.5");
  });
});

describe("native histogram buckets", () => {
  it("expands delta-encoded spans", () => {
    expect(
      expandSpans(
        [
          { offset: 1, length: 2 },
          { offset: 2, length: 1 },
        ],
        [3, -1, 2],
        undefined,
      ),
    ).toEqual([
      { index: 1, count: 3 },
      { index: 2, count: 2 },
      { index: 5, count: 4 },
    ]);
  });
  it("uses absolute float counts when present", () => {
    expect(expandSpans([{ offset: 0, length: 2 }], undefined, [1.5, 2.5])).toEqual([
      { index: 0, count: 1.5 },
      { index: 1, count: 2.5 },
    ]);
  });
  it("computes bounds by schema", () => {
    expect(nativeUpperBound(0, 3)).toBe(8);
    expect(nativeUpperBound(1, 2)).toBeCloseTo(2);
    const v = nativeBuckets({
      sampleCount: 5,
      sampleSum: 1,
      bucket: [],
      schema: 0,
      zeroThreshold: 0.001,
      zeroCount: 1,
      positiveSpan: [{ offset: 0, length: 2 }],
      positiveDelta: [1, 1],
      negativeSpan: [{ offset: 1, length: 1 }],
      negativeDelta: [1],
    });
    expect(v.buckets).toEqual([
      { lower: "-2", upper: "-1", count: 1 },
      { lower: "-0.001", upper: "0.001", count: 1 },
      { lower: "0.5", upper: "1", count: 1 },
      { lower: "1", upper: "2", count: 2 },
    ]);
  });
});

describe("groupDetail", () => {
  const g = makeGroup({
    labels: { job: "batch", instance: "<img src=x onerror=alert(1)>" },
    pushes: [NOW - 60_000],
    families: [histogram, summary, gauge("items", 3, [], "Items\nprocessed.")],
    lastError: { timeMs: NOW - 1000, message: "pushed metrics are invalid or inconsistent with existing metrics" },
  });
  const store = new FakeStore([g]);
  const d = groupDetail(store, encodeGroupId(g.key), ctx)!;

  it("lists families by name with help, type and synthetic flag", () => {
    expect(d.families.map((f) => [f.name, f.type, f.synthetic])).toEqual([
      ["items", "GAUGE", false],
      ["job_duration_seconds", "HISTOGRAM", false],
      ["push_failure_time_seconds", "GAUGE", true],
      ["push_time_seconds", "GAUGE", true],
      ["rpc_seconds", "SUMMARY", false],
    ]);
    expect(d.families[0]!.help).toBe("Items\nprocessed.");
  });
  it("gives buckets with per-bucket counts and quantiles", () => {
    const h = d.families[1]!.samples[0]!.histogram!;
    expect(h.buckets).toEqual([
      { le: "0.5", count: 2, inBucket: 2 },
      { le: "1", count: 7, inBucket: 5 },
      { le: "+Inf", count: 10, inBucket: 3 },
    ]);
    expect(h.native).toBeUndefined();
    const s = d.families[4]!.samples[0]!.summary!;
    expect(s.quantiles.map((q) => q.quantile)).toEqual(["0.5", "0.99"]);
    expect(d.families[4]!.samples[0]!.labels.map((l) => l.name)).toEqual(["instance", "job", "method"]);
  });
  it("renders the group's exposition text, escaping HELP and label values", () => {
    expect(d.exposition).toContain("# HELP items Items\\nprocessed.\n# TYPE items gauge\n");
    expect(d.exposition).toContain('job_duration_seconds_bucket{instance="<img src=x onerror=alert(1)>",job="batch",le="+Inf"} 10\n');
  });
  it("has the delete path, grouping key and last error", () => {
    expect(d.deletePath).toBe("/metrics/job/batch/instance/%3Cimg%20src=x%20onerror=alert%281%29%3E");
    expect(d.groupingKey).toBe('{job="batch", instance="<img src=x onerror=alert(1)>"}');
    expect(d.row.lastError?.message).toMatch(/inconsistent/);
  });
  it("is undefined for unknown or malformed ids", () => {
    expect(groupDetail(store, encodeGroupId("job\xffnope\xff"), ctx)).toBeUndefined();
    expect(groupDetail(store, "%%%", ctx)).toBeUndefined();
  });
});

describe("native bucket bounds match Prometheus' exponentialBounds table", () => {
  // Prometheus' constants for schema 3 (model/histogram/generic.go).
  const schema3 = [
    0.5, 0.5452538663326288, 0.5946035575013605, 0.6484197773255048, 0.7071067811865475, 0.7711054127039704, 0.8408964152537144, 0.9170040432046711,
  ];
  // Within one ulp: the fractions are correctly rounded, Prometheus' literals are sometimes one ulp lower.
  it.each(schema3.map((f, k) => [k, f] as const))("schema 3 fraction %i", (k, f) => {
    expect(Math.abs(nativeUpperBound(3, k) / (f * 2) - 1)).toBeLessThanOrEqual(2.3e-16);
    expect(Math.abs(nativeUpperBound(3, k - 8) / f - 1)).toBeLessThanOrEqual(2.3e-16);
  });
  it("is exact at powers of two", () => {
    expect(nativeUpperBound(3, 8)).toBe(2);
    expect(nativeUpperBound(8, 256)).toBe(2);
    expect(nativeUpperBound(-1, 3)).toBe(64);
  });
});

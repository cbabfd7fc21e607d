// Native histograms pushed via protobuf, as /api/v1/metrics shows them (Pushgateway 1.8+ shape, docs/compatibility.md: JSON API:
// `buckets` is a list of [boundaryRule, lower, upper, count], plus count and sum) and as the dashboard's detail
// API (GET /api/ui/groups/<id>) shows them. The expected bucket boundaries are worked out by hand below and
// computed the way Prometheus does (model/histogram getBound: exact powers of two for schema ≤ 0, a table of
// 2^(-k/8) constants and ldexp for schema 3), as upstream's API prints them (fmt %v). Rules: 0 = (lower, upper]
// (positive buckets), 1 = [lower, upper) (negative buckets), 3 = [lower, upper] (zero bucket). Buckets with a
// zero count are left out, the zero bucket only appears when its count is not zero (upstream GetAPIBuckets).
// Port 19530.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Histogram } from "../../lib/exposition/model";
import { startPushboard, type RunningServer } from "../helpers/servers";
import { NATIVE_SCHEMA0, apiGroup, built, enabledOrSkip, fam, getJson, goBound, goFloat, native, pushPb, type ApiFamily } from "./helpers";

const PORT = 19530;
const enabled = enabledOrSkip(built(), "pushboard build (npm run build)");

// Schema 0 (base 2): positive bucket i is (2^(i-1), 2^i], negative bucket i is [-2^i, -2^(i-1)).
//   negative: span offset -1, length 2, deltas [2, -1] → index -1: 2, index 0: 1
//   zero bucket: threshold 0.125, count 4
//   positive: spans (offset 0, length 2), (offset 2, length 1), deltas [1, 2, -1] → index 0: 1, 1: 3, 4: 2
const SCHEMA0 = NATIVE_SCHEMA0;
const SCHEMA0_BUCKETS = [
  [1, "-1", "-0.5", "1"], // index 0, lowest first
  [1, "-0.5", "-0.25", "2"], // index -1
  [3, "-0.125", "0.125", "4"],
  [0, "0.5", "1", "1"], // index 0
  [0, "1", "2", "3"], // index 1
  [0, "8", "16", "2"], // index 4
];

// Schema 3 (base 2^(1/8)): bucket i's upper bound is 2^(i/8); index 8 is exactly 2, index 16 exactly 4.
//   positive: spans (offset 7, length 3), (offset 5, length 1), deltas [1, 1, 1, -2] → 7: 1, 8: 2, 9: 3, 15: 1
//   negative: span offset 2, length 1, delta [4] → index 2: 4 → [-2^(2/8), -2^(1/8))
//   zero bucket: threshold 2^-128-ish, count 0 → not listed
const SCHEMA3: Histogram = {
  sampleCount: 11,
  sampleSum: 12.75,
  bucket: [],
  schema: 3,
  zeroThreshold: 2.938735877055719e-39,
  zeroCount: 0,
  negativeSpan: [{ offset: 2, length: 1 }],
  negativeDelta: [4],
  positiveSpan: [
    { offset: 7, length: 3 },
    { offset: 5, length: 1 },
  ],
  positiveDelta: [1, 1, 1, -2],
};
const b3 = (i: number) => goFloat(goBound(3, i));
const SCHEMA3_BUCKETS = [
  [1, "-" + b3(2), "-" + b3(1), "4"],
  [0, b3(6), b3(7), "1"],
  [0, b3(7), "2", "2"],
  [0, "2", b3(9), "3"],
  [0, b3(14), b3(15), "1"],
];

// Schema -1 (base 4): bucket i is (4^(i-1), 4^i]. Span offset 1, length 2, deltas [5, -3] → 1: 5, 2: 2.
const SCHEMA_MINUS1: Histogram = {
  sampleCount: 7,
  sampleSum: 30,
  bucket: [],
  schema: -1,
  zeroThreshold: 0,
  zeroCount: 0,
  positiveSpan: [{ offset: 1, length: 2 }],
  positiveDelta: [5, -3],
};
const SCHEMA_MINUS1_BUCKETS = [
  [0, "1", "4", "5"],
  [0, "4", "16", "2"],
];

// Float histogram (float counts), schema 0: zero bucket 0.25 within ±0.5, positive span offset 2, length 3,
// absolute counts [1.5, 0, 2.25] → index 2: (2, 4] 1.5, index 3 empty (left out), index 4: (8, 16] 2.25.
const FLOAT0: Histogram = {
  sampleCount: 0,
  sampleCountFloat: 4,
  sampleSum: 33.5,
  bucket: [],
  schema: 0,
  zeroThreshold: 0.5,
  zeroCountFloat: 0.25,
  positiveSpan: [{ offset: 2, length: 3 }],
  positiveCount: [1.5, 0, 2.25],
};
const FLOAT0_BUCKETS = [
  [3, "-0.5", "0.5", "0.25"],
  [0, "2", "4", "1.5"],
  [0, "8", "16", "2.25"],
];

let pb: RunningServer;
let base = "";

async function apiMetric(job: string, name: string): Promise<Record<string, unknown>> {
  const g = await apiGroup(base, { job });
  const f = g?.[name] as ApiFamily | undefined;
  expect(f, `${job}/${name} in /api/v1/metrics`).toBeDefined();
  expect(f!.type).toBe("HISTOGRAM");
  return f!.metrics[0]!;
}

/** The dashboard id of a group: unpadded base64url of the UTF-8 grouping key (names sorted, each name and value followed by U+00FF). */
function groupId(labels: Record<string, string>): string {
  const key = Object.keys(labels)
    .sort()
    .map((k) => `${k}\u00ff${labels[k]}\u00ff`)
    .join("");
  return Buffer.from(key, "utf8").toString("base64url");
}

describe.skipIf(!enabled)("native histograms: /api/v1/metrics and dashboard detail", () => {
  beforeAll(async () => {
    pb = await startPushboard(PORT);
    base = pb.url;
    const push = async (job: string, name: string, h: Histogram) =>
      expect((await pushPb(base, "PUT", `/metrics/job/${job}`, fam(name, "HISTOGRAM", [native(h, { op: "x" })], "Native."))).status).toBe(200);
    await push("nh0", "nh_schema0_seconds", SCHEMA0);
    await push("nh3", "nh_schema3_seconds", SCHEMA3);
    await push("nhm1", "nh_schema_m1_seconds", SCHEMA_MINUS1);
    await push("nhf", "nh_float_seconds", FLOAT0);
  });
  afterAll(async () => {
    await pb?.stop();
  });

  it("the hand-computed boundaries agree with Prometheus' getBound", () => {
    // Sanity of the expectations themselves (schema 0 and -1 are exact powers; schema 3 at multiples of 8 too).
    expect([goBound(0, -1), goBound(0, 0), goBound(0, 4), goBound(-1, 2), goBound(3, 8), goBound(3, 16), goBound(3, -8)]).toEqual([0.5, 1, 16, 16, 2, 4, 0.5]);
    expect(goBound(3, 7)).toBe(1.8340080864093422); // 0.9170040432046711 × 2
    expect(Math.abs(goBound(3, 9) / Math.pow(2, 9 / 8) - 1)).toBeLessThan(1e-15);
  });

  it("schema 0 integer histogram: list of [rule, lower, upper, count], count and sum", async () => {
    expect(await apiMetric("nh0", "nh_schema0_seconds")).toEqual({
      buckets: SCHEMA0_BUCKETS,
      count: "13",
      labels: { instance: "", job: "nh0", op: "x" },
      sum: "20.5",
    });
  });

  it("schema -1 integer histogram", async () => {
    expect(await apiMetric("nhm1", "nh_schema_m1_seconds")).toEqual({
      buckets: SCHEMA_MINUS1_BUCKETS,
      count: "7",
      labels: { instance: "", job: "nhm1", op: "x" },
      sum: "30",
    });
  });

  it("float histogram: float counts, empty bucket left out", async () => {
    expect(await apiMetric("nhf", "nh_float_seconds")).toEqual({
      buckets: FLOAT0_BUCKETS,
      count: "4",
      labels: { instance: "", job: "nhf", op: "x" },
      sum: "33.5",
    });
  });

  // Boundaries are computed like Prometheus' getBound (fraction × 2^exp), so powers of two are exact; the fractions
  // are the correctly rounded 2^(k/2^schema)/2, which may differ from Prometheus' literal table by one ulp.
  it("schema 3 integer histogram: powers of two exact, other bounds within one ulp of Prometheus'", async () => {
    const m = await apiMetric("nh3", "nh_schema3_seconds");
    const got = m.buckets as Array<[number, string, string, string]>;
    expect(got[2]![2]).toBe("2");
    expect(got[3]![1]).toBe("2");
    got.forEach((b, i) => {
      const want = SCHEMA3_BUCKETS[i]!;
      for (const k of [1, 2]) expect(Math.abs(Number(b[k]) / Number(want[k]) - 1), `bucket ${i} bound ${k}`).toBeLessThanOrEqual(2.3e-16);
    });
  });

  it("schema 3 integer histogram: rules, counts and boundaries to within 1e-12 ", async () => {
    const m = await apiMetric("nh3", "nh_schema3_seconds");
    expect(m.count).toBe("11");
    expect(m.sum).toBe("12.75");
    const got = m.buckets as [number, string, string, string][];
    expect(got.map((b) => [b[0], b[3]])).toEqual(SCHEMA3_BUCKETS.map((b) => [b[0], b[3]]));
    got.forEach((b, i) => {
      const want = SCHEMA3_BUCKETS[i]!;
      for (const k of [1, 2]) expect(Math.abs(Number(b[k]) / Number(want[k]) - 1), `bucket ${i} bound ${k}: ${b[k]} vs ${want[k]}`).toBeLessThan(1e-12);
    });
  });

  describe("dashboard detail API", () => {
    interface Detail {
      families: {
        name: string;
        type: string;
        samples: {
          labels: { name: string; value: string }[];
          histogram?: {
            count: string;
            sum: string;
            native?: { schema: number; zeroThreshold: string; zeroCount: number; buckets: { lower: string; upper: string; count: number }[] };
          };
        }[];
      }[];
      groupingKey: string;
    }
    const detail = async (labels: Record<string, string>) => {
      const id = groupId(labels);
      expect(id).not.toContain("=");
      const r = await getJson<Detail>(base, `/api/ui/groups/${id}`);
      expect(r.status, `GET /api/ui/groups/${id}`).toBe(200);
      return r.json;
    };

    it("the group id is listed by /api/ui/groups", async () => {
      const r = await getJson<{ rows: { id: string }[] }>(base, "/api/ui/groups?q=nh0");
      expect(r.status).toBe(200);
      expect(r.json.rows.map((x) => x.id)).toContain(groupId({ job: "nh0" }));
    });

    it("schema 0: native buckets with the same boundaries and counts as the API", async () => {
      const d = await detail({ job: "nh0" });
      expect(d.groupingKey).toBe('{job="nh0"}');
      const f = d.families.find((x) => x.name === "nh_schema0_seconds");
      expect(f?.type).toBe("HISTOGRAM");
      const h = f!.samples[0]!.histogram!;
      expect(h.count).toBe("13");
      expect(h.sum).toBe("20.5");
      expect(h.native?.schema).toBe(0);
      expect(h.native?.zeroThreshold).toBe("0.125");
      expect(h.native?.zeroCount).toBe(4);
      expect(h.native?.buckets).toEqual(SCHEMA0_BUCKETS.map(([, lower, upper, count]) => ({ lower, upper, count: Number(count) })));
    });

    it("schema 3: boundaries within 1e-12 of Prometheus', exact at powers of two; float counts", async () => {
      const d = await detail({ job: "nh3" });
      const h = d.families.find((x) => x.name === "nh_schema3_seconds")!.samples[0]!.histogram!;
      expect(h.native?.schema).toBe(3);
      const nonEmpty = h.native!.buckets.filter((b) => b.count !== 0 && !(b.lower.startsWith("-") && !b.upper.startsWith("-") && b.lower.slice(1) === b.upper));
      expect(nonEmpty.map((b) => b.count)).toEqual([4, 1, 2, 3, 1]);
      nonEmpty.forEach((b, i) => {
        const want = SCHEMA3_BUCKETS[i]!;
        expect(Math.abs(Number(b.lower) / Number(want[1]) - 1)).toBeLessThan(1e-12);
        expect(Math.abs(Number(b.upper) / Number(want[2]) - 1)).toBeLessThan(1e-12);
      });
      expect(nonEmpty[2]!.upper).toBe("2");
      expect(nonEmpty[3]!.lower).toBe("2");

      const fl = (await detail({ job: "nhf" })).families.find((x) => x.name === "nh_float_seconds")!.samples[0]!.histogram!;
      expect(fl.count).toBe("4");
      expect(fl.native?.buckets.filter((b) => b.count !== 0)).toEqual(
        FLOAT0_BUCKETS.map(([, lower, upper, count]) => ({ lower, upper, count: Number(count) })),
      );
    });
  });
});

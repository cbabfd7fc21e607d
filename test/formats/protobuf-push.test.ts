// Delimited protobuf pushes to pushboard (docs/compatibility.md: push bodies, timestamps, consistency check), built with the library's Go-compatible
// encoder: every metric type incl. native histograms (integer and float), exemplars, created timestamps, duplicate
// families, rejected timestamps and label names, malformed streams, empty bodies. The protobuf scrape must give
// back exactly what was pushed (plus the grouping labels). The same pushes against the oracle, where 1.5.1
// supports them, are in test/conformance/cases-formats.ts. Port 19510.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeDelimitedFamilies } from "../../lib/exposition/parse-protobuf";
import type { Histogram, MetricFamily } from "../../lib/exposition/model";
import { startPushboard, type RunningServer } from "../helpers/servers";
import {
  NATIVE_SCHEMA0,
  ACCEPT_PROTO,
  apiGroup,
  built,
  classic,
  counter,
  enabledOrSkip,
  fam,
  gauge,
  labels,
  native,
  PROTO_CT,
  push,
  pushPb,
  scrape,
  summary,
  textBlocks,
  untyped,
  type ApiFamily,
} from "./helpers";

const PORT = 19510;
const enabled = enabledOrSkip(built(), "pushboard build (npm run build)");

let pb: RunningServer;
let base = "";

async function protobufScrape(): Promise<MetricFamily[]> {
  const r = await scrape(base, { Accept: ACCEPT_PROTO });
  expect(r.status).toBe(200);
  expect(r.headers["content-type"]).toBe(PROTO_CT);
  return decodeDelimitedFamilies(new Uint8Array(r.body));
}

/** The family `name` of the protobuf scrape, keeping only the samples of grouping job `job`. */
async function scrapedFamily(name: string, job: string): Promise<MetricFamily | undefined> {
  const f = (await protobufScrape()).find((x) => x.name === name);
  if (!f) return undefined;
  return { ...f, metric: f.metric.filter((m) => m.label.some((l) => l.name === "job" && l.value === job)) };
}

async function text(): Promise<string> {
  const r = await scrape(base);
  expect(r.status).toBe(200);
  return r.body.toString("utf8");
}

/** Integer native histogram, schema 0, like client_golang writes it (no classic buckets, deltas). */
const NATIVE_INT = NATIVE_SCHEMA0;

/** Float native histogram, schema 3: absolute float counts (positiveCount/negativeCount), float zero count. */
const NATIVE_FLOAT: Histogram = {
  sampleCount: 0,
  sampleCountFloat: 9.5,
  sampleSum: 14.25,
  bucket: [],
  schema: 3,
  zeroThreshold: 1e-128,
  zeroCountFloat: 0.5,
  negativeSpan: [{ offset: 2, length: 1 }],
  negativeCount: [1.25],
  positiveSpan: [
    { offset: 7, length: 3 },
    { offset: 5, length: 1 },
  ],
  positiveCount: [1.5, 2.75, 0.5, 3],
};

describe.skipIf(!enabled)("protobuf pushes (pushboard)", () => {
  beforeAll(async () => {
    pb = await startPushboard(PORT);
    base = pb.url;
  });
  afterAll(async () => {
    await pb?.stop();
  });

  it("classic types: text scrape and API show what was pushed, +Inf added to histograms", async () => {
    const r = await pushPb(
      base,
      "PUT",
      "/metrics/job/pbt/instance/i1",
      fam("pbt_requests_total", "COUNTER", [counter(42, { code: "200" }), counter(1, { code: "500" })], "Requests."),
      fam("pbt_temp_celsius", "GAUGE", [gauge(-3.5)], "Temperature."),
      fam("pbt_ratio", "UNTYPED", [untyped(0.25)]),
      fam(
        "pbt_size_bytes",
        "SUMMARY",
        [
          summary(2, 400, [
            [0.5, 100],
            [0.9, 300],
          ]),
        ],
        "Sizes.",
      ),
      fam(
        "pbt_latency_seconds",
        "HISTOGRAM",
        [
          classic(4, 2.5, [
            [0.1, 1],
            [1, 3],
          ]),
        ],
        "Latency.",
      ),
    );
    expect(r).toEqual({ status: 200, text: "" });
    const blocks = textBlocks(await text());
    const L = 'instance="i1",job="pbt"';
    expect(blocks.get("pbt_requests_total")).toEqual([
      "# HELP pbt_requests_total Requests.",
      "# TYPE pbt_requests_total counter",
      `pbt_requests_total{code="200",${L}} 42`,
      `pbt_requests_total{code="500",${L}} 1`,
    ]);
    expect(blocks.get("pbt_temp_celsius")).toEqual(["# HELP pbt_temp_celsius Temperature.", "# TYPE pbt_temp_celsius gauge", `pbt_temp_celsius{${L}} -3.5`]);
    expect(blocks.get("pbt_ratio")).toEqual(["# TYPE pbt_ratio untyped", `pbt_ratio{${L}} 0.25`]);
    expect(blocks.get("pbt_size_bytes")).toEqual([
      "# HELP pbt_size_bytes Sizes.",
      "# TYPE pbt_size_bytes summary",
      `pbt_size_bytes{${L},quantile="0.5"} 100`,
      `pbt_size_bytes{${L},quantile="0.9"} 300`,
      `pbt_size_bytes_sum{${L}} 400`,
      `pbt_size_bytes_count{${L}} 2`,
    ]);
    expect(blocks.get("pbt_latency_seconds")).toEqual([
      "# HELP pbt_latency_seconds Latency.",
      "# TYPE pbt_latency_seconds histogram",
      `pbt_latency_seconds_bucket{${L},le="0.1"} 1`,
      `pbt_latency_seconds_bucket{${L},le="1"} 3`,
      `pbt_latency_seconds_bucket{${L},le="+Inf"} 4`,
      `pbt_latency_seconds_sum{${L}} 2.5`,
      `pbt_latency_seconds_count{${L}} 4`,
    ]);

    const g = await apiGroup(base, { job: "pbt", instance: "i1" });
    expect(g?.last_push_successful).toBe(true);
    const lab = { instance: "i1", job: "pbt" };
    const api = (n: string) => g?.[n] as ApiFamily;
    expect(api("pbt_requests_total")).toMatchObject({
      type: "COUNTER",
      help: "Requests.",
      metrics: [
        { labels: { ...lab, code: "200" }, value: "42" },
        { labels: { ...lab, code: "500" }, value: "1" },
      ],
    });
    expect(api("pbt_ratio")).toMatchObject({ type: "UNTYPED", metrics: [{ labels: lab, value: "0.25" }] });
    expect(api("pbt_ratio").help).toBeUndefined();
    expect(api("pbt_size_bytes").metrics).toEqual([{ count: "2", labels: lab, quantiles: { "0.5": "100", "0.9": "300" }, sum: "400" }]);
    // No +Inf in the API: it shows what is stored (docs/compatibility.md: JSON API).
    expect(api("pbt_latency_seconds").metrics).toEqual([{ buckets: { "0.1": "1", "1": "3" }, count: "4", labels: lab, sum: "2.5" }]);
  });

  it("classic types round-trip through the protobuf scrape", async () => {
    const lab = labels({ instance: "i1", job: "pbt" });
    const h = await scrapedFamily("pbt_latency_seconds", "pbt");
    expect(h).toEqual(
      fam(
        "pbt_latency_seconds",
        "HISTOGRAM",
        [
          {
            ...classic(4, 2.5, [
              [0.1, 1],
              [1, 3],
            ]),
            label: lab,
          },
        ],
        "Latency.",
      ),
    );
    const s = await scrapedFamily("pbt_size_bytes", "pbt");
    expect(s).toEqual(
      fam(
        "pbt_size_bytes",
        "SUMMARY",
        [
          {
            ...summary(2, 400, [
              [0.5, 100],
              [0.9, 300],
            ]),
            label: lab,
          },
        ],
        "Sizes.",
      ),
    );
  });

  it("integer native histogram: stored, text scrape has +Inf/sum/count, protobuf scrape is lossless", async () => {
    expect(await pushPb(base, "PUT", "/metrics/job/pbn", fam("pbn_native_seconds", "HISTOGRAM", [native(NATIVE_INT, { op: "read" })], "Native."))).toEqual({
      status: 200,
      text: "",
    });
    const got = await scrapedFamily("pbn_native_seconds", "pbn");
    expect(got).toEqual({
      name: "pbn_native_seconds",
      help: "Native.",
      type: "HISTOGRAM",
      metric: [{ label: labels({ instance: "", job: "pbn", op: "read" }), histogram: NATIVE_INT }],
    });
    expect(textBlocks(await text()).get("pbn_native_seconds")).toEqual([
      "# HELP pbn_native_seconds Native.",
      "# TYPE pbn_native_seconds histogram",
      'pbn_native_seconds_bucket{instance="",job="pbn",op="read",le="+Inf"} 13',
      'pbn_native_seconds_sum{instance="",job="pbn",op="read"} 20.5',
      'pbn_native_seconds_count{instance="",job="pbn",op="read"} 13',
    ]);
  });

  it("float native histogram (schema 3, float counts) is lossless through the protobuf scrape", async () => {
    expect(await pushPb(base, "PUT", "/metrics/job/pbf", fam("pbf_native_float", "HISTOGRAM", [native(NATIVE_FLOAT)]))).toEqual({ status: 200, text: "" });
    const got = await scrapedFamily("pbf_native_float", "pbf");
    expect(got?.metric).toEqual([{ label: labels({ instance: "", job: "pbf" }), histogram: NATIVE_FLOAT }]);
    const g = await apiGroup(base, { job: "pbf" });
    expect((g?.pbf_native_float as ApiFamily).metrics[0]).toMatchObject({ count: "9.5", sum: "14.25" });
  });

  it("histogram with classic and native buckets (client_golang with both configured) keeps both", async () => {
    const both: Histogram = {
      ...NATIVE_INT,
      bucket: [
        { upperBound: 0.5, cumulativeCount: 6 },
        { upperBound: 4, cumulativeCount: 10 },
      ],
    };
    expect((await pushPb(base, "PUT", "/metrics/job/pbb", fam("pbb_both", "HISTOGRAM", [native(both)]))).status).toBe(200);
    expect((await scrapedFamily("pbb_both", "pbb"))?.metric[0]?.histogram).toEqual(both);
    expect(textBlocks(await text()).get("pbb_both")).toEqual([
      "# TYPE pbb_both histogram",
      'pbb_both_bucket{instance="",job="pbb",le="0.5"} 6',
      'pbb_both_bucket{instance="",job="pbb",le="4"} 10',
      'pbb_both_bucket{instance="",job="pbb",le="+Inf"} 13',
      'pbb_both_sum{instance="",job="pbb"} 20.5',
      'pbb_both_count{instance="",job="pbb"} 13',
    ]);
  });

  it("exemplars and created timestamps are accepted (not sample timestamps) and re-exposed in protobuf", async () => {
    const ex = (v: number, trace: string, ts?: number) => ({ label: labels({ trace_id: trace }), value: v, ...(ts !== undefined ? { timestampMs: ts } : {}) });
    const fams = [
      fam("pbe_events_total", "COUNTER", [{ label: [], counter: { value: 5, exemplar: ex(1, "abc", 1700000000123), createdTimestampMs: 1690000000000 } }]),
      fam("pbe_hist", "HISTOGRAM", [
        native({
          ...NATIVE_INT,
          bucket: [{ upperBound: 1, cumulativeCount: 8, exemplar: ex(0.7, "def", 1700000000500) }],
          exemplars: [ex(3.5, "ghi", 1700000001000)],
          createdTimestampMs: 1690000000000,
        }),
      ]),
    ];
    expect(await pushPb(base, "PUT", "/metrics/job/pbe", ...fams)).toEqual({ status: 200, text: "" });
    for (const f of fams) {
      const got = await scrapedFamily(f.name, "pbe");
      expect(got?.metric).toEqual([{ ...f.metric[0], label: labels({ instance: "", job: "pbe" }) }]);
    }
  });

  it("the same family twice in one body: the last one wins", async () => {
    const r = await pushPb(
      base,
      "PUT",
      "/metrics/job/pbd",
      fam("pbd_x", "HISTOGRAM", [native(NATIVE_INT)], "first"),
      fam("pbd_keep", "GAUGE", [gauge(1)]),
      fam("pbd_x", "GAUGE", [gauge(2, { v: "last" })], "second"),
    );
    expect(r.status).toBe(200);
    const g = await apiGroup(base, { job: "pbd" });
    expect(g?.pbd_x).toMatchObject({ type: "GAUGE", help: "second", metrics: [{ labels: { instance: "", job: "pbd", v: "last" }, value: "2" }] });
    expect(await scrapedFamily("pbd_x", "pbd")).toEqual(fam("pbd_x", "GAUGE", [gauge(2, { instance: "", job: "pbd", v: "last" })], "second"));
    expect(g?.pbd_keep).toBeDefined();
  });

  it("a sample timestamp is rejected with 400; the group is kept and the failure time is set", async () => {
    expect((await pushPb(base, "PUT", "/metrics/job/pbts", fam("pbts_ok", "HISTOGRAM", [native(NATIVE_INT)]))).status).toBe(200);
    const before = await apiGroup(base, { job: "pbts" });
    const r = await pushPb(
      base,
      "POST",
      "/metrics/job/pbts",
      fam("pbts_other", "GAUGE", [gauge(1)]),
      fam("pbts_ok", "HISTOGRAM", [{ ...native(NATIVE_INT), timestampMs: 1700000000000 }]),
    );
    expect(r).toEqual({ status: 400, text: "pushed metrics are invalid or inconsistent with existing metrics: pushed metrics must not have timestamps\n" });
    const after = await apiGroup(base, { job: "pbts" });
    expect(after?.last_push_successful).toBe(false);
    expect(after?.pbts_other).toBeUndefined();
    expect(after?.pbts_ok).toEqual(before?.pbts_ok);
    const fail = Number((after?.push_failure_time_seconds as ApiFamily).metrics[0]!.value);
    expect(fail).toBeGreaterThan(1.6e9);
    expect((after?.push_time_seconds as ApiFamily).metrics[0]!.value).toBe((before?.push_time_seconds as ApiFamily).metrics[0]!.value);
  });

  it("bad label names are rejected by the consistency check, native histograms included", async () => {
    for (const name of ["bad-label", "1x", "__reserved", "a.b", "sp ace"]) {
      const r = await pushPb(base, "PUT", "/metrics/job/pbl", fam("pbl_native", "HISTOGRAM", [native(NATIVE_INT, { [name]: "v" })]));
      expect(r.status, name).toBe(400);
      expect(r.text).toMatch(
        /^pushed metrics are invalid or inconsistent with existing metrics: collected metric "pbl_native" \{.*\} has a label with an invalid name: /s,
      );
      expect(r.text.endsWith(`has a label with an invalid name: ${name}\n`), r.text).toBe(true);
    }
    const g = await apiGroup(base, { job: "pbl" });
    expect(g?.pbl_native).toBeUndefined();
    expect(g?.last_push_successful).toBe(false);
  });

  it("malformed streams give 400 with the decoder's reason and leave the group alone", async () => {
    expect((await pushPb(base, "PUT", "/metrics/job/pbm", fam("pbm_keep", "GAUGE", [gauge(1)]))).status).toBe(200);
    const cases: [string, number[], RegExp][] = [
      ["wire type 7", [5, 0x0f, 1, 2, 3, 4], /^proto: can't skip unknown wire type 7\n$/],
      ["message longer than the body", [50, 0x0a, 1, 0x61], /^unexpected EOF\n$/],
      // 1.5.1 (pbutil) reads a cut-off length prefix as the end of the stream and answers 200; newest upstream
      // (protodelim, binary.ReadUvarint) answers 400 "unexpected EOF", as pushboard does.
      ["truncated length prefix", [0x80], /^unexpected EOF\n$/],
      ["length prefix over 64 bits", [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01], /^binary: varint overflows a 64-bit integer\n$/],
      ["stray end-group tag", [1, 0x0c], /^proto: /],
      ["field number 0", [2, 0x00, 0x01], /^proto: .*illegal tag 0/],
      ["truncated varint", [2, 0x18, 0x80], /^unexpected EOF\n$/],
    ];
    for (const [what, bytes, reason] of cases) {
      const r = await push(base, "PUT", "/metrics/job/pbm", Uint8Array.from(bytes), { "Content-Type": PROTO_CT });
      expect(r.status, what).toBe(400);
      expect(r.text, what).toMatch(reason);
    }
    const g = await apiGroup(base, { job: "pbm" });
    expect(g?.pbm_keep).toBeDefined();
    // A malformed body is rejected before the store is involved: it is not a failed push of the group.
    expect(g?.last_push_successful).toBe(true);
  });

  it("an empty body is a valid push: PUT empties the group, POST changes nothing but the push time", async () => {
    expect((await pushPb(base, "PUT", "/metrics/job/pbz", fam("pbz_a", "GAUGE", [gauge(1)]), fam("pbz_h", "HISTOGRAM", [native(NATIVE_INT)]))).status).toBe(
      200,
    );
    expect(await push(base, "POST", "/metrics/job/pbz", new Uint8Array(0), { "Content-Type": PROTO_CT })).toEqual({ status: 200, text: "" });
    let g = await apiGroup(base, { job: "pbz" });
    expect(Object.keys(g ?? {}).sort()).toEqual(["labels", "last_push_successful", "pbz_a", "pbz_h", "push_failure_time_seconds", "push_time_seconds"]);
    expect(await push(base, "PUT", "/metrics/job/pbz", new Uint8Array(0), { "Content-Type": PROTO_CT })).toEqual({ status: 200, text: "" });
    g = await apiGroup(base, { job: "pbz" });
    expect(Object.keys(g ?? {}).sort()).toEqual(["labels", "last_push_successful", "push_failure_time_seconds", "push_time_seconds"]);
  });
});

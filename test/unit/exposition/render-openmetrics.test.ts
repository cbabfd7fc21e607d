import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { PYTHON, requirePythonModule } from "../../system-deps.mjs";
import type { MetricFamily } from "../../../lib/exposition/model";
import { formatOpenMetricsFloat, OPENMETRICS_CONTENT_TYPE, OPENMETRICS_EOF, renderOpenMetricsFamily } from "../../../lib/exposition/render-openmetrics";

const L = (...pairs: [string, string][]) => pairs.map(([name, value]) => ({ name, value }));

const counter: MetricFamily = {
  name: "http_requests_total",
  help: 'Total requests with "quotes", \\ and\nnewline.',
  type: "COUNTER",
  metric: [
    {
      label: L(["code", "200"], ["instance", ""], ["job", "j"]),
      counter: {
        value: 1027,
        exemplar: { label: L(["trace_id", "KOO5S4vxi0o"]), value: 0.67, timestampMs: 1520879607789 },
      },
    },
    { label: L(["code", "500"], ["instance", ""], ["job", "j"]), counter: { value: 3, exemplar: { label: [], value: 1 } } },
  ],
};

const counterWithoutTotal: MetricFamily = {
  name: "pushes",
  help: "",
  type: "COUNTER",
  metric: [{ label: [], counter: { value: 1 } }],
};

const gauge: MetricFamily = {
  name: "temperature",
  help: "",
  type: "GAUGE",
  metric: [
    { label: L(["path", 'C:\\dir\\"x"\n']), gauge: { value: -0 } },
    { label: L(["k", "a"]), gauge: { value: 1234567 } },
    { label: L(["k", "b"]), gauge: { value: 123456 } },
    { label: L(["k", "c"]), gauge: { value: 0.00001 } },
    { label: L(["k", "d"]), gauge: { value: NaN } },
    { label: L(["k", "e"]), gauge: { value: -Infinity } },
    { label: L(["k", "f"]), gauge: { value: -1 } },
  ],
};

const untyped: MetricFamily = {
  name: "some_untyped",
  help: "Raw.",
  type: "UNTYPED",
  metric: [{ label: [], untyped: { value: 42 } }],
};

const summary: MetricFamily = {
  name: "rpc_duration_seconds",
  help: "RPC durations.",
  type: "SUMMARY",
  metric: [
    {
      label: L(["service", "a"]),
      summary: {
        sampleCount: 2693,
        sampleSum: 17560473,
        quantile: [
          { quantile: 0.01, value: 3102 },
          { quantile: 0.5, value: 4773 },
          { quantile: 1, value: 76656 },
        ],
      },
    },
  ],
};

const histogram: MetricFamily = {
  name: "request_duration_seconds",
  help: "Latency.",
  type: "HISTOGRAM",
  metric: [
    {
      label: L(["job", "hs"]),
      histogram: {
        sampleCount: 4,
        sampleSum: 2.5,
        bucket: [
          { cumulativeCount: 1, upperBound: 0.1 },
          {
            cumulativeCount: 3,
            upperBound: 1,
            exemplar: { label: L(["trace_id", "abc"]), value: 0.5, timestampMs: 1700000000000 },
          },
        ],
        // Native parts are not representable in OpenMetrics 1.0 and are left out, as in Go.
        schema: 3,
        positiveSpan: [{ offset: 0, length: 1 }],
        positiveDelta: [4],
      },
    },
    {
      label: L(["job", "inf"]),
      histogram: {
        sampleCount: 7,
        sampleSum: 1e6,
        bucket: [
          { cumulativeCount: 5, upperBound: 10 },
          { cumulativeCount: 7, upperBound: Infinity },
        ],
      },
    },
  ],
};

const gaugeHistogram: MetricFamily = {
  name: "queue_size",
  help: "",
  type: "GAUGE_HISTOGRAM",
  metric: [
    {
      label: [],
      histogram: {
        sampleCount: 10,
        sampleCountFloat: 10.5,
        sampleSum: 42.25,
        bucket: [{ cumulativeCount: 3, cumulativeCountFloat: 2.5, upperBound: 1 }],
      },
    },
  ],
};

const timestamped: MetricFamily = {
  name: "ts_gauge",
  help: "",
  type: "GAUGE",
  metric: [{ label: [], gauge: { value: 1 }, timestampMs: 1520879607789 }],
};

const oddNames: MetricFamily = {
  name: "bad name",
  help: "x",
  type: "GAUGE",
  metric: [{ label: L(["bad-label", "v"], ["ok", "w"]), gauge: { value: 1 } }],
};

const ALL = [counter, counterWithoutTotal, gauge, untyped, summary, histogram, gaugeHistogram, timestamped];

describe("renderOpenMetricsFamily golden outputs", () => {
  it("counter: _total stripped from HELP/TYPE, HELP escaped, exemplars with labels only", () => {
    expect(renderOpenMetricsFamily(counter)).toBe(
      [
        '# HELP http_requests Total requests with \\"quotes\\", \\\\ and\\nnewline.',
        "# TYPE http_requests counter",
        'http_requests_total{code="200",instance="",job="j"} 1027.0 # {trace_id="KOO5S4vxi0o"} 0.67 1.520879607789e+09',
        'http_requests_total{code="500",instance="",job="j"} 3.0',
        "",
      ].join("\n"),
    );
  });

  it("counter without _total is typed unknown and keeps its name", () => {
    expect(renderOpenMetricsFamily(counterWithoutTotal)).toBe("# TYPE pushes unknown\npushes 1.0\n");
  });

  it("gauge: label escaping and Go float formatting with .0 for integral values", () => {
    expect(renderOpenMetricsFamily(gauge)).toBe(
      [
        "# TYPE temperature gauge",
        'temperature{path="C:\\\\dir\\\\\\"x\\"\\n"} 0.0',
        'temperature{k="a"} 1.234567e+06',
        'temperature{k="b"} 123456.0',
        'temperature{k="c"} 1e-05',
        'temperature{k="d"} NaN',
        'temperature{k="e"} -Inf',
        'temperature{k="f"} -1.0',
        "",
      ].join("\n"),
    );
  });

  it("untyped is unknown", () => {
    expect(renderOpenMetricsFamily(untyped)).toBe("# HELP some_untyped Raw.\n# TYPE some_untyped unknown\nsome_untyped 42.0\n");
  });

  it("summary: quantile lines, _sum, integer _count", () => {
    expect(renderOpenMetricsFamily(summary)).toBe(
      [
        "# HELP rpc_duration_seconds RPC durations.",
        "# TYPE rpc_duration_seconds summary",
        'rpc_duration_seconds{service="a",quantile="0.01"} 3102.0',
        'rpc_duration_seconds{service="a",quantile="0.5"} 4773.0',
        'rpc_duration_seconds{service="a",quantile="1.0"} 76656.0',
        'rpc_duration_seconds_sum{service="a"} 1.7560473e+07',
        'rpc_duration_seconds_count{service="a"} 2693',
        "",
      ].join("\n"),
    );
  });

  it("histogram: integer bucket counts, +Inf added only when missing, bucket exemplars", () => {
    expect(renderOpenMetricsFamily(histogram)).toBe(
      [
        "# HELP request_duration_seconds Latency.",
        "# TYPE request_duration_seconds histogram",
        'request_duration_seconds_bucket{job="hs",le="0.1"} 1',
        'request_duration_seconds_bucket{job="hs",le="1.0"} 3 # {trace_id="abc"} 0.5 1.7e+09',
        'request_duration_seconds_bucket{job="hs",le="+Inf"} 4',
        'request_duration_seconds_sum{job="hs"} 2.5',
        'request_duration_seconds_count{job="hs"} 4',
        'request_duration_seconds_bucket{job="inf",le="10.0"} 5',
        'request_duration_seconds_bucket{job="inf",le="+Inf"} 7',
        'request_duration_seconds_sum{job="inf"} 1e+06',
        'request_duration_seconds_count{job="inf"} 7',
        "",
      ].join("\n"),
    );
  });

  it("gauge histogram: _gsum/_gcount; only the integer counts are written, as in Go", () => {
    expect(renderOpenMetricsFamily(gaugeHistogram)).toBe(
      [
        "# TYPE queue_size gaugehistogram",
        'queue_size_bucket{le="1.0"} 3',
        'queue_size_bucket{le="+Inf"} 10',
        "queue_size_gsum 42.25",
        "queue_size_gcount 10",
        "",
      ].join("\n"),
    );
  });

  it("timestamps are written in seconds", () => {
    expect(renderOpenMetricsFamily(timestamped)).toBe("# TYPE ts_gauge gauge\nts_gauge 1.0 1.520879607789e+09\n");
  });

  it("non-legacy names are quoted like newer expfmt", () => {
    expect(renderOpenMetricsFamily(oddNames)).toBe('# HELP "bad name" x\n# TYPE "bad name" gauge\n{"bad name","bad-label"="v",ok="w"} 1.0\n');
  });

  it("exports the content type and EOF marker", () => {
    expect(OPENMETRICS_CONTENT_TYPE).toBe("application/openmetrics-text; version=1.0.0; charset=utf-8");
    expect(OPENMETRICS_EOF).toBe("# EOF\n");
  });

  it("formats floats as expfmt's writeOpenMetricsFloat", () => {
    const cases: [number, string][] = [
      [0, "0.0"],
      [-0, "0.0"],
      [1, "1.0"],
      [-1, "-1.0"],
      [2, "2.0"],
      [0.5, "0.5"],
      [1e6, "1e+06"],
      [999999, "999999.0"],
      [1e21, "1e+21"],
      [5e-324, "5e-324"],
      [Infinity, "+Inf"],
      [-Infinity, "-Inf"],
      [NaN, "NaN"],
    ];
    for (const [x, s] of cases) expect(formatOpenMetricsFloat(x)).toBe(s);
  });
});

// The Debian python3-prometheus-client OpenMetrics parser as an independent validator.
const python = requirePythonModule("prometheus_client.openmetrics.parser") ? PYTHON : undefined;

const VALIDATE = `
import sys, json
from prometheus_client.openmetrics.parser import text_string_to_metric_families
out = []
for f in text_string_to_metric_families(sys.stdin.read()):
    out.append({"name": f.name, "type": f.type, "documentation": f.documentation,
                "samples": [[s.name, s.labels, repr(s.value)] for s in f.samples]})
print(json.dumps(out))
`;

describe.skipIf(!python)("OpenMetrics output accepted by prometheus_client's parser", () => {
  it("parses the whole exposition (all types) and agrees on names, types and values", () => {
    const text = ALL.map(renderOpenMetricsFamily).join("") + OPENMETRICS_EOF;
    const r = spawnSync(python!, ["-c", VALIDATE], { input: text, encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const parsed = JSON.parse(r.stdout) as { name: string; type: string; documentation: string; samples: [string, Record<string, string>, string][] }[];
    expect(parsed.map((f) => [f.name, f.type])).toEqual([
      ["http_requests", "counter"],
      ["pushes", "unknown"],
      ["temperature", "gauge"],
      ["some_untyped", "unknown"],
      ["rpc_duration_seconds", "summary"],
      ["request_duration_seconds", "histogram"],
      ["queue_size", "gaugehistogram"],
      ["ts_gauge", "gauge"],
    ]);
    expect(parsed[0]!.documentation).toBe(counter.help);
    const hist = parsed[5]!.samples.filter((s) => s[1].job === "hs");
    expect(hist.map((s) => [s[0], s[1].le ?? null, Number(s[2])])).toEqual([
      ["request_duration_seconds_bucket", "0.1", 1],
      ["request_duration_seconds_bucket", "1.0", 3],
      ["request_duration_seconds_bucket", "+Inf", 4],
      ["request_duration_seconds_sum", null, 2.5],
      ["request_duration_seconds_count", null, 4],
    ]);
    expect(parsed[2]!.samples[0]![1].path).toBe('C:\\dir\\"x"\n');
  });

  it("rejects output without # EOF (sanity check of the validator)", () => {
    const r = spawnSync(python!, ["-c", VALIDATE], { input: renderOpenMetricsFamily(gauge), encoding: "utf8" });
    expect(r.status).not.toBe(0);
  });
});

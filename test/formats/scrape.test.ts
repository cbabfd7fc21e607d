// Scrape negotiation on GET /metrics (docs/compatibility.md: scrape): text 0.0.4 by default and for Prometheus' default Accept
// (which lists OpenMetrics and text/plain), delimited protobuf when asked (Prometheus with native histograms asks
// first for it), OpenMetrics 1.0 only when the client accepts OpenMetrics and not text/plain; gzip for all three.
// Independent checks: the protobuf scrape is decoded with decodeDelimitedFamilies and compared with the text
// scrape as parsed by python3 prometheus_client; the OpenMetrics scrape is parsed by prometheus_client's strict
// OpenMetrics parser and checked by `promtool check metrics`. Port 19520.
import { spawnSync } from "node:child_process";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeDelimitedFamilies } from "../../lib/exposition/parse-protobuf";
import type { Histogram, MetricFamily } from "../../lib/exposition/model";
import { startPushboard, type RunningServer } from "../helpers/servers";
import {
  ACCEPT_OPENMETRICS,
  ACCEPT_PROMETHEUS_DEFAULT,
  ACCEPT_PROMETHEUS_NATIVE,
  ACCEPT_PROTO,
  built,
  classic,
  counter,
  deleteGroup,
  enabledOrSkip,
  fam,
  gauge,
  labels,
  native,
  OPENMETRICS_CT,
  PROTO_CT,
  push,
  pushPb,
  scrape,
  TEXT_CT,
} from "./helpers";
import { PYTHON, requireProgram, requirePythonModule } from "../system-deps.mjs";

const PORT = 19520;
const hasPython = requirePythonModule("prometheus_client.openmetrics.parser");
const PROMTOOL = requireProgram("promtool");
const hasPromtool = PROMTOOL !== undefined;
const enabled = enabledOrSkip(built(), "pushboard build (npm run build)");

const JOBS = ["sc_text", "sc_pb", "sc_unknown"];
const TEXT_BODY = [
  "# HELP sc_requests_total Requests handled.",
  "# TYPE sc_requests_total counter",
  'sc_requests_total{code="200"} 42',
  'sc_requests_total{code="500"} 1',
  "# HELP sc_temp_celsius A gauge.",
  "# TYPE sc_temp_celsius gauge",
  "sc_temp_celsius -3.5",
  "# TYPE sc_size_bytes summary",
  'sc_size_bytes{quantile="0.5"} 100',
  'sc_size_bytes{quantile="0.9"} 300',
  "sc_size_bytes_sum 400",
  "sc_size_bytes_count 2",
  "# HELP sc_latency_seconds Latency.",
  "# TYPE sc_latency_seconds histogram",
  'sc_latency_seconds_bucket{le="0.1"} 1',
  'sc_latency_seconds_bucket{le="1"} 3',
  'sc_latency_seconds_bucket{le="+Inf"} 4',
  "sc_latency_seconds_sum 2.5",
  "sc_latency_seconds_count 4",
  "",
].join("\n");

const NATIVE: Histogram = {
  sampleCount: 10,
  sampleSum: 31.5,
  bucket: [],
  schema: 1,
  zeroThreshold: 0.001,
  zeroCount: 1,
  negativeSpan: [{ offset: 0, length: 1 }],
  negativeDelta: [1],
  positiveSpan: [
    { offset: 1, length: 3 },
    { offset: 4, length: 2 },
  ],
  positiveDelta: [1, 1, -1, 1, 1],
};
const PB_FAMILIES: MetricFamily[] = [
  fam(
    "sc_jobs_total",
    "COUNTER",
    [counter(7, { kind: "a" }, { counter: { value: 7, exemplar: { label: labels({ trace_id: "abc123" }), value: 1, timestampMs: 1700000000000 } } })],
    "Jobs.",
  ),
  fam("sc_native_seconds", "HISTOGRAM", [native(NATIVE, { op: "read" })], "A native histogram."),
  fam(
    "sc_pb_classic",
    "HISTOGRAM",
    [
      classic(5, 9, [
        [1, 2],
        [10, 4],
      ]),
    ],
    "Classic, without +Inf.",
  ),
  fam("sc_queue", "GAUGE", [gauge(12, { q: 'with "quotes"' })]),
];

let pb: RunningServer;
let base = "";

/** Pushed samples only (those of JOBS), from a text 0.0.4 body parsed by python prometheus_client. */
function pythonTextSamples(body: string): string[] {
  const script = `
import sys, json
from prometheus_client.parser import text_string_to_metric_families
out = []
for f in text_string_to_metric_families(sys.stdin.read()):
    for s in f.samples:
        if s.labels.get("job") in ${JSON.stringify(JOBS)}:
            out.append([s.name, sorted(s.labels.items()), repr(float(s.value))])
print(json.dumps(out))
`;
  const r = spawnSync(PYTHON, ["-c", script], { input: body, encoding: "utf8" });
  expect(r.stderr).toBe("");
  return (JSON.parse(r.stdout) as [string, [string, string][], string][]).map(([n, l, v]) => `${n}${JSON.stringify(l)} ${pyNumber(v)}`).sort();
}

/** Python's repr of a float → a JS number's string. */
function pyNumber(v: string): string {
  return v === "nan" ? "NaN" : v === "inf" ? "Infinity" : v === "-inf" ? "-Infinity" : String(Number(v));
}

/** The same expansion of decoded protobuf families as the text format does (Go's text writer), for JOBS. */
function protobufSamples(families: MetricFamily[]): string[] {
  const out: string[] = [];
  const line = (name: string, l: { name: string; value: string }[], v: number, extra?: [string, string]) => {
    const pairs: [string, string][] = l.map((x) => [x.name, x.value]);
    if (extra) pairs.push(extra);
    pairs.sort((a, b) => (a[0] < b[0] ? -1 : 1));
    out.push(`${name}${JSON.stringify(pairs)} ${String(v)}`);
  };
  const le = (x: number) => (x === Infinity ? "+Inf" : String(x));
  for (const f of families) {
    for (const m of f.metric) {
      if (!m.label.some((l) => l.name === "job" && JOBS.includes(l.value))) continue;
      // (prometheus_client's text parser names a counter's sample `<name>_total` even when the exposition lacks it.)
      const simpleName = f.type === "COUNTER" && !f.name.endsWith("_total") ? f.name + "_total" : f.name;
      if (m.counter || m.gauge || m.untyped) line(simpleName, m.label, (m.counter ?? m.gauge ?? m.untyped)!.value);
      if (m.summary) {
        for (const q of m.summary.quantile) line(f.name, m.label, q.value, ["quantile", String(q.quantile)]);
        line(f.name + "_sum", m.label, m.summary.sampleSum);
        line(f.name + "_count", m.label, m.summary.sampleCount);
      }
      if (m.histogram) {
        const h = m.histogram;
        for (const b of h.bucket) line(f.name + "_bucket", m.label, b.cumulativeCount, ["le", le(b.upperBound)]);
        if (!h.bucket.some((b) => b.upperBound === Infinity)) line(f.name + "_bucket", m.label, h.sampleCount, ["le", "+Inf"]);
        line(f.name + "_sum", m.label, h.sampleSum);
        line(f.name + "_count", m.label, h.sampleCount);
      }
    }
  }
  return out.sort();
}

const typeNames = (text: string) => [...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => `${m[1]} ${m[2]!.toUpperCase()}`);

describe.skipIf(!enabled)("scrape negotiation: text, protobuf, OpenMetrics, gzip", () => {
  beforeAll(async () => {
    pb = await startPushboard(PORT);
    base = pb.url;
    expect((await push(base, "PUT", "/metrics/job/sc_text/instance/i1", TEXT_BODY)).status).toBe(200);
    expect((await pushPb(base, "PUT", "/metrics/job/sc_pb", ...PB_FAMILIES)).status).toBe(200);
    // Untyped and a counter without _total: OpenMetrics `unknown` (no other OpenMetrics type fits).
    expect((await push(base, "PUT", "/metrics/job/sc_unknown", "sc_untyped 1\n# TYPE sc_legacy counter\nsc_legacy 3\n")).status).toBe(200);
  });
  afterAll(async () => {
    await pb?.stop();
  });

  it("content types by Accept header", async () => {
    const cases: [string | undefined, string][] = [
      [undefined, TEXT_CT],
      ["text/plain", TEXT_CT],
      ["text/plain;version=0.0.4", TEXT_CT],
      ["text/plain;version=1.0.0", TEXT_CT],
      ["*/*", TEXT_CT],
      [ACCEPT_PROMETHEUS_DEFAULT, TEXT_CT],
      ["application/openmetrics-text; version=1.0.0, text/plain; version=0.0.4; q=0.5", TEXT_CT],
      ["application/openmetrics-text;version=1.0.0, */*;q=0.1", TEXT_CT],
      [ACCEPT_PROTO, PROTO_CT],
      [ACCEPT_PROMETHEUS_NATIVE, PROTO_CT],
      [`text/plain;q=0.9, ${ACCEPT_PROTO};q=0.1`, PROTO_CT],
      ["application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily", TEXT_CT],
      [ACCEPT_OPENMETRICS, OPENMETRICS_CT],
      ["application/openmetrics-text", OPENMETRICS_CT],
      ["application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75", OPENMETRICS_CT],
    ];
    for (const [accept, ct] of cases) {
      const r = await scrape(base, accept === undefined ? {} : { Accept: accept });
      expect(r.status, String(accept)).toBe(200);
      expect(r.headers["content-type"], String(accept)).toBe(ct);
    }
  });

  it("the protobuf scrape has the text scrape's families, types and pushed samples", async () => {
    const [t, p] = await Promise.all([scrape(base), scrape(base, { Accept: ACCEPT_PROTO })]);
    const text = t.body.toString("utf8");
    const families = decodeDelimitedFamilies(new Uint8Array(p.body));
    // Same families in the same (sorted) order, same types; own metrics included.
    expect(families.map((f) => `${f.name} ${f.type}`)).toEqual(typeNames(text));
    // Same pushed samples, the text side parsed by python prometheus_client.
    if (hasPython) {
      const fromText = pythonTextSamples(text);
      expect(fromText.length).toBe(33); // 12 + 10 + 2 pushed samples; per group 2 push-time gauges and pushboard_group_up
      expect(protobufSamples(families)).toEqual(fromText);
    }
    // HELP matches as well.
    for (const f of families.filter((x) => x.name.startsWith("sc_"))) {
      if (f.help) expect(text).toContain(`# HELP ${f.name} ${f.help}\n`);
      else expect(text).not.toContain(`# HELP ${f.name} `);
    }
  });

  it("pushed protobuf families come back losslessly (native histogram and exemplar included), also with Prometheus' Accept and gzip", async () => {
    const variants: Record<string, string>[] = [{ Accept: ACCEPT_PROTO }, { Accept: ACCEPT_PROMETHEUS_NATIVE, "Accept-Encoding": "gzip" }];
    for (const headers of variants) {
      const r = await scrape(base, headers);
      const families = decodeDelimitedFamilies(new Uint8Array(r.body));
      for (const want of PB_FAMILIES) {
        const got = families.find((f) => f.name === want.name);
        expect(got, want.name).toBeDefined();
        const mine = got!.metric.filter((m) => m.label.some((l) => l.name === "job" && l.value === "sc_pb"));
        const withGrouping = want.metric.map((m) => ({
          ...m,
          label: [...m.label, ...labels({ instance: "", job: "sc_pb" })].sort((a, b) => (a.name < b.name ? -1 : 1)),
        }));
        expect({ ...got!, metric: mine }).toEqual({ ...want, metric: withGrouping });
      }
    }
  });

  describe("OpenMetrics (only when text/plain is not accepted)", () => {
    const om = async () => {
      const r = await scrape(base, { Accept: ACCEPT_OPENMETRICS });
      expect(r.headers["content-type"]).toBe(OPENMETRICS_CT);
      return r.body.toString("utf8");
    };

    it("ends with # EOF, counters get _total samples under the short family name", async () => {
      const body = await om();
      expect(body.endsWith("\n# EOF\n")).toBe(true);
      expect(body.indexOf("# EOF")).toBe(body.length - "# EOF\n".length);
      const L = 'instance="i1",job="sc_text"';
      const block = (name: string) => {
        const start = body.search(new RegExp(`^# (HELP|TYPE) ${name} `, "m"));
        expect(start, name).toBeGreaterThanOrEqual(0);
        const rest = body.slice(start).split("\n");
        const end = rest.findIndex((l, i) => i > 1 && l.startsWith("# ") && !l.includes(` ${name} `));
        return rest.slice(0, end);
      };
      expect(block("sc_requests")).toEqual([
        "# HELP sc_requests Requests handled.",
        "# TYPE sc_requests counter",
        `sc_requests_total{code="200",${L}} 42.0`,
        `sc_requests_total{code="500",${L}} 1.0`,
      ]);
      expect(block("sc_jobs")).toEqual([
        "# HELP sc_jobs Jobs.",
        "# TYPE sc_jobs counter",
        'sc_jobs_total{instance="",job="sc_pb",kind="a"} 7.0 # {trace_id="abc123"} 1.0 1.7e+09',
      ]);
      expect(block("sc_latency_seconds")).toEqual([
        "# HELP sc_latency_seconds Latency.",
        "# TYPE sc_latency_seconds histogram",
        `sc_latency_seconds_bucket{${L},le="0.1"} 1`,
        `sc_latency_seconds_bucket{${L},le="1.0"} 3`,
        `sc_latency_seconds_bucket{${L},le="+Inf"} 4`,
        `sc_latency_seconds_sum{${L}} 2.5`,
        `sc_latency_seconds_count{${L}} 4`,
      ]);
      expect(block("sc_untyped")).toEqual(["# TYPE sc_untyped unknown", 'sc_untyped{instance="",job="sc_unknown"} 1.0']);
      // No family typed counter has a sample without _total.
      for (const m of body.matchAll(/^# TYPE (\S+) counter$/gm)) {
        const samples = body.split("\n").filter((l) => l.startsWith(m[1]!) && !l.startsWith("#") && /^[^{ ]+/.exec(l)![0].startsWith(m[1]!));
        for (const s of samples) expect(s, m[1]).toMatch(new RegExp(`^${m[1]}_(total|created)[{ ]`));
      }
    });

    it.skipIf(!enabledOrSkip(hasPython, "python3 prometheus_client"))("python prometheus_client's strict OpenMetrics parser accepts it", async () => {
      const body = await om();
      const script = `
import sys, json
from prometheus_client.openmetrics.parser import text_string_to_metric_families
out = {}
for f in text_string_to_metric_families(sys.stdin.read()):
    out[f.name] = {"type": f.type, "samples": [[s.name, s.labels, repr(float(s.value)), None if s.exemplar is None else [s.exemplar.labels, s.exemplar.value]] for s in f.samples]}
print(json.dumps(out))
`;
      const r = spawnSync(PYTHON, ["-c", script], { input: body, encoding: "utf8" });
      expect(r.stderr, "python parse error").toBe("");
      const parsed = JSON.parse(r.stdout) as Record<string, { type: string; samples: [string, Record<string, string>, string, unknown][] }>;
      expect(parsed.sc_requests?.type).toBe("counter");
      expect(parsed.sc_requests?.samples.map((s) => [s[0], s[1].code, s[2]])).toEqual([
        ["sc_requests_total", "200", "42.0"],
        ["sc_requests_total", "500", "1.0"],
      ]);
      expect(parsed.sc_jobs?.samples[0]?.[3]).toEqual([{ trace_id: "abc123" }, 1]);
      expect(parsed.sc_latency_seconds?.type).toBe("histogram");
      expect(parsed.sc_native_seconds?.type).toBe("histogram");
      expect(parsed.sc_native_seconds?.samples.map((s) => [s[0], s[1].le ?? null, s[2]])).toEqual([
        ["sc_native_seconds_bucket", "+Inf", "10.0"],
        ["sc_native_seconds_sum", null, "31.5"],
        ["sc_native_seconds_count", null, "10.0"],
      ]);
      expect(parsed.sc_size_bytes?.type).toBe("summary");
      expect(parsed.sc_legacy?.type).toBe("unknown");
      expect(parsed.pushgateway_build_info?.type).toBe("gauge");
    });

    // promtool 2.42's `check metrics` reads with the text 0.0.4 parser, which knows neither the `unknown` type
    // nor exemplars: it can only judge an OpenMetrics body without them.
    it.skipIf(!enabledOrSkip(hasPromtool, "promtool"))(
      "promtool check metrics accepts it (without `unknown` families and exemplars, which its 0.0.4 parser rejects)",
      async () => {
        await deleteGroup(base, "/metrics/job/sc_unknown");
        const noExemplar = PB_FAMILIES.map((f) => (f.name === "sc_jobs_total" ? fam(f.name, "COUNTER", [counter(7, { kind: "a" })], f.help) : f));
        expect((await pushPb(base, "PUT", "/metrics/job/sc_pb", ...noExemplar)).status).toBe(200);
        const body = await om();
        expect(body).not.toMatch(/^# TYPE \S+ unknown$/m);
        expect(body).not.toContain(" # {");
        expect(body).toContain("sc_native_seconds_bucket{");
        const r = spawnSync(PROMTOOL!, ["check", "metrics"], { input: body, encoding: "utf8" });
        const out = `${r.stdout}\n${r.stderr}`;
        // Exit 0 = clean, 3 = lint remarks only, 1 = parse error.
        expect([0, 3], `promtool exit ${r.status}:\n${out}`).toContain(r.status);
        // Lint remarks name metrics (pushboard_storage_errors_total is one); a parse failure reads "error while …".
        expect(out).not.toMatch(/error while|parsing error/i);
      },
    );
  });

  it("gzip response encoding for all three formats decodes to the identity body's pushed content", async () => {
    const pushed = (s: string) =>
      s
        .split("\n")
        .filter((l) => /job="sc_/.test(l))
        .join("\n");
    for (const accept of [undefined, ACCEPT_PROTO, ACCEPT_OPENMETRICS]) {
      const h: Record<string, string> = accept ? { Accept: accept } : {};
      const plain = await scrape(base, h);
      const gz = await scrape(base, { ...h, "Accept-Encoding": "gzip" });
      expect(gz.headers["content-encoding"], String(accept)).toBe("gzip");
      expect(plain.headers["content-encoding"]).toBeUndefined();
      expect(gz.headers["content-type"]).toBe(plain.headers["content-type"]);
      expect([...gz.rawBody.subarray(0, 2)]).toEqual([0x1f, 0x8b]);
      const body = gunzipSync(gz.rawBody);
      if (accept === ACCEPT_PROTO) {
        const strip = (fs: MetricFamily[]) => fs.filter((f) => f.name.startsWith("sc_"));
        expect(strip(decodeDelimitedFamilies(new Uint8Array(body)))).toEqual(strip(decodeDelimitedFamilies(new Uint8Array(plain.body))));
      } else {
        expect(pushed(body.toString())).toEqual(pushed(plain.body.toString()));
        expect(pushed(body.toString()).length).toBeGreaterThan(100);
        if (accept === ACCEPT_OPENMETRICS) expect(body.toString().endsWith("# EOF\n")).toBe(true);
      }
    }
  });
});

// Differential cases for the wire formats (issue 7; docs/compatibility.md: push bodies, scrape, JSON API): delimited protobuf
// pushes built with the library's Go-compatible encoder (encodeDelimitedFamilies), malformed protobuf streams,
// gzip request bodies, protobuf/gzip scrapes. Run by formats.test.ts with the runner of conformance.test.ts, so
// each case compares status, selected headers and normalised bodies, then the final /metrics text and
// /api/v1/metrics of the oracle (Debian prometheus-pushgateway 1.5.1) and pushboard.
//
// Only what 1.5.1 supports is here: no native histograms (no API shape in 1.5.1), no `GZIP`/snappy (1.6+), no
// OpenMetrics scrape (never served by the Pushgateway). Those are in test/formats/*.test.ts, as are the places where
// pushboard follows newest upstream rather than 1.5.1: a truncated length prefix (1.5.1's pbutil reads it as the
// end of the stream, newest protodelim answers 400 "unexpected EOF"), a gzip stream broken after its header
// (1.5.1 keeps what was decoded and answers 200), `Accept-Encoding: gzip;q=0` (1.5.1 gzips anyway).
import { gzipSync } from "node:zlib";
import { encodeDelimitedFamilies } from "../../lib/exposition/render-protobuf";
import type { LabelPair, Metric, MetricFamily, MetricType } from "../../lib/exposition/model";
import type { Case, HttpStep, Step } from "./runner";

export const PROTO_CT = "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited";
const ACCEPT_PROTO = "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited";
const PB = { "Content-Type": PROTO_CT };

const put = (path: string, body: string | Uint8Array = "", extra: Partial<HttpStep> = {}): HttpStep => ({ method: "PUT", path, body, ...extra });
const post = (path: string, body: string | Uint8Array = "", extra: Partial<HttpStep> = {}): HttpStep => ({ method: "POST", path, body, ...extra });
const get = (path: string, extra: Partial<HttpStep> = {}): HttpStep => ({ method: "GET", path, ...extra });
const c = (name: string, steps: Step[], more: Partial<Case> = {}): Case => ({ name, steps, ...more });

const L = (o: Record<string, string> = {}): LabelPair[] => Object.entries(o).map(([name, value]) => ({ name, value }));
const f = (name: string, type: MetricType, metric: Metric[], help = ""): MetricFamily => ({ name, help, type, metric });
const ctr = (value: number, l: Record<string, string> = {}, extra: Partial<Metric> = {}): Metric => ({ label: L(l), counter: { value }, ...extra });
const gau = (value: number, l: Record<string, string> = {}, extra: Partial<Metric> = {}): Metric => ({ label: L(l), gauge: { value }, ...extra });
const unt = (value: number, l: Record<string, string> = {}): Metric => ({ label: L(l), untyped: { value } });
const sum = (count: number, s: number, q: [number, number][], l: Record<string, string> = {}): Metric => ({
  label: L(l),
  summary: { sampleCount: count, sampleSum: s, quantile: q.map(([quantile, value]) => ({ quantile, value })) },
});
const hist = (count: number, s: number, b: [number, number][], l: Record<string, string> = {}): Metric => ({
  label: L(l),
  histogram: { sampleCount: count, sampleSum: s, bucket: b.map(([upperBound, cumulativeCount]) => ({ upperBound, cumulativeCount })) },
});

/** A delimited protobuf body from the library's encoder. */
const pb = (...fams: MetricFamily[]): Uint8Array => encodeDelimitedFamilies(fams);
const pbPut = (path: string, ...fams: MetricFamily[]): HttpStep => put(path, pb(...fams), { headers: PB });
const pbPost = (path: string, ...fams: MetricFamily[]): HttpStep => post(path, pb(...fams), { headers: PB });
const rawPb = (path: string, bytes: number[] | Uint8Array, extra: Partial<HttpStep> = {}): HttpStep =>
  put(path, Uint8Array.from(bytes), { headers: PB, ...extra });
/** Status and headers only: 1.5.1's golang/protobuf words some errors differently ("The wording differs in newer
 * versions", docs/compatibility.md: push bodies); test/formats/protobuf-push.test.ts asserts pushboard's 400 and its `proto: ` reason. */
const STATUS_ONLY: Partial<HttpStep> = { compare: "none" };

/** A one-family message with extra raw bytes appended inside the MetricFamily (e.g. an unknown field), re-delimited. */
function withTrailingFieldBytes(fam: MetricFamily, extra: number[]): Uint8Array {
  const delimited = encodeDelimitedFamilies([fam]);
  // Single-byte length prefix for the small families used here.
  if (delimited[0]! >= 0x80) throw new Error("family too large for this helper");
  const msg = [...delimited.subarray(1), ...extra];
  if (msg.length >= 0x80) throw new Error("family too large for this helper");
  return Uint8Array.from([msg.length, ...msg]);
}

const ALL_TYPES = [
  f("pbf_requests_total", "COUNTER", [ctr(42, { code: "200" }), ctr(1, { code: "500" })], "Requests handled."),
  f("pbf_temperature_celsius", "GAUGE", [gau(-3.5, { room: "a" }), gau(21, { room: "b" })], "A gauge."),
  f("pbf_ratio", "UNTYPED", [unt(0.25)]),
];

// Push bodies: delimited protobuf pushes ---------------------------------------------------------------------------------
const protobufPushes: Case[] = [
  c("pb: counters, gauges and untyped from the library encoder", [pbPut("/metrics/job/pbf", ...ALL_TYPES)]),
  c("pb: summaries with labels", [
    pbPut(
      "/metrics/job/pbf/instance/i1",
      f(
        "pbf_size_bytes",
        "SUMMARY",
        [
          sum(
            7,
            3,
            [
              [0.5, 0.2],
              [0.9, 0.8],
              [0.99, 1.5],
            ],
            { path: "/a" },
          ),
          sum(2, 400, [[0.5, 100]], { path: "/b" }),
        ],
        "Sizes.",
      ),
    ),
  ]),
  c("pb: classic histograms without +Inf get one in the text scrape", [
    pbPut(
      "/metrics/job/pbf",
      f(
        "pbf_latency_seconds",
        "HISTOGRAM",
        [
          hist(
            4,
            2.5,
            [
              [0.1, 1],
              [1, 3],
            ],
            { op: "read" },
          ),
          hist(
            10,
            55,
            [
              [0.5, 0],
              [5, 6],
              [50, 9],
            ],
            { op: "write" },
          ),
        ],
        "Latency.",
      ),
    ),
    get("/api/v1/metrics"),
  ]),
  c("pb: classic histogram with an explicit +Inf bucket", [
    pbPut(
      "/metrics/job/pbf",
      f("pbf_h", "HISTOGRAM", [
        hist(4, 2.5, [
          [0.1, 1],
          [1, 3],
          [Infinity, 4],
        ]),
      ]),
    ),
  ]),
  c("pb: special float values", [
    pbPut(
      "/metrics/job/pbf",
      f("pbf_v", "GAUGE", [
        gau(NaN, { i: "1" }),
        gau(Infinity, { i: "2" }),
        gau(-Infinity, { i: "3" }),
        gau(-0, { i: "4" }),
        gau(1e6, { i: "5" }),
        gau(1e-5, { i: "6" }),
        gau(123456789012, { i: "7" }),
      ]),
    ),
    get("/api/v1/metrics"),
  ]),
  c("pb: escapes in HELP and label values, unicode", [
    pbPut("/metrics/job/pbf", f("pbf_esc", "GAUGE", [gau(1, { q: 'say "hi"', nl: "a\nb", bs: "c:\\dir", u: "Πρ🙂" })], "Line one\nline two \\ backslash <b>&")),
    get("/api/v1/metrics"),
  ]),
  c("pb: exemplars are accepted (not sample timestamps) and not shown in text", [
    pbPut(
      "/metrics/job/pbf",
      f("pbf_ex_total", "COUNTER", [ctr(5, {}, { counter: { value: 5, exemplar: { label: L({ trace_id: "abc" }), value: 1, timestampMs: 1700000000123 } } })]),
      f("pbf_ex_hist", "HISTOGRAM", [
        {
          label: [],
          histogram: {
            sampleCount: 3,
            sampleSum: 1.2,
            bucket: [
              { upperBound: 0.5, cumulativeCount: 2, exemplar: { label: L({ trace_id: "def" }), value: 0.3 } },
              { upperBound: 1, cumulativeCount: 3 },
            ],
          },
        },
      ]),
    ),
  ]),
  c("pb: same family twice in one body, the last wins (even with another type)", [
    pbPut(
      "/metrics/job/pbf",
      f("pbf_dup", "COUNTER", [ctr(1)], "first"),
      f("pbf_other", "GAUGE", [gau(7)]),
      f("pbf_dup", "GAUGE", [gau(2, { x: "y" })], "second"),
    ),
  ]),
  c("pb: POST replaces same-named families of a text push, keeps the others", [
    put("/metrics/job/pbf", "# TYPE pbf_a gauge\npbf_a 1\npbf_b 2\n"),
    pbPost("/metrics/job/pbf", f("pbf_a", "GAUGE", [gau(10)]), f("pbf_a", "GAUGE", [gau(11, { v: "last" })]), f("pbf_c", "COUNTER", [ctr(3)])),
  ]),
  c("pb: a sample timestamp is rejected, the group is kept and the failure time set", [
    pbPut("/metrics/job/pbf", f("pbf_ok", "GAUGE", [gau(1)])),
    pbPost("/metrics/job/pbf", f("pbf_ok", "GAUGE", [gau(2, {}, { timestampMs: 1700000000000 })])),
    get("/api/v1/metrics"),
  ]),
  c("pb: one timestamped family rejects the whole push", [
    pbPut("/metrics/job/pbf", f("pbf_fine", "GAUGE", [gau(1)]), f("pbf_ts", "COUNTER", [ctr(2), ctr(3, { a: "b" }, { timestampMs: 1 })])),
  ]),
  c("pb: a timestamp on a new group creates it with a failure time", [
    pbPut("/metrics/job/pbf_new", f("pbf_t", "UNTYPED", [{ label: [], untyped: { value: 1 }, timestampMs: 5 }])),
  ]),
  c("pb: invalid label names fail the consistency check", [
    pbPut("/metrics/job/pbf", f("pbf_l", "GAUGE", [gau(1, { "bad-label": "x" })])),
    pbPut("/metrics/job/pbf", f("pbf_l", "GAUGE", [gau(1, { "1x": "x" })])),
    pbPut("/metrics/job/pbf", f("pbf_l", "GAUGE", [gau(1, { __reserved: "x" })])),
    pbPut("/metrics/job/pbf", f("pbf_l", "COUNTER", [ctr(1, { "a.b": "x" })])),
    pbPut("/metrics/job/pbf", f("pbf_l", "HISTOGRAM", [hist(1, 1, [[1, 1]], { "sp ace": "x" })])),
  ]),
  c("pb: explicit quantile label on a summary is rejected", [pbPut("/metrics/job/pbf", f("pbf_sq", "SUMMARY", [sum(1, 1, [[0.5, 1]], { quantile: "x" })]))]),
  c("pb: metric names are not validated", [pbPut("/metrics/job/pbf", f("pbf bad name", "GAUGE", [gau(1)]), f("pbf.dotted", "GAUGE", [gau(2)]))]),
  c("pb: value field not matching the family type is rejected", [pbPut("/metrics/job/pbf", f("pbf_mismatch", "GAUGE", [ctr(1)]))]),
  c("pb: type conflict with another group's text push", [
    put("/metrics/job/pbf_text", "# TYPE pbf_shared counter\npbf_shared 1\n"),
    pbPut("/metrics/job/pbf", f("pbf_shared", "GAUGE", [gau(2)])),
  ]),
  c("pb: job and instance labels in the body", [
    pbPut("/metrics/job/pbf", f("pbf_jl", "GAUGE", [gau(1, { job: "other", instance: "fromBody" })])),
    pbPut("/metrics/job/pbf/instance/url", f("pbf_jl2", "GAUGE", [gau(2, { instance: "fromBody" })])),
  ]),
  c("pb: family without samples is dropped", [pbPut("/metrics/job/pbf", f("pbf_empty", "GAUGE", []), f("pbf_full", "GAUGE", [gau(1)]))]),
  c("pb: unknown fields are skipped", [
    put("/metrics/job/pbf", withTrailingFieldBytes(f("pbf_unk", "GAUGE", [gau(4)]), [0x78, 0x05, 0x82, 0x01, 0x02, 0x61, 0x62]), { headers: PB }),
  ]),
  c("pb: empty body PUT empties the group, POST keeps it", [
    pbPut("/metrics/job/pbf", ...ALL_TYPES),
    post("/metrics/job/pbf", new Uint8Array(0), { headers: PB }),
    get("/api/v1/metrics"),
    put("/metrics/job/pbf", new Uint8Array(0), { headers: PB }),
  ]),
  c("pb: gzip-compressed protobuf push", [put("/metrics/job/pbf", pb(...ALL_TYPES), { headers: PB, gzip: true })]),
  c("pb: protobuf scrape after a protobuf push (content type, gzip)", [
    pbPut("/metrics/job/pbf", ...ALL_TYPES),
    get("/metrics", { headers: { Accept: ACCEPT_PROTO }, compare: "none", headersToCompare: ["content-type"] }),
    get("/metrics", { headers: { Accept: ACCEPT_PROTO, "Accept-Encoding": "gzip" }, compare: "none", headersToCompare: ["content-type"] }),
  ]),
];

// Push bodies: malformed streams: status and error text -------------------------------------------------------------------
const good = [...pb(f("pbf_m", "GAUGE", [gau(1)]))];
const malformed: Case[] = [
  c("pb malformed: wire type 7 inside a message", [
    pbPut("/metrics/job/pbm", f("pbf_keep", "GAUGE", [gau(1)])),
    rawPb("/metrics/job/pbm", [5, 0x0f, 1, 2, 3, 4]),
  ]),
  c("pb malformed: wire type 6", [rawPb("/metrics/job/pbm", [2, 0x0e, 1])]),
  c("pb malformed: message longer than the body", [rawPb("/metrics/job/pbm", [50, 0x0a, 1, 0x61])]),
  c("pb malformed: string field longer than its message", [rawPb("/metrics/job/pbm", [3, 0x0a, 9, 0x61])]),
  c("pb malformed: valid family followed by garbage", [rawPb("/metrics/job/pbm", [...good, 3, 0x0f, 0, 0])]),
  c("pb malformed: stray end-group tag", [rawPb("/metrics/job/pbm", [1, 0x0c], STATUS_ONLY)]),
  c("pb malformed: field number 0", [rawPb("/metrics/job/pbm", [2, 0x00, 0x01], STATUS_ONLY)]),
  c("pb malformed: truncated varint inside a message", [rawPb("/metrics/job/pbm", [2, 0x18, 0x80])]),
  c("pb malformed: plain text sent as protobuf", [put("/metrics/job/pbm", "some_metric 1\n", { headers: PB })]),
  c("pb malformed: protobuf bytes sent as text", [put("/metrics/job/pbm", pb(...ALL_TYPES))]),
];

// Push bodies: gzip request bodies (exact `gzip`: the only coding 1.5.1 knows) ----------------------------------------------
const gz = (s: string | Uint8Array) => gzipSync(Buffer.from(s));
const gzipCases: Case[] = [
  c("gzip: text body", [put("/metrics/job/gzf", '# TYPE gzf_g gauge\ngzf_g 1\ngzf_h{a="b"} 2\n', { gzip: true })]),
  c("gzip: POST merges", [put("/metrics/job/gzf", "gzf_a 1\n", { gzip: true }), post("/metrics/job/gzf", "gzf_b 2\n", { gzip: true })]),
  c("gzip: multi-member stream", [put("/metrics/job/gzf", Buffer.concat([gz("gzf_a 1\n"), gz("gzf_b 2\n")]), { headers: { "Content-Encoding": "gzip" } })]),
  c("gzip: empty body", [put("/metrics/job/gzf", new Uint8Array(0), { headers: { "Content-Encoding": "gzip" } })]),
  c("gzip: reserved header flags with FEXTRA longer than the body", [
    put("/metrics/job/gzf", Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08]), Buffer.from("garbage garbage garbage")]), {
      headers: { "Content-Encoding": "gzip" },
    }),
  ]),
  c("gzip: header with FEXTRA longer than the body", [
    put("/metrics/job/gzf", Buffer.from([0x1f, 0x8b, 0x08, 0x04, 0, 0, 0, 0, 0, 3, 0x40, 0x00, 1, 2, 3]), { headers: { "Content-Encoding": "gzip" } }),
  ]),
  c("gzip: not gzip at all", [put("/metrics/job/gzf", "gzf_a 1\ngzf_b 2\nxxxxxxxx\n", { headers: { "Content-Encoding": "gzip" } })]),
  c("gzip: truncated inside the header", [put("/metrics/job/gzf", gz("gzf_a 1\n").subarray(0, 6), { headers: { "Content-Encoding": "gzip" } })]),
  c("gzip: gzipped text with a parse error", [put("/metrics/job/gzf", "gzf_a 1\ngzf_b\n", { gzip: true })]),
  c("gzip: x-gzip is not a known coding", [put("/metrics/job/gzf", gz("gzf_a 1\n"), { headers: { "Content-Encoding": "x-gzip" } })]),
  c("gzip: response gzip for text scrape", [put("/metrics/job/gzf", "gzf_a 1\n"), get("/metrics", { headers: { "Accept-Encoding": "gzip" } })]),
  c("gzip: response gzip with quality values", [
    put("/metrics/job/gzf", "gzf_a 1\n"),
    get("/metrics", { headers: { "Accept-Encoding": "gzip;q=0.5, identity;q=0.1" } }),
  ]),
];

export const FORMAT_CASES: Case[] = [...protobufPushes, ...malformed, ...gzipCases];

/** Cases where pushboard is known to diverge, skipped by formats.test.ts; each entry is a bug report. */
export const FORMAT_KNOWN_DIVERGENCES: Record<string, string> = {
  // BUG: gzip header 1f 8b 08 67 ("garbage…": flags with FEXTRA and reserved bits): Go's compress/gzip ignores
  // reserved flag bits, reads the FEXTRA length (0x6167) and fails with "unexpected EOF"; pushboard lets zlib judge
  // the header, which rejects the reserved bits, and answers "flate: corrupt input". Both 400; the reason differs.
  "gzip: reserved header flags with FEXTRA longer than the body": 'BUG: 400 reason is "flate: corrupt input", Go says "unexpected EOF"',
};

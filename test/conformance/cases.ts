// The table of differential conformance cases: each is a short sequence of raw HTTP requests run against the oracle
// (Debian prometheus-pushgateway 1.5.1) and pushboard with the same flags; see runner.ts for what is compared.
// Section numbers refer to /work/shared/pushgateway-reference.md.
//
// Never put here: an invalid base64 *job* (the 1.5.1 route deadlocks, README differences), the empty-instance collision or
// invalid UTF-8 grouping values (store poisoning, docs/compatibility.md: consistency check). Those are deliberate differences: differences.test.ts.
import type { Case, HttpStep, Step } from "./runner";
import { delimited, PROTO_CONTENT_TYPE } from "./proto";

const put = (path: string, body: string | Uint8Array = "", extra: Partial<HttpStep> = {}): HttpStep => ({ method: "PUT", path, body, ...extra });
const post = (path: string, body: string | Uint8Array = "", extra: Partial<HttpStep> = {}): HttpStep => ({ method: "POST", path, body, ...extra });
const del = (path: string, extra: Partial<HttpStep> = {}): HttpStep => ({ method: "DELETE", path, ...extra });
const get = (path: string, extra: Partial<HttpStep> = {}): HttpStep => ({ method: "GET", path, ...extra });
const req = (method: string, path: string, extra: Partial<HttpStep> = {}): HttpStep => ({ method, path, ...extra });
const c = (name: string, steps: Step[], more: Partial<Case> = {}): Case => ({ name, steps, ...more });

const ADMIN = ["--web.enable-admin-api"];
const LIFECYCLE = ["--web.enable-lifecycle"];
const UNCHECKED = ["--push.disable-consistency-check"];
const TELEMETRY = ["--web.telemetry-path=/other"];
const PREFIX = ["--web.route-prefix=/pg"];
const PERSIST = ["--persistence.file=<tmp>"];

// URL grammar ---------------------------------------------------------------------------------------------------
const url: Case[] = [
  c("url: plain job", [put("/metrics/job/plain", "m 1\n")]),
  c("url: job and instance", [put("/metrics/job/j/instance/i1", "m 1\n")]),
  c("url: three extra labels", [put("/metrics/job/j/a/1/b/2/c/3", "m 1\n")]),
  c("url: percent-decoded space in job", [put("/metrics/job/my%20job", "m 1\n")]),
  c("url: percent-decoded unicode label value", [put("/metrics/job/titan/name/%CE%A0%CF%81%CE%BF%CE%BC%CE%B7%CE%B8%CE%B5%CF%8D%CF%82", "m 1\n")]),
  c("url: percent and base64 unicode are the same group", [
    put("/metrics/job/titan/name/%CE%A0%CF%81%CE%BF%CE%BC%CE%B7%CE%B8%CE%B5%CF%8D%CF%82", "a 1\n"),
    post("/metrics/job/titan/name@base64/zqDPgc6_zrzOt864zrXPjc-C", "b 2\n"),
  ]),
  c("url: %2F in job splits the path (odd components)", [put("/metrics/job/a%2Fb", "m 1\n")]),
  c("url: %2F in job gives an even label pair", [put("/metrics/job/a%2Fb%2Fc", "m 1\n")]),
  c("url: %2F in label value splits", [put("/metrics/job/j/a/x%2Fy", "m 1\n")]),
  c("url: lower-case %2f", [put("/metrics/job/j/a%2fb", "m 1\n")]),
  c("url: %2F at the end gives a non-clean path", [put("/metrics/job/a/b%2F", "m 1\n")]),
  c("url: %25 decodes to percent", [put("/metrics/job/a%25b/x/100%25", "m 1\n")]),
  c("url: plus stays a plus", [put("/metrics/job/a+b/x/c+d", "m 1\n")]),
  c("url: %3F and %23 in values", [put("/metrics/job/q%3Fx/h/%23frag", "m 1\n")]),
  c("url: invalid percent escape", [put("/metrics/job/a%zzb", "m 1\n")]),
  c("url: percent-encoded label name", [put("/metrics/job/j/%61bc/v", "m 1\n")]),
  c("url: job@base64 unpadded", [put("/metrics/job@base64/dGVzdC9qb2I", "m 1\n")]),
  c("url: job@base64 padded", [put("/metrics/job@base64/dGVzdC9qb2I=", "m 1\n")]),
  c("url: job@base64 double padded", [put("/metrics/job@base64/dGVzdC9qb2I==", "m 1\n")]),
  c("url: job@base64 paddings are one group", [put("/metrics/job@base64/dGVzdC9qb2I", "a 1\n"), post("/metrics/job@base64/dGVzdC9qb2I==", "b 1\n")]),
  c("url: job@base64 of = is an empty job", [put("/metrics/job@base64/=", "m 1\n")]),
  c("url: job@base64 empty job after label error", [put("/metrics/job@base64/=/instance", "m 1\n")]),
  c("url: job@base64 with labels", [put("/metrics/job@base64/Zm9v/instance@base64/YmFy", "m 1\n")]),
  c("url: job@base64 with url-safe alphabet", [put("/metrics/job@base64/YWI-Pz8_", "m 1\n")]),
  c("url: label@base64 path value", [put("/metrics/job/directory_cleaner/path@base64/L3Zhci90bXA", "m 1\n")]),
  c("url: label@base64 = is empty value", [put("/metrics/job/example/first_label@base64/=/second_label/foobar", "m 1\n")]),
  c("url: label@base64 == is empty value", [put("/metrics/job/example/first@base64/==", "m 1\n")]),
  c("url: label@base64 trailing slash is empty value", [put("/metrics/job/j/x@base64/", "m 1\n")]),
  c("url: label@base64 illegal character", [put("/metrics/job/j/x@base64/foo.bar", "m 1\n")]),
  c("url: label@base64 single leftover char", [put("/metrics/job/j/x@base64/a", "m 1\n")]),
  c("url: label@base64 padding inside", [put("/metrics/job/j/x@base64/Y=Q", "m 1\n")]),
  c("url: label@base64 non-strict trailing bits", [put("/metrics/job/j/x@base64/YR", "m 1\n")]),
  c("url: label@base64 standard alphabet +", [put("/metrics/job/j/x@base64/YWI+", "m 1\n")]),
  c("url: label@base64 url alphabet -", [put("/metrics/job/j/x@base64/YWI-", "m 1\n")]),
  c("url: label@base64 percent-encoded padding", [put("/metrics/job/j/x@base64/YQ%3D%3D", "m 1\n")]),
  c("url: label@base64 on instance", [put("/metrics/job/j/instance@base64/aG9zdDo5MDkx", "m 1\n")]),
  c("url: improper label name with =", [put("/metrics/job/j/a=b/v", "m 1\n")]),
  c("url: improper label name starting with digit", [put("/metrics/job/j/1x/v", "m 1\n")]),
  c("url: improper label name __x", [put("/metrics/job/j/__x/v", "m 1\n")]),
  c("url: improper label name __x@base64", [put("/metrics/job/j/__x@base64/dg", "m 1\n")]),
  c("url: improper label name with dash", [put("/metrics/job/j/a-b/v", "m 1\n")]),
  c("url: improper label name @base64 alone", [put("/metrics/job/j/@base64/dg", "m 1\n")]),
  c("url: improper label name with dot", [put("/metrics/job/j/a.b/v", "m 1\n")]),
  c("url: label name with colon is improper", [put("/metrics/job/j/a:b/v", "m 1\n")]),
  c("url: label error reported before empty job", [put("/metrics/job@base64/=/1x/v", "m 1\n")]),
  c("url: U__ label name is a legal legacy name", [put("/metrics/job/j/U__label_2e_name2/v", "m 1\n")]),
  c("url: trailing slash after job", [put("/metrics/job/a/", "m 1\n")]),
  c("url: trailing slash gives empty last value", [put("/metrics/job/j/b/", "m 1\n")]),
  c("url: trailing slash makes odd components", [put("/metrics/job/a/b/c/", "m 1\n")]),
  c("url: odd components", [put("/metrics/job/j/instance", "m 1\n")]),
  c("url: odd components three", [put("/metrics/job/j/a/1/b", "m 1\n")]),
  c("url: duplicate label names, last wins", [put("/metrics/job/j/a/1/a/2", "m 1\n")]),
  c("url: duplicate label mixing base64, last wins", [put("/metrics/job/j/a/1/a@base64/Mw", "m 1\n")]),
  c("url: job label in path is overridden", [put("/metrics/job/j3/job/other", "m 1\n")]),
  c("url: job@base64 label in path is overridden", [put("/metrics/job/j3/job@base64/Zm9v", "m 1\n")]),
  c("url: label order does not matter", [put("/metrics/job/j/a/1/b/2", "x 1\n"), post("/metrics/job/j/b/2/a/1", "y 1\n")]),
  c("url: double slash is redirected", [put("/metrics/job/a//b/c", "m 1\n")]),
  c("url: dot segment is redirected", [put("/metrics/job/a/./b", "m 1\n")]),
  c("url: dot-dot segment is redirected", [put("/metrics/job/a/b/../c", "m 1\n")]),
  c("url: encoded dot-dot is redirected", [put("/metrics/job/a/b/%2E%2E", "m 1\n")]),
  c("url: GET with double slash", [get("//metrics")]),
  c("url: trailing slash on /metrics/job/ (PUT)", [put("/metrics/job/", "m 1\n"), put("/metrics/job", "m 1\n")]),
  c("url: trailing slash on /metrics/job/ (POST, DELETE)", [post("/metrics/job/", "m 1\n"), del("/metrics/job/")]),
  c("url: job@base64 without value", [put("/metrics/job@base64/", "m 1\n"), put("/metrics/job@base64", "m 1\n")]),
  c("url: GET /metrics/ redirects", [get("/metrics/")]),
  c("url: GET /api/v1 redirects, /api/v1/ is 404", [get("/api/v1"), get("/api/v1/")]),
  c("url: unknown paths", [get("/foo"), get("/metricsx"), put("/metrics/jobs/x", "m 1\n"), get("/api/v1/foo"), get("/-/foo"), put("/metrics/job")]),
  c("url: query string ignored on push", [put("/metrics/job/qs?x=1&job=other", "m 1\n")]),
  c("url: query string ignored on scrape and API", [put("/metrics/job/q", "m 1\n"), get("/metrics?foo=bar"), get("/api/v1/metrics?x=1")]),
  c("url: long job name", [put(`/metrics/job/${"j".repeat(2000)}`, "m 1\n")]),
  c("url: empty label value via base64 on two labels", [put("/metrics/job/e/a@base64/=/b@base64/=", "m 1\n")]),
];

// methods on routes --------------------------------------------------------------------------------------------
const routes: Case[] = [
  c("route: GET on push route is 405", [get("/metrics/job/x")]),
  c("route: PATCH on push route is 405", [req("PATCH", "/metrics/job/x", { body: "m 1\n" })]),
  c("route: PUT/POST/DELETE /metrics are 405", [put("/metrics", "m 1\n"), post("/metrics", "m 1\n"), del("/metrics")]),
  c("route: HEAD /metrics is 405", [req("HEAD", "/metrics")]),
  c("route: POST /-/healthy and /-/ready are 405", [post("/-/healthy"), post("/-/ready")]),
  c("route: PUT /api/v1/metrics is 405", [put("/api/v1/metrics", "")]),
  c("route: POST /api/v1/status is 405", [post("/api/v1/status", "")]),
  c("route: OPTIONS on push route", [req("OPTIONS", "/metrics/job/x")]),
  c("route: OPTIONS on /metrics and health", [req("OPTIONS", "/metrics"), req("OPTIONS", "/-/healthy")]),
  c("route: OPTIONS on API routes", [req("OPTIONS", "/api/v1/metrics"), req("OPTIONS", "/api/v1/whatever"), req("OPTIONS", "/api/v1/admin/wipe")]),
  c("route: health and ready", [get("/-/healthy"), get("/-/ready")]),
  c("route: HEAD on health is 405", [req("HEAD", "/-/healthy")]),
  c("route: UI pages answer 200", [get("/"), get("/status")]),
  c("route: missing static asset", [get("/static/does-not-exist.js")]),
  c("route: quit without lifecycle", [put("/-/quit"), post("/-/quit"), get("/-/quit")]),
  c("route: wipe without admin API", [put("/api/v1/admin/wipe"), get("/api/v1/admin/wipe")]),
];

// methods ---------------------------------------------------------------------------------------------------------
const methods: Case[] = [
  c("method: PUT replaces the group", [put("/metrics/job/r", "a 1\nb 2\n"), put("/metrics/job/r", "c 3\n")]),
  c("method: POST merges by name", [put("/metrics/job/r", "a 1\nb 2\n"), post("/metrics/job/r", "a 10\nc 3\n")]),
  c("method: POST replaces the whole family", [put("/metrics/job/r", 'a{x="1"} 1\na{x="2"} 2\n'), post("/metrics/job/r", 'a{x="3"} 3\n')]),
  c("method: PUT with empty body empties the group", [put("/metrics/job/r", "a 1\n"), put("/metrics/job/r", "")]),
  c("method: PUT with only comments empties the group", [put("/metrics/job/r", "a 1\n"), put("/metrics/job/r", "# just a comment\n\n")]),
  c("method: POST with empty body keeps families", [put("/metrics/job/r", "a 1\n"), post("/metrics/job/r", "")]),
  c("method: POST creates a group", [post("/metrics/job/new", "a 1\n")]),
  c("method: DELETE a group", [put("/metrics/job/d", "a 1\n"), del("/metrics/job/d")]),
  c("method: DELETE a missing group is 202", [del("/metrics/job/nothing/instance/here")]),
  c("method: DELETE removes only the exact group", [put("/metrics/job/x", "a 1\n"), put("/metrics/job/x/instance/y", "b 1\n"), del("/metrics/job/x")]),
  c("method: DELETE with a body ignores it", [put("/metrics/job/d", "a 1\n"), del("/metrics/job/d", { body: "garbage{\n" })]),
  c("method: DELETE with a bad URL", [del("/metrics/job/d/odd")]),
  c("method: DELETE job@base64 =", [del("/metrics/job@base64/=")]),
  c("method: DELETE via base64 labels", [put("/metrics/job/d/path/x", "a 1\n"), del("/metrics/job@base64/ZA/path@base64/eA")]),
  c("method: DELETE then PUT are ordered", [put("/metrics/job/o", "a 1\n"), del("/metrics/job/o", { sleepAfterMs: 0 }), put("/metrics/job/o", "b 2\n")]),
  c("method: instance group and job group are distinct", [put("/metrics/job/g", "a 1\n"), put("/metrics/job/g/instance/i", "a 2\n")]),
];

// content type and encodings -------------------------------------------------------------------------------
const encodings: Case[] = [
  c("body: gzip-encoded text", [put("/metrics/job/gz", "g 1\n", { gzip: true })]),
  c("body: gzip header on plain body", [put("/metrics/job/gz", "g 1\nh 2\nxxxxxxxx\n", { headers: { "Content-Encoding": "gzip" } })]),
  c("body: gzip header on short plain body", [put("/metrics/job/gz", "g 1\n", { headers: { "Content-Encoding": "gzip" } })]),
  c("body: GZIP upper case is not recognised", [put("/metrics/job/gz", "g 1\n", { gzip: true, headers: { "Content-Encoding": "GZIP" } })]),
  c("body: deflate is ignored", [put("/metrics/job/df", "g 1\n", { headers: { "Content-Encoding": "deflate" } })]),
  c("body: text/plain content type", [put("/metrics/job/ct", "g 1\n", { headers: { "Content-Type": "text/plain; version=0.0.4" } })]),
  c("body: openmetrics content type parsed as text", [
    put("/metrics/job/ct", "g 1\n# EOF\n", { headers: { "Content-Type": "application/openmetrics-text; version=1.0.0" } }),
  ]),
  c("body: protobuf type without parameters parsed as text", [
    put("/metrics/job/ct", "g 1\n", { headers: { "Content-Type": "application/vnd.google.protobuf" } }),
  ]),
  c("body: protobuf delimited gauge and counter", [
    put(
      "/metrics/job/pb",
      delimited(
        {
          name: "pg",
          help: "A gauge.",
          type: "GAUGE",
          metrics: [
            { labels: { a: "1" }, value: 1.5 },
            { labels: { a: "2" }, value: -2 },
          ],
        },
        { name: "pc", type: "COUNTER", metrics: [{ value: 1e6 }] },
      ),
      { headers: { "Content-Type": PROTO_CONTENT_TYPE } },
    ),
  ]),
  c("body: protobuf summary and histogram without +Inf", [
    put(
      "/metrics/job/pb",
      delimited(
        {
          name: "ps",
          type: "SUMMARY",
          metrics: [
            {
              summary: {
                count: 7,
                sum: 3,
                quantiles: [
                  [0.5, 0.2],
                  [0.9, 0.8],
                ],
              },
            },
          ],
        },
        {
          name: "ph",
          type: "HISTOGRAM",
          metrics: [
            {
              histogram: {
                count: 4,
                sum: 2.5,
                buckets: [
                  [0.1, 1],
                  [1, 3],
                ],
              },
            },
          ],
        },
      ),
      { headers: { "Content-Type": PROTO_CONTENT_TYPE } },
    ),
  ]),
  c("body: protobuf same family twice, last wins", [
    put("/metrics/job/pb", delimited({ name: "pd", type: "GAUGE", metrics: [{ value: 1 }] }, { name: "pd", type: "GAUGE", metrics: [{ value: 2 }] }), {
      headers: { "Content-Type": PROTO_CONTENT_TYPE },
    }),
  ]),
  c("body: protobuf parameter order does not matter", [
    put("/metrics/job/pb", delimited({ name: "po", type: "GAUGE", metrics: [{ value: 3 }] }), {
      headers: { "Content-Type": "application/vnd.google.protobuf; encoding=delimited; proto=io.prometheus.client.MetricFamily" },
    }),
  ]),
  c("body: protobuf empty body", [put("/metrics/job/pb", new Uint8Array(0), { headers: { "Content-Type": PROTO_CONTENT_TYPE } })]),
  c("body: protobuf with timestamp is rejected", [
    put("/metrics/job/pb", delimited({ name: "pt", type: "GAUGE", metrics: [{ value: 1, timestampMs: 1000 }] }), {
      headers: { "Content-Type": PROTO_CONTENT_TYPE },
    }),
  ]),
  c("body: protobuf invalid label name is rejected", [
    put("/metrics/job/pb", delimited({ name: "pl", type: "GAUGE", metrics: [{ labels: { "bad-label": "x" }, value: 1 }] }), {
      headers: { "Content-Type": PROTO_CONTENT_TYPE },
    }),
  ]),
];

// text format ---------------------------------------------------------------------------------------------------
const t = (name: string, body: string, path = "/metrics/job/txt"): Case => c(`text: ${name}`, [put(path, body)]);
const text: Case[] = [
  t("garbage line", "blablabla\n"),
  t("dotted name", "a.b 1\n"),
  t("name starting with digit", "1a 1\n"),
  t("duplicate label names", 'a{x="1",x="2"} 1\n'),
  t("__name__ label is reserved", 'a{__name__="b"} 1\n'),
  t("second TYPE line", "# TYPE a gauge\n# TYPE a gauge\na 1\n"),
  t("TYPE after samples", "a 1\n# TYPE a gauge\n"),
  t("second HELP line", "# HELP a x\n# HELP a y\na 1\n"),
  t("unknown type", "# TYPE a foo\na 1\n"),
  t("bad timestamp", "a 1 notats\n"),
  t("spurious string after timestamp", "a 1 1 extra\n"),
  t("missing final newline", "a 1"),
  t("missing final newline on second line", "a 1\nb 2"),
  t("CRLF line endings", "a 1\r\nb 2\r\n"),
  t("unterminated label set", 'a{x="1"\n'),
  t("unquoted label value", "a{x=1} 1\n"),
  t("invalid escape in label value", 'a{x="\\q"} 1\n'),
  t("invalid label name", 'a{1x="1"} 1\n'),
  t("missing value", 'a{x="1"} \n'),
  t("value not a number", "a one\n"),
  t("value overflows float", "a 1e400\n"),
  t("empty body", ""),
  t("only blank lines and comments", "\n\n# a comment\n#another\n\n"),
  t("lone TYPE line gives no family", "# TYPE lonely gauge\n"),
  t("lone HELP line gives no family", "# HELP lonely some help\n"),
  t("TYPE without type", "# TYPE a\na 1\n"),
  t("HELP without text", "# HELP a\na 1\n"),
  t("lower-case type keyword is a comment", "# type a gauge\na 1\n"),
  t("HELP with escapes", "# HELP a Line one\\nline two \\\\ back \\t tab\na 1\n"),
  t("empty braces", "a{} 1\n"),
  t("trailing comma in labels", 'a{x="1",} 1\n'),
  t("spaces inside braces", 'a{ x = "1" , y="2" } 1\n'),
  t("tabs as separators", 'a\t1\nb{x="1"}\t\t2\n'),
  t("no space between labels and value", 'a{x="1"}1\n'),
  t("leading whitespace", "  a 1\n"),
  t("label value escapes", 'a{x="q\\"uote",y="back\\\\slash",z="new\\nline"} 1\n'),
  t("unicode label values", 'a{x="Προμηθεύς",y="日本",z="🙂"} 1\n'),
  t("very long label value", `a{x="${"v".repeat(5000)}"} 1\n`),
  t("colon in metric name", "a:b:c 1\n"),
  t("colon in label name", 'a{b:c="1"} 1\n'),
  t("interleaved families are merged", 'a 1\nb 2\na{x="1"} 3\nb{y="2"} 4\n'),
  t("TYPE scopes exact name only", "# TYPE c counter\nc_total 5\n"),
  t("counter with negative value", "# TYPE c counter\nc -3\n"),
  t(
    "all types",
    '# TYPE c counter\nc 1\n# TYPE g gauge\ng 2\n# TYPE u untyped\nu 3\n# TYPE s summary\ns{quantile="0.5"} 1\ns_sum 2\ns_count 3\n# TYPE h histogram\nh_bucket{le="1"} 1\nh_bucket{le="+Inf"} 2\nh_sum 3\nh_count 2\n',
  ),
  t("summary without quantile samples", "# TYPE s summary\ns_sum 2\ns_count 3\n"),
  t("summary sample without quantile label", "# TYPE s summary\ns 1\n"),
  t("summary bad quantile", '# TYPE s summary\ns{quantile="abc"} 1\n'),
  t(
    "summary with several label sets",
    '# TYPE s summary\ns{a="1",quantile="0.5"} 1\ns{a="2",quantile="0.5"} 2\ns_sum{a="1"} 1\ns_count{a="1"} 1\ns_sum{a="2"} 2\ns_count{a="2"} 2\n',
  ),
  t("histogram without le", "# TYPE h histogram\nh_bucket 1\n"),
  t("histogram bad le", '# TYPE h histogram\nh_bucket{le="abc"} 1\n'),
  t("histogram without +Inf bucket", '# TYPE h histogram\nh_bucket{le="0.5"} 1\nh_bucket{le="1"} 2\nh_sum 1\nh_count 2\n'),
  t("histogram non-integer bucket count", '# TYPE h histogram\nh_bucket{le="1"} 1.5\nh_sum 1\nh_count 2\n'),
  t("histogram le formatting", '# TYPE h histogram\nh_bucket{le="0.10"} 1\nh_bucket{le="1e3"} 2\nh_bucket{le="+Inf"} 3\nh_sum 1\nh_count 3\n'),
  t("histogram plain sample", "# TYPE h histogram\nh 1\n"),
  t(
    "histogram _count NaN and -Inf (Go float to uint64)",
    '# TYPE h histogram\nh_bucket{a="1",le="+Inf"} 1\nh_sum{a="1"} 1\nh_count{a="1"} NaN\nh_bucket{a="2",le="+Inf"} 1\nh_sum{a="2"} 1\nh_count{a="2"} -Inf\n',
  ),
  t("summary _count +Inf and 1e30", '# TYPE s summary\ns_sum{a="1"} 1\ns_count{a="1"} +Inf\ns_sum{a="2"} 1\ns_count{a="2"} 1e30\n'),
  t("summary _count fractional and negative", '# TYPE s summary\ns_sum{a="1"} 1\ns_count{a="1"} 2.7\ns_sum{a="2"} 1\ns_count{a="2"} -3\n'),
  t("summary _sum before TYPE", "s_sum 1\n# TYPE s summary\ns_count 1\n"),
  t("gaugehistogram type is unknown in 1.5.1", '# TYPE gh gaugehistogram\ngh_bucket{le="+Inf"} 1\n'),
  t("exemplar is a spurious string", 'a 1 # {trace_id="x"} 1\n'),
  t("NUL byte in body", "a 1\n\u0000\n"),
  c("text: invalid UTF-8 in label value", [put("/metrics/job/txt", Buffer.concat([Buffer.from('a{x="'), Buffer.from([0xff]), Buffer.from('"} 1\n')]))]),
  t("quoted metric name is rejected", '{"my.metric"} 1\n'),
  t("label without value", "a{x} 1\n"),
  t("double brace", 'a{x="1"}{y="2"} 1\n'),
];

// Values and number formatting (docs/compatibility.md: numbers) ------------------------------------------------------------------------------
const valueCase = (label: string, values: string[]): Case =>
  c(`format: ${label}`, [put("/metrics/job/fmt", values.map((v, i) => `v{i="${String(i).padStart(2, "0")}"} ${v}\n`).join(""))]);
const formats: Case[] = [
  valueCase("Go shortest %g table", ["123456", "1000000", "1234567", "123456789012", "1795528030.342244", "0.0001", "0.00001", "1e-7", "1.5e300"]),
  valueCase("more exponent edges", ["999999", "12345678", "100000.5", "0.00012345", "1e20", "1e21", "-1234567", "2.5e-5", "5e-324", "1.7976931348623157e308"]),
  valueCase("special values", ["NaN", "+Inf", "-Inf", "-0", "0", "+0"]),
  valueCase("Go ParseFloat spellings", ["Inf", "inf", "+inf", "-inf", "infinity", "nan", "NAN", "1E3", ".5", "5.", "+1", "00012"]),
  valueCase("hex floats", ["0x1p3", "0x1.8p1", "0X10P0"]),
  valueCase("1e+06 and friends", ["1e+06", "1e6", "1.0e6", "10e5", "1000000.0"]),
  valueCase("small and negative", ["-0.5", "-1e-10", "3.14", "-3.14", "0.1", "0.30000000000000004"]),
  valueCase("integers near 2^53", ["9007199254740992", "9007199254740993", "18446744073709551616", "-9007199254740991"]),
  c("format: underscore in number is rejected", [put("/metrics/job/fmt", "v 1_000\n")]),
  c("format: nan with sign", [put("/metrics/job/fmt", "v +NaN\n")]),
  c("format: label escapes on output", [put("/metrics/job/fmt/path@base64/YVwiYgpj", 'v{x="a\\\\b\\"c\\nd"} 1\n')]),
  c("format: HELP escapes on output", [put("/metrics/job/fmt", "# HELP v back\\\\slash and\\nnewline\nv 1\n")]),
  c("format: summary and histogram output", [
    put(
      "/metrics/job/hs",
      '# HELP lat Latency.\n# TYPE lat histogram\nlat_bucket{le="0.1"} 1\nlat_bucket{le="1"} 3\nlat_bucket{le="+Inf"} 4\nlat_sum 2.5\nlat_count 4\n# TYPE sm summary\nsm{quantile="0.5"} 0.2\nsm{quantile="0.9"} 0.8\nsm_sum 3\nsm_count 7\ng 123456\n',
    ),
  ]),
  c("format: families interleave with own metrics alphabetically", [put("/metrics/job/o", "aaa 1\npushgatewax 2\nzzz 3\nprocesr 4\n")]),
  c("format: sample order across groups (docs/compatibility.md: scrape)", [
    put("/metrics/job/j1", 'm{foo="bar",instance="inbody"} 1\n'),
    put("/metrics/job/j2/instance/i2", 'm{foo="bar"} 1\n'),
    put("/metrics/job/j3/foo/j3", "m 1\n"),
    put("/metrics/job/j5/a/1", 'm{foo="j5"} 1\n'),
  ]),
  c("format: sample order by label count then values", [put("/metrics/job/s", 'm{b="2"} 1\nm{b="1"} 2\nm{a="z",b="0"} 3\nm 4\nm{b="10"} 5\nm{b="9"} 6\n')]),
  c("format: byte order of unicode values", [put("/metrics/job/u", 'm{x="é"} 1\nm{x="z"} 2\nm{x="Z"} 3\nm{x="\u{1F642}"} 4\nm{x="\uFFFD"} 5\n')]),
  c("format: Accept openmetrics still gives text 0.0.4", [
    put("/metrics/job/a", "m 1\n"),
    get("/metrics", { headers: { Accept: "application/openmetrics-text; version=1.0.0" } }),
  ]),
  c("format: Accept text version 1.0.0 falls back", [get("/metrics", { headers: { Accept: "text/plain;version=1.0.0" } })]),
  c("format: Accept protobuf content type", [
    put("/metrics/job/a", "m 1\n"),
    get("/metrics", {
      headers: { Accept: "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited" },
      compare: "none",
      headersToCompare: ["content-type"],
    }),
  ]),
  c("format: gzip response", [put("/metrics/job/a", "m 1\n"), get("/metrics", { headers: { "Accept-Encoding": "gzip" } })]),
];

// sanitisation, timestamps ---------------------------------------------------------------------------------
const sanitise: Case[] = [
  c("sanitise: body job overridden, body instance kept", [put("/metrics/job/j1", 'm{job="other",instance="inbody",foo="bar"} 1\n')]),
  c("sanitise: grouping label overrides body label", [put("/metrics/job/j5/a/1", 'm{a="fromBody"} 1\n')]),
  c("sanitise: grouping instance overrides body instance", [put("/metrics/job/j/instance/url", 'm{instance="body"} 1\n')]),
  c("sanitise: empty instance added", [put("/metrics/job/j", 'm{x="1"} 1\n')]),
  c("sanitise: explicit empty instance in body", [put("/metrics/job/j", 'm{instance=""} 1\n')]),
  c("sanitise: body labels sorted", [put("/metrics/job/j", 'm{zz="1",aa="2",mm="3"} 1\n')]),
  c("sanitise: summary gets grouping labels", [put("/metrics/job/j/g/1", '# TYPE s summary\ns{quantile="0.5",g="x"} 1\ns_sum 1\ns_count 1\n')]),
  c("sanitise: two samples become duplicates after override", [put("/metrics/job/j", 'm{job="a"} 1\nm{job="b"} 2\n')]),
  c("timestamp: sample with timestamp rejected", [put("/metrics/job/ts", "m 1 1000\n")]),
  c("timestamp: negative timestamp rejected", [put("/metrics/job/ts", "m 1 -1000\n")]),
  c("timestamp: one of several samples", [put("/metrics/job/ts", "a 1\nb 2 1000\n")]),
  c("timestamp: rejection records a failure on an existing group", [put("/metrics/job/ts", "a 1\n"), post("/metrics/job/ts", "b 1 5\n")]),
];

// consistency -----------------------------------------------------------------------------------------------------
const consistency: Case[] = [
  c("consistency: type conflict across groups", [put("/metrics/job/t1", "# TYPE x counter\nx 1\n"), put("/metrics/job/t2", "# TYPE x gauge\nx 1\n")]),
  c("consistency: untyped vs gauge across groups", [put("/metrics/job/t1", "x 1\n"), put("/metrics/job/t2", "# TYPE x gauge\nx 1\n")]),
  c("consistency: same type across groups is fine", [put("/metrics/job/t1", "# TYPE x gauge\nx 1\n"), put("/metrics/job/t2", "# TYPE x gauge\nx 2\n")]),
  c("consistency: summary vs histogram across groups", [
    put("/metrics/job/t1", "# TYPE x summary\nx_sum 1\nx_count 1\n"),
    put("/metrics/job/t2", '# TYPE x histogram\nx_bucket{le="+Inf"} 1\nx_sum 1\nx_count 1\n'),
  ]),
  c("consistency: PUT replacing the conflicting family succeeds", [
    put("/metrics/job/t1", "# TYPE x counter\nx 1\n"),
    put("/metrics/job/t2", "# TYPE x gauge\nx 1\n"),
    put("/metrics/job/t1", "# TYPE x gauge\nx 1\n"),
    put("/metrics/job/t2", "# TYPE x gauge\nx 1\n"),
  ]),
  c("consistency: duplicate within a push", [put("/metrics/job/d", 'dup{a="1"} 1\ndup{a="1"} 2\n')]),
  c("consistency: duplicate without labels", [put("/metrics/job/d", "dup 1\ndup 2\n")]),
  c("consistency: duplicate across groups", [put("/metrics/job/d1", 'm{instance="i"} 1\n'), put("/metrics/job/d1/instance/i", "m 1\n")]),
  c("consistency: two errors in one push", [put("/metrics/job/t6", 'y{__a="1"} 1\nz{b="1"} 1\nz{b="1"} 1\n')]),
  c("consistency: label starting with __ in body", [put("/metrics/job/u", 'm{__x="1"} 1\n')]),
  c("consistency: quantile grouping label on summary", [put("/metrics/job/q/quantile/x", '# TYPE s summary\ns{quantile="0.5"} 1\n')]),
  c("consistency: quantile grouping label on gauge is fine", [put("/metrics/job/q/quantile/x", "g 1\n")]),
  c("consistency: le grouping label on histogram is accepted", [put("/metrics/job/h/le/x", '# TYPE h histogram\nh_bucket{le="1"} 1\nh_sum 1\nh_count 1\n')]),
  c("consistency: _count collides with summary in another group", [
    put("/metrics/job/t4", "# TYPE s summary\ns_sum 1\ns_count 1\n"),
    put("/metrics/job/t5", "s_count 1\n"),
  ]),
  c("consistency: _sum collides with histogram in same push", [
    put("/metrics/job/t4", '# TYPE h histogram\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\n# TYPE h_sum gauge\nh_sum{x="1"} 1\n'),
  ]),
  c("consistency: _bucket collides with histogram", [
    put("/metrics/job/t4", '# TYPE h histogram\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\n'),
    put("/metrics/job/t5", "h_bucket 1\n"),
  ]),
  c("consistency: _bucket next to summary is allowed", [
    put("/metrics/job/t4", "# TYPE s summary\ns_sum 1\ns_count 1\n"),
    put("/metrics/job/t5", "s_bucket 1\n"),
  ]),
  c("consistency: summary collides with existing _count", [
    put("/metrics/job/t4", "x_count 1\n"),
    put("/metrics/job/t5", "# TYPE x summary\nx_sum 1\nx_count 1\n"),
  ]),
  c("consistency: histogram collides with existing _bucket", [
    put("/metrics/job/t4", "x_bucket 1\n"),
    put("/metrics/job/t5", '# TYPE x histogram\nx_bucket{le="+Inf"} 1\nx_sum 1\nx_count 1\n'),
  ]),
  c("consistency: own metric type conflict process_start_time_seconds", [
    put("/metrics/job/s1", "# TYPE process_start_time_seconds counter\nprocess_start_time_seconds 1\n"),
  ]),
  c("consistency: own metric same type, other HELP is accepted", [
    put("/metrics/job/s1", "# HELP process_start_time_seconds My own.\n# TYPE process_start_time_seconds gauge\nprocess_start_time_seconds 1\n"),
  ]),
  c("consistency: own metric untyped without HELP", [put("/metrics/job/s1", "process_start_time_seconds 1\n")]),
  c("consistency: own metric pushgateway_build_info untyped", [put("/metrics/job/s1", "pushgateway_build_info 1\n")]),
  c("consistency: own metric pushgateway_build_info gauge", [put("/metrics/job/s1", "# TYPE pushgateway_build_info gauge\npushgateway_build_info 1\n")]),
  c("consistency: own vector pushgateway_http_requests_total without HELP", [
    put("/metrics/job/s1", "# TYPE pushgateway_http_requests_total counter\npushgateway_http_requests_total 1\n"),
  ]),
  c("consistency: own vector with the right HELP and type", [
    put(
      "/metrics/job/s1",
      '# HELP pushgateway_http_requests_total Total HTTP requests processed by the Pushgateway, excluding scrapes.\n# TYPE pushgateway_http_requests_total counter\npushgateway_http_requests_total{code="999"} 1\n',
    ),
  ]),
  c("consistency: own summary name collision", [put("/metrics/job/s1", "pushgateway_http_push_duration_seconds_count 1\n")]),
  c("consistency: a failing push leaves the store unchanged", [put("/metrics/job/k", "a 1\n"), put("/metrics/job/k", "a 2\nb 1 1000\n")]),
  c("consistency: push_time_seconds in body is overwritten", [put("/metrics/job/p", "push_time_seconds 0\n")]),
  c("consistency: push_time_seconds as counter in body", [put("/metrics/job/p", "# TYPE push_time_seconds counter\npush_time_seconds 5\n")]),
];

// push_time_seconds / push_failure_time_seconds ----------------------------------------------------------------
const pushTimes: Case[] = [
  c("push times: failure on a new group creates it", [put("/metrics/job/f1", "# TYPE x counter\nx 1\n"), put("/metrics/job/f2", "# TYPE x gauge\nx 1\n")]),
  c("push times: failure then success", [put("/metrics/job/f", "a 1 1000\n"), put("/metrics/job/f", "a 1\n")]),
  c("push times: success then failure", [put("/metrics/job/f", "a 1\n"), post("/metrics/job/f", "b 1 1000\n")]),
  c("push times: parse error records nothing", [put("/metrics/job/f", "a 1\n"), put("/metrics/job/f", "bad line\n"), put("/metrics/job/g", "bad line\n")]),
  c("push times: URL error records nothing", [put("/metrics/job/f/odd", "a 1\n")]),
  c("push times: push_failure_time_seconds in body of a new group", [put("/metrics/job/pf", "push_failure_time_seconds 5\n")]),
  c("push times: push_failure_time_seconds in body of an existing group", [
    put("/metrics/job/pf", "a 1\n"),
    post("/metrics/job/pf", "push_failure_time_seconds 5\n"),
  ]),
  c("push times: DELETE removes both push metrics", [put("/metrics/job/f", "a 1\n"), put("/metrics/job/f/instance/x", "a 1\n"), del("/metrics/job/f")]),
];

// JSON API --------------------------------------------------------------------------------------------------------
const api: Case[] = [
  c("api: empty store exact body", [get("/api/v1/metrics", { compare: "body" })]),
  c("api: summary histogram gauge", [
    put(
      "/metrics/job/hs",
      '# HELP lat Latency.\n# TYPE lat histogram\nlat_bucket{le="0.1"} 1\nlat_bucket{le="1"} 3\nlat_bucket{le="+Inf"} 4\nlat_sum 2.5\nlat_count 4\n# TYPE sm summary\nsm{quantile="0.5"} 0.2\nsm{quantile="0.9"} 0.8\nsm_sum 3\nsm_count 7\ng 123456\n',
    ),
    get("/api/v1/metrics"),
  ]),
  c("api: value formatting incl. -0", [
    put("/metrics/job/v", 'v{i="1"} -0\nv{i="2"} 1e6\nv{i="3"} NaN\nv{i="4"} -Inf\nv{i="5"} 0.00001\n'),
    get("/api/v1/metrics"),
  ]),
  c("api: families named labels and last_push_successful", [put("/metrics/job/q", "labels 1\nlast_push_successful 2\n"), get("/api/v1/metrics")]),
  c("api: HELP kept raw with escapes and html chars", [put("/metrics/job/h", "# HELP m a <b> & \\\\ \\n c\nm 1\n"), get("/api/v1/metrics")]),
  c("api: several groups as a set", [
    put("/metrics/job/a", "m 1\n"),
    put("/metrics/job/b/instance/x", "m 2\n"),
    put("/metrics/job/c/k/v", "n 3\n"),
    get("/api/v1/metrics"),
  ]),
  c("api: metrics array keeps stored order", [put("/metrics/job/o", 'm{x="b"} 1\nm{x="a"} 2\nm{x="c"} 3\n'), get("/api/v1/metrics")]),
  c("api: protobuf histogram without +Inf", [
    put(
      "/metrics/job/pb",
      delimited({
        name: "ph",
        type: "HISTOGRAM",
        metrics: [
          {
            histogram: {
              count: 4,
              sum: 2.5,
              buckets: [
                [0.1, 1],
                [1, 3],
              ],
            },
          },
        ],
      }),
      { headers: { "Content-Type": PROTO_CONTENT_TYPE } },
    ),
    get("/api/v1/metrics"),
  ]),
  c("api: last_push_successful false after failure", [put("/metrics/job/a", "m 1\n"), post("/metrics/job/a", "m 1 1\n"), get("/api/v1/metrics")]),
  c("api: pushed HELP kept for own metric", [
    put("/metrics/job/s1", "# HELP process_start_time_seconds Mine.\n# TYPE process_start_time_seconds gauge\nprocess_start_time_seconds 1\n"),
    get("/api/v1/metrics"),
  ]),
  c("api: status shape and flags", [get("/api/v1/status")]),
  c("api: HELP conflicts between groups", [
    put("/metrics/job/h1", "# HELP hc one\nhc 1\n"),
    put("/metrics/job/h2", "# HELP hc two\nhc 2\n"),
    put("/metrics/job/h3", "hc 3\n"),
    get("/metrics"),
  ]),
];

// Flags (docs/compatibility.md: JSON API, flags) --------------------------------------------------------------------------------------------------
const flags: Case[] = [
  c("admin: wipe", [put("/metrics/job/a", "m 1\n"), put("/metrics/job/b/instance/c", "m 1\n"), put("/api/v1/admin/wipe", "", { sleepAfterMs: 300 })], {
    flags: ADMIN,
  }),
  c("admin: wipe on empty store", [put("/api/v1/admin/wipe")], { flags: ADMIN }),
  c("admin: wipe wrong methods", [get("/api/v1/admin/wipe"), post("/api/v1/admin/wipe"), del("/api/v1/admin/wipe")], { flags: ADMIN }),
  c("admin: status shows the flag", [get("/api/v1/status")], { flags: ADMIN }),
  c("admin: push after wipe", [put("/metrics/job/a", "m 1\n"), put("/api/v1/admin/wipe", "", { sleepAfterMs: 300 }), put("/metrics/job/a", "n 1\n")], {
    flags: ADMIN,
  }),
  c("lifecycle: GET /-/quit is 405", [get("/-/quit")], { flags: LIFECYCLE }),
  c("lifecycle: status shows the flag", [get("/api/v1/status")], { flags: LIFECYCLE }),
  c("lifecycle: PUT /-/quit shuts down", [put("/metrics/job/a", "m 1\n"), put("/-/quit"), { action: "awaitExit" }], { flags: LIFECYCLE, final: false }),
  c("lifecycle: POST /-/quit shuts down", [post("/-/quit"), { action: "awaitExit" }], { flags: LIFECYCLE, final: false }),
  c("unchecked: push is 202", [put("/metrics/job/u", "m 1\n")], { flags: UNCHECKED }),
  c("unchecked: parse error still 400", [put("/metrics/job/u", "bad line\n")], { flags: UNCHECKED }),
  c("unchecked: URL error still 400", [put("/metrics/job/u/odd", "m 1\n")], { flags: UNCHECKED }),
  c("unchecked: timestamped push dropped, failure recorded", [put("/metrics/job/u", "m 1\n"), post("/metrics/job/u", "n 1 1000\n")], { flags: UNCHECKED }),
  c(
    "unchecked: inconsistent push stored, scrape fails",
    [put("/metrics/job/u1", "# TYPE x counter\nx 1\n"), put("/metrics/job/u2", "# TYPE x gauge\nx 1\n"), get("/metrics")],
    { flags: UNCHECKED },
  ),
  c(
    "unchecked: duplicate stored, scrape fails until deleted",
    [put("/metrics/job/u", "dup 1\ndup 2\n"), get("/metrics"), del("/metrics/job/u"), get("/metrics")],
    { flags: UNCHECKED },
  ),
  c("unchecked: status shows the flag", [get("/api/v1/status")], { flags: UNCHECKED }),
  c("telemetry: scrape at /other", [put("/metrics/job/a", "m 1\n"), get("/other")], { flags: TELEMETRY }),
  c("telemetry: GET /metrics is no longer a scrape", [get("/metrics"), get("/metrics/")], { flags: TELEMETRY }),
  c("telemetry: push route unchanged, wrong method on /other", [put("/metrics/job/a", "m 1\n"), put("/other", "m 1\n")], { flags: TELEMETRY }),
  c("telemetry: status", [get("/api/v1/status")], { flags: TELEMETRY }),
  c("prefix: push and scrape under /pg", [put("/pg/metrics/job/a", "m 1\n"), get("/pg/metrics"), get("/pg/api/v1/metrics")], { flags: PREFIX }),
  c("prefix: unprefixed routes are 404", [put("/metrics/job/a", "m 1\n"), get("/metrics"), get("/api/v1/metrics"), get("/-/healthy")], { flags: PREFIX }),
  c("prefix: health under prefix", [get("/pg/-/healthy"), get("/pg/-/ready")], { flags: PREFIX }),
  c("prefix: quit routes", [get("/-/quit"), put("/pg/-/quit"), get("/pg/-/quit")], { flags: PREFIX }),
  c("prefix: redirects keep the prefix", [put("/pg/metrics/job/", "m 1\n"), put("/pg/metrics/job/a//b", "m 1\n"), get("/pg/metrics/")], { flags: PREFIX }),
  c("prefix: odd components under prefix", [put("/pg/metrics/job/a/b", "m 1\n"), put("/pg/metrics/job/a/b/c", "m 1\n")], { flags: PREFIX }),
  c("prefix: status", [get("/pg/api/v1/status")], { flags: PREFIX }),
  c("prefix: OPTIONS under prefix", [req("OPTIONS", "/pg/api/v1/metrics"), req("OPTIONS", "/pg/metrics/job/x")], { flags: PREFIX }),
  c("prefix and telemetry path combined", [put("/pg/metrics/job/a", "m 1\n"), get("/pg/other"), get("/other")], {
    flags: ["--web.route-prefix=/pg", "--web.telemetry-path=/other"],
  }),
  c("prefix with trailing slash is normalised", [put("/pg/metrics/job/a", "m 1\n"), get("/pg/metrics")], { flags: ["--web.route-prefix=/pg/"] }),
  c("external-url path is the default prefix", [put("/ext/metrics/job/a", "m 1\n"), get("/ext/metrics"), get("/ext/api/v1/status")], {
    flags: ["--web.external-url=http://example.com/ext/"],
  }),
  c(
    "persistence: state survives a restart",
    [
      put("/metrics/job/p1", '# HELP m Some help.\n# TYPE m counter\nm{x="1"} 42\n# TYPE s summary\ns{quantile="0.5"} 1\ns_sum 2\ns_count 3\n'),
      put("/metrics/job/p2/instance/i", '# TYPE h histogram\nh_bucket{le="1"} 1\nh_bucket{le="+Inf"} 2\nh_sum 3\nh_count 2\n'),
      post("/metrics/job/p2/instance/i", "late 1 1000\n"),
      { action: "restart" },
      get("/metrics"),
    ],
    { flags: PERSIST },
  ),
  c(
    "persistence: delete survives a restart",
    [put("/metrics/job/p1", "m 1\n"), put("/metrics/job/p2", "m 2\n"), del("/metrics/job/p1"), { action: "restart" }],
    { flags: PERSIST },
  ),
  c("persistence: status shows a file", [get("/api/v1/status")], { flags: PERSIST }),
  c(
    "http metrics: series after pushes, deletes and errors",
    [
      put("/metrics/job/a", "m 1\n"),
      post("/metrics/job/a", "m 2\n"),
      put("/metrics/job/a", "bad line\n"),
      del("/metrics/job/a"),
      get("/-/healthy"),
      get("/-/ready"),
      get("/api/v1/status"),
      req("OPTIONS", "/api/v1/metrics"),
      get("/metrics"),
    ],
    { flags: ["--log.level=debug"], httpMetrics: "labels" },
  ),
  c("http metrics: not counted for router errors", [get("/nope"), get("/metrics/job/x"), put("/metrics/job/a//b"), get("/metrics")], {
    flags: ["--log.level=warn"],
    httpMetrics: "labels",
  }),
];

export const CASES: Case[] = [...url, ...routes, ...methods, ...encodings, ...text, ...formats, ...sanitise, ...consistency, ...pushTimes, ...api, ...flags];

/**
 * Cases where pushboard is known to diverge, with the reason; skipped by conformance.test.ts and listed in its
 * output. Keep this short: each entry is a bug report for the engine.
 */
export const KNOWN_DIVERGENCES: Record<string, string> = {
  // Deliberate differences, asserted as differences in differences.test.ts and listed in the README.
  "format: Accept openmetrics still gives text 0.0.4": "deliberate: pushboard serves OpenMetrics to clients that accept only OpenMetrics",
  "unchecked: inconsistent push stored, scrape fails":
    "deliberate: with --push.disable-consistency-check pushboard drops an inconsistent push instead of breaking scrapes",
  "unchecked: duplicate stored, scrape fails until deleted": "deliberate: same as above, for duplicate series",
  // Known, not deliberate: counts are JS numbers, so Go's uint64 wrap-around of a negative count (-3 →
  // 18446744073709551613) cannot be printed exactly.
  "text: summary _count fractional and negative": "uint64 wrap-around of negative counts is not exact above 2^53",
};

// The one-pass fast path of the text parser (lib/exposition/parse-text-fast.ts) must return exactly what the Go
// state machine returns, or give up (undefined) and leave the body to it.
import { describe, expect, it } from "vitest";
import { parseGoFloat, parseText, parseTextFull } from "@/lib/exposition/parse-text";
import { parseTextFast } from "@/lib/exposition/parse-text-fast";

const buf = (s: string | number[]) => (typeof s === "string" ? Buffer.from(s, "utf8") : Buffer.from(s));

function outcome(parse: () => unknown): unknown {
  try {
    return { ok: parse() };
  } catch (e) {
    return { error: String(e) };
  }
}

/** Bodies the fast path takes. */
const TAKEN: Array<[string, string | number[]]> = [
  ["empty body", ""],
  ["the bench push body", benchBody()],
  ["plain samples", '# HELP m Some help.\n# TYPE m gauge\nm{a="1"} 3.14\nm{a="2"} -2\n'],
  ["counter and untyped", '# TYPE c counter\nc 1\n# TYPE u untyped\nu{x="y"} 1e3\nv 7\n'],
  ["no HELP, no TYPE", 'x{a="1",b="2"} 1\n'],
  ["HELP after samples", "x 1\n# HELP x late help\n"],
  ["blank lines", "\n\nx 1\n\ny 2\n"],
  ["several blanks before the value", 'x{a="1"}   \t 2\n'],
  ["type in lower and mixed case", "# TYPE x GaUgE\nx 1\n"],
  ["empty label value", 'x{a=""} 1\n'],
  ["UTF-8 label value and help", '# HELP x héllo ✓\nx{a="zürich ✓"} 1\n'],
  ["special values", "a NaN\nb +Inf\nc -Inf\nd -0\ne 1.\nf .5\ng 1E-3\nh +4\n"],
  ["labels like, and unlike, the line before's", 'x{a="12",b="q"} 1\nx{a="34",c="q"} 2\nx{a="34"} 3\nx{c="q",a="34"} 4\ny{c="q"} 5\n'],
  ["family seen twice", 'x{a="1"} 1\ny 2\nx{a="2"} 3\n'],
  ["family without samples", "# HELP nothing here\n# TYPE nothing gauge\nx 1\n"],
  ["colons in names", "a:b:c 1\n# TYPE d:e counter\nd:e 2\n"],
  ["label named le or quantile in a gauge", '# TYPE g gauge\ng{le="1",quantile="0.5"} 1\n'],
  ["NUL and CR inside a label value", [0x78, 0x7b, 0x61, 0x3d, 0x22, 0x00, 0x0d, 0x22, 0x7d, 0x20, 0x31, 0x0a]],
];

/** Bodies it leaves to the state machine (some valid, some not). */
const LEFT: Array<[string, string | number[]]> = [
  ["summary", '# TYPE s summary\ns{quantile="0.5"} 1\ns_sum 2\ns_count 3\n'],
  ["histogram", '# TYPE h histogram\nh_bucket{le="1"} 1\nh_bucket{le="+Inf"} 2\nh_sum 2\nh_count 2\n'],
  ["timestamp", "x 1 1700000000000\n"],
  ["trailing blank", "x 1 \n"],
  ["no final newline", "x 1"],
  ["no final newline after HELP", "# HELP x help"],
  ["escape in a label value", 'x{a="b\\"c"} 1\n'],
  ["newline escape in a label value", 'x{a="b\\nc"} 1\n'],
  ["escape in HELP", "# HELP x a\\\\b\nx 1\n"],
  ["invalid escape in HELP", "# HELP x a\\qb\nx 1\n"],
  ["other comment", "# just a comment\nx 1\n"],
  ["comment without blank", "#HELP x h\nx 1\n"],
  ["HELP with two blanks", "# HELP  x h\nx 1\n"],
  ["HELP without text", "# HELP x\nx 1\n"],
  ["HELP with blank text", "# HELP x \nx 1\n"],
  ["second HELP", "# HELP x a\n# HELP x b\nx 1\n"],
  ["second TYPE", "# TYPE x gauge\n# TYPE x counter\nx 1\n"],
  ["TYPE after samples", "x 1\n# TYPE x gauge\n"],
  ["unknown type", "# TYPE x gaugey\nx 1\n"],
  ["type with trailing blank", "# TYPE x gauge \nx 1\n"],
  ["empty braces", "a{} 1\n"],
  ["trailing comma", 'a{x="1",} 1\n'],
  ["blank inside braces", 'a{ x="1"} 1\n'],
  ["blank before the braces", 'a {x="1"} 1\n'],
  ["no blank after the braces", 'a{x="1"}1\n'],
  ["tab as separator", "a\t1\n"],
  ["leading blank", " a 1\n"],
  ["duplicate label", 'a{x="1",x="2"} 1\n'],
  ["reserved label", 'a{__name__="b"} 1\n'],
  ["bad label value", [0x6d, 0x7b, 0x61, 0x3d, 0x22, 0xff, 0x22, 0x7d, 0x20, 0x31, 0x0a]],
  ["unterminated label value", 'a{x="1} 1\n'],
  ["newline in a label value", 'a{x="1\n"} 1\n'],
  ["bad value", "a x\n"],
  ["empty value", 'a{x="1"} \n'],
  ["name alone", "a\n"],
  ["bad name", "1a 1\n"],
  ["huge value", "a 1e999\n"],
  ["hex value", "a 0x10\n"],
];

describe("parseTextFast", () => {
  it.each(TAKEN)("takes %s, with the state machine's result", (_name, body) => {
    const fast = parseTextFast(buf(body));
    expect(fast).toBeDefined();
    expect(fast).toStrictEqual(parseTextFull(buf(body)));
    expect(parseText(buf(body))).toStrictEqual(parseTextFull(buf(body)));
  });
  it.each(LEFT)("leaves %s to the state machine", (_name, body) => {
    expect(parseTextFast(buf(body))).toBeUndefined();
    expect(outcome(() => parseText(buf(body)))).toStrictEqual(outcome(() => parseTextFull(buf(body))));
  });
  it("interns label names and values as the state machine does", () => {
    const [a] = parseTextFast(buf('x{job="j",phase="load"} 1\n'))!;
    const [b] = parseTextFull(buf('x{job="j",phase="load"} 1\n'));
    expect(a!.metric[0]!.label[1]!.value).toBe(b!.metric[0]!.label[1]!.value);
  });
});

describe("parseGoFloat's plain-decimal shortcut", () => {
  it.each(["0", "-0", "12", "-12.5", "1.", "007", "3.14159265358979323846", "1" + "0".repeat(400)])("%s reads as Number does, in range", (s) => {
    const v = Number(s);
    expect(parseGoFloat(s)).toBe(Number.isFinite(v) ? v : undefined);
  });
  it.each(["", "-", ".", "-.", "1..2", "1.2.3", "- 1", "1-"])("%j is not a number", (s) => {
    expect(parseGoFloat(s)).toBeUndefined();
  });
});

function benchBody(): string {
  // test/bench/lib.mjs pushBody(): the push every benchmark sends.
  const fams = [
    ["bench_batch_phase_duration_seconds", "gauge", "Duration of the last run of each batch phase, in seconds."],
    ["bench_batch_records_processed_total", "counter", "Records processed by the batch job since it started."],
    ["bench_batch_last_success_timestamp_seconds", "gauge", "Unix time of the last successful completion."],
    ["bench_batch_queue_depth_items", "gauge", "Items waiting in the batch job's work queue per stage."],
  ];
  let s = "";
  fams.forEach(([name, type, help], f) => {
    s += `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n`;
    ["extract", "transform", "validate", "load"].forEach(
      (p, i) => (s += `${name}{phase="${p}",pipeline="nightly"} ${(1234.5678 * (f + 1) + i * 17.25).toFixed(4)}\n`),
    );
  });
  return s;
}

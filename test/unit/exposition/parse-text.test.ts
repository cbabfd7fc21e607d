import { describe, expect, it } from "vitest";
import { parseGoFloat, parseText, TextParseError } from "@/lib/exposition/parse-text";

const parse = (s: string) => parseText(Buffer.from(s, "utf8"));
const errorOf = (s: string): string => {
  try {
    parse(s);
  } catch (e) {
    if (e instanceof TextParseError) return e.message;
    throw e;
  }
  throw new Error("expected a parse error");
};

describe("parseText accepts what the Go parser accepts", () => {
  it("parses a plain sample with HELP and TYPE", () => {
    const [f] = parse('# HELP m Some help.\n# TYPE m gauge\nm{a="1"} 3.14\n');
    expect(f).toEqual({ name: "m", help: "Some help.", type: "GAUGE", metric: [{ label: [{ name: "a", value: "1" }], gauge: { value: 3.14 } }] });
  });
  it.each([
    ["empty body", "", 0],
    ["comments and blank lines", "# hello\n\n   \n", 0],
    ["lone TYPE line", "# TYPE foo gauge\n", 0],
    ["empty braces", "a{} 1\n", 1],
    ["trailing comma", 'a{x="1",} 1\n', 1],
    ["tabs as separators", "a\t1\n", 1],
  ])("%s", (_name, body, families) => {
    expect(parse(body)).toHaveLength(families);
  });
  it("unescapes label values and HELP", () => {
    const [f] = parse('# HELP m a\\\\b\\nc\nm{l="q\\"\\\\\\n"} 1\n');
    expect(f!.help).toBe("a\\b\nc");
    expect(f!.metric[0]!.label[0]!.value).toBe('q"\\\n');
  });
  it("merges interleaved samples and scopes TYPE to the exact name", () => {
    const fams = parse('# TYPE c counter\nc_total 5\na 1\nb 2\na{x="y"} 3\n');
    const names = fams.map((f) => f.name).sort();
    expect(names).toEqual(["a", "b", "c_total"]);
    expect(fams.find((f) => f.name === "c_total")!.type).toBe("UNTYPED");
    expect(fams.find((f) => f.name === "a")!.metric).toHaveLength(2);
  });
  it("assembles summaries and histograms", () => {
    const [s] = parse('# TYPE s summary\ns{quantile="0.5"} 1\ns{quantile="0.9"} 2\ns_sum 3\ns_count 4\n');
    expect(s!.metric[0]!.summary).toEqual({
      sampleCount: 4,
      sampleSum: 3,
      quantile: [
        { quantile: 0.5, value: 1 },
        { quantile: 0.9, value: 2 },
      ],
    });
    const [h] = parse('# TYPE h histogram\nh_bucket{le="0.1"} 1\nh_bucket{le="+Inf"} 2\nh_sum 0.5\nh_count 2\n');
    expect(h!.metric[0]!.histogram!.bucket).toEqual([
      { upperBound: 0.1, cumulativeCount: 1 },
      { upperBound: Infinity, cumulativeCount: 2 },
    ]);
  });
  it("keeps timestamps for the caller to reject", () => {
    expect(parse("m 1 1000\n")[0]!.metric[0]!.timestampMs).toBe(1000);
  });
});

describe("parseText errors match the Pushgateway's texts", () => {
  it.each([
    ["m 1", "text format parsing error in line 1: unexpected end of input stream"],
    ["m 1\r\n", 'text format parsing error in line 1: expected float as value, got "1\\r"'],
    ["blablabla\n", 'text format parsing error in line 1: expected float as value, got ""'],
    ["a.b 1\n", 'text format parsing error in line 1: expected float as value, got ".b"'],
    ["1a 1\n", "text format parsing error in line 1: invalid metric name"],
    ['a{x="1",x="2"} 1\n', 'text format parsing error in line 1: duplicate label names for metric "a"'],
    ['a{__name__="x"} 1\n', 'text format parsing error in line 1: label name "__name__" is reserved'],
    ["a 1\n# TYPE a gauge\n", 'text format parsing error in line 2: second TYPE line for metric name "a", or TYPE reported after samples'],
    ["# HELP a x\n# HELP a y\n", 'text format parsing error in line 2: second HELP line for metric name "a"'],
    ["# TYPE a foo\n", 'text format parsing error in line 1: unknown metric type "foo"'],
    ["a 1 notats\n", 'text format parsing error in line 1: expected integer as timestamp, got "notats"'],
    ["a 1 1 extra\n", 'text format parsing error in line 1: spurious string after timestamp: " extra"'],
    ["m 1 \n", 'text format parsing error in line 1: expected integer as timestamp, got ""'],
    ['m{a="1" b="2"} 1\n', 'text format parsing error in line 1: unexpected end of label value "1"'],
    ['m{a="\\x"} 1\n', "text format parsing error in line 1: invalid escape sequence '\\x'"],
    ["# HELP 1a x\n", "text format parsing error in line 1: invalid metric name in comment"],
  ])("%j", (body, message) => {
    expect(errorOf(body)).toBe(message);
  });
  it("rejects invalid UTF-8 in label values with Go's quoting", () => {
    expect(() => parseText(Buffer.from([0x6d, 0x7b, 0x61, 0x3d, 0x22, 0xff, 0x22, 0x7d, 0x20, 0x31, 0x0a]))).toThrow('invalid label value "\\xff"');
  });
});

describe("parseGoFloat", () => {
  it.each([
    ["1e+06", 1e6],
    ["-0", -0],
    ["+Inf", Infinity],
    ["-inf", -Infinity],
    ["Infinity", Infinity],
    [".5", 0.5],
    ["5.", 5],
  ])("%s", (s, v) => expect(Object.is(parseGoFloat(s), v)).toBe(true));
  it.each(["", "0x10", "1_000", "+nan", "1e400", "infin", "1e"])("rejects %j", (s) => expect(parseGoFloat(s)).toBeUndefined());
  it("parses NaN", () => expect(parseGoFloat("NaN")).toBeNaN());
});

import { describe, expect, it } from "vitest";
import { parseText } from "@/lib/exposition/parse-text";
import { compareMetrics, compareUtf8, renderFamilyText } from "@/lib/exposition/render-text";

const roundTrip = (s: string) => parseText(Buffer.from(s)).map(renderFamilyText).join("");

describe("renderFamilyText writes what Go's text writer writes", () => {
  it.each([
    ["gauge with HELP escapes", '# HELP g a\\\\b\\nc\n# TYPE g gauge\ng{l="q\\"\\\\\\n"} 1e+06\n'],
    ["untyped without HELP", "# TYPE u untyped\nu 0.0001\n"],
    ["special values", '# TYPE s untyped\ns{a="1"} NaN\ns{a="2"} +Inf\ns{a="3"} -Inf\n'],
    ["summary", '# TYPE sm summary\nsm{quantile="0.5"} 0.2\nsm_sum 3\nsm_count 7\n'],
  ])("%s", (_name, text) => expect(roundTrip(text)).toBe(text));
  it("adds the +Inf bucket a histogram lacks", () => {
    expect(roundTrip('# TYPE h histogram\nh_bucket{le="0.1"} 1\nh_sum 2\nh_count 4\n')).toBe(
      '# TYPE h histogram\nh_bucket{le="0.1"} 1\nh_bucket{le="+Inf"} 4\nh_sum 2\nh_count 4\n',
    );
  });
  it("prints negative zero as 0", () => expect(roundTrip("z -0\n")).toBe("# TYPE z untyped\nz 0\n"));
});

describe("sample order (docs/compatibility.md: scrape)", () => {
  it("sorts by label count, then values position by position", () => {
    const [f] = parseText(
      Buffer.from(
        'm{a="1",foo="j5",instance="",job="j5"} 1\nm{foo="j3",instance="",job="j3"} 1\nm{foo="bar",instance="inbody",job="j1"} 1\nm{foo="bar",instance="i2",job="j2"} 1\n',
      ),
    );
    const order = [...f!.metric].sort(compareMetrics).map((m) => m.label.map((l) => l.value).join(","));
    expect(order).toEqual(["bar,i2,j2", "bar,inbody,j1", "j3,,j3", "1,j5,,j5"]);
  });
  it("compares strings by UTF-8 bytes", () => {
    expect(compareUtf8("\uFFFD", "🙂")).toBeLessThan(0);
    expect(compareUtf8("a", "b")).toBeLessThan(0);
    expect(compareUtf8("ab", "a")).toBeGreaterThan(0);
  });
});

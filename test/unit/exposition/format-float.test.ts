import { describe, expect, it } from "vitest";
import { formatGoFloat, formatTextValue } from "@/lib/exposition/format-float";

describe("formatGoFloat matches Go's strconv.FormatFloat(x, 'g', -1, 64)", () => {
  it.each([
    [123456, "123456"],
    [1000000, "1e+06"],
    [1234567, "1.234567e+06"],
    [123456789012, "1.23456789012e+11"],
    [1795528030.342244, "1.795528030342244e+09"],
    [0.0001, "0.0001"],
    [0.00001, "1e-05"],
    [1e-7, "1e-07"],
    [1.5e300, "1.5e+300"],
    [999999, "999999"],
    [100000.5, "100000.5"],
    [0.00012345, "0.00012345"],
    [1e21, "1e+21"],
    [-1234567, "-1.234567e+06"],
    [5e-324, "5e-324"],
    [1.7976931348623157e308, "1.7976931348623157e+308"],
    [2.5e-5, "2.5e-05"],
    [Infinity, "+Inf"],
    [-Infinity, "-Inf"],
    [NaN, "NaN"],
    [-0, "-0"],
  ])("%s → %s", (x, s) => expect(formatGoFloat(x)).toBe(s));
  it("prints negative zero as 0 in the text format", () => expect(formatTextValue(-0)).toBe("0"));
});

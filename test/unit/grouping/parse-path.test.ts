import { describe, expect, it } from "vitest";
import { decodeBase64Url } from "@/lib/grouping/base64";
import { parseGroupingPath } from "@/lib/grouping/parse-path";

const labelsOf = (job: string, rest: string, b64 = false) => {
  const r = parseGroupingPath(Buffer.from(job).toString("latin1"), Buffer.from(rest).toString("latin1"), b64);
  if (!r.ok) return r.message;
  return Object.fromEntries(r.grouping.labels.map((l) => [l.name, l.value]));
};

describe("parseGroupingPath (docs/compatibility.md: grouping key)", () => {
  it.each([
    ["a", "", false, { job: "a" }],
    ["a", "/", false, { job: "a" }],
    ["j", "/b/", false, { job: "j", b: "" }],
    ["j", "/a/1/a/2", false, { job: "j", a: "2" }],
    ["j3", "/job/other", false, { job: "j3" }],
    ["directory_cleaner", "/path@base64/L3Zhci90bXA", false, { job: "directory_cleaner", path: "/var/tmp" }],
    ["dGVzdC9qb2I", "", true, { job: "test/job" }],
    ["dGVzdC9qb2I==", "", true, { job: "test/job" }],
    ["x", "/first_label@base64/=/second_label/foobar", false, { job: "x", first_label: "", second_label: "foobar" }],
    ["x", "/v@base64/YR", false, { job: "x", v: "a" }],
    ["titan", "/name@base64/zqDPgc6_zrzOt864zrXPjc-C", false, { job: "titan", name: "Προμηθεύς" }],
  ])("%s %s", (job, rest, b64, expected) => expect(labelsOf(job, rest, b64)).toEqual(expected));

  it.each([
    ["j", "/instance", false, 'odd number of components in label string "/instance"'],
    ["a", "/b/c/", false, 'odd number of components in label string "/b/c/"'],
    ["j", "/a=b/1", false, 'improper label name "a=b"'],
    ["j", "/1x/1", false, 'improper label name "1x"'],
    ["j", "/__x/1", false, 'improper label name "__x"'],
    ["foo.bar", "", true, 'invalid base64 encoding in job name "": illegal base64 data at input byte 3'],
    ["j", "/x@base64/foo.bar", false, 'invalid base64 encoding for label x="foo.bar": illegal base64 data at input byte 3'],
    ["=", "", true, "job name is required"],
    ["=", "/1x/y", true, 'improper label name "1x"'],
  ])("%s %s rejected", (job, rest, b64, message) => expect(labelsOf(job, rest, b64)).toBe(message));

  it("marks invalid UTF-8 values for the consistency check", () => {
    const r = parseGroupingPath("inv", "/x/\xff", false);
    expect(r.ok && [...r.grouping.invalidUtf8.keys()]).toEqual(["x"]);
  });
});

describe("decodeBase64Url reproduces Go's errors", () => {
  it.each([
    ["a", "illegal base64 data at input byte 0"],
    ["Y=Q", "illegal base64 data at input byte 1"],
    ["abcde", "illegal base64 data at input byte 4"],
    ["ab+c", "illegal base64 data at input byte 2"],
  ])("%s", (s, err) => expect(decodeBase64Url(s).error).toBe(err));
  it("returns bytes decoded before the failing quantum", () => expect(decodeBase64Url("Zm9vYmFy.").bytes.toString()).toBe("foobar"));
});

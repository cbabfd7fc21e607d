import { describe, expect, it } from "vitest";
import { FilterError, matchesFilter, parseFilter, tokenize, type FilterSubject } from "../../../lib/dashboard/filter";

function subject(labels: Record<string, string>, extra: string[] = [], status: "fresh" | "stale" | "failed" | "stale+failed" = "fresh"): FilterSubject {
  const m = new Map(Object.entries(labels));
  return {
    labels: m,
    haystack: [...[...m].map(([k, v]) => `${k}=${v}`), ...extra].join("\n").toLowerCase(),
    stale: status.includes("stale"),
    failed: status.includes("failed"),
  };
}

describe("tokenize", () => {
  it.each([
    ["", []],
    ["  a  b ", ["a", "b"]],
    ['job="nightly backup" x', ["job=nightly backup", "x"]],
    ['"a \\"q\\" \\\\ b"', ['a "q" \\ b']],
    ['job=""', ["job="]],
  ])("%j", (input, want) => expect(tokenize(input)).toEqual(want));
  it("rejects an unterminated quote", () => expect(() => tokenize('job="x')).toThrow(FilterError));
});

describe("parseFilter", () => {
  it("classifies terms", () => {
    const f = parseFilter("backup job=a env!=prod instance=~web-.* zone!~eu.* is:stale");
    expect(
      f.terms.map((t) =>
        t.kind === "label"
          ? `${t.name}${t.op}${t.value}`
          : t.kind === "text"
            ? `text:${t.text}`
            : t.kind === "status"
              ? `is:${t.status}`
              : t.kind === "selector"
                ? t.selector.text
                : `has:${t.what}`,
      ),
    ).toEqual(["text:backup", "job=a", "env!=prod", "instance=~web-.*", "zone!~eu.*", "is:stale"]);
  });
  it("reports a bad regex with the regex in the message", () => expect(() => parseFilter("job=~(")).toThrow(/invalid regular expression "\("/));
  it("reports an unknown status", () => expect(() => parseFilter("is:sleepy")).toThrow(FilterError));
  it("lowercases free text", () => expect(parseFilter("BackUp").terms).toEqual([{ kind: "text", text: "backup" }]));
});

describe("matchesFilter", () => {
  const s = subject({ job: "backup", instance: "db-1", env: "prod" }, ["backup_last_success_seconds"]);
  it.each([
    ["", true],
    ["backup", true],
    ["BACKUP", true],
    ["last_success", true],
    ["nomatch", false],
    ["job=backup", true],
    ["job=back", false],
    ["job!=backup", false],
    ["job!=other", true],
    ["instance=~db-.*", true],
    ["instance=~db", false],
    ["instance!~db-.*", false],
    ["instance=~(?i)DB-1", true],
    ["zone=", true],
    ["zone!=", false],
    ["job=backup env=prod", true],
    ["job=backup env=dev", false],
    ["is:fresh", true],
    ["is:stale", false],
    ['job="backup"', true],
    ["env=~pr.*|dev", true],
  ])("%j → %s", (q, want) => expect(matchesFilter(parseFilter(q), s)).toBe(want));

  it("is:stale and is:failed are independent facts; is:fresh is neither", () => {
    const is = (f: string, st: Parameters<typeof subject>[2]) => matchesFilter(parseFilter(f), subject({ job: "a" }, [], st));
    expect(is("is:stale", "stale")).toBe(true);
    expect(is("is:failed", "failed")).toBe(true);
    expect(is("is:failed", "stale")).toBe(false);
    // A stopped pusher whose last attempt was rejected: both stale and failed, never fresh.
    expect(is("is:stale", "stale+failed")).toBe(true);
    expect(is("is:failed", "stale+failed")).toBe(true);
    expect(is("is:stale is:failed", "stale+failed")).toBe(true);
    expect(is("is:fresh", "stale+failed")).toBe(false);
    expect(is("is:fresh", "failed")).toBe(false);
    expect(is("is:fresh", "fresh")).toBe(true);
  });

  it.each([
    ["is:stal", 0],
    ["job=a   is:nope", 8],
    ['job=a x="unterminated', 8],
    ["job=a instance=~(", 6],
    ['{job="a" x', 0],
    ['{job=~"("} a', 0],
  ])("a syntax error in %j says where: offset %i", (q, at) => {
    try {
      parseFilter(q);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(FilterError);
      expect((e as FilterError).position).toBe(at);
    }
  });
});

describe("selector terms", () => {
  const subject = (labels: Record<string, string>) => ({ labels: new Map(Object.entries(labels)), haystack: "", stale: false, failed: false });
  it("takes a Prometheus series selector beside the other terms", () => {
    const f = parseFilter('{job="backup", db=~"billing-.*"} is:fresh');
    expect(f.terms.map((t) => t.kind)).toEqual(["selector", "status"]);
    expect(matchesFilter(f, subject({ job: "backup", db: "billing-1" }))).toBe(true);
    expect(matchesFilter(f, subject({ job: "backup", db: "users" }))).toBe(false);
    expect(matchesFilter(parseFilter('x {job="a}b"}'), subject({ job: "a}b" }))).toBe(false); // "x" is text
    expect(matchesFilter(parseFilter('{job="a}b"}'), subject({ job: "a}b" }))).toBe(true);
  });
  it("says where a selector is wrong", () => {
    expect(() => parseFilter('{job="a"')).toThrow(/unclosed selector/);
    expect(() => parseFilter("{job=a}")).toThrow(/selector \{job=a\}: expected a quoted value/);
    expect(() => parseFilter("{}")).toThrow(/at least one matcher/);
  });
});

import { describe, expect, it } from "vitest";
import { formatPrometheusDuration, parsePrometheusDuration } from "../../../lib/lifecycle/prom-duration";
import { parseSelector, SelectorError } from "../../../lib/lifecycle/selector";
import { LifecycleConfigError, parseLifecycleConfig, resolveLifecycle } from "../../../lib/lifecycle/rules";

const L = (o: Record<string, string>) => new Map(Object.entries(o));

describe("Prometheus durations", () => {
  it("parses every unit, largest first, as prometheus/common does", () => {
    expect(parsePrometheusDuration("30s")).toBe(30_000);
    expect(parsePrometheusDuration("5m")).toBe(300_000);
    expect(parsePrometheusDuration("6h")).toBe(6 * 3600_000);
    expect(parsePrometheusDuration("2d")).toBe(2 * 86400_000);
    expect(parsePrometheusDuration("1w")).toBe(7 * 86400_000);
    expect(parsePrometheusDuration("1y")).toBe(365 * 86400_000);
    expect(parsePrometheusDuration("1h30m")).toBe(5400_000);
    expect(parsePrometheusDuration("1s500ms")).toBe(1500);
    expect(parsePrometheusDuration("0")).toBe(0);
  });
  it("refuses what Prometheus refuses", () => {
    for (const bad of ["", "5", "m", "1.5h", "30m1h", "1h1h", "-5m", "5 m", "1x", "1d ", "9".repeat(20) + "s"]) {
      expect(() => parsePrometheusDuration(bad), bad).toThrow();
    }
  });
  it("formats back to the shortest spelling", () => {
    expect(formatPrometheusDuration(5400_000)).toBe("1h30m");
    expect(formatPrometheusDuration(86400_000)).toBe("1d");
    expect(formatPrometheusDuration(0)).toBe("0s");
  });
});

describe("series selectors over grouping labels", () => {
  it("matches =, !=, =~ and !~ with a missing label as empty", () => {
    const s = parseSelector('{job=~"ci-.*", env!="prod"}');
    expect(s.matches(L({ job: "ci-build" }))).toBe(true);
    expect(s.matches(L({ job: "ci-build", env: "prod" }))).toBe(false);
    expect(s.matches(L({ job: "xci-build" }))).toBe(false); // anchored
    expect(parseSelector('{job="a", instance=""}').matches(L({ job: "a" }))).toBe(true);
    expect(parseSelector('{job="a",instance!~"web-[0-9]+"}').matches(L({ job: "a", instance: "web-12" }))).toBe(false);
  });
  it("accepts all three quote styles, Go escapes and a trailing comma", () => {
    expect(parseSelector(`{job='a\\'b'}`).matches(L({ job: "a'b" }))).toBe(true);
    expect(parseSelector("{job=`a\\b`}").matches(L({ job: "a\\b" }))).toBe(true);
    expect(parseSelector('{job="\\u00e9t\\x41",}').matches(L({ job: "étA" }))).toBe(true);
    expect(parseSelector('{ job = "a" , env="b" }').text).toBe('{job="a",env="b"}');
  });
  it("refuses what could select everything, and says where a selector is wrong", () => {
    expect(() => parseSelector("{}")).toThrow(/at least one matcher/);
    expect(() => parseSelector('{job=~".*"}')).toThrow(/at least one matcher/);
    expect(() => parseSelector('{job!="x"}')).toThrow(/at least one matcher/);
    expect(() => parseSelector('up{job="a"}')).toThrow(/no metric name/);
    expect(() => parseSelector('{job="a"')).toThrow(/position 9/);
    expect(() => parseSelector('{job=~"("}')).toThrow(/invalid regular expression/);
    expect(() => parseSelector('{job=="a"}')).toThrow(SelectorError);
    expect(() => parseSelector('{job="a"} x')).toThrow(/after the selector/);
    expect(() => parseSelector('{9job="a"}')).toThrow(/label name/);
  });
  it("matches in linear time (RE2): a catastrophic pattern for a backtracking engine returns at once", () => {
    const s = parseSelector('{instance=~"(a|a)+", job="x"}');
    // A backtracking engine takes minutes on this; RE2 answers in microseconds (no timing asserted, it just returns).
    expect(s.matches(L({ job: "x", instance: "a".repeat(40) + "b" }))).toBe(false);
    expect(s.matches(L({ job: "x", instance: "a".repeat(40) }))).toBe(true);
  });
});

describe("lifecycle rules file", () => {
  const FILE = `rules:
  - match: '{job="nightly-backup"}'   # declared cadence
    expect_every: 24h
  - match: '{job=~"ci-.*", env!="prod"}'
    expire_after: 6h
  - match: '{job=~".+"}'
    expect_every: 1h
    expire_after: 30d
`;
  it("parses rules with their index and line", () => {
    const r = parseLifecycleConfig(FILE, "rules.yml");
    expect(r.rules.map((x) => [x.index, x.line, x.match.text, x.expectEveryMs, x.expireAfterMs])).toEqual([
      [0, 2, '{job="nightly-backup"}', 86400_000, undefined],
      [1, 4, '{job=~"ci-.*",env!="prod"}', undefined, 6 * 3600_000],
      [2, 6, '{job=~".+"}', 3600_000, 30 * 86400_000],
    ]);
  });
  it("resolves each setting from the first rule that matches and sets it", () => {
    const r = parseLifecycleConfig(FILE, "rules.yml");
    const backup = resolveLifecycle(r, L({ job: "nightly-backup" }));
    expect([backup.expectEvery?.rule.index, backup.expectEvery?.ms, backup.expireAfter?.rule.index]).toEqual([0, 86400_000, 2]);
    const ci = resolveLifecycle(r, L({ job: "ci-7" }));
    expect([ci.expectEvery?.rule.index, ci.expireAfter?.rule.index, ci.expireAfter?.ms]).toEqual([2, 1, 6 * 3600_000]);
    const prodCi = resolveLifecycle(r, L({ job: "ci-7", env: "prod" }));
    expect(prodCi.expireAfter?.rule.index).toBe(2);
    expect(resolveLifecycle(parseLifecycleConfig("rules: []\n", "x"), L({ job: "a" }))).toEqual({});
  });
  it("an empty file or empty list means no rules", () => {
    expect(parseLifecycleConfig("", "x").rules).toEqual([]);
    expect(parseLifecycleConfig("rules:\n", "x").rules).toEqual([]);
  });
  it("names the file and line of every mistake", () => {
    const cases: [string, RegExp][] = [
      ["rules:\n  - match: '{job=\"a\"}'\n    expire_after: 6 hours\n", /^f\.yml:3: rule 0: expire_after: not a valid duration/],
      ["rules:\n  - match: '{job=}'\n    expire_after: 6h\n", /^f\.yml:2: rule 0: match: expected a quoted value/],
      ["rules:\n  - expire_after: 6h\n", /^f\.yml:2: rule 0: "match" is required/],
      ["rules:\n  - match: '{job=\"a\"}'\n", /^f\.yml:2: rule 0: sets nothing/],
      ["rules:\n  - match: '{job=\"a\"}'\n    expire_afer: 6h\n", /^f\.yml:3: rule 0: unknown key "expire_afer"/],
      ["rule:\n  - match: x\n", /^f\.yml:1: unknown key "rule"/],
      ["rules: {a: 1}\n", /^f\.yml:1: "rules" must be a list/],
      ["rules:\n  - match: '{job=\"a\"}'\n    expire_after: 0\n", /^f\.yml:3: rule 0: expire_after must be longer than 0/],
      ["rules:\n  - match: [1\n", /^f\.yml:\d+: /],
    ];
    for (const [text, re] of cases) {
      let msg = "";
      try {
        parseLifecycleConfig(text, "f.yml");
      } catch (err) {
        expect(err).toBeInstanceOf(LifecycleConfigError);
        msg = (err as Error).message;
      }
      expect(msg, text).toMatch(re);
    }
  });
});

describe("audit trail in memory", () => {
  it("answers newest first, at most the limit, none older than the retention", async () => {
    const { AuditTrail } = await import("../../../lib/store/audit-trail");
    const t = new AuditTrail(3, 1000);
    const e = (timeMs: number) => ({ timeMs, action: "delete" as const, source: "api" as const, labels: [], series: 0, groups: 1 });
    for (const ms of [100, 5000, 5100, 5200, 5300]) t.append(e(ms));
    expect(t.newest(10, 5500).map((x) => x.timeMs)).toEqual([5300, 5200, 5100]);
    expect(t.newest(2, 5500).map((x) => x.timeMs)).toEqual([5300, 5200]);
    expect(t.newest(10, 6150).map((x) => x.timeMs)).toEqual([5300, 5200]);
    t.dropNewest(1);
    expect(t.newest(10, 5500).map((x) => x.timeMs)).toEqual([5200, 5100, 5000]);
  });
});

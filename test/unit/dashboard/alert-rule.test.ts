// The detail page's alert rule and Prometheus links. The rule file is checked by the real promtool: `check rules`
// for label values that stress YAML, PromQL and Go templates, and `test rules` for the rule firing exactly when
// the group has not pushed for its stale-after.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { LabelPair } from "../../../lib/exposition/model";
import { formatGroupingLabels } from "../../../lib/grouping/grouping-key";
import { alertRuleYaml, prometheusGraphUrl, pushAgeExpr } from "../../../lib/dashboard/prometheus";
import { requireProgram } from "../../system-deps.mjs";

const PROMTOOL = requireProgram("promtool");
const dir = mkdtempSync(path.join(tmpdir(), "pushboard-alert-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const L = (o: Record<string, string>): LabelPair[] => Object.entries(o).map(([name, value]) => ({ name, value }));

function promtool(args: string[]): { ok: boolean; out: string } {
  try {
    return { ok: true, out: execFileSync(PROMTOOL!, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }) };
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string };
    return { ok: false, out: `${err.stdout ?? ""}${err.stderr ?? ""}` };
  }
}

describe("Prometheus expressions", () => {
  it('selects exactly the group (instance="" when the key has none)', () => {
    expect(pushAgeExpr(L({ database: "billing", job: "backup_postgres" }))).toBe(
      'time() - push_time_seconds{job="backup_postgres",database="billing",instance=""}',
    );
    expect(pushAgeExpr(L({ job: "api", instance: "web-1" }))).toBe('time() - push_time_seconds{job="api",instance="web-1"}');
    expect(pushAgeExpr(L({ job: 'a"b\\c' }))).toBe('time() - push_time_seconds{job="a\\"b\\\\c",instance=""}');
  });
  it("links to /graph?g0.expr=… with the expression escaped", () => {
    const url = prometheusGraphUrl("http://prom:9090/", pushAgeExpr(L({ job: "a&b", x: "50% #1" })));
    expect(url).toMatch(/^http:\/\/prom:9090\/graph\?g0\.expr=/);
    const parsed = new URL(url);
    expect(parsed.searchParams.get("g0.expr")).toBe('time() - push_time_seconds{job="a&b",x="50% #1",instance=""}');
    expect(parsed.searchParams.get("g0.tab")).toBe("0");
    expect(url).not.toMatch(/[ #"{}]/);
  });
});

describe.skipIf(!PROMTOOL)("alert rule accepted by promtool", () => {
  it.each([
    [L({ job: "backup_postgres", database: "billing" })],
    [L({ job: "it's", note: "{{ .Value }} }}{{{", quote: '"', instance: "" })],
    [L({ job: "x", multi: "line\nbreak", tab: "\t#: - [y]", unicode: "☃ café" })],
  ])("check rules: %j", (labels) => {
    const file = path.join(dir, `rules-${Math.random().toString(36).slice(2)}.yml`);
    writeFileSync(file, alertRuleYaml(labels, 180_000, formatGroupingLabels(labels)));
    const r = promtool(["check", "rules", file]);
    expect(r.out).toMatch(/SUCCESS: 1 rules found/);
    expect(r.ok).toBe(true);
  });

  it("test rules: fires once the group is older than its stale-after, for that group only", () => {
    const labels = L({ job: "backup_postgres", database: "billing" });
    writeFileSync(path.join(dir, "rules.yml"), alertRuleYaml(labels, 180_000, formatGroupingLabels(labels)));
    // push_time_seconds stops changing at 10m (the last push at t=600 s); another database keeps pushing.
    const stopped = Array.from({ length: 41 }, (_, i) => (i <= 20 ? i * 30 : 600)).join(" ");
    const live = Array.from({ length: 41 }, (_, i) => i * 30).join(" ");
    writeFileSync(
      path.join(dir, "test.yml"),
      [
        "rule_files: [rules.yml]",
        "evaluation_interval: 30s",
        "tests:",
        "  - interval: 30s",
        "    input_series:",
        `      - series: 'push_time_seconds{job="backup_postgres",database="billing"}'`,
        `        values: '${stopped}'`,
        `      - series: 'push_time_seconds{job="backup_postgres",database="sales"}'`,
        `        values: '${live}'`,
        "    alert_rule_test:",
        "      - eval_time: 12m",
        "        alertname: PushGroupStale",
        "        exp_alerts: []",
        "      - eval_time: 14m",
        "        alertname: PushGroupStale",
        "        exp_alerts:",
        "          - exp_labels: { severity: warning, job: backup_postgres, database: billing }",
        "            exp_annotations:",
        `              summary: 'No push from {job="backup_postgres", database="billing"} for 4m 0s'`,
        '              description: "The group was expected to push at least every 180s (pushboard\'s stale-after for it)."',
        "",
      ].join("\n"),
    );
    const r = promtool(["test", "rules", path.join(dir, "test.yml")]);
    expect(r.out).toMatch(/SUCCESS/);
    expect(r.ok).toBe(true);
  });
});

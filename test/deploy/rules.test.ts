// The alert rules for Prometheus without the operator (deploy/kubernetes/monitoring/prometheus): Debian's
// promtool checks them and runs their unit tests, in which every alert fires on a synthetic series and stays
// silent on healthy ones. A broken copy of the rules must fail those tests, so they cannot pass vacuously.
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { requireTool } from "../clients/common";
import { ROOT } from "../helpers/servers";

const DIR = path.join(ROOT, "deploy/kubernetes/monitoring/prometheus");
const hasPromtool = requireTool("promtool", spawnSync("promtool", ["--version"]).status === 0, "apt-get install prometheus; see test/setup.sh");

function promtool(cwd: string, ...args: string[]) {
  const r = spawnSync("promtool", args, { cwd, encoding: "utf8" });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

describe.skipIf(!hasPromtool)("monitoring rules under promtool", () => {
  const broken = mkdtempSync(path.join(tmpdir(), "pushboard-rules-"));
  afterAll(() => rmSync(broken, { recursive: true, force: true }));

  it("promtool check rules accepts the rule file", () => {
    const r = promtool(DIR, "check", "rules", "pushboard.rules.yml");
    expect(r.out).toContain("SUCCESS: 5 rules found");
    expect(r.status).toBe(0);
  });

  it("promtool test rules: each alert fires on its synthetic series", () => {
    const tests = readFileSync(path.join(DIR, "pushboard.rules.test.yml"), "utf8");
    for (const alert of ["PushedGroupOverdue", "PushedGroupFailing", "PushgatewayDown", "PushgatewayAbsent", "PushgatewayNotReady"]) {
      // Each alert has at least one expectation that it fires (exp_alerts with labels), not only silences.
      expect(tests).toMatch(new RegExp(`alertname: ${alert}\\n\\s+exp_alerts:\\n\\s+- exp_labels:`));
    }
    const r = promtool(DIR, "test", "rules", "pushboard.rules.test.yml");
    expect(r.out).toContain("SUCCESS");
    expect(r.status).toBe(0);
  });

  it("the rule tests fail when an alert's condition is wrong", () => {
    copyFileSync(path.join(DIR, "pushboard.rules.test.yml"), path.join(broken, "pushboard.rules.test.yml"));
    const rules = readFileSync(path.join(DIR, "pushboard.rules.yml"), "utf8");
    writeFileSync(path.join(broken, "pushboard.rules.yml"), rules.replace("expr: pushboard_group_up == 0", "expr: pushboard_group_up == 1"));
    const r = promtool(broken, "test", "rules", "pushboard.rules.test.yml");
    expect(r.status).not.toBe(0);
    expect(r.out).toContain("alertname: PushedGroupOverdue");
  });
});

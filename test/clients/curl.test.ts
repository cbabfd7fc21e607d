// curl exactly as the upstream Pushgateway README uses it (and the Kubernetes CronJob seeds do), against
// pushboard. Port 19245.
import { execFileSync, spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPushboard, type RunningServer } from "../helpers/servers";
import { requireProgram } from "../system-deps.mjs";
import { apiGroups, findGroup, getText, pushboardBuilt, until } from "./common";

const enabled = pushboardBuilt() && requireProgram("curl") !== undefined && requireProgram("bash") !== undefined;
const PORT = 19245;
const GW = `http://127.0.0.1:${PORT}`;

/** Runs a shell snippet (with $GW set) and returns stdout; fails on a non-zero exit. */
function sh(script: string): string {
  return execFileSync("bash", ["-euo", "pipefail", "-c", script], { env: { ...process.env, GW }, encoding: "utf8", timeout: 20_000 });
}

describe.skipIf(!enabled)("curl as in the upstream README", () => {
  let pb: RunningServer;
  beforeAll(async () => {
    pb = await startPushboard(PORT);
  });
  afterAll(async () => {
    await pb?.stop();
  });

  it('echo "some_metric 3.14" | curl --data-binary @- …/metrics/job/some_job', async () => {
    const out = sh('echo "some_metric 3.14" | curl -sS --fail-with-body -w "%{http_code}" --data-binary @- "$GW/metrics/job/some_job"');
    expect(out).toBe("200");
    const text = await getText(`${GW}/metrics`);
    expect(text).toContain('some_metric{instance="",job="some_job"} 3.14\n');
    expect(text).toMatch(/^push_time_seconds\{instance="",job="some_job"\} \d\.\d+e\+09$/m);
    expect(text).toContain('push_failure_time_seconds{instance="",job="some_job"} 0\n');
    expect(text).toContain("# TYPE some_metric untyped\n");
  });

  const README_MULTI = `cat <<EOF | curl -sS -w "%{http_code}" --data-binary @- "$GW/metrics/job/some_job/instance/some_instance"
# TYPE some_metric counter
some_metric{label="val1"} 42
# TYPE another_metric gauge
# HELP another_metric Just an example.
another_metric 2398.283
EOF`;

  it("the README's second example conflicts with the first one (some_metric untyped vs counter), as upstream", async () => {
    const out = sh(README_MULTI);
    expect(out).toMatch(
      /^pushed metrics are invalid or inconsistent with existing metrics: collected metric "some_metric" \{.*\} is not a (COUNTER|UNTYPED)\n400$/s,
    );
  });

  it("curl -X DELETE …/metrics/job/some_job", async () => {
    expect(sh('curl -sS -w "%{http_code}" -X DELETE "$GW/metrics/job/some_job"')).toBe("202");
    await until(async () => !findGroup(await apiGroups(GW), { job: "some_job" }), 3000);
    // (the rejected push above left {job=some_job,instance=some_instance} with a failure time, as upstream)
    expect(await getText(`${GW}/metrics`)).not.toContain('{instance="",job="some_job"}');
  });

  it("cat <<EOF | curl --data-binary @- …/metrics/job/some_job/instance/some_instance (TYPE and HELP)", async () => {
    expect(sh(README_MULTI)).toBe("200");
    const text = await getText(`${GW}/metrics`);
    expect(text).toContain("# HELP another_metric Just an example.\n# TYPE another_metric gauge\n");
    expect(text).toContain('another_metric{instance="some_instance",job="some_job"} 2398.283\n');
    expect(text).toContain('# TYPE some_metric counter\nsome_metric{instance="some_instance",job="some_job",label="val1"} 42\n');
    expect(text).toMatch(/^push_time_seconds\{instance="some_instance",job="some_job"\} \d\.\d+e\+09$/m);
    expect(findGroup(await apiGroups(GW), { job: "some_job", instance: "some_instance" })?.last_push_successful).toBe(true);
  });

  it("curl -X DELETE …/metrics/job/some_job/instance/some_instance", async () => {
    expect(sh('curl -sS -w "%{http_code}" -X DELETE "$GW/metrics/job/some_job/instance/some_instance"')).toBe("202");
    await until(async () => (await apiGroups(GW)).length === 0, 3000);
    expect(await getText(`${GW}/metrics`)).not.toContain("some_job");
  });

  it("Kubernetes CronJob style: cat file | curl --data-binary @- with a base64 grouping label, then -X PUT", async () => {
    const out = sh(`printf '# TYPE backup_last_success_timestamp_seconds gauge\\nbackup_last_success_timestamp_seconds 1.7e+09\\n' > /tmp/pushboard-curl-$$.prom
curl -sS --fail-with-body -w "%{http_code}" --data-binary @/tmp/pushboard-curl-$$.prom "$GW/metrics/job/backup/path@base64/$(printf /var/backups | base64 | tr '+/' '-_' | tr -d '=')"
curl -sS --fail-with-body -w "%{http_code}" -X PUT --data-binary @/tmp/pushboard-curl-$$.prom "$GW/metrics/job/backup/path@base64/L3Zhci9iYWNrdXBz"
rm -f /tmp/pushboard-curl-$$.prom`);
    expect(out).toBe("200200");
    expect(await getText(`${GW}/metrics`)).toContain('backup_last_success_timestamp_seconds{instance="",job="backup",path="/var/backups"} 1.7e+09\n');
  });

  it("a bad push shows the error text to the curl user", () => {
    const r = spawnSync("bash", ["-c", 'echo "some_metric 3.14 notats" | curl -sS --data-binary @- "$GW/metrics/job/some_job"'], {
      env: { ...process.env, GW },
      encoding: "utf8",
    });
    expect(r.stdout).toBe('text format parsing error in line 1: expected integer as timestamp, got "notats"\n');
  });
});

// A real Prometheus evaluating the alert that replaces `up == 0` for pushed jobs: pushboard_group_up == 0 fires
// once a pusher stops (short cadence), and not while it pushes. Ports 19913 (pushboard), 19914 (Prometheus).
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPushboard, type RunningServer } from "../helpers/servers";
import { pushboardBuilt, sleep, until } from "../clients/common";
import { requireProgram } from "../system-deps.mjs";
import { pollPrometheus } from "../helpers/prometheus";

const PB_PORT = 19913;
const PROM_PORT = 19914;
const PROMETHEUS = requireProgram("prometheus");
const enabled = pushboardBuilt() && PROMETHEUS !== undefined;

interface Alert {
  labels: Record<string, string>;
  state: "pending" | "firing";
}

/** Prometheus' active alerts; none while it is still starting (it answers 503 then). */
async function alerts(): Promise<Alert[]> {
  try {
    const j = (await (await fetch(`http://127.0.0.1:${PROM_PORT}/api/v1/alerts`)).json()) as { data: { alerts: Alert[] } };
    return j.data.alerts;
  } catch {
    return [];
  }
}

describe.skipIf(!enabled)("alerting on pushboard_group_up in a real Prometheus", () => {
  let pb: RunningServer;
  let prom: ChildProcess | undefined;
  let promOut = "";
  let dir = "";
  let pusher: NodeJS.Timeout | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "pushboard-alert-"));
    const rules = path.join(dir, "lifecycle.yml");
    writeFileSync(rules, "rules:\n  - match: '{job=\"worker\"}'\n    expect_every: 3s\n");
    pb = await startPushboard(PB_PORT, { args: [`--lifecycle.config.file=${rules}`] });
    writeFileSync(
      path.join(dir, "alerts.yml"),
      [
        "groups:",
        "  - name: pushed-jobs",
        "    rules:",
        "      - alert: PushedGroupOverdue",
        "        expr: pushboard_group_up == 0",
        "        labels: { severity: warning }",
        "",
      ].join("\n"),
    );
    writeFileSync(
      path.join(dir, "prometheus.yml"),
      [
        "global: { scrape_interval: 1s, evaluation_interval: 1s }",
        `rule_files: ['${path.join(dir, "alerts.yml")}']`,
        "scrape_configs:",
        "  - job_name: pushboard",
        "    honor_labels: true",
        `    static_configs: [{ targets: ['127.0.0.1:${PB_PORT}'] }]`,
        "",
      ].join("\n"),
    );
    prom = spawn(
      PROMETHEUS!,
      [
        `--config.file=${path.join(dir, "prometheus.yml")}`,
        `--storage.tsdb.path=${path.join(dir, "data")}`,
        `--web.listen-address=127.0.0.1:${PROM_PORT}`,
        "--log.level=warn",
      ],
      {
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    prom.stdout!.on("data", (d) => (promOut += d));
    prom.stderr!.on("data", (d) => (promOut += d));
  });

  afterAll(async () => {
    if (pusher) clearInterval(pusher);
    if (prom && prom.exitCode === null) {
      const exited = new Promise((r) => prom!.on("exit", r));
      prom.kill("SIGTERM");
      await Promise.race([exited, sleep(10_000)]);
      if (prom.exitCode === null) prom.kill("SIGKILL");
    }
    await pb?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("does not fire while the worker pushes on its cadence, fires after it stops", async () => {
    const pushOnce = () => fetch(`${pb.url}/metrics/job/worker/instance/w1`, { method: "PUT", body: "work_done 1\n" });
    expect((await pushOnce()).status).toBe(200);
    pusher = setInterval(() => void pushOnce().catch(() => {}), 1000);
    // Prometheus has scraped the group as up (several evaluations) and raised nothing.
    const seen = await pollPrometheus<{ value: [number, string] }>(PROM_PORT, 'pushboard_group_up{job="worker"}', (r) => r[0]?.value[1] === "1", 30_000);
    expect(seen[0]?.value[1], `Prometheus log:\n${promOut}`).toBe("1");
    await sleep(3000); // several evaluations with the pusher alive
    expect(await alerts()).toEqual([]);
    clearInterval(pusher);
    pusher = undefined;
    const fired = await until(async () => (await alerts()).find((a) => a.labels.alertname === "PushedGroupOverdue" && a.state === "firing"), 30_000, 250);
    expect(fired?.labels).toMatchObject({ alertname: "PushedGroupOverdue", job: "worker", instance: "w1", severity: "warning" });
  }, 90_000);
});

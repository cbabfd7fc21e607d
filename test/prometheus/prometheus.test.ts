// A real Prometheus (Debian package) scraping pushboard with honor_labels: true every second: pushed series must
// show up with their job/instance/grouping labels, an empty instance must stay absent (not replaced by the
// target's), and up == 1. Plus `promtool check metrics` on a store holding every metric type.
// Ports 19250 (pushboard), 19251 (Prometheus).
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPushboard, type RunningServer } from "../helpers/servers";
import { pushboardBuilt, sleep } from "../clients/common";
import { requireProgram } from "../system-deps.mjs";
import { pollPrometheus } from "../helpers/prometheus";

const PB_PORT = 19250;
const PROM_PORT = 19251;
const PROMETHEUS = requireProgram("prometheus");
const PROMTOOL = requireProgram("promtool");
const enabled = pushboardBuilt() && PROMETHEUS !== undefined && PROMTOOL !== undefined;

interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

const pollQuery = (q: string, check: (r: Sample[]) => boolean, timeoutMs = 30_000) => pollPrometheus<Sample>(PROM_PORT, q, check, timeoutMs);

async function push(method: string, p: string, body: string): Promise<number> {
  return (await fetch(`http://127.0.0.1:${PB_PORT}${p}`, { method, body })).status;
}

describe.skipIf(!enabled)("real Prometheus and promtool", () => {
  let pb: RunningServer;
  let prom: ChildProcess | undefined;
  let promOut = "";
  let dir = "";

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "pushboard-prometheus-"));
    pb = await startPushboard(PB_PORT);
    writeFileSync(
      path.join(dir, "prometheus.yml"),
      [
        "global:",
        "  scrape_interval: 1s",
        "  evaluation_interval: 1s",
        "scrape_configs:",
        "  - job_name: pushboard",
        "    honor_labels: true",
        "    static_configs:",
        `      - targets: ['127.0.0.1:${PB_PORT}']`,
        "",
      ].join("\n"),
    );
    prom = spawn(
      "prometheus",
      [
        `--config.file=${path.join(dir, "prometheus.yml")}`,
        `--storage.tsdb.path=${path.join(dir, "data")}`,
        `--web.listen-address=127.0.0.1:${PROM_PORT}`,
        "--log.level=warn",
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    prom.stdout!.on("data", (d) => (promOut += d));
    prom.stderr!.on("data", (d) => (promOut += d));
  });

  afterAll(async () => {
    if (prom && prom.exitCode === null) {
      const exited = new Promise((r) => prom!.on("exit", r));
      prom.kill("SIGTERM");
      await Promise.race([exited, sleep(10_000)]);
      if (prom.exitCode === null) prom.kill("SIGKILL");
    }
    await pb?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("pushed series reach Prometheus with their grouping labels, and up == 1", async () => {
    expect(
      await push(
        "PUT",
        "/metrics/job/batch/instance/i1/zone/eu",
        '# HELP batch_records_total Records.\n# TYPE batch_records_total counter\nbatch_records_total{table="users"} 42\n',
      ),
    ).toBe(200);
    expect(await push("PUT", "/metrics/job/nightly", "# TYPE nightly_last_success_seconds gauge\nnightly_last_success_seconds 1.7e+09\n")).toBe(200);
    expect(
      await push(
        "PUT",
        "/metrics/job@base64/dGVhbS9iYXRjaA/path@base64/L3Zhci90bXA",
        '# TYPE lat_seconds histogram\nlat_seconds_bucket{le="1"} 1\nlat_seconds_bucket{le="+Inf"} 2\nlat_seconds_sum 3\nlat_seconds_count 2\n',
      ),
    ).toBe(200);

    const up = await pollQuery('up{job="pushboard"}', (r) => r.length === 1 && r[0]!.value[1] === "1");
    expect(
      up.map((s) => s.value[1]),
      `up; Prometheus log:\n${promOut}`,
    ).toEqual(["1"]);

    const rec = await pollQuery("batch_records_total", (r) => r.length > 0);
    expect(rec.map((s) => s.metric)).toEqual([{ __name__: "batch_records_total", job: "batch", instance: "i1", zone: "eu", table: "users" }]);
    expect(rec[0]!.value[1]).toBe("42");

    // honor_labels: the empty instance of a group without one stays empty, i.e. absent in Prometheus.
    const nightly = await pollQuery("nightly_last_success_seconds", (r) => r.length > 0);
    expect(nightly.map((s) => s.metric)).toEqual([{ __name__: "nightly_last_success_seconds", job: "nightly" }]);
    expect(nightly[0]!.value[1]).toBe("1700000000");

    const hist = await pollQuery('lat_seconds_bucket{le="+Inf"}', (r) => r.length > 0);
    expect(hist.map((s) => s.metric)).toEqual([{ __name__: "lat_seconds_bucket", job: "team/batch", path: "/var/tmp", le: "+Inf" }]);
    const q = await pollQuery('histogram_quantile(0.5, lat_seconds_bucket{job="team/batch"})', (r) => r.length > 0);
    expect(Number(q[0]?.value[1])).toBe(1);

    const pt = await pollQuery('push_time_seconds{job="batch"}', (r) => r.length > 0);
    expect(pt[0]?.metric).toEqual({ __name__: "push_time_seconds", job: "batch", instance: "i1", zone: "eu" });
    expect(Number(pt[0]?.value[1])).toBeGreaterThan(1.6e9);
  }, 90_000);

  it("a deleted group disappears from the next scrapes (stale)", async () => {
    expect(await push("DELETE", "/metrics/job/nightly", "")).toBe(202);
    const r = await pollQuery("nightly_last_success_seconds", (x) => x.length === 0);
    expect(r).toEqual([]);
  }, 60_000);

  it("Prometheus negotiates its preferred format: names that clash in OpenMetrics (untyped x, counter x_total) still scrape", async () => {
    expect(await push("PUT", "/metrics/job/clash_a", "# TYPE clash_total counter\nclash_total 1\n")).toBe(200);
    expect(await push("PUT", "/metrics/job/clash_b", "clash 2\n# TYPE info_thing gauge\ninfo_thing 3\n")).toBe(200);
    const both = await pollQuery('{__name__=~"clash|clash_total"}', (r) => r.length === 2, 15_000);
    expect(both.map((s) => `${s.metric.__name__} ${s.value[1]}`).sort(), `Prometheus log:\n${promOut}`).toEqual(["clash 2", "clash_total 1"]);
    const up = await pollQuery('up{job="pushboard"}', (r) => r.length === 1);
    expect(up.map((s) => s.value[1])).toEqual(["1"]);
  }, 60_000);

  it("promtool check metrics accepts the scrape of a store holding every metric type", async () => {
    const body = [
      "# HELP all_events_total A counter.",
      "# TYPE all_events_total counter",
      'all_events_total{kind="a"} 3',
      "# HELP all_temperature_celsius A gauge.",
      "# TYPE all_temperature_celsius gauge",
      "all_temperature_celsius -3.5",
      "# HELP all_ratio An untyped metric.",
      "all_ratio 0.25",
      "# HELP all_size_bytes A summary.",
      "# TYPE all_size_bytes summary",
      'all_size_bytes{quantile="0.5"} 100',
      'all_size_bytes{quantile="0.9"} 300',
      "all_size_bytes_sum 400",
      "all_size_bytes_count 2",
      "# HELP all_latency_seconds A histogram.",
      "# TYPE all_latency_seconds histogram",
      'all_latency_seconds_bucket{le="0.1"} 1',
      'all_latency_seconds_bucket{le="1"} 3',
      'all_latency_seconds_bucket{le="+Inf"} 4',
      "all_latency_seconds_sum 2.5",
      "all_latency_seconds_count 4",
      "",
    ].join("\n");
    expect(await push("PUT", "/metrics/job/all_types/instance/x", body)).toBe(200);
    const text = await (await fetch(`http://127.0.0.1:${PB_PORT}/metrics`)).text();
    for (const t of ["counter", "gauge", "untyped", "summary", "histogram"]) expect(text).toContain(` ${t}\n`);
    const r = spawnSync(PROMTOOL!, ["check", "metrics"], { input: text, encoding: "utf8" });
    const lines = `${r.stdout}\n${r.stderr}`.split("\n").filter((l) => l.trim() !== "");
    // promtool exits 3 when it only has lint remarks, 1 on a parse error.
    const lint = lines.filter((l) => /^\S+ .+/.test(l) && !/error/i.test(l));
    const errors = lines.filter((l) => !lint.includes(l));
    if (lint.length) console.log(`promtool check metrics lint remarks (not failures):\n  ${lint.join("\n  ")}`);
    expect(errors, "promtool error lines").toEqual([]);
    expect([0, 3], `promtool exit code; output:\n${lines.join("\n")}`).toContain(r.status);
    // None of the lint remarks concern the pushed families (they are about runtime metrics' names).
    expect(lint.filter((l) => l.startsWith("all_"))).toEqual([]);
  }, 30_000);
});

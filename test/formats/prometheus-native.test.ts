// A real Prometheus 2.42 with --enable-feature=native-histograms scraping pushboard (honor_labels, 1 s interval):
// with that feature Prometheus asks for delimited protobuf first, so a native histogram pushed via protobuf must
// reach it intact; histogram_quantile(0.5, …) over it must give the value computed from its buckets. Classic
// series pushed as text must arrive too. Ports 19540 (pushboard), 19541 (Prometheus).
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Histogram } from "../../lib/exposition/model";
import { startPushboard, type RunningServer } from "../helpers/servers";
import { findProgram, requireProgram } from "../system-deps.mjs";
import { built, enabledOrSkip, fam, native, push, pushPb, sleep } from "./helpers";
import { pollPrometheus, queryPrometheus } from "../helpers/prometheus";

const PB_PORT = 19540;
const PROM_PORT = 19541;
const PROMETHEUS = requireProgram("prometheus") ?? "prometheus";
const enabled = enabledOrSkip(built(), "pushboard build (npm run build)") && findProgram("prometheus") !== undefined;

// Schema 0, integer counts: (1,2]: 2, (2,4]: 6, (4,8]: 2 → 10 observations. The median (rank 5) lies in (2, 4]:
// Prometheus interpolates within that bucket (linearly in 2.42: 2 + 2 × (5 − 2) / 6 = 3).
const NATIVE: Histogram = {
  sampleCount: 10,
  sampleSum: 31,
  bucket: [],
  schema: 0,
  zeroThreshold: 2.938735877055719e-39,
  zeroCount: 0,
  positiveSpan: [{ offset: 1, length: 3 }],
  positiveDelta: [2, 4, -4],
};

interface Sample {
  metric: Record<string, string>;
  value?: [number, string];
  histogram?: [number, { count: string; sum: string; buckets?: [number, string, string, string][] }];
}

const query = (q: string) => queryPrometheus<Sample>(PROM_PORT, q);

const poll = (q: string, check: (r: Sample[]) => boolean, timeoutMs = 40_000) => pollPrometheus<Sample>(PROM_PORT, q, check, timeoutMs, 300);

describe.skipIf(!enabled)("Prometheus (native histograms on) scraping pushboard via protobuf", () => {
  let pb: RunningServer;
  let prom: ChildProcess | undefined;
  let promOut = "";
  let dir = "";

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "pushboard-prom-native-"));
    pb = await startPushboard(PB_PORT);
    expect(
      (
        await pushPb(
          pb.url,
          "PUT",
          "/metrics/job/nh_batch/instance/i1",
          fam("nh_request_seconds", "HISTOGRAM", [native(NATIVE, { route: "/api" })], "Request latency."),
        )
      ).status,
    ).toBe(200);
    expect(
      (
        await push(
          pb.url,
          "PUT",
          "/metrics/job/nh_classic",
          '# TYPE nh_classic_records_total counter\nnh_classic_records_total{table="users"} 42\n# TYPE nh_classic_lat histogram\nnh_classic_lat_bucket{le="1"} 1\nnh_classic_lat_bucket{le="+Inf"} 2\nnh_classic_lat_sum 3\nnh_classic_lat_count 2\n',
        )
      ).status,
    ).toBe(200);
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
      PROMETHEUS,
      [
        `--config.file=${path.join(dir, "prometheus.yml")}`,
        `--storage.tsdb.path=${path.join(dir, "data")}`,
        `--web.listen-address=127.0.0.1:${PROM_PORT}`,
        "--enable-feature=native-histograms",
        "--log.level=warn",
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    prom.stdout!.on("data", (d) => (promOut += d));
    prom.stderr!.on("data", (d) => (promOut += d));
  });

  afterAll(async () => {
    if (prom && prom.exitCode === null && prom.signalCode === null) {
      const exited = new Promise((r) => prom!.on("exit", r));
      prom.kill("SIGTERM");
      await Promise.race([exited, sleep(10_000)]);
      if (prom.exitCode === null && prom.signalCode === null) prom.kill("SIGKILL");
    }
    await pb?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("the native histogram arrives whole and histogram_quantile(0.5) lies in the right bucket", async () => {
    const up = await poll('up{job="pushboard"}', (r) => r.length === 1 && r[0]!.value?.[1] === "1");
    expect(
      up.map((s) => s.value?.[1]),
      `up; Prometheus log:\n${promOut}`,
    ).toEqual(["1"]);

    // Stored as a native histogram (not as _bucket series): the instant query returns a histogram sample.
    const raw = await poll("nh_request_seconds", (r) => r.length === 1 && r[0]!.histogram !== undefined);
    expect(
      raw.map((s) => s.metric),
      `Prometheus log:\n${promOut}`,
    ).toEqual([{ __name__: "nh_request_seconds", job: "nh_batch", instance: "i1", route: "/api" }]);
    const h = raw[0]!.histogram![1];
    expect(h.count).toBe("10");
    expect(h.sum).toBe("31");
    expect(h.buckets).toEqual([
      [0, "1", "2", "2"],
      [0, "2", "4", "6"],
      [0, "4", "8", "2"],
    ]);
    expect(await query("nh_request_seconds_bucket")).toEqual([]);

    const q = await poll("histogram_quantile(0.5, nh_request_seconds)", (r) => r.length === 1);
    const median = Number(q[0]?.value?.[1]);
    expect(median, `histogram_quantile result ${JSON.stringify(q)}`).toBeGreaterThan(2);
    expect(median).toBeLessThanOrEqual(4);
    expect(median).toBeCloseTo(3, 6); // linear interpolation within (2, 4] in Prometheus 2.42
    const count = await query("histogram_count(nh_request_seconds)");
    expect(Number(count[0]?.value?.[1])).toBe(10);
  }, 90_000);

  it("classic series pushed as text arrive too (over the same protobuf scrape)", async () => {
    const rec = await poll("nh_classic_records_total", (r) => r.length === 1);
    expect(rec.map((s) => [s.metric, s.value?.[1]])).toEqual([[{ __name__: "nh_classic_records_total", job: "nh_classic", table: "users" }, "42"]]);
    const b = await poll('nh_classic_lat_bucket{le="+Inf"}', (r) => r.length === 1);
    expect(b[0]?.value?.[1]).toBe("2");
    const q = await poll("histogram_quantile(0.5, nh_classic_lat_bucket)", (r) => r.length === 1);
    expect(Number(q[0]?.value?.[1])).toBe(1);
    const pt = await poll('push_time_seconds{job="nh_batch"}', (r) => r.length === 1);
    expect(Number(pt[0]?.value?.[1])).toBeGreaterThan(1.6e9);
  }, 60_000);
});

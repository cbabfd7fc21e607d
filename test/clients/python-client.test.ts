// Debian's python3-prometheus-client pushing to pushboard: push_to_gateway, pushadd_to_gateway,
// delete_from_gateway, with a grouping key holding a value with '/', a unicode value and an empty value (the client
// base64-encodes '/' and empty values), and a counter, gauge, histogram and summary. The same pushes go to the
// oracle, and the stored shapes must match. Ports 19240-19241.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOracle, startPushboard, type RunningServer } from "../helpers/servers";
import { apiGroups, family, findGroup, findPython, getText, oracleInstalled, pushboardBuilt, storeShape, until } from "./common";

const python = findPython();
const enabled = pushboardBuilt() && oracleInstalled() && python !== undefined;
const SCRIPT = path.join(__dirname, "python_push.py");
const GROUP = { job: "py_batch", instance: "host:9100", path: "/var/tmp", name: "Προμηθεύς", empty: "" };
const SERIES = 'empty="",instance="host:9100",job="py_batch"';

describe.skipIf(!enabled)("python prometheus_client → pushboard", () => {
  let pb: RunningServer;
  let oracle: RunningServer;
  beforeAll(async () => {
    [pb, oracle] = await Promise.all([startPushboard(19240), startOracle(19241)]);
  });
  afterAll(async () => {
    await Promise.all([pb?.stop(), oracle?.stop()]);
  });

  function py(action: string, url: string): void {
    const r = spawnSync(python!, [SCRIPT, url, action], { encoding: "utf8", timeout: 30_000 });
    expect(r.stderr, `python ${action} stderr`).toBe("");
    expect(r.stdout.trim()).toBe(`ok ${action}`);
    expect(r.status).toBe(0);
  }
  /** Runs the action against both, and checks the stored shapes agree. */
  async function both(action: string): Promise<void> {
    py(action, pb.url);
    py(action, oracle.url);
    // The client's DELETE is answered 202 (queued on the oracle): wait until the two agree.
    const same = await until(async () => JSON.stringify(storeShape(await apiGroups(pb.url))) === JSON.stringify(storeShape(await apiGroups(oracle.url))), 3000);
    expect(storeShape(await apiGroups(pb.url)), `store after ${action}`).toEqual(storeShape(await apiGroups(oracle.url)));
    expect(same).toBe(true);
  }

  it("push_to_gateway: counter, gauge, histogram, summary under a base64/unicode/empty grouping key", async () => {
    await both("push");
    const text = await getText(`${pb.url}/metrics`);
    expect(text).toContain("# HELP py_jobs_total Jobs processed.\n# TYPE py_jobs_total counter\n");
    expect(text).toContain(`py_jobs_total{${SERIES},kind="a",name="Προμηθεύς",path="/var/tmp"} 3\n`);
    expect(text).toContain(`py_jobs_total{${SERIES},kind="b",name="Προμηθεύς",path="/var/tmp"} 1\n`);
    expect(text).toContain(`py_last_success_unixtime{${SERIES},name="Προμηθεύς",path="/var/tmp"} 1.2345678905e+09\n`);
    expect(text).toContain("# TYPE py_latency_seconds histogram\n");
    for (const [le, n] of [
      ["0.1", 1],
      ["1", 2],
      ["10", 3],
      ["+Inf", 4],
    ] as const) {
      expect(text).toContain(`py_latency_seconds_bucket{${SERIES},name="Προμηθεύς",path="/var/tmp",le="${le}"} ${n}\n`);
    }
    expect(text).toContain(`py_latency_seconds_sum{${SERIES},name="Προμηθεύς",path="/var/tmp"} 55.55\n`);
    expect(text).toContain(`py_latency_seconds_count{${SERIES},name="Προμηθεύς",path="/var/tmp"} 4\n`);
    expect(text).toContain("# TYPE py_size_bytes summary\n");
    expect(text).toContain(`py_size_bytes_sum{${SERIES},name="Προμηθεύς",path="/var/tmp"} 400\n`);
    expect(text).toContain(`py_size_bytes_count{${SERIES},name="Προμηθεύς",path="/var/tmp"} 2\n`);
    expect(text).toMatch(/^py_jobs_created\{.*kind="a".*\} \d\.\d+e\+09$/m);
    expect(text).toMatch(/^push_time_seconds\{empty="",instance="host:9100",job="py_batch",name="Προμηθεύς",path="\/var\/tmp"\} \d\.\d+e\+09$/m);

    const g = findGroup(await apiGroups(pb.url), GROUP);
    expect(g, "group with the decoded grouping key").toBeDefined();
    expect(g!.last_push_successful).toBe(true);
    expect(family(g, "py_jobs_total")?.type).toBe("COUNTER");
    expect(family(g, "py_last_success_unixtime")?.type).toBe("GAUGE");
    const h = family(g, "py_latency_seconds");
    expect(h?.type).toBe("HISTOGRAM");
    expect(h?.metrics[0]).toMatchObject({ buckets: { "0.1": "1", "1": "2", "10": "3", "+Inf": "4" }, count: "4", sum: "55.55" });
    const s = family(g, "py_size_bytes");
    expect(s?.type).toBe("SUMMARY");
    expect(s?.metrics[0]).toMatchObject({ count: "2", sum: "400" });
    expect(s?.metrics[0]?.labels).toEqual({ ...GROUP });
  });

  it("pushadd_to_gateway merges by family name", async () => {
    await both("pushadd");
    const g = findGroup(await apiGroups(pb.url), GROUP);
    expect(family(g, "py_extra")?.metrics[0]?.value).toBe("7");
    expect(family(g, "py_jobs_total")).toBeDefined();
  });

  it("push_to_gateway replaces the whole group", async () => {
    await both("replace");
    const g = findGroup(await apiGroups(pb.url), GROUP);
    expect(family(g, "py_extra")?.metrics[0]?.value).toBe("7");
    expect(family(g, "py_jobs_total")).toBeUndefined();
    expect(family(g, "py_latency_seconds")).toBeUndefined();
  });

  it("a job name with '/' goes through job@base64", async () => {
    await both("slashjob");
    expect(findGroup(await apiGroups(pb.url), { job: "team/batch" })).toBeDefined();
    expect(await getText(`${pb.url}/metrics`)).toContain('py_extra{instance="",job="team/batch"} 7\n');
    await both("deleteslashjob");
    expect(findGroup(await apiGroups(pb.url), { job: "team/batch" })).toBeUndefined();
  });

  it("delete_from_gateway removes the group", async () => {
    await both("delete");
    expect(findGroup(await apiGroups(pb.url), GROUP)).toBeUndefined();
    expect(await getText(`${pb.url}/metrics`)).not.toContain("py_batch");
  });
});

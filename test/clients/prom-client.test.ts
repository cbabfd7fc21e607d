// Node's prom-client Pushgateway class against pushboard: pushAdd, push and delete with grouping labels, a gzip
// push, and a gateway URL with a route prefix. The oracle gets the same pushes; the stored shapes must match.
// Ports 19242-19244.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { IncomingMessage } from "node:http";
import { Counter, Gauge, Histogram, Pushgateway, Registry, Summary } from "prom-client";

/** prom-client types the push result loosely; it is the node:http response. */
const responseOf = (r: { resp?: unknown }): IncomingMessage => r.resp as IncomingMessage;
import { startOracle, startPushboard, type RunningServer } from "../helpers/servers";
import { apiGroups, family, findGroup, getText, oracleInstalled, pushboardBuilt, storeShape, until } from "./common";

const enabled = pushboardBuilt() && oracleInstalled();
const GROUPINGS = { instance: "node-1", region: "eu-west" };
const GROUP = { job: "node_batch", ...GROUPINGS };

function fullRegistry(): Registry {
  const r = new Registry();
  const c = new Counter({ name: "node_jobs_total", help: "Jobs processed.", labelNames: ["kind"], registers: [r] });
  c.inc({ kind: "a" }, 3);
  c.inc({ kind: "b" });
  new Gauge({ name: "node_last_success", help: "Last success.", registers: [r] }).set(1e6);
  const h = new Histogram({ name: "node_latency_seconds", help: "Latency.", buckets: [0.1, 1, 10], registers: [r] });
  for (const v of [0.05, 0.5, 5, 50]) h.observe(v);
  const s = new Summary({ name: "node_size_bytes", help: "Sizes.", percentiles: [0.5, 0.9], registers: [r] });
  s.observe(100);
  s.observe(300);
  return r;
}
function extraRegistry(): Registry {
  const r = new Registry();
  new Gauge({ name: "node_extra", help: "Extra.", registers: [r] }).set(7);
  return r;
}

describe.skipIf(!enabled)("prom-client Pushgateway → pushboard", () => {
  let pb: RunningServer;
  let pbPrefixed: RunningServer;
  let oracle: RunningServer;
  beforeAll(async () => {
    [pb, oracle, pbPrefixed] = await Promise.all([
      startPushboard(19242),
      startOracle(19243),
      startPushboard(19244, { args: ["--web.route-prefix=/pg"], readyPath: "/pg/-/ready" }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([pb?.stop(), oracle?.stop(), pbPrefixed?.stop()]);
  });

  async function both(fn: (gw: string) => Promise<unknown>): Promise<void> {
    await fn(pb.url);
    await fn(oracle.url);
    await until(async () => JSON.stringify(storeShape(await apiGroups(pb.url))) === JSON.stringify(storeShape(await apiGroups(oracle.url))), 3000);
    expect(storeShape(await apiGroups(pb.url))).toEqual(storeShape(await apiGroups(oracle.url)));
  }

  it("push: counter, gauge, histogram and summary with grouping labels", async () => {
    await both(async (gw) => {
      const resp = responseOf(await new Pushgateway(gw, {}, fullRegistry()).push({ jobName: "node_batch", groupings: GROUPINGS }));
      expect(resp.statusCode).toBe(200);
    });
    const text = await getText(`${pb.url}/metrics`);
    const L = 'instance="node-1",job="node_batch"';
    expect(text).toContain(
      `# HELP node_jobs_total Jobs processed.\n# TYPE node_jobs_total counter\nnode_jobs_total{${L},kind="a",region="eu-west"} 3\nnode_jobs_total{${L},kind="b",region="eu-west"} 1\n`,
    );
    expect(text).toContain(`node_last_success{${L},region="eu-west"} 1e+06\n`);
    expect(text).toContain(`node_latency_seconds_bucket{${L},region="eu-west",le="+Inf"} 4\n`);
    expect(text).toContain(`node_latency_seconds_count{${L},region="eu-west"} 4\n`);
    expect(text).toContain(`node_size_bytes{${L},region="eu-west",quantile="0.5"} `);
    expect(text).toContain(`node_size_bytes_count{${L},region="eu-west"} 2\n`);
    const g = findGroup(await apiGroups(pb.url), GROUP);
    expect(g?.last_push_successful).toBe(true);
    expect(family(g, "node_latency_seconds")?.metrics[0]).toMatchObject({
      buckets: { "0.1": "1", "1": "2", "10": "3", "+Inf": "4" },
      count: "4",
      sum: "55.55",
    });
    expect(family(g, "node_size_bytes")?.type).toBe("SUMMARY");
  });

  it("pushAdd merges, push replaces", async () => {
    await both((gw) => new Pushgateway(gw, {}, extraRegistry()).pushAdd({ jobName: "node_batch", groupings: GROUPINGS }));
    let g = findGroup(await apiGroups(pb.url), GROUP);
    expect(family(g, "node_extra")?.metrics[0]?.value).toBe("7");
    expect(family(g, "node_jobs_total")).toBeDefined();
    await both((gw) => new Pushgateway(gw, {}, extraRegistry()).push({ jobName: "node_batch", groupings: GROUPINGS }));
    g = findGroup(await apiGroups(pb.url), GROUP);
    expect(family(g, "node_extra")).toBeDefined();
    expect(family(g, "node_jobs_total")).toBeUndefined();
  });

  it("gzip-compressed push", async () => {
    await both((gw) => new Pushgateway(gw, { headers: { "Content-Encoding": "gzip" } }, extraRegistry()).push({ jobName: "node_gzip" }));
    expect(await getText(`${pb.url}/metrics`)).toContain('node_extra{instance="",job="node_gzip"} 7\n');
  });

  it("delete removes only the exact group", async () => {
    await both((gw) => new Pushgateway(gw, {}, extraRegistry()).delete({ jobName: "node_batch", groupings: GROUPINGS }));
    const groups = await apiGroups(pb.url);
    expect(findGroup(groups, GROUP)).toBeUndefined();
    expect(findGroup(groups, { job: "node_gzip" })).toBeDefined();
  });

  it("a grouping value with '/' is not pushed, exactly as on the Pushgateway (prom-client sends %2F → `//`, 301)", async () => {
    const statuses: number[] = [];
    for (const gw of [pb.url, oracle.url]) {
      const resp = responseOf(await new Pushgateway(gw, {}, extraRegistry()).push({ jobName: "node_slash", groupings: { path: "/var/tmp" } }));
      statuses.push(resp.statusCode ?? 0);
      expect(resp.headers.location).toBe("/metrics/job/node_slash/path/var/tmp");
    }
    expect(statuses).toEqual([301, 301]);
    expect(JSON.stringify(await apiGroups(pb.url))).not.toContain("node_slash");
  });

  it("gateway URL with a route prefix", async () => {
    const gw = new Pushgateway(`${pbPrefixed.url}/pg`, {}, extraRegistry());
    expect(responseOf(await gw.push({ jobName: "prefixed", groupings: { instance: "x" } })).statusCode).toBe(200);
    expect(await getText(`${pbPrefixed.url}/pg/metrics`)).toContain('node_extra{instance="x",job="prefixed"} 7\n');
    expect(responseOf(await gw.delete({ jobName: "prefixed", groupings: { instance: "x" } })).statusCode).toBe(202);
    await until(async () => findGroup(await apiGroups(`${pbPrefixed.url}/pg`), { job: "prefixed", instance: "x" }) === undefined, 3000);
    expect(findGroup(await apiGroups(`${pbPrefixed.url}/pg`), { job: "prefixed", instance: "x" })).toBeUndefined();
  });
});

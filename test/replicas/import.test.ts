// Moving an existing store to PostgreSQL: `pushboard import --from` a running Pushgateway (the oracle) and from a
// running pushboard on its embedded store, into a pushboard on PostgreSQL; the copy shows on every replica.
// Ports 19780–19789.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runImport } from "@/lib/cli/import";
import { startOracle, startPushboard, type RunningServer } from "../helpers/servers";
import { postgresAvailable, startPostgres, type PostgresServer } from "../helpers/postgres";

const available = postgresAvailable();
let pgServer: PostgresServer;
let oracle: RunningServer;
let embedded: RunningServer;
const started: RunningServer[] = [];

const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64url") || "=";
const BODIES: Array<[Record<string, string>, string]> = [
  [{ job: "imp" }, '# HELP c A counter \\\\ with escapes.\n# TYPE c counter\nc{path="/ü \\"q\\""} 1e+06\n# TYPE g gauge\ng{k="nan"} NaN\ng{k="inf"} +Inf\n'],
  [{ job: "slash/job", instance: "", zone: "eu" }, '# TYPE s summary\ns{quantile="0.5"} 1\ns_sum 2\ns_count 3\n'],
  [{ job: "hist", instance: "h1" }, '# TYPE h histogram\nh_bucket{le="1"} 1\nh_bucket{le="+Inf"} 2\nh_sum 3\nh_count 2\n'],
  ...Array.from({ length: 40 }, (_, i): [Record<string, string>, string] => [
    { job: `batch-${i % 4}`, instance: `host-${i}` },
    `# TYPE u untyped\nu{shard="${i}"} ${i / 4}\n`,
  ]),
];

async function fill(server: RunningServer): Promise<void> {
  for (const [labels, body] of BODIES) {
    let p = `/metrics/job@base64/${b64(labels.job!)}`;
    for (const [k, v] of Object.entries(labels)) if (k !== "job") p += `/${k}@base64/${b64(v)}`;
    const r = await fetch(server.url + p, { method: "PUT", body });
    expect(r.status).toBe(200);
  }
}

/** /api/v1/metrics without timestamps and push_* families, keyed by grouping labels. */
async function groups(server: RunningServer): Promise<Record<string, unknown>> {
  const body = (await (await fetch(server.url + "/api/v1/metrics")).json()) as { data: Array<Record<string, unknown>> };
  const out: Record<string, unknown> = {};
  for (const g of body.data) {
    const normal: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(g)) {
      if (k === "push_time_seconds" || k === "push_failure_time_seconds") continue;
      if (k === "labels" || k === "last_push_successful") normal[k] = v;
      else {
        const { time_stamp: _t, metrics, ...rest } = v as { time_stamp: string; metrics: unknown[] };
        normal[k] = { ...rest, metrics: metrics.map((m) => JSON.stringify(m)).sort() };
      }
    }
    out[JSON.stringify(Object.entries(g.labels as Record<string, string>).sort())] = normal;
  }
  return out;
}

const quiet = { out: () => {}, err: () => {} };

describe.skipIf(!available)("pushboard import into a pushboard on PostgreSQL", () => {
  beforeAll(async () => {
    pgServer = startPostgres(19780);
    await pgServer.createDatabase("from_oracle");
    await pgServer.createDatabase("from_pushboard");
    [oracle, embedded] = await Promise.all([startOracle(19781), startPushboard(19782, { memory: false })]);
    await Promise.all([fill(oracle), fill(embedded)]);
  });
  afterAll(async () => {
    for (const s of [oracle, embedded, ...started]) await s?.stop("SIGKILL");
    pgServer?.destroy();
  });

  const replicasOn = async (db: string, ports: number[]) => {
    const env = { PUSHBOARD_POSTGRES_URL: pgServer.url(db) };
    const rs = await Promise.all(ports.map((p) => startPushboard(p, { memory: false, args: ["--storage.backend=postgres"], env })));
    started.push(...rs);
    return rs;
  };

  it("from a running Pushgateway: every group on every replica", async () => {
    const [a, b] = await replicasOn("from_oracle", [19783, 19784]);
    expect(await runImport(["--from", oracle.url, "--to", a!.url], quiet)).toBe(0);
    const src = await groups(oracle);
    expect(Object.keys(src)).toHaveLength(BODIES.length);
    expect(await groups(b!)).toEqual(src);
    expect(await groups(a!)).toEqual(src);
  });

  it("from a running pushboard on its embedded store", async () => {
    const [a, b] = await replicasOn("from_pushboard", [19785, 19786]);
    expect(await runImport(["--from", embedded.url, "--to", b!.url], quiet)).toBe(0);
    const src = await groups(embedded);
    expect(await groups(a!)).toEqual(src);
  });
});

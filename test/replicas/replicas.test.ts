// Three pushboard processes on one PostgreSQL behave as one Pushgateway: pushes spread round-robin, every replica
// scrapes the same, conflicting pushes raced on two replicas (exactly one wins), kill -9 of a replica under load,
// PostgreSQL stopped and restarted under load, and one replica cut off from the database (through a TCP proxy the
// test stops) while the others carry on. Nothing acknowledged may be lost; the password never shows.
// Ports 19760–19779.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPushboard, type RunningServer } from "../helpers/servers";
import { PG_PASSWORD, postgresAvailable, startPostgres, type PostgresServer } from "../helpers/postgres";
import { tcpProxy, type TcpProxy } from "../helpers/tcp-proxy";
import { mulberry32 } from "../helpers/random";

const available = postgresAvailable();
const PG_PORT = 19760;
const PROXY_PORT = 19761;
const PORTS = [19762, 19763, 19764];

let pgServer: PostgresServer;
let proxy: TcpProxy;
const replicas: RunningServer[] = [];
const allOutput: string[] = [];
let directUrl = "";
let proxiedUrl = "";

function startReplica(i: number): Promise<RunningServer> {
  // Replica 0 takes the URL as a flag, the others from the environment (as from a Kubernetes Secret);
  // replica 2 reaches the database through the proxy.
  const url = i === 2 ? proxiedUrl : directUrl;
  const args = ["--storage.backend=postgres", "--web.enable-admin-api"];
  if (i === 0) args.push(`--storage.postgres.url=${url}`);
  return startPushboard(PORTS[i]!, { memory: false, args, env: i === 0 ? {} : { PUSHBOARD_POSTGRES_URL: url } });
}

async function pushTo(r: RunningServer, path: string, body: string, method = "PUT"): Promise<number> {
  try {
    const res = await fetch(r.url + path, { method, body, signal: AbortSignal.timeout(20_000) });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return -1; // connection refused / reset (a killed replica)
  }
}

/** /api/v1/metrics reduced to what pushes determine (labels and family values), sorted. */
async function pushedState(r: RunningServer): Promise<string> {
  const res = await fetch(r.url + "/api/v1/metrics");
  expect(res.status).toBe(200);
  const body = (await res.json()) as { data: Array<Record<string, unknown>> };
  const groups = body.data.map((g) => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(g)) {
      if (k === "push_time_seconds" || k === "push_failure_time_seconds") continue;
      out[k] = k === "labels" || k === "last_push_successful" ? v : (v as { metrics: unknown }).metrics;
    }
    return JSON.stringify(out);
  });
  return groups.sort().join("\n");
}

/** The pushed part of a text scrape (own metrics and push_* times removed). */
async function scrapePushed(r: RunningServer): Promise<string> {
  const text = await (await fetch(r.url + "/metrics")).text();
  return text
    .split("\n")
    .filter((l) => !/^(# (HELP|TYPE) )?(pushgateway_|process_|nodejs_|push_time_seconds|push_failure_time_seconds)/.test(l))
    .join("\n");
}

async function waitReady(r: RunningServer, want: number): Promise<void> {
  for (;;) {
    const status = await fetch(r.url + "/-/ready").then(
      (x) => x.status,
      () => -1,
    );
    if (status === want) return;
    await new Promise((res) => setTimeout(res, 50));
  }
}

/** Writers pushing distinct groups round-robin over `targets` until stopped; records what was acknowledged. */
function load(targets: () => RunningServer[], prefix: string, seed: number) {
  const rnd = mulberry32(seed);
  const acked = new Map<string, number>(); // path -> value
  const statuses: Array<{ status: number; startedAt: number; endedAt: number }> = [];
  let stop = false;
  let n = 0;
  const writer = async (w: number): Promise<void> => {
    while (!stop) {
      const i = n++;
      const list = targets();
      const r = list[i % list.length]!;
      const path = `/metrics/job/${prefix}/writer/${w}/seq/${i}`;
      const value = Math.floor(rnd() * 1e6);
      const startedAt = performance.now();
      const status = await pushTo(r, path, `${prefix}_value{k="${i % 5}"} ${value}\n`);
      statuses.push({ status, startedAt, endedAt: performance.now() });
      if (status === 200) acked.set(path, value);
      if (status !== 200) await new Promise((res) => setTimeout(res, 20));
    }
  };
  const running = Promise.all([0, 1, 2, 3].map(writer));
  return {
    acked,
    statuses,
    async stop() {
      stop = true;
      await running;
    },
  };
}

/** Every acknowledged push is on replica r (read through its scrape of the JSON API). */
async function expectAllAcked(r: RunningServer, acked: Map<string, number>, prefix: string): Promise<void> {
  const res = await fetch(r.url + "/api/v1/metrics");
  const body = (await res.json()) as { data: Array<{ labels: Record<string, string> } & Record<string, { metrics: Array<{ value: string }> }>> };
  const have = new Map<string, string>();
  for (const g of body.data) {
    if (g.labels.job !== prefix) continue;
    have.set(`/metrics/job/${prefix}/writer/${g.labels.writer}/seq/${g.labels.seq}`, g[`${prefix}_value`]!.metrics[0]!.value);
  }
  const missing = [...acked].filter(([path, v]) => have.get(path) !== String(v));
  expect(missing).toEqual([]);
}

describe.skipIf(!available)("three replicas on one PostgreSQL", () => {
  beforeAll(async () => {
    pgServer = startPostgres(PG_PORT);
    await pgServer.createDatabase("replicas");
    directUrl = pgServer.url("replicas");
    proxiedUrl = directUrl.replace(`:${PG_PORT}/`, `:${PROXY_PORT}/`);
    proxy = tcpProxy(PROXY_PORT, PG_PORT);
    await proxy.start();
    // All three start at once: the schema migration runs under an advisory lock.
    replicas.push(...(await Promise.all([0, 1, 2].map(startReplica))));
  });

  afterAll(async () => {
    for (const r of replicas) {
      allOutput.push(r.output());
      await r.stop("SIGKILL");
    }
    await proxy?.stop();
    pgServer?.destroy();
  });

  it("pushes spread round-robin show up identically on every replica, at once", async () => {
    for (let i = 0; i < 60; i++) {
      const writer = replicas[i % 3]!;
      expect(
        await pushTo(writer, `/metrics/job/rr/instance/i${i % 12}`, `# TYPE rr_total counter\nrr_total{step="${i % 4}"} ${i}\n`, i % 2 ? "POST" : "PUT"),
      ).toBe(200);
      // Read-your-writes across replicas: the very next read on another replica shows it.
      const reader = replicas[(i + 1) % 3]!;
      expect(await scrapePushed(reader)).toContain(`rr_total{instance="i${i % 12}",job="rr",step="${i % 4}"} ${i}`);
    }
    const states = await Promise.all(replicas.map(pushedState));
    expect(states[1]).toBe(states[0]);
    expect(states[2]).toBe(states[0]);
    const scrapes = await Promise.all(replicas.map(scrapePushed));
    expect(scrapes[1]).toBe(scrapes[0]);
    expect(scrapes[2]).toBe(scrapes[0]);
    // A delete on one replica applies everywhere, the dashboard's included.
    const del = await fetch(replicas[1]!.url + "/api/ui/groups/delete", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ ids: [Buffer.from("instance\xffi0\xffjob\xffrr\xff", "utf8").toString("base64url")] }),
    });
    expect(del.status).toBe(200);
    expect(((await del.json()) as { deleted: number }).deleted).toBe(1);
    for (const r of replicas) expect(await scrapePushed(r)).not.toContain('instance="i0"');
    const groups = (await (await fetch(replicas[2]!.url + "/api/ui/groups?size=100")).json()) as { total: number };
    expect(groups.total).toBe(11);
  });

  it("conflicting pushes raced on two replicas: exactly one wins, the other gets the single-server 400", async () => {
    for (let round = 0; round < 20; round++) {
      const [a, b] = await Promise.all([
        pushTo(replicas[0]!, `/metrics/job/race${round}a`, `# TYPE race_${round} counter\nrace_${round} 1\n`),
        pushTo(replicas[1]!, `/metrics/job/race${round}b`, `# TYPE race_${round} gauge\nrace_${round} 2\n`),
      ]);
      expect([a, b].sort()).toEqual([200, 400]);
    }
    const scrapes = await Promise.all(replicas.map(scrapePushed));
    expect(scrapes[1]).toBe(scrapes[0]);
    expect(scrapes[2]).toBe(scrapes[0]);
    // Duplicate series across groups, raced the same way.
    const [a, b] = await Promise.all([
      pushTo(replicas[1]!, "/metrics/job/dup/instance/", "dup_series 1\n"),
      pushTo(replicas[2]!, "/metrics/job/dup", "dup_series 2\n"),
    ]);
    expect([a, b].sort()).toEqual([200, 400]);
  });

  it("own metrics per replica without pushed groups on /metrics/own; the default /metrics unchanged", async () => {
    const own = await (await fetch(replicas[0]!.url + "/metrics/own")).text();
    expect(own).toContain("pushgateway_http_requests_total");
    expect(own).not.toMatch(/^rr_total/m);
    expect(own).not.toMatch(/^push_time_seconds/m);
    const all = await (await fetch(replicas[0]!.url + "/metrics")).text();
    expect(all).toMatch(/^rr_total/m);
    expect(all).toContain("pushgateway_http_requests_total");
  });

  it("never shows the password: /api/v1/status, the dashboard status, logs", async () => {
    for (const r of replicas) {
      const status = await (await fetch(r.url + "/api/v1/status")).text();
      expect(status).not.toContain(PG_PASSWORD);
      const ui = (await (await fetch(r.url + "/api/ui/status")).json()) as { storage: string };
      expect(ui.storage).toMatch(/^postgres: postgres:\/\/pushboard:\*\*\*@127\.0\.0\.1:\d+\/replicas$/);
      expect(JSON.stringify(ui)).not.toContain(PG_PASSWORD);
      const page = await (await fetch(r.url + "/status")).text();
      expect(page).not.toContain(PG_PASSWORD);
      expect(r.output()).not.toContain(PG_PASSWORD);
    }
  });

  it("kill -9 of a replica under load: every acknowledged write is on the survivors and on the restarted replica", async () => {
    let alive = [...replicas];
    const l = load(() => alive, "kill", 11);
    while (l.acked.size < 150) await new Promise((r) => setTimeout(r, 20));
    const victim = replicas[1]!;
    victim.proc.kill("SIGKILL");
    await victim.exited;
    alive = [replicas[0]!, replicas[2]!];
    const at = l.acked.size;
    while (l.acked.size < at + 150) await new Promise((r) => setTimeout(r, 20));
    await l.stop();
    allOutput.push(victim.output());
    replicas[1] = await startReplica(1);
    for (const r of replicas) await expectAllAcked(r, l.acked, "kill");
  });

  it("PostgreSQL stopped and restarted under load: writes refused during the outage, nothing acknowledged lost, recovery without restarts", async () => {
    const pids = replicas.map((r) => r.proc.pid);
    const l = load(() => replicas, "outage", 12);
    while (l.acked.size < 100) await new Promise((r) => setTimeout(r, 20));
    pgServer.stop();
    const downAt = performance.now();
    // Reads keep answering from the last known state and say so; ready is 503, healthy 200.
    for (const r of replicas) {
      await waitReady(r, 503);
      const scrape = await fetch(r.url + "/metrics");
      expect(scrape.status).toBe(200);
      expect(scrape.headers.get("x-pushboard-stale")).toMatch(/^database unreachable since \d{4}-/);
      expect(await scrape.text()).toMatch(/^outage_value/m);
      expect((await fetch(r.url + "/-/healthy")).status).toBe(200);
      const ui = (await (await fetch(r.url + "/api/ui/status")).json()) as { readOnly?: { message: string } };
      expect(ui.readOnly?.message).toMatch(/^database unreachable since/);
      const refused = await fetch(r.url + "/metrics/job/outage_probe", { method: "PUT", body: "x 1\n" });
      expect(refused.status).toBe(503);
      expect(await refused.text()).toMatch(/database unreachable since/);
    }
    const upAt = performance.now();
    pgServer.start();
    for (const r of replicas) await waitReady(r, 200);
    const at = l.acked.size;
    while (l.acked.size < at + 100) await new Promise((r) => setTimeout(r, 20));
    await l.stop();
    // Every push that started after the database was down and ended before it was started again was refused.
    const during = l.statuses.filter((s) => s.startedAt > downAt && s.endedAt < upAt);
    expect(during.length).toBeGreaterThan(0);
    expect(during.filter((s) => s.status === 200)).toEqual([]);
    expect(replicas.map((r) => r.proc.pid)).toEqual(pids);
    for (const r of replicas) await expectAllAcked(r, l.acked, "outage");
    const states = await Promise.all(replicas.map(pushedState));
    expect(states[1]).toBe(states[0]);
    expect(states[2]).toBe(states[0]);
  });

  it("one replica cut off from the database: it refuses writes and reports stale reads, the others carry on", async () => {
    const cut = replicas[2]!;
    await proxy.stop();
    await waitReady(cut, 503);
    const l = load(() => [replicas[0]!, replicas[1]!], "partition", 13);
    while (l.acked.size < 100) await new Promise((r) => setTimeout(r, 20));
    expect(await pushTo(cut, "/metrics/job/partition_probe", "x 1\n")).toBe(503);
    const scrape = await fetch(cut.url + "/metrics");
    expect(scrape.status).toBe(200);
    expect(scrape.headers.get("x-pushboard-stale")).toMatch(/^database unreachable since/);
    expect((await fetch(cut.url + "/-/healthy")).status).toBe(200);
    for (const r of [replicas[0]!, replicas[1]!]) expect((await fetch(r.url + "/-/ready")).status).toBe(200);
    await l.stop();
    expect(l.statuses.filter((s) => s.status !== 200)).toEqual([]);
    await proxy.start();
    await waitReady(cut, 200);
    for (const r of replicas) await expectAllAcked(r, l.acked, "partition");
    const fresh = await fetch(cut.url + "/metrics");
    expect(fresh.headers.get("x-pushboard-stale")).toBeNull();
  });

  it("a replica started while PostgreSQL is down serves not ready, retries, and loads once it is back", async () => {
    pgServer.stop();
    let late: RunningServer | undefined;
    try {
      late = await startPushboard(19765, {
        memory: false,
        args: ["--storage.backend=postgres"],
        env: { PUSHBOARD_POSTGRES_URL: directUrl },
        readyPath: "/-/healthy",
      });
      expect((await fetch(late.url + "/-/ready")).status).toBe(503);
      const scrape = await fetch(late.url + "/metrics");
      expect(scrape.status).toBe(503);
      expect(await scrape.text()).toMatch(/not loaded yet/);
      expect(await pushTo(late, "/metrics/job/late", "x 1\n")).toBe(503);
      pgServer.start();
      await waitReady(late, 200);
      expect(await scrapePushed(late)).toBe(await scrapePushed(replicas[0]!));
      expect(await pushTo(late, "/metrics/job/late", "late_value 1\n")).toBe(200);
      expect(await scrapePushed(replicas[1]!)).toContain('late_value{instance="",job="late"} 1');
    } finally {
      pgServer.start();
      if (late) {
        allOutput.push(late.output());
        await late.stop("SIGKILL");
      }
    }
  });

  it("no log line of any replica carried the password", () => {
    for (const r of replicas) allOutput.push(r.output());
    expect(allOutput.join("\n")).not.toContain(PG_PASSWORD);
  });
});

#!/usr/bin/env node
// `npm run bench -- --only=replicas` (also run at the end of a full `npm run bench`): three pushboard replicas on
// one PostgreSQL behind haproxy (TCP round robin per connection, as a Kubernetes Service spreads connections)
// against one Pushgateway 1.5.1, side by side in one run:
//  - push throughput (wrk, 16 keep-alive connections, the 2 KB body of run.mjs) at 10 and at 1,000 groups;
//  - scrape latency (sequential GET /metrics through haproxy) at 30k series;
//  - lag from a 200 on one replica to visibility on another (a push to replica A, then GET /api/v1/metrics on
//    replica B until it shows the value; the read barrier makes the first read see it), p50/p99.
// Every push is durable in PostgreSQL (fsync=on, synchronous_commit=on) and globally ordered before its 200.
// Needs: Debian postgresql (initdb, pg_ctl), haproxy, wrk, prometheus-pushgateway; a production build.
// Options: --quick (short runs), --seconds=N. Ports 19840–19849.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  PG_BIN,
  ROOT,
  startPostgresServer,
  median,
  percentile,
  pushBody,
  putAll,
  request,
  runWrk,
  scrapeCount,
  seedBody,
  sleep,
  startServer,
  stopAll,
  stopServer,
  waitIdle,
} from "./lib.mjs";

const argv = process.argv.slice(2);
const quick = argv.includes("--quick");
const seconds = Number(argv.find((a) => a.startsWith("--seconds="))?.slice(10) ?? (quick ? 3 : 8));
const PORTS = { pg: 19840, replicas: [19841, 19842, 19843], haproxy: 19844, pushgateway: 19845 };
const tmp = mkdtempSync(path.join(os.tmpdir(), "pushboard-bench-replicas-"));
const log = (s) => process.stderr.write(`[replicas ${new Date().toISOString().slice(11, 19)}] ${s}\n`);

function startPostgres() {
  return startPostgresServer({ port: PORTS.pg, dir: tmp, sharedBuffers: "128MB" });
}

function startHaproxy() {
  const cfg = path.join(tmp, "haproxy.cfg");
  writeFileSync(
    cfg,
    [
      "global",
      "  maxconn 2000",
      "defaults",
      "  mode tcp",
      "  timeout connect 5s",
      "  timeout client 120s",
      "  timeout server 120s",
      "frontend pushboard",
      `  bind 127.0.0.1:${PORTS.haproxy}`,
      "  default_backend replicas",
      "backend replicas",
      "  balance roundrobin",
      ...PORTS.replicas.map((p, i) => `  server r${i} 127.0.0.1:${p}`),
      "",
    ].join("\n"),
  );
  const proc = spawn("haproxy", ["-f", cfg, "-db"], { stdio: ["ignore", "ignore", "pipe"] });
  return { proc, url: `http://127.0.0.1:${PORTS.haproxy}` };
}

async function waitHttp(url) {
  for (let i = 0; i < 200; i++) {
    try {
      if ((await request(url + "/-/healthy")).status === 200) return;
    } catch {
      /* not yet */
    }
    await sleep(25);
  }
  throw new Error(`${url} not answering`);
}

const fmt = (x, d = 0) => (Number.isFinite(x) ? x.toFixed(d) : "n/a");

let pg;
let lb;
async function main() {
  pg = startPostgres();
  const url = `postgres://postgres@127.0.0.1:${PORTS.pg}/pushboard`;
  const replicas = await Promise.all(
    PORTS.replicas.map((port, i) =>
      startServer({
        name: `pushboard-${i}`,
        cmd: process.execPath,
        args: [path.join(ROOT, "lib/cli/pushboard.mjs"), `--web.listen-address=127.0.0.1:${port}`, "--storage.backend=postgres", "--log.level=warn"],
        env: { PUSHBOARD_POSTGRES_URL: url },
        port,
        logFile: path.join(tmp, `pushboard-${i}.log`),
      }),
    ),
  );
  const gateway = await startServer({
    name: "pushgateway",
    cmd: PG_BIN,
    args: [`--web.listen-address=127.0.0.1:${PORTS.pushgateway}`, "--persistence.file=", "--log.level=warn"],
    port: PORTS.pushgateway,
    logFile: path.join(tmp, "pushgateway.log"),
  });
  lb = startHaproxy();
  await waitHttp(lb.url);
  const pids = [...replicas.map((r) => r.pid), gateway.pid];
  const bodyFile = path.join(tmp, "body.txt");
  writeFileSync(bodyFile, pushBody());
  const rows = [];

  for (const groups of [10, 1000]) {
    // Create the groups first, so the measured pushes replace existing groups on both systems.
    const items = Array.from({ length: groups }, (_, g) => ({ path: `/metrics/job/bench/instance/g${g}`, body: pushBody() }));
    await putAll(lb.url, items);
    await putAll(gateway.url, items);
    await waitIdle(pids);
    const pb = await runWrk({ base: lb.url, conns: 16, seconds, groups, prefix: "/metrics/job/bench/instance/g", bodyFile });
    await waitIdle(pids);
    const gw = await runWrk({ base: gateway.url, conns: 16, seconds, groups, prefix: "/metrics/job/bench/instance/g", bodyFile });
    rows.push([
      `push throughput, ${groups} groups, 16 conns (req/s)`,
      fmt(pb.rps),
      fmt(gw.rps),
      fmt(pb.rps / gw.rps, 2) + "×",
      `p99 ${fmt(pb.p99, 1)} ms vs ${fmt(gw.p99, 1)} ms; errors ${pb.errors}/${gw.errors}`,
    ]);
    log(rows[rows.length - 1].join(" | "));
  }

  // 30k series: 300 groups of 100 series (besides the 1,000 groups of 16 series pushed above: wipe those first).
  for (const base of [replicas[0].url, gateway.url]) {
    const api = await request(base + "/api/v1/metrics", { keep: true });
    for (const g of JSON.parse(api.text).data) await request(`${base}/metrics/job/${g.labels.job}/instance/${g.labels.instance}`, { method: "DELETE" });
  }
  const seed = Array.from({ length: 300 }, (_, g) => ({ path: `/metrics/job/seed/instance/s${g}`, body: seedBody(100, g) }));
  await putAll(lb.url, seed);
  await putAll(gateway.url, seed, { concurrency: 4 });
  await waitIdle(pids);
  const scrapes = { pb: [], gw: [] };
  const n = quick ? 10 : 30;
  for (let i = 0; i < n; i++) {
    scrapes.pb.push((await scrapeCount(lb.url)).ms);
    scrapes.gw.push((await scrapeCount(gateway.url)).ms);
  }
  const samples = (await scrapeCount(lb.url)).samples;
  rows.push([
    `scrape latency, ${samples} samples (median ms)`,
    fmt(median(scrapes.pb), 1),
    fmt(median(scrapes.gw), 1),
    fmt(median(scrapes.pb) / median(scrapes.gw), 2) + "×",
    `p99 ${fmt(percentile(scrapes.pb, 99), 1)} vs ${fmt(percentile(scrapes.gw, 99), 1)}`,
  ]);
  log(rows[rows.length - 1].join(" | "));

  // Lag: 200 on replica A → visible on replica B (B's reads include the version check).
  for (const base of [replicas[0].url]) {
    for (let g = 0; g < 300; g++) await request(`${base}/metrics/job/seed/instance/s${g}`, { method: "DELETE" });
  }
  const lags = [];
  const reads = [];
  for (let i = 0; i < (quick ? 100 : 500); i++) {
    const a = replicas[i % 3];
    const b = replicas[(i + 1) % 3];
    const r = await request(`${a.url}/metrics/job/lag`, { method: "PUT", body: `lag_seq ${i}\n` });
    if (r.status !== 200) throw new Error(`lag push: ${r.status}`);
    const t0 = performance.now();
    let tries = 0;
    for (;;) {
      tries++;
      const got = await request(`${b.url}/api/v1/metrics`, { keep: true });
      if (got.text.includes(`"value":"${i}"`)) break;
    }
    lags.push(performance.now() - t0);
    reads.push(tries);
  }
  rows.push([
    `lag 200 on A → visible on B (ms)`,
    `p50 ${fmt(percentile(lags, 50), 2)}`,
    "n/a",
    "",
    `p99 ${fmt(percentile(lags, 99), 2)} ms; reads needed: max ${Math.max(...reads)}`,
  ]);
  log(rows[rows.length - 1].join(" | "));

  console.log("\n| replicas on PostgreSQL | 3 × pushboard + haproxy | Pushgateway 1.5.1 | ratio | notes |\n|---|---|---|---|---|");
  for (const r of rows) console.log(`| ${r.join(" | ")} |`);
  await Promise.all([...replicas, gateway].map((s) => stopServer(s)));
}

main()
  .catch((err) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(() => {
    stopAll();
    lb?.proc.kill("SIGTERM");
    try {
      pg?.stop();
    } catch {
      /* already stopped */
    }
    if (!argv.includes("--keep")) rmSync(tmp, { recursive: true, force: true });
  });

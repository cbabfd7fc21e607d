#!/usr/bin/env node
// `npm run bench`: pushboard (production build, default durable SQLite store) against Debian's
// prometheus-pushgateway 1.5.1, identical workloads on loopback, one table with both systems and the ratio.
//
//   npm run bench                 # full run (~15 min on 2 cores)
//   npm run bench -- --quick      # small sizes, one round, < 2 min; asserts nothing (CI smoke)
//   options: --rounds=N  --only=push|scrape|replicas|dashboard  --push-levels=10,10000  --push-conns=1,4,16
//            --dashboard-groups=N (the dashboard section's store size; default 100000, 2000 with --quick)
//            --backend=postgres (pushboard on a PostgreSQL server started by the bench; default: sqlite)  --keep (keep the temp dir)  --json=FILE (raw results)
//            --pb-node-args="--cpu-prof --cpu-prof-dir=/tmp/prof"  (extra node flags for pushboard, for profiling)
//
// Method (also in BENCHMARKS.md):
//  - Load generator: wrk (Debian) with test/bench/push.lua, one thread, N keep-alive connections, PUT of a 2,181-byte
//    text body (4 families × 4 series) round-robin over the existing groups (request i goes to group i mod G).
//  - Every figure is the median over R rounds; in each round the two systems run back to back (order alternating),
//    each only after both processes are idle (a Pushgateway keeps working through queued pushes after wrk stops),
//    and the ratio is taken within the round, then the median of the ratios is reported.
//  - Stores are filled by HTTP pushes. The Pushgateway checks every push against the whole store, so filling it
//    to 10,000 groups / 300k series that way takes hours; it is filled with --push.disable-consistency-check and a
//    --persistence.file, stopped with SIGTERM (it drains its queue and writes the file) and restarted from that file
//    with default flags (consistency check on) before anything is measured. pushboard is filled by ordinary pushes,
//    each durable before its 200, and is restarted on its data directory at the same points, so both systems are
//    measured in the same state: freshly loaded from their own persisted store.
//  - Scrapes: sequential GET /metrics, text format, no compression, full body read.
//  - Memory: VmRSS from /proc/<pid>/status.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  PG_BIN,
  ROOT,
  median,
  percentile,
  pickPort,
  pushBody,
  putAll,
  request,
  rssBytes,
  runWrk,
  scrapeCount,
  seedBody,
  sleep,
  startServer,
  stopAll,
  stopServer,
  waitIdle,
  startPostgresServer,
} from "./lib.mjs";

const argv = process.argv.slice(2);
const opt = (name) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const quick = argv.includes("--quick");
const keep = argv.includes("--keep");
const only = opt("only");
const pbNodeArgs = (opt("pb-node-args") ?? "").split(" ").filter(Boolean);

const CFG = quick
  ? {
      rounds: 1,
      pushLevels: [10, 1000],
      pushConns: [1, 16],
      pushSeconds: () => 2,
      scrapeSizes: [
        { groups: 30, label: "3k" },
        { groups: 300, label: "30k" },
      ],
      seriesPerSeedGroup: 100,
      scrapesPerRound: { "3k": 5, "30k": 5 },
      mixedSeconds: 10,
      startupRestarts: 1,
    }
  : {
      rounds: 3,
      pushLevels: [10, 1000, 10000],
      pushConns: [1, 4, 16],
      pushSeconds: (groups) => (groups >= 10000 ? 8 : 5),
      scrapeSizes: [
        { groups: 300, label: "30k" },
        { groups: 3000, label: "300k" },
      ],
      seriesPerSeedGroup: 100,
      scrapesPerRound: { "30k": 20, "300k": 6 },
      mixedSeconds: 60,
      startupRestarts: 3,
    };
if (opt("rounds")) CFG.rounds = Number(opt("rounds"));
// A shorter push run, e.g. --push-levels=10,10000 --push-conns=1,4,16 (the lock on a shared machine is held less).
if (opt("push-levels")) CFG.pushLevels = opt("push-levels").split(",").map(Number);
if (opt("push-conns")) CFG.pushConns = opt("push-conns").split(",").map(Number);

const T0 = Date.now();
const say = (msg) => process.stderr.write(`[bench ${((Date.now() - T0) / 1000).toFixed(0).padStart(4)} s] ${msg}\n`);

// --- preconditions -------------------------------------------------------------------------------------------

for (const [bin, pkg] of [
  [PG_BIN, "prometheus-pushgateway"],
  ["/usr/bin/wrk", "wrk"],
]) {
  if (!existsSync(bin)) {
    console.error(`${bin} missing: run test/setup.sh (apt-get install ${pkg})`);
    process.exit(1);
  }
}
if (!existsSync(path.join(ROOT, ".next/pushboard/server.cjs")) || !existsSync(path.join(ROOT, ".next/BUILD_ID"))) {
  say("no production build: npm run build");
  const r = spawnSync("npm", ["run", "build"], { cwd: ROOT, stdio: ["ignore", "inherit", "inherit"] });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const work = mkdtempSync(path.join(os.tmpdir(), "pushboard-bench-"));
const bodyFile = path.join(work, "push-body.txt");
writeFileSync(bodyFile, pushBody());
const BODY_BYTES = statSync(bodyFile).size;
const ports = new Set();
// PUSHBOARD_BENCH_PORTS=LO-HI (default 19600-19699): pushboard listens in the lower half, the Pushgateway in the
// upper half, PostgreSQL on HI-9; for a run beside other servers on the same machine.
const [PORT_LO, PORT_HI] = (process.env.PUSHBOARD_BENCH_PORTS ?? "19600-19699").split("-").map(Number);
const PORT_MID = PORT_LO + Math.ceil((PORT_HI - PORT_LO + 1) / 2);
const PB_PORTS = [PORT_LO, PORT_MID - 1];
const PG_PORTS = [PORT_MID, PORT_HI];
const results = { quick, rounds: CFG.rounds, push: [], scrape: {}, mixed: {}, startup: {}, notes: [] };

// --backend=postgres: pushboard on one PostgreSQL server (fsync on) started here, a database per data directory.
const backend = opt("backend") ?? "sqlite";
const pgServer =
  backend === "postgres" ? startPostgresServer({ port: PORT_HI - 9, dir: mkdtempSync(path.join(os.tmpdir(), "pushboard-bench-pg-")) }) : undefined;
const pgDatabases = new Map();
function backendArgs(dataDir) {
  if (!pgServer) return backend === "sqlite" ? [] : [`--storage.backend=${backend}`];
  let db = pgDatabases.get(dataDir);
  if (!db) {
    db = `bench${pgDatabases.size}`;
    pgDatabases.set(dataDir, db);
    pgServer.createDatabase(db);
  }
  return ["--storage.backend=postgres", `--storage.postgres.url=${pgServer.url.replace(/\/pushboard$/, "/" + db)}`];
}
process.on("exit", () => pgServer?.stop());

let pbSeq = 0;
async function startPb(dataDir, port) {
  return startServer({
    name: "pushboard",
    cmd: process.execPath,
    args: [...pbNodeArgs, path.join(ROOT, "lib/cli/pushboard.mjs"), `--web.listen-address=127.0.0.1:${port}`, ...backendArgs(dataDir)],
    env: { PUSHBOARD_DATA_DIR: dataDir, PUSHBOARD_SKIP_BUILD_CHECK: "1" },
    port,
    logFile: path.join(work, `pushboard-${pbSeq++}.log`),
  });
}
/** seed: consistency check off (fast fill); otherwise default flags. `file` is its --persistence.file. */
async function startPg(file, port, { seed = false, interval = "5m" } = {}) {
  const args = [`--web.listen-address=127.0.0.1:${port}`, `--persistence.file=${file}`, `--persistence.interval=${interval}`];
  if (seed) args.push("--push.disable-consistency-check");
  return startServer({ name: "pushgateway", cmd: PG_BIN, args, port, logFile: path.join(work, "pushgateway.log") });
}

const groupPath = (prefix, g) => `${prefix}${g}`;
/** Pushes groups [from, to) with `makeBody(g)` to both servers at once. */
async function seedBoth(pb, pg, prefix, from, to, makeBody) {
  const BATCH = 500;
  for (let a = from; a < to; a += BATCH) {
    const items = [];
    for (let g = a; g < Math.min(to, a + BATCH); g++) items.push({ path: groupPath(prefix, g), body: makeBody(g) });
    await Promise.all([putAll(pb.url, items, { okStatus: [200] }), putAll(pg.url, items, { okStatus: [200, 202] })]);
  }
}

/** Checks that both servers hold the same number of groups and samples; returns them. */
async function verifySame(pb, pg, what) {
  const [a, b] = [await scrapeCount(pb.url), await scrapeCount(pg.url)];
  if (a.groups !== b.groups) throw new Error(`${what}: pushboard holds ${a.groups} groups, the Pushgateway ${b.groups}`);
  return { groups: a.groups, pbSamples: a.samples, pgSamples: b.samples };
}

const fmtMs = (x) => (!Number.isFinite(x) ? "–" : x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const fmtRps = (x) => (!Number.isFinite(x) ? "–" : x >= 100 ? Math.round(x).toLocaleString("en-US") : x.toFixed(1));
const fmtRatio = (x) =>
  !Number.isFinite(x)
    ? "–"
    : x >= 100
      ? `${Math.round(x).toLocaleString("en-US")}×`
      : x >= 10
        ? `${x.toFixed(0)}×`
        : x >= 0.1
          ? `${x.toFixed(2)}×`
          : `${x.toFixed(3)}×`;
const fmtMB = (b) => `${(b / 1048576).toFixed(0)} MB`;

// --- push throughput -----------------------------------------------------------------------------------------

async function pushPhase() {
  const pbDir = mkdtempSync(path.join(work, "pb-push-"));
  const pgFile = path.join(work, "pg-push.data");
  const pbPort = await pickPort(PB_PORTS[0], PB_PORTS[1], ports);
  const pgPort = await pickPort(PG_PORTS[0], PG_PORTS[1], ports);
  let pb = await startPb(pbDir, pbPort);
  let pg = null;
  let have = 0;
  const prefix = "/metrics/job/bench/instance/g";
  for (const level of CFG.pushLevels) {
    say(`push: filling to ${level} groups`);
    pg = await startPg(pgFile, pgPort, { seed: true });
    await seedBoth(pb, pg, prefix, have, level, () => readFileSync(bodyFile, "utf8"));
    have = level;
    await stopServer(pg);
    await stopServer(pb);
    pg = await startPg(pgFile, pgPort);
    pb = await startPb(pbDir, pbPort);
    const v = await verifySame(pb, pg, `push level ${level}`);
    say(`push: ${v.groups} groups stored (${v.pbSamples} samples in pushboard's scrape, ${v.pgSamples} in the Pushgateway's)`);
    for (const conns of CFG.pushConns) {
      const seconds = CFG.pushSeconds(level);
      const run = async (srv, secs) => {
        await waitIdle([pb.pid, pg.pid]);
        return runWrk({ base: srv.url, conns, seconds: secs, groups: level, prefix, bodyFile });
      };
      // Warm-up (JIT, connection setup, Go heap growth); not recorded.
      await run(pb, 1);
      await run(pg, 1);
      const rounds = [];
      for (let r = 0; r < CFG.rounds; r++) {
        const order = r % 2 === 0 ? ["pb", "pg"] : ["pg", "pb"];
        const out = {};
        for (const who of order) out[who] = await run(who === "pb" ? pb : pg, seconds);
        rounds.push(out);
        say(
          `push ${level} groups × ${conns} conn round ${r + 1}: pushboard ${fmtRps(out.pb.rps)} req/s (p50 ${fmtMs(out.pb.p50)} ms), ` +
            `Pushgateway ${fmtRps(out.pg.rps)} req/s (p50 ${fmtMs(out.pg.p50)} ms, ${out.pg.requests} requests)`,
        );
        for (const who of ["pb", "pg"])
          if (out[who].errors > 0) results.notes.push(`push ${level}×${conns} round ${r + 1}: ${who} had ${out[who].errors} wrk errors`);
      }
      const m = (who, k) => median(rounds.map((x) => x[who][k]));
      results.push.push({
        groups: level,
        conns,
        seconds,
        pb: { rps: m("pb", "rps"), p50: m("pb", "p50"), p99: m("pb", "p99"), requests: m("pb", "requests") },
        pg: { rps: m("pg", "rps"), p50: m("pg", "p50"), p99: m("pg", "p99"), requests: m("pg", "requests") },
        rpsRatio: median(rounds.map((x) => x.pb.rps / x.pg.rps)),
        p50Ratio: median(rounds.map((x) => x.pb.p50 / x.pg.p50)),
        p99Ratio: median(rounds.map((x) => x.pb.p99 / x.pg.p99)),
        raw: rounds,
      });
    }
    await waitIdle([pb.pid, pg.pid]);
    await stopServer(pg);
  }
  await stopServer(pb);
}

// --- scrape, memory, mixed, startup --------------------------------------------------------------------------

async function scrapeRounds(pb, pg, n) {
  const rounds = [];
  for (let r = 0; r < CFG.rounds; r++) {
    const order = r % 2 === 0 ? ["pb", "pg"] : ["pg", "pb"];
    const out = {};
    for (const who of order) {
      const srv = who === "pb" ? pb : pg;
      await waitIdle([pb.pid, pg.pid]);
      await request(srv.url + "/metrics"); // warm: first scrape after a change may fill caches
      const ms = [];
      let bytes = 0;
      for (let i = 0; i < n; i++) {
        const x = await request(srv.url + "/metrics");
        if (x.status !== 200) throw new Error(`scrape ${srv.name}: ${x.status}`);
        ms.push(x.ms);
        bytes = x.bytes;
      }
      out[who] = { p50: percentile(ms, 50), p99: percentile(ms, 99), bytes, samples: ms };
    }
    rounds.push(out);
  }
  const m = (who, k) => median(rounds.map((x) => x[who][k]));
  return {
    pb: { p50: m("pb", "p50"), p99: m("pb", "p99"), bytes: m("pb", "bytes") },
    pg: { p50: m("pg", "p50"), p99: m("pg", "p99"), bytes: m("pg", "bytes") },
    p50Ratio: median(rounds.map((x) => x.pb.p50 / x.pg.p50)),
    p99Ratio: median(rounds.map((x) => x.pb.p99 / x.pg.p99)),
    scrapesPerRound: n,
    raw: rounds.map((x) => ({ pb: x.pb.samples, pg: x.pg.samples })),
  };
}

async function settledRss(pb, pg) {
  await waitIdle([pb.pid, pg.pid]);
  return { pb: rssBytes(pb.pid), pg: rssBytes(pg.pid) };
}

/** 16 pushers (wrk -c16 over 16 own groups) plus one scrape per second, for `seconds`. */
async function mixedRun(srv, others, seconds) {
  await waitIdle(others);
  const prefix = "/metrics/job/mixed/instance/m";
  const wrkRun = runWrk({ base: srv.url, conns: 16, seconds, groups: 16, prefix, bodyFile });
  const scrapes = [];
  let stop = false;
  wrkRun.then(
    () => (stop = true),
    () => (stop = true),
  );
  const scraper = (async () => {
    await sleep(500);
    while (!stop) {
      const t = Date.now();
      const x = await request(srv.url + "/metrics");
      if (stop) break; // a scrape that ended after the pushers is not "during pushes"
      scrapes.push({ ms: x.ms, bytes: x.bytes });
      await sleep(Math.max(0, 1000 - (Date.now() - t)));
    }
  })();
  const w = await wrkRun;
  await scraper;
  const ms = scrapes.map((s) => s.ms);
  return {
    rps: w.rps,
    p50: w.p50,
    p99: w.p99,
    errors: w.errors,
    scrapes: ms.length,
    scrapeP50: percentile(ms, 50),
    scrapeP99: percentile(ms, 99),
    scrapeBytes: median(scrapes.map((s) => s.bytes)),
  };
}

async function deleteGroups(srv, prefix, n) {
  for (let g = 0; g < n; g++) {
    const r = await request(srv.url + prefix + g, { method: "DELETE" });
    if (r.status !== 202 && r.status !== 200) throw new Error(`DELETE ${srv.name}: ${r.status}`);
  }
}

async function scrapePhase() {
  const pbDir = mkdtempSync(path.join(work, "pb-scrape-"));
  const pgFile = path.join(work, "pg.data");
  const pbPort = await pickPort(PB_PORTS[0], PB_PORTS[1], ports);
  const pgPort = await pickPort(PG_PORTS[0], PG_PORTS[1], ports);
  const prefix = "/metrics/job/seed/instance/s";
  const per = CFG.seriesPerSeedGroup;
  let pb = await startPb(pbDir, pbPort);
  let pg = await startPg(pgFile, pgPort, { seed: true, interval: "1s" });
  results.rssEmpty = await settledRss(pb, pg);
  let have = 0;
  for (const [idx, size] of CFG.scrapeSizes.entries()) {
    const series = size.groups * per;
    say(`scrape: filling to ${size.groups} groups × ${per} series = ${series} series`);
    if (!pg) pg = await startPg(pgFile, pgPort, { seed: true, interval: "1s" });
    await seedBoth(pb, pg, prefix, have, size.groups, (g) => seedBody(per, g));
    have = size.groups;
    const afterPushes = await settledRss(pb, pg);
    // Wait for the Pushgateway's own periodic persistence (interval 1s), then SIGTERM (it drains and rewrites).
    const t = Date.now();
    while (Date.now() - t < 60_000 && !(existsSync(pgFile) && statSync(pgFile).mtimeMs > t - 1000)) await sleep(200);
    await stopServer(pg);
    await stopServer(pb);
    // Time to ready from the persisted stores; the last restart stays up for the measurements.
    const isLast = idx === CFG.scrapeSizes.length - 1;
    const restarts = isLast ? CFG.startupRestarts : 1;
    const startup = { pb: [], pg: [] };
    for (let i = 0; i < restarts; i++) {
      if (i > 0) {
        await stopServer(pb);
        await stopServer(pg);
      }
      pb = await startPb(pbDir, pbPort);
      startup.pb.push(pb.readyMs);
      await waitIdle([pb.pid]);
      pg = await startPg(pgFile, pgPort);
      startup.pg.push(pg.readyMs);
      say(`startup with ${size.label} series: pushboard ${fmtMs(pb.readyMs)} ms, Pushgateway ${fmtMs(pg.readyMs)} ms`);
    }
    results.startup[size.label] = { pb: median(startup.pb), pg: median(startup.pg), ratio: median(startup.pb.map((x, i) => x / startup.pg[i])), raw: startup };
    const v = await verifySame(pb, pg, `scrape ${size.label}`);
    const afterLoad = await settledRss(pb, pg);
    say(`scrape ${size.label}: ${v.groups} groups, ${v.pbSamples}/${v.pgSamples} samples; measuring scrapes`);
    const sc = await scrapeRounds(pb, pg, CFG.scrapesPerRound[size.label]);
    const afterScrapes = await settledRss(pb, pg);
    results.scrape[size.label] = {
      series,
      groups: v.groups,
      samples: { pb: v.pbSamples, pg: v.pgSamples },
      ...sc,
      rss: { afterPushes, afterLoad, afterScrapes },
    };
    say(`scrape ${size.label}: pushboard p50 ${fmtMs(sc.pb.p50)} ms, Pushgateway p50 ${fmtMs(sc.pg.p50)} ms`);
    if (idx === 0) {
      say(`mixed: 16 pushers + 1 scrape/s for ${CFG.mixedSeconds} s on the ${size.label} store, pushboard then Pushgateway`);
      const a = await mixedRun(pb, [pb.pid, pg.pid], CFG.mixedSeconds);
      const b = await mixedRun(pg, [pb.pid, pg.pid], CFG.mixedSeconds);
      results.mixed = { store: size.label, seconds: CFG.mixedSeconds, pb: a, pg: b };
      say(
        `mixed: pushboard ${fmtRps(a.rps)} push/s, scrape p50 ${fmtMs(a.scrapeP50)} ms; Pushgateway ${fmtRps(b.rps)} push/s, scrape p50 ${fmtMs(b.scrapeP50)} ms`,
      );
      await waitIdle([pb.pid, pg.pid]);
      await deleteGroups(pb, "/metrics/job/mixed/instance/m", 16);
      await deleteGroups(pg, "/metrics/job/mixed/instance/m", 16);
    }
    if (!isLast) {
      // Back to filling: the Pushgateway in fill mode again, from its file.
      await stopServer(pg);
      pg = null;
    }
  }
  await stopServer(pg);
  await stopServer(pb);
}

// --- report --------------------------------------------------------------------------------------------------

function machine() {
  const cpu = /model name\s*:\s*(.*)/.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1] ?? "?";
  const mem = /MemTotal:\s+(\d+)/.exec(readFileSync("/proc/meminfo", "utf8"))?.[1];
  const pgv = spawnSync(PG_BIN, ["--version"], { encoding: "utf8" });
  const wrkv = spawnSync("wrk", ["--version"], { encoding: "utf8" });
  return {
    nproc: os.availableParallelism?.() ?? os.cpus().length,
    cpu,
    ram: `${(Number(mem) / 1048576).toFixed(1)} GiB`,
    node: process.version,
    pushgateway: /version (\S+)/.exec(pgv.stdout + pgv.stderr)?.[1] ?? "?",
    wrk: /wrk (\S+)/.exec(wrkv.stdout + wrkv.stderr)?.[1] ?? "?",
    date: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
    kernel: os.release(),
    fs: spawnSync("df", ["-T", os.tmpdir()], { encoding: "utf8" }).stdout.split("\n")[1]?.split(/\s+/).slice(0, 2).reverse().join(" on ") ?? "?",
  };
}

function table() {
  const rows = [["measurement", "pushboard", "Pushgateway 1.5.1", "pushboard ÷ Pushgateway"]];
  for (const p of results.push) {
    rows.push([
      `push ${BODY_BYTES} B PUT, ${p.groups.toLocaleString("en-US")} groups, ${p.conns} conn (${p.seconds} s runs)`,
      `${fmtRps(p.pb.rps)} req/s, p50 ${fmtMs(p.pb.p50)} / p99 ${fmtMs(p.pb.p99)} ms`,
      `${fmtRps(p.pg.rps)} req/s, p50 ${fmtMs(p.pg.p50)} / p99 ${fmtMs(p.pg.p99)} ms (${Math.round(p.pg.requests)} req)`,
      `**${fmtRatio(p.rpsRatio)} req/s**, p50 ${fmtRatio(p.p50Ratio)}, p99 ${fmtRatio(p.p99Ratio)}`,
    ]);
  }
  for (const [label, s] of Object.entries(results.scrape)) {
    rows.push([
      `scrape ${label} series (${s.groups} groups; ${s.scrapesPerRound} scrapes/round)`,
      `p50 ${fmtMs(s.pb.p50)} / p99 ${fmtMs(s.pb.p99)} ms, ${(s.pb.bytes / 1e6).toFixed(2)} MB`,
      `p50 ${fmtMs(s.pg.p50)} / p99 ${fmtMs(s.pg.p99)} ms, ${(s.pg.bytes / 1e6).toFixed(2)} MB`,
      `p50 **${fmtRatio(s.p50Ratio)}**, p99 ${fmtRatio(s.p99Ratio)}`,
    ]);
  }
  if (results.rssEmpty)
    rows.push(["RSS, empty store (after start)", fmtMB(results.rssEmpty.pb), fmtMB(results.rssEmpty.pg), fmtRatio(results.rssEmpty.pb / results.rssEmpty.pg)]);
  for (const [label, s] of Object.entries(results.scrape)) {
    const { afterPushes: a, afterScrapes: z } = s.rss;
    rows.push([`RSS, ${label} series, after the pushes that filled it`, fmtMB(a.pb), fmtMB(a.pg), fmtRatio(a.pb / a.pg)]);
    rows.push([`RSS, ${label} series, restarted from disk + scrapes`, fmtMB(z.pb), fmtMB(z.pg), fmtRatio(z.pb / z.pg)]);
  }
  const labels = Object.keys(results.scrape);
  if (labels.length === 2) {
    const [lo, hi] = labels.map((l) => results.scrape[l]);
    const per = (who) => (hi.rss.afterScrapes[who] - lo.rss.afterScrapes[who]) / (hi.series - lo.series);
    const tot = (who) => hi.rss.afterScrapes[who] / hi.series;
    rows.push([`memory per series at ${labels[1]} (RSS ÷ series)`, `${tot("pb").toFixed(0)} B`, `${tot("pg").toFixed(0)} B`, fmtRatio(tot("pb") / tot("pg"))]);
    rows.push([
      `memory per added series, ${labels[0]} → ${labels[1]}`,
      `${per("pb").toFixed(0)} B`,
      `${per("pg").toFixed(0)} B`,
      fmtRatio(per("pb") / per("pg")),
    ]);
  }
  for (const [label, s] of Object.entries(results.startup)) {
    rows.push([`start → /-/ready 200, ${label} series stored (median of ${s.raw.pb.length})`, `${fmtMs(s.pb)} ms`, `${fmtMs(s.pg)} ms`, fmtRatio(s.ratio)]);
  }
  const mx = results.mixed;
  if (mx.pb) {
    rows.push([
      `mixed ${mx.seconds} s on the ${mx.store} store: 16 pushers`,
      `${fmtRps(mx.pb.rps)} req/s, p50 ${fmtMs(mx.pb.p50)} / p99 ${fmtMs(mx.pb.p99)} ms`,
      `${fmtRps(mx.pg.rps)} req/s, p50 ${fmtMs(mx.pg.p50)} / p99 ${fmtMs(mx.pg.p99)} ms`,
      `**${fmtRatio(mx.pb.rps / mx.pg.rps)} req/s**`,
    ]);
    rows.push([
      `mixed: + 1 scrape/s during the pushes`,
      `p50 ${fmtMs(mx.pb.scrapeP50)} / p99 ${fmtMs(mx.pb.scrapeP99)} ms (${mx.pb.scrapes} scrapes)`,
      `p50 ${fmtMs(mx.pg.scrapeP50)} / p99 ${fmtMs(mx.pg.scrapeP99)} ms (${mx.pg.scrapes} scrapes)`,
      `p50 ${fmtRatio(mx.pb.scrapeP50 / mx.pg.scrapeP50)}`,
    ]);
  }
  const w = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const line = (r) => `| ${r.map((x, c) => x.padEnd(w[c])).join(" | ")} |`;
  return [line(rows[0]), `|${w.map((n) => "-".repeat(n + 2)).join("|")}|`, ...rows.slice(1).map(line)].join("\n");
}

/** Issue 17's targets, each with its verdict: push 2× at 1 connection and 3× at 4 and 16, memory 0.7×. */
function targets() {
  const out = [];
  const cell = (g, c) => results.push.find((p) => p.groups === g && p.conns === c);
  const verdict = (ok) => (ok ? "met" : "MISSED");
  for (const g of [10, 10000])
    for (const c of CFG.pushConns) {
      const x = cell(g, c);
      const want = c === 1 ? 2 : 3;
      if (x) out.push(`push ≥ ${want}× with ${g.toLocaleString("en-US")} groups, ${c} conn: ${fmtRatio(x.rpsRatio)} — ${verdict(x.rpsRatio >= want)}`);
    }
  const s30 = results.scrape["30k"];
  if (s30)
    out.push(
      `scrape of 30k series ≤ 0.1× the Pushgateway's latency: p50 ${fmtRatio(s30.p50Ratio)}, p99 ${fmtRatio(s30.p99Ratio)} — ${verdict(s30.p50Ratio <= 0.1 && s30.p99Ratio <= 0.1)}`,
    );
  const hi = results.scrape["300k"];
  if (hi) {
    for (const [key, what] of [
      ["afterPushes", "after the pushes that filled it"],
      ["afterScrapes", "restarted from disk + scraped"],
    ]) {
      const z = hi.rss[key];
      const r = z.pb / z.pg;
      out.push(
        `memory per stored series ≤ 0.7× (300k, ${what}): ${(z.pb / hi.series).toFixed(0)} B vs ${(z.pg / hi.series).toFixed(0)} B = ${fmtRatio(r)} — ${verdict(r <= 0.7)}`,
      );
    }
  }
  return out;
}

// --- main ----------------------------------------------------------------------------------------------------

const info = machine();
process.on("SIGINT", () => {
  stopAll();
  process.exit(130);
});
let failed = null;
try {
  say(`work dir ${work}; ${quick ? "quick" : "full"} mode, ${CFG.rounds} round(s)`);
  if (!only || only === "push") await pushPhase();
  if (!only || only === "scrape") await scrapePhase();
  // Three replicas on PostgreSQL behind haproxy vs one Pushgateway: its own script, own ports, own table.
  if (!only || only === "replicas") {
    const r = spawnSync(process.execPath, [path.join(ROOT, "test/bench/replicas.mjs"), ...(quick ? ["--quick"] : [])], { stdio: "inherit" });
    if (r.status !== 0) results.notes.push(`replicas section failed (exit ${r.status}); see its output above`);
  }
  // The dashboard at 100,000 groups (issue 17) on the same backend: its own script and ports, own figures.
  if (!only || only === "dashboard") {
    const groups = opt("dashboard-groups") ?? (quick ? "2000" : "100000");
    const args = [path.join(ROOT, "test/bench/dashboard-load.mjs"), `--groups=${groups}`, `--backend=${backend}`];
    const r = spawnSync(process.execPath, args, { stdio: "inherit" });
    if (r.status !== 0) results.notes.push(`dashboard section failed (exit ${r.status}); see its output above`);
  }
} catch (err) {
  failed = err;
  stopAll();
}
results.machine = info;
const md = table();
console.log(`\npushboard vs Prometheus Pushgateway ${info.pushgateway}${quick ? " (QUICK mode: small sizes, 1 round; not the reference figures)" : ""}`);
console.log(
  `machine: ${info.nproc} CPUs (${info.cpu}), ${info.ram} RAM, node ${info.node}, wrk ${info.wrk}, Linux ${info.kernel}, temp dir ${os.tmpdir()} (${info.fs}), ${info.date}`,
);
console.log(`each figure: median of ${CFG.rounds} round(s); ratios taken within a round, then the median\n`);
console.log(md);
const tg = targets();
if (tg.length && !quick) console.log(`\ntargets (issue 17):\n${tg.map((t) => `- ${t}`).join("\n")}`);
if (results.notes.length) console.log(`\nnotes:\n${results.notes.map((t) => `- ${t}`).join("\n")}`);
console.log(`\ntotal ${((Date.now() - T0) / 1000).toFixed(0)} s`);
const jsonOut = opt("json");
if (jsonOut) writeFileSync(jsonOut, JSON.stringify({ ...results, table: md, targets: tg }, null, 2));
if (failed) {
  console.error(`\nbench failed: ${failed.stack ?? failed}\nlogs in ${work}`);
  process.exit(1);
}
if (!keep) rmSync(work, { recursive: true, force: true });
else console.log(`kept ${work}`);

#!/usr/bin/env node
// CPU profile of pushboard under one bench workload (pushboard alone, no Pushgateway running):
//   node test/bench/profile.mjs --groups=1000 --conns=16 --seconds=10          # push workload (wrk + push.lua)
//   node test/bench/profile.mjs --scrape-series=30000 --scrapes=50              # scrape workload
//   options: --pb-args="--storage.backend=memory" (extra pushboard flags), --out=DIR (where the profile goes),
//   --ports=LO-HI (where the server listens; default 19600-19649), --no-prof (no --cpu-prof: CPU per push unprofiled)
// The push workload also prints the server's CPU time per push (utime+stime from /proc/<pid>/stat over the
// measured run ÷ its requests), which does not depend on the load of a shared machine as wall-clock rates do.
// Starts `node --cpu-prof lib/cli/pushboard.mjs` on a fresh data dir (default durable store), fills it, runs the
// load, stops it with SIGTERM (the profile is written at exit) and prints test/bench/profile-summary.mjs output.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { ROOT, percentile, pickPort, pushBody, putAll, request, runWrk, seedBody, startServer, stopServer, waitIdle } from "./lib.mjs";

const opt = (name, def) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? def;
const groups = Number(opt("groups", 10));
const conns = Number(opt("conns", 1));
const seconds = Number(opt("seconds", 10));
const scrapeSeries = Number(opt("scrape-series", 0));
const scrapes = Number(opt("scrapes", 50));
const pbArgs = opt("pb-args", "").split(" ").filter(Boolean);
const work = mkdtempSync(path.join(os.tmpdir(), "pushboard-prof-"));
const out = opt("out", path.join(work, "prof"));
const bodyFile = path.join(work, "push-body.txt");
writeFileSync(bodyFile, pushBody());

const [portLo, portHi] = opt("ports", "19600-19649").split("-").map(Number);
const profiling = !process.argv.includes("--no-prof");
const port = await pickPort(portLo, portHi, new Set());
/** [utime, stime] of a process in µs (clock ticks are 1/100 s). */
const cpuTimes = (pid) => {
  const f = readFileSync(`/proc/${pid}/stat`, "utf8");
  const x = f.slice(f.lastIndexOf(")") + 2).split(" ");
  return [Number(x[11]) * 10_000, Number(x[12]) * 10_000];
};
const pb = await startServer({
  name: "pushboard",
  cmd: process.execPath,
  args: [
    ...(profiling ? ["--cpu-prof", `--cpu-prof-dir=${out}`] : []),
    path.join(ROOT, "lib/cli/pushboard.mjs"),
    `--web.listen-address=127.0.0.1:${port}`,
    ...pbArgs,
  ],
  env: { PUSHBOARD_DATA_DIR: path.join(work, "data"), PUSHBOARD_SKIP_BUILD_CHECK: "1" },
  port,
  logFile: path.join(work, "pushboard.log"),
});
try {
  if (scrapeSeries > 0) {
    const g = Math.ceil(scrapeSeries / 100);
    const items = Array.from({ length: g }, (_, i) => ({ path: `/metrics/job/seed/instance/s${i}`, body: seedBody(100, i) }));
    await putAll(pb.url, items, { okStatus: [200] });
    await waitIdle([pb.pid]);
    const ms = [];
    let bytes = 0;
    for (let i = 0; i < scrapes; i++) {
      const r = await request(pb.url + "/metrics");
      ms.push(r.ms);
      bytes = r.bytes;
    }
    console.log(
      `scrape ${g * 100} series: p50 ${percentile(ms, 50).toFixed(2)} ms, p99 ${percentile(ms, 99).toFixed(2)} ms, ${bytes} bytes, ${scrapes} scrapes`,
    );
  } else {
    const prefix = "/metrics/job/bench/instance/g";
    const body = pushBody();
    await putAll(
      pb.url,
      Array.from({ length: groups }, (_, i) => ({ path: prefix + i, body })),
      { okStatus: [200] },
    );
    await waitIdle([pb.pid]);
    await runWrk({ base: pb.url, conns, seconds: 1, groups, prefix, bodyFile });
    const [u0, s0] = cpuTimes(pb.pid);
    const r = await runWrk({ base: pb.url, conns, seconds, groups, prefix, bodyFile });
    const [u1, s1] = cpuTimes(pb.pid);
    const cpu = u1 - u0 + (s1 - s0);
    console.log(
      `push ${groups} groups × ${conns} conn, ${seconds} s: ${r.rps.toFixed(0)} req/s, p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms, errors ${r.errors}; ` +
        `server CPU ${(cpu / r.requests).toFixed(0)} µs/push (user ${((u1 - u0) / r.requests).toFixed(0)} + system ${((s1 - s0) / r.requests).toFixed(0)}; ${(cpu / 1e6).toFixed(2)} s over ${r.requests} pushes${profiling ? ", profiler on" : ""}); load ${os
          .loadavg()
          .map((x) => x.toFixed(2))
          .join(" ")}`,
    );
  }
} finally {
  await stopServer(pb);
}
const prof = (existsSync(out) ? readdirSync(out) : []).filter((f) => f.endsWith(".cpuprofile"));
for (const f of prof) {
  console.log("");
  spawnSync(process.execPath, [path.join(ROOT, "test/bench/profile-summary.mjs"), path.join(out, f), `--top=${opt("top", 25)}`], { stdio: "inherit" });
}
console.log(`\nprofile and logs in ${work}`);

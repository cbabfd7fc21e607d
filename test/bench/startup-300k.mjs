#!/usr/bin/env node
// Startup with 300,000 stored series (issue 4, "reaches ready in under 5 s"): fills a data dir through the HTTP API
// of the built server (3,000 groups × 100 series, parallel PUTs), stops it with SIGTERM, then measures spawn →
// first /-/ready 200 over 3 restarts and prints the median, the store's own load time and the RSS at ready.
// Not a test: nothing is asserted. Needs `npm run build`. Port 19490.
//   node test/bench/startup-300k.mjs
//   env: BENCH_GROUPS (3000), BENCH_SERIES (100 per group), BENCH_RESTARTS (3), BENCH_DIR (parent of the data
//   dir), BENCH_KEEP=1 (keep the data dir)
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const PORT = 19490;
const GROUPS = Number(process.env.BENCH_GROUPS ?? 3000);
const SERIES = Number(process.env.BENCH_SERIES ?? 100);
const RESTARTS = Number(process.env.BENCH_RESTARTS ?? 3);
const CONCURRENCY = 16;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function spawnServer(dataDir) {
  const t0 = performance.now();
  const proc = spawn(process.execPath, [path.join(ROOT, "lib/cli/pushboard.mjs"), `--web.listen-address=127.0.0.1:${PORT}`], {
    cwd: ROOT,
    env: { ...process.env, PUSHBOARD_DATA_DIR: dataDir, PUSHBOARD_SKIP_BUILD_CHECK: "1", NEXT_TELEMETRY_DISABLED: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  proc.stdout.on("data", (d) => (out += d));
  proc.stderr.on("data", (d) => (out += d));
  const exited = new Promise((resolve) => proc.on("exit", (code, sig) => resolve(code ?? sig)));
  return { proc, t0, exited, output: () => out };
}

function get(pathname) {
  return new Promise((resolve) => {
    const req = http.get({ host: "127.0.0.1", port: PORT, path: pathname, agent: false }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode));
    });
    req.on("error", () => resolve(0));
  });
}

/** Polls /-/ready every 5 ms; returns ms from spawn to the first 200. */
async function waitReady(s, timeoutMs = 120_000) {
  let exited = false;
  s.exited.then(() => (exited = true));
  const deadline = s.t0 + timeoutMs;
  while (performance.now() < deadline) {
    if (exited) throw new Error(`server exited before ready:\n${s.output()}`);
    if ((await get("/-/ready")) === 200) return performance.now() - s.t0;
    await sleep(5);
  }
  s.proc.kill("SIGKILL");
  throw new Error(`not ready after ${timeoutMs} ms:\n${s.output()}`);
}

async function stop(s) {
  s.proc.kill("SIGTERM");
  let timer;
  const code = await Promise.race([s.exited, new Promise((r) => (timer = setTimeout(() => r("timeout"), 60_000)))]);
  clearTimeout(timer);
  if (code !== 0) {
    s.proc.kill("SIGKILL");
    throw new Error(`SIGTERM: exit ${code}\n${s.output()}`);
  }
}

function rssMiB(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) / 1024 : NaN;
}

function body(g) {
  // Two families per group, label values of realistic length; 60 gauges + 40 counters with SERIES = 100.
  const gauges = Math.round(SERIES * 0.6);
  let s = "# HELP bench_queue_depth Items waiting in the queue of this worker.\n# TYPE bench_queue_depth gauge\n";
  for (let i = 0; i < gauges; i++) s += `bench_queue_depth{queue="queue-${i}",region="eu-west-${i % 3}"} ${(g * 7919 + i * 104729) % 100000}\n`;
  s += "# HELP bench_jobs_processed_total Jobs processed by this worker.\n# TYPE bench_jobs_processed_total counter\n";
  for (let i = 0; i < SERIES - gauges; i++) s += `bench_jobs_processed_total{kind="kind-${i}",status="ok"} ${g * 1000 + i}.5\n`;
  return s;
}

function put(agent, g) {
  const b = body(g);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: "127.0.0.1",
        port: PORT,
        method: "PUT",
        path: `/metrics/job/bench-startup/instance/worker-${g}`,
        agent,
        headers: { "Content-Length": Buffer.byteLength(b) },
      },
      (res) => {
        res.resume();
        res.on("end", () => (res.statusCode === 200 ? resolve() : reject(new Error(`PUT group ${g}: ${res.statusCode}`))));
      },
    );
    req.on("error", reject);
    req.end(b);
  });
}

const dataDir = mkdtempSync(path.join(process.env.BENCH_DIR ?? tmpdir(), "pushboard-startup-"));
console.log(`startup-300k: ${GROUPS} groups × ${SERIES} series = ${GROUPS * SERIES} series, data dir ${dataDir}`);
try {
  // 1. Fill.
  const s = spawnServer(dataDir);
  await waitReady(s);
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const tFill = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let g = next++; g < GROUPS; g = next++) await put(agent, g);
    }),
  );
  agent.destroy();
  const fillMs = performance.now() - tFill;
  console.log(
    `fill: ${GROUPS} PUTs in ${(fillMs / 1000).toFixed(1)} s (${Math.round(GROUPS / (fillMs / 1000))} PUT/s, ${Math.round((GROUPS * SERIES) / (fillMs / 1000))} series/s)`,
  );
  const tStop = performance.now();
  await stop(s);
  console.log(`SIGTERM with ${GROUPS * SERIES} series: exit 0 after ${Math.round(performance.now() - tStop)} ms`);
  const files = readdirSync(dataDir).map((f) => `${f} ${(statSync(path.join(dataDir, f)).size / 1048576).toFixed(1)} MiB`);
  console.log(`data dir: ${files.join(", ")}`);

  // 2. Restarts.
  const readyMs = [];
  const loadMs = [];
  const rss = [];
  for (let i = 1; i <= RESTARTS; i++) {
    const r = spawnServer(dataDir);
    const ms = await waitReady(r);
    const mem = rssMiB(r.proc.pid);
    const m = /msg="loaded persisted metrics" groups=(\d+) series=(\d+) ms=(\d+)/.exec(r.output());
    if (!m) throw new Error(`no "loaded persisted metrics" line:\n${r.output()}`);
    if (Number(m[1]) !== GROUPS) throw new Error(`loaded ${m[1]} groups, expected ${GROUPS}`);
    readyMs.push(ms);
    loadMs.push(Number(m[3]));
    rss.push(mem);
    console.log(`restart ${i}: ready after ${Math.round(ms)} ms (store load ${m[3]} ms, ${m[1]} groups, ${m[2]} series), RSS at ready ${mem.toFixed(0)} MiB`);
    await stop(r);
  }
  console.log(
    `startup-300k: median spawn→ready ${Math.round(median(readyMs))} ms over ${RESTARTS} restarts ` +
      `(store load median ${Math.round(median(loadMs))} ms), RSS at ready median ${median(rss).toFixed(0)} MiB, ` +
      `node ${process.versions.node}`,
  );
} finally {
  if (process.env.BENCH_KEEP !== "1") rmSync(dataDir, { recursive: true, force: true });
}

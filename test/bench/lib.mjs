// Helpers for test/bench/run.mjs (`npm run bench`): starting and stopping the two servers, measuring them from
// the outside (/proc, HTTP), the push bodies, and the wrk runner. Plain ESM, no TypeScript loader needed.
import { execFileSync, spawn } from "node:child_process";
import { chownSync, createWriteStream, existsSync, readdirSync, readFileSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const PG_BIN = "/usr/bin/prometheus-pushgateway";
export const PUSH_LUA = path.join(ROOT, "test/bench/push.lua");

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export const median = (xs) => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
/** Nearest-rank percentile (p in 0..100) of the samples. */
export const percentile = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
};
const nowMs = () => Number(process.hrtime.bigint()) / 1e6;

// --- ports ---------------------------------------------------------------------------------------------------

function portFree(port) {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once("error", () => resolve(false));
    s.listen(port, "127.0.0.1", () => s.close(() => resolve(true)));
  });
}

/** A free loopback port in [lo, hi] not in `taken` (the bench's range is 19600-19699). */
export async function pickPort(lo, hi, taken) {
  for (let p = lo; p <= hi; p++) {
    if (taken.has(p)) continue;
    if (await portFree(p)) {
      taken.add(p);
      return p;
    }
  }
  throw new Error(`no free port in ${lo}-${hi}`);
}

// --- processes -----------------------------------------------------------------------------------------------

const running = new Set();
process.on("exit", () => {
  for (const s of running) if (s.proc.exitCode === null && s.proc.signalCode === null) s.proc.kill("SIGKILL");
});

/**
 * Spawns a server and polls GET /-/ready every 10 ms until it answers 200. `readyMs` is the time from spawn to
 * that first 200 (includes process start, store load and, for pushboard, Next's prepare).
 */
export async function startServer({ name, cmd, args, env = {}, port, logFile, readyTimeoutMs = 180_000 }) {
  const t0 = nowMs();
  const proc = spawn(cmd, args, {
    cwd: ROOT,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const log = createWriteStream(logFile, { flags: "a" });
  log.write(`\n=== ${new Date().toISOString()} ${cmd} ${args.join(" ")}\n`);
  proc.stdout.pipe(log, { end: false });
  proc.stderr.pipe(log, { end: false });
  const exited = new Promise((resolve) => proc.on("exit", (code, sig) => resolve(code ?? sig)));
  const server = { name, proc, pid: proc.pid, port, url: `http://127.0.0.1:${port}`, logFile, exited, readyMs: NaN };
  running.add(server);
  let gone = false;
  exited.then(() => (gone = true));
  const deadline = t0 + readyTimeoutMs;
  for (;;) {
    if (gone) throw new Error(`${name} exited before ready; see ${logFile}:\n${tail(logFile)}`);
    if (nowMs() > deadline) {
      proc.kill("SIGKILL");
      throw new Error(`${name} not ready after ${readyTimeoutMs} ms; see ${logFile}`);
    }
    const status = await httpStatus(`${server.url}/-/ready`);
    if (status === 200) break;
    await sleep(10);
  }
  server.readyMs = nowMs() - t0;
  return server;
}

function tail(file) {
  try {
    return readFileSync(file, "utf8").split("\n").slice(-15).join("\n");
  } catch {
    return "";
  }
}

/** SIGTERM, wait for exit (both servers persist on SIGTERM), SIGKILL after `timeoutMs`. */
export async function stopServer(server, timeoutMs = 180_000) {
  if (server.proc.exitCode === null && server.proc.signalCode === null) server.proc.kill("SIGTERM");
  const t = setTimeout(() => server.proc.kill("SIGKILL"), timeoutMs);
  const code = await server.exited;
  clearTimeout(t);
  running.delete(server);
  return code;
}

export function stopAll() {
  for (const s of running) if (s.proc.exitCode === null && s.proc.signalCode === null) s.proc.kill("SIGKILL");
}

/** Resident set size in bytes, from /proc/<pid>/status VmRSS. */
export function rssBytes(pid) {
  const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) * 1024 : NaN;
}

/** utime+stime of a process in clock ticks (1/100 s). */
function cpuTicks(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = s.slice(s.lastIndexOf(")") + 2).split(" ");
    return Number(f[11]) + Number(f[12]);
  } catch {
    return 0;
  }
}

/**
 * Waits until the given processes are (nearly) idle: two consecutive 250 ms windows with at most 2 ticks
 * (20 ms) of CPU between them. A Pushgateway keeps working through queued pushes after the load generator has
 * gone, so every measured run starts only when both servers are quiet. Bounded by `maxMs`.
 */
export async function waitIdle(pids, maxMs = 60_000) {
  const t0 = nowMs();
  let quiet = 0;
  let last = pids.reduce((a, p) => a + cpuTicks(p), 0);
  while (nowMs() - t0 < maxMs) {
    await sleep(250);
    const cur = pids.reduce((a, p) => a + cpuTicks(p), 0);
    quiet = cur - last <= 2 ? quiet + 1 : 0;
    last = cur;
    if (quiet >= 2) return nowMs() - t0;
  }
  return nowMs() - t0;
}

// --- HTTP ----------------------------------------------------------------------------------------------------

const agents = new Map();
function agentFor(url) {
  const key = new URL(url).host;
  if (!agents.has(key)) agents.set(key, new http.Agent({ keepAlive: true, maxSockets: 32 }));
  return agents.get(key);
}

function httpStatus(url) {
  return new Promise((resolve) => {
    const req = http.get(url, { agent: false, timeout: 2000 }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode));
    });
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve(0));
  });
}

/** One request; resolves {status, ms, bytes, text?}. Counts the body without keeping it unless `keep`. */
export function request(url, { method = "GET", body, headers = {}, keep = false, lineCounter } = {}) {
  return new Promise((resolve, reject) => {
    const t0 = nowMs();
    const h = { ...headers };
    if (body !== undefined) h["Content-Length"] = Buffer.byteLength(body);
    const req = http.request(url, { method, headers: h, agent: agentFor(url) }, (res) => {
      let bytes = 0;
      const chunks = [];
      res.on("data", (c) => {
        bytes += c.length;
        if (keep) chunks.push(c);
        if (lineCounter) lineCounter(c);
      });
      res.on("end", () => resolve({ status: res.statusCode, ms: nowMs() - t0, bytes, text: keep ? Buffer.concat(chunks).toString("utf8") : undefined }));
      res.on("error", reject);
    });
    req.on("error", reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/** Runs `items` ({path, body}) as PUTs with `concurrency` in flight; every answer must be in `okStatus`. */
export async function putAll(base, items, { concurrency = 16, okStatus = [200, 202] } = {}) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const it = items[next++];
        const r = await request(base + it.path, { method: "PUT", body: it.body, headers: { "Content-Type": "text/plain; version=0.0.4" }, keep: true });
        if (!okStatus.includes(r.status)) throw new Error(`PUT ${base}${it.path}: ${r.status} ${r.text?.slice(0, 300)}`);
      }
    }),
  );
}

/** GET /metrics (text format, no compression); returns {ms, bytes, samples, groups}. */
export async function scrapeCount(base) {
  let samples = 0;
  let groups = 0;
  let partial = "";
  const r = await request(base + "/metrics", {
    lineCounter: (c) => {
      const lines = (partial + c.toString("latin1")).split("\n");
      partial = lines.pop();
      for (const l of lines) {
        if (l === "" || l[0] === "#") continue;
        samples++;
        if (l.startsWith("push_time_seconds{")) groups++;
      }
    },
  });
  if (r.status !== 200) throw new Error(`GET ${base}/metrics: ${r.status}`);
  return { ms: r.ms, bytes: r.bytes, samples, groups };
}

// --- bodies --------------------------------------------------------------------------------------------------

/** The measured push: ~2 KB of text format, 4 gauge/counter families × 4 series with HELP and TYPE. */
export function pushBody() {
  const fams = [
    ["bench_batch_phase_duration_seconds", "gauge", "Duration of the last run of each batch phase, in seconds."],
    ["bench_batch_records_processed_total", "counter", "Records processed by the batch job since it started."],
    ["bench_batch_last_success_timestamp_seconds", "gauge", "Unix time of the last successful completion."],
    ["bench_batch_queue_depth_items", "gauge", "Items waiting in the batch job's work queue per stage."],
  ];
  const phases = ["extract", "transform", "validate", "load"];
  let s = "";
  fams.forEach(([name, type, help], f) => {
    s += `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n`;
    phases.forEach((p, i) => (s += `${name}{phase="${p}",pipeline="nightly-warehouse-refresh"} ${(1234.5678 * (f + 1) + i * 17.25).toFixed(4)}\n`));
  });
  return s;
}

/** A seeding push of `n` series (4 families of n/4 gauges each). */
export function seedBody(n, g) {
  const per = Math.ceil(n / 4);
  let s = "";
  for (let f = 0; f < 4; f++) {
    const name = `bench_seed_family_${f}_value`;
    s += `# HELP ${name} Seeded series for the pushboard benchmark, family ${f}.\n# TYPE ${name} gauge\n`;
    for (let i = 0; i < per && f * per + i < n; i++) s += `${name}{shard="s${i}",zone="zone-${i % 7}"} ${g * 1000 + i}.5\n`;
  }
  return s;
}

// --- wrk -----------------------------------------------------------------------------------------------------

/**
 * wrk with test/bench/push.lua: PUTs `bodyFile` to `${prefix}${offset + i % groups}` round-robin over the groups
 * (the i-th request of the wrk thread goes to group i mod groups). One wrk thread: on 2 cores it shares the CPU
 * with the server. Resolves {requests, ok, rps, p50, p99 (ms), errors}.
 */
export function runWrk({ base, conns, seconds, groups, prefix, bodyFile, offset = 0 }) {
  return new Promise((resolve, reject) => {
    const args = ["-t1", `-c${conns}`, `-d${seconds}s`, "--timeout", "60s", "-s", PUSH_LUA, base];
    const p = spawn("wrk", args, {
      env: { ...process.env, BENCH_BODY_FILE: bodyFile, BENCH_GROUPS: String(groups), BENCH_PREFIX: prefix, BENCH_OFFSET: String(offset) },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    p.stdout.on("data", (d) => (out += d));
    p.stderr.on("data", (d) => (err += d));
    p.on("error", reject);
    p.on("exit", (code) => {
      const line = out.split("\n").find((l) => l.startsWith("BENCHJSON "));
      if (code !== 0 || !line) return reject(new Error(`wrk ${args.join(" ")} failed (${code}):\n${out}\n${err}`));
      const j = JSON.parse(line.slice("BENCHJSON ".length));
      const errors = j.connect + j.read + j.write + j.status + j.timeout;
      const ok = j.requests - j.status;
      resolve({
        requests: j.requests,
        ok,
        rps: ok / (j.duration_us / 1e6),
        p50: j.requests > 0 ? j.p50_us / 1000 : NaN,
        p99: j.requests > 0 ? j.p99_us / 1000 : NaN,
        errors,
        statusErrors: j.status,
      });
    });
  });
}

export function pgBinDir() {
  const base = "/usr/lib/postgresql";
  const v = existsSync(base)
    ? readdirSync(base)
        .filter((d) => existsSync(path.join(base, d, "bin/postgres")))
        .sort((a, b) => b - a)[0]
    : undefined;
  if (!v) throw new Error("PostgreSQL binaries missing: apt-get install postgresql");
  return path.join(base, v, "bin");
}
const asPostgres = (cmd, args) =>
  execFileSync(process.getuid() === 0 ? "runuser" : cmd, process.getuid() === 0 ? ["-u", "postgres", "--", cmd, ...args] : args, {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });

/**
 * A PostgreSQL server in `dir` on `port` (fsync=on, synchronous_commit=on: every commit durable), with a database
 * "pushboard"; as root it runs as the postgres user. Returns { url, stop }.
 */
export function startPostgresServer({ port, dir: tmp, sharedBuffers = "128MB" }) {
  const bin = pgBinDir();
  const dir = path.join(tmp, "pg");
  if (process.getuid() === 0) {
    const uid = Number(execFileSync("id", ["-u", "postgres"]).toString());
    const gid = Number(execFileSync("id", ["-g", "postgres"]).toString());
    chownSync(tmp, uid, gid);
  }
  asPostgres(path.join(bin, "initdb"), ["-D", dir, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-instructions"]);
  const opts = `-p ${port} -k ${tmp} -c listen_addresses=127.0.0.1 -c max_connections=100 -c shared_buffers=${sharedBuffers} -c fsync=on -c synchronous_commit=on`;
  asPostgres(path.join(bin, "pg_ctl"), ["-D", dir, "-o", opts, "-l", path.join(tmp, "pg.log"), "-w", "start"]);
  asPostgres(path.join(bin, "psql"), ["-h", tmp, "-p", String(port), "-U", "postgres", "-c", "CREATE DATABASE pushboard"]);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/pushboard`,
    createDatabase: (name) => asPostgres(path.join(bin, "psql"), ["-h", tmp, "-p", String(port), "-U", "postgres", "-c", `CREATE DATABASE ${name}`]),
    stop: () => asPostgres(path.join(bin, "pg_ctl"), ["-D", dir, "-m", "fast", "-w", "stop"]),
  };
}

#!/usr/bin/env node
// The dashboard with many groups (issue 17: 100,000). Only prints figures.
//   node test/bench/dashboard-load.mjs [--groups=100000] [--port=20150] [--backend=memory|sqlite|postgres]
//        [--skip-browser] [--delete=10000]
// Starts the built pushboard (postgres: on its own PostgreSQL server on port+1, fsync on), seeds <groups> groups
// by HTTP PUT (5 families each, 50 jobs, a second push for every fifth group so intervals exist), then measures
//   - GET /api/ui/groups for several sorts/filters (server side: filter + sort + page of 50), wall clock and the
//     server process's CPU per request (/proc/<pid>/stat), then the same while 4 pushers replace existing groups;
//   - in Debian's Chromium: navigation start → first table row rendered, cold (new browser context) and warm
//     (same context, reload); one keystroke in the filter box → the table showing the new filter's rows (this
//     includes the filter box's debounce, printed beside it);
//   - deleting <delete> groups by selector (POST /api/ui/groups/delete-matching, as the dashboard's "delete all
//     matching" does) while 8 pushers keep pushing to other groups: the time of that request, and the pushers'
//     throughput and latency meanwhile.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { ROOT, percentile, startPostgresServer } from "./lib.mjs";

const require = createRequire(path.join(ROOT, "package.json"));
const opt = (name, def) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? def;
const N = Number(opt("groups", 100_000));
const PORT = Number(opt("port", 20150));
const backend = opt("backend", "memory");
const toDelete = Number(opt("delete", Math.min(10_000, Math.floor(N / 10))));
const skipBrowser = process.argv.includes("--skip-browser");
const base = `http://127.0.0.1:${PORT}`;
const JOBS = 50;
const work = mkdtempSync(path.join(os.tmpdir(), "pushboard-dash-"));

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const fmt = (xs) => `median ${median(xs).toFixed(0)} ms (min ${Math.min(...xs).toFixed(0)}, max ${Math.max(...xs).toFixed(0)}, n=${xs.length})`;
const load = () =>
  os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(" ");

let pg;
const args = [path.join(ROOT, "lib/cli/pushboard.mjs"), `--web.listen-address=127.0.0.1:${PORT}`, `--storage.backend=${backend}`];
const env = { ...process.env, NEXT_TELEMETRY_DISABLED: "1", PUSHBOARD_DATA_DIR: path.join(work, "data"), PUSHBOARD_SKIP_BUILD_CHECK: "1" };
if (backend === "postgres") {
  pg = startPostgresServer({ port: PORT + 1, dir: work });
  args.push(`--storage.postgres.url=${pg.url}`);
}
const proc = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ["ignore", "ignore", "inherit"] });
// CPU time (user + system, ms) of the server process so far: per-request CPU does not grow with the machine's load.
const TICK_MS = 10; // USER_HZ is 100 on Linux
const serverCpuMs = () => {
  const f = readFileSync(`/proc/${proc.pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(f[11]) + Number(f[12])) * TICK_MS;
};
const stop = () => proc.exitCode === null && proc.kill("SIGTERM");
process.on("exit", stop);

try {
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(base + "/-/ready")).ok) break;
    } catch {}
    if (i > 1200) throw new Error("server not ready");
    await new Promise((r) => setTimeout(r, 100));
  }
  console.log(`backend ${backend}, ${N} groups; load average at start: ${load()}`);

  const body = (i) => Array.from({ length: 5 }, (_, k) => `# TYPE metric_${k} gauge\nmetric_${k}{kind="k${k}"} ${i * k}\n`).join("");
  const put = async (p, b) => {
    const t = performance.now();
    const r = await fetch(base + p, { method: "PUT", body: b });
    await r.arrayBuffer();
    if (r.status !== 200) throw new Error(`push ${p}: ${r.status}`);
    return performance.now() - t;
  };
  const seed = async (ids) => {
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < ids.length) {
          const i = ids[next++];
          await put(`/metrics/job/job${i % JOBS}/instance/host-${i}`, body(i));
        }
      }),
    );
  };
  let t = performance.now();
  await seed(Array.from({ length: N }, (_, i) => i));
  await seed(Array.from({ length: Math.ceil(N / 5) }, (_, i) => i * 5));
  console.log(`seeded ${N} groups (+${Math.ceil(N / 5)} second pushes) in ${((performance.now() - t) / 1000).toFixed(1)} s`);

  const QUERIES = [
    "",
    "sort=lastPush&dir=desc",
    "q=job%3Djob7",
    "q=host-12",
    "q=is%3Astale",
    "groupBy=job&sort=series&dir=desc",
    `page=${Math.floor(N / 100)}`,
  ];
  const measureList = async (q, note) => {
    const times = [];
    let bytes = 0;
    let cpu0 = 0;
    for (let i = 0; i < 15; i++) {
      if (i === 1) cpu0 = serverCpuMs();
      t = performance.now();
      const r = await fetch(`${base}/api/ui/groups?${q}`);
      bytes = (await r.arrayBuffer()).byteLength;
      times.push(performance.now() - t);
    }
    const cpu = (serverCpuMs() - cpu0) / (times.length - 1);
    console.log(
      `GET /api/ui/groups?${q.padEnd(34)} ${fmt(times.slice(1))}, server CPU ${cpu.toFixed(1)} ms/request${note}, ${bytes} bytes (first call ${times[0].toFixed(0)} ms)`,
    );
  };
  for (const q of QUERIES) await measureList(q, "");
  console.log(`load average: ${load()}`);
  {
    // The same while 4 pushers keep replacing existing groups (each push makes a new Group object). The server's
    // CPU per request then includes the pushes made meanwhile, so it is printed with the push rate.
    let pushing = true;
    let pushes = 0;
    const pushers = Array.from({ length: 4 }, async (_, w) => {
      for (let i = w; pushing; i += 4) {
        const g = (i * 7919) % N;
        await put(`/metrics/job/job${g % JOBS}/instance/host-${g}`, body(g + 1));
        pushes++;
      }
    });
    const t0 = performance.now();
    for (const q of QUERIES) await measureList(q, " (pushes included)");
    pushing = false;
    await Promise.all(pushers);
    console.log(`while 4 pushers replaced groups: ${((pushes / (performance.now() - t0)) * 1000).toFixed(0)} pushes/s`);
  }
  console.log(`load average: ${load()}`);

  if (!skipBrowser) {
    const { chromium } = require("playwright-core");
    const browser = await chromium.launch({
      executablePath: "/usr/bin/chromium",
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
      ],
    });
    const cold = [];
    const warm = [];
    const keystroke = [];
    const rows = (page) => page.evaluate(() => document.querySelectorAll("[data-testid=group-row]").length);
    for (let i = 0; i < 5; i++) {
      const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await ctx.newPage();
      t = performance.now();
      await page.goto(base + "/");
      await page.waitForSelector("[data-testid=group-row]");
      cold.push(performance.now() - t);
      for (let j = 0; j < 2; j++) {
        t = performance.now();
        await page.reload();
        await page.waitForSelector("[data-testid=group-row]");
        warm.push(performance.now() - t);
      }
      // "host-99999" (N - 1) matches one group at 100k; deleting its last character widens it to host-9999* (11).
      const box = page.locator("#group-filter");
      await box.fill(`host-${N - 1}`);
      await page.waitForFunction(() => document.querySelectorAll("[data-testid=group-row]").length === 1);
      t = performance.now();
      await box.press("Backspace");
      await page.waitForFunction(() => document.querySelectorAll("[data-testid=group-row]").length > 1);
      keystroke.push(performance.now() - t);
      if ((await rows(page)) < 2) throw new Error("filter did not widen");
      await ctx.close();
    }
    await browser.close();
    console.log(`page / with ${N} groups, navigation → first row rendered: cold ${fmt(cold)}; warm reload ${fmt(warm)}`);
    console.log(`filter keystroke → table updated (includes the filter box's debounce, FILTER_DEBOUNCE_MS): ${fmt(keystroke)}`);
    console.log(`load average: ${load()}`);
  }

  if (toDelete > 0) {
    // Groups job0..job<k-1> hold N/JOBS groups each; the selector picks whole jobs, toDelete groups in all.
    const jobs = Math.max(1, Math.round(toDelete / (N / JOBS)));
    const q = jobs === 1 ? "job=job0" : `job=~"job(${Array.from({ length: jobs }, (_, j) => j).join("|")})"`;
    let pushing = true;
    const lat = [];
    const pushers = Array.from({ length: 8 }, async (_, w) => {
      for (let i = 0; pushing; i++) lat.push(await put(`/metrics/job/live/instance/w${w}-${i % 100}`, body(i)));
    });
    await new Promise((r) => setTimeout(r, 1000));
    const before = lat.length;
    t = performance.now();
    const r = await fetch(`${base}/api/ui/groups/delete-matching`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: base },
      body: JSON.stringify({ q }),
    });
    const text = await r.text();
    const ms = performance.now() - t;
    pushing = false;
    await Promise.all(pushers);
    // Pushes that finished during the delete, plus the one each pusher had waiting behind it (finished after).
    const during = lat.slice(before);
    let deleted = "?";
    try {
      deleted = JSON.parse(text).deleted;
    } catch {}
    console.log(
      `delete by selector ${q} (${r.status}, ${deleted} groups deleted): ${ms.toFixed(0)} ms, while 8 pushers did ` +
        `${during.length} pushes (${((during.length / ms) * 1000).toFixed(0)}/s, p50 ${percentile(during, 50).toFixed(1)} ms, p99 ${percentile(during, 99).toFixed(1)} ms, max ${Math.max(...during).toFixed(0)} ms)`,
    );
    console.log(`load average: ${load()}`);
  }
} finally {
  stop();
  await new Promise((r) => (proc.exitCode === null ? proc.on("exit", r) : r()));
  pg?.stop();
  rmSync(work, { recursive: true, force: true });
}

#!/usr/bin/env node
// What per-group health costs a scrape: 10,000 groups (3 series each) in pushboard, GET /metrics p50 with
// --metrics.group-health on (default) and off, and on again right after a write (the health families are
// re-rendered only when a write lands, the rules change, or a group turns overdue).
//   node test/bench/group-health.mjs [--groups=10000] [--scrapes=30]      (needs npm run build)
import { spawn } from "node:child_process";
import path from "node:path";
import { median, ROOT, sleep } from "./lib.mjs";

const opt = (name, def) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? def);
const GROUPS = opt("groups", 10_000);
const SCRAPES = opt("scrapes", 30);
const PORT = 19699;

async function start(args) {
  const proc = spawn(
    process.execPath,
    [path.join(ROOT, "lib/cli/pushboard.mjs"), `--web.listen-address=127.0.0.1:${PORT}`, "--storage.backend=memory", ...args],
    {
      env: { ...process.env, PUSHBOARD_SKIP_BUILD_CHECK: "1", NEXT_TELEMETRY_DISABLED: "1" },
      stdio: "ignore",
    },
  );
  for (let i = 0; i < 600; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${PORT}/-/ready`)).ok) return proc;
    } catch {}
    await sleep(50);
  }
  throw new Error("pushboard did not start");
}

async function fill() {
  const body = '# TYPE job_ok gauge\njob_ok 1\njob_rows{table="a"} 10\njob_rows{table="b"} 20\n';
  for (let i = 0; i < GROUPS; i += 100) {
    await Promise.all(
      Array.from({ length: Math.min(100, GROUPS - i) }, (_, k) =>
        fetch(`http://127.0.0.1:${PORT}/metrics/job/batch/instance/i${i + k}`, { method: "PUT", body }),
      ),
    );
  }
}

async function scrapeMs(n, between) {
  const times = [];
  for (let i = 0; i < n; i++) {
    if (between) await between(i);
    const t = performance.now();
    await (await fetch(`http://127.0.0.1:${PORT}/metrics`)).arrayBuffer();
    times.push(performance.now() - t);
  }
  return median(times.slice(1));
}

const results = [];
for (const [label, args, write] of [
  ["group health off", ["--metrics.group-health=false"], false],
  ["group health off, a push before each scrape", ["--metrics.group-health=false"], true],
  ["group health on", [], false],
  ["group health on, a push before each scrape", [], true],
]) {
  const proc = await start(args);
  await fill();
  const ms = await scrapeMs(
    SCRAPES,
    write ? (i) => fetch(`http://127.0.0.1:${PORT}/metrics/job/batch/instance/i${i}`, { method: "PUT", body: "job_ok 2\n" }) : undefined,
  );
  results.push(`${label.padEnd(44)} GET /metrics p50 ${ms.toFixed(1)} ms`);
  proc.kill("SIGKILL");
  await sleep(300);
}
console.log(`${GROUPS} groups × 3 series:\n  ${results.join("\n  ")}`);

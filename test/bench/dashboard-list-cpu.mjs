#!/usr/bin/env node
// CPU time per dashboard list request at N groups, in process (issue 17):
//   node test/bench/dashboard-list-cpu.mjs [--groups=100000] [--reps=10] [--heap]
// Bundles dashboard-list-cpu.ts with esbuild (a devDependency) and runs it; prints CPU ms per call (user + system,
// process.cpuUsage), which the shared machine's load does not inflate the way it does wall-clock times.
// With --heap, also the heap the dashboard's caches hold (GroupBase per group, list index, sorted orders).
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { ROOT } from "./lib.mjs";

const dir = mkdtempSync(path.join(os.tmpdir(), "pushboard-listcpu-"));
const out = path.join(dir, "bench.cjs");
try {
  execFileSync(
    path.join(ROOT, "node_modules/.bin/esbuild"),
    [
      path.join(ROOT, "test/bench/dashboard-list-cpu.ts"),
      "--bundle",
      "--platform=node",
      "--format=cjs",
      `--outfile=${out}`,
      "--external:better-sqlite3",
      "--external:pg",
      "--log-level=warning",
    ],
    { stdio: "inherit" },
  );
  const r = spawnSync(process.execPath, ["--max-old-space-size=4096", "--expose-gc", out, ...process.argv.slice(2)], { stdio: "inherit" });
  process.exitCode = r.status ?? 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}

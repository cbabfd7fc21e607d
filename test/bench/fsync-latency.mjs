#!/usr/bin/env node
// The floor of a durable push on this disk: how long one fdatasync of an appended WAL-sized write takes, and one
// better-sqlite3 commit of a push-sized row with the WAL synced, in a directory like the store's (os.tmpdir()).
//   node test/bench/fsync-latency.mjs [--n=2000] [--dir=/tmp]
// Prints p50/p90/p99 and the rate one connection could reach if a push cost nothing but that.
import Database from "better-sqlite3";
import { closeSync, fdatasyncSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import os from "node:os";
import path from "node:path";

const opt = (name, def) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? def;
const n = Number(opt("n", 2000));
const dir = mkdtempSync(path.join(opt("dir", os.tmpdir()), "pushboard-fsync-"));
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)];
const report = (label, us) =>
  console.log(
    `${label.padEnd(48)} p50 ${pct(us, 50).toFixed(0)} µs, p90 ${pct(us, 90).toFixed(0)} µs, p99 ${pct(us, 99).toFixed(0)} µs  → ${(1e6 / pct(us, 50)).toFixed(0)}/s at 1 in flight`,
  );

try {
  // 1. A bare append + fdatasync (what the WAL flush of one commit costs at least).
  const fd = openSync(path.join(dir, "append"), "w");
  const page = Buffer.alloc(4096 + 24, 0x5a);
  const bare = [];
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    writeSync(fd, page);
    fdatasyncSync(fd);
    bare.push(Number(process.hrtime.bigint() - t) / 1000);
  }
  closeSync(fd);
  report("write 4 KiB + fdatasync", bare);

  // 2. A SQLite commit of a ~2 KB family row, WAL mode, synchronous=FULL (the WAL synced inside the commit).
  for (const sync of ["FULL", "NORMAL"]) {
    const db = new Database(path.join(dir, `db-${sync}.sqlite`));
    db.pragma("journal_mode = WAL");
    db.pragma(`synchronous = ${sync}`);
    db.pragma("locking_mode = EXCLUSIVE");
    db.exec("CREATE TABLE families (k TEXT PRIMARY KEY, data TEXT)");
    const up = db.prepare("INSERT INTO families VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET data = excluded.data");
    const data = "x".repeat(2000);
    const us = [];
    for (let i = 0; i < n; i++) {
      const t = process.hrtime.bigint();
      up.run(`g${i % 10}`, data + i);
      us.push(Number(process.hrtime.bigint() - t) / 1000);
    }
    db.close();
    report(`SQLite one-row commit, WAL, synchronous=${sync}`, us);
  }
  console.log(
    `load average: ${os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(" ")}; ${n} samples each in ${dir}`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}

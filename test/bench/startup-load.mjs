#!/usr/bin/env node
// Benchmark of the SQLite persistence (lib/store/sqlite-persistence.ts): startup load of 300,000 stored series in
// several shapes, the cost of the integrity check at open, and commit latency with synchronous=FULL vs NORMAL.
// Plain node script: esbuild bundles the TypeScript module on the fly (better-sqlite3 stays external).
//   node test/bench/startup-load.mjs            # all measurements
//   node test/bench/startup-load.mjs --quick    # smaller commit loops
//   options: --shapes=AD (only those shapes), --no-latency; env BENCH_DIR (where to write), BENCH_KEEP=1 (keep files)
import { spawnSync } from "node:child_process";
import { build } from "esbuild";
import { mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const quick = process.argv.includes("--quick");
const shapeArg = process.argv.find((a) => a.startsWith("--shapes="))?.slice("--shapes=".length); // e.g. --shapes=AD
const skipLatency = process.argv.includes("--no-latency");

const cacheDir = path.join(ROOT, "node_modules/.cache/pushboard-bench");
mkdirSync(cacheDir, { recursive: true });
const outfile = path.join(cacheDir, "sqlite-persistence.mjs");
await build({
  entryPoints: [path.join(ROOT, "lib/store/sqlite-persistence.ts")],
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  external: ["better-sqlite3"],
  outfile,
  logLevel: "error",
});
const { openSqlitePersistence } = await import(pathToFileURL(outfile).href);

const work = mkdtempSync(path.join(process.env.BENCH_DIR ?? tmpdir(), "pushboard-bench-"));
const ms = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;
const now = () => process.hrtime.bigint();
const mb = (f) => (statSync(f).size / 1048576).toFixed(1);

function gaugeFamily(name, groupLabels, series) {
  return {
    name,
    help: `Help text for ${name}, roughly as long as real help strings are.`,
    type: "GAUGE",
    metric: Array.from({ length: series }, (_, i) => ({
      label: [...groupLabels, { name: "instance", value: "" }, { name: "shard", value: String(i) }].sort((a, b) => (a.name < b.name ? -1 : 1)),
      gauge: { value: Math.random() * 1e6 },
    })),
  };
}
function histogramFamily(name, groupLabels, series) {
  const bounds = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, Infinity];
  return {
    name,
    help: `Latency of ${name}.`,
    type: "HISTOGRAM",
    metric: Array.from({ length: series }, (_, i) => ({
      label: [...groupLabels, { name: "instance", value: "" }, { name: "route", value: `/r${i}` }].sort((a, b) => (a.name < b.name ? -1 : 1)),
      histogram: { sampleCount: 100, sampleSum: 12.5, bucket: bounds.map((b, j) => ({ upperBound: b, cumulativeCount: j * 8 })) },
    })),
  };
}

function populate(file, groups, familiesPerGroup, seriesPerFamily, make) {
  const p = openSqlitePersistence(file);
  const t0 = now();
  let batch = [];
  for (let g = 0; g < groups; g++) {
    const labels = [
      { name: "instance", value: `host-${g}` },
      { name: "job", value: `job-${g % 50}` },
    ];
    const key = labels.map((l) => `${l.name}\xff${l.value}\xff`).join("");
    const ts = Date.now();
    const families = Array.from({ length: familiesPerGroup }, (_, f) => ({ family: make(`metric_${f}`, labels, seriesPerFamily), timestampMs: ts }));
    batch.push({ op: "upsertGroup", key, labels, families, removedFamilies: [], pushHistory: [ts] });
    if (batch.length === 100) {
      p.commit(batch);
      batch = [];
    }
  }
  if (batch.length) p.commit(batch);
  const writeMs = ms(t0);
  p.close();
  return writeMs;
}

// Runs in a fresh child process (as a starting server would), with the file in the page cache (warm: dropping the
// cache needs root).
function measureLoad(file, label, expectSeries) {
  const t0 = now();
  const p = openSqlitePersistence(file);
  const openMs = ms(t0);
  const t1 = now();
  const groups = p.load();
  const loadMs = ms(t1);
  let series = 0;
  for (const g of groups) for (const f of g.families) series += f.family.metric.length;
  p.close();
  const t2 = now();
  const p2 = openSqlitePersistence(file, { integrityCheck: false });
  const openNoCheckMs = ms(t2);
  p2.close();
  if (series !== expectSeries) throw new Error(`expected ${expectSeries} series, loaded ${series}`);
  const heapMiB = (process.memoryUsage().heapUsed / 1048576).toFixed(0);
  console.log(
    `${label}: ${groups.length} groups, ${series} series, file ${mb(file)} MiB | open ${openMs.toFixed(0)} ms ` +
      `(of which quick_check ~${(openMs - openNoCheckMs).toFixed(0)} ms) + load ${loadMs.toFixed(0)} ms = ${(openMs + loadMs).toFixed(0)} ms; heap ${heapMiB} MiB`,
  );
}

function commitLatency(sync, n, batchSize) {
  const file = path.join(work, `latency-${sync}-${batchSize}.db`);
  const p = openSqlitePersistence(file, { synchronous: sync });
  const samples = [];
  for (let i = 0; i < n; i++) {
    const batch = [];
    for (let j = 0; j < batchSize; j++) {
      const labels = [{ name: "job", value: `j${(i * batchSize + j) % 500}` }];
      const key = `job\xff${labels[0].value}\xff`;
      const ts = Date.now();
      batch.push({
        op: "upsertGroup",
        key,
        labels,
        families: [
          { family: gaugeFamily("a", labels, 3), timestampMs: ts },
          { family: gaugeFamily("push_time_seconds", labels, 1), timestampMs: ts },
        ],
        removedFamilies: [],
        pushHistory: [ts],
      });
    }
    const t0 = now();
    p.commit(batch);
    samples.push(ms(t0));
  }
  p.close();
  samples.sort((a, b) => a - b);
  const q = (x) => samples[Math.min(samples.length - 1, Math.floor(x * samples.length))].toFixed(3);
  const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
  console.log(
    `commit synchronous=${sync.padEnd(6)} batch=${String(batchSize).padStart(3)} writes: mean ${mean.toFixed(3)} ms, p50 ${q(0.5)} ms, p99 ${q(0.99)} ms ` +
      `(${((1000 / mean) * batchSize).toFixed(0)} writes/s)`,
  );
}

const measureArg = process.argv.find((a) => a.startsWith("--measure-load="));
if (measureArg) {
  const [file, label, expect] = JSON.parse(measureArg.slice("--measure-load=".length));
  measureLoad(file, label, expect);
  process.exit(0);
}

try {
  console.log(`node ${process.version}, data in ${work}`);
  const n = quick ? 200 : 1000;
  for (const sync of skipLatency ? [] : ["FULL", "NORMAL"]) {
    commitLatency(sync, n, 1);
    commitLatency(sync, Math.ceil(n / 10), 100);
  }

  const shapes = [
    ["A: 10,000 groups x 30 gauge families x 1 series", 10_000, 30, 1, gaugeFamily],
    ["B: 3,000 groups x 100 gauge families x 1 series", 3_000, 100, 1, gaugeFamily],
    ["C: 3,000 groups x 10 gauge families x 10 series", 3_000, 10, 10, gaugeFamily],
    ["D: 3,000 groups x 10 histogram families x 10 series (12 buckets)", 3_000, 10, 10, histogramFamily],
  ];
  for (const [label, groups, fams, series, make] of shapes) {
    if (shapeArg && !shapeArg.includes(label[0])) continue;
    const file = path.join(work, `${label[0]}.db`);
    const writeMs = populate(file, groups, fams, series, make);
    console.log(`${label}: written in ${(writeMs / 1000).toFixed(1)} s`);
    const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), `--measure-load=${JSON.stringify([file, label, groups * fams * series])}`], {
      stdio: "inherit",
    });
    if (r.status !== 0) throw new Error(`load measurement failed for ${label}`);
  }
} finally {
  if (!process.env.BENCH_KEEP) rmSync(work, { recursive: true, force: true });
}

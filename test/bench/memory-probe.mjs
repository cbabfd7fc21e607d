#!/usr/bin/env node
// Where pushboard's resident memory goes at N series: fills a fresh durable store (groups × 100 series), restarts
// on it, and prints, after the pushes, after the reload (no scrape yet) and after each of a few scrapes: VmRSS,
// the anonymous / file-backed split of /proc/<pid>/smaps_rollup, and the server's own process.memoryUsage() and
// V8 heap spaces (read through a preloaded signal handler: SIGTTIN writes them to a file).
//   node test/bench/memory-probe.mjs [--groups=3000] [--scrapes=4] [--ports=19600-19649] [--gc] [--snapshot]
// --gc: also report after a full GC (the live heap, garbage excluded); --snapshot: write a heap snapshot
// (--heapsnapshot-signal=SIGUSR2) after the pushes and after the last scrape, kept in the work dir.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { ROOT, pickPort, putAll, request, rssBytes, seedBody, sleep, startServer, stopServer, waitIdle } from "./lib.mjs";

const opt = Object.fromEntries(
  process.argv.slice(2).map((a) => {
    const [k, v] = a.replace(/^--/, "").split("=");
    return [k, v ?? "1"];
  }),
);
const groups = Number(opt.groups ?? 3000);
const scrapes = Number(opt.scrapes ?? 4);
const [lo, hi] = (opt.ports ?? "19600-19649").split("-").map(Number);
const work = mkdtempSync(path.join(os.tmpdir(), "pushboard-mem-"));
const port = await pickPort(lo, hi, new Set());
const statsFile = path.join(work, "stats.json");
const mb = (b) => `${(b / 1048576).toFixed(0)} MB`;

// Preloaded into the server: on SIGTTIN, its memory figures (after a full GC too, with --gc) go to PROBE_OUT.
const preload = `
import v8 from "node:v8";
import { writeFileSync } from "node:fs";
const read = () => ({ mem: process.memoryUsage(), spaces: v8.getHeapSpaceStatistics().map((s) => [s.space_name, s.space_size, s.space_used_size]) });
process.on("SIGTTIN", () => {
  const out = { before: read() };
  if (typeof globalThis.gc === "function") { globalThis.gc(); out.afterGc = read(); }
  writeFileSync(process.env.PROBE_OUT, JSON.stringify(out));
});
`;
const nodeFlags = [`--import=data:text/javascript,${encodeURIComponent(preload)}`];
if (opt.gc) nodeFlags.push("--expose-gc");
if (opt.snapshot) nodeFlags.push("--heapsnapshot-signal=SIGUSR2");

const start = () =>
  startServer({
    name: "pushboard",
    cmd: process.execPath,
    args: [...nodeFlags, path.join(ROOT, "lib/cli/pushboard.mjs"), `--web.listen-address=127.0.0.1:${port}`],
    env: { PUSHBOARD_DATA_DIR: path.join(work, "data"), PUSHBOARD_SKIP_BUILD_CHECK: "1", PROBE_OUT: statsFile },
    port,
    logFile: path.join(work, "pushboard.log"),
  });

function smaps(pid) {
  const t = readFileSync(`/proc/${pid}/smaps_rollup`, "utf8");
  const kb = (k) => Number(new RegExp(`^${k}:\\s+(\\d+)`, "m").exec(t)?.[1] ?? 0) * 1024;
  return { anon: kb("Anonymous"), file: kb("Rss") - kb("Anonymous") };
}

async function stats(pid) {
  rmSync(statsFile, { force: true });
  process.kill(pid, "SIGTTIN");
  for (let i = 0; i < 200 && !existsSync(statsFile); i++) await sleep(50);
  await sleep(50);
  return JSON.parse(readFileSync(statsFile, "utf8"));
}

const fmtMem = ({ mem, spaces }) => {
  const sp = spaces
    .filter(([, size]) => size > 1048576)
    .map(([n, size, used]) => `${n.replace("_space", "")} ${mb(used)}/${mb(size)}`)
    .join(", ");
  return `heapUsed ${mb(mem.heapUsed)} / heapTotal ${mb(mem.heapTotal)}, external ${mb(mem.external)} (arrayBuffers ${mb(mem.arrayBuffers)}), rss ${mb(mem.rss)} [${sp}]`;
};

async function report(label, pb) {
  await waitIdle([pb.pid]);
  const s = smaps(pb.pid);
  const rss = rssBytes(pb.pid);
  const st = await stats(pb.pid);
  console.log(`${label}: RSS ${mb(rss)} (anon ${mb(s.anon)}, file ${mb(s.file)})`);
  console.log(`    ${fmtMem(st.before)}`);
  if (st.afterGc) console.log(`    after gc: ${fmtMem(st.afterGc)}; RSS then ${mb(rssBytes(pb.pid))}`);
}

async function snapshot(pb, label) {
  const before = new Set(readdirSync(ROOT).filter((f) => f.endsWith(".heapsnapshot")));
  process.kill(pb.pid, "SIGUSR2");
  for (let i = 0; i < 1200; i++) {
    await sleep(250);
    const f = readdirSync(ROOT).find((x) => x.endsWith(".heapsnapshot") && !before.has(x));
    if (f) {
      await waitIdle([pb.pid]);
      const dest = path.join(work, `${label}.heapsnapshot`);
      rmSync(dest, { force: true });
      await import("node:fs").then((fs) => fs.renameSync(path.join(ROOT, f), dest));
      console.log(`    heap snapshot: ${dest}`);
      return;
    }
  }
}

let pb = await start();
await report("empty", pb);
await putAll(
  pb.url,
  Array.from({ length: groups }, (_, g) => ({ path: `/metrics/job/seed/instance/s${g}`, body: seedBody(100, g) })),
  { okStatus: [200] },
);
await report(`${groups * 100} series, after the pushes`, pb);
if (opt.snapshot) await snapshot(pb, "after-pushes");
await stopServer(pb);
pb = await start();
await report(`restarted (ready in ${pb.readyMs.toFixed(0)} ms), before any scrape`, pb);
for (let i = 1; i <= scrapes; i++) {
  const r = await request(pb.url + "/metrics");
  await report(`after scrape ${i} (${r.bytes} bytes in ${r.ms.toFixed(0)} ms)`, pb);
}
if (opt.snapshot) await snapshot(pb, "after-scrapes");
await stopServer(pb);
if (opt.snapshot) console.log(`work dir kept: ${work}`);
else rmSync(work, { recursive: true, force: true });

#!/usr/bin/env node
// Where pushboard's resident memory goes at N series: fills a fresh durable store (groups × 100 series), restarts
// on it, and prints VmRSS after load (no scrape yet) and after each of a few scrapes (the scrape render cache).
//   node test/bench/memory-probe.mjs [groups=3000] [scrapes=4]
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { ROOT, pickPort, putAll, request, rssBytes, seedBody, startServer, stopServer, waitIdle } from "./lib.mjs";

const groups = Number(process.argv[2] ?? 3000);
const scrapes = Number(process.argv[3] ?? 4);
const work = mkdtempSync(path.join(os.tmpdir(), "pushboard-mem-"));
const port = await pickPort(19600, 19649, new Set());
const mb = (b) => `${(b / 1048576).toFixed(0)} MB`;
const start = () =>
  startServer({
    name: "pushboard",
    cmd: process.execPath,
    args: [path.join(ROOT, "lib/cli/pushboard.mjs"), `--web.listen-address=127.0.0.1:${port}`],
    env: { PUSHBOARD_DATA_DIR: path.join(work, "data"), PUSHBOARD_SKIP_BUILD_CHECK: "1" },
    port,
    logFile: path.join(work, "pushboard.log"),
  });
let pb = await start();
await waitIdle([pb.pid]);
console.log(`empty: ${mb(rssBytes(pb.pid))}`);
await putAll(
  pb.url,
  Array.from({ length: groups }, (_, g) => ({ path: `/metrics/job/seed/instance/s${g}`, body: seedBody(100, g) })),
  { okStatus: [200] },
);
await waitIdle([pb.pid]);
console.log(`${groups * 100} series, after the pushes: ${mb(rssBytes(pb.pid))}`);
await stopServer(pb);
pb = await start();
await waitIdle([pb.pid]);
console.log(`restarted (ready in ${pb.readyMs.toFixed(0)} ms), before any scrape: ${mb(rssBytes(pb.pid))}`);
for (let i = 1; i <= scrapes; i++) {
  const r = await request(pb.url + "/metrics");
  await waitIdle([pb.pid]);
  console.log(`after scrape ${i} (${r.bytes} bytes in ${r.ms.toFixed(0)} ms): ${mb(rssBytes(pb.pid))}`);
}
await stopServer(pb);
rmSync(work, { recursive: true, force: true });

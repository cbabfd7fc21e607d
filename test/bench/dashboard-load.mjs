#!/usr/bin/env node
// Dashboard load time with many groups. Only prints figures.
//   node test/bench/dashboard-load.mjs [groups=10000] [port=19349]
// Starts the built pushboard (in-memory store), seeds <groups> groups by HTTP PUT (5 families each, a second
// push for every fifth group so intervals exist), then measures
//   - GET /api/ui/groups for several sorts/filters (server side: filter + sort + page of 50),
//   - the page in Debian's Chromium: navigation start → first table row rendered, cold (new browser
//     context) and warm (same context, reload).
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const require = createRequire(path.join(root, "package.json"));
const { chromium } = require("playwright-core");
const N = Number(process.argv[2] ?? 10_000);
const PORT = Number(process.argv[3] ?? 19349);
const base = `http://127.0.0.1:${PORT}`;

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const fmt = (xs) => `median ${median(xs).toFixed(0)} ms (min ${Math.min(...xs).toFixed(0)}, max ${Math.max(...xs).toFixed(0)}, n=${xs.length})`;

const proc = spawn(process.execPath, [path.join(root, "lib/cli/pushboard.mjs"), `--web.listen-address=127.0.0.1:${PORT}`, "--storage.backend=memory"], {
  cwd: root,
  env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
  stdio: ["ignore", "ignore", "inherit"],
});
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

  const body = (i) => Array.from({ length: 5 }, (_, k) => `# TYPE metric_${k} gauge\nmetric_${k}{kind="k${k}"} ${i * k}\n`).join("");
  const put = async (i) => {
    const r = await fetch(`${base}/metrics/job/job${i % 50}/instance/host-${i}`, { method: "PUT", body: body(i) });
    await r.arrayBuffer();
    if (r.status !== 200) throw new Error(`push ${i}: ${r.status}`);
  };
  const seed = async (ids) => {
    let next = 0;
    await Promise.all(Array.from({ length: 16 }, async () => {
      while (next < ids.length) await put(ids[next++]);
    }));
  };
  let t = performance.now();
  await seed(Array.from({ length: N }, (_, i) => i));
  await seed(Array.from({ length: Math.ceil(N / 5) }, (_, i) => i * 5));
  console.log(`seeded ${N} groups (+${Math.ceil(N / 5)} second pushes) in ${((performance.now() - t) / 1000).toFixed(1)} s`);

  for (const q of ["", "sort=lastPush&dir=desc", "q=job%3Djob7", "q=host-12", "q=is%3Astale", "groupBy=job&sort=series&dir=desc", "page=150"]) {
    const times = [];
    let bytes = 0;
    for (let i = 0; i < 15; i++) {
      t = performance.now();
      const r = await fetch(`${base}/api/ui/groups?${q}`);
      bytes = (await r.arrayBuffer()).byteLength;
      times.push(performance.now() - t);
    }
    console.log(`GET /api/ui/groups?${q.padEnd(34)} ${fmt(times.slice(1))}, ${bytes} bytes (first call ${times[0].toFixed(0)} ms)`);
  }

  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
  });
  const cold = [];
  const warm = [];
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
    await ctx.close();
  }
  await browser.close();
  console.log(`page / with ${N} groups, navigation → first row rendered: cold ${fmt(cold)}; warm reload ${fmt(warm)}`);
} finally {
  stop();
}

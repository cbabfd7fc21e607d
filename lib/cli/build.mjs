#!/usr/bin/env node
// Production build: the Next.js dashboard (`next build`), then the pushboard server bundle that hosts it
// (.next/pushboard/server.cjs, built from lib/cli/serve.ts by esbuild; node_modules stay external).
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
process.env.NEXT_TELEMETRY_DISABLED = "1";

const nextBin = path.join(root, "node_modules/next/dist/bin/next");
const built = spawnSync(process.execPath, [nextBin, "build"], { cwd: root, stdio: "inherit", env: process.env });
if (built.status !== 0) process.exit(built.status ?? 1);

const esbuild = await import("esbuild");
const outdir = path.join(root, ".next/pushboard");
mkdirSync(outdir, { recursive: true });
/** One self-contained CommonJS file for Node 20; node_modules stay external (they are installed beside it). */
const bundle = (entry, outfile, extra = {}) =>
  esbuild.build({
    entryPoints: [path.join(root, entry)],
    outfile: path.join(outdir, outfile),
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    packages: "external",
    logLevel: "warning",
    ...extra,
  });
await bundle("lib/cli/serve.ts", "server.cjs", { sourcemap: "linked" });
// Worker threads load these beside server.cjs: the push-body parser (lib/exposition/parse-pool.ts) and the SQLite
// database thread (lib/store/sqlite-persistence.ts, opt-in).
await bundle("lib/exposition/parse-worker.ts", "parse-worker.cjs");
await bundle("lib/store/sqlite-worker.ts", "sqlite-worker.cjs");
writeFileSync(path.join(outdir, "BUILT_AT"), new Date().toISOString() + "\n");
console.log("pushboard: server bundle written to .next/pushboard/server.cjs");

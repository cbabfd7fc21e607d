// Bundles the SQLite database worker (lib/store/sqlite-worker.ts) the way lib/cli/build.mjs does, so tests on the
// sources can run the persistence on its worker thread as production does.
import { build } from "esbuild";
import { mkdirSync } from "node:fs";
import path from "node:path";

const ROOT = path.join(__dirname, "../..");

/** Path of the bundled worker (built once per call; esbuild takes ~50 ms). */
export async function sqliteWorkerBundle(): Promise<string> {
  const cacheDir = path.join(ROOT, "node_modules/.cache/pushboard-test");
  mkdirSync(cacheDir, { recursive: true });
  const outfile = path.join(cacheDir, `sqlite-worker-${process.pid}.cjs`);
  await build({
    entryPoints: [path.join(ROOT, "lib/store/sqlite-worker.ts")],
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    packages: "external",
    outfile,
    logLevel: "error",
  });
  return outfile;
}

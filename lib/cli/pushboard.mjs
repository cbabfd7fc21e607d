#!/usr/bin/env node
// The `pushboard` command. Builds first when the production build is missing or older than the sources, then
// starts the server (or runs a subcommand such as `pushboard import`).
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const bundle = path.join(root, ".next/pushboard/server.cjs");
process.env.NEXT_TELEMETRY_DISABLED = "1";
process.env.NODE_ENV ??= "production";

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (/\.(tsx?|mjs|css|proto)$/.test(entry.name)) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

function needsBuild() {
  if (!existsSync(bundle) || !existsSync(path.join(root, ".next/BUILD_ID"))) return true;
  // A packaged install (deploy/image/build.sh, the container image) has no sources to rebuild from and may be
  // read-only: it runs what was built.
  if (process.env.PUSHBOARD_SKIP_BUILD_CHECK === "1" || !existsSync(path.join(root, "app"))) return false;
  const builtAt = statSync(bundle).mtimeMs;
  return ["app", "components", "lib"].some((d) => existsSync(path.join(root, d)) && newestSource(path.join(root, d)) > builtAt);
}

const argv = process.argv.slice(2);
const informational = argv.includes("--help") || argv.includes("-h") || argv.includes("--version");
if ((!informational || !existsSync(bundle)) && needsBuild()) {
  process.stderr.write("pushboard: building (first start, or sources changed)...\n");
  const r = spawnSync(process.execPath, [path.join(root, "lib/cli/build.mjs")], { cwd: root, stdio: ["ignore", "inherit", "inherit"] });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
const require = createRequire(import.meta.url);
await require(bundle).main(argv);

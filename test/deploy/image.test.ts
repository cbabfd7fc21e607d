// The container image's steps without a container engine: deploy/image/build.sh packages the suite's
// production build into a temporary directory, the tree is made read-only, and pushboard starts from it as an
// unprivileged user (uid 65534 through setpriv, as the image's USER) with only its data directory writable.
// Then the seed's example runs against it with curl, and a restart shows the data lives in the data directory.
// Also checks the Dockerfile's shape (the parts a container engine would run). Ports: 19852.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requireTool } from "../clients/common";
import { ROOT, waitReady, type RunningServer } from "../helpers/servers";

const PORT = 19852;
const NOBODY = 65534;
const asRoot = process.getuid?.() === 0;
const ready =
  requireTool("pushboard production build", existsSync(path.join(ROOT, ".next/BUILD_ID")), "run npm run build first") &&
  requireTool("curl", spawnSync("curl", ["--version"]).status === 0, "apt-get install curl") &&
  requireTool("setpriv", !asRoot || spawnSync("setpriv", ["--version"]).status === 0, "util-linux setpriv");

let work = "";
let app = "";
let data = "";
let tmp = "";

/** Every file under dir (relative paths) with its mtime, to show that running wrote nothing there. */
function snapshot(dir: string, base = dir, out = new Map<string, number>()): Map<string, number> {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) snapshot(p, base, out);
    out.set(path.relative(base, p), statSync(p, { throwIfNoEntry: false })?.mtimeMs ?? 0);
  }
  return out;
}

function makeReadOnly(dir: string): void {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isSymbolicLink()) continue;
    if (e.isDirectory()) makeReadOnly(p);
    chmodSync(p, statSync(p).mode & 0o555);
  }
  chmodSync(dir, statSync(dir).mode & 0o555);
}

function makeWritable(dir: string): void {
  if (!existsSync(dir)) return;
  chmodSync(dir, 0o755);
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory() && !e.isSymbolicLink()) makeWritable(path.join(dir, e.name));
  }
}

/** Starts the packaged pushboard as the image does: unprivileged, cwd = data dir, a minimal environment. */
async function startPackaged(args: string[] = []): Promise<RunningServer> {
  const env = {
    PATH: "/usr/local/bin:/usr/bin:/bin",
    HOME: tmp,
    TMPDIR: tmp,
    NODE_ENV: "production" as const,
    NEXT_TELEMETRY_DISABLED: "1",
    PUSHBOARD_DATA_DIR: data,
  };
  const command = [process.execPath, path.join(app, "lib/cli/pushboard.mjs"), `--web.listen-address=127.0.0.1:${PORT}`, ...args];
  const [cmd, ...argv] = asRoot ? ["setpriv", `--reuid=${NOBODY}`, `--regid=${NOBODY}`, "--clear-groups", ...command] : command;
  const proc = spawn(cmd!, argv, { cwd: data, env, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  proc.stdout.on("data", (d) => (out += d));
  proc.stderr.on("data", (d) => (out += d));
  const exited = new Promise<number | string | null>((resolve) => proc.on("exit", (code, sig) => resolve(code ?? sig)));
  const server: RunningServer = {
    url: `http://127.0.0.1:${PORT}`,
    port: PORT,
    proc,
    output: () => out,
    exited,
    async stop(signal = "SIGTERM") {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      return exited;
    },
  };
  await waitReady(server);
  return server;
}

/** The seed's commands, verbatim but for the address. */
function seedPush(url: string): string {
  return execFileSync("sh", ["-c", `echo "some_metric 3.14" | curl -sS -f --data-binary @- ${url}/metrics/job/some_job`], { encoding: "utf8" });
}
function seedScrape(url: string): string {
  return execFileSync("curl", ["-sS", "-f", `${url}/metrics`], { encoding: "utf8" });
}

describe.skipIf(!ready)("deploy/image/build.sh: the packaged app runs read-only as uid 65534", () => {
  let before = new Map<string, number>();

  beforeAll(() => {
    work = mkdtempSync(path.join(tmpdir(), "pushboard-image-"));
    chmodSync(work, 0o755);
    app = path.join(work, "app");
    data = path.join(work, "data");
    tmp = path.join(work, "tmp");
    mkdirSync(data);
    mkdirSync(tmp);
    const r = spawnSync("bash", [path.join(ROOT, "deploy/image/build.sh"), "--no-install", "--no-build", app], { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`build.sh failed:\n${r.stdout}\n${r.stderr}`);
    makeReadOnly(app);
    if (asRoot) {
      chownSync(data, NOBODY, NOBODY);
      chownSync(tmp, NOBODY, NOBODY);
    }
    before = snapshot(app);
  }, 180_000);

  afterAll(() => {
    makeWritable(work);
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it("packages only what runs: the build, the command, production dependencies", () => {
    for (const p of [
      ".next/BUILD_ID",
      ".next/pushboard/server.cjs",
      "lib/cli/pushboard.mjs",
      "next.config.js",
      "package.json",
      "node_modules/next",
      "node_modules/better-sqlite3",
    ]) {
      expect(existsSync(path.join(app, p)), p).toBe(true);
    }
    // No sources (so no build at start), no build cache, no dev dependencies.
    for (const p of [
      "app",
      "components",
      "lib/server",
      "test",
      ".next/cache",
      "node_modules/typescript",
      "node_modules/vitest",
      "node_modules/esbuild",
      "node_modules/playwright-core",
    ]) {
      expect(existsSync(path.join(app, p)), p).toBe(false);
    }
  });

  it("serves the seed's example from a read-only tree, writing only to the data directory", async () => {
    const server = await startPackaged();
    try {
      expect(seedPush(server.url)).toBe("");
      const text = seedScrape(server.url);
      expect(text).toContain('some_metric{instance="",job="some_job"} 3.14');
      expect(text).toMatch(/push_time_seconds\{instance="",job="some_job"\} \d/);
      // The dashboard and its assets come from the read-only build.
      const page = await fetch(server.url + "/");
      const html = await page.text();
      expect(page.status).toBe(200);
      const asset = /\/_next\/static\/[^"]+\.js/.exec(html)?.[0];
      expect(asset).toBeDefined();
      expect((await fetch(server.url + asset!)).status).toBe(200);
      expect((await fetch(server.url + "/status")).status).toBe(200);
      expect((await fetch(server.url + "/api/ui/groups")).status).toBe(200);
    } finally {
      expect(await server.stop()).toBe(0);
    }
    const out = server.output();
    expect(out).not.toMatch(/building|EACCES|EROFS|EPERM/);
    expect(snapshot(app)).toEqual(before);
    expect(readdirSync(data)).toContain("pushboard.db");
    if (asRoot) expect(statSync(path.join(data, "pushboard.db")).uid).toBe(NOBODY);
  });

  it("keeps the pushed group in the data directory across a restart", async () => {
    const server = await startPackaged();
    try {
      expect(seedScrape(server.url)).toContain('some_metric{instance="",job="some_job"} 3.14');
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });

  it("takes Pushgateway flags as arguments, relative paths resolved in the data directory", async () => {
    const server = await startPackaged(["--persistence.file=pushgateway.db", "--web.enable-admin-api"]);
    try {
      seedPush(server.url);
      expect((await fetch(server.url + "/api/v1/admin/wipe", { method: "PUT" })).status).toBe(202);
    } finally {
      expect(await server.stop()).toBe(0);
    }
    expect(existsSync(path.join(data, "pushgateway.db"))).toBe(true);
  });
});

describe("Dockerfile", () => {
  const dockerfile = readFileSync(path.join(ROOT, "Dockerfile"), "utf8");
  const instructions = dockerfile
    .replace(/\\\n/g, " ")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"));
  const stages = instructions.filter((l) => /^FROM /i.test(l));

  it("is multi-stage on the official Node.js slim image, building with deploy/image/build.sh", () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const nodeVersion = /^ARG NODE_VERSION=(\d+)$/m.exec(dockerfile)?.[1];
    // An LTS line (even major) that is at least the engines minimum.
    expect(Number(nodeVersion) % 2).toBe(0);
    expect(Number(nodeVersion)).toBeGreaterThanOrEqual(20);
    for (const s of stages) expect(s).toMatch(/^FROM node:\$\{NODE_VERSION\}-[a-z]+-slim\b/);
    expect(instructions).toContain("RUN bash deploy/image/build.sh /app");
  });

  it("runs as uid 65534 on port 9091 with the pushboard command as entrypoint", () => {
    const final = instructions.slice(instructions.lastIndexOf(stages[stages.length - 1]!));
    expect(final).toContain("USER 65534:65534");
    expect(final).toContain("EXPOSE 9091");
    expect(final).toContain('ENTRYPOINT ["node", "/app/lib/cli/pushboard.mjs"]');
    expect(final.some((l) => /^CMD\b/.test(l))).toBe(false);
    expect(final.join("\n")).toMatch(/PUSHBOARD_DATA_DIR=\/data/);
    expect(final).toContain("COPY --from=build /app /app");
  });

  it(".dockerignore keeps local installs, builds and data out of the context", () => {
    const ignored = readFileSync(path.join(ROOT, ".dockerignore"), "utf8")
      .split("\n")
      .map((l) => l.trim());
    for (const p of ["node_modules", ".next", "data"]) expect(ignored).toContain(p);
  });
});

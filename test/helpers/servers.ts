// Starting the real servers under test: the built pushboard and the Debian Pushgateway (the oracle).
// Every test file chooses its own loopback ports (see test/README.md) so files can run in parallel.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { findProgram } from "../system-deps.mjs";

export const ROOT = path.resolve(__dirname, "../..");
/** Debian's prometheus-pushgateway 1.5.1 (declared in test/system-deps.json). */
export const ORACLE_BIN = findProgram("prometheus-pushgateway") ?? "/usr/bin/prometheus-pushgateway";

export interface RunningServer {
  url: string;
  port: number;
  proc: ChildProcess;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** SIGTERM and wait for exit; resolves with the exit code (or signal name). */
  stop(signal?: NodeJS.Signals): Promise<number | string | null>;
  exited: Promise<number | string | null>;
}

function launch(cmd: string, args: string[], port: number, env: Record<string, string | undefined>, readyPath: string): Promise<RunningServer> {
  const proc = spawn(cmd, args, { cwd: ROOT, env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  proc.stdout!.on("data", (d) => (out += d));
  proc.stderr!.on("data", (d) => (out += d));
  const exited = new Promise<number | string | null>((resolve) => proc.on("exit", (code, sig) => resolve(code ?? sig)));
  const url = `http://127.0.0.1:${port}`;
  const server: RunningServer = {
    url,
    port,
    proc,
    output: () => out,
    exited,
    async stop(signal = "SIGTERM") {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      return exited;
    },
  };
  return waitReady(server, readyPath).then(() => server);
}

/** Polls until GET readyPath answers 200, the process exits, or 30 s pass. */
export async function waitReady(server: RunningServer, readyPath = "/-/ready", timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  server.exited.then(() => (exited = true));
  while (Date.now() < deadline) {
    if (exited) throw new Error(`server exited before ready:\n${server.output()}`);
    try {
      const r = await fetch(server.url + readyPath);
      // 401: up, but guarded by --web.config.file basic auth.
      if (r.status === 200 || r.status === 401) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  await server.stop("SIGKILL");
  throw new Error(`server not ready after ${timeoutMs} ms:\n${server.output()}`);
}

export interface PushboardOptions {
  /** Extra Pushgateway-style flags. */
  args?: string[];
  env?: Record<string, string | undefined>;
  /** Use the in-memory store (default true: fast, nothing on disk). */
  memory?: boolean;
  /** Data directory for the embedded store; a fresh temp dir when omitted and memory is false. */
  dataDir?: string;
  readyPath?: string;
}

/** Starts the production build of pushboard (`npm run build` must have run) on 127.0.0.1:port. */
export function startPushboard(port: number, opts: PushboardOptions = {}): Promise<RunningServer> {
  const memory = opts.memory ?? true;
  const args = [path.join(ROOT, "lib/cli/pushboard.mjs"), `--web.listen-address=127.0.0.1:${port}`, ...(opts.args ?? [])];
  if (memory) args.push("--storage.backend=memory");
  const dataDir = opts.dataDir ?? (memory ? undefined : mkdtempSync(path.join(tmpdir(), "pushboard-test-")));
  // The tests run the build that test/run-all.sh made; a source edited meanwhile must not start a rebuild mid-run.
  const env = { PUSHBOARD_SKIP_BUILD_CHECK: "1", ...(dataDir ? { PUSHBOARD_DATA_DIR: dataDir } : {}), ...opts.env };
  return launch(process.execPath, args, port, env, opts.readyPath ?? "/-/ready");
}

/** Starts Debian's prometheus-pushgateway 1.5.1 on 127.0.0.1:port, never touching /var/lib. */
export function startOracle(port: number, args: string[] = [], readyPath = "/-/ready"): Promise<RunningServer> {
  if (!existsSync(ORACLE_BIN)) throw new Error(`${ORACLE_BIN} missing: run test/setup.sh (apt-get install prometheus-pushgateway)`);
  const hasPersistence = args.some((a) => a.startsWith("--persistence.file"));
  const all = [`--web.listen-address=127.0.0.1:${port}`, ...(hasPersistence ? [] : ["--persistence.file="]), ...args];
  return launch(ORACLE_BIN, all, port, {}, readyPath);
}

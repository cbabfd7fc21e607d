// A real, throwaway PostgreSQL server for tests: Debian's postgresql binaries, a fresh data directory in a temp
// dir, owned by and run as the non-root `postgres` user (PostgreSQL refuses to run as root), on a loopback port
// the test file chooses. Password (SCRAM) authentication over TCP, so tests can check that the password never leaks.
// Missing binaries: the test is skipped, except with CI=true, where that is a failure.
import { execFileSync, spawnSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";

export const PG_USER = "pushboard";
export const PG_PASSWORD = "s3cret-Pa55word";

/** Directory of the newest installed PostgreSQL's binaries, or undefined. */
export function postgresBinDir(): string | undefined {
  const base = "/usr/lib/postgresql";
  if (!existsSync(base)) return undefined;
  const versions = readdirSync(base)
    .filter((v) => existsSync(path.join(base, v, "bin", "postgres")))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? path.join(base, versions[0], "bin") : undefined;
}

/** True if tests can run a PostgreSQL server; throws with CI=true when they cannot. */
export function postgresAvailable(): boolean {
  const ok = postgresBinDir() !== undefined && (process.getuid?.() !== 0 || spawnSync("id", ["postgres"]).status === 0);
  if (!ok && process.env.CI === "true") throw new Error("PostgreSQL server binaries missing (apt-get install postgresql): required with CI=true");
  return ok;
}

export interface PostgresServer {
  port: number;
  dataDir: string;
  /** URL of database `db` as the pushboard user (with password). */
  url(db: string): string;
  createDatabase(db: string): Promise<void>;
  /** Fast shutdown (pg_ctl stop -m fast); start() brings it back on the same data. */
  stop(): void;
  start(): void;
  /** Stops the server and removes its data directory. */
  destroy(): void;
}

function runAsPostgres(cmd: string, args: string[]): string {
  const asRoot = process.getuid?.() === 0;
  const [file, argv] = asRoot ? ["runuser", ["-u", "postgres", "--", cmd, ...args]] : [cmd, args];
  return execFileSync(file, argv, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

export function startPostgres(port: number): PostgresServer {
  const bin = postgresBinDir();
  if (!bin) throw new Error("PostgreSQL binaries not found under /usr/lib/postgresql");
  const root = mkdtempSync(path.join(tmpdir(), "pushboard-pg-"));
  const dataDir = path.join(root, "data");
  const pwfile = path.join(root, "pw");
  writeFileSync(pwfile, "postgres-superuser-pw\n");
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim());
    chownSync(root, uid, gid);
    chownSync(pwfile, uid, gid);
  }
  runAsPostgres(path.join(bin, "initdb"), [
    "-D",
    dataDir,
    "-U",
    "postgres",
    "--auth-local=trust",
    "--auth-host=scram-sha-256",
    `--pwfile=${pwfile}`,
    "-E",
    "UTF8",
    "--no-instructions",
  ]);
  const ctl = path.join(bin, "pg_ctl");
  const opts = `-p ${port} -k ${root} -c listen_addresses=127.0.0.1 -c max_connections=200 -c shared_buffers=32MB -c fsync=on -c synchronous_commit=on`;
  const start = (): void => {
    runAsPostgres(ctl, ["-D", dataDir, "-o", opts, "-l", path.join(root, "log"), "-w", "-t", "60", "start"]);
  };
  const stop = (): void => {
    runAsPostgres(ctl, ["-D", dataDir, "-m", "fast", "-w", "-t", "60", "stop"]);
  };
  start();
  // The pushboard role, over the Unix socket (trust for the superuser only there).
  runAsPostgres(path.join(bin, "psql"), [
    "-h",
    root,
    "-p",
    String(port),
    "-U",
    "postgres",
    "-d",
    "postgres",
    "-v",
    "ON_ERROR_STOP=1",
    "-c",
    `CREATE ROLE ${PG_USER} LOGIN PASSWORD '${PG_PASSWORD}' CREATEDB`,
  ]);
  let running = true;
  const server: PostgresServer = {
    port,
    dataDir,
    url: (db) => `postgres://${PG_USER}:${encodeURIComponent(PG_PASSWORD)}@127.0.0.1:${port}/${db}`,
    async createDatabase(db) {
      const c = new pg.Client({ connectionString: server.url("postgres") });
      await c.connect();
      try {
        await c.query(`CREATE DATABASE ${db}`);
      } finally {
        await c.end();
      }
    },
    stop() {
      if (!running) return;
      stop();
      running = false;
    },
    start() {
      if (running) return;
      start();
      running = true;
    },
    destroy() {
      try {
        server.stop();
      } catch {
        /* already gone */
      }
      rmSync(root, { recursive: true, force: true });
    },
  };
  return server;
}

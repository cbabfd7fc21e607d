// Clean shutdowns and startup recovery of the durable store (issue 4): SIGTERM and /-/quit exit 0 with every write
// kept, writes racing a shutdown are completed-and-durable or refused (never acknowledged-and-lost),
// --persistence.file, corrupt databases (exit non-zero and keep the file, or move it aside with
// --storage.reset-on-corruption), and /-/ready only once the whole state is loaded. Ports 19451–19469.
import { spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { ROOT, startPushboard, type RunningServer } from "../helpers/servers";
import {
  applyWrite,
  canonOfApi,
  canonOfModel,
  fetchGroups,
  int,
  makeFamilies,
  makeGroup,
  pick,
  request,
  rng,
  seedFromEnv,
  sleep,
  toText,
  type Canon,
  type GroupSpec,
  type ModelGroup,
  type Write,
} from "./lib";

const SEED = seedFromEnv();
console.log(`shutdown: seed ${SEED} (rerun with CRASH_SEED=${SEED})`);
const ENV = { PUSHBOARD_SKIP_BUILD_CHECK: "1" };

const dirs: string[] = [];
const procs: ChildProcess[] = [];
const tmp = (prefix: string): string => {
  const d = mkdtempSync(path.join(tmpdir(), `pushboard-${prefix}-`));
  dirs.push(d);
  return d;
};
const start = async (port: number, dataDir: string, args: string[] = []): Promise<RunningServer> => {
  const s = await startPushboard(port, { memory: false, dataDir, args, env: ENV });
  procs.push(s.proc);
  return s;
};
// A failed assertion must not leave a server behind holding a port (or a database lock).
afterEach(() => {
  for (const p of procs.splice(0)) if (p.exitCode === null && p.signalCode === null) p.kill("SIGKILL");
});
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Every group of the API answer as exact JSON (time stamps and push times included), sorted. */
async function snapshot(port: number): Promise<string[]> {
  const r = await fetch(`http://127.0.0.1:${port}/api/v1/metrics`);
  expect(r.status).toBe(200);
  const doc = (await r.json()) as { status: string; data: unknown[] };
  expect(doc.status).toBe("success");
  return doc.data.map((g) => JSON.stringify(g)).sort();
}

/** Pushes `n` seeded groups (PUT then a POST to some of them) and deletes a few; returns their specs. */
async function fill(port: number, n: number, seed: number, prefix: string): Promise<GroupSpec[]> {
  const r = rng(seed);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  const groups = Array.from({ length: n }, (_, i) => makeGroup(r, i, prefix));
  const writes: Array<[string, GroupSpec, string]> = [];
  for (const g of groups) writes.push(["PUT", g, toText(makeFamilies(r), r)]);
  for (const g of groups) if (r() < 0.5) writes.push(["POST", g, toText(makeFamilies(r), r)]);
  const deleted = groups.filter(() => r() < 0.1);
  try {
    for (let i = 0; i < writes.length; i += 8) {
      await Promise.all(
        writes.slice(i, i + 8).map(async ([method, g, body]) => {
          const rep = await request(agent, port, method, g.path, body);
          expect(rep.status, `${method} ${g.path}: ${rep.body}`).toBe(200);
        }),
      );
    }
    for (const g of deleted) expect((await request(agent, port, "DELETE", g.path)).status).toBe(202);
  } finally {
    agent.destroy();
  }
  return groups;
}

interface RawProc {
  proc: ChildProcess;
  output(): string;
  exited: Promise<number | string | null>;
}

/** Spawns the built server without waiting for anything. */
function spawnRaw(port: number, dataDir: string, args: string[] = []): RawProc {
  const proc = spawn(process.execPath, [path.join(ROOT, "lib/cli/pushboard.mjs"), `--web.listen-address=127.0.0.1:${port}`, ...args], {
    cwd: ROOT,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", PUSHBOARD_DATA_DIR: dataDir, ...ENV },
    stdio: ["ignore", "pipe", "pipe"],
  });
  procs.push(proc);
  let out = "";
  proc.stdout!.on("data", (d) => (out += d));
  proc.stderr!.on("data", (d) => (out += d));
  const exited = new Promise<number | string | null>((resolve) => proc.on("exit", (code, sig) => resolve(code ?? sig)));
  return { proc, output: () => out, exited };
}

/** Resolves with the exit code, or kills the process and fails after timeoutMs. */
async function exitWithin(
  p: { exited: Promise<number | string | null>; proc: ChildProcess; output(): string },
  timeoutMs: number,
): Promise<number | string | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), timeoutMs)));
  const res = await Promise.race([p.exited, timeout]);
  clearTimeout(timer);
  if (res === "timeout") {
    p.proc.kill("SIGKILL");
    throw new Error(`process did not exit within ${timeoutMs} ms (hang); output:\n${p.output()}`);
  }
  return res;
}

const sha = (file: string): string => createHash("sha256").update(readFileSync(file)).digest("hex");
const garbage = (seed: number, size: number): Buffer => {
  const r = rng(seed);
  const b = Buffer.alloc(size);
  for (let i = 0; i < size; i++) b[i] = Math.floor(r() * 256);
  return b;
};

/** Sends SIGTERM and returns the exit code; a hang fails. */
async function term(s: RunningServer): Promise<number | string | null> {
  s.proc.kill("SIGTERM");
  return exitWithin(s, 15_000);
}

describe("clean shutdown", () => {
  it("SIGTERM exits 0 and a restart shows every group exactly as before", async () => {
    const dir = tmp("sigterm");
    const s1 = await start(19451, dir);
    await fill(19451, 60, SEED, "term");
    const before = await snapshot(19451);
    expect(before.length).toBeGreaterThan(40);
    expect(await term(s1), s1.output()).toBe(0);
    expect(s1.output()).toContain("store closed");
    const s2 = await start(19451, dir);
    expect(await snapshot(19451)).toEqual(before);
    expect(await term(s2)).toBe(0);
  });

  it("/-/quit with --web.enable-lifecycle answers 200, exits 0 and keeps every group", async () => {
    const dir = tmp("quit");
    const args = ["--web.enable-lifecycle"];
    const s1 = await start(19452, dir, args);
    await fill(19452, 40, SEED + 1, "quit");
    const before = await snapshot(19452);
    const r = await fetch("http://127.0.0.1:19452/-/quit", { method: "PUT" });
    expect(r.status).toBe(200);
    expect(await r.text()).toBe("Requesting termination... Goodbye!");
    expect(await exitWithin(s1, 15_000), s1.output()).toBe(0);
    const s2 = await start(19452, dir, args);
    expect(await snapshot(19452)).toEqual(before);
    const r2 = await fetch("http://127.0.0.1:19452/-/quit", { method: "POST" });
    expect(r2.status).toBe(200);
    expect(await exitWithin(s2, 15_000)).toBe(0);
    const s3 = await start(19452, dir);
    expect(await snapshot(19452)).toEqual(before);
    expect(await term(s3)).toBe(0);
  });

  // Writers keep pushing while the server shuts down: every 200/202 must be durable; a refusal (5xx, connection
  // refused) must have changed nothing; a write without an answer may be either way.
  for (const [how, port] of [
    ["SIGTERM", 19453],
    ["/-/quit", 19454],
    ["SIGTERM", 19455],
    ["/-/quit", 19456],
  ] as const) {
    it(`writes racing a shutdown by ${how} are durable or refused, never acknowledged-and-lost (port ${port})`, async () => {
      const seed = (SEED + port) >>> 0;
      const r = rng(seed);
      const dir = tmp("race");
      const args = ["--web.enable-lifecycle"];
      const WRITERS = 8;
      const PER = 4;
      const groups = Array.from({ length: WRITERS * PER }, (_, i) => makeGroup(r, i, `race${port}`));
      const model = new Map<string, ModelGroup | null>(groups.map((g) => [g.key, null]));
      const s1 = await start(port, dir, args);
      const agent = new http.Agent({ keepAlive: true, maxSockets: WRITERS * 2 });
      let acked = 0;
      const outcome = new Map<string, { kind: "refused" | "doubt"; before: Canon; afterModel: ModelGroup | null; after: Canon; detail: string }>();
      const unexpected: string[] = [];
      const writer = async (w: number): Promise<void> => {
        const wr = rng((seed ^ Math.imul(w + 1, 0x9e3779b1)) >>> 0);
        const owned = groups.slice(w * PER, (w + 1) * PER);
        for (let n = 0; n < 50_000; n++) {
          const group = pick(wr, owned);
          const x = wr();
          const method = x < 0.5 ? "PUT" : x < 0.85 ? "POST" : "DELETE";
          const families = method === "DELETE" ? [] : makeFamilies(wr);
          const write: Write = { method, group, families, body: method === "DELETE" ? "" : toText(families, wr) };
          const before = model.get(group.key) ?? null;
          const afterModel = applyWrite(before, write);
          const record = (kind: "refused" | "doubt", detail: string) =>
            outcome.set(group.key, { kind, before: canonOfModel(before), afterModel, after: canonOfModel(afterModel), detail });
          let rep;
          try {
            rep = await request(agent, port, method, group.path, write.body, 15_000);
          } catch (err) {
            const code = (err as { code?: string }).code;
            // ECONNREFUSED: the request never reached the server.
            record(code === "ECONNREFUSED" ? "refused" : "doubt", `${code ?? ""} ${String(err)}`);
            return;
          }
          if (rep.status === (method === "DELETE" ? 202 : 200)) {
            model.set(group.key, afterModel);
            acked++;
            continue;
          }
          if (rep.status >= 500) record("refused", `${rep.status} ${rep.body.trim()}`);
          else unexpected.push(`${method} ${group.path}: ${rep.status} ${rep.body.trim()}`);
          return;
        }
      };
      const running = Array.from({ length: WRITERS }, (_, w) => writer(w));
      await sleep(int(r, 150, 700));
      const ackedAtShutdown = acked;
      if (how === "SIGTERM") s1.proc.kill("SIGTERM");
      else {
        const q = await fetch(`http://127.0.0.1:${port}/-/quit`, { method: "PUT" });
        expect(q.status).toBe(200);
      }
      const code = await exitWithin(s1, 15_000);
      await Promise.all(running);
      agent.destroy();
      expect(code, s1.output()).toBe(0);
      expect(unexpected).toEqual([]);
      const s2 = await start(port, dir);
      const actual = await fetchGroups(port);
      const problems: string[] = [];
      let refused = 0;
      let doubt = 0;
      let doubtApplied = 0;
      const doubtKinds = new Map<string, number>();
      for (const g of groups) {
        const api = actual.get(g.key);
        const got = api ? canonOfApi(api) : null;
        const o = outcome.get(g.key);
        const want = canonOfModel(model.get(g.key) ?? null);
        if (!o) {
          if (got !== want) problems.push(`${g.path}: acknowledged state lost\n  expected: ${want}\n  server:   ${got}`);
        } else if (o.kind === "refused") {
          refused++;
          if (got !== o.before)
            problems.push(`${g.path}: refused write (${o.detail}) changed the group, or an earlier one was lost\n  expected: ${o.before}\n  server:   ${got}`);
        } else {
          doubt++;
          if (got === o.after && o.after !== o.before) doubtApplied++;
          doubtKinds.set(o.detail, (doubtKinds.get(o.detail) ?? 0) + 1);
          if (got !== o.before && got !== o.after)
            problems.push(`${g.path}: in-doubt write (${o.detail}) matches neither state\n  before: ${o.before}\n  after:  ${o.after}\n  server: ${got}`);
        }
      }
      console.log(
        `shutdown race (${how}, seed ${seed}): ${acked} acknowledged (${acked - ackedAtShutdown} after the shutdown began), ${refused} refused, ${doubt} in doubt (${doubtApplied} found applied; ${[...doubtKinds].map(([k, n]) => `${n}× ${k.trim()}`).join(", ")})`,
      );
      expect(problems.length, `seed ${seed}:\n${problems.slice(0, 3).join("\n")}`).toBe(0);
      expect(await term(s2)).toBe(0);
    });
  }

  // A push whose headers have arrived when SIGTERM comes, and whose body follows 100 ms later, must get an answer
  // (200 and durable, or a 5xx refusal) before the process exits, as Go's http.Server.Shutdown gives the
  // Pushgateway; dropping the connection leaves the client unable to tell what happened.
  it("a push in progress when SIGTERM arrives is answered (200 and durable, or refused), not dropped", async () => {
    const dir = tmp("inprogress");
    const s1 = await start(19462, dir);
    const body = "# TYPE slow_metric gauge\nslow_metric 42\n";
    const sock = net.connect(19462, "127.0.0.1");
    let resp = "";
    sock.on("data", (d: Buffer) => (resp += d.toString("utf8")));
    sock.on("error", () => {});
    const closed = new Promise<void>((resolve) => sock.on("close", () => resolve()));
    await new Promise<void>((resolve) => sock.on("connect", () => resolve()));
    sock.write(`PUT /metrics/job/slow HTTP/1.1\r\nHost: x\r\nContent-Length: ${body.length}\r\n\r\n` + body.slice(0, 10));
    await sleep(200);
    s1.proc.kill("SIGTERM");
    await sleep(100);
    sock.write(body.slice(10));
    await Promise.race([closed, sleep(10_000)]);
    sock.destroy();
    expect(await exitWithin(s1, 15_000)).toBe(0);
    const status = Number(/^HTTP\/1\.1 (\d+)/.exec(resp)?.[1] ?? 0);
    const s2 = await start(19462, dir);
    const present = (await fetchGroups(19462)).has(JSON.stringify([["job", "slow"]]));
    expect(await term(s2)).toBe(0);
    expect(status, `no answer to a push in progress at SIGTERM (connection closed after ${JSON.stringify(resp)}); server log:\n${s1.output()}`).not.toBe(0);
    if (status === 200) expect(present).toBe(true);
    else {
      expect(status).toBeGreaterThanOrEqual(500);
      expect(present).toBe(false);
    }
  });
});

describe("database file", () => {
  it("--persistence.file=<path> is the database; a restart with the same flag restores the state", async () => {
    const dataDir = tmp("pf-data");
    const file = path.join(tmp("pf"), "nested", "custom.db");
    const args = [`--persistence.file=${file}`];
    const s1 = await start(19457, dataDir, args);
    await fill(19457, 10, SEED + 2, "pf");
    expect(existsSync(file)).toBe(true);
    expect(existsSync(path.join(dataDir, "pushboard.db"))).toBe(false);
    const before = await snapshot(19457);
    expect(before.length).toBeGreaterThan(5);
    expect(await term(s1)).toBe(0);
    expect(statSync(file).size).toBeGreaterThan(0);
    // Without the flag the default database in the data dir is used: empty.
    const s2 = await start(19457, dataDir);
    expect(await snapshot(19457)).toEqual([]);
    expect(await term(s2)).toBe(0);
    const s3 = await start(19457, dataDir, args);
    expect(await snapshot(19457)).toEqual(before);
    expect(await term(s3)).toBe(0);
  });

  /** Starts on a bad file, expecting exit non-zero without ever being ready, the file named and untouched. */
  async function expectRefusesToStart(port: number, dataDir: string, file: string, args: string[] = []): Promise<string> {
    const hash = sha(file);
    const mtime = statSync(file).mtimeMs;
    const dirBefore = readdirSync(path.dirname(file)).sort();
    const p = spawnRaw(port, dataDir, args);
    let readySeen = false;
    let done = false;
    void p.exited.then(() => (done = true));
    const poll = (async () => {
      for (let i = 0; i < 2000 && !done; i++) {
        const st = await fetch(`http://127.0.0.1:${port}/-/ready`).then(
          (r) => r.status,
          () => 0,
        );
        if (st === 200) readySeen = true;
        await sleep(10);
      }
    })();
    const code = await exitWithin(p, 20_000);
    await poll;
    const out = p.output();
    expect(typeof code === "number" && code !== 0, `exit ${code}\n${out}`).toBe(true);
    expect(readySeen).toBe(false);
    const lines = out.split("\n").filter((l) => /level=error/.test(l) && l.includes(file));
    expect(lines.length, `no error line naming ${file}:\n${out}`).toBeGreaterThan(0);
    expect(sha(file)).toBe(hash);
    expect(statSync(file).mtimeMs).toBe(mtime);
    expect(readdirSync(path.dirname(file)).sort()).toEqual(dirBefore);
    return lines[0]!;
  }

  it("a garbage database file: exit non-zero, a log line naming the file, the file untouched", async () => {
    const dataDir = tmp("corrupt");
    const file = path.join(dataDir, "pushboard.db");
    writeFileSync(file, garbage(SEED + 3, 64 * 1024));
    const line = await expectRefusesToStart(19458, dataDir, file);
    console.log(`corrupt database: ${line}`);
    // Same with --persistence.file pointing at a text file.
    const other = path.join(tmp("corrupt2"), "mine.db");
    writeFileSync(other, "this is not a database\n".repeat(300));
    await expectRefusesToStart(19458, dataDir, other, [`--persistence.file=${other}`]);
  });

  it("a real database with damaged pages: exit non-zero, file untouched", async () => {
    const dataDir = tmp("damaged");
    const file = path.join(dataDir, "pushboard.db");
    const s1 = await start(19459, dataDir);
    await fill(19459, 150, SEED + 4, "dmg");
    expect(await term(s1)).toBe(0);
    const buf = readFileSync(file);
    expect(buf.length).toBeGreaterThan(16 * 4096);
    // Keep the 100-byte header and the schema page, overwrite everything from page 3 on.
    const bad = Buffer.concat([buf.subarray(0, 2 * 4096), garbage(SEED + 5, buf.length - 2 * 4096)]);
    writeFileSync(file, bad);
    await expectRefusesToStart(19459, dataDir, file);
  });

  it("--storage.reset-on-corruption starts empty and moves the bad file aside", async () => {
    const dataDir = tmp("reset");
    const file = path.join(dataDir, "pushboard.db");
    const bytes = garbage(SEED + 6, 32 * 1024);
    writeFileSync(file, bytes);
    const s1 = await start(19460, dataDir, ["--storage.reset-on-corruption"]);
    const body = await (await fetch("http://127.0.0.1:19460/api/v1/metrics")).text();
    expect(body).toBe('{"status":"success","data":[]}');
    const moved = readdirSync(dataDir).filter((f) => f.startsWith("pushboard.db.corrupt-"));
    expect(moved.length, readdirSync(dataDir).join(", ")).toBe(1);
    expect(readFileSync(path.join(dataDir, moved[0]!)).equals(bytes)).toBe(true);
    expect(s1.output()).toMatch(/level=error.*moved it aside/);
    // The new database works and survives a restart (without the flag).
    await fill(19460, 5, SEED + 7, "reset");
    const before = await snapshot(19460);
    expect(await term(s1)).toBe(0);
    const s2 = await start(19460, dataDir);
    expect(await snapshot(19460)).toEqual(before);
    expect(await term(s2)).toBe(0);
  });
});

describe("startup", () => {
  it("/-/ready answers 200 only once every group is loaded (big database)", async () => {
    const dataDir = tmp("ready");
    const s1 = await start(19461, dataDir);
    // 1,500 groups × 40 series.
    const GROUPS = 1500;
    const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
    const lines = Array.from({ length: 40 }, (_, j) => `ready_series{k="${j}"} ${j}\n`).join("");
    for (let i = 0; i < GROUPS; i += 16) {
      await Promise.all(
        Array.from({ length: Math.min(16, GROUPS - i) }, (_, j) =>
          request(agent, 19461, "PUT", `/metrics/job/ready/instance/i${i + j}`, "# TYPE ready_series gauge\n" + lines).then((rep) =>
            expect(rep.status).toBe(200),
          ),
        ),
      );
    }
    agent.destroy();
    expect(await term(s1)).toBe(0);
    for (let attempt = 0; attempt < 2; attempt++) {
      const p = spawnRaw(19461, dataDir);
      let groupsAtReady = -1;
      const t0 = Date.now();
      for (let i = 0; i < 20_000 && Date.now() - t0 < 30_000; i++) {
        const st = await fetch("http://127.0.0.1:19461/-/ready").then(
          (r) => r.status,
          () => 0,
        );
        if (st === 200) {
          groupsAtReady = (await fetchGroups(19461)).size;
          break;
        }
        expect(p.proc.exitCode, p.output()).toBe(null);
        await sleep(2);
      }
      expect(groupsAtReady).toBe(GROUPS);
      p.proc.kill("SIGTERM");
      expect(await exitWithin(p, 15_000)).toBe(0);
    }
  });
});

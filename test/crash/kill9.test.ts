// kill -9 rounds (issue 4): concurrent pushers do a seeded mix of PUT, POST and DELETE against the built server on
// the default SQLite store; the server is SIGKILLed at a random moment while writes are in flight, restarted on the
// same data directory, and /api/v1/metrics must hold every acknowledged write (exact families, HELP, TYPE, labels
// and values) and none of the acknowledged deletes. A write whose response never arrived is in doubt: its group
// may show the state before or after it. State carries over from round to round. Port 19450.
//
// Reproduce a run with CRASH_SEED=<seed printed below>; CRASH_ROUNDS overrides the number of rounds (default 12).
import { mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, it } from "vitest";
import { startPushboard, type RunningServer } from "../helpers/servers";
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

const PORT = 19450;
const ROUNDS = Math.max(10, Number(process.env.CRASH_ROUNDS ?? 12));
const PUSHERS = 8;
const GROUPS_PER_PUSHER = 6;
/** Safety bound on the writes of one pusher in one round (the kill comes long before). */
const MAX_WRITES_PER_ROUND = 50_000;

interface Doubt {
  write: Write;
  before: Canon;
  afterModel: ModelGroup | null;
  after: Canon;
  error: string;
}

it(`survives kill -9 at random moments (${ROUNDS} rounds)`, { timeout: 240_000 }, async () => {
  const seed = seedFromEnv();
  console.log(`crash: seed ${seed} (rerun with CRASH_SEED=${seed})`);
  const r = rng(seed);
  const dataDir = mkdtempSync(path.join(tmpdir(), "pushboard-crash-"));
  const start = (): Promise<RunningServer> => startPushboard(PORT, { memory: false, dataDir, env: { PUSHBOARD_SKIP_BUILD_CHECK: "1" } });

  const groups: GroupSpec[] = [];
  for (let i = 0; i < PUSHERS * GROUPS_PER_PUSHER; i++) groups.push(makeGroup(r, i));
  expect(new Set(groups.map((g) => g.key)).size).toBe(groups.length);
  const model = new Map<string, ModelGroup | null>(groups.map((g) => [g.key, null]));

  let acknowledged = 0;
  let inDoubtTotal = 0;
  let inDoubtApplied = 0;
  const problems: string[] = [];
  let server = await start();
  let roundsRun = 0;

  /** Compares the server with the model; resolves in-doubt writes to the state the server shows. */
  const verify = async (round: number, doubts: Map<string, Doubt>): Promise<void> => {
    const actual = await fetchGroups(PORT);
    const known = new Set(groups.map((g) => g.key));
    for (const key of actual.keys()) if (!known.has(key)) problems.push(`round ${round}: unexpected group ${key}`);
    for (const g of groups) {
      const api = actual.get(g.key);
      const got = api ? canonOfApi(api) : null;
      const d = doubts.get(g.key);
      if (d) {
        if (got === d.after) {
          model.set(g.key, d.afterModel);
          if (d.after !== d.before) inDoubtApplied++;
        } else if (got !== d.before) {
          problems.push(
            `round ${round}: group ${g.key} (in doubt: ${d.write.method} ${d.write.group.path}, ${d.error}) matches neither state\n` +
              `  before: ${d.before}\n  after:  ${d.after}\n  server: ${got}`,
          );
        }
      } else {
        const want = canonOfModel(model.get(g.key) ?? null);
        if (got !== want) problems.push(`round ${round}: group ${g.key} lost acknowledged state\n  expected: ${want}\n  server:   ${got}`);
      }
    }
  };

  try {
    await verify(0, new Map());
    for (let round = 1; round <= ROUNDS; round++) {
      const agent = new http.Agent({ keepAlive: true, maxSockets: PUSHERS * 2 });
      const doubts = new Map<string, Doubt>();
      let inFlight = 0;
      let roundAcked = 0;
      let stop = false;
      let termSent = false;
      const pusher = async (p: number): Promise<void> => {
        const pr = rng((seed ^ Math.imul(round, 0x9e3779b1) ^ Math.imul(p + 1, 0x85ebca6b)) >>> 0);
        const owned = groups.slice(p * GROUPS_PER_PUSHER, (p + 1) * GROUPS_PER_PUSHER);
        for (let n = 0; n < MAX_WRITES_PER_ROUND && !stop; n++) {
          const group = pick(pr, owned);
          const x = pr();
          const method = x < 0.45 ? "PUT" : x < 0.8 ? "POST" : "DELETE";
          const families = method === "DELETE" ? [] : makeFamilies(pr);
          const w: Write = { method, group, families, body: method === "DELETE" ? "" : toText(families, pr) };
          const before = model.get(group.key) ?? null;
          inFlight++;
          try {
            const rep = await request(agent, PORT, method, group.path, w.body);
            const ok = method === "DELETE" ? rep.status === 202 : rep.status === 200;
            if (!ok && termSent && rep.status === 503) {
              // Refused because the server is shutting down: nothing may have changed.
              const b = canonOfModel(before);
              doubts.set(group.key, { write: w, before: b, afterModel: before, after: b, error: `refused: ${rep.status} ${rep.body.trim()}` });
              return;
            }
            if (!ok) throw Object.assign(new Error(`unexpected ${rep.status} ${rep.body.trim()}`), { status: rep.status });
            model.set(group.key, applyWrite(before, w));
            roundAcked++;
          } catch (err) {
            const afterModel = applyWrite(before, w);
            const error = err instanceof Error ? err.message : String(err);
            doubts.set(group.key, { write: w, before: canonOfModel(before), afterModel, after: canonOfModel(afterModel), error });
            if ((err as { status?: number }).status !== undefined) {
              problems.push(`round ${round}: ${method} ${group.path} answered ${error}\n  body sent:\n${w.body}`);
            }
            return;
          } finally {
            inFlight--;
          }
        }
      };
      const running = Array.from({ length: PUSHERS }, (_, p) => pusher(p));
      const delay = r() < 0.2 ? int(r, 0, 50) : int(r, 50, 1500);
      await sleep(delay);
      const flying = inFlight;
      const exitedBefore = server.proc.exitCode ?? server.proc.signalCode;
      if (exitedBefore !== null) problems.push(`round ${round}: server had exited on its own (${exitedBefore}) before the kill`);
      // Mostly a plain kill -9; sometimes SIGTERM first and kill -9 a moment later, as an orchestrator does when
      // the grace period ends (the kill may land in the middle of the shutdown and its WAL checkpoint).
      const termFirst = r() < 0.25;
      let termDelay = 0;
      if (termFirst) {
        termDelay = int(r, 0, 15);
        termSent = true;
        process.kill(server.proc.pid!, "SIGTERM");
        await sleep(termDelay);
      }
      if (server.proc.exitCode === null && server.proc.signalCode === null) process.kill(server.proc.pid!, "SIGKILL");
      stop = true;
      const how = await server.exited;
      await Promise.all(running);
      agent.destroy();
      roundsRun = round;
      acknowledged += roundAcked;
      inDoubtTotal += doubts.size;
      server = await start();
      const before = problems.length;
      await verify(round, doubts);
      console.log(
        `crash: round ${round}: ${termFirst ? `SIGTERM, then kill -9 ${termDelay} ms later,` : "kill -9"} after ${delay} ms with ${flying} writes in flight (exit ${how}), ` +
          `${roundAcked} acknowledged, ${doubts.size} in doubt, ${problems.length - before} problems`,
      );
      if (problems.length > 0) break;
    }
  } catch (err) {
    // A thrown error (server not ready after a restart, unparsable answer): do not leave the server running.
    console.log(`crash: failed with seed ${seed}; data dir kept at ${dataDir}; server output:\n${server.output().slice(-4000)}`);
    server.proc.kill("SIGKILL");
    throw err;
  }
  const code = await server.stop("SIGTERM");
  console.log(
    `crash: ${roundsRun} rounds, ${acknowledged} acknowledged writes verified, ${inDoubtTotal} in doubt ` +
      `(${inDoubtApplied} of them found applied), seed ${seed}`,
  );
  if (problems.length > 0) {
    console.log(`crash: server output of the last run:\n${server.output().slice(-4000)}`);
    console.log(`crash: data dir kept at ${dataDir}`);
  } else {
    rmSync(dataDir, { recursive: true, force: true });
  }
  expect(problems.length, `seed ${seed}, first problems:\n${problems.slice(0, 3).join("\n")}`).toBe(0);
  expect(code).toBe(0);
  expect(acknowledged).toBeGreaterThan(ROUNDS * PUSHERS);
});

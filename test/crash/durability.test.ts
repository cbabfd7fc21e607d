// Durability of the default store (issue 4): concurrent PUT/POST/DELETE writers, kill -9 at seeded random moments,
// restart, and every acknowledged write must be there with its exact values, every acknowledged delete absent.
// Plus startup on an unreadable database. Ports 19450-19469.
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { formatGoFloat } from "@/lib/exposition/format-float";
import { startPushboard, type RunningServer } from "../helpers/servers";
import { mulberry32 } from "../helpers/random";

const SEED = Number(process.env.CRASH_SEED ?? 0xc0ffee);
const ROUNDS = 10;
const GROUPS = 12;
const WORKERS = 4;


/** A family as /api/v1/metrics shows it, reduced to what must survive: type, help and every sample. */
type FamilyState = string;
/** Family name → state; null for a deleted (absent) group. */
type GroupState = Map<string, FamilyState> | null;

interface Op {
  kind: "PUT" | "POST" | "DELETE";
  body: string;
  families: Map<string, FamilyState>;
}

const VALUES = [0, 1, -1, 3.14, 1e6, 1e-7, -0, NaN, Infinity, -Infinity, 123456789012, 0.5];

function groupPath(g: number): string {
  // Half the groups carry a base64 label value with a slash, as clients encode them.
  return g % 2 === 0 ? `/metrics/job/crash/instance/i${g}` : `/metrics/job/crash/instance/i${g}/path@base64/${Buffer.from(`/var/g${g}`).toString("base64url")}`;
}
function groupLabels(g: number): Record<string, string> {
  return g % 2 === 0 ? { instance: `i${g}`, job: "crash" } : { instance: `i${g}`, job: "crash", path: `/var/g${g}` };
}

/** JSON with object keys sorted at every level, so equal states compare equal as strings. */
function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(",")}]`;
  if (v && typeof v === "object") {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).sort().map((k) => `${JSON.stringify(k)}:${stableJson(o[k])}`).join(",")}}`;
  }
  return JSON.stringify(v);
}

function canonical(type: string, help: string | undefined, metrics: unknown[]): FamilyState {
  return stableJson([type, help ?? "", metrics]);
}

/** A random push body and the state each of its families must have in the API afterwards. */
function randomOp(rand: () => number, g: number): Op {
  const r = rand();
  if (r < 0.15) return { kind: "DELETE", body: "", families: new Map() };
  const kind = r < 0.6 ? "PUT" : "POST";
  const labels = groupLabels(g);
  const families = new Map<string, FamilyState>();
  let body = "";
  const n = 1 + Math.floor(rand() * 3);
  for (let i = 0; i < n; i++) {
    const pick = Math.floor(rand() * 4);
    const v = () => VALUES[Math.floor(rand() * VALUES.length)]!;
    const text = (x: number) => (Number.isNaN(x) ? "NaN" : x === Infinity ? "+Inf" : x === -Infinity ? "-Inf" : Object.is(x, -0) ? "-0" : String(x));
    if (pick === 0 || pick === 1) {
      const type = pick === 0 ? "gauge" : "counter";
      const name = `${type}_${Math.floor(rand() * 4)}`;
      if (families.has(name)) continue;
      const x = v();
      const y = v();
      body += `# HELP ${name} Help of ${name}.\n# TYPE ${name} ${type}\n${name}{k="a"} ${text(x)}\n${name}{k="b\\"q"} ${text(y)}\n`;
      families.set(name, canonical(type.toUpperCase(), `Help of ${name}.`, [
        { labels: { ...labels, k: "a" }, value: formatGoFloat(x) },
        { labels: { ...labels, k: 'b"q' }, value: formatGoFloat(y) },
      ]));
    } else if (pick === 2) {
      const name = `hist_${Math.floor(rand() * 2)}`;
      if (families.has(name)) continue;
      const c = Math.floor(rand() * 100);
      body += `# TYPE ${name} histogram\n${name}_bucket{le="0.5"} ${c}\n${name}_bucket{le="+Inf"} ${c + 2}\n${name}_sum ${c * 0.25}\n${name}_count ${c + 2}\n`;
      families.set(name, canonical("HISTOGRAM", "", [{ buckets: { "+Inf": String(c + 2), "0.5": String(c) }, count: String(c + 2), labels, sum: formatGoFloat(c * 0.25) }]));
    } else {
      const name = "summ";
      if (families.has(name)) continue;
      const q = v();
      body += `# TYPE ${name} summary\n${name}{quantile="0.9"} ${text(q)}\n${name}_sum 7\n${name}_count 3\n`;
      families.set(name, canonical("SUMMARY", "", [{ count: "3", labels, quantiles: { "0.9": formatGoFloat(q) }, sum: "7" }]));
    }
  }
  return { kind, body, families };
}

function apply(state: GroupState, op: Op): GroupState {
  if (op.kind === "DELETE") return null;
  const next = op.kind === "POST" && state ? new Map(state) : new Map<string, FamilyState>();
  for (const [name, f] of op.families) next.set(name, f);
  return next;
}

interface ApiFamily {
  type: string;
  help?: string;
  metrics: unknown[];
}

async function observe(url: string): Promise<Map<number, GroupState>> {
  const res = (await (await fetch(`${url}/api/v1/metrics`)).json()) as { data: Array<Record<string, unknown>> };
  const out = new Map<number, GroupState>();
  for (let g = 0; g < GROUPS; g++) out.set(g, null);
  for (const group of res.data) {
    const instance = (group.labels as Record<string, string>).instance ?? "";
    const g = Number(instance.slice(1));
    const fams = new Map<string, FamilyState>();
    for (const [name, f] of Object.entries(group)) {
      if (name === "labels" || name === "last_push_successful" || name.startsWith("push_")) continue;
      const fam = f as ApiFamily;
      fams.set(name, canonical(fam.type, fam.help, fam.metrics));
    }
    out.set(g, fams);
  }
  return out;
}

const same = (a: GroupState, b: GroupState): boolean =>
  a === null || b === null ? a === b : a.size === b.size && [...a].every(([k, v]) => b.get(k) === v);

const running: RunningServer[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop("SIGKILL")));
});

describe("durability of acknowledged writes", () => {
  it(`survives ${ROUNDS} rounds of kill -9 under concurrent PUT/POST/DELETE (seed ${SEED})`, async () => {
    const rand = mulberry32(SEED);
    const dataDir = mkdtempSync(path.join(tmpdir(), "pushboard-crash-"));
    const model = new Map<number, GroupState>();
    for (let g = 0; g < GROUPS; g++) model.set(g, null);
    let verified = 0;
    let acknowledged = 0;
    let inDoubtTotal = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const server = await startPushboard(19450 + (round % 2), { memory: false, dataDir, env: { PUSHBOARD_SKIP_BUILD_CHECK: "1" } });
      running.push(server);
      // Each group is written by one worker at a time, so its acknowledged state is exact and at most one write
      // per group is in doubt when the process dies.
      const inDoubt = new Map<number, Op>();
      const failures: string[] = [];
      let stop = false;
      const worker = async (w: number): Promise<void> => {
        const mine = [...Array(GROUPS).keys()].filter((g) => g % WORKERS === w);
        while (!stop) {
          const g = mine[Math.floor(rand() * mine.length)]!;
          const op = randomOp(rand, g);
          inDoubt.set(g, op);
          try {
            const res = await fetch(server.url + groupPath(g), { method: op.kind, body: op.kind === "DELETE" ? undefined : op.body });
            await res.arrayBuffer();
            const expected = op.kind === "DELETE" ? 202 : 200;
            if (res.status !== expected) {
              failures.push(`${op.kind} ${groupPath(g)} → ${res.status}: ${await res.text().catch(() => "")} ${op.body}`);
              inDoubt.delete(g);
              continue;
            }
            model.set(g, apply(model.get(g)!, op));
            inDoubt.delete(g);
            acknowledged++;
          } catch (err) {
            if (!stop) throw err;
            return; // the answer never came: this write stays in doubt
          }
        }
      };
      const workers = [...Array(WORKERS).keys()].map(worker);
      const delay = 150 + Math.floor(rand() * 450);
      await new Promise((r) => setTimeout(r, delay));
      stop = true;
      server.proc.kill("SIGKILL");
      await server.exited;
      await Promise.allSettled(workers);
      expect(failures, "every write is valid and must be accepted").toEqual([]);
      running.splice(running.indexOf(server), 1);

      const restarted = await startPushboard(19452 + (round % 2), { memory: false, dataDir, env: { PUSHBOARD_SKIP_BUILD_CHECK: "1" } });
      running.push(restarted);
      const seen = await observe(restarted.url);
      for (let g = 0; g < GROUPS; g++) {
        const acked = model.get(g)!;
        const doubt = inDoubt.get(g);
        const actual = seen.get(g)!;
        if (doubt && !same(actual, acked)) {
          // The in-doubt write may have been applied; then it must have been applied whole.
          const after = apply(acked, doubt);
          expect(same(actual, after), `round ${round} group ${g}: neither the acknowledged state nor it plus the write in doubt\nacked ${JSON.stringify(acked && [...acked])}\nafter ${JSON.stringify(after && [...after])}\nactual ${JSON.stringify(actual && [...actual])}`).toBe(true);
          model.set(g, apply(acked, doubt));
        } else {
          expect(same(actual, acked), `round ${round} group ${g}: acknowledged state lost\nexpected ${JSON.stringify(acked && [...acked])}\nactual   ${JSON.stringify(actual && [...actual])}`).toBe(true);
        }
        if (doubt) inDoubtTotal++;
        verified++;
      }
      await restarted.stop("SIGKILL");
      running.splice(running.indexOf(restarted), 1);
    }
    console.log(`crash: ${ROUNDS} rounds, ${acknowledged} acknowledged writes verified through ${verified} group states, ${inDoubtTotal} in doubt at kill time (seed ${SEED})`);
    expect(acknowledged).toBeGreaterThan(ROUNDS * 10);
  }, 240_000);
});

describe("an unreadable database", () => {
  it("is never discarded: startup fails with a clear message, or moves it aside with --storage.reset-on-corruption", async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), "pushboard-corrupt-"));
    const file = path.join(dataDir, "pushboard.db");
    writeFileSync(file, "this is not a database, but somebody's data".repeat(100));
    const failed = await startPushboard(19460, { memory: false, dataDir, env: { PUSHBOARD_SKIP_BUILD_CHECK: "1" } }).then(
      (s) => {
        running.push(s);
        return undefined;
      },
      (err: Error) => err,
    );
    expect(failed?.message).toMatch(/server exited before ready/);
    expect(failed?.message).toContain(file);
    expect(existsSync(file)).toBe(true);

    const reset = await startPushboard(19461, { memory: false, dataDir, args: ["--storage.reset-on-corruption"], env: { PUSHBOARD_SKIP_BUILD_CHECK: "1" } });
    running.push(reset);
    expect(await (await fetch(`${reset.url}/api/v1/metrics`)).text()).toBe('{"status":"success","data":[]}');
    expect(readdirSync(dataDir).some((f) => f.startsWith("pushboard.db.corrupt-"))).toBe(true);
    expect((await fetch(`${reset.url}/metrics/job/after`, { method: "PUT", body: "m 1\n" })).status).toBe(200);
  });
});

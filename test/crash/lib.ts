// Shared machinery of the crash suite: a seeded generator of groups and pushes, an HTTP client without hidden
// retries, an exact model of what the server must hold, and the canonical form both sides are compared in.
//
// The canonical form is Pushgateway JSON (docs/compatibility.md: JSON API) reduced to what a write determines: family names, HELP,
// TYPE, label sets and values (numbers compared with Object.is, so NaN, ±Inf and -0 count). Metric order inside a
// family, family time stamps and the value of push_time_seconds (beyond zero / non-zero) are ignored.
import http from "node:http";
import { mulberry32 } from "../helpers/random";

// --- seeded randomness ---------------------------------------------------------------------------------------

export type Rng = () => number;

/** The suite's shared seeded PRNG (mulberry32). */
export const rng = (seed: number): Rng => mulberry32(seed);
export const pick = <T>(r: Rng, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
export const int = (r: Rng, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));

/** The seed: $CRASH_SEED when set, else a fresh one. Always printed by the caller. */
export function seedFromEnv(): number {
  const env = process.env.CRASH_SEED;
  if (env && /^\d+$/.test(env)) return Number(env) >>> 0;
  return (Date.now() ^ (process.pid << 16)) >>> 0;
}

// --- groups --------------------------------------------------------------------------------------------------

export type Labels = Record<string, string>;

export interface GroupSpec {
  labels: Labels;
  /** Request path, e.g. /metrics/job@base64/Y3Jhc2gvMA/path@base64/L3Zhci90bXA/zone/eu */
  path: string;
  key: string;
}

function b64url(s: string): string {
  return Buffer.from(s, "utf8").toString("base64url");
}

export function groupKeyOf(labels: Labels): string {
  return JSON.stringify(
    Object.keys(labels)
      .sort()
      .map((k) => [k, labels[k]]),
  );
}

/**
 * Group `i` of a seeded universe: a job and 0–3 extra grouping labels, encoded plainly, percent-encoded or as
 * base64 (always base64 when the value holds a `/`; base64 padding sometimes present). Values are never empty and
 * the index is part of the job, so no two groups share a label set or a series.
 */
export function makeGroup(r: Rng, i: number, prefix = "crash"): GroupSpec {
  const labels: Labels = {};
  const segs: string[] = [];
  const jobKind = pick(r, ["plain", "slash", "unicode"] as const);
  const job = jobKind === "plain" ? `${prefix}_${i}` : jobKind === "slash" ? `${prefix}/${i}/x` : `${prefix}-Προμηθεύς-${i}`;
  labels.job = job;
  segs.push(
    jobKind === "plain" && r() < 0.7
      ? `job/${job}`
      : jobKind === "unicode" && r() < 0.5
        ? `job/${encodeURIComponent(job)}`
        : `job@base64/${b64url(job)}${r() < 0.3 ? "=" : ""}`,
  );
  const extras: Array<[string, () => string]> = [
    ["instance", () => `host-${int(r, 1, 9)}:${int(r, 1000, 9999)}`],
    ["path", () => `/var/tmp/${int(r, 0, 99)}`],
    ["zone", () => pick(r, ["eu", "us-east", "ap south", "zürich"])],
    ["shard", () => String(int(r, 0, 15))],
  ];
  for (const [name, gen] of extras) {
    if (r() < 0.45) {
      const v = gen();
      labels[name] = v;
      if (v.includes("/") || r() < 0.3) segs.push(`${name}@base64/${b64url(v)}`);
      else segs.push(`${name}/${encodeURIComponent(v)}`);
    }
  }
  return { labels, path: "/metrics/" + segs.join("/"), key: groupKeyOf(labels) };
}

// --- pushed data ---------------------------------------------------------------------------------------------

export type FamilyType = "COUNTER" | "GAUGE" | "UNTYPED" | "SUMMARY" | "HISTOGRAM";

export interface PushedMetric {
  labels: Labels;
  value?: number;
  count?: number;
  sum?: number;
  quantiles?: Array<[number, number]>;
  buckets?: Array<[number, number]>;
}
export interface PushedFamily {
  name: string;
  type: FamilyType;
  help: string;
  metrics: PushedMetric[];
}

/** Every family name has one type across all groups, so no push is ever inconsistent. */
export const CATALOG: ReadonlyArray<[string, FamilyType]> = [
  ["crash_requests_total", "COUNTER"],
  ["crash_errors_total", "COUNTER"],
  ["crash_temperature", "GAUGE"],
  ["crash_queue_depth", "GAUGE"],
  ["crash_last_value", "UNTYPED"],
  ["crash_latency_seconds", "HISTOGRAM"],
  ["crash_size_bytes", "HISTOGRAM"],
  ["crash_rpc_duration", "SUMMARY"],
  ["crash_gc_pause", "SUMMARY"],
];

const HELPS = ["", "Plain help.", "Help with \\ backslash.", "Two\nlines.", "Ünïcödé help ✓", "1e+06 reasons"];
const VALUES = [0, -0, 1, 1e6, NaN, Infinity, -Infinity, 0.1, 123.456, -7, 1e-9, 1.7976931348623157e308, 5e-324, 2 ** 53];
const LABEL_VALUES = ["a", "b", 'with "quotes"', "back\\slash", "new\nline", "ümlaut", "x y", "200"];
const BOUNDS = [0.005, 0.1, 1, 2.5, 10, 1e6];
const QUANTILES = [0, 0.5, 0.9, 0.99, 1];

function randomValue(r: Rng): number {
  return r() < 0.7 ? pick(r, VALUES) : Math.round((r() - 0.5) * 1e6) / 100;
}

export function makeFamilies(r: Rng): PushedFamily[] {
  if (r() < 0.05) return []; // an empty push is valid
  const n = int(r, 1, 4);
  const names = new Set<number>();
  while (names.size < n) names.add(int(r, 0, CATALOG.length - 1));
  const out: PushedFamily[] = [];
  for (const idx of names) {
    const [name, type] = CATALOG[idx]!;
    const metrics: PushedMetric[] = [];
    const m = int(r, 1, 3);
    const used = new Set<string>();
    for (let j = 0; j < m; j++) {
      const labels: Labels = {};
      if (r() < 0.7) labels.k = pick(r, LABEL_VALUES);
      if (r() < 0.3) labels.code = String(int(r, 1, 5) * 100);
      const id = groupKeyOf(labels);
      if (used.has(id)) continue;
      used.add(id);
      const pm: PushedMetric = { labels };
      if (type === "COUNTER" || type === "GAUGE" || type === "UNTYPED") pm.value = randomValue(r);
      else {
        pm.sum = randomValue(r);
        if (type === "SUMMARY") {
          pm.count = int(r, 0, 1000);
          const qs = QUANTILES.filter(() => r() < 0.6);
          pm.quantiles = qs.map((q) => [q, randomValue(r)]);
        } else {
          const bs = BOUNDS.filter(() => r() < 0.6);
          let c = 0;
          pm.buckets = bs.map((b) => [b, (c += int(r, 0, 50))]);
          pm.count = c + int(r, 0, 50);
          pm.buckets.push([Infinity, pm.count]);
        }
      }
      metrics.push(pm);
    }
    out.push({ name, type, help: pick(r, HELPS), metrics });
  }
  if (r() < 0.04) {
    // Now and then a big family, so some commits carry hundreds of rows.
    const metrics: PushedMetric[] = [];
    const n = int(r, 100, 400);
    for (let j = 0; j < n; j++) metrics.push({ labels: { k: `big-${j}` }, value: randomValue(r) });
    out.push({ name: "crash_big_gauge", type: "GAUGE", help: "Many series.", metrics });
  }
  return out;
}

/** A number in the text format, spelled in one of its accepted ways. */
function fmtText(x: number, r: Rng): string {
  if (Number.isNaN(x)) return "NaN";
  if (x === Infinity) return r() < 0.5 ? "+Inf" : "Inf";
  if (x === -Infinity) return "-Inf";
  if (Object.is(x, -0)) return "-0";
  if (x === 1e6) return pick(r, ["1e+06", "1000000", "1e6", "1.0e+06"]);
  return String(x);
}
const escHelp = (s: string): string => s.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
const escLabel = (s: string): string => s.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
function labelStr(labels: Labels, extra?: [string, string]): string {
  const pairs = Object.entries(labels);
  if (extra) pairs.push(extra);
  if (pairs.length === 0) return "";
  return "{" + pairs.map(([k, v]) => `${k}="${escLabel(v)}"`).join(",") + "}";
}

/** Text format 0.0.4 body for the families (r only chooses spellings). */
export function toText(fams: PushedFamily[], r: Rng): string {
  let s = "";
  for (const f of fams) {
    if (f.help) s += `# HELP ${f.name} ${escHelp(f.help)}\n`;
    s += `# TYPE ${f.name} ${f.type.toLowerCase()}\n`;
    for (const m of f.metrics) {
      if (m.value !== undefined) s += `${f.name}${labelStr(m.labels)} ${fmtText(m.value, r)}\n`;
      else if (f.type === "SUMMARY") {
        for (const [q, v] of m.quantiles!) s += `${f.name}${labelStr(m.labels, ["quantile", String(q)])} ${fmtText(v, r)}\n`;
        s += `${f.name}_sum${labelStr(m.labels)} ${fmtText(m.sum!, r)}\n${f.name}_count${labelStr(m.labels)} ${m.count}\n`;
      } else {
        for (const [b, c] of m.buckets!) s += `${f.name}_bucket${labelStr(m.labels, ["le", b === Infinity ? "+Inf" : String(b)])} ${c}\n`;
        s += `${f.name}_sum${labelStr(m.labels)} ${fmtText(m.sum!, r)}\n${f.name}_count${labelStr(m.labels)} ${m.count}\n`;
      }
    }
  }
  return s;
}

// --- canonical state -----------------------------------------------------------------------------------------

/** A number as a string that distinguishes NaN, ±Inf and -0. */
export function numKey(x: number): string {
  return Object.is(x, -0) ? "-0" : String(x);
}
/** Parses a Pushgateway JSON number string ("+Inf", "NaN", "-0", "1e+06", ...). */
export function parseGoFloat(s: string): number {
  if (s === "+Inf" || s === "Inf") return Infinity;
  if (s === "-Inf") return -Infinity;
  if (s === "NaN") return NaN;
  const n = Number(s);
  if (Number.isNaN(n)) throw new Error(`not a number: ${JSON.stringify(s)}`);
  return n;
}

const sortLabels = (l: Labels): Array<[string, string]> =>
  Object.keys(l)
    .sort()
    .map((k) => [k, l[k]!]);
const PUSH_TIME = "push_time_seconds";
const PUSH_FAILURE_TIME = "push_failure_time_seconds";
export const PUSH_TIME_HELP = "Last Unix time when changing this group in the Pushgateway succeeded.";
export const PUSH_FAILURE_TIME_HELP = "Last Unix time when changing this group in the Pushgateway failed.";

/** Canonical family: one string per metric (sorted), so order inside the family does not matter. */
interface CanonFamily {
  type: string;
  help: string;
  metrics: string[];
}
/** Canonical group state: a JSON string (or null for "absent"). */
export type Canon = string | null;

function canonMetric(labels: Labels, payload: unknown): string {
  return JSON.stringify([sortLabels(labels), payload]);
}

function pushedCanon(f: PushedFamily, grouping: Labels): CanonFamily {
  const metrics = f.metrics.map((m) => {
    const labels: Labels = { ...m.labels, ...grouping };
    if (!("instance" in labels)) labels.instance = "";
    if (m.value !== undefined) return canonMetric(labels, numKey(m.value));
    if (f.type === "SUMMARY")
      return canonMetric(labels, { count: numKey(m.count!), sum: numKey(m.sum!), q: m.quantiles!.map(([q, v]) => [numKey(q), numKey(v)]).sort() });
    return canonMetric(labels, { count: numKey(m.count!), sum: numKey(m.sum!), b: m.buckets!.map(([b, c]) => [numKey(b), numKey(c)]).sort() });
  });
  return { type: f.type, help: f.help, metrics: metrics.sort() };
}

function syntheticCanon(help: string, grouping: Labels, nonZero: boolean): CanonFamily {
  const labels: Labels = { ...grouping };
  if (!("instance" in labels)) labels.instance = "";
  return { type: "GAUGE", help, metrics: [canonMetric(labels, nonZero ? "non-zero" : "zero")] };
}

/** The model's view of one group: its grouping labels and its pushed families by name. */
export interface ModelGroup {
  labels: Labels;
  families: Map<string, PushedFamily>;
}

export function canonOfModel(g: ModelGroup | null): Canon {
  if (!g) return null;
  const fams: Array<[string, CanonFamily]> = [...g.families.values()].map((f) => [f.name, pushedCanon(f, g.labels)]);
  fams.push([PUSH_TIME, syntheticCanon(PUSH_TIME_HELP, g.labels, true)]);
  fams.push([PUSH_FAILURE_TIME, syntheticCanon(PUSH_FAILURE_TIME_HELP, g.labels, false)]);
  fams.sort((a, b) => (a[0] < b[0] ? -1 : 1));
  return JSON.stringify({ labels: sortLabels(g.labels), ok: true, families: fams });
}

interface ApiMetric {
  labels: Labels;
  value?: string;
  count?: string;
  sum?: string;
  quantiles?: Record<string, string>;
  buckets?: Record<string, string>;
}
interface ApiFamily {
  type: string;
  help?: string;
  time_stamp: string;
  metrics: ApiMetric[];
}
export type ApiGroup = Record<string, unknown> & { labels: Labels; last_push_successful: boolean };

export function canonOfApi(g: ApiGroup): Canon {
  const fams: Array<[string, CanonFamily]> = [];
  for (const [name, v] of Object.entries(g)) {
    if (name === "labels" || name === "last_push_successful") continue;
    const f = v as ApiFamily;
    if (typeof f.time_stamp !== "string" || Number.isNaN(Date.parse(f.time_stamp)))
      throw new Error(`family ${name}: bad time_stamp ${JSON.stringify(f.time_stamp)}`);
    if (name === PUSH_TIME || name === PUSH_FAILURE_TIME) {
      const metrics = f.metrics.map((m) => canonMetric(m.labels, parseGoFloat(m.value!) !== 0 ? "non-zero" : "zero"));
      fams.push([name, { type: f.type, help: f.help ?? "", metrics }]);
      continue;
    }
    const metrics = f.metrics.map((m) => {
      if (m.value !== undefined) return canonMetric(m.labels, numKey(parseGoFloat(m.value)));
      const base = { count: numKey(parseGoFloat(m.count!)), sum: numKey(parseGoFloat(m.sum!)) };
      const pairs = (o: Record<string, string>) =>
        Object.entries(o)
          .map(([k, x]) => [numKey(parseGoFloat(k)), numKey(parseGoFloat(x))])
          .sort();
      if (f.type === "SUMMARY") return canonMetric(m.labels, { ...base, q: pairs(m.quantiles ?? {}) });
      return canonMetric(m.labels, { ...base, b: pairs(m.buckets ?? {}) });
    });
    fams.push([name, { type: f.type, help: f.help ?? "", metrics: metrics.sort() }]);
  }
  fams.sort((a, b) => (a[0] < b[0] ? -1 : 1));
  return JSON.stringify({ labels: sortLabels(g.labels), ok: g.last_push_successful, families: fams });
}

/** Applies an acknowledged write to the model (PUT replaces, POST merges by family name, DELETE removes). */
export function applyWrite(g: ModelGroup | null, w: Write): ModelGroup | null {
  if (w.method === "DELETE") return null;
  const families = w.method === "POST" && g ? new Map(g.families) : new Map<string, PushedFamily>();
  for (const f of w.families) families.set(f.name, f);
  return { labels: w.group.labels, families };
}

export interface Write {
  method: "PUT" | "POST" | "DELETE";
  group: GroupSpec;
  families: PushedFamily[];
  body: string;
}

// --- HTTP ------------------------------------------------------------------------------------------------------

export interface Reply {
  status: number;
  body: string;
}

/** One request on node:http (no retries of any kind, unlike some fetch stacks). Rejects on any network error. */
export function request(agent: http.Agent, port: number, method: string, path: string, body?: string, timeoutMs = 20_000): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: "127.0.0.1",
        port,
        method,
        path,
        agent,
        headers: body !== undefined ? { "Content-Type": "text/plain; version=0.0.4", "Content-Length": Buffer.byteLength(body) } : {},
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", reject);
        res.on("aborted", () => reject(new Error("response aborted")));
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`timeout after ${timeoutMs} ms`)));
    req.on("error", reject);
    req.end(body);
  });
}

/** GET /api/v1/metrics → groups by grouping key. */
export async function fetchGroups(port: number): Promise<Map<string, ApiGroup>> {
  const agent = new http.Agent({ keepAlive: false });
  try {
    const r = await request(agent, port, "GET", "/api/v1/metrics", undefined, 60_000);
    if (r.status !== 200) throw new Error(`GET /api/v1/metrics: ${r.status} ${r.body}`);
    const doc = JSON.parse(r.body) as { status: string; data: ApiGroup[] };
    if (doc.status !== "success") throw new Error(`GET /api/v1/metrics: status ${doc.status}`);
    const out = new Map<string, ApiGroup>();
    for (const g of doc.data) out.set(groupKeyOf(g.labels), g);
    return out;
  } finally {
    agent.destroy();
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

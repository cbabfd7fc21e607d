// Seeded random generator of push sequences for the differential suite: valid and invalid pushes (names, labels,
// types, HELP, escapes, values like 1e+06, -0, NaN, duplicate series, type conflicts, timestamps, bad label names,
// parse errors, deletes). Deterministic for a given seed.
//
// It never generates what the 1.5.1 oracle handles pathologically (deliberate differences, see differences.test.ts):
// invalid base64 job names (route deadlock), an `instance` grouping label with an empty value (store poisoning),
// invalid UTF-8.
import type { Case, HttpStep } from "./runner";

import { mulberry32 } from "../helpers/random";
export { mulberry32 };

export class Gen {
  constructor(readonly rnd: () => number) {}
  int(n: number): number {
    return Math.floor(this.rnd() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  chance(p: number): boolean {
    return this.rnd() < p;
  }
}

const JOBS = ["a", "b", "job-x", "büro", "sp ace"];
const GROUP_LABELS: [string, string][] = [
  ["instance", "i1"],
  ["instance", "host:9100"],
  ["zone", "eu"],
  ["zone", ""],
  ["path", "/var/tmp"],
  ["le", "x"],
];
const NAMES = [
  "m_a",
  "m_b",
  "m_c",
  "req_total",
  "lat",
  "sz",
  "lat_count",
  "sz_sum",
  "lat_bucket",
  "up",
  "push_time_seconds",
  "process_start_time_seconds",
  "pushgateway_build_info",
];
const TYPES = ["", "counter", "gauge", "untyped", "summary", "histogram"] as const;
const HELPS = ["Some help.", "Other help.", "Escapes \\\\ and \\n here.", "Ünïcödé ✓"];
const VALUES = [
  "1",
  "0",
  "-0",
  "1e+06",
  "1e6",
  "123456",
  "1234567",
  "0.00001",
  "3.14",
  "-2.5",
  "NaN",
  "+Inf",
  "-Inf",
  "1.7976931348623157e308",
  "5e-324",
  "42",
  "100000.5",
  "0x1p3",
  ".5",
];
const LABEL_SETS: [string, string][][] = [
  [],
  [["a", "1"]],
  [["a", "2"]],
  [["b", 'q"uote']],
  [["b", "back\\slash"]],
  [["b", "new\nline"]],
  [
    ["a", "1"],
    ["b", "2"],
  ],
  [["instance", "body"]],
  [["job", "fromBody"]],
  [["c", "Προμηθεύς"]],
];
const BAD_LABEL_NAMES = ["1x", "__x", "a-b", "__name__"];
const GARBAGE = ["blablabla\n", "a.b 1\n", "1a 1\n", 'x{a="1",a="2"} 1\n', "x 1 notats\n", "# TYPE x foo\nx 1\n", "x{a=1} 1\n", "x 1"];

function esc(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}
function labelStr(ls: [string, string][]): string {
  return ls.length ? `{${ls.map(([k, v]) => `${k}="${esc(v)}"`).join(",")}}` : "";
}

function b64(s: string): string {
  return s === "" ? "=" : Buffer.from(s, "utf8").toString("base64url");
}

/** A grouping-key path. Values go through @base64 when they are empty or contain a slash, or at random. */
function groupPath(g: Gen): string {
  const job = g.pick(JOBS);
  let p = g.chance(0.2) ? `/metrics/job@base64/${b64(job)}` : `/metrics/job/${encodeURIComponent(job)}`;
  const n = g.chance(0.5) ? 0 : g.chance(0.7) ? 1 : 2;
  const used = new Set<string>();
  for (let i = 0; i < n; i++) {
    const [k, v] = g.pick(GROUP_LABELS);
    if (used.has(k)) continue;
    used.add(k);
    if (v === "" || v.includes("/") || g.chance(0.2)) p += `/${k}@base64/${b64(v)}`;
    else p += `/${k}/${encodeURIComponent(v)}`;
  }
  if (g.chance(0.03)) p += "/odd";
  if (g.chance(0.02)) p += `/${g.pick(BAD_LABEL_NAMES)}/v`;
  return p;
}

function family(g: Gen, name: string, type: (typeof TYPES)[number]): string {
  let s = "";
  if (g.chance(0.3)) s += `# HELP ${name} ${g.pick(HELPS)}\n`;
  if (type) s += `# TYPE ${name} ${type}\n`;
  const n = 1 + g.int(3);
  for (let i = 0; i < n; i++) {
    let ls = [...g.pick(LABEL_SETS)];
    if (g.chance(0.03)) ls = [...ls, [g.pick(BAD_LABEL_NAMES.slice(0, 2)), "v"]];
    const ts = g.chance(0.03) ? ` ${1000 + g.int(1000)}` : "";
    if (type === "summary") {
      for (const q of ["0.5", "0.9"]) s += `${name}${labelStr([...ls, ["quantile", q]])} ${g.pick(VALUES)}${ts}\n`;
      s += `${name}_sum${labelStr(ls)} ${g.pick(VALUES)}\n${name}_count${labelStr(ls)} ${g.int(10)}\n`;
    } else if (type === "histogram") {
      let c = 0;
      for (const le of ["0.1", "1", "+Inf"]) {
        c += g.int(3);
        s += `${name}_bucket${labelStr([...ls, ["le", le]])} ${c}${ts}\n`;
      }
      s += `${name}_sum${labelStr(ls)} ${g.pick(VALUES)}\n${name}_count${labelStr(ls)} ${c}\n`;
    } else s += `${name}${labelStr(ls)} ${g.pick(VALUES)}${ts}\n`;
  }
  return s;
}

/** Mostly-consistent types per name (so many pushes succeed), with occasional conflicts. */
function typeFor(g: Gen, name: string): (typeof TYPES)[number] {
  if (g.chance(0.15)) return g.pick(TYPES);
  const fixed: Record<string, (typeof TYPES)[number]> = {
    lat: "histogram",
    sz: "summary",
    req_total: "counter",
    up: "gauge",
    process_start_time_seconds: "gauge",
    pushgateway_build_info: "gauge",
  };
  return fixed[name] ?? "";
}

function body(g: Gen): string {
  if (g.chance(0.06)) return g.pick(GARBAGE);
  if (g.chance(0.04)) return "";
  const n = 1 + g.int(3);
  let s = "";
  const names = new Set<string>();
  for (let i = 0; i < n; i++) {
    const name = g.pick(NAMES);
    if (names.has(name) && !g.chance(0.1)) continue;
    names.add(name);
    s += family(g, name, typeFor(g, name));
  }
  return s;
}

export function step(g: Gen): HttpStep {
  const r = g.rnd();
  const path = groupPath(g);
  if (r < 0.1) return { method: "DELETE", path, sleepAfterMs: 0 };
  return { method: r < 0.55 ? "PUT" : "POST", path, body: body(g) };
}

/** `count` sequences of `len` steps each. */
export function generateSequences(seed: number, count: number, len: number): Case[] {
  const g = new Gen(mulberry32(seed));
  const out: Case[] = [];
  for (let i = 0; i < count; i++) {
    const steps: HttpStep[] = [];
    for (let j = 0; j < len; j++) steps.push(step(g));
    out.push({ name: `seed ${seed} sequence ${i}`, steps, laxErrors: true });
  }
  return out;
}

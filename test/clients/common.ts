// Shared helpers of the real-client tests: tool detection (a missing tool fails loudly in CI, skips visibly
// elsewhere), starting pushboard and the oracle, and reading /metrics and /api/v1/metrics.
import { existsSync } from "node:fs";
import path from "node:path";
import { ROOT } from "../helpers/servers";
import { PYTHON, requireProgram, requirePythonModule } from "../system-deps.mjs";

/** Returns true when the tool is usable; otherwise throws in CI, or warns and returns false. System programs and
 * Python modules go through test/system-deps.mjs instead; this is for what the project itself builds. */
export function requireTool(what: string, ok: boolean, hint: string): boolean {
  if (ok) return true;
  const msg = `${what} is not available (${hint})`;
  if (process.env.CI === "true") throw new Error(`CI: ${msg}`);
  console.warn(`SKIPPED: ${msg}`);
  return false;
}

export function pushboardBuilt(): boolean {
  return requireTool("pushboard", existsSync(path.join(ROOT, "lib/cli/pushboard.mjs")), "run npm run build");
}

export function oracleInstalled(): boolean {
  return requireProgram("prometheus-pushgateway") !== undefined;
}

/** Debian's python3 with python3-prometheus-client (the first python3 on PATH may be another one, e.g. pyenv). */
export function findPython(): string | undefined {
  return requirePythonModule("prometheus_client") ? PYTHON : undefined;
}

export async function getText(url: string): Promise<string> {
  const r = await fetch(url);
  if (r.status !== 200) throw new Error(`GET ${url}: ${r.status} ${await r.text()}`);
  return r.text();
}

export interface ApiFamily {
  type: string;
  help?: string;
  time_stamp: string;
  metrics: {
    labels: Record<string, string>;
    value?: string;
    buckets?: Record<string, string>;
    quantiles?: Record<string, string>;
    count?: string;
    sum?: string;
  }[];
}
export type ApiGroup = { labels: Record<string, string>; last_push_successful: boolean } & Record<string, unknown>;

export async function apiGroups(base: string): Promise<ApiGroup[]> {
  const j = (await (await fetch(`${base}/api/v1/metrics`)).json()) as { status: string; data: ApiGroup[] };
  if (j.status !== "success") throw new Error(`api status ${j.status}`);
  return j.data;
}

export function findGroup(groups: ApiGroup[], labels: Record<string, string>): ApiGroup | undefined {
  const key = JSON.stringify(Object.entries(labels).sort());
  return groups.find((g) => JSON.stringify(Object.entries(g.labels).sort()) === key);
}

export function family(g: ApiGroup | undefined, name: string): ApiFamily | undefined {
  return g?.[name] as ApiFamily | undefined;
}

/** The shape of the store for comparing with the oracle: group labels, and per family its type, HELP and series. */
export function storeShape(groups: ApiGroup[]): string[] {
  const out: string[] = [];
  for (const g of groups) {
    const fams = Object.entries(g)
      .filter(([k]) => k !== "labels" && k !== "last_push_successful")
      .map(([k, f]) => {
        const fam = f as ApiFamily;
        return `${k}:${fam.type}:${fam.help ?? ""}:${fam.metrics.map((m) => JSON.stringify(Object.entries(m.labels).sort())).join(";")}`;
      })
      .sort();
    out.push(`${JSON.stringify(Object.entries(g.labels).sort())} ok=${g.last_push_successful} ${fams.join(" | ")}`);
  }
  return out.sort();
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls until fn() returns a truthy value (≤ timeoutMs); returns the last value. */
export async function until<T>(fn: () => Promise<T>, timeoutMs = 5000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let v = await fn();
  while (!v && Date.now() < deadline) {
    await sleep(everyMs);
    v = await fn();
  }
  return v;
}

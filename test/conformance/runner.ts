// Differential runner: runs a case (a short sequence of raw HTTP requests) against the oracle (Debian
// prometheus-pushgateway 1.5.1) and against pushboard started with the same flags, and turns each run into a
// comparable transcript (status, selected headers, normalised bodies, normalised final /metrics and /api/v1/metrics).
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { ORACLE_BIN, ROOT, startOracle, startPushboard, type RunningServer } from "../helpers/servers";
import { rawRequest, sleep, type RawRequest, type RawResponse } from "./http";
import { normaliseApiMetrics, normaliseApiStatus, normaliseErrorBody, normaliseMetrics, pushedHelps } from "./normalise";

export type Compare = "auto" | "body" | "metrics" | "api" | "status" | "none";

export interface HttpStep extends RawRequest {
  /** Wait this long after the response (default: 120 ms after a 202, whose write is only queued). */
  sleepAfterMs?: number;
  /** What to compare of the response besides status and selected headers ("auto": by path, see describeBody). */
  compare?: Compare;
  /** Extra response headers to compare (lower case). */
  headersToCompare?: string[];
  action?: undefined;
}

export interface ActionStep {
  /** "restart": SIGTERM both servers, wait, start them again with the same flags (persistence round trip).
   * "awaitExit": wait (≤ 10 s) for both servers to exit on their own (after /-/quit) and record the exit code. */
  action: "restart" | "awaitExit";
}

export type Step = HttpStep | ActionStep;

export interface Case {
  name: string;
  flags?: string[];
  steps: Step[];
  /** Compare the final /metrics and /api/v1/metrics (default true; false when the server was shut down). */
  final?: boolean;
  /** Keep pushgateway_http_* series (labels only, values masked) in /metrics: only meaningful on a fresh server,
   * so such cases use a flag set of their own. */
  httpMetrics?: "drop" | "labels";
  /** Compare consistency errors loosely (type conflicts reduced to the family names): for generated sequences,
   * where several groups conflict at once and Go's gather order makes the exact error set random. */
  laxErrors?: boolean;
}

export type TargetKind = "oracle" | "pushboard";

/** Where the flags put things: route prefix, scrape path, API base. */
export interface Layout {
  prefix: string;
  telemetry: string;
  api: string;
  ready: string;
}

function flagValue(flags: string[], name: string): string | undefined {
  let v: string | undefined;
  for (const f of flags) if (f.startsWith(`--${name}=`)) v = f.slice(name.length + 3);
  return v;
}

export function layoutOf(flags: string[]): Layout {
  let prefix = flagValue(flags, "web.route-prefix") ?? "";
  const ext = flagValue(flags, "web.external-url");
  if (flagValue(flags, "web.route-prefix") === undefined && ext) {
    try {
      prefix = new URL(ext).pathname;
    } catch {
      /* not a URL */
    }
  }
  if (prefix === "/") prefix = "";
  if (prefix && !prefix.startsWith("/")) prefix = "/" + prefix;
  prefix = prefix.replace(/\/+$/, "");
  const tp = flagValue(flags, "web.telemetry-path") ?? "/metrics";
  const telemetry = path.posix.join(prefix || "/", tp);
  return { prefix, telemetry, api: `${prefix}/api/v1`, ready: `${prefix}/-/ready` };
}

export class Target {
  server?: RunningServer;
  readonly dir: string;
  readonly resolvedFlags: string[];
  requests = 0;
  constructor(
    readonly kind: TargetKind,
    readonly label: string,
    readonly port: number,
    readonly flags: string[],
    /** Run pushboard on this PostgreSQL database (--storage.backend=postgres) instead of its embedded store. */
    readonly postgresUrl?: string,
  ) {
    this.dir = mkdtempSync(path.join(tmpdir(), `pushboard-conf-${label}-`));
    this.resolvedFlags = flags.map((f) => f.replace("<tmp>", path.join(this.dir, kind === "oracle" ? "pushgateway.data" : "pushboard.db")));
  }
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }
  get layout(): Layout {
    return layoutOf(this.flags);
  }
  get alive(): boolean {
    const p = this.server?.proc;
    return !!p && p.exitCode === null && p.signalCode === null;
  }
  async start(): Promise<void> {
    const ready = this.layout.ready;
    if (this.kind === "oracle") this.server = await startOracle(this.port, this.resolvedFlags, ready);
    else if (this.postgresUrl) {
      const args = [...this.resolvedFlags, "--storage.backend=postgres", `--storage.postgres.url=${this.postgresUrl}`];
      this.server = await startPushboard(this.port, { args, memory: false, dataDir: this.dir, readyPath: ready });
    } else {
      const persistent = this.flags.some((f) => f.startsWith("--persistence.file=") && f !== "--persistence.file=");
      this.server = await startPushboard(this.port, {
        args: this.resolvedFlags,
        memory: !persistent,
        dataDir: persistent ? this.dir : undefined,
        readyPath: ready,
      });
    }
  }
  async stop(): Promise<number | string | null> {
    if (!this.server) return null;
    const s = this.server;
    const timer = setTimeout(() => s.proc.kill("SIGKILL"), 10_000);
    const code = await s.stop();
    clearTimeout(timer);
    return code;
  }
  async ensureAlive(): Promise<void> {
    if (!this.alive) {
      if (this.server) await this.server.exited;
      await this.start();
    }
  }
  async request(req: RawRequest): Promise<RawResponse> {
    this.requests++;
    return rawRequest(this.url, req);
  }
  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function b64(s: string): string {
  return s === "" ? "=" : Buffer.from(s, "utf8").toString("base64url");
}

/** The grouping labels of a group of /api/v1/metrics. When a family named `labels` hid them (a quirk, docs/compatibility.md: JSON API), the
 * candidates derived from push_time_seconds' labels (with and without the implicit instance=""). */
function groupingLabels(g: Record<string, unknown>): Record<string, string>[] {
  const l = g.labels as Record<string, unknown> | undefined;
  if (l && typeof l === "object" && !("metrics" in l)) return [l as Record<string, string>];
  for (const k of ["push_time_seconds", "push_failure_time_seconds"]) {
    const f = g[k] as { metrics?: { labels?: Record<string, string> }[] } | undefined;
    const labels = f?.metrics?.[0]?.labels;
    if (labels) {
      const { instance, ...rest } = labels;
      return instance === "" ? [labels, rest] : [labels];
    }
  }
  return [];
}

/** DELETE every group (found via the JSON API), until the store is empty. Restarts the server if that fails. */
export async function resetTarget(t: Target): Promise<void> {
  await t.ensureAlive();
  const api = `${t.layout.api}/metrics`;
  for (let attempt = 0; attempt < 40; attempt++) {
    let groups: Record<string, string>[] = [];
    try {
      const r = await rawRequest(t.url, { method: "GET", path: api }, 3000);
      groups = (JSON.parse(r.body.toString("utf8")) as { data: Record<string, unknown>[] }).data.flatMap(groupingLabels);
    } catch {
      break;
    }
    if (groups.length === 0) return;
    if (attempt > 0) await sleep(50);
    if (attempt === 0 || attempt % 5 === 0) {
      await Promise.all(
        groups.map((g) => {
          const labels = { ...g };
          const job = labels.job ?? "";
          delete labels.job;
          let p = `${t.layout.prefix}/metrics/job@base64/${b64(job)}`;
          for (const [k, v] of Object.entries(labels)) p += `/${k}@base64/${b64(v)}`;
          return rawRequest(t.url, { method: "DELETE", path: p }, 3000).catch(() => undefined);
        }),
      );
    }
    await sleep(20);
  }
  // Could not empty it (poisoned beyond repair or deadlocked): start afresh.
  await t.stop();
  if (t.kind === "oracle") rmSync(path.join(t.dir, "pushgateway.data"), { force: true });
  await t.start();
}

const UI_PATH = /^\/(?:status)?$|^\/static\//;

function describeBody(t: Target, step: HttpStep, res: RawResponse): Compare {
  if (step.compare && step.compare !== "auto") return step.compare;
  const p = step.path.split("?")[0]!;
  const { telemetry, api, prefix } = t.layout;
  if (step.method === "GET" && res.status === 200) {
    if (p === telemetry) return "metrics";
    if (p === `${api}/metrics`) return "api";
    if (p === `${api}/status`) return "status";
    if (p.startsWith(prefix) && UI_PATH.test(p.slice(prefix.length) || "/")) return "none";
  }
  return "body";
}

const BASE_HEADERS = ["location", "allow", "content-encoding", "x-content-type-options"];
const API_HEADERS = [
  "access-control-allow-headers",
  "access-control-allow-methods",
  "access-control-allow-origin",
  "access-control-expose-headers",
  "cache-control",
];

export interface StepResult {
  lines: string[];
  res?: RawResponse;
}

function showBody(b: Buffer): string {
  const s = b.toString("utf8");
  return Buffer.from(s, "utf8").equals(b) ? JSON.stringify(s) : `<bytes ${b.toString("hex")}>`;
}

export function describeRequest(step: HttpStep): string {
  let s = `> ${step.method} ${step.path}`;
  const hs = Object.entries(step.headers ?? {});
  if (hs.length) s += ` ${hs.map(([k, v]) => `[${k}: ${v}]`).join(" ")}`;
  if (step.gzip) s += " [gzip]";
  if (step.body !== undefined) s += ` body=${showBody(Buffer.from(step.body))}`;
  return s;
}

export async function runHttpStep(t: Target, step: HttpStep, c: Case): Promise<StepResult> {
  const lines: string[] = [describeRequest(step)];
  let res: RawResponse;
  const isQuit = step.path.endsWith("/-/quit") && step.method !== "GET";
  try {
    res = await t.request(step);
  } catch (e) {
    const message = (e as Error).message;
    // Pushgateway 1.5.1 sometimes shuts down before its "Goodbye!" reaches the client: a race in the oracle.
    if (isQuit && /socket hang up|ECONNRESET/.test(message)) {
      lines.push("< quit acknowledged (200 Goodbye, or the connection closed by the shutdown)");
      return { lines };
    }
    lines.push(`< request failed: ${message.replace(/\d+ ms/, "N ms")}`);
    return { lines };
  }
  if (isQuit && res.status === 200 && res.body.toString() === "Requesting termination... Goodbye!") {
    lines.push("< quit acknowledged (200 Goodbye, or the connection closed by the shutdown)");
    return { lines };
  }
  lines.push(`< ${res.status}`);
  const mode = describeBody(t, step, res);
  const hdrs = [...BASE_HEADERS, ...(step.headersToCompare ?? [])];
  if (res.status !== 200 || mode !== "body") hdrs.push("content-type");
  if (step.path.startsWith(t.layout.api + "/")) hdrs.push(...API_HEADERS);
  // Dashboard pages (mode "none") carry pushboard's browser hardening (nosniff, CSP, …): a deliberate difference
  // (README "Security"), asserted in test/security/; not compared here.
  const compared = mode === "none" ? hdrs.filter((h) => h !== "x-content-type-options") : hdrs;
  for (const h of [...new Set(compared)].sort()) {
    const v = res.headers[h];
    if (v !== undefined) lines.push(`< ${h}: ${v}`);
  }
  const text = res.body.toString("utf8");
  switch (mode) {
    case "metrics": {
      const apiRes = await rawRequest(t.url, { method: "GET", path: `${t.layout.api}/metrics` });
      lines.push(...normaliseMetrics(text, { pushedHelps: pushedHelps(apiRes.body.toString("utf8")), httpMetrics: c.httpMetrics }).map((l) => `  ${l}`));
      break;
    }
    case "api":
      lines.push(...normaliseApiMetrics(text).map((l) => `  ${l}`));
      break;
    case "status":
      lines.push(...normaliseApiStatus(text).map((l) => `  ${l}`));
      break;
    case "none":
      break;
    case "body":
      if (res.body.length > 4000) lines.push(`< body: <${res.body.length} bytes> ${JSON.stringify(text.slice(0, 120))}…`);
      else if (res.body.length > 0) lines.push(`< body: ${JSON.stringify(normaliseErrorBody(text, c.laxErrors))}`);
      break;
  }
  const wait = step.sleepAfterMs ?? (res.status === 202 ? 120 : 0);
  if (wait) await sleep(wait);
  return { lines, res };
}

/** The comparable state after a case: normalised /metrics and /api/v1/metrics. */
export async function finalState(t: Target, c: Case): Promise<string[]> {
  const lines: string[] = [];
  const api = await t.request({ method: "GET", path: `${t.layout.api}/metrics` });
  const m = await t.request({ method: "GET", path: t.layout.telemetry });
  lines.push(`final GET ${t.layout.telemetry}: ${m.status}`);
  const mt = m.body.toString("utf8");
  if (m.status === 200)
    lines.push(...normaliseMetrics(mt, { pushedHelps: pushedHelps(api.body.toString("utf8")), httpMetrics: c.httpMetrics }).map((l) => `  ${l}`));
  else lines.push(`  ${JSON.stringify(normaliseErrorBody(mt, c.laxErrors))}`);
  lines.push(`final GET ${t.layout.api}/metrics: ${api.status}`);
  lines.push(...normaliseApiMetrics(api.body.toString("utf8")).map((l) => `  ${l}`));
  return lines;
}

/** Runs one case against one target (which must already be reset) and returns its transcript. */
export async function runCaseOn(t: Target, c: Case): Promise<string[]> {
  const lines: string[] = [];
  for (const [i, step] of c.steps.entries()) {
    if (step.action === "restart") {
      const code = await t.stop();
      await t.start();
      lines.push(`#${i + 1} restart (exit ${code})`);
      continue;
    }
    if (step.action === "awaitExit") {
      const s = t.server!;
      const code = await Promise.race([s.exited, sleep(10_000).then(() => "still running")]);
      lines.push(`#${i + 1} process exit: ${code}`);
      continue;
    }
    const r = await runHttpStep(t, step as HttpStep, c);
    lines.push(`#${i + 1} ${r.lines[0]}`, ...r.lines.slice(1));
  }
  if (c.final !== false && t.alive) lines.push(...(await finalState(t, c)));
  return lines;
}

/** One oracle and one pushboard (or a second oracle) per distinct flag set, on fixed ports. */
export class ServerPool {
  private pairs = new Map<string, [Target, Target]>();
  private next: number;
  constructor(
    private readonly firstPort: number,
    private readonly lastPort: number,
    readonly subject: TargetKind = subjectKind(),
    /** Gives each pushboard target a fresh PostgreSQL database (the PostgreSQL variant of the suite). */
    private readonly postgresDatabase?: () => Promise<string>,
  ) {
    this.next = firstPort;
  }
  async pair(flags: string[] = []): Promise<[Target, Target]> {
    const key = JSON.stringify(flags);
    let p = this.pairs.get(key);
    if (!p) {
      if (this.next + 1 > this.lastPort) throw new Error(`port range ${this.firstPort}-${this.lastPort} exhausted`);
      const pgUrl = this.subject === "pushboard" && this.postgresDatabase ? await this.postgresDatabase() : undefined;
      p = [
        new Target("oracle", "oracle", this.next, flags),
        new Target(this.subject, this.subject === "oracle" ? "oracle2" : "pushboard", this.next + 1, flags, pgUrl),
      ];
      this.next += 2;
      this.pairs.set(key, p);
      await Promise.all(p.map((t) => t.start()));
    }
    return p;
  }
  get requests(): number {
    let n = 0;
    for (const [, b] of this.pairs.values()) n += b.requests;
    return n;
  }
  async stopAll(): Promise<void> {
    const all = [...this.pairs.values()].flat();
    await Promise.all(all.map((t) => t.stop().catch(() => undefined)));
    for (const t of all) t.dispose();
    this.pairs.clear();
  }
}

/** CONFORMANCE_TARGET=oracle compares the oracle with a second oracle instance (validates the normalisation). */
export function subjectKind(): TargetKind {
  return process.env.CONFORMANCE_TARGET === "oracle" ? "oracle" : "pushboard";
}

/** Whether the suite can run; in CI a missing piece is an error, elsewhere a visible skip. */
export function availability(kind: TargetKind = subjectKind()): { ok: boolean; reason: string } {
  if (!existsSync(ORACLE_BIN)) return { ok: false, reason: `${ORACLE_BIN} missing (apt-get install prometheus-pushgateway, see test/setup.sh)` };
  if (kind === "pushboard" && !existsSync(path.join(ROOT, "lib/cli/pushboard.mjs"))) {
    return { ok: false, reason: "lib/cli/pushboard.mjs missing (pushboard not built: npm run build)" };
  }
  return { ok: true, reason: "" };
}

export function requireOrSkip(kind?: TargetKind): boolean {
  const a = availability(kind);
  if (a.ok) return true;
  if (process.env.CI === "true") throw new Error(`conformance suite cannot run in CI: ${a.reason}`);
  console.warn(`SKIPPED conformance tests: ${a.reason}`);
  return false;
}

export interface CaseOutcome {
  oracle: string[];
  subject: string[];
  same: boolean;
}

/** Resets both servers of the case's flag set, runs the case on both in parallel and compares. */
export async function runCase(pool: ServerPool, c: Case): Promise<CaseOutcome> {
  const [a, b] = await pool.pair(c.flags ?? []);
  await Promise.all([resetTarget(a), resetTarget(b)]);
  const [oracle, subject] = await Promise.all([runCaseOn(a, c), runCaseOn(b, c)]);
  return { oracle, subject, same: oracle.join("\n") === subject.join("\n") };
}

// `pushboard import --from http://old-pushgateway:9091 [--to http://127.0.0.1:9091]`: copies every group of a running
// Pushgateway (read from its GET /api/v1/metrics, docs/compatibility.md: JSON API) into a pushboard (or any Pushgateway) by one PUT of
// text format 0.0.4 per group, to /metrics/job@base64/<job>{/<label>@base64/<value>}.
//
// Not carried over (the API does not expose it, or the target sets it itself): the per-family write times, the
// push_time_seconds / push_failure_time_seconds families, a failed-last-push state, and native histograms (the text
// format cannot express them; such a family makes its group count as failed, the rest of the group is imported).
import { METRIC_TYPES, type LabelPair, type Metric, type MetricFamily, type MetricType } from "../exposition/model";
import { parseGoFloat } from "../exposition/parse-text";
import { renderFamilyText, TEXT_CONTENT_TYPE } from "../exposition/render-text";
import { PUSH_FAILURE_TIME_METRIC, PUSH_TIME_METRIC } from "../consistency/check-push";
import { byName } from "../grouping/label-order";
import { deletePathOf } from "../dashboard/group-id";

const USAGE = `Usage: pushboard import --from URL [--to URL] [--concurrency N] [--progress-every N] [--timeout SECONDS]

Copies every group of a running Prometheus Pushgateway into pushboard.

  --from URL            the Pushgateway to read, e.g. http://old-pushgateway:9091 (its GET /api/v1/metrics;
                        include its --web.route-prefix in the URL if it has one; user:password@ gives basic auth)
  --to URL              the pushboard to write to (default http://127.0.0.1:9091); each group is recreated with
                        one PUT, replacing a group with the same grouping labels there
  --concurrency N       parallel PUTs (default 4)
  --progress-every N    print a progress line to stderr every N groups (default 100)
  --timeout SECONDS     per-request timeout (default 60)

Exit status: 0 if every group was imported, 1 if some failed, 2 on usage errors or if --from cannot be read.
`;

/** Families the target creates by itself. */
const SKIPPED_FAMILIES = new Set([PUSH_TIME_METRIC, PUSH_FAILURE_TIME_METRIC]);

export interface ImportOptions {
  from: string;
  to: string;
  concurrency: number;
  progressEvery: number;
  timeoutMs: number;
}

export interface ImportIo {
  /** Progress and failures (default: process.stderr). */
  err: (line: string) => void;
  /** The final summary (default: process.stdout). */
  out: (line: string) => void;
  fetch: typeof fetch;
}

class UsageError extends Error {}

export function parseImportArgs(argv: string[]): ImportOptions {
  const values: Record<string, string> = {};
  const known = new Set(["from", "to", "concurrency", "progress-every", "timeout"]);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "import" && i === 0) continue; // tolerate being handed the subcommand too
    const m = /^--?([a-z-]+)(?:=(.*))?$/s.exec(arg);
    if (!m) throw new UsageError(`unexpected argument ${JSON.stringify(arg)}`);
    const name = m[1]!;
    if (name === "help" || name === "h") throw new UsageError("");
    if (!known.has(name)) throw new UsageError(`unknown flag --${name}`);
    let value = m[2];
    if (value === undefined) {
      value = argv[++i];
      if (value === undefined) throw new UsageError(`flag --${name} needs a value`);
    }
    values[name] = value;
  }
  if (!values.from) throw new UsageError("--from is required");
  const url = (name: string, v: string): string => {
    try {
      const u = new URL(v);
      if (u.protocol !== "http:" && u.protocol !== "https:") throw new Error("not http(s)");
      return v;
    } catch {
      throw new UsageError(`--${name}: ${JSON.stringify(v)} is not an http(s) URL`);
    }
  };
  const int = (name: string, def: number): number => {
    const v = values[name];
    if (v === undefined) return def;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${name}: ${JSON.stringify(v)} is not a positive integer`);
    return n;
  };
  const timeoutS = values.timeout === undefined ? 60 : Number(values.timeout);
  if (!(timeoutS > 0)) throw new UsageError(`--timeout: ${JSON.stringify(values.timeout)} is not a positive number`);
  return {
    from: url("from", values.from),
    to: url("to", values.to ?? "http://127.0.0.1:9091"),
    concurrency: int("concurrency", 4),
    progressEvery: int("progress-every", 100),
    timeoutMs: timeoutS * 1000,
  };
}

/** The URL without credentials (fetch refuses them) plus the matching Authorization header. */
function endpoint(base: string, suffix: string): { url: string; headers: Record<string, string> } {
  const u = new URL(base);
  const headers: Record<string, string> = {};
  if (u.username || u.password) {
    headers.authorization = "Basic " + Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString("base64");
    u.username = "";
    u.password = "";
  }
  u.pathname = u.pathname.replace(/\/+$/, "") + suffix;
  return { url: u.toString(), headers };
}

/** One group as the API shows it, turned into what a PUT needs. */
export interface ImportGroup {
  labels: LabelPair[];
  families: MetricFamily[];
  /** Families that cannot be imported (e.g. native histograms), with the reason. */
  problems: string[];
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };

function isObject(x: Json | undefined): x is JsonObject {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

function num(s: Json | undefined, what: string): number {
  if (typeof s === "number") return s;
  const v = typeof s === "string" ? parseGoFloat(s) : undefined;
  if (v === undefined) throw new Error(`${what}: ${JSON.stringify(s)} is not a number`);
  return v;
}

function labelPairs(o: Json | undefined, what: string): LabelPair[] {
  if (!isObject(o)) throw new Error(`${what}: labels are not an object`);
  const out: LabelPair[] = [];
  for (const [name, value] of Object.entries(o)) {
    if (typeof value !== "string") throw new Error(`${what}: label ${name} is not a string`);
    out.push({ name, value });
  }
  return out.sort(byName);
}

const TYPES = new Set<MetricType>(METRIC_TYPES);

/** Rebuilds a MetricFamily from its /api/v1/metrics form. Throws on what text format cannot express. */
export function familyFromApi(name: string, f: JsonObject): MetricFamily {
  const type = f.type;
  if (typeof type !== "string" || !TYPES.has(type as MetricType)) throw new Error(`family ${name}: unknown type ${JSON.stringify(type)}`);
  const help = typeof f.help === "string" ? f.help : "";
  if (!Array.isArray(f.metrics)) throw new Error(`family ${name}: no metrics array`);
  const metric: Metric[] = f.metrics.map((mj, i) => {
    const what = `family ${name}, metric ${i}`;
    if (!isObject(mj)) throw new Error(`${what}: not an object`);
    const m: Metric = { label: labelPairs(mj.labels, what) };
    switch (type as MetricType) {
      case "COUNTER":
        m.counter = { value: num(mj.value, what) };
        break;
      case "GAUGE":
        m.gauge = { value: num(mj.value, what) };
        break;
      case "UNTYPED":
        m.untyped = { value: num(mj.value, what) };
        break;
      case "SUMMARY": {
        const q = isObject(mj.quantiles) ? mj.quantiles : {};
        m.summary = {
          sampleCount: num(mj.count, what + " count"),
          sampleSum: num(mj.sum, what + " sum"),
          quantile: Object.entries(q)
            .map(([k, v]) => ({ quantile: num(k, what + " quantile"), value: num(v, what + " quantile value") }))
            .sort((a, b) => a.quantile - b.quantile),
        };
        break;
      }
      case "HISTOGRAM":
      case "GAUGE_HISTOGRAM": {
        if (Array.isArray(mj.buckets)) throw new Error(`${what}: native histogram buckets cannot be imported through the text format`);
        const b = isObject(mj.buckets) ? mj.buckets : {};
        m.histogram = {
          sampleCount: num(mj.count, what + " count"),
          sampleSum: num(mj.sum, what + " sum"),
          bucket: Object.entries(b)
            .map(([k, v]) => ({ upperBound: num(k, what + " bucket bound"), cumulativeCount: num(v, what + " bucket count") }))
            .sort((x, y) => x.upperBound - y.upperBound),
        };
        break;
      }
    }
    return m;
  });
  return { name, help, type: type as MetricType, metric };
}

/** Splits one element of the API's data array into grouping labels and families (docs/compatibility.md: JSON API quirks included). */
export function groupFromApi(g: Json): ImportGroup {
  if (!isObject(g)) throw new Error("group is not an object");
  // A family literally named "labels" replaces the grouping labels in the API output; then they are lost.
  if (!isObject(g.labels) || Array.isArray(g.labels.metrics)) {
    throw new Error(`grouping labels are missing (a family named "labels" hides them in the source's API output)`);
  }
  const labels = labelPairs(g.labels, "grouping labels");
  if (!labels.some((l) => l.name === "job")) throw new Error("grouping labels have no job");
  const families: MetricFamily[] = [];
  const problems: string[] = [];
  for (const [name, f] of Object.entries(g)) {
    if (name === "labels") continue;
    if (name === "last_push_successful" && typeof f === "boolean") continue;
    if (SKIPPED_FAMILIES.has(name)) continue;
    if (!isObject(f)) {
      problems.push(`family ${name}: not an object`);
      continue;
    }
    try {
      families.push(familyFromApi(name, f));
    } catch (err) {
      problems.push(err instanceof Error ? err.message : String(err));
    }
  }
  return { labels, families, problems };
}

/** `/metrics/job@base64/<job>/<name>@base64/<value>...`: every value base64url-encoded, so any value works (the dashboard's delete path). */
export function groupPath(labels: LabelPair[]): string {
  if (!labels.some((l) => l.name === "job")) throw new Error("grouping labels have no job");
  return deletePathOf(labels);
}

function formatLabels(labels: LabelPair[]): string {
  return "{" + labels.map((l) => `${l.name}=${JSON.stringify(l.value)}`).join(",") + "}";
}

async function readBodySnippet(r: Response): Promise<string> {
  const t = await r.text().catch(() => "");
  return t.length > 300 ? t.slice(0, 300) + "…" : t.trim();
}

export async function runImport(argv: string[], io: Partial<ImportIo> = {}): Promise<number> {
  const err = io.err ?? ((l: string) => void process.stderr.write(l + "\n"));
  const out = io.out ?? ((l: string) => void process.stdout.write(l + "\n"));
  const doFetch = io.fetch ?? fetch;

  let opts: ImportOptions;
  try {
    opts = parseImportArgs(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      if (e.message) err(`pushboard import: ${e.message}`);
      err(USAGE.trimEnd());
      return 2;
    }
    throw e;
  }

  const src = endpoint(opts.from, "/api/v1/metrics");
  let data: Json[];
  try {
    const r = await doFetch(src.url, { headers: { ...src.headers, accept: "application/json" }, signal: AbortSignal.timeout(opts.timeoutMs) });
    if (!r.ok) throw new Error(`HTTP ${r.status}: ${await readBodySnippet(r)}`);
    const body = (await r.json()) as Json;
    if (!isObject(body) || body.status !== "success" || !Array.isArray(body.data)) throw new Error("response is not a Pushgateway API answer");
    data = body.data;
  } catch (e) {
    err(`pushboard import: cannot read ${src.url}: ${e instanceof Error ? e.message : String(e)}`);
    return 2;
  }
  err(`pushboard import: ${data.length} groups to copy from ${opts.from} to ${opts.to}`);

  let done = 0;
  let groupsOk = 0;
  let failed = 0;
  let familyCount = 0;
  let seriesCount = 0;
  const started = Date.now();

  const importOne = async (g: Json): Promise<void> => {
    let group: ImportGroup;
    try {
      group = groupFromApi(g);
    } catch (e) {
      failed++;
      const lbls = isObject(g) && isObject(g.labels) ? JSON.stringify(g.labels) : "?";
      err(`pushboard import: group ${lbls} failed: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    const what = formatLabels(group.labels);
    try {
      const body = group.families.map(renderFamilyText).join("");
      const dst = endpoint(opts.to, groupPath(group.labels));
      const r = await doFetch(dst.url, {
        method: "PUT",
        headers: { ...dst.headers, "content-type": TEXT_CONTENT_TYPE },
        body,
        signal: AbortSignal.timeout(opts.timeoutMs),
      });
      if (!r.ok) throw new Error(`PUT ${dst.url} answered ${r.status}: ${await readBodySnippet(r)}`);
      await r.arrayBuffer().catch(() => undefined);
      familyCount += group.families.length;
      for (const f of group.families) seriesCount += f.metric.length;
      if (group.problems.length > 0) {
        failed++;
        err(`pushboard import: group ${what} imported partly: ${group.problems.join("; ")}`);
      } else {
        groupsOk++;
      }
    } catch (e) {
      failed++;
      err(`pushboard import: group ${what} failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  };

  let next = 0;
  const worker = async () => {
    while (next < data.length) {
      const g = data[next++]!;
      await importOne(g);
      done++;
      if (done % opts.progressEvery === 0 && done < data.length) {
        err(`pushboard import: ${done}/${data.length} groups (${failed} failed) after ${((Date.now() - started) / 1000).toFixed(1)} s`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(opts.concurrency, Math.max(1, data.length)) }, worker));

  out(`imported ${groupsOk} groups, ${familyCount} families, ${seriesCount} series; ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

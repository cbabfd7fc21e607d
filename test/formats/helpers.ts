// Shared helpers of the wire-format tests (test/formats/*.test.ts): family builders for the library's
// Go-compatible protobuf encoder, raw HTTP pushes and scrapes, text-scrape slicing, and Go's native-histogram
// bucket boundaries (prometheus/model/histogram getBound) computed independently of pushboard's code.
import { existsSync } from "node:fs";
import path from "node:path";
import { encodeDelimitedFamilies } from "../../lib/exposition/render-protobuf";
import type { Histogram, LabelPair, Metric, MetricFamily, MetricType } from "../../lib/exposition/model";
import { rawRequest, type RawResponse } from "../conformance/http";
import { ROOT } from "../helpers/servers";
import { requireProgram } from "../system-deps.mjs";

export const PROTO_CT = "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited";
/** What Go's client_golang sends as Accept when it wants protobuf; also what Prometheus lists first with native histograms. */
export const ACCEPT_PROTO = "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited";
export const ACCEPT_OPENMETRICS = "application/openmetrics-text; version=1.0.0";
/** Prometheus 2.42's default scrape Accept header (no native histograms): lists OpenMetrics and text/plain. */
export const ACCEPT_PROMETHEUS_DEFAULT =
  "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
/** Prometheus 2.42's Accept header with --enable-feature=native-histograms. */
export const ACCEPT_PROMETHEUS_NATIVE =
  "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.5,application/openmetrics-text;version=1.0.0;q=0.8,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
export const TEXT_CT = "text/plain; version=0.0.4; charset=utf-8";
export const OPENMETRICS_CT = "application/openmetrics-text; version=1.0.0; charset=utf-8";

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function built(): boolean {
  return existsSync(path.join(ROOT, "lib/cli/pushboard.mjs")) && existsSync(path.join(ROOT, ".next/pushboard/server.cjs"));
}
export const oracleInstalled = (): boolean => requireProgram("prometheus-pushgateway") !== undefined;

/** Fails loudly in CI, skips visibly elsewhere. */
export function enabledOrSkip(ok: boolean, what: string): boolean {
  if (ok) return true;
  if (process.env.CI === "true") throw new Error(`CI: ${what} is not available`);
  console.warn(`SKIPPED: ${what} is not available`);
  return false;
}

// ---------------------------------------------------------------------------------------------------------------
// Family builders (the model of lib/exposition/model.ts, which mirrors metrics.proto field for field)

export const labels = (o: Record<string, string> = {}): LabelPair[] => Object.entries(o).map(([name, value]) => ({ name, value }));

export function fam(name: string, type: MetricType, metric: Metric[], help = ""): MetricFamily {
  return { name, help, type, metric };
}
export const counter = (value: number, l: Record<string, string> = {}, extra: Partial<Metric> = {}): Metric => ({
  label: labels(l),
  counter: { value },
  ...extra,
});
export const gauge = (value: number, l: Record<string, string> = {}, extra: Partial<Metric> = {}): Metric => ({ label: labels(l), gauge: { value }, ...extra });
export const untyped = (value: number, l: Record<string, string> = {}): Metric => ({ label: labels(l), untyped: { value } });
export const summary = (count: number, sum: number, quantiles: [number, number][], l: Record<string, string> = {}): Metric => ({
  label: labels(l),
  summary: { sampleCount: count, sampleSum: sum, quantile: quantiles.map(([quantile, value]) => ({ quantile, value })) },
});
/** Classic histogram; buckets as [upperBound, cumulativeCount], normally without +Inf (as client_golang sends them). */
export const classic = (count: number, sum: number, buckets: [number, number][], l: Record<string, string> = {}): Metric => ({
  label: labels(l),
  histogram: { sampleCount: count, sampleSum: sum, bucket: buckets.map(([upperBound, cumulativeCount]) => ({ upperBound, cumulativeCount })) },
});
export const native = (h: Omit<Histogram, "bucket"> & { bucket?: Histogram["bucket"] }, l: Record<string, string> = {}): Metric => ({
  label: labels(l),
  histogram: { bucket: [], ...h },
});

/**
 * An integer native histogram, schema 0, as client_golang writes it (no classic buckets, delta counts):
 *   zero bucket: threshold 0.125, count 4
 *   negative: span (offset -1, length 2), deltas [2, -1] → index -1: 2, index 0: 1
 *   positive: spans (offset 0, length 2), (offset 2, length 1), deltas [1, 2, -1] → index 0: 1, 1: 3, 4: 2
 */
export const NATIVE_SCHEMA0: Histogram = {
  sampleCount: 13,
  sampleSum: 20.5,
  bucket: [],
  schema: 0,
  zeroThreshold: 0.125,
  zeroCount: 4,
  negativeSpan: [{ offset: -1, length: 2 }],
  negativeDelta: [2, -1],
  positiveSpan: [
    { offset: 0, length: 2 },
    { offset: 2, length: 1 },
  ],
  positiveDelta: [1, 2, -1],
};

export const pb = (...families: MetricFamily[]): Uint8Array => encodeDelimitedFamilies(families);

// ---------------------------------------------------------------------------------------------------------------
// HTTP

export interface PushResult {
  status: number;
  text: string;
}

export async function push(
  base: string,
  method: "PUT" | "POST",
  p: string,
  body: string | Uint8Array,
  headers: Record<string, string> = {},
): Promise<PushResult> {
  const r = await rawRequest(base, { method, path: p, body, headers });
  return { status: r.status, text: r.body.toString("utf8") };
}
export const pushPb = (base: string, method: "PUT" | "POST", p: string, ...families: MetricFamily[]) =>
  push(base, method, p, pb(...families), { "Content-Type": PROTO_CT });

/** GET /metrics; `body` is gunzipped if the server gzipped it, `rawBody` is as received. */
export function scrape(base: string, headers: Record<string, string> = {}): Promise<RawResponse> {
  return rawRequest(base, { method: "GET", path: "/metrics", headers });
}

export async function getJson<T = unknown>(base: string, p: string): Promise<{ status: number; json: T }> {
  const r = await rawRequest(base, { method: "GET", path: p });
  return { status: r.status, json: JSON.parse(r.body.toString("utf8")) as T };
}

export type ApiGroup = Record<string, unknown> & { labels: Record<string, string>; last_push_successful: boolean };
export interface ApiFamily {
  type: string;
  help?: string;
  time_stamp: string;
  metrics: Array<Record<string, unknown> & { labels: Record<string, string> }>;
}

export async function apiGroup(base: string, groupLabels: Record<string, string>): Promise<ApiGroup | undefined> {
  const { json } = await getJson<{ status: string; data: ApiGroup[] }>(base, "/api/v1/metrics");
  const key = JSON.stringify(Object.entries(groupLabels).sort());
  return json.data.find((g) => JSON.stringify(Object.entries(g.labels).sort()) === key);
}

export async function deleteGroup(base: string, p: string): Promise<void> {
  await rawRequest(base, { method: "DELETE", path: p });
  await sleep(50);
}

/** The text scrape cut into family blocks: name → its `# HELP`, `# TYPE` and sample lines. */
export function textBlocks(text: string): Map<string, string[]> {
  const blocks = new Map<string, string[]>();
  let current = "";
  for (const line of text.split("\n")) {
    if (line === "") continue;
    const m = /^# (?:HELP|TYPE) (\S+)/.exec(line);
    if (m && m[1] !== current) current = m[1]!;
    if (!blocks.has(current)) blocks.set(current, []);
    blocks.get(current)!.push(line);
  }
  return blocks;
}

/** Only the sample lines of `text` that carry `job="<job>"`. */
export function linesOfJob(text: string, job: string): string[] {
  return text.split("\n").filter((l) => l.includes(`job="${job}"`));
}

// ---------------------------------------------------------------------------------------------------------------
// Native histogram bucket boundaries exactly as Prometheus computes them (model/histogram getBound): for
// schema > 0 a table of 2^(-k/2^schema) constants and math.Ldexp, for schema ≤ 0 an exact power of two.
// Only the schemas used here are tabulated (from prometheus/model/histogram/generic.go exponentialBounds).

const EXPONENTIAL_BOUNDS: Record<number, number[]> = {
  0: [0.5],
  1: [0.5, 0.7071067811865475],
  2: [0.5, 0.5946035575013605, 0.7071067811865475, 0.8408964152537144],
  3: [0.5, 0.5452538663326288, 0.5946035575013605, 0.6484197773255048, 0.7071067811865475, 0.7711054127039704, 0.8408964152537144, 0.9170040432046711],
};

export function goBound(schema: number, idx: number): number {
  if (schema < 0) return Math.pow(2, idx * Math.pow(2, -schema)); // exact: integral exponent
  const table = EXPONENTIAL_BOUNDS[schema];
  if (!table) throw new Error(`schema ${schema} not tabulated`);
  const fracIdx = idx & ((1 << schema) - 1);
  const exp = (idx >> schema) + 1;
  return table[fracIdx]! * Math.pow(2, exp); // ldexp: exact scaling by a power of two
}

/** Go's strconv.FormatFloat(f, 'g', -1, 64) / fmt.Sprint(float64), re-derived for the test (docs/compatibility.md: numbers). */
export function goFloat(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (x === Infinity) return "+Inf";
  if (x === -Infinity) return "-Inf";
  if (Object.is(x, -0)) return "-0";
  const e = x.toExponential();
  const [mant, expStr] = e.split("e");
  const exp = Number(expStr);
  if (exp >= -4 && exp < 6) return String(x);
  return `${mant}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
}

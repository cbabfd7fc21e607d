// `pushboard import` against the real Debian Pushgateway: one oracle is the source; the target is a second oracle
// (always available) and the built pushboard (when .next/pushboard/server.cjs exists). Ports 19400-19449.
import { existsSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { groupFromApi, groupPath, runImport } from "../../lib/cli/import";
import { parseText } from "../../lib/exposition/parse-text";
import { ROOT, startOracle, startPushboard, type RunningServer } from "../helpers/servers";

const PUSHBOARD_BUNDLE = path.join(ROOT, ".next/pushboard/server.cjs");

const b64 = (s: string) => {
  const e = Buffer.from(s, "utf8").toString("base64url");
  return e === "" ? "=" : e;
};

interface SourceGroup {
  labels: Record<string, string>;
  body: string;
}

/** Groups of every type, with awkward values, HELP escapes and grouping labels that need base64. */
function sourceGroups(): SourceGroup[] {
  const groups: SourceGroup[] = [
    {
      labels: { job: "every-type" },
      body: [
        "# HELP imp_counter A counter with \\\\ backslash and \\n newline in HELP.",
        "# TYPE imp_counter counter",
        'imp_counter{method="get",path="/a \\"quoted\\""} 1e+06',
        'imp_counter{method="post",path="ünïcödé\\nline"} 42',
        "# TYPE imp_gauge gauge",
        'imp_gauge{k="nan"} NaN',
        'imp_gauge{k="inf"} +Inf',
        'imp_gauge{k="ninf"} -Inf',
        'imp_gauge{k="tiny"} 1.5e-07',
        'imp_gauge{k="big"} 1.7955280158423963e+09',
        'imp_gauge{k="neg"} -3.25',
        "# HELP imp_untyped Untyped.",
        "imp_untyped 7",
        "# HELP imp_summary A summary.",
        "# TYPE imp_summary summary",
        'imp_summary{quantile="0.5"} 0.2',
        'imp_summary{quantile="0.9"} 0.8',
        'imp_summary{quantile="0.99"} NaN',
        "imp_summary_sum 3",
        "imp_summary_count 7",
        'imp_summary{quantile="0.5",route="/x"} 1',
        'imp_summary_sum{route="/x"} 1',
        'imp_summary_count{route="/x"} 1',
        "# HELP imp_hist A histogram.",
        "# TYPE imp_hist histogram",
        'imp_hist_bucket{le="0.005"} 0',
        'imp_hist_bucket{le="0.1"} 1',
        'imp_hist_bucket{le="1"} 3',
        'imp_hist_bucket{le="10"} 3',
        'imp_hist_bucket{le="+Inf"} 4',
        "imp_hist_sum 12.5",
        "imp_hist_count 4",
        "",
      ].join("\n"),
    },
    {
      labels: { job: "slash/and space", instance: "", zone: "eu-west-1", path: "/var/log/ü" },
      body: "# TYPE imp_gauge gauge\nimp_gauge 1\n# TYPE other_counter counter\nother_counter 5\n",
    },
    { labels: { job: "only-push-time" }, body: "" },
    { labels: { job: "=", instance: "empty-label", empty: "" }, body: "imp_untyped 3\n" },
  ];
  for (let i = 0; i < 230; i++) {
    groups.push({
      labels: { job: `batch-${i % 7}`, instance: `host-${i}` },
      body: `# HELP imp_gauge G.\n# TYPE imp_gauge gauge\nimp_gauge{shard="${i}"} ${i * 1.5}\n# TYPE imp_counter counter\nimp_counter{method="get",path="p"} ${i}\n`,
    });
  }
  return groups;
}

function pushPath(labels: Record<string, string>): string {
  let p = `/metrics/job@base64/${b64(labels.job ?? "")}`;
  for (const [k, v] of Object.entries(labels)) if (k !== "job") p += `/${k}@base64/${b64(v)}`;
  return p;
}

async function push(server: RunningServer, g: SourceGroup): Promise<void> {
  const r = await fetch(server.url + pushPath(g.labels), { method: "PUT", body: g.body, headers: { "content-type": "text/plain; version=0.0.4" } });
  if (r.status !== 200) throw new Error(`push ${JSON.stringify(g.labels)}: ${r.status} ${await r.text()}`);
}

type ApiGroup = Record<string, unknown>;

/** /api/v1/metrics as a map from sorted grouping labels to the group, minus timestamps and push_* families. */
async function apiGroups(server: RunningServer): Promise<Map<string, unknown>> {
  const r = await fetch(server.url + "/api/v1/metrics");
  const body = (await r.json()) as { status: string; data: ApiGroup[] };
  expect(body.status).toBe("success");
  const out = new Map<string, unknown>();
  for (const g of body.data) {
    const normal: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(g)) {
      if (k === "push_time_seconds" || k === "push_failure_time_seconds") continue;
      if (k === "labels" || k === "last_push_successful") {
        normal[k] = v;
        continue;
      }
      const fam = { ...(v as Record<string, unknown>) };
      delete fam.time_stamp;
      // Metrics are listed in stored order; compare them as a set.
      fam.metrics = [...(fam.metrics as unknown[])].map((m) => JSON.stringify(sortKeys(m))).sort();
      normal[k] = fam;
    }
    out.set(JSON.stringify(sortKeys(g.labels)), normal);
  }
  return out;
}

function sortKeys(x: unknown): unknown {
  if (Array.isArray(x)) return x.map(sortKeys);
  if (x && typeof x === "object")
    return Object.fromEntries(
      Object.entries(x)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([k, v]) => [k, sortKeys(v)]),
    );
  return x;
}

function capture() {
  const err: string[] = [];
  const out: string[] = [];
  return { err, out, io: { err: (l: string) => void err.push(l), out: (l: string) => void out.push(l) } };
}

let source: RunningServer;
const groups = sourceGroups();
// What the importer should report: the families and series of every pushed body.
const expectedFamilies = groups.reduce((n, g) => n + parseText(Buffer.from(g.body)).length, 0);
const expectedSeries = groups.reduce((n, g) => n + parseText(Buffer.from(g.body)).reduce((k, f) => k + f.metric.length, 0), 0);

beforeAll(async () => {
  source = await startOracle(19401);
  for (const g of groups) await push(source, g);
});
afterAll(async () => {
  await source?.stop();
});

describe("pushboard import", () => {
  it("copies every group, family, HELP, TYPE, label set and value into another Pushgateway", async () => {
    const target = await startOracle(19402);
    try {
      const c = capture();
      const code = await runImport(["--from", source.url, "--to=" + target.url, "--progress-every", "100"], c.io);
      expect(c.err.filter((l) => /failed:|partly/.test(l))).toEqual([]);
      expect(code).toBe(0);
      expect(c.out).toEqual([`imported ${groups.length} groups, ${expectedFamilies} families, ${expectedSeries} series; 0 failed`]);
      // One progress line per 100 groups, and a first line saying how many groups there are.
      expect(c.err[0]).toMatch(new RegExp(`${groups.length} groups to copy`));
      expect(c.err.filter((l) => /\d+\/\d+ groups/.test(l))).toHaveLength(Math.floor((groups.length - 1) / 100));
      const [src, dst] = await Promise.all([apiGroups(source), apiGroups(target)]);
      expect(dst.size).toBe(groups.length);
      expect(dst).toEqual(src);
    } finally {
      await target.stop();
    }
  });

  it("reports groups the target rejects, imports the rest, and exits 1", async () => {
    const target = await startOracle(19403);
    try {
      // imp_counter already exists in the target as a gauge: every pushed group that has imp_counter is rejected.
      await push(target, { labels: { job: "conflict" }, body: "# TYPE imp_counter gauge\nimp_counter 1\n" });
      const c = capture();
      const code = await runImport(["--from", source.url, "--to", target.url, "--concurrency", "2"], c.io);
      expect(code).toBe(1);
      const rejected = groups.filter((g) => g.body.includes("imp_counter")).length;
      expect(c.out[0]).toMatch(new RegExp(`^imported ${groups.length - rejected} groups, \\d+ families, \\d+ series; ${rejected} failed$`));
      expect(c.err.some((l) => l.includes("answered 400"))).toBe(true);
    } finally {
      await target.stop();
    }
  });

  it("answers usage errors and an unreadable source with exit code 2", async () => {
    for (const argv of [
      [],
      ["--to", "http://127.0.0.1:1"],
      ["--from", "not a url"],
      ["--from", "http://x", "--bogus", "1"],
      ["--from", "http://x", "--concurrency", "0"],
      ["--help"],
    ]) {
      const c = capture();
      expect(await runImport(argv, c.io), JSON.stringify(argv)).toBe(2);
      expect(c.err.join("\n")).toMatch(/Usage: pushboard import/);
    }
    const c = capture();
    expect(await runImport(["--from", "http://127.0.0.1:19449", "--timeout", "5"], c.io)).toBe(2);
    expect(c.err.join("\n")).toMatch(/cannot read http:\/\/127\.0\.0\.1:19449\/api\/v1\/metrics/);
  });

  it.skipIf(!existsSync(PUSHBOARD_BUNDLE))("copies every group into pushboard", async () => {
    const target = await startPushboard(19404, { env: { PUSHBOARD_SKIP_BUILD_CHECK: "1" } });
    try {
      const c = capture();
      const code = await runImport(["--from", source.url, "--to", target.url], c.io);
      expect(c.err.filter((l) => /failed:|partly/.test(l))).toEqual([]);
      expect(code).toBe(0);
      const [src, dst] = await Promise.all([apiGroups(source), apiGroups(target)]);
      expect(dst).toEqual(src);
    } finally {
      await target.stop();
    }
  });
});

describe("API group decoding", () => {
  it("rebuilds families, skips push_* families and honours the labels/last_push_successful quirks", () => {
    const g = groupFromApi({
      labels: { job: "j", instance: "" },
      last_push_successful: { type: "GAUGE", metrics: [{ labels: { job: "j", instance: "" }, value: "-0" }] },
      push_time_seconds: { type: "GAUGE", metrics: [{ labels: { job: "j" }, value: "1.7e+09" }] },
      h: { type: "HISTOGRAM", help: "x", metrics: [{ labels: { job: "j" }, buckets: { "+Inf": "4", "10": "3", "0.5": "1" }, count: "4", sum: "NaN" }] },
    });
    expect(g.labels).toEqual([
      { name: "instance", value: "" },
      { name: "job", value: "j" },
    ]);
    expect(g.families.map((f) => f.name)).toEqual(["last_push_successful", "h"]);
    expect(g.families[1]!.metric[0]!.histogram!.bucket.map((b) => b.upperBound)).toEqual([0.5, 10, Infinity]);
    expect(g.families[1]!.metric[0]!.histogram!.sampleSum).toBeNaN();
    expect(g.problems).toEqual([]);
    expect(() => groupFromApi({ labels: { type: "GAUGE", metrics: [] } })).toThrow(/family named "labels"/);
    const native = groupFromApi({
      labels: { job: "n" },
      nh: { type: "HISTOGRAM", metrics: [{ labels: {}, buckets: [[0, "1", "2", "3"]], count: "3", sum: "1" }] },
    });
    expect(native.families).toEqual([]);
    expect(native.problems[0]).toMatch(/native histogram/);
  });

  it("builds base64 grouping paths that survive empty and odd values", () => {
    expect(
      groupPath([
        { name: "instance", value: "" },
        { name: "job", value: "a/b" },
      ]),
    ).toBe("/metrics/job@base64/YS9i/instance@base64/=");
  });
});

// The lifecycle of pushed groups through the built server: per-group health on /metrics, lifecycle rules (start,
// SIGHUP reload, expiry), the selector API with its dry run, the lifecycle preview and the audit trail, which
// survives kill -9. Ports 19900–19919.
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { ROOT, startPushboard, type RunningServer } from "../helpers/servers";
import { pushboardBuilt, until } from "../clients/common";

const enabled = pushboardBuilt();
const running: RunningServer[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop("SIGKILL")));
});
afterAll(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop("SIGKILL")));
});

async function start(port: number, args: string[], opts: { memory?: boolean; dataDir?: string } = {}): Promise<RunningServer> {
  const s = await startPushboard(port, { args, ...opts });
  running.push(s);
  return s;
}

async function push(base: string, p: string, body: string, method = "PUT"): Promise<number> {
  return (await fetch(base + p, { method, body })).status;
}

const metrics = async (base: string): Promise<string> => (await fetch(`${base}/metrics`)).text();
const lines = (text: string, prefix: string): string[] => text.split("\n").filter((l) => l.startsWith(prefix));

function rulesFile(text: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), "pushboard-rules-"));
  const file = path.join(dir, "rules.yml");
  writeFileSync(file, text);
  return file;
}

const q = (selector: string): string => `match[]=${encodeURIComponent(selector)}`;

describe.skipIf(!enabled)("per-group health on /metrics", () => {
  it("pushboard_group_up carries push_time_seconds' labels, turns 0 when overdue, and cannot be pushed", async () => {
    const s = await start(19900, ["--dashboard.stale-after=2s"]);
    expect(await push(s.url, "/metrics/job/batch", "done 1\n")).toBe(200);
    expect(await push(s.url, "/metrics/job/cron/instance/a/env/prod", "pushboard_group_up 7\npushboard_group_expected_interval_seconds 9\nx 1\n")).toBe(200);
    const text = await metrics(s.url);
    expect(lines(text, "pushboard_group_up{")).toEqual([
      'pushboard_group_up{instance="",job="batch"} 1',
      'pushboard_group_up{env="prod",instance="a",job="cron"} 1',
    ]);
    expect(text).toContain("# TYPE pushboard_group_up gauge\n");
    // No cadence learnt from one push: the interval is absent.
    expect(lines(text, "pushboard_group_expected_interval_seconds{")).toEqual([]);
    // The push_time_seconds labels are exactly the same (they join in PromQL).
    for (const l of lines(text, "pushboard_group_up{")) expect(text).toContain(l.replace("pushboard_group_up", "push_time_seconds").replace(/ 1$/, " "));
    // Overdue after --dashboard.stale-after without a cadence (polled, not slept).
    const overdue = await until(async () => lines(await metrics(s.url), "pushboard_group_up{").every((l) => l.endsWith(" 0")), 15_000, 200);
    expect(overdue).toBe(true);
    expect(await push(s.url, "/metrics/job/batch", "done 2\n")).toBe(200);
    expect(lines(await metrics(s.url), 'pushboard_group_up{instance="",job="batch"}')).toEqual(['pushboard_group_up{instance="",job="batch"} 1']);
  });

  it("--metrics.group-health=false leaves them out", async () => {
    const s = await start(19901, ["--metrics.group-health=false"]);
    expect(await push(s.url, "/metrics/job/batch", "done 1\n")).toBe(200);
    const text = await metrics(s.url);
    expect(text).not.toContain("pushboard_group_");
    expect(text).toContain('push_time_seconds{instance="",job="batch"}');
  });

  it("a declared cadence drives the interval and overdue", async () => {
    const file = rulesFile("rules:\n  - match: '{job=\"nightly\"}'\n    expect_every: 2s\n  - match: '{job=~\".+\"}'\n    expect_every: 1d\n");
    const s = await start(19902, [`--lifecycle.config.file=${file}`]);
    expect(await push(s.url, "/metrics/job/nightly", "ok 1\n")).toBe(200);
    expect(await push(s.url, "/metrics/job/weekly", "ok 1\n")).toBe(200);
    const text = await metrics(s.url);
    expect(lines(text, "pushboard_group_expected_interval_seconds{")).toEqual([
      'pushboard_group_expected_interval_seconds{instance="",job="nightly"} 2',
      'pushboard_group_expected_interval_seconds{instance="",job="weekly"} 86400',
    ]);
    expect(await until(async () => (await metrics(s.url)).includes('pushboard_group_up{instance="",job="nightly"} 0'), 15_000, 200)).toBe(true);
    expect(await metrics(s.url)).toContain('pushboard_group_up{instance="",job="weekly"} 1');
  });
});

describe.skipIf(!enabled)("lifecycle rules file", () => {
  it("a bad file refuses the start, naming the file and line", () => {
    const file = rulesFile("rules:\n  - match: '{job=\"a\"}'\n    expire_after: soon\n");
    const r = spawnSync(
      process.execPath,
      [path.join(ROOT, "lib/cli/pushboard.mjs"), "--web.listen-address=127.0.0.1:19903", "--storage.backend=memory", `--lifecycle.config.file=${file}`],
      {
        encoding: "utf8",
        timeout: 30_000,
      },
    );
    expect(r.status).not.toBe(0);
    expect(r.stdout + r.stderr).toContain(`${file}:3: rule 0: expire_after: not a valid duration`);
  });

  it("SIGHUP reloads the rules; a bad file on reload keeps the rules in force", async () => {
    const file = rulesFile("rules:\n  - match: '{job=\"a\"}'\n    expect_every: 1h\n");
    const s = await start(19904, [`--lifecycle.config.file=${file}`]);
    const rules = async () =>
      ((await (await fetch(`${s.url}/api/v1/lifecycle`)).json()) as { data: { rules: { match: string; expect_every: string | null }[] } }).data.rules;
    expect(await rules()).toEqual([expect.objectContaining({ match: '{job="a"}', expect_every: "1h" })]);
    writeFileSync(file, "rules:\n  - match: '{job=\"b\"}'\n    expect_every: 2h\n");
    s.proc.kill("SIGHUP");
    expect(await until(async () => (await rules())[0]?.match === '{job="b"}', 10_000)).toBe(true);
    writeFileSync(file, "rules:\n  - match: '{job=\"b\"'\n");
    s.proc.kill("SIGHUP");
    expect(await until(async () => s.output().includes("invalid lifecycle rules; keeping the rules in force"), 10_000)).toBe(true);
    expect(await rules()).toEqual([expect.objectContaining({ match: '{job="b"}', expect_every: "2h" })]);
  });
});

describe.skipIf(!enabled)("expiry", () => {
  it("previews, then expires matching groups only, counts and audits each expiry", async () => {
    const file = rulesFile('rules:\n  - match: \'{job=~"ci-.*", env!="prod"}\'\n    expire_after: 2s\n');
    const s = await start(19905, [`--lifecycle.config.file=${file}`]);
    expect(await push(s.url, "/metrics/job/ci-1/instance/x", "a 1\n")).toBe(200);
    expect(await push(s.url, "/metrics/job/ci-2/env/prod", "a 1\n")).toBe(200);
    expect(await push(s.url, "/metrics/job/deploy", "a 1\n")).toBe(200);
    const preview = (await (await fetch(`${s.url}/api/v1/lifecycle`)).json()) as {
      data: { upcoming_expiries: { labels: Record<string, string>; rule: number; due_at: string }[] };
    };
    expect(preview.data.upcoming_expiries.map((e) => [e.labels, e.rule])).toEqual([[{ instance: "x", job: "ci-1" }, 0]]);
    expect(Date.parse(preview.data.upcoming_expiries[0]!.due_at)).toBeGreaterThan(Date.now() - 2000);
    const gone = await until(async () => !(await metrics(s.url)).includes('job="ci-1"'), 15_000, 100);
    expect(gone).toBe(true);
    const text = await metrics(s.url);
    expect(text).toContain('a{env="prod",instance="",job="ci-2"} 1');
    expect(text).toContain('a{instance="",job="deploy"} 1');
    expect(text).toContain('pushboard_groups_expired_total{rule="0"} 1');
    const audit = (await (await fetch(`${s.url}/api/v1/audit`)).json()) as {
      data: { action: string; source: string; rule: number; labels: Record<string, string>; series: number }[];
    };
    expect(audit.data).toEqual([expect.objectContaining({ action: "expire", source: "rule", rule: 0, labels: { instance: "x", job: "ci-1" }, series: 1 })]);
    expect(s.output()).toContain('msg="expired group" rule=0');
  });

  it("an expiry is durable and audited through kill -9", async () => {
    const file = rulesFile("rules:\n  - match: '{job=\"tmp\"}'\n    expire_after: 1s\n");
    const dataDir = mkdtempSync(path.join(tmpdir(), "pushboard-expiry-"));
    const s = await start(19915, [`--lifecycle.config.file=${file}`], { memory: false, dataDir });
    expect(await push(s.url, "/metrics/job/tmp", "a 1\n")).toBe(200);
    expect(await push(s.url, "/metrics/job/keep", "a 1\n")).toBe(200);
    expect(await until(async () => !(await metrics(s.url)).includes('job="tmp"'), 15_000, 50)).toBe(true);
    await s.stop("SIGKILL");
    const again = await start(19915, [], { memory: false, dataDir });
    const text = await metrics(again.url);
    expect(text).not.toContain('job="tmp"');
    expect(text).toContain('a{instance="",job="keep"} 1');
    const audit = (await (await fetch(`${again.url}/api/v1/audit`)).json()) as { data: { action: string; rule: number; labels: Record<string, string> }[] };
    expect(audit.data).toEqual([expect.objectContaining({ action: "expire", rule: 0, labels: { job: "tmp" } })]);
  });

  it("a group that keeps pushing never expires; nothing expires without a rule", async () => {
    const file = rulesFile("rules:\n  - match: '{job=\"live\"}'\n    expire_after: 2s\n");
    const s = await start(19906, [`--lifecycle.config.file=${file}`]);
    expect(await push(s.url, "/metrics/job/other", "a 1\n")).toBe(200);
    for (let i = 0; i < 12; i++) {
      expect(await push(s.url, "/metrics/job/live", `a ${i}\n`)).toBe(200);
      await new Promise((r) => setTimeout(r, 400));
      expect(await metrics(s.url)).toContain('a{instance="",job="live"}');
    }
    expect(await metrics(s.url)).toContain('a{instance="",job="other"} 1');
    expect(((await (await fetch(`${s.url}/api/v1/audit`)).json()) as { data: unknown[] }).data).toEqual([]);
  });
});

describe.skipIf(!enabled)("delete by selector and age", () => {
  it("lists by selector, status and age; deletes only with the admin API, after a dry run that deletes nothing", async () => {
    const s = await start(19907, ["--web.enable-admin-api"]);
    for (const p of ["/metrics/job/backup/db/billing-1", "/metrics/job/backup/db/billing-2", "/metrics/job/backup/db/users", "/metrics/job/etl"])
      expect(await push(s.url, p, "a 1\n")).toBe(200);
    const list = async (query: string) =>
      (await fetch(`${s.url}/api/v1/groups?${query}`)).json() as Promise<{ status: string; data: { labels: Record<string, string>; status: string }[] }>;
    expect((await list(q('{job="backup", db=~"billing-.*"}'))).data.map((g) => g.labels.db)).toEqual(["billing-1", "billing-2"]);
    expect((await list(`${q('{db="users"}')}&${q('{job="etl"}')}`)).data.map((g) => g.labels.job)).toEqual(["backup", "etl"]);
    expect((await list(`${q('{job=~".+"}')}&stale=true`)).data).toEqual([]);
    expect((await list(`${q('{job=~".+"}')}&not_pushed_for=1h`)).data).toEqual([]);
    expect((await list(`${q('{job=~".+"}')}&not_pushed_for=0s`)).data).toHaveLength(4);
    const bad = await fetch(`${s.url}/api/v1/groups?${q('{job=~"("}')}`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/invalid match\[\].*invalid regular expression/);
    expect((await fetch(`${s.url}/api/v1/groups?not_pushed_for=5 minutes`)).status).toBe(400);

    expect((await fetch(`${s.url}/api/v1/groups`, { method: "DELETE" })).status).toBe(400);
    const dry = (await (await fetch(`${s.url}/api/v1/groups?${q('{db=~"billing-.*"}')}&dry_run=true`, { method: "DELETE" })).json()) as {
      data: { dry_run: boolean; would_delete: number; deleted: number };
    };
    expect(dry.data).toMatchObject({ dry_run: true, would_delete: 2, deleted: 0 });
    expect((await list(q('{job="backup"}'))).data).toHaveLength(3);
    const del = (await (
      await fetch(`${s.url}/api/v1/groups?${q('{db=~"billing-.*"}')}`, { method: "DELETE", headers: { "user-agent": "cleanup-job/1" } })
    ).json()) as { data: { deleted: number; groups: Record<string, string>[] } };
    expect(del.data.deleted).toBe(2);
    expect((await list(q('{job=~".+"}'))).data.map((g) => g.labels.db ?? g.labels.job)).toEqual(["users", "etl"]);
    const audit = (await (await fetch(`${s.url}/api/v1/audit?limit=10`)).json()) as {
      data: { source: string; client: string; user_agent: string; labels: Record<string, string> }[];
    };
    expect(audit.data.map((e) => [e.source, e.labels.db, e.client, e.user_agent])).toEqual([
      ["selector", "billing-2", "127.0.0.1", "cleanup-job/1"],
      ["selector", "billing-1", "127.0.0.1", "cleanup-job/1"],
    ]);
    expect((await fetch(`${s.url}/api/v1/audit?limit=zero`)).status).toBe(400);
  });

  it("without --web.enable-admin-api a selector delete is refused with 403", async () => {
    const s = await start(19908, []);
    expect(await push(s.url, "/metrics/job/a", "a 1\n")).toBe(200);
    const r = await fetch(`${s.url}/api/v1/groups?${q('{job="a"}')}`, { method: "DELETE" });
    expect(r.status).toBe(403);
    expect(((await r.json()) as { error: string }).error).toContain("--web.enable-admin-api");
    expect(await metrics(s.url)).toContain('a{instance="",job="a"} 1');
  });
});

describe.skipIf(!enabled)("audit trail", () => {
  it("records Pushgateway-API deletes and wipes, and keeps them through kill -9", async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), "pushboard-audit-"));
    const s = await start(19909, ["--web.enable-admin-api"], { memory: false, dataDir });
    expect(await push(s.url, "/metrics/job/a/instance/i", "a 1\na2 2\n")).toBe(200);
    expect(await push(s.url, "/metrics/job/b", "b 1\n")).toBe(200);
    expect((await fetch(`${s.url}/metrics/job/a/instance/i`, { method: "DELETE", headers: { "user-agent": "py/3" } })).status).toBe(202);
    expect((await fetch(`${s.url}/api/v1/admin/wipe`, { method: "PUT" })).status).toBe(202);
    await s.stop("SIGKILL");
    const again = await start(19909, [], { memory: false, dataDir });
    const audit = (await (await fetch(`${again.url}/api/v1/audit`)).json()) as {
      data: { action: string; source: string; groups: number; series: number; labels: Record<string, string>; user_agent: string | null }[];
    };
    expect(audit.data.map((e) => [e.action, e.source, e.groups, e.series, e.labels])).toEqual([
      ["wipe", "api", 1, 1, {}],
      ["delete", "api", 1, 2, { instance: "i", job: "a" }],
    ]);
    expect(audit.data[1]!.user_agent).toBe("py/3");
  });
});

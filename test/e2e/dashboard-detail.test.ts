// The group detail and status pages in Chromium (issue 15, problems 4, 9 and 10): staleness explained on the row
// and the page, a tab title naming the group, rejected pushes on the timeline, "never failed" for a zero
// push_failure_time_seconds, a readable delete command that really deletes, Prometheus links with
// --dashboard.prometheus-url and an alert rule promtool accepts, and a status page with push figures and the
// storage backend in plain words (never a password). Ports 20110–20114.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { type Browser, type BrowserContext, type Page } from "playwright-core";
import { launchChromium, pushText } from "../helpers/browser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PG_PASSWORD, postgresAvailable, startPostgres, type PostgresServer } from "../helpers/postgres";
import { startPushboard, type RunningServer } from "../helpers/servers";
import { requireProgram } from "../system-deps.mjs";

const PROMTOOL = requireProgram("promtool");
const PROMETHEUS_URL = "http://prometheus.example:9090";

let sqliteServer: RunningServer; // SQLite, --dashboard.prometheus-url, a 1 KiB body limit
let memoryServer: RunningServer; // in memory, --dashboard.stale-after=1s, no Prometheus URL
let browser: Browser;
let ctx: BrowserContext;
let page: Page;
const pageErrors: string[] = [];
const dir = mkdtempSync(path.join(tmpdir(), "pushboard-detail-"));

const push = pushText;

/** base64url of the grouping key: the detail page's id (lib/dashboard/group-id.ts). */
function groupId(labels: Record<string, string>): string {
  const key = Object.keys(labels)
    .sort()
    .map((k) => `${k}\xff${labels[k]}\xff`)
    .join("");
  return Buffer.from(key, "utf8").toString("base64url");
}

beforeAll(async () => {
  sqliteServer = await startPushboard(20110, {
    memory: false,
    args: ["--dashboard.stale-after=1h", `--dashboard.prometheus-url=${PROMETHEUS_URL}/`, "--push.max-body-size=1KiB"],
  });
  memoryServer = await startPushboard(20111, { args: ["--dashboard.stale-after=1s"] });
  const s = sqliteServer.url;
  // Five pushes: a learnt cadence. Two pushes: too few.
  for (let i = 0; i < 5; i++) expect(await push(s, "/metrics/job/backup_postgres/database/billing", `backup_ok 1\n`)).toBe(200);
  for (let i = 0; i < 2; i++) expect(await push(s, "/metrics/job/etl/step/load", "rows 5\n")).toBe(200);
  // A type clash with another group: rejected (400) and recorded as push_failure_time_seconds.
  expect(await push(s, "/metrics/job/api/instance/web-1", "clash_total 1\n")).toBe(200);
  expect(await push(s, "/metrics/job/api/instance/web-2", "other 1\n")).toBe(200);
  expect(await push(s, "/metrics/job/api/instance/web-2", "# TYPE clash_total counter\nclash_total 1\n", "POST")).toBe(400);
  // Refused by the body-size limit (pushboard_rejected_pushes_total{reason="body_size"}).
  expect(await push(s, "/metrics/job/api/instance/web-3", `big ${"1".repeat(2000)}\n`)).toBe(413);
  // Values that need @base64 in the delete command.
  expect(await push(s, "/metrics/job/files/path@base64/L3Zhci9saWI=", "size_bytes 1\n")).toBe(200);
  expect(await (await fetch(s + "/metrics")).text()).toContain("backup_ok");
  expect(await push(memoryServer.url, "/metrics/job/once", "x 1\n")).toBe(200);

  browser = await launchChromium();
  ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  ctx.setDefaultTimeout(15_000);
  page = await ctx.newPage();
  page.on("pageerror", (e) => pageErrors.push(String(e)));
  page.on("console", (m) => {
    if (m.type() === "error") pageErrors.push(m.text());
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await sqliteServer?.stop();
  await memoryServer?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("group detail page", () => {
  const id = groupId({ job: "backup_postgres", database: "billing" });

  it("is rendered on the server with its data, and titled after the group", async () => {
    const html = await (await fetch(`${sqliteServer.url}/groups/${id}`)).text();
    expect(html).toContain("<title>backup_postgres · database=billing · pushboard</title>");
    expect(html).toContain("backup_ok"); // the first data is in the HTML, not fetched after load
    await page.goto(`${sqliteServer.url}/groups/${id}`);
    await expect.poll(() => page.title()).toBe("backup_postgres · database=billing · pushboard");
  });

  it("explains the learnt cadence and when the group turns stale", async () => {
    const why = page.getByTestId("staleness-why");
    await expect
      .poll(() => why.textContent())
      .toMatch(/^Fresh: last push \S+ (ms|s) ago; expected every \S+ (ms|s) \(learnt from 5 pushes\); stale after 1m, in /);
  });

  it("says 'never failed' for a zero push_failure_time_seconds", async () => {
    await expect.poll(() => page.getByTestId("failure-time").textContent()).toBe("never failed");
  });

  it("links to a Prometheus graph of the push age, correctly escaped", async () => {
    const href = await page.getByTestId("prometheus-graph").getAttribute("href");
    expect(href).toMatch(new RegExp(`^${PROMETHEUS_URL.replace(/\./g, "\\.")}/graph\\?g0\\.expr=`));
    expect(new URL(href!).searchParams.get("g0.expr")).toBe('time() - push_time_seconds{job="backup_postgres",database="billing",instance=""}');
  });

  it.skipIf(!PROMTOOL)("offers an alert rule that promtool accepts", async () => {
    const yaml = await page.getByTestId("alert-rule").textContent();
    const file = path.join(dir, "rule.yml");
    writeFileSync(file, yaml!);
    expect(execFileSync(PROMTOOL!, ["check", "rules", file], { encoding: "utf8" })).toMatch(/SUCCESS: 1 rules found/);
  });

  it("shows a readable delete command that deletes the group", async () => {
    const curl = await page.getByTestId("curl").textContent();
    expect(curl).toBe(`curl -X DELETE '${sqliteServer.url}/metrics/job/backup_postgres/database/billing'`);
    const url = /'(.*)'/.exec(curl!)![1]!;
    expect((await fetch(url, { method: "DELETE" })).status).toBe(202);
    expect((await fetch(`${sqliteServer.url}/api/ui/groups/${id}`)).status).toBe(404);
  });

  it("uses @base64 only for a value the plain path cannot carry", async () => {
    await page.goto(`${sqliteServer.url}/groups/${groupId({ job: "files", path: "/var/lib" })}`);
    await expect.poll(() => page.getByTestId("curl").textContent()).toBe(`curl -X DELETE '${sqliteServer.url}/metrics/job/files/path@base64/L3Zhci9saWI='`);
  });

  it("puts a rejected push on the timeline, with its status and error", async () => {
    await page.goto(`${sqliteServer.url}/groups/${groupId({ job: "api", instance: "web-2" })}`);
    const failure = page.getByTestId("timeline-failure").first();
    await expect.poll(() => failure.textContent()).toMatch(/rejected \(HTTP 400\).*clash_total/s);
    expect(await page.getByTestId("timeline-push").count()).toBe(1);
    await expect.poll(() => page.getByTestId("failure-time").textContent()).toMatch(/^last failed /);
  });

  it("says a group has too few pushes for a cadence, on the page and on its row", async () => {
    await page.goto(`${sqliteServer.url}/groups/${groupId({ job: "etl", step: "load" })}`);
    await expect
      .poll(() => page.getByTestId("staleness-why").textContent())
      .toContain("no cadence yet (2 pushes seen, 4 needed to learn one); stale after 1h (the default, --dashboard.stale-after)");
    await page.goto(`${sqliteServer.url}/?q=job%3Detl`);
    const badge = page.locator("[data-testid=group-row]").first().locator("[title*='stale after 1h (the default']");
    await expect.poll(() => badge.count()).toBe(1);
  });

  it("explains why a group is stale, and has no Prometheus link without the flag", async () => {
    await page.goto(`${memoryServer.url}/groups/${groupId({ job: "once" })}`);
    await expect
      .poll(() => page.getByTestId("staleness-why").textContent(), { timeout: 15_000 })
      .toMatch(/^Stale: no push for \S+ s; no cadence yet \(1 push seen, 4 needed to learn one\); stale after 1 s/);
    expect(await page.getByTestId("prometheus-unset").count()).toBe(1);
    expect(await page.getByTestId("prometheus-graph").count()).toBe(0);
  });

  it("answers 404 for a group that does not exist", async () => {
    const r = await fetch(`${sqliteServer.url}/groups/${groupId({ job: "nope" })}`);
    expect(r.status).toBe(404);
    expect(await r.text()).toContain("There is no dashboard page or group at this address");
  });
});

describe("status page", () => {
  it("shows push figures, store size and the SQLite backend in plain words", async () => {
    await page.goto(`${sqliteServer.url}/status`);
    const backend = page.getByTestId("backend");
    await expect.poll(() => backend.textContent()).toMatch(/^SQLite file \/.*\/pushboard\.db: durable/);
    const runtime = await page.getByTestId("runtime").innerText();
    expect(runtime).toMatch(/Database size\s+\d+(\.\d+)? (KiB|MiB)/);
    expect(runtime).toMatch(/Groups\s+4 \(/);
    const traffic = await page.getByTestId("traffic").innerText();
    expect(traffic).toMatch(/Push rate\s+\d+ accepted in the last minute/);
    expect(Number(/(\d+) accepted in the last minute/.exec(traffic)![1])).toBeGreaterThanOrEqual(5); // the groups still there: etl 2, web-1, web-2, files
    expect(traffic).toMatch(/Rejected pushes by status\s+HTTP 400: 1, HTTP 413: 1/);
    expect(traffic).toMatch(/Refused by a limit \(pushboard_rejected_pushes_total\)\s+body_size: 1/);
    expect(traffic).not.toContain("not scraped since start");
    const flags = await page.getByTestId("flags").innerText();
    expect(flags).toMatch(/persistence\.file\s+""\s+not used: pushboard stores in the SQLite file \//);
    expect(pageErrors).toEqual([]);
  });

  it("says plainly that the in-memory store is lost on restart", async () => {
    await page.goto(`${memoryServer.url}/status`);
    await expect.poll(() => page.getByTestId("backend").textContent()).toBe("in memory only: every group is lost on restart");
    expect(await page.getByTestId("traffic").innerText()).toContain("not scraped since start");
  });
});

describe.skipIf(!postgresAvailable())("status page with PostgreSQL", () => {
  let pgServer: PostgresServer;
  let pb: RunningServer;
  beforeAll(async () => {
    pgServer = startPostgres(20113);
    await pgServer.createDatabase("statusdb");
    pb = await startPushboard(20112, { memory: false, args: ["--storage.backend=postgres", `--storage.postgres.url=${pgServer.url("statusdb")}`] });
    expect(await push(pb.url, "/metrics/job/pg", "x 1\n")).toBe(200);
  }, 120_000);
  afterAll(async () => {
    await pb?.stop();
    pgServer?.destroy();
  });

  it("names the server and database, shows the database size, and never the password", async () => {
    await page.goto(`${pb.url}/status`);
    await expect
      .poll(() => page.getByTestId("backend").textContent())
      .toMatch(/^PostgreSQL 127\.0\.0\.1:20113\/statusdb as \w+: durable, shared by every replica \(password never shown\)$/);
    expect(await page.getByTestId("runtime").innerText()).toMatch(/Database size\s+\d+(\.\d+)? MiB/);
    expect(await page.content()).not.toContain(PG_PASSWORD);
    const api = await (await fetch(`${pb.url}/api/ui/status`)).text();
    expect(api).not.toContain(PG_PASSWORD);
    const html = await (await fetch(`${pb.url}/status`)).text();
    expect(html).toContain("statusdb");
    expect(html).not.toContain(PG_PASSWORD);
  });
});

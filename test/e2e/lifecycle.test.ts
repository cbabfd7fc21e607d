// The lifecycle in the dashboard, in Chromium: the Expiries preview, "expires in" on rows, a selector filter and
// "Delete matching" with its preview (every page, nothing else), the Activity page recording who deleted what,
// and a rejected push visible on its group. Port 19912.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { type Browser, type Page } from "playwright-core";
import { launchChromium } from "../helpers/browser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT, startPushboard, type RunningServer } from "../helpers/servers";

const PORT = 19912;
const ARTIFACTS = path.join(ROOT, "test/artifacts");

let server: RunningServer;
let browser: Browser;
let page: Page;

const push = async (p: string, body: string): Promise<number> => (await fetch(server.url + p, { method: "PUT", body })).status;
const rows = () => page.locator("[data-testid=group-row]");

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  const dir = mkdtempSync(path.join(tmpdir(), "pushboard-e2e-lifecycle-"));
  const rules = path.join(dir, "rules.yml");
  writeFileSync(rules, "rules:\n  - match: '{job=~\"ci-.*\"}'\n    expire_after: 6h\n  - match: '{job=\"backup\"}'\n    expect_every: 1d\n");
  server = await startPushboard(PORT, { args: [`--lifecycle.config.file=${rules}`, "--web.enable-admin-api"] });
  for (let i = 0; i < 60; i++) expect(await push(`/metrics/job/backup/db/billing-${i}`, `backup_ok ${i}\n`)).toBe(200);
  for (let i = 0; i < 5; i++) expect(await push(`/metrics/job/backup/db/users-${i}`, "backup_ok 1\n")).toBe(200);
  expect(await push("/metrics/job/ci-build/instance/runner-1", "ci_ok 1\n")).toBe(200);
  // A rejected push (type clash with the gauge above) to another group of the same job.
  expect(await push("/metrics/job/backup/db/broken", "backup_ok 1\n")).toBe(200);
  expect(await push("/metrics/job/backup/db/broken", "# TYPE backup_ok counter\nbackup_ok 2\n")).toBe(400);
  browser = await launchChromium();
  page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  page.setDefaultTimeout(10_000);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe("lifecycle in the dashboard (Chromium)", () => {
  it("previews upcoming expiries and says so on the row", async () => {
    await page.goto(`${server.url}/expiries`);
    await expect.poll(() => page.getByTestId("rules").textContent()).toContain('{job=~"ci-.*"}');
    const expiry = page.getByTestId("expiry-row");
    await expect.poll(() => expiry.count()).toBe(1);
    expect(await expiry.textContent()).toMatch(/job=ci-build.*in (5\.9|6(\.0)?) h.*#0/s);
    await page.screenshot({ path: path.join(ARTIFACTS, "expiries.png"), fullPage: true });
    await page.goto(`${server.url}/?q=${encodeURIComponent("job=ci-build")}`);
    await expect.poll(() => rows().count()).toBe(1);
    expect(await rows().first().getByTestId("expires").textContent()).toMatch(/^expires in (5\.9|6(\.0)?) h$/);
    // The declared cadence shows where it came from.
    await page.goto(`${server.url}/?q=${encodeURIComponent("db=users-0")}`);
    await expect.poll(() => rows().count()).toBe(1);
    expect(await rows().first().textContent()).toContain("every 24 h (rule)");
  }, 60_000);

  it("shows a rejected push on its group", async () => {
    await page.goto(`${server.url}/?q=${encodeURIComponent("db=broken")}`);
    await expect.poll(() => rows().count()).toBe(1);
    await expect.poll(() => rows().first().textContent()).toContain("failed");
    await rows().first().getByRole("link").click();
    await expect.poll(() => page.locator("main").textContent()).toContain("backup_ok");
    expect(await page.locator("main").textContent()).toMatch(/inconsistent|type/i);
  }, 30_000);

  it("deletes exactly the groups a selector filter matches, across pages, after a preview", async () => {
    const filter = '{job="backup", db=~"billing-.*"}';
    await page.goto(`${server.url}/?q=${encodeURIComponent(filter)}`);
    await expect.poll(() => rows().count()).toBe(50); // one page of 60
    const button = page.getByRole("button", { name: "Delete matching (60)" });
    await button.click();
    const dialog = page.getByRole("dialog");
    expect(await dialog.getByTestId("matching-filter").textContent()).toBe(filter);
    expect(await dialog.getByTestId("matching-list").locator("li").count()).toBe(50);
    expect(await dialog.textContent()).toContain("and 10 more");
    await page.screenshot({ path: path.join(ARTIFACTS, "delete-matching.png") });
    await dialog.getByRole("button", { name: "Delete 60 matching" }).click();
    await expect.poll(() => page.getByTestId("notice").textContent()).toContain("Deleted 60 groups");
    const left = (await (await fetch(`${server.url}/api/v1/groups?match[]=${encodeURIComponent('{job=~".+"}')}`)).json()) as {
      data: { labels: Record<string, string> }[];
    };
    expect(left.data.map((g) => g.labels.db ?? g.labels.job).sort()).toEqual(["broken", "ci-build", "users-0", "users-1", "users-2", "users-3", "users-4"]);
  }, 60_000);

  it("records every delete on the Activity page, with where it came from", async () => {
    expect((await fetch(`${server.url}/metrics/job/backup/db/users-4`, { method: "DELETE", headers: { "user-agent": "nightly-cleanup/2" } })).status).toBe(202);
    await page.goto(`${server.url}/activity`);
    const entries = page.getByTestId("activity-row");
    await expect.poll(() => entries.count()).toBe(61);
    const newest = await entries.first().textContent();
    expect(newest).toContain("Deleted");
    expect(newest).toContain("via Pushgateway API");
    expect(newest).toContain("db=users-4");
    expect(newest).toContain("nightly-cleanup/2");
    const dashboardDelete = await entries.nth(1).textContent();
    expect(dashboardDelete).toContain("via dashboard");
    expect(dashboardDelete).toMatch(/db=billing-\d+/);
    expect(dashboardDelete).toContain("127.0.0.1");
    await page.screenshot({ path: path.join(ARTIFACTS, "activity.png"), fullPage: false });
  }, 60_000);
});

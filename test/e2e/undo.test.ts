// Undo and family deletes in Chromium (issues 15 and 18): delete one family on the detail page in two clicks and
// undo it; delete a group from a filtered list and undo it; delete from the detail page, land back on the
// filtered list with the notice and undo; restore from the Activity page. Port 20020.
import { mkdirSync } from "node:fs";
import path from "node:path";
import { type Browser, type Page } from "playwright-core";
import { launchChromium } from "../helpers/browser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT, startPushboard, type RunningServer } from "../helpers/servers";

const PORT = 20020;
const ARTIFACTS = path.join(ROOT, "test/artifacts");

let server: RunningServer;
let browser: Browser;
let page: Page;

const send = async (p: string, body: string, method = "PUT"): Promise<number> => (await fetch(server.url + p, { method, body })).status;
const scrape = async (): Promise<string> => (await fetch(`${server.url}/metrics`)).text();
const rows = () => page.locator("[data-testid=group-row]");
const FILTER = "job=backup";

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  server = await startPushboard(PORT, { memory: false });
  for (let i = 0; i < 4; i++)
    expect(await send(`/metrics/job/backup/db/billing-${i}`, `# HELP backup_ok Last backup succeeded.\n# TYPE backup_ok gauge\nbackup_ok ${i}\n`)).toBe(200);
  expect(await send("/metrics/job/other", "other_ok 1\n")).toBe(200);
  expect(await send("/metrics/job/etl", "# HELP old_metric Renamed since.\n# TYPE old_metric counter\nold_metric 42\ncurrent 1\n", "POST")).toBe(200);
  expect(await send("/metrics/job/etl", "current 2\n", "POST")).toBe(200);
  browser = await launchChromium();
  page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  page.setDefaultTimeout(10_000);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

const notice = () => page.getByTestId("undo-notice");

describe("undo in the dashboard (Chromium)", () => {
  it("deletes one family in two clicks, leaves the rest, and undoes it", async () => {
    const before = (await scrape()).split("\n").filter((l) => l.includes("old_metric"));
    expect(before).toHaveLength(3);
    await page.goto(`${server.url}/?q=${encodeURIComponent("job=etl")}`);
    await expect.poll(() => rows().count()).toBe(1);
    await rows().first().getByRole("link").click();
    await page.waitForURL(/\/groups\/[A-Za-z0-9_-]+$/);
    // Sorted by last write, oldest first; the synthetic push_* families last.
    await expect
      .poll(() => page.getByTestId("family-row").evaluateAll((els) => els.map((e) => e.getAttribute("data-family"))))
      .toEqual(["old_metric", "current", "push_failure_time_seconds", "push_time_seconds"]);
    await page.getByRole("button", { name: "Delete family old_metric" }).click();
    const dialog = page.getByRole("dialog");
    expect(await dialog.getByTestId("confirm-families").textContent()).toMatch(/^old_metric — 1 series, written/);
    await page.screenshot({ path: path.join(ARTIFACTS, "family-delete-confirm.png") });
    await dialog.getByRole("button", { name: "Delete family" }).click();
    await expect.poll(() => page.getByTestId("undo-text").textContent()).toBe("Deleted family old_metric.");
    await expect.poll(() => page.getByTestId("family-row").count()).toBe(3);
    const after = await scrape();
    expect(after).not.toContain("old_metric");
    expect(after).toContain('current{instance="",job="etl"} 2');
    await notice().getByRole("button", { name: "Undo" }).click();
    await expect.poll(() => page.getByTestId("undo-text").textContent()).toBe("Restored family old_metric.");
    await expect.poll(() => page.getByTestId("family-row").count()).toBe(4);
    expect((await scrape()).split("\n").filter((l) => l.includes("old_metric"))).toEqual(before);
  }, 60_000);

  it("deletes a group from a filtered list and undoes it", async () => {
    await page.goto(`${server.url}/?q=${encodeURIComponent(FILTER)}`);
    await expect.poll(() => rows().count()).toBe(4);
    await rows()
      .filter({ hasText: "db=billing-2" })
      .getByRole("button", { name: /^Delete group/ })
      .click();
    await page.getByRole("dialog").getByRole("button", { name: "Delete group" }).click();
    await expect.poll(() => rows().count()).toBe(3);
    await expect.poll(() => page.getByTestId("undo-text").textContent()).toBe("Deleted 1 group.");
    expect(await scrape()).not.toContain('db="billing-2"');
    await page.screenshot({ path: path.join(ARTIFACTS, "undo-notice.png") });
    await notice().getByRole("button", { name: "Undo" }).click();
    await expect.poll(() => page.getByTestId("undo-text").textContent()).toBe("Restored 1 group.");
    await expect.poll(() => rows().count()).toBe(4);
    expect(await scrape()).toContain('backup_ok{db="billing-2",instance="",job="backup"} 2');
  }, 60_000);

  it("deletes from the detail page, returns to the filtered list with the notice, and undoes", async () => {
    await page.goto(`${server.url}/?q=${encodeURIComponent(FILTER)}`);
    await expect.poll(() => rows().count()).toBe(4);
    await rows().filter({ hasText: "db=billing-1" }).getByRole("link").click();
    await page.waitForURL(/\/groups\/[A-Za-z0-9_-]+$/);
    await page.getByRole("button", { name: "Delete group" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Delete group" }).click();
    await page.waitForURL((u) => u.pathname === "/" && u.searchParams.get("q") === FILTER);
    await expect.poll(() => rows().count()).toBe(3);
    await expect.poll(() => page.getByTestId("undo-text").textContent()).toBe("Deleted 1 group.");
    await notice().getByRole("button", { name: "Undo" }).click();
    await expect.poll(() => rows().count()).toBe(4);
  }, 60_000);

  it("restores a deletion made through the Pushgateway API from the Activity page", async () => {
    expect(await send("/metrics/job/other", "", "DELETE")).toBe(202);
    await page.goto(`${server.url}/activity`);
    const deleted = page.getByTestId("activity-row").filter({ hasText: "other" }).first();
    const entry = await deleted.getAttribute("data-entry");
    expect(entry).toMatch(/^[A-Za-z0-9_-]+$/);
    const row = page.locator(`[data-entry="${entry}"]`);
    await row.getByRole("button", { name: "Restore" }).click();
    await expect.poll(() => row.getByTestId("restore-result").textContent()).toBe("Restored 1 group.");
    expect(await scrape()).toContain('other_ok{instance="",job="other"} 1');
    await expect.poll(() => page.getByTestId("activity-row").first().textContent()).toContain("Restored");
  }, 60_000);
});

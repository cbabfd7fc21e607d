// The dashboard in a real browser: the built pushboard server, Debian's Chromium driven by playwright-core.
// Seeds groups over HTTP, then filters, sorts, opens a group, deletes (one, several, all stale, all), checks
// escaping of hostile label values and that mutations cannot be triggered cross-site.
// Screenshots go to test/artifacts/*.png. Ports: 19310.
import { mkdirSync } from "node:fs";
import path from "node:path";
import { type Browser, type BrowserContext, type Page } from "playwright-core";
import { launchChromium, pushText } from "../helpers/browser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT, startPushboard, type RunningServer } from "../helpers/servers";

const PORT = 19310;
const STALE_AFTER_MS = 8_000;
const ARTIFACTS = path.join(ROOT, "test/artifacts");
const XSS = "<img src=x onerror=alert(1)>";

let server: RunningServer;
let browser: Browser;
let ctx: BrowserContext;
let page: Page;
let base: string;
const dialogs: string[] = [];
const consoleErrors: string[] = [];
let seededOldAt = 0;

/** The padded URL-safe base64 the Pushgateway UI uses in @base64 paths ("=" for the empty string). */
const b64 = (s: string) => Buffer.from(s).toString("base64").replace(/\+/g, "-").replace(/\//g, "_") || "=";

const push = (p: string, body: string, method = "PUT"): Promise<number> => pushText(base, p, body, method);

async function scrape(): Promise<string> {
  return (await fetch(base + "/metrics")).text();
}

const BACKUP_BODY = `# HELP backup_last_success_seconds Last successful backup.
# TYPE backup_last_success_seconds gauge
backup_last_success_seconds 1.7e9
# TYPE backup_size_bytes gauge
backup_size_bytes 123456789
# HELP job_duration_seconds How long the job took.
# TYPE job_duration_seconds histogram
job_duration_seconds_bucket{le="0.5"} 2
job_duration_seconds_bucket{le="1"} 7
job_duration_seconds_bucket{le="+Inf"} 10
job_duration_seconds_sum 12.5
job_duration_seconds_count 10
# TYPE rpc_seconds summary
rpc_seconds{quantile="0.5"} 0.1
rpc_seconds{quantile="0.99"} 0.2
rpc_seconds_sum 3
rpc_seconds_count 30
`;

/** Groups a "cron" keeps pushing, so they stay fresh while the old ones go stale. */
const live = new Map<string, () => Promise<unknown>>([
  ["backup", () => push("/metrics/job/backup/instance/db-1", BACKUP_BODY)],
  ["web-1", () => push("/metrics/job/api/instance/web-1", "requests_total 5\n")],
  // web-2's pusher is alive but every push is rejected (type clash): status "failed", not stale.
  ["web-2", () => push("/metrics/job/api/instance/web-2", "# TYPE requests_total counter\nrequests_total 1\n")],
  ["web-3", () => push("/metrics/job/api/instance/web-3", "requests_total 7\n")],
  ["xss", () => push(`/metrics/job/xss/instance@base64/${b64(XSS)}`, `hostile{note="${XSS.replace(/"/g, '\\"')}"} 1\n`)],
]);
let pusher: NodeJS.Timeout | undefined;

async function shot(name: string, p: Page = page): Promise<void> {
  await p.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

function rows(p: Page = page) {
  return p.locator("[data-testid=group-row]");
}

/** The groups list, unfiltered, sorted by labels. */
async function openList(): Promise<void> {
  if (new URL(page.url()).pathname !== "/" || new URL(page.url()).search !== "") await page.goto(base + "/");
  await rows().first().waitFor();
}

async function waitRows(n: number, p: Page = page): Promise<void> {
  await expect.poll(() => rows(p).count(), { timeout: 15_000 }).toBe(n);
}

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  server = await startPushboard(PORT, { args: [`--dashboard.stale-after=${STALE_AFTER_MS / 1000}s`, "--web.enable-admin-api"] });
  base = server.url;
  // Two groups pushed once: stale STALE_AFTER_MS later.
  expect(await push("/metrics/job/cron_old/instance/a", "old_metric 1\n")).toBe(200);
  expect(await push("/metrics/job/cron_old/instance/b", "old_metric 2\n")).toBe(200);
  seededOldAt = Date.now();
  // web-2 first succeeds with an untyped metric, so the counter pushes after it clash.
  expect(await push("/metrics/job/api/instance/web-2", "requests_total 1\n")).toBe(200);
  for (const f of live.values()) await f();
  pusher = setInterval(() => {
    for (const f of live.values()) void f().catch(() => {});
  }, 500);
  browser = await launchChromium();
  ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: "light" });
  ctx.setDefaultTimeout(10_000);
  page = await ctx.newPage();
  page.on("console", (m) => {
    if (m.type() === "error") consoleErrors.push(m.text());
  });
  page.on("pageerror", (e) => consoleErrors.push(String(e)));
  page.on("dialog", (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
}, 120_000);

afterAll(async () => {
  if (pusher) clearInterval(pusher);
  await browser?.close();
  await server?.stop();
});

describe("dashboard in Chromium", () => {
  it("loads the groups view with Tailwind styles applied", async () => {
    await page.goto(base + "/");
    await waitRows(7);
    await expect.poll(() => page.getByTestId("counts").textContent()).toContain("7 groups");
    // Tailwind (PostCSS config in package.json) is compiled in: the brand colour from @theme is applied.
    expect(await page.evaluate(() => getComputedStyle(document.querySelector(".bg-brand")!).backgroundColor)).toBe("rgb(230, 82, 44)");
    expect(await rows().first().textContent()).toContain("job=api");
    await shot("groups");
    expect(consoleErrors, consoleErrors.join("\n")).toEqual([]);
  }, 60_000);

  it("renders a hostile label value as text, never as HTML", async () => {
    const row = rows().filter({ hasText: "job=xss" });
    await expect.poll(() => row.textContent()).toContain(XSS);
    expect(await page.locator("main img").count()).toBe(0);
    await row.getByRole("button", { name: /^Expand/ }).click();
    expect(await page.locator("main img").count()).toBe(0);
    expect(dialogs).toEqual([]);
    await row.getByRole("button", { name: /^Collapse/ }).click();
  }, 30_000);

  it("filters by label matchers and free text, and reports a bad regex", async () => {
    const filter = page.getByLabel("Filter");
    await filter.fill("job=api");
    await waitRows(3);
    await filter.fill("instance=~web-[12]");
    await waitRows(2);
    await filter.fill("db-1");
    await waitRows(1);
    await filter.fill("job_duration"); // free text also matches metric names
    await waitRows(1);
    await filter.fill("job=~(");
    await expect.poll(() => page.getByRole("alert").first().textContent(), { timeout: 10_000 }).toContain("invalid regular expression");
    await filter.fill("job!=api job!=cron_old");
    await waitRows(2);
    expect(page.url()).toContain("q=job%21%3Dapi+job%21%3Dcron_old");
    await filter.fill("");
    await waitRows(7);
  }, 60_000);

  it("sorts by a column, both directions", async () => {
    const header = page.getByRole("columnheader", { name: /Series/ });
    await header.getByRole("button").click();
    await expect.poll(() => header.getAttribute("aria-sort")).toBe("descending");
    await expect.poll(() => rows().first().textContent()).toContain("job=backup"); // 4 series, the others 1
    await header.getByRole("button").click();
    await expect.poll(() => header.getAttribute("aria-sort")).toBe("ascending");
    await expect.poll(() => rows().last().textContent()).toContain("job=backup");
    expect(page.url()).toContain("sort=series");
    await page.getByRole("columnheader", { name: /Group/ }).getByRole("button").click();
    await expect.poll(() => rows().first().textContent()).toContain("job=api");
    // Optional grouping by job: one header row per job, with its counts.
    await page.getByLabel("Group by job").check();
    await expect.poll(() => page.getByRole("rowheader").count()).toBe(4);
    expect(await page.getByRole("rowheader").first().textContent()).toMatch(/^job api3 groups/);
    await page.getByLabel("Group by job").uncheck();
    await expect.poll(() => page.getByRole("rowheader").count()).toBe(0);
  }, 30_000);

  it("keeps filter, sort and expanded rows across polling refreshes", async () => {
    await page.getByLabel("Filter").fill("job=api");
    await waitRows(3);
    await rows()
      .first()
      .getByRole("button", { name: /^Expand/ })
      .click();
    await page.waitForResponse((r) => r.url().includes("/api/ui/groups?") && r.status() === 200, { timeout: 15_000 });
    expect(
      await rows()
        .first()
        .getByRole("button", { name: /^Collapse/ })
        .getAttribute("aria-expanded"),
    ).toBe("true");
    expect(await page.getByLabel("Filter").inputValue()).toBe("job=api");
    expect(await page.getByTestId("updated-ago").textContent()).toMatch(/updated (just now|\d+s ago)/);
    // Pausing stops the polling.
    await page.getByRole("button", { name: "Pause auto-refresh" }).click();
    let polled = false;
    const onResp = (r: { url(): string }) => {
      if (r.url().includes("/api/ui/groups?")) polled = true;
    };
    page.on("response", onResp);
    await page.waitForTimeout(6000);
    page.off("response", onResp);
    expect(polled).toBe(false);
    await page.getByRole("button", { name: "Resume auto-refresh" }).click();
    await page.getByLabel("Filter").fill("");
    await waitRows(7);
  }, 60_000);

  it("opens a group: families, buckets, quantiles, exposition and curl command", async () => {
    await rows().filter({ hasText: "job=backup" }).getByRole("link").click();
    await page.waitForURL(/\/groups\/[A-Za-z0-9_-]+$/);
    await page.getByTestId("exposition").waitFor();
    const families = page.getByTestId("family");
    await expect.poll(() => families.count()).toBe(6);
    const text = (await page.locator("main").textContent()) ?? "";
    expect(text).toContain("How long the job took.");
    expect(text).toContain("≤ 0.5");
    expect(text).toContain("118 MiB");
    expect(text).toContain("2023-11-14 22:13:20 UTC"); // backup_last_success_seconds as a time
    expect(await page.getByTestId("exposition").textContent()).toContain('job_duration_seconds_bucket{instance="db-1",job="backup",le="+Inf"} 10');
    expect(await page.getByTestId("curl").textContent()).toBe(`curl -X DELETE '${base}/metrics/job/backup/instance/db-1'`);
    await shot("group-detail");
    await page.getByRole("link", { name: "← Groups" }).click();
    await waitRows(7);
  }, 60_000);

  it("shows the last push error of a group whose pushes are rejected", async () => {
    await openList();
    const row = rows().filter({ hasText: "instance=web-2" });
    await expect.poll(() => row.textContent()).toContain("failed");
    await row.getByRole("link").click();
    await page.getByTestId("last-error").waitFor();
    expect(await page.getByTestId("last-error").textContent()).toMatch(/requests_total/);
    await page.goBack();
    await waitRows(7);
  }, 30_000);

  it("deletes one group by its button after confirming the exact grouping key", async () => {
    await openList();
    live.delete("web-3");
    const row = rows().filter({ hasText: "instance=web-3" });
    await row.getByRole("button", { name: /^Delete group/ }).click();
    const dialog = page.getByRole("dialog");
    await dialog.waitFor();
    expect(await page.getByTestId("confirm-key").textContent()).toBe('{job="api", instance="web-3"}');
    await shot("confirm-delete");
    await dialog.getByRole("button", { name: "Delete group" }).click();
    await waitRows(6);
    await expect.poll(() => page.getByTestId("notice").textContent()).toContain("Deleted 1 group");
    expect(await scrape()).not.toContain('instance="web-3"');
  }, 30_000);

  it("bulk-deletes selected groups", async () => {
    await openList();
    live.delete("web-1");
    live.delete("xss");
    await rows().filter({ hasText: "instance=web-1" }).getByRole("checkbox").check();
    await rows().filter({ hasText: "job=xss" }).getByRole("checkbox").check();
    await page.getByRole("button", { name: "Delete selected (2)" }).click();
    const keys = (await page.getByTestId("confirm-keys").textContent()) ?? "";
    expect(keys).toContain('{job="api", instance="web-1"}');
    expect(keys).toContain(`{job="xss", instance="${XSS}"}`);
    await page.getByRole("dialog").getByRole("button", { name: "Delete 2 groups" }).click();
    await waitRows(4);
    const metrics = await scrape();
    expect(metrics).not.toContain('instance="web-1"');
    expect(metrics).not.toContain('job="xss"');
    expect(dialogs).toEqual([]);
  }, 30_000);

  it("refuses cross-site and non-JSON mutations", async () => {
    await openList();
    const id = await rows().filter({ hasText: "job=backup" }).getAttribute("data-id");
    const body = JSON.stringify({ ids: [id] });
    const post = (headers: Record<string, string>) => fetch(base + "/api/ui/groups/delete", { method: "POST", headers, body });
    expect((await post({ "content-type": "application/json", origin: "http://evil.example" })).status).toBe(403);
    expect((await post({ "content-type": "application/json", "sec-fetch-site": "cross-site" })).status).toBe(403);
    expect((await post({ "content-type": "text/plain" })).status).toBe(415);
    expect(
      (await fetch(base + "/api/ui/wipe", { method: "POST", headers: { "content-type": "application/json", origin: "http://evil.example" }, body: "{}" }))
        .status,
    ).toBe(403);
    // From a real page on another origin (localhost vs 127.0.0.1 are different sites): a JSON fetch needs a
    // CORS preflight the server never grants, and a simple (no-cors, text/plain) POST is refused with 415.
    const evil = await ctx.newPage();
    await evil.goto(`http://localhost:${PORT}/status`);
    const outcome = await evil.evaluate(
      async ({ target, body }) => {
        const res: string[] = [];
        try {
          await fetch(target, { method: "POST", headers: { "content-type": "application/json" }, body });
          res.push("json-sent");
        } catch {
          res.push("json-blocked");
        }
        await fetch(target, { method: "POST", mode: "no-cors", headers: { "content-type": "text/plain" }, body }).catch(() => {});
        return res;
      },
      { target: `http://127.0.0.1:${PORT}/api/ui/groups/delete`, body },
    );
    await evil.close();
    expect(outcome).toEqual(["json-blocked"]);
    expect(await scrape()).toContain('job="backup"');
  }, 30_000);

  it("deletes all stale groups after showing the list", async () => {
    await openList();
    const wait = seededOldAt + STALE_AFTER_MS + 500 - Date.now();
    if (wait > 0) await page.waitForTimeout(wait);
    const button = page.getByRole("button", { name: /^Delete all stale/ });
    await expect.poll(() => button.textContent(), { timeout: 15_000 }).toBe("Delete all stale (2)");
    await expect.poll(() => rows().filter({ hasText: "stale" }).count()).toBe(2);
    await shot("groups-with-stale");
    await button.click();
    const list = page.getByTestId("stale-list");
    await list.waitFor();
    const listed = (await list.textContent()) ?? "";
    expect(listed).toContain('{job="cron_old", instance="a"}');
    expect(listed).toContain('{job="cron_old", instance="b"}');
    expect(listed).not.toContain("backup");
    await shot("delete-stale-dialog");
    await page.getByRole("dialog").getByRole("button", { name: "Delete 2 stale" }).click();
    await waitRows(2);
    const metrics = await scrape();
    expect(metrics).not.toContain('job="cron_old"');
    expect(metrics).toContain('job="backup"');
  }, 60_000);

  it("shows the status page", async () => {
    await page.getByRole("link", { name: "Status" }).click();
    await page.getByTestId("flags").waitFor();
    const text = (await page.locator("main").textContent()) ?? "";
    expect(text).toContain("0.1.0");
    expect(text).toContain("web.enable-admin-api");
    expect(text).toContain("memory");
    expect(text).toMatch(/Groups2 \(\d fresh, \d stale, \d failed\)/);
    await shot("status");
  }, 30_000);

  it("looks right in dark mode and at phone width", async () => {
    for (const f of live.values()) await f();
    const dark = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: "dark" });
    const p = await dark.newPage();
    await p.goto(base + "/");
    await waitRows(2, p);
    const bg = await p.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(bg).not.toBe("rgb(250, 250, 250)");
    await shot("groups-dark", p);
    await dark.close();
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, colorScheme: "light", isMobile: true, hasTouch: true });
    const q = await phone.newPage();
    await q.goto(base + "/");
    await waitRows(2, q);
    // Nothing wider than the screen except inside the scrollable table.
    expect(await q.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await shot("groups-phone", q);
    await phone.close();
  }, 60_000);

  it("is keyboard operable: focus is visible and the delete dialog opens and cancels with the keyboard", async () => {
    await page.goto(base + "/");
    await waitRows(2);
    await page.getByLabel("Filter").focus();
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle);
    expect(outline).not.toBe("none");
    await rows()
      .first()
      .getByRole("button", { name: /^Delete group/ })
      .focus();
    await page.keyboard.press("Enter");
    await page.getByRole("dialog").waitFor();
    // Cancel has the initial focus, so Enter never deletes by accident.
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Cancel");
    await page.keyboard.press("Escape");
    await expect.poll(() => page.getByRole("dialog").count()).toBe(0);
    await waitRows(2);
  }, 30_000);

  it("deletes everything with Delete all (admin API enabled)", async () => {
    live.clear();
    const all = page.getByRole("button", { name: /^Delete all \(/ });
    const n = /\((\d+)\)/.exec((await all.textContent()) ?? "")![1]!;
    await all.click();
    // Issue 15: "Delete all" is confirmed by typing the number of groups.
    const confirm = page.getByRole("dialog").getByRole("button", { name: "Delete all groups" });
    expect(await confirm.isDisabled()).toBe(true);
    await page.getByTestId("wipe-confirm").fill(n);
    await confirm.click();
    await waitRows(0);
    expect(await page.locator("main").textContent()).toContain("No groups have been pushed yet.");
    expect(await scrape()).not.toContain("push_time_seconds{");
  }, 30_000);
});

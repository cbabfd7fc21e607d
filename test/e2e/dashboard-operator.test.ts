// The dashboard as an operator with many groups uses it (issue 15), in Debian's Chromium via playwright-core:
// bulk actions scoped to the filter, typed confirm for Delete all, stale and failed shown together, clickable
// counts, the job overview, a table that does not move under the pointer, honest connection state, filter syntax
// errors, the phone layout. 612 groups in 8 jobs; a seeded pusher keeps some fresh and one failing.
// Ports: 20050 (main server), 20051 (the server stopped for the "server down" case).
import path from "node:path";
import { type Browser, type BrowserContext, type Page } from "playwright-core";
import { launchChromium, pushText } from "../helpers/browser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mulberry32 } from "../helpers/random";
import { ROOT, startPushboard, type RunningServer } from "../helpers/servers";

const PORT = 20050;
const DOWN_PORT = 20051;
const STALE_AFTER_S = 5;
const SEED = Number(process.env.TEST_SEED ?? 15015);
const ARTIFACTS = path.join(ROOT, "test/artifacts");

let server: RunningServer;
let browser: Browser;
let ctx: BrowserContext;
let page: Page;
let base: string;
let pusher: NodeJS.Timeout | undefined;
const random = mulberry32(SEED);

const push = (p: string, body: string, method = "PUT"): Promise<number> => pushText(base, p, body, method);

/** Every grouping key in the store, as "job/label=value/…" strings, from the Pushgateway-compatible API. */
async function keys(): Promise<Set<string>> {
  const r = (await (await fetch(base + "/api/v1/metrics")).json()) as { data: { labels: Record<string, string> }[] };
  return new Set(
    r.data.map((g) =>
      Object.entries(g.labels)
        .sort(([a], [b]) => (a === "job" ? -1 : b === "job" ? 1 : a < b ? -1 : 1))
        .map(([k, v]) => `${k}=${v}`)
        .join(","),
    ),
  );
}

interface UiList {
  total: number;
  totalAll: number;
  counts: { total: number; fresh: number; stale: number; failed: number };
  rows: { id: string; stale: boolean; lastPushFailed: boolean }[];
}
async function uiList(q: string, size = 500): Promise<UiList> {
  return (await fetch(`${base}/api/ui/groups?${new URLSearchParams({ q, size: String(size) })}`)).json() as Promise<UiList>;
}

// The seeded groups: [path, body]. "old" ones are pushed once (stale STALE_AFTER_S later); "live" ones keep pushing.
const OLD: string[] = [];
const LIVE: string[] = [];
for (let i = 1; i <= 25; i++) OLD.push(`/metrics/job/backup_postgres/database/billing-${i}`);
for (let i = 1; i <= 5; i++) LIVE.push(`/metrics/job/backup_postgres/database/billing-live-${i}`);
for (let i = 1; i <= 40; i++) OLD.push(`/metrics/job/backup_postgres/database/orders-${i}`);
for (let i = 1; i <= 120; i++) OLD.push(`/metrics/job/ci/runner/runner-${i}`);
for (let i = 1; i <= 200; i++) OLD.push(`/metrics/job/etl/step/step-${i}`);
for (let i = 1; i <= 200; i++) OLD.push(`/metrics/job/cron/task/task-${i}`);
for (let i = 1; i <= 20; i++) LIVE.push(`/metrics/job/live/instance/live-${i}`);
// payments/p-1: a rejected push, then nothing: stale AND failed. payments/p-2: keeps pushing, every push rejected.
const STOPPED_FAILING = "/metrics/job/payments/instance/p-1";
const LIVE_FAILING = "/metrics/job/payments/instance/p-2";
const CLASH = "# TYPE amount counter\namount 1\n"; // a counter where another group has an untyped amount: 400
const TOTAL = OLD.length + LIVE.length + 2;

async function pushLive(): Promise<void> {
  // A shuffled order every round, so sorting by last push re-orders the rows on every refresh.
  const order = [...LIVE].sort(() => random() - 0.5);
  for (const p of order) await push(p, `up_seconds ${Date.now() / 1000}\n`);
  await push(LIVE_FAILING, CLASH);
}

async function seed(paths: string[]): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < paths.length) {
        const p = paths[next++]!;
        expect(await push(p, `# TYPE last_run_seconds gauge\nlast_run_seconds ${Date.now() / 1000}\nrows_total 12\n`)).toBe(200);
      }
    }),
  );
}

function rows(p: Page = page) {
  return p.locator("[data-testid=group-row]");
}

async function openList(q = "", extra = ""): Promise<void> {
  await page.goto(`${base}/?${new URLSearchParams({ q })}${extra}`);
  await page.getByTestId("group-list").waitFor();
}

/** The number the list says it shows ("1–50 of 120", or every row when one page). */
async function shownTotal(): Promise<number> {
  const nav = page.getByRole("navigation", { name: "Pagination" });
  if (await nav.count()) return Number(/of (\d+)/.exec((await nav.textContent()) ?? "")![1]);
  return rows().count();
}

beforeAll(async () => {
  console.log(`dashboard-operator seed ${SEED}`);
  server = await startPushboard(PORT, { args: [`--dashboard.stale-after=${STALE_AFTER_S}s`, "--web.enable-admin-api"] });
  base = server.url;
  await seed(OLD);
  // Each payments group holds an untyped `amount`, so the other's counter `amount` clashes with it (the
  // consistency check spans the store): both are rejected from then on.
  expect(await push(LIVE_FAILING, "amount 1\n")).toBe(200);
  expect(await push(STOPPED_FAILING, "amount 1\n")).toBe(200);
  expect(await push(STOPPED_FAILING, CLASH)).toBe(400);
  expect(await push(LIVE_FAILING, CLASH)).toBe(400);
  await pushLive();
  pusher = setInterval(() => void pushLive().catch(() => {}), 1000);
  browser = await launchChromium();
  ctx = await browser.newContext({ viewport: { width: 1400, height: 1000 }, colorScheme: "light" });
  ctx.setDefaultTimeout(15_000);
  page = await ctx.newPage();
  // Every old group is stale before the tests start (the API says so, no sleeping on a guess).
  for (let i = 0; (await uiList("is:stale", 1)).total !== OLD.length + 1; i++) {
    if (i > 120) throw new Error("the old groups did not turn stale");
    await new Promise((r) => setTimeout(r, 250));
  }
}, 120_000);

afterAll(async () => {
  if (pusher) clearInterval(pusher);
  await browser?.close();
  await server?.stop();
});

describe("bulk actions act on exactly what the filter shows", () => {
  it("Delete stale matching deletes only the filtered stale groups; a group pushed meanwhile is kept", async () => {
    const before = await keys();
    expect(before.size).toBe(TOTAL);
    const filter = 'job=backup_postgres database=~"billing.*" is:stale';
    await openList(filter);
    await expect.poll(() => rows().count()).toBe(25);
    const button = page.getByRole("button", { name: /^Delete stale matching/ });
    expect(await button.textContent()).toBe("Delete stale matching (25)");
    await button.click();
    const dialog = page.getByRole("dialog");
    await page.getByTestId("stale-list").waitFor();
    expect(await dialog.getByTestId("matching-filter").textContent()).toBe(filter);
    const listed = (await page.getByTestId("stale-list").locator("li").allTextContents()).map((t) => /database="([^"]+)"/.exec(t)![1]);
    expect(listed.sort()).toEqual(Array.from({ length: 25 }, (_, i) => `billing-${i + 1}`).sort());
    // billing-7 pushes again after the list was shown: the conditional delete keeps it.
    expect(await push("/metrics/job/backup_postgres/database/billing-7", "# TYPE last_run_seconds gauge\nlast_run_seconds 1\n")).toBe(200);
    await dialog.getByRole("button", { name: "Delete 25 stale" }).click();
    await expect.poll(() => page.getByTestId("notice").textContent()).toBe("Deleted 24 groups. 1 skipped (already gone, no longer matching, or pushed again).");
    const after = await keys();
    const gone = [...before].filter((k) => !after.has(k));
    expect(gone.sort()).toEqual(
      Array.from({ length: 25 }, (_, i) => `job=backup_postgres,database=billing-${i + 1}`)
        .filter((k) => !k.endsWith("billing-7"))
        .sort(),
    );
    expect(after.size).toBe(TOTAL - 24);
    // billing-7 goes too (by the protocol), so later counts do not depend on when it turns stale again.
    expect((await fetch(base + "/metrics/job/backup_postgres/database/billing-7", { method: "DELETE" })).status).toBe(202);
  }, 60_000);

  it("selects all N matching across pages, and deletes exactly those", async () => {
    await openList("job=ci");
    await expect.poll(() => rows().count()).toBe(50);
    await page.getByRole("checkbox", { name: "Select all groups on this page" }).check();
    await page.getByRole("button", { name: "Select all 120 matching" }).click();
    await expect.poll(() => page.getByTestId("select-all-matching").textContent()).toContain("All 120 groups matching job=ci are selected");
    // Every row on another page shows as selected too.
    await page.getByRole("button", { name: "Next ›" }).click();
    await expect.poll(() => page.getByText("Page 2 of 3").count()).toBe(1);
    expect(await rows().locator("input[type=checkbox]:checked").count()).toBe(50);
    const before = await keys();
    await page.getByRole("button", { name: "Delete selected (120)" }).click();
    const dialog = page.getByRole("dialog");
    expect(await dialog.getByTestId("matching-filter").textContent()).toBe("job=ci");
    await dialog.getByRole("button", { name: "Delete 120 matching" }).click();
    await expect.poll(() => page.getByTestId("notice").textContent()).toContain("Deleted 120 groups.");
    const after = await keys();
    expect([...before].filter((k) => !after.has(k)).every((k) => k.startsWith("job=ci,"))).toBe(true);
    expect(after.size).toBe(before.size - 120);
  }, 60_000);

  it("prunes the selection when the filter changes, visibly, so it never includes hidden rows", async () => {
    await openList("job=etl", "&sort=labels");
    await rows().first().waitFor();
    const first = rows().filter({ hasText: "step=step-1" }).first();
    await first.getByRole("checkbox").check();
    await rows().filter({ hasText: "step=step-10" }).first().getByRole("checkbox").check();
    await expect.poll(() => page.getByRole("button", { name: /^Delete selected/ }).textContent()).toBe("Delete selected (2)");
    // The new filter shows step-1 but not step-10.
    await page.getByLabel("Filter").fill("job=etl step=step-1");
    await expect.poll(() => page.getByTestId("notice").textContent()).toBe("1 selected group is hidden by the new filter and was unselected.");
    expect(await page.getByRole("button", { name: /^Delete selected/ }).textContent()).toBe("Delete selected (1)");
    await page.getByRole("button", { name: "Delete selected (1)" }).click();
    expect(await page.getByTestId("confirm-key").textContent()).toBe('{job="etl", step="step-1"}');
    await page.getByRole("dialog").getByRole("button", { name: "Cancel" }).click();
    await page.getByRole("button", { name: "Clear selection" }).click();
  }, 60_000);

  it('"Delete all" stands apart and needs the number of groups typed', async () => {
    await openList();
    const all = page.getByRole("button", { name: /^Delete all \(/ });
    const n = /\((\d+)\)/.exec((await all.textContent()) ?? "")![1]!;
    // Not next to "Delete all stale": its own group at the far end, after a divider.
    const stale = page.getByRole("button", { name: /^Delete all stale/ });
    expect(await all.evaluate((b, s) => b.parentElement !== s!.parentElement, await stale.elementHandle())).toBe(true);
    await all.click();
    const confirm = page.getByRole("dialog").getByRole("button", { name: "Delete all groups" });
    expect(await confirm.isDisabled()).toBe(true);
    await page.getByTestId("wipe-confirm").fill(String(Number(n) - 1));
    expect(await confirm.isDisabled()).toBe(true);
    await page.getByTestId("wipe-confirm").fill(n);
    expect(await confirm.isDisabled()).toBe(false);
    await page.getByRole("dialog").getByRole("button", { name: "Cancel" }).click();
    expect((await keys()).size).toBe(Number(n));
  }, 30_000);
});

describe("status is never hidden", () => {
  it("shows a stopped failing group as stale and failed, and is:failed finds it", async () => {
    await openList("job=payments");
    const p1 = rows().filter({ hasText: "instance=p-1" });
    await expect.poll(() => p1.getByTestId("status").textContent()).toBe("stalefailed");
    await expect.poll(() => rows().filter({ hasText: "instance=p-2" }).getByTestId("status").textContent()).toBe("failed");
    await page.getByLabel("Filter").fill("is:failed");
    await expect.poll(() => rows().count()).toBe(2);
    await page.getByLabel("Filter").fill("is:failed is:stale");
    await expect.poll(async () => JSON.stringify([await rows().count(), (await uiList("is:failed is:stale")).rows.length])).toBe("[1,1]");
    expect(await rows().first().textContent()).toContain("instance=p-1");
  }, 30_000);

  it("header counts are filters, and each finds exactly its count", async () => {
    await openList();
    for (const k of ["failed", "stale", "fresh"] as const) {
      const button = page.getByTestId(`count-${k}`);
      await expect.poll(() => button.textContent()).toMatch(/^\d+ /);
      await button.click();
      await expect.poll(() => new URL(page.url()).searchParams.get("q")).toBe(`is:${k}`);
      await expect.poll(() => button.getAttribute("aria-pressed")).toBe("true");
      // The count and what the filter finds come from the same answer.
      await expect
        .poll(async () => {
          const n = Number(/^(\d+)/.exec((await button.textContent()) ?? "")![1]);
          return (await shownTotal()) === n;
        })
        .toBe(true);
    }
    const api = await uiList("");
    expect(api.counts.failed).toBe((await uiList("is:failed")).total);
    expect(api.counts.stale).toBe((await uiList("is:stale")).total);
    expect(api.counts.fresh).toBe((await uiList("is:fresh")).total);
  }, 60_000);

  it("the job overview lists broken jobs first, with counts that link to the filtered list", async () => {
    await page.goto(base + "/jobs");
    await page.getByTestId("job-row").first().waitFor();
    const jobs = await page.getByTestId("job-row").evaluateAll((trs) => trs.map((t) => [t.getAttribute("data-job"), t.getAttribute("data-health")]));
    // payments (2 failed) first; then the jobs with stale groups, most first; live (all fresh) last.
    expect(jobs.map(([j]) => j)).toEqual(["payments", "cron", "etl", "backup_postgres", "live"]);
    expect(jobs.map(([, h]) => h)).toEqual(["failed", "stale", "stale", "stale", "ok"]);
    const row = page.locator('[data-testid=job-row][data-job="backup_postgres"]');
    const staleLink = row.getByRole("link", { name: /stale groups of job backup_postgres/ });
    const n = Number(await staleLink.textContent());
    expect(n).toBe(40); // orders-1..40 (the billing stale ones were deleted above)
    await staleLink.click();
    await page.waitForURL((u) => u.pathname === "/" && u.searchParams.get("q") === 'job="backup_postgres" is:stale');
    await expect.poll(() => rows().count()).toBe(n);
    await page.goto(base + "/jobs");
    await page
      .locator('[data-testid=job-row][data-job="payments"]')
      .getByRole("link", { name: /failed groups of job payments/ })
      .click();
    await expect.poll(() => rows().count()).toBe(2);
  }, 60_000);
});

describe("a stable table", () => {
  it("keeps the row under the pointer in place across refreshes, and shows that re-ordering is paused", async () => {
    await openList("job=live", "&sort=lastPush&dir=desc");
    await page.getByRole("combobox", { name: "Auto-refresh interval" }).selectOption("2000");
    await expect.poll(() => rows().count()).toBe(20);
    const list = page.getByTestId("group-list");
    const target = rows()
      .nth(4)
      .getByRole("button", { name: /^Delete group/ });
    const box = (await target.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    const underPointer = () =>
      page.evaluate(
        ([x, y]) => document.elementFromPoint(x!, y!)?.closest("[data-testid=group-row]")?.getAttribute("data-id") ?? null,
        [box.x + box.width / 2, box.y + box.height / 2],
      );
    const held = await underPointer();
    expect(held).not.toBeNull();
    await expect.poll(() => page.getByTestId("updates-paused").getAttribute("data-paused")).toBe("true");
    // Wait for two refreshes (the answer's server time on the list changes), checking after each.
    for (let i = 0; i < 2; i++) {
      const seen = await list.getAttribute("data-updated");
      await page.waitForFunction((s) => document.querySelector("[data-testid=group-list]")?.getAttribute("data-updated") !== s, seen, { timeout: 15_000 });
      expect(await underPointer()).toBe(held);
    }
    // The server's order did change meanwhile (the pusher shuffles): the note says changes are waiting.
    await expect.poll(() => page.getByTestId("updates-paused").textContent(), { timeout: 15_000 }).toMatch(/changes? waiting/);
    await page.mouse.move(5, 5);
    await expect.poll(() => page.getByTestId("updates-paused").getAttribute("data-paused")).toBe("false");
  }, 60_000);

  it("does not move columns when a row is expanded", async () => {
    await openList("job=payments");
    await rows().first().waitFor();
    await page.mouse.move(5, 5);
    const widths = () => page.locator("thead th").evaluateAll((ths) => ths.map((t) => Math.round(t.getBoundingClientRect().left)));
    const before = await widths();
    await rows()
      .first()
      .getByRole("button", { name: /^Expand/ })
      .click();
    await page.locator("[id^=row-details-]").waitFor();
    expect(await widths()).toEqual(before);
  }, 30_000);
});

describe("honest connection state", () => {
  it("shows an offline banner with the time of the last good data, and recovers", async () => {
    await openList("job=live");
    await rows().first().waitFor();
    await expect.poll(() => page.getByTestId("live-dot").getAttribute("data-state")).toBe("live");
    const statusesBefore = await rows().getByTestId("status").allTextContents();
    await ctx.setOffline(true);
    const banner = page.getByTestId("connection-banner");
    await expect.poll(() => banner.getAttribute("data-state")).toBe("offline");
    expect(await banner.textContent()).toContain("You are offline.");
    expect(await banner.textContent()).toContain("Showing the last good data, from");
    expect(await page.getByTestId("last-good").getAttribute("datetime")).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(await page.getByTestId("live-dot").getAttribute("data-state")).toBe("offline");
    // The last good rows stay, judged as of their time.
    expect(await rows().getByTestId("status").allTextContents()).toEqual(statusesBefore);
    const seen = await page.getByTestId("group-list").getAttribute("data-updated");
    await ctx.setOffline(false);
    await expect.poll(() => banner.count()).toBe(0);
    // Fresh data arrives again (the list's answer time moves on).
    await page.waitForFunction((s) => document.querySelector("[data-testid=group-list]")?.getAttribute("data-updated") !== s, seen, { timeout: 15_000 });
    expect(await page.getByTestId("live-dot").getAttribute("data-state")).not.toBe("offline");
  }, 60_000);

  it("says plainly when the server is down (never a raw 'Failed to fetch'), and recovers on retry", async () => {
    let down = await startPushboard(DOWN_PORT);
    const p = await ctx.newPage();
    try {
      await fetch(`${down.url}/metrics/job/solo`, { method: "PUT", body: "x 1\n" });
      await p.goto(down.url + "/");
      await p.locator("[data-testid=group-row]").first().waitFor();
      await down.stop();
      await p.getByRole("button", { name: "Refresh now" }).click();
      const banner = p.getByTestId("connection-banner");
      await expect.poll(() => banner.getAttribute("data-state"), { timeout: 20_000 }).toBe("unreachable");
      expect(await banner.textContent()).toContain("Cannot reach the pushboard server.");
      expect(await banner.textContent()).toContain("Showing the last good data, from");
      expect(await p.locator("body").textContent()).not.toContain("Failed to fetch");
      expect(await p.locator("[data-testid=group-row]").count()).toBe(1);
      down = await startPushboard(DOWN_PORT);
      await banner.getByRole("button", { name: "Retry now" }).click();
      await expect.poll(() => banner.count(), { timeout: 20_000 }).toBe(0);
    } finally {
      await p.close();
      await down.stop();
    }
  }, 90_000);

  it("a filter syntax error says where it is wrong and keeps the last results and counts", async () => {
    await openList("job=payments");
    await expect.poll(() => rows().count()).toBe(2);
    const counts = await page.getByTestId("counts").textContent();
    await page.getByLabel("Filter").fill("job=payments is:stal");
    const err = page.getByTestId("filter-error");
    await err.waitFor();
    expect(await err.textContent()).toContain('unknown status "stal"');
    expect(await err.textContent()).toContain("at character 14");
    expect(await page.getByTestId("filter-error-excerpt").textContent()).toBe("job=payments is:stal\n             ^");
    expect(await rows().count()).toBe(2);
    expect(await page.getByTestId("counts").textContent()).toBe(counts);
    await page.getByLabel("Filter").fill("job=payments is:stale");
    await expect.poll(() => err.count()).toBe(0);
    await expect.poll(() => rows().count()).toBe(1);
  }, 30_000);
});

describe("phone width", () => {
  it("shows each group as a readable card, labels wrapping between chips, not per character", async () => {
    expect(await push("/metrics/job/backup_postgres/database/billing-eu-west-1-replica/instance/db-host-12.internal", "x 1\n")).toBe(200);
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const p = await phone.newPage();
    try {
      await p.goto(`${base}/?q=${encodeURIComponent("database=billing-eu-west-1-replica")}`);
      const card = p.locator("[data-testid=group-row][data-layout=card]");
      await card.first().waitFor();
      expect(await card.count()).toBe(1);
      const box = (await card.boundingBox())!;
      expect(box.width).toBeGreaterThan(330);
      expect(box.height).toBeLessThan(200);
      // Each label chip is one line: no value broken character by character.
      const chipHeights = await card
        .locator("a span span")
        .evaluateAll((spans) =>
          spans.filter((s) => s.parentElement?.parentElement?.tagName === "A" && s.children.length === 2).map((s) => s.getBoundingClientRect().height),
        );
      expect(chipHeights.length).toBe(3);
      for (const h of chipHeights) expect(h).toBeLessThan(30);
      expect(await p.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      await p.screenshot({ path: path.join(ARTIFACTS, "groups-phone-cards.png"), fullPage: true });
    } finally {
      await phone.close();
    }
  }, 30_000);
});

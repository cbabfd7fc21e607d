// WCAG 2 A/AA of every dashboard page in light and dark mode, checked by axe-core injected into Debian's
// Chromium (playwright-core). Covers the list, the job overview, a group's detail, status, expiries and activity,
// with a stale group, a failing group and a deleted group so secondary texts, badges and "—" placeholders show.
// Ports: 20060.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { type Browser, type Page } from "playwright-core";
import { launchChromium, pushText } from "../helpers/browser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPushboard, type RunningServer } from "../helpers/servers";

const PORT = 20060;
const AXE_SOURCE = readFileSync(createRequire(__filename).resolve("axe-core/axe.min.js"), "utf8");

let server: RunningServer;
let browser: Browser;
let base: string;
let detailId = "";

const push = (p: string, body: string, method = "PUT"): Promise<number> => pushText(base, p, body, method);

interface AxeViolation {
  id: string;
  help: string;
  nodes: { target: string[]; failureSummary: string }[];
}

/** Runs axe on the page (WCAG 2.0/2.1 A and AA rules) and returns the violations, readable in a failure. */
async function axe(p: Page): Promise<string[]> {
  await p.addScriptTag({ content: AXE_SOURCE });
  const violations = await p.evaluate(async () => {
    const r = await (window as unknown as { axe: { run: (ctx: unknown, opts: unknown) => Promise<{ violations: AxeViolation[] }> } }).axe.run(document, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
      resultTypes: ["violations"],
    });
    return r.violations.map((v) => ({ id: v.id, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })) }));
  });
  return violations.flatMap((v) => v.nodes.map((n) => `${v.id} (${v.help}) at ${n.target.join(" ")}: ${n.failureSummary.replace(/\s+/g, " ")}`));
}

beforeAll(async () => {
  server = await startPushboard(PORT, { args: ["--dashboard.stale-after=2s", "--web.enable-admin-api"] });
  base = server.url;
  expect(await push("/metrics/job/backup/instance/db-1", "# HELP backup_ok Whether it worked.\n# TYPE backup_ok gauge\nbackup_ok 1\n")).toBe(200);
  expect(await push("/metrics/job/api/instance/web-1", "requests 1\n")).toBe(200);
  expect(await push("/metrics/job/api/instance/web-2", "# TYPE requests counter\nrequests 1\n")).toBe(400);
  expect(await push("/metrics/job/gone/instance/x", "y 1\n")).toBe(200);
  expect(await push("/metrics/job/gone/instance/x", "", "DELETE")).toBe(202);
  const list = (await (await fetch(base + "/api/ui/groups?q=job%3Dbackup")).json()) as { rows: { id: string }[] };
  detailId = list.rows[0]!.id;
  // Wait until the groups are stale (their "stale" badges and texts are part of what is checked).
  for (let i = 0; ; i++) {
    const r = (await (await fetch(base + "/api/ui/groups?q=is%3Astale")).json()) as { total: number };
    if (r.total >= 2) break;
    if (i > 100) throw new Error("groups did not turn stale");
    await new Promise((res) => setTimeout(res, 100));
  }
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

const PAGES: [string, string, string][] = [
  ["groups list", "/", "[data-testid=group-row]"],
  ["groups list, expanded row and filter error", "/?q=job%3Dapi", "[data-testid=group-row]"],
  ["job overview", "/jobs", "[data-testid=job-row]"],
  ["group detail", "/groups/DETAIL", "main h1"],
  ["status", "/status", "[data-testid=flags]"],
  ["expiries", "/expiries", "main h1"],
  ["activity", "/activity", "main h1"],
];

describe.each(["light", "dark"] as const)("WCAG AA with axe-core, %s mode", (scheme) => {
  it.each(PAGES)(
    "%s",
    async (name, path, ready) => {
      const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: scheme, bypassCSP: true }); // axe is injected as an inline script
      try {
        const p = await ctx.newPage();
        await p.goto(base + path.replace("DETAIL", detailId));
        await p.locator(ready).first().waitFor({ timeout: 15_000 });
        if (name.includes("expanded")) {
          await p
            .locator("[data-testid=group-row]")
            .first()
            .getByRole("button", { name: /^Expand/ })
            .click();
          await p.getByLabel("Filter").fill("job=api is:stal");
          await p.getByTestId("filter-error").waitFor();
          await p.mouse.move(2, 2);
        }
        // Let transitions (badge and row fades) finish before colours are measured.
        await p.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
        expect(await axe(p)).toEqual([]);
      } finally {
        await ctx.close();
      }
    },
    60_000,
  );
});

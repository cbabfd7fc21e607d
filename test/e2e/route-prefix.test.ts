// The dashboard behind an ingress path, in Chromium through a real nginx (Debian's, run as a child process with
// its own config). Two ways proxies are set up:
//  - /pushgateway/: nginx passes the path on, pushboard runs with --web.route-prefix=/pushgateway;
//  - /pg/: nginx strips the prefix, pushboard runs with --web.external-url=http://…/pg/ --web.route-prefix=/.
// Every page, asset, API call and link must stay under the prefix: nginx answers 404 for anything else.
// Ports: 19860 (pushboard, route prefix), 19862 (pushboard, external URL), 19861 (nginx).
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { type Browser, type Page } from "playwright-core";
import { launchChromium } from "../helpers/browser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requireTool } from "../clients/common";
import { ROOT, startPushboard, type RunningServer } from "../helpers/servers";

const NGINX = "/usr/sbin/nginx";
const PREFIXED_PORT = 19860;
const STRIPPED_PORT = 19862;
const PROXY_PORT = 19861;
const PROXY = `http://127.0.0.1:${PROXY_PORT}`;
const ARTIFACTS = path.join(ROOT, "test/artifacts");

const ready =
  requireTool("nginx", existsSync(NGINX), "apt-get install nginx") &&
  requireTool("chromium", existsSync("/usr/bin/chromium"), "apt-get install chromium") &&
  requireTool("pushboard production build", existsSync(path.join(ROOT, ".next/BUILD_ID")), "run npm run build first");

function nginxConfig(dir: string): string {
  return `daemon off;
master_process off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 256; }
http {
  access_log ${dir}/access.log;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  server {
    listen 127.0.0.1:${PROXY_PORT};
    # Anything outside the two prefixes is not pushboard: a request the dashboard makes there is a bug.
    location / { return 404 "not pushboard\\n"; }
    # The path as the browser sent it, prefix included.
    # Host with its port, so the dashboard's same-origin check recognises the browser's Origin.
    location /pushgateway/ {
      proxy_pass http://127.0.0.1:${PREFIXED_PORT};
      proxy_http_version 1.1;
      proxy_set_header Host $http_host;
    }
    # The prefix stripped (proxy_pass with a URI replaces the matched location); Host without its port: the
    # same-origin check accepts the Origin because it names --web.external-url's host.
    location /pg/ {
      proxy_pass http://127.0.0.1:${STRIPPED_PORT}/;
      proxy_http_version 1.1;
      proxy_set_header Host $host;
    }
  }
}
`;
}

let work = "";
let nginx: ChildProcess | undefined;
let nginxExited: Promise<unknown> = Promise.resolve();
let prefixed: RunningServer | undefined;
let stripped: RunningServer | undefined;
let browser: Browser | undefined;

async function waitForProxy(url: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(url)).status === 200) return;
    } catch {
      /* not yet listening */
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nginx did not answer ${url}`);
}

async function push(base: string, p: string, body: string): Promise<void> {
  const r = await fetch(base + p, { method: "PUT", body });
  await r.arrayBuffer();
  expect(r.status, p).toBe(200);
}

/** A page that records every request it makes and every failure, to check they all stay under the prefix. */
async function openPage(): Promise<{ page: Page; requests: string[]; failures: string[] }> {
  const ctx = await browser!.newContext({ viewport: { width: 1280, height: 900 } });
  ctx.setDefaultTimeout(15_000);
  const page = await ctx.newPage();
  const requests: string[] = [];
  const failures: string[] = [];
  page.on("request", (r) => requests.push(r.url()));
  // Prefetches the browser abandons on navigation are not failures.
  page.on("requestfailed", (r) => {
    if (r.failure()?.errorText !== "net::ERR_ABORTED") failures.push(`failed ${r.url()}: ${r.failure()?.errorText}`);
  });
  page.on("response", (r) => {
    if (r.status() >= 400) failures.push(`${r.status()} ${r.url()}`);
  });
  page.on("console", (m) => {
    if (m.type() === "error") failures.push(`console: ${m.text()}`);
  });
  page.on("pageerror", (e) => failures.push(`pageerror: ${String(e)}`));
  return { page, requests, failures };
}

/** Every link on the page: in-app links under the prefix, else only in-page anchors and the external help. */
async function expectLinksUnder(page: Page, prefix: string): Promise<void> {
  const hrefs = await page.locator("a[href]").evaluateAll((as) => as.map((a) => a.getAttribute("href")!));
  expect(hrefs.length).toBeGreaterThan(0);
  for (const h of hrefs) {
    if (h.startsWith("#") || h.startsWith("https://")) continue;
    expect(h, "link").toMatch(new RegExp(`^${prefix}/`));
  }
}

beforeAll(async () => {
  if (!ready) return;
  mkdirSync(ARTIFACTS, { recursive: true });
  work = mkdtempSync(path.join(tmpdir(), "pushboard-nginx-"));
  writeFileSync(path.join(work, "nginx.conf"), nginxConfig(work));
  const check = spawnSync(NGINX, ["-t", "-p", work, "-e", path.join(work, "error.log"), "-c", path.join(work, "nginx.conf")], { encoding: "utf8" });
  if (check.status !== 0) throw new Error(`nginx -t failed:\n${check.stderr}`);
  [prefixed, stripped] = await Promise.all([
    startPushboard(PREFIXED_PORT, { args: ["--web.route-prefix=/pushgateway", "--web.enable-admin-api"], readyPath: "/pushgateway/-/ready" }),
    startPushboard(STRIPPED_PORT, { args: [`--web.external-url=${PROXY}/pg/`, "--web.route-prefix=/"] }),
  ]);
  nginx = spawn(NGINX, ["-p", work, "-e", path.join(work, "error.log"), "-c", path.join(work, "nginx.conf")], { stdio: "ignore" });
  nginxExited = new Promise((resolve) => nginx!.on("exit", resolve));
  await waitForProxy(`${PROXY}/pushgateway/-/ready`);
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  if (nginx && nginx.exitCode === null) {
    nginx.kill("SIGTERM");
    await nginxExited;
  }
  await prefixed?.stop();
  await stripped?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe.skipIf(!ready)("dashboard under /pushgateway/ (--web.route-prefix) behind nginx", () => {
  const base = `${PROXY}/pushgateway`;

  it("the seed's push and scrape work under the prefix, and nothing answers outside it", async () => {
    await push(base, "/metrics/job/some_job", "some_metric 3.14\n");
    await push(base, "/metrics/job/backup/instance/db-1", "# TYPE backup_size_bytes gauge\nbackup_size_bytes 42\n");
    expect(await (await fetch(base + "/metrics")).text()).toContain('some_metric{instance="",job="some_job"} 3.14');
    // Directly at the pushboard port: the dashboard lives only under the prefix, like the Pushgateway's UI.
    for (const p of ["/", "/status", "/_next/static/x.js", "/api/ui/groups"]) {
      expect((await fetch(`http://127.0.0.1:${PREFIXED_PORT}${p}`)).status, p).toBe(404);
    }
  });

  it("pages, assets, API calls and links all stay under the prefix", async () => {
    const { page, requests, failures } = await openPage();
    await page.goto(base + "/");
    const rows = page.locator("[data-testid=group-row]");
    await expect.poll(() => rows.count()).toBe(2);
    // Tailwind's compiled CSS came through the prefix.
    expect(await page.evaluate(() => getComputedStyle(document.querySelector(".bg-brand")!).backgroundColor)).toBe("rgb(230, 82, 44)");
    await expectLinksUnder(page, "/pushgateway");
    await page.screenshot({ path: path.join(ARTIFACTS, "route-prefix-groups.png"), fullPage: true });

    // Client-side navigation through the nav bar, then into a group and back.
    await page.getByRole("link", { name: "Status" }).click();
    await page.waitForURL(`${base}/status`);
    await page.getByTestId("flags").waitFor();
    expect(await page.getByRole("link", { name: "Status" }).getAttribute("aria-current")).toBe("page");
    expect(await page.locator("main").textContent()).toContain("/pushgateway");
    await expectLinksUnder(page, "/pushgateway");
    await page.getByRole("link", { name: "Groups" }).click();
    await page.waitForURL(`${base}/`);
    await rows.filter({ hasText: "job=backup" }).getByRole("link").click();
    await page.waitForURL(new RegExp(`^${base}/groups/[A-Za-z0-9_-]+$`));
    await page.getByTestId("exposition").waitFor();
    expect(await page.getByTestId("exposition").textContent()).toContain('backup_size_bytes{instance="db-1",job="backup"} 42');
    // The delete command names the URL the browser sees.
    expect(await page.getByTestId("curl").textContent()).toBe(`curl -X DELETE '${base}/metrics/job/backup/instance/db-1'`);
    await expectLinksUnder(page, "/pushgateway");

    // A full load of a deep link, then a mutation through the JSON API and the navigation after it.
    const detail = page.url();
    await page.goto(detail);
    await page.getByTestId("exposition").waitFor();
    await page.getByRole("button", { name: /^Delete group/ }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Delete group" }).click();
    await page.waitForURL(`${base}/`);
    await expect.poll(() => rows.count()).toBe(1);
    expect(await (await fetch(base + "/metrics")).text()).not.toContain("backup_size_bytes");

    expect(failures).toEqual([]);
    const outside = requests.filter((u) => !u.startsWith(base + "/"));
    expect(outside).toEqual([]);
    // The assets and the API really went through the prefix.
    expect(requests.some((u) => u.startsWith(`${base}/_next/static/`))).toBe(true);
    expect(requests.some((u) => u.startsWith(`${base}/api/ui/groups`))).toBe(true);
    await page.context().close();
  }, 90_000);
});

describe.skipIf(!ready)("dashboard under /pg/ (--web.external-url, the proxy strips the prefix)", () => {
  const base = `${PROXY}/pg`;

  it("pages, assets, API calls and links carry the external URL's path", async () => {
    await push(base, "/metrics/job/nightly", "rows_total 7\n");
    const { page, requests, failures } = await openPage();
    await page.goto(base + "/");
    const rows = page.locator("[data-testid=group-row]");
    await expect.poll(() => rows.count()).toBe(1);
    await expectLinksUnder(page, "/pg");
    await rows.first().getByRole("link").click();
    await page.waitForURL(new RegExp(`^${base}/groups/[A-Za-z0-9_-]+$`));
    await page.getByTestId("exposition").waitFor();
    expect(await page.getByTestId("curl").textContent()).toBe(`curl -X DELETE '${base}/metrics/job/nightly'`);
    await page.getByRole("link", { name: "Status" }).click();
    await page.waitForURL(`${base}/status`);
    await page.getByTestId("flags").waitFor();
    // A mutation through the prefixed JSON API passes the same-origin check.
    await page.getByRole("link", { name: "Groups" }).click();
    await page.waitForURL(`${base}/`);
    await rows
      .first()
      .getByRole("button", { name: /^Delete group/ })
      .click();
    await page.getByRole("dialog").getByRole("button", { name: "Delete group" }).click();
    await expect.poll(() => rows.count()).toBe(0);
    expect(await (await fetch(base + "/metrics")).text()).not.toContain("rows_total");
    expect(failures).toEqual([]);
    expect(requests.filter((u) => !u.startsWith(base + "/"))).toEqual([]);
    await page.context().close();
  }, 60_000);
});

// Browser hardening: pages carry a CSP (no framing, scripts by nonce), X-Frame-Options, nosniff and a
// Referrer-Policy; a foreign page can neither frame the dashboard nor push, delete or quit. Ports 19740-19749.
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPushboard, type RunningServer } from "../helpers/servers";
import { rawRequest } from "./helpers";

const env = { PUSHBOARD_SKIP_BUILD_CHECK: "1" };
let s: RunningServer;
let permissive: RunningServer;
let browser: Browser;

beforeAll(async () => {
  s = await startPushboard(19740, { env, args: ["--web.enable-lifecycle", "--web.enable-admin-api"] });
  permissive = await startPushboard(19741, { env, args: ["--web.allow-cross-site-push"] });
  browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"] });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await Promise.all([s?.stop("SIGKILL"), permissive?.stop("SIGKILL")]);
});

describe("page headers", () => {
  it("every page sends CSP with frame-ancestors 'none', X-Frame-Options DENY, nosniff and Referrer-Policy; scripts carry the nonce", async () => {
    for (const p of ["/", "/status", "/groups/x"]) {
      const r = await rawRequest(s.port, { path: p }).done;
      const csp = String(r.headers["content-security-policy"]);
      expect(csp, p).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain("'unsafe-inline' 'nonce"); // scripts by nonce, not unsafe-inline
      expect(r.headers["x-frame-options"]).toBe("DENY");
      expect(r.headers["x-content-type-options"]).toBe("nosniff");
      expect(r.headers["referrer-policy"]).toBe("same-origin");
      const nonce = /script-src 'self' 'nonce-([^']+)'/.exec(csp)![1]!;
      const scripts = [...r.body.toString().matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
      expect(scripts.length).toBeGreaterThan(0);
      for (const tag of scripts) expect(tag, p).toContain(`nonce="${nonce}"`);
    }
    const again = await rawRequest(s.port, { path: "/" }).done;
    const first = await rawRequest(s.port, { path: "/" }).done;
    expect(again.headers["content-security-policy"]).not.toBe(first.headers["content-security-policy"]);
  });

  it("the dashboard works under its CSP in Chromium, and cannot be framed", async () => {
    expect((await rawRequest(s.port, { method: "PUT", path: "/metrics/job/csp_job", body: "m 1\n" }).done).status).toBe(200);
    const page = await browser.newPage();
    const violations: string[] = [];
    page.on("console", (m) => {
      if (/Content Security Policy|Refused to/i.test(m.text())) violations.push(m.text());
    });
    await page.goto(`${s.url}/`);
    // Rendered by the client from the JSON API: only happens when the scripts ran.
    await page.getByText("csp_job").first().waitFor({ timeout: 20_000 });
    expect(violations).toEqual([]);
    // A foreign page framing the dashboard gets nothing.
    await page.route("http://evil.example/", (route) => route.fulfill({ contentType: "text/html", body: `<iframe id="f" src="${s.url}/"></iframe>` }));
    await page.goto("http://evil.example/");
    await page.waitForTimeout(1000);
    const frame = page.frames().find((f) => f !== page.mainFrame());
    const framed = frame ? await frame.evaluate(() => document.body?.innerText ?? "").catch(() => "") : "";
    expect(framed).not.toContain("csp_job");
    await page.close();
  }, 60_000);
});

describe("cross-site protocol writes", () => {
  const cases: Array<[string, Record<string, string>]> = [
    ["Sec-Fetch-Site: cross-site", { "Sec-Fetch-Site": "cross-site" }],
    ["a foreign Origin", { Origin: "http://evil.example" }],
    ["a foreign Origin with X-Forwarded-Host naming it", { Origin: "http://evil.example", "X-Forwarded-Host": "evil.example" }],
    ["Origin: null", { Origin: "null" }],
  ];
  it.each(cases)("a push with %s is refused (403 naming --web.allow-cross-site-push)", async (_what, headers) => {
    for (const [method, path] of [
      ["PUT", "/metrics/job/xsite"],
      ["POST", "/metrics/job/xsite"],
      ["DELETE", "/metrics/job/xsite"],
      ["PUT", "/-/quit"],
      ["PUT", "/api/v1/admin/wipe"],
    ] as const) {
      const r = await rawRequest(s.port, { method, path, headers, body: method === "DELETE" ? undefined : "m 1\n" }).done;
      expect(r.status, `${method} ${path}`).toBe(403);
      expect(r.body.toString()).toContain("--web.allow-cross-site-push");
    }
    expect((await rawRequest(s.port, { path: "/metrics" }).done).body.toString()).not.toContain('job="xsite"');
  });
  it("push clients (no Origin), same-origin pages, and scrapes still work", async () => {
    expect((await rawRequest(s.port, { method: "PUT", path: "/metrics/job/xsite", body: "m 1\n" }).done).status).toBe(200);
    const same = await rawRequest(s.port, {
      method: "PUT",
      path: "/metrics/job/xsite",
      headers: { Origin: s.url, "Sec-Fetch-Site": "same-origin" },
      body: "m 1\n",
    }).done;
    expect(same.status).toBe(200);
    expect((await rawRequest(s.port, { path: "/metrics", headers: { "Sec-Fetch-Site": "cross-site" } }).done).status).toBe(200);
  });
  it("--web.allow-cross-site-push restores the Pushgateway's behaviour", async () => {
    const r = await rawRequest(permissive.port, {
      method: "PUT",
      path: "/metrics/job/xsite",
      headers: { "Sec-Fetch-Site": "cross-site", Origin: "http://evil.example" },
      body: "m 1\n",
    }).done;
    expect(r.status).toBe(200);
  });
});

describe("dashboard mutations", () => {
  it("the origin check does not trust X-Forwarded-Host", async () => {
    expect((await rawRequest(s.port, { method: "PUT", path: "/metrics/job/victim", body: "m 1\n" }).done).status).toBe(200);
    const list = JSON.parse((await rawRequest(s.port, { path: "/api/ui/groups?q=job%3Dvictim" }).done).body.toString());
    const r = await rawRequest(s.port, {
      method: "POST",
      path: "/api/ui/groups/delete",
      headers: { "Content-Type": "application/json", Origin: "http://evil.example", "X-Forwarded-Host": "evil.example" },
      body: JSON.stringify({ ids: [list.rows[0].id] }),
    }).done;
    expect(r.status).toBe(403);
    expect((await rawRequest(s.port, { path: "/metrics" }).done).body.toString()).toContain('job="victim"');
  });
});

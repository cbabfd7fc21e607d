// Scoped access through the built server: the `authorization` block of --web.config.file with real bcrypt hashes,
// each role's rights over HTTP, anonymous roles, open health, and a web config without the block unchanged.
// Ports 19920-19930.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import bcrypt from "bcryptjs";
import { chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPushboard, type RunningServer } from "../helpers/servers";
import { rawRequest, type RawResponse } from "./helpers";
import { requireProgram } from "../system-deps.mjs";

const dir = mkdtempSync(path.join(tmpdir(), "pushboard-roles-"));
// Cost 4: real bcrypt hashes, cheap enough for many distinct sign-ins.
const hash = (pw: string) => bcrypt.hashSync(pw, 4).replace("$2b$", "$2y$");
const USERS = `basic_auth_users:
  ops: ${hash("ops-pw")}
  ci: ${hash("ci-pw")}
  grafana: ${hash("grafana-pw")}
`;
const basic = (user: string) => ({ Authorization: `Basic ${Buffer.from(`${user}:${user}-pw`).toString("base64")}` });
const OPS = basic("ops");
const CI = basic("ci");
const GRAFANA = basic("grafana");
const BODY = "some_metric 1\n";
const servers: RunningServer[] = [];

function webConfig(name: string, text: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}
async function start(port: number, file: string, extra: string[] = []): Promise<RunningServer> {
  const s = await startPushboard(port, { args: [`--web.config.file=${file}`, "--web.enable-admin-api", "--web.enable-lifecycle", ...extra] });
  servers.push(s);
  return s;
}
const req = (s: RunningServer, method: string, p: string, headers: Record<string, string> = {}, body?: string): Promise<RawResponse> =>
  rawRequest(s.port, { method, path: p, headers: body === undefined ? headers : { "Content-Type": "text/plain", ...headers }, body }).done;
const text = (r: RawResponse) => r.body.toString("utf8");

afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop("SIGKILL")));
});

describe("scoped access", () => {
  let s: RunningServer;
  beforeAll(async () => {
    const file = webConfig(
      "scoped.yml",
      USERS +
        `authorization:
  users:
    ci: { roles: [push], jobs: ["build-*", "deploy"] }
    grafana: { roles: [read] }
`,
    );
    s = await start(19920, file);
  }, 60_000);

  it("a read user scrapes and reads the APIs and the dashboard; a push gets 403 naming the role", async () => {
    expect((await req(s, "PUT", "/metrics/job/build-1", OPS, BODY)).status).toBe(200);
    const scrape = await req(s, "GET", "/metrics", GRAFANA);
    expect(scrape.status).toBe(200);
    expect(text(scrape)).toContain('some_metric{instance="",job="build-1"} 1');
    expect((await req(s, "GET", "/api/v1/metrics", GRAFANA)).status).toBe(200);
    expect((await req(s, "GET", "/", GRAFANA)).status).toBe(200);
    const status = JSON.parse(text(await req(s, "GET", "/api/ui/status", GRAFANA)));
    expect(status).toMatchObject({ user: "grafana", roles: ["read"] });
    const push = await req(s, "PUT", "/metrics/job/build-1", GRAFANA, BODY);
    expect(push.status).toBe(403);
    expect(text(push)).toContain('user "grafana" lacks the push role');
    const del = await req(s, "POST", "/api/ui/groups/delete", { ...GRAFANA, "Content-Type": "application/json" }, JSON.stringify({ ids: [] }));
    expect(del.status).toBe(403);
    expect(text(del)).toContain("admin role");
  });

  it("a push user pushes and deletes its jobs only, cannot wipe, scrape or quit", async () => {
    expect((await req(s, "PUT", "/metrics/job/build-1/instance/a", CI, BODY)).status).toBe(200);
    expect((await req(s, "POST", `/metrics/job@base64/${Buffer.from("deploy").toString("base64url")}`, CI, BODY)).status).toBe(200);
    const other = await req(s, "PUT", "/metrics/job/other", CI, BODY);
    expect(other.status).toBe(403);
    expect(text(other)).toContain('may push only to jobs build-*, deploy, not job "other"');
    const wipe = await req(s, "PUT", "/api/v1/admin/wipe", CI);
    expect(wipe.status).toBe(403);
    expect(text(wipe)).toContain("admin role");
    expect((await req(s, "DELETE", "/api/v1/groups?match[]=%7Bjob%3D%22build-1%22%7D", CI)).status).toBe(403);
    expect((await req(s, "GET", "/metrics", CI)).status).toBe(403);
    expect((await req(s, "PUT", "/-/quit", CI)).status).toBe(403);
    // Nothing was stored by the refused push.
    expect(text(await req(s, "GET", "/metrics", OPS))).not.toContain('job="other"');
  });

  it("the audit trail records the push user who deleted a group", async () => {
    expect((await req(s, "PUT", "/metrics/job/build-audit", CI, BODY)).status).toBe(200);
    expect((await req(s, "DELETE", "/metrics/job/build-audit", CI)).status).toBe(202);
    const audit = JSON.parse(text(await req(s, "GET", "/api/v1/audit", GRAFANA))) as {
      data: Array<{ action: string; user: string | null; labels: Record<string, string> }>;
    };
    const entry = audit.data.find((e) => e.labels.job === "build-audit");
    expect(entry).toMatchObject({ action: "delete", user: "ci" });
  });

  it("wrong or missing credentials get 401; health is open without credentials", async () => {
    expect((await req(s, "GET", "/metrics")).status).toBe(401);
    expect((await req(s, "PUT", "/metrics/job/build-1", {}, BODY)).status).toBe(401);
    const wrong = await req(s, "GET", "/-/healthy", { Authorization: `Basic ${Buffer.from("ci:nope").toString("base64")}` });
    expect(wrong.status).toBe(401);
    expect((await req(s, "GET", "/-/healthy")).status).toBe(200);
    expect((await req(s, "GET", "/-/ready")).status).toBe(200);
  });

  it("a client cannot claim a user or roles through the server's own headers", async () => {
    const forged = await req(s, "GET", "/api/ui/status", { ...GRAFANA, "x-pushboard-user": "ops", "x-pushboard-roles": "admin" });
    expect(JSON.parse(text(forged))).toMatchObject({ user: "grafana", roles: ["read"] });
  });

  it("an admin (a user without an entry) can do everything, /-/quit last", async () => {
    expect((await req(s, "PUT", "/metrics/job/other", OPS, BODY)).status).toBe(200);
    expect((await req(s, "DELETE", "/api/v1/groups?match[]=%7Bjob%3D%22other%22%7D", OPS)).status).toBe(200);
    expect(JSON.parse(text(await req(s, "GET", "/api/ui/status", OPS)))).toMatchObject({ user: "ops", roles: ["read", "push", "admin"] });
    expect((await req(s, "PUT", "/api/v1/admin/wipe", OPS)).status).toBe(202);
    expect((await req(s, "PUT", "/-/quit", OPS)).status).toBe(200);
    expect(await s.exited).toBe(0);
  });
});

describe("anonymous roles and closed health", () => {
  it("anonymous [read] scrapes without credentials, cannot push; open_health false closes health", async () => {
    const file = webConfig(
      "anon.yml",
      USERS +
        `authorization:
  users:
    ci: { roles: [push], jobs: ["build-*"] }
  anonymous: { roles: [read] }
  open_health: false
`,
    );
    const s = await start(19921, file);
    expect((await req(s, "GET", "/metrics")).status).toBe(200);
    expect((await req(s, "GET", "/api/v1/status")).status).toBe(200);
    const status = JSON.parse(text(await req(s, "GET", "/api/ui/status")));
    expect(status.user).toBeUndefined();
    expect(status.roles).toEqual(["read"]);
    const push = await req(s, "PUT", "/metrics/job/build-1", {}, BODY);
    expect(push.status).toBe(401);
    expect(push.headers["www-authenticate"]).toBe("Basic");
    expect(text(push)).toContain("anonymous requests lack the push role");
    expect((await req(s, "PUT", "/metrics/job/build-1", CI, BODY)).status).toBe(200);
    // Anonymous holds a role, so health is reachable anyway; a server without anonymous roles is checked below.
    expect((await req(s, "GET", "/-/healthy")).status).toBe(200);
    const closed = await start(19922, webConfig("closed.yml", USERS + "authorization:\n  open_health: false\n"));
    expect((await req(closed, "GET", "/-/healthy")).status).toBe(401);
    expect((await req(closed, "GET", "/-/healthy", CI)).status).toBe(200);
  }, 60_000);

  it("without basic_auth_users, anonymous roles still apply (403: no credentials could help)", async () => {
    const s = await start(19923, webConfig("no-users.yml", "authorization:\n  anonymous: { roles: [read] }\n"));
    expect((await req(s, "GET", "/metrics")).status).toBe(200);
    const push = await req(s, "PUT", "/metrics/job/x", {}, BODY);
    expect(push.status).toBe(403);
    expect(text(push)).toContain("push role");
  }, 60_000);

  it("respects --web.route-prefix", async () => {
    const s = await start(19924, webConfig("prefix.yml", USERS + "authorization:\n  users:\n    ci: { roles: [push], jobs: [build-*] }\n"), [
      "--web.route-prefix=/pg",
    ]);
    expect((await req(s, "PUT", "/pg/metrics/job/build-1", CI, BODY)).status).toBe(200);
    expect((await req(s, "PUT", "/pg/metrics/job/other", CI, BODY)).status).toBe(403);
    expect((await req(s, "GET", "/pg/-/healthy")).status).toBe(200);
    // An unclean path is only redirected, never routed around the check.
    const sneaky = await req(s, "PUT", "/pg/metrics/job/build-1/../../job/other", CI, BODY);
    expect(sneaky.status).toBe(301);
    expect(text(await req(s, "GET", "/pg/metrics", OPS))).not.toContain('job="other"');
  }, 60_000);
});

describe("configuration", () => {
  it("a web config without authorization works as before: every user has full access, nothing without credentials", async () => {
    const s = await start(19925, webConfig("plain.yml", USERS));
    expect((await req(s, "GET", "/-/healthy")).status).toBe(401);
    expect((await req(s, "GET", "/metrics")).status).toBe(401);
    expect((await req(s, "PUT", "/metrics/job/anything", GRAFANA, BODY)).status).toBe(200);
    expect((await req(s, "PUT", "/api/v1/admin/wipe", CI)).status).toBe(202);
    expect(JSON.parse(text(await req(s, "GET", "/api/ui/status", CI)))).toMatchObject({ user: "ci", roles: ["read", "push", "admin"] });
  }, 60_000);

  it("an invalid authorization block stops the start with a clear error", async () => {
    const cases: Array<[string, RegExp]> = [
      ["authorization:\n  users:\n    ci: { roles: [pusher] }\n", /unknown role .{0,2}pusher/],
      ["authorization:\n  users:\n    mallory: { roles: [read] }\n", /mallory: unknown user \(not in basic_auth_users\)/],
      ["authorization:\n  users:\n    ci: { roles: [push], jobs: ['build-[0-9]'] }\n", /bad glob/],
    ];
    for (const [i, [block, message]] of cases.entries()) {
      await expect(start(19926 + i, webConfig(`bad-${i}.yml`, USERS + block))).rejects.toThrow(message);
    }
  }, 60_000);
});

const CHROMIUM = requireProgram("chromium");

describe.skipIf(!CHROMIUM)("dashboard in Chromium", () => {
  it("shows who is signed in; a read user sees no delete buttons, an admin does", async () => {
    const file = webConfig("browser.yml", USERS + "authorization:\n  users:\n    grafana: { roles: [read] }\n");
    const s = await start(19930, file);
    expect((await req(s, "PUT", "/metrics/job/browser_job", OPS, BODY)).status).toBe(200);
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"] });
    try {
      for (const [user, roles, deletes] of [
        ["grafana", "(read)", false],
        ["ops", "(read, push, admin)", true],
      ] as const) {
        const ctx = await browser.newContext({ httpCredentials: { username: user, password: `${user}-pw` } });
        const page = await ctx.newPage();
        await page.goto(`${s.url}/`);
        await page.getByText("browser_job").first().waitFor({ timeout: 20_000 });
        const signedIn = page.getByTestId("signed-in");
        await signedIn.waitFor({ timeout: 20_000 });
        expect(await signedIn.innerText()).toBe(`signed in as ${user} ${roles}`);
        const buttons = page.getByRole("button", { name: /^Delete/ });
        if (deletes) await buttons.first().waitFor({ timeout: 20_000 });
        expect((await buttons.count()) > 0, user).toBe(deletes);
        await ctx.close();
      }
    } finally {
      await browser.close();
    }
  }, 90_000);
});

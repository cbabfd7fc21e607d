// The composition root (lib/server/boot.ts): both front ends, the pushboard server (its command line) and Next.js
// alone ($PUSHBOARD_ARGS), build the runtime from the same configuration, basic auth and roles included.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import type http from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import bcrypt from "bcryptjs";
import { afterAll, describe, expect, it } from "vitest";
import { GET as getStatus } from "../../../app/api/ui/status/route";
import { parseFlags } from "../../../lib/config/flags";
import { bootRuntime, loadSettings, nextRuntime, settingsFromEnv } from "../../../lib/server/boot";
import { isFullRuntime, type FullRuntime } from "../../../lib/server/create-runtime";
import { createRequestListener, InFlightRequests, listen } from "../../../lib/server/http-front";
import { handleProtocolRequest } from "../../../lib/server/next-adapter";
import { clearRuntime } from "../../../lib/server/runtime";

const PORT = 20201;
const dir = mkdtempSync(path.join(tmpdir(), "pushboard-boot-"));
const webConfig = path.join(dir, "web.yml");
writeFileSync(
  webConfig,
  [
    "basic_auth_users:",
    `  ops: ${bcrypt.hashSync("ops-pw", 4)}`,
    `  grafana: ${bcrypt.hashSync("grafana-pw", 4)}`,
    "authorization:",
    "  users:",
    "    grafana: { roles: [read] }",
    "",
  ].join("\n"),
);
const args = ["--storage.backend=memory", `--web.config.file=${webConfig}`, "--web.enable-admin-api", "--push.max-series-per-push=7"];
const basic = (user: string, pw: string) => "Basic " + Buffer.from(`${user}:${pw}`).toString("base64");
const silent = () => {};

const opened: FullRuntime[] = [];
const servers: http.Server[] = [];
afterAll(async () => {
  servers.forEach((s) => s.close());
  for (const rt of opened) {
    rt.lifecycle.stop();
    await rt.access.close();
    await rt.store.close();
  }
  clearRuntime();
  delete process.env.PUSHBOARD_ARGS;
  rmSync(dir, { recursive: true, force: true });
});

function cliSettings() {
  const action = parseFlags(args, {});
  if (action.kind !== "serve") throw new Error("expected serve");
  return loadSettings(action.config);
}

describe("one composition root for both front ends", () => {
  it("reads the same configuration from the command line and from $PUSHBOARD_ARGS", () => {
    const cli = cliSettings();
    const next = settingsFromEnv({ PUSHBOARD_ARGS: args.join(" ") });
    expect(next.config).toEqual(cli.config);
    expect(next.config.limits.maxSeriesPerPush).toBe(7);
    expect([...next.web!.users.keys()]).toEqual(["ops", "grafana"]);
    expect(next.web!.authorization).toBeDefined();
  });

  it("Next.js alone: protocol paths and /api/ui need the credentials and honour the roles", async () => {
    clearRuntime();
    process.env.PUSHBOARD_ARGS = args.join(" ");
    const rt = await nextRuntime();
    if (!isFullRuntime(rt)) throw new Error("expected a full runtime");
    opened.push(rt);
    expect(rt.frontEnd).toBe("next");
    expect(rt.config.enableAdminApi).toBe(true);

    const scrape = (headers: Record<string, string> = {}) => handleProtocolRequest(new Request("http://pb/metrics", { headers }));
    const anonymous = await scrape();
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("www-authenticate")).toBe("Basic");
    expect((await scrape({ authorization: basic("ops", "wrong") })).status).toBe(401);
    expect((await scrape({ authorization: basic("grafana", "grafana-pw") })).status).toBe(200);
    // grafana may read but not push.
    const push = await handleProtocolRequest(
      new Request("http://pb/metrics/job/j", { method: "PUT", headers: { authorization: basic("grafana", "grafana-pw") }, body: "x 1\n" }),
    );
    expect(push.status).toBe(403);
    expect(await push.text()).toMatch(/push role/);
    const opsPush = await handleProtocolRequest(
      new Request("http://pb/metrics/job/j", { method: "PUT", headers: { authorization: basic("ops", "ops-pw") }, body: "x 1\n" }),
    );
    expect(opsPush.status).toBe(200);

    expect((await getStatus(new Request("http://pb/api/ui/status"))).status).toBe(401);
    // A client cannot name itself through the headers the pushboard server sets: the credentials decide.
    const status = await getStatus(
      new Request("http://pb/api/ui/status", {
        headers: { authorization: basic("grafana", "grafana-pw"), "x-pushboard-user": "ops", "x-pushboard-roles": "admin" },
      }),
    );
    expect(status.status).toBe(200);
    expect(await status.json()).toMatchObject({ user: "grafana", roles: ["read"], groups: 1 });
  });

  it("the pushboard server: the same access from the same settings", async () => {
    const rt = await bootRuntime(cliSettings(), { frontEnd: "pushboard", requestShutdown: silent, log: silent });
    opened.push(rt);
    const dashboard = async (_req: http.IncomingMessage, res: http.ServerResponse) => void res.end("dashboard");
    servers.push(await listen(rt, `127.0.0.1:${PORT}`, createRequestListener(rt, dashboard, silent, new InFlightRequests())));
    const get = (p: string, headers: Record<string, string> = {}) => fetch(`http://127.0.0.1:${PORT}${p}`, { headers });
    expect((await get("/metrics")).status).toBe(401);
    expect((await get("/metrics", { authorization: basic("grafana", "grafana-pw") })).status).toBe(200);
    const page = await get("/status", { authorization: basic("ops", "ops-pw") });
    expect(page.status).toBe(200);
    expect(await page.text()).toBe("dashboard");
    const push = await fetch(`http://127.0.0.1:${PORT}/metrics/job/j`, {
      method: "PUT",
      headers: { authorization: basic("grafana", "grafana-pw") },
      body: "x 1\n",
    });
    expect(push.status).toBe(403);
  });
});

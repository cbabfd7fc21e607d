// Data files are private, and a full disk is visible: in /-/ready, in a metric and on the status page.
// Ports 19730-19739.
import { spawnSync } from "node:child_process";
import { mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startPushboard, type RunningServer } from "../helpers/servers";
import { rawRequest, type RawResponse } from "./helpers";

const env = { PUSHBOARD_SKIP_BUILD_CHECK: "1" };
const running: RunningServer[] = [];
const mounts: string[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop("SIGKILL")));
  for (const m of mounts.splice(0)) spawnSync("umount", [m]);
});
const mode = (p: string) => (statSync(p).mode & 0o777).toString(8);

describe("data files", () => {
  it("the data directory is 0700 and the database and its WAL 0600", async () => {
    const dataDir = path.join(mkdtempSync(path.join(tmpdir(), "pushboard-modes-")), "data");
    const s = await startPushboard(19730, { env, memory: false, dataDir });
    running.push(s);
    expect((await rawRequest(s.port, { method: "PUT", path: "/metrics/job/a", body: "m 1\n" }).done).status).toBe(200);
    expect(mode(dataDir)).toBe("700");
    expect(mode(path.join(dataDir, "pushboard.db"))).toBe("600");
    expect(mode(path.join(dataDir, "pushboard.db-wal"))).toBe("600");
  });
});

describe("a full disk", () => {
  it("refused commits show in /-/ready (503), pushboard_storage_* metrics and the status data", async (ctx) => {
    const dataDir = mkdtempSync(path.join(tmpdir(), "pushboard-full-"));
    const m = spawnSync("mount", ["-t", "tmpfs", "-o", "size=2m", "tmpfs", dataDir], { encoding: "utf8" });
    if (m.status !== 0) {
      // A small tmpfs is the one honest full disk; without the right to mount it the case cannot run.
      if (process.env.CI === "true") throw new Error(`mount -t tmpfs failed: ${m.stderr}`);
      ctx.skip();
    }
    mounts.push(dataDir);
    const s = await startPushboard(19731, { env, memory: false, dataDir });
    running.push(s);
    expect((await rawRequest(s.port, { path: "/-/ready" }).done).status).toBe(200);
    let last: RawResponse | undefined;
    for (let i = 0; i < 40 && (last === undefined || last.status === 200); i++) {
      let body = "";
      for (let k = 0; k < 2000; k++) body += `filler{k="${k}",pad="${"x".repeat(40)}"} ${i}\n`;
      last = await rawRequest(s.port, { method: "PUT", path: `/metrics/job/fill${i}`, body }).done;
    }
    expect(last!.status).toBe(500);
    expect(last!.body.toString()).toMatch(/storage error, write not applied: .*(full|space)/i);
    const ready = await rawRequest(s.port, { path: "/-/ready" }).done;
    expect(ready.status).toBe(503);
    expect(ready.body.toString()).toMatch(/storage is failing since .*(full|space)/i);
    expect((await rawRequest(s.port, { path: "/-/healthy" }).done).status).toBe(200);
    const scrape = (await rawRequest(s.port, { path: "/metrics" }).done).body.toString();
    expect(scrape).toMatch(/^pushboard_storage_errors_total [1-9]/m);
    expect(scrape).toMatch(/^pushboard_storage_failing 1$/m);
    const status = JSON.parse((await rawRequest(s.port, { path: "/api/ui/status" }).done).body.toString());
    expect(status.storageErrors.total).toBeGreaterThan(0);
    expect(status.storageErrors.failing.message).toMatch(/full|space/i);
  });
});

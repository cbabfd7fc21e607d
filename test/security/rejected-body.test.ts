// A request rejected before its body was read (bad path 400, over-limit 413, no credentials 401) must still
// reach clients that write the whole body before reading the answer: Python's urllib and http.client, Node's
// fetch. The server reads and discards the rest of the body (bounded) instead of resetting the connection.
// Ports 19720-19729.
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import bcrypt from "bcryptjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPushboard, type RunningServer } from "../helpers/servers";
import { healthLatency, PROMPT_MS } from "./helpers";

const PY_PUSH = `
import sys, urllib.request, urllib.error, http.client
mode, url, size = sys.argv[1], sys.argv[2], int(sys.argv[3])
body = b"m 1\\n" * (size // 4)
try:
    if mode == "urllib":
        req = urllib.request.Request(url, data=body, method="PUT")
        try:
            r = urllib.request.urlopen(req, timeout=60)
            print(r.status, r.read().decode().strip())
        except urllib.error.HTTPError as e:
            print(e.code, e.read().decode().strip())
    else:
        u = urllib.parse.urlsplit(url)
        c = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
        c.request("PUT", u.path, body=body)
        r = c.getresponse()
        print(r.status, r.read().decode().strip())
except Exception as e:
    print("ERROR", type(e).__name__, e)
`;

function pythonPush(mode: "urllib" | "http.client", url: string, size: number): string {
  const r = spawnSync("python3", ["-c", PY_PUSH, mode, url, String(size)], { encoding: "utf8", timeout: 120_000 });
  return (r.stdout + r.stderr).trim();
}

const MB = 1_000_000;
let open: RunningServer;
let guarded: RunningServer;

beforeAll(async () => {
  const env = { PUSHBOARD_SKIP_BUILD_CHECK: "1" };
  open = await startPushboard(19720, { env });
  const dir = mkdtempSync(path.join(tmpdir(), "pushboard-sec-"));
  const file = path.join(dir, "web.yml");
  writeFileSync(file, `basic_auth_users:\n  alice: ${bcrypt.hashSync("s3cret", 4)}\n`);
  guarded = await startPushboard(19721, { env, args: [`--web.config.file=${file}`] });
}, 60_000);
afterAll(async () => {
  await Promise.all([open?.stop("SIGKILL"), guarded?.stop("SIGKILL")]);
});

describe("rejected requests reach the client", () => {
  it.each(["urllib", "http.client"] as const)("Python %s pushing 30 MB over the limit gets the 413 and its message", (mode) => {
    expect(pythonPush(mode, `${open.url}/metrics/job/big`, 30 * MB)).toBe(
      `413 request body larger than the limit of ${16 * 1024 * 1024} bytes (--push.max-body-size)`,
    );
  });
  it.each(["urllib", "http.client"] as const)("Python %s pushing 30 MB to a bad path gets the 400", (mode) => {
    expect(pythonPush(mode, `${open.url}/metrics/job/%zz`, 30 * MB)).toMatch(/^400 /);
  });
  it("Python urllib pushing 30 MB without credentials gets the 401", () => {
    expect(pythonPush("urllib", `${guarded.url}/metrics/job/big`, 30 * MB)).toBe("401 Unauthorized");
  });
  it("Node fetch pushing 30 MB over the limit gets the 413", async () => {
    const r = await fetch(`${open.url}/metrics/job/big`, { method: "PUT", body: Buffer.alloc(30 * MB, "a") });
    expect(r.status).toBe(413);
    expect(await r.text()).toContain("--push.max-body-size");
  });
  it("the server keeps answering others while it discards", async () => {
    const pending = fetch(`${open.url}/metrics/job/%zz`, { method: "PUT", body: Buffer.alloc(30 * MB, "a") });
    expect(await healthLatency(open.port)).toBeLessThan(PROMPT_MS);
    expect((await pending).status).toBe(400);
  });
});

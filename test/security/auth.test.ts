// Basic auth under attack: wrong passwords must not slow down signed-in users, padded tokens are refused, the
// scheme is case-insensitive, and a bad header in the web config stops the start. Ports 19710-19719.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import bcrypt from "bcryptjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPushboard, type RunningServer } from "../helpers/servers";
import { currentRss, healthLatency, PROMPT_MS, rawRequest } from "./helpers";

const dir = mkdtempSync(path.join(tmpdir(), "pushboard-auth-"));
const env = { PUSHBOARD_SKIP_BUILD_CHECK: "1" };
const token = (cred: string) => Buffer.from(cred).toString("base64");
const ALICE = { Authorization: `Basic ${token("alice:s3cret")}` };
let s: RunningServer;

beforeAll(async () => {
  const file = path.join(dir, "web.yml");
  // Cost 12 (about a quarter of a second per check): on the event loop, eight attackers stalled everything.
  writeFileSync(file, `basic_auth_users:\n  alice: ${bcrypt.hashSync("s3cret", 12).replace("$2b$", "$2y$")}\n`);
  s = await startPushboard(19710, { env, args: [`--web.config.file=${file}`] });
  expect((await rawRequest(s.port, { path: "/-/healthy", headers: ALICE }).done).status).toBe(200);
}, 60_000);
afterAll(() => s?.stop("SIGKILL"));

describe("basic auth", () => {
  it("eight clients sending wrong passwords do not delay a signed-in user's requests", async () => {
    let stop = false;
    let attempts = 0;
    const attacker = async (n: number) => {
      for (let i = 0; !stop; i++) {
        const r = await rawRequest(s.port, { path: "/metrics", headers: { Authorization: `Basic ${token(`alice:guess-${n}-${i}`)}` } }).done;
        expect(r.status).toBe(401);
        attempts++;
      }
    };
    const attackers = Array.from({ length: 8 }, (_, n) => attacker(n));
    // Let the attack saturate the bcrypt workers before measuring.
    while (attempts < 4) await new Promise((r) => setTimeout(r, 50));
    let slowest = 0;
    for (let i = 0; i < 10; i++) slowest = Math.max(slowest, await healthLatency(s.port, ALICE));
    stop = true;
    await Promise.all(attackers);
    expect(slowest).toBeLessThan(PROMPT_MS);
  }, 60_000);

  it("accepts the scheme in lower case, refuses a valid token padded with junk without growing", async () => {
    expect((await rawRequest(s.port, { path: "/-/healthy", headers: { Authorization: `basic ${token("alice:s3cret")}` } }).done).status).toBe(200);
    const before = currentRss(s.proc.pid!);
    const padded = `Basic ${token("alice:s3cret")}${"!".repeat(200_000)}`;
    for (let i = 0; i < 100; i++) {
      const r = await rawRequest(s.port, { path: "/-/healthy", headers: { Authorization: padded + "!".repeat(i) } }).done;
      expect(r.status).toBe(401);
    }
    // Each padded variant used to pass and stay cached (+280 MB for 300 of them).
    expect(currentRss(s.proc.pid!) - before).toBeLessThan(100 * 1024 * 1024);
  });

  it("an unknown user and a wrong password both get 401", async () => {
    for (const cred of ["mallory:s3cret", "alice:nope"]) {
      const r = await rawRequest(s.port, { path: "/metrics", headers: { Authorization: `Basic ${token(cred)}` } }).done;
      expect(r.status).toBe(401);
      expect(r.headers["www-authenticate"]).toBe("Basic");
    }
  });
});

describe("http_server_config.headers", () => {
  it("a header value with a newline is a startup error naming the header", async () => {
    const file = path.join(dir, "bad-headers.yml");
    writeFileSync(file, `http_server_config:\n  headers:\n    X-Custom: "a\\nInjected: yes"\n`);
    await expect(startPushboard(19711, { env, args: [`--web.config.file=${file}`] })).rejects.toThrow(/X-Custom/);
  });
  it("valid headers are sent on every answer", async () => {
    const file = path.join(dir, "good-headers.yml");
    writeFileSync(file, `http_server_config:\n  headers:\n    X-Custom: hello\n`);
    const g = await startPushboard(19712, { env, args: [`--web.config.file=${file}`] });
    try {
      expect((await rawRequest(g.port, { path: "/-/healthy" }).done).headers["x-custom"]).toBe("hello");
    } finally {
      await g.stop("SIGKILL");
    }
  });
});

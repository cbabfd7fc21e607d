// The built pushboard server as a user starts it: command line, environment, the dashboard beside the protocol
// paths, compression, persistence across restarts. Ports 19100-19119.
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import { writeFileSync } from "node:fs";
import bcrypt from "bcryptjs";
import { ROOT, startOracle, startPushboard, type RunningServer } from "../helpers/servers";

const running: RunningServer[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop("SIGKILL")));
});
async function start(port: number, opts: Parameters<typeof startPushboard>[1] = {}): Promise<RunningServer> {
  const s = await startPushboard(port, { ...opts, env: { PUSHBOARD_SKIP_BUILD_CHECK: "1", ...opts.env } });
  running.push(s);
  return s;
}
function cli(args: string[]) {
  return spawnSync(process.execPath, [path.join(ROOT, "lib/cli/pushboard.mjs"), ...args], {
    encoding: "utf8",
    env: { ...process.env, PUSHBOARD_SKIP_BUILD_CHECK: "1" },
  });
}

describe("pushboard command line", () => {
  it("--help lists the Pushgateway's flags and pushboard's own", () => {
    const r = cli(["--help"]);
    expect(r.status).toBe(0);
    for (const f of [
      "--web.listen-address",
      "--web.telemetry-path",
      "--web.enable-admin-api",
      "--web.enable-lifecycle",
      "--push.disable-consistency-check",
      "--persistence.file",
      "--persistence.interval",
      "--log.level",
      "--log.format",
      "--web.external-url",
      "--web.route-prefix",
      "--storage.backend",
      "PUSHBOARD_DATA_DIR",
    ]) {
      expect(r.stdout.replace(/--\[no-\]/g, "--")).toContain(f);
    }
  });
  it("an unknown flag is a clear error with exit code 2", () => {
    const r = cli(["--no-such.flag=1"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("unknown long flag '--no-such.flag'");
  });
  it("a bad value is an error with exit code 2", () => {
    const r = cli(["--log.level=loud"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("--log.level");
  });
  it("--version prints the version", () => {
    expect(cli(["--version"]).stdout).toMatch(/^pushboard, version \d+\.\d+\.\d+/);
  });
});

describe("pushboard server", () => {
  it("serves the seed example, the dashboard and gzip on one port", async () => {
    const s = await start(19100);
    const push = await fetch(`${s.url}/metrics/job/some_job`, { method: "POST", body: "some_metric 3.14\n" });
    expect(push.status).toBe(200);
    const text = await (await fetch(`${s.url}/metrics`)).text();
    expect(text).toContain('some_metric{instance="",job="some_job"} 3.14\n');
    expect(text).toMatch(/push_time_seconds\{instance="",job="some_job"\} \d\.\d+e\+09\n/);
    const page = await fetch(`${s.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toContain("text/html");
    const gz = await import("node:http").then(
      (http) =>
        new Promise<Buffer>((resolve, reject) => {
          http
            .get(`${s.url}/metrics`, { headers: { "Accept-Encoding": "gzip" } }, (res) => {
              expect(res.headers["content-encoding"]).toBe("gzip");
              const chunks: Buffer[] = [];
              res.on("data", (c: Buffer) => chunks.push(c)).on("end", () => resolve(Buffer.concat(chunks)));
            })
            .on("error", reject);
        }),
    );
    expect(gunzipSync(gz).toString()).toContain('some_metric{instance="",job="some_job"} 3.14');
  });

  it("listens on PORT and HOSTNAME when --web.listen-address is not given", async () => {
    const proc = await import("node:child_process").then((cp) =>
      cp.spawn(process.execPath, [path.join(ROOT, "lib/cli/pushboard.mjs"), "--storage.backend=memory"], {
        env: { ...process.env, PORT: "19101", HOSTNAME: "127.0.0.1", PUSHBOARD_SKIP_BUILD_CHECK: "1" },
        stdio: "ignore",
      }),
    );
    try {
      let ok = false;
      for (let i = 0; i < 200 && !ok; i++) {
        ok = await fetch("http://127.0.0.1:19101/-/ready").then(
          (r) => r.status === 200,
          () => false,
        );
        if (!ok) await new Promise((r) => setTimeout(r, 50));
      }
      expect(ok).toBe(true);
    } finally {
      proc.kill("SIGKILL");
    }
  });

  it("keeps every group across a SIGTERM restart with the default durable store", async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), "pushboard-http-"));
    const s1 = await start(19102, { memory: false, dataDir });
    const body = '# HELP m Help.\n# TYPE m counter\nm{x="1"} 42\n# TYPE h histogram\nh_bucket{le="1"} 1\nh_bucket{le="+Inf"} 2\nh_sum 3\nh_count 2\n';
    expect((await fetch(`${s1.url}/metrics/job/p/instance/i`, { method: "PUT", body })).status).toBe(200);
    expect((await fetch(`${s1.url}/metrics/job/gone`, { method: "PUT", body: "g 1\n" })).status).toBe(200);
    expect((await fetch(`${s1.url}/metrics/job/gone`, { method: "DELETE" })).status).toBe(202);
    const before = await (await fetch(`${s1.url}/api/v1/metrics`)).text();
    expect(await s1.stop("SIGTERM")).toBe(0);
    const s2 = await start(19103, { memory: false, dataDir });
    expect(await (await fetch(`${s2.url}/api/v1/metrics`)).text()).toBe(before);
    const text = await (await fetch(`${s2.url}/metrics`)).text();
    expect(text).toContain('m{instance="i",job="p",x="1"} 42');
    expect(text).not.toContain('job="gone"');
  });

  it("/-/quit shuts down with exit code 0 when the lifecycle API is enabled", async () => {
    const s = await start(19104, { args: ["--web.enable-lifecycle"] });
    const r = await fetch(`${s.url}/-/quit`, { method: "PUT" });
    expect(r.status).toBe(200);
    expect(await r.text()).toBe("Requesting termination... Goodbye!");
    expect(await s.exited).toBe(0);
  });

  it("answers 413 to a body over the limit and keeps serving", async () => {
    const s = await start(19105, { args: ["--push.max-body-size=1KiB"] });
    const r = await fetch(`${s.url}/metrics/job/big`, { method: "PUT", body: "m 1\n" + "#".repeat(2000) + "\n" });
    expect(r.status).toBe(413);
    expect((await fetch(`${s.url}/metrics/job/small`, { method: "PUT", body: "m 1\n" })).status).toBe(200);
  });

  it("--web.config.file basic auth guards every endpoint, like the Pushgateway", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "pushboard-webcfg-"));
    const file = path.join(dir, "web.yml");
    writeFileSync(file, `basic_auth_users:\n  alice: ${bcrypt.hashSync("s3cret", 4).replace("$2b$", "$2y$")}\n`);
    running.push(await startOracle(19106, [`--web.config.file=${file}`]));
    await start(19107, { args: [`--web.config.file=${file}`] });
    const good = { Authorization: "Basic " + Buffer.from("alice:s3cret").toString("base64") };
    const bad = { Authorization: "Basic " + Buffer.from("alice:wrong").toString("base64") };
    for (const url of ["http://127.0.0.1:19106", "http://127.0.0.1:19107"]) {
      const anon = await fetch(`${url}/metrics/job/a`, { method: "PUT", body: "m 1\n" });
      expect(anon.status, url).toBe(401);
      expect(anon.headers.get("www-authenticate")).toBe("Basic");
      expect((await fetch(`${url}/metrics`, { headers: bad })).status).toBe(401);
      expect((await fetch(`${url}/metrics/job/a`, { method: "PUT", body: "m 1\n", headers: good })).status).toBe(200);
      expect(await (await fetch(`${url}/metrics`, { headers: good })).text()).toContain('m{instance="",job="a"} 1');
    }
  });
});

// Push and storage limits: each rejection a 4xx naming the limit and its flag, counted by reason.
// Ports 19745-19749.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPushboard, type RunningServer } from "../helpers/servers";
import { rawRequest } from "./helpers";

const env = { PUSHBOARD_SKIP_BUILD_CHECK: "1" };
let s: RunningServer;
let rate: RunningServer;
const push = (srv: RunningServer, path: string, body: string, method = "PUT") => rawRequest(srv.port, { method, path, body }).done;
const series = (n: number, name = "m") => Array.from({ length: n }, (_, i) => `${name}{i="${i}"} 1\n`).join("");

beforeAll(async () => {
  s = await startPushboard(19745, {
    env,
    args: [
      "--push.max-series-per-push=100",
      "--push.max-labels-per-series=5",
      "--push.max-label-name-length=10",
      "--push.max-label-value-length=20",
      "--storage.max-groups=3",
      "--storage.max-series=150",
    ],
  });
  rate = await startPushboard(19746, { env, args: ["--push.rate-limit-per-job=0.2"] });
}, 60_000);
afterAll(() => Promise.all([s?.stop("SIGKILL"), rate?.stop("SIGKILL")]));

describe("limits", () => {
  it("series per push, labels per series, label name and value length: 413 naming the flag", async () => {
    expect((await push(s, "/metrics/job/a", series(100))).status).toBe(200);
    const cases: Array<[string, string, string]> = [
      ["/metrics/job/a", series(101), "--push.max-series-per-push"],
      ["/metrics/job/a", 'm{a="1",b="2",c="3",d="4",e="5"} 1\n', "--push.max-labels-per-series"],
      ["/metrics/job/a", 'm{abcdefghijk="1"} 1\n', "--push.max-label-name-length"],
      ["/metrics/job/a", `m{a="${"x".repeat(21)}"} 1\n`, "--push.max-label-value-length"],
      [`/metrics/job/a/instance/${"y".repeat(21)}`, "m 1\n", "--push.max-label-value-length"],
    ];
    for (const [path, body, flag] of cases) {
      const r = await push(s, path, body);
      expect(r.status, flag).toBe(413);
      expect(r.body.toString()).toContain(flag);
    }
  });

  it("storage: new groups and growth beyond the limits get 403, re-pushes within their size still succeed", async () => {
    expect((await push(s, "/metrics/job/b", series(20))).status).toBe(200);
    expect((await push(s, "/metrics/job/c", series(10))).status).toBe(200);
    const fourth = await push(s, "/metrics/job/d", "m 1\n");
    expect(fourth.status).toBe(403);
    expect(fourth.body.toString()).toContain("--storage.max-groups");
    // a: 100 + b: 20 + c: 10 + 6 push-time series = 136 of 150.
    expect((await push(s, "/metrics/job/a", series(100))).status).toBe(200);
    const grow = await push(s, "/metrics/job/c", series(30));
    expect(grow.status).toBe(403);
    expect(grow.body.toString()).toContain("--storage.max-series");
    expect((await push(s, "/metrics/job/c", series(5))).status).toBe(200);
  });

  it("rejections are counted by reason", async () => {
    const text = (await rawRequest(s.port, { path: "/metrics" }).done).body.toString();
    for (const reason of ["series_per_push", "labels_per_series", "label_name_length", "label_value_length", "max_groups", "max_series"]) {
      expect(text).toMatch(new RegExp(`^pushboard_rejected_pushes_total\\{reason="${reason}"\\} [1-9]`, "m"));
    }
  });

  it("pushes per second per job: 429 with Retry-After, other jobs unaffected", async () => {
    expect((await push(rate, "/metrics/job/r1", "m 1\n")).status).toBe(200);
    const r = await push(rate, "/metrics/job/r1", "m 2\n");
    expect(r.status).toBe(429);
    expect(Number(r.headers["retry-after"])).toBeGreaterThanOrEqual(1);
    expect(r.body.toString()).toContain("--push.rate-limit-per-job");
    expect((await push(rate, "/metrics/job/r2", "m 1\n")).status).toBe(200);
  });
});

// Deliberate differences from the Pushgateway 1.5.1 (the oracle): each is asserted as a difference, so that none
// is accidental. The oracle shows the upstream behaviour X, pushboard the better behaviour Y.
//   1. Store poisoning (docs/compatibility.md: consistency check): a rejected push whose failure bookkeeping would create a group with
//      duplicate or invalid synthetic metrics makes every later scrape 500 and every push 400 on the oracle;
//      pushboard stays usable.
//   2. Base64 job deadlock (README differences): an invalid base64 job name gives 400 once and then hangs that route forever on
//      1.5.1; pushboard answers 400 every time and the route keeps working.
//   3. --push.disable-consistency-check: the oracle stores an inconsistent push and every scrape fails until it
//      is deleted; pushboard still answers 202 but drops the inconsistent push (recording a push failure).
//   4. OpenMetrics: a client that accepts only OpenMetrics gets OpenMetrics 1.0 (the oracle sends text 0.0.4).
//   5. Limits: a push body over --push.max-body-size (default 16 MiB) gets 413; the oracle has no limit.
// Ports 19234-19239 and 19260-19265 (a fresh pair per scenario, since the oracle is left broken).
import { afterAll, describe, expect, it } from "vitest";
import { rawRequest, sleep } from "./http";
import { requireOrSkip, Target, type TargetKind } from "./runner";

const enabled = requireOrSkip();
const started: Target[] = [];

async function start(kind: TargetKind, port: number, flags: string[] = []): Promise<Target> {
  const t = new Target(kind, kind, port, flags);
  started.push(t);
  await t.start();
  return t;
}

const put = (t: Target, path: string, body = "", timeoutMs = 5000) => rawRequest(t.url, { method: "PUT", path, body }, timeoutMs);
const get = (t: Target, path: string) => rawRequest(t.url, { method: "GET", path });

describe.skipIf(!enabled)("deliberate differences from Pushgateway 1.5.1", () => {
  afterAll(async () => {
    await Promise.all(started.map((t) => t.server?.stop("SIGKILL")));
    for (const t of started) t.dispose();
  });

  it("no store poisoning after the empty-instance collision (docs/compatibility.md: consistency check)", async () => {
    const [oracle, pb] = await Promise.all([start("oracle", 19234), start("pushboard", 19235)]);
    for (const t of [oracle, pb]) {
      expect((await put(t, "/metrics/job/t1", "m 1\n")).status).toBe(200);
      // {job=t1,instance=""} has the same synthetic push_time_seconds series as {job=t1}: rejected as a duplicate.
      const r = await put(t, "/metrics/job/t1/instance@base64/=", "m 2\n");
      expect(r.status, `${t.kind} collision push`).toBe(400);
      expect(r.body.toString()).toContain("pushed metrics are invalid or inconsistent with existing metrics: ");
    }
    // X: the oracle's failure bookkeeping created the duplicate anyway: scrapes fail, every push fails.
    expect((await get(oracle, "/metrics")).status).toBe(500);
    expect((await put(oracle, "/metrics/job/unrelated", "u 1\n")).status).toBe(400);
    // Y: pushboard keeps working.
    const scrape = await get(pb, "/metrics");
    expect(scrape.status).toBe(200);
    expect(scrape.body.toString()).toContain('m{instance="",job="t1"} 1');
    expect((await put(pb, "/metrics/job/unrelated", "u 1\n")).status).toBe(200);
    expect((await get(pb, "/metrics")).body.toString()).toContain('u{instance="",job="unrelated"} 1');
    // Both recover once the offending group is deleted (on the oracle, the only way out).
    for (const t of [oracle, pb]) {
      expect((await rawRequest(t.url, { method: "DELETE", path: "/metrics/job/t1/instance@base64/=" })).status).toBe(202);
    }
    await sleep(150);
    expect((await get(oracle, "/metrics")).status).toBe(200);
    expect((await put(oracle, "/metrics/job/unrelated", "u 1\n")).status).toBe(200);
  });

  it("no store poisoning by an invalid UTF-8 grouping label value (docs/compatibility.md: consistency check)", async () => {
    const [oracle, pb] = await Promise.all([start("oracle", 19236), start("pushboard", 19237)]);
    const results: Record<string, number> = {};
    for (const t of [oracle, pb]) results[t.kind] = (await put(t, "/metrics/job/inv/x/%FF", "m 1\n")).status;
    expect(results.oracle).toBe(400);
    expect((await get(oracle, "/metrics")).status).toBe(500);
    expect((await put(oracle, "/metrics/job/other", "o 1\n")).status).toBe(400);
    // pushboard may reject the push (400) but never poisons the store.
    expect([200, 400]).toContain(results.pushboard);
    expect((await get(pb, "/metrics")).status).toBe(200);
    expect((await put(pb, "/metrics/job/other", "o 1\n")).status).toBe(200);
    expect((await get(pb, "/metrics")).status).toBe(200);
  });

  it("no deadlock after an invalid base64 job name (README differences)", async () => {
    const [oracle, pb] = await Promise.all([start("oracle", 19238), start("pushboard", 19239)]);
    const bad = "/metrics/job@base64/foo.bar";
    const msg = 'invalid base64 encoding in job name "": illegal base64 data at input byte 3\n';
    // X: the oracle answers once, then the PUT job@base64 route hangs for good.
    const first = await put(oracle, bad, "m 1\n");
    expect(first.status).toBe(400);
    expect(first.body.toString()).toBe(msg);
    await expect(put(oracle, "/metrics/job@base64/Zm9v", "m 1\n", 1500)).rejects.toThrow(/timeout/);
    // Y: pushboard answers 400 with the same text every time, and valid base64 jobs keep working.
    for (let i = 0; i < 3; i++) {
      const r = await put(pb, bad, "m 1\n", 3000);
      expect(r.status).toBe(400);
      expect(r.body.toString()).toBe(msg);
    }
    expect((await put(pb, "/metrics/job@base64/Zm9v", "m 1\n", 3000)).status).toBe(200);
    const del = await rawRequest(pb.url, { method: "DELETE", path: bad }, 3000);
    expect(del.status).toBe(400);
    expect((await rawRequest(pb.url, { method: "DELETE", path: "/metrics/job@base64/Zm9v" }, 3000)).status).toBe(202);
  });

  it("--push.disable-consistency-check never breaks scrapes", async () => {
    const flags = ["--push.disable-consistency-check"];
    const [oracle, pb] = await Promise.all([start("oracle", 19260, flags), start("pushboard", 19261, flags)]);
    for (const t of [oracle, pb]) {
      expect((await put(t, "/metrics/job/u1", "# TYPE x counter\nx 1\n")).status).toBe(202);
      expect((await put(t, "/metrics/job/u2", "# TYPE x gauge\nx 1\n")).status).toBe(202);
    }
    await sleep(150);
    // X: the oracle stored the conflicting push; every scrape now fails.
    const broken = await get(oracle, "/metrics");
    expect(broken.status).toBe(500);
    expect(broken.body.toString()).toContain("An error has occurred while serving metrics:");
    // Y: pushboard dropped it and recorded the failure; scrapes keep working.
    const scrape = await get(pb, "/metrics");
    expect(scrape.status).toBe(200);
    expect(scrape.body.toString()).toContain('x{instance="",job="u1"} 1');
    expect(scrape.body.toString()).not.toContain('x{instance="",job="u2"}');
    const api = JSON.parse((await get(pb, "/api/v1/metrics")).body.toString()) as { data: Array<Record<string, unknown>> };
    const u2 = api.data.find((g) => (g.labels as Record<string, string>).job === "u2")!;
    expect(u2.last_push_successful).toBe(false);
  });

  it("OpenMetrics when only OpenMetrics is accepted", async () => {
    const [oracle, pb] = await Promise.all([start("oracle", 19262), start("pushboard", 19263)]);
    const accept = { Accept: "application/openmetrics-text; version=1.0.0; charset=utf-8" };
    for (const t of [oracle, pb]) expect((await put(t, "/metrics/job/om", "# TYPE c counter\nc 3\n")).status).toBe(200);
    const o = await rawRequest(oracle.url, { method: "GET", path: "/metrics", headers: accept });
    expect(o.headers["content-type"]).toBe("text/plain; version=0.0.4; charset=utf-8");
    const p = await rawRequest(pb.url, { method: "GET", path: "/metrics", headers: accept });
    expect(p.headers["content-type"]).toContain("application/openmetrics-text; version=1.0.0");
    expect(p.body.toString()).toMatch(/# EOF\n$/);
    // Prometheus' default Accept lists text/plain too: pushboard then answers exactly like the oracle.
    const promAccept = {
      Accept: "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1",
    };
    const q = await rawRequest(pb.url, { method: "GET", path: "/metrics", headers: promAccept });
    expect(q.headers["content-type"]).toBe("text/plain; version=0.0.4; charset=utf-8");
  });

  it("a push body over the limit gets 413", async () => {
    const [oracle, pb] = await Promise.all([start("oracle", 19264), start("pushboard", 19265, ["--push.max-body-size=1KiB"])]);
    const big = "m 1\n" + "# padding padding padding padding padding padding padding padding\n".repeat(40);
    expect((await put(oracle, "/metrics/job/big", big)).status).toBe(200);
    const r = await put(pb, "/metrics/job/big", big);
    expect(r.status).toBe(413);
    expect(r.body.toString()).toContain("--push.max-body-size");
    expect((await get(pb, "/api/v1/metrics")).body.toString()).toBe('{"status":"success","data":[]}');
  });
});

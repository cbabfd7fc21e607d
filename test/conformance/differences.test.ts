// Deliberate differences from the Pushgateway 1.5.1 (the oracle): each is asserted as a difference, so that none
// is accidental. The oracle shows the upstream behaviour X, pushboard the better behaviour Y.
//   1. Store poisoning (reference §5.4): a rejected push whose failure bookkeeping would create a group with
//      duplicate or invalid synthetic metrics makes every later scrape 500 and every push 400 on the oracle;
//      pushboard stays usable.
//   2. Base64 job deadlock (§12): an invalid base64 job name gives 400 once and then hangs that route forever on
//      1.5.1; pushboard answers 400 every time and the route keeps working.
// Ports 19234-19239 (a fresh pair per scenario, since the oracle is left broken).
import { afterAll, describe, expect, it } from "vitest";
import { rawRequest, sleep } from "./http";
import { requireOrSkip, Target, type TargetKind } from "./runner";

const enabled = requireOrSkip();
const started: Target[] = [];

async function start(kind: TargetKind, port: number): Promise<Target> {
  const t = new Target(kind, kind, port, []);
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

  it("no store poisoning after the empty-instance collision (§5.4)", async () => {
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

  it("no store poisoning by an invalid UTF-8 grouping label value (§5.4)", async () => {
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

  it("no deadlock after an invalid base64 job name (§12)", async () => {
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
});

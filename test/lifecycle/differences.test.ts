// Deliberate difference from the Pushgateway 1.5.1 (README "Differences", 7): /metrics carries per-group health,
// and a pushed family named like it is dropped where the oracle stores it. Ports 19910–19911.
import { afterAll, describe, expect, it } from "vitest";
import { rawRequest } from "../conformance/http";
import { requireOrSkip, Target } from "../conformance/runner";

const enabled = requireOrSkip();
const started: Target[] = [];

describe.skipIf(!enabled)("per-group health: a deliberate difference from Pushgateway 1.5.1", () => {
  afterAll(async () => {
    await Promise.all(started.map((t) => t.server?.stop("SIGKILL")));
    for (const t of started) t.dispose();
  });

  it("pushboard exports pushboard_group_up and drops a pushed one; the oracle has none of its own and stores the pushed one", async () => {
    const oracle = new Target("oracle", "oracle", 19910, []);
    const pb = new Target("pushboard", "pushboard", 19911, []);
    started.push(oracle, pb);
    await Promise.all([oracle.start(), pb.start()]);
    for (const t of [oracle, pb]) {
      expect((await rawRequest(t.url, { method: "PUT", path: "/metrics/job/j", body: "pushboard_group_up 42\nm 1\n" })).status, t.kind).toBe(200);
    }
    const o = (await rawRequest(oracle.url, { method: "GET", path: "/metrics" })).body.toString();
    const p = (await rawRequest(pb.url, { method: "GET", path: "/metrics" })).body.toString();
    // X: the oracle stores the pushed value as an ordinary metric.
    expect(o).toContain('pushboard_group_up{instance="",job="j"} 42\n');
    // Y: pushboard's value is computed (1: fresh), never taken from a push.
    expect(p).toContain('pushboard_group_up{instance="",job="j"} 1\n');
    expect(p).not.toContain(" 42\n");
    for (const text of [o, p]) expect(text).toContain('m{instance="",job="j"} 1\n');
  });
});

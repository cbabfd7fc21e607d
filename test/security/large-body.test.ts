// A large push body is parsed on a worker thread (lib/exposition/parse-pool.ts): while a 12 MiB push is being
// parsed, other clients are served; parse errors of a large body read exactly as those of a small one.
// Port 19916.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPushboard, type RunningServer } from "../helpers/servers";
import { pushboardBuilt } from "../clients/common";

const enabled = pushboardBuilt();
let s: RunningServer;

/** ~12 MiB of text: 60,000 series with 10 labels each. */
function bigBody(broken = false): string {
  const lines: string[] = ["# TYPE big_total counter"];
  for (let i = 0; i < 60_000; i++) {
    const labels = Array.from({ length: 10 }, (_, k) => `label_${k}="value-${i}-${k}-${"x".repeat(8)}"`).join(",");
    lines.push(`big_total{${labels}} ${i}`);
  }
  if (broken) lines.push("big_total{a=} 1");
  return lines.join("\n") + "\n";
}

describe.skipIf(!enabled)("large push bodies", () => {
  beforeAll(async () => {
    s = await startPushboard(19916, { args: ["--push.max-body-size=64MiB"] });
  });
  afterAll(async () => {
    await s?.stop();
  });

  it("other requests are answered while a 12 MiB push is parsed", async () => {
    const body = bigBody();
    expect(body.length).toBeGreaterThan(12 << 20);
    let pushDone = false;
    const pushed = fetch(`${s.url}/metrics/job/big`, { method: "PUT", body }).then((r) => {
      pushDone = true;
      return r.status;
    });
    // Health checks answered while the push is still in progress. Parsed on the event loop, the push would let
    // through only those answered while its body was still uploading (a few dozen at most); parsed on a worker,
    // the checks keep being answered through the whole parse (hundreds).
    let answeredDuring = 0;
    for (let i = 0; i < 1000 && !pushDone; i++) {
      const r = await fetch(`${s.url}/-/healthy`);
      expect(r.status).toBe(200);
      if (!pushDone) answeredDuring++;
    }
    expect(await pushed).toBe(200);
    expect(answeredDuring).toBeGreaterThan(100);
    const text = await (await fetch(`${s.url}/metrics`)).text();
    expect(text).toContain('big_total{instance="",job="big",label_0="value-59999-0-xxxxxxxx"');
  }, 120_000);

  it("a parse error in a large body is the same 400 as in a small one", async () => {
    const big = await fetch(`${s.url}/metrics/job/bad`, { method: "PUT", body: bigBody(true) });
    const small = await fetch(`${s.url}/metrics/job/bad`, { method: "PUT", body: "# TYPE big_total counter\nbig_total{a=} 1\n" });
    expect(big.status).toBe(400);
    expect(small.status).toBe(400);
    const [b, t] = [await big.text(), await small.text()];
    expect(b).toMatch(/^text format parsing error in line 60002: expected '"' at start of label value, found '}'/);
    expect(b.replace(/line \d+/, "line N")).toBe(t.replace(/line \d+/, "line N"));
  }, 120_000);
});

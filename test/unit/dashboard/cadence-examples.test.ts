// The operator's examples from the staleness issue, through the same summary the groups table and detail page
// show: a cadence is learnt only from enough pushes, the gap since the last push never feeds it, and the
// explanation says why a group is (or will be) stale.
import { describe, expect, it } from "vitest";
import { explainStaleness, learnCadence, MIN_CADENCE_INTERVALS } from "../../../lib/dashboard/staleness";
import { summarize, toRow } from "../../../lib/dashboard/summary";
import type { GroupRow } from "../../../lib/dashboard/types";
import { mulberry32 } from "../../helpers/random";
import { makeGroup } from "./fake-store";

const S = 1000;
const MIN = 60 * S;
const H = 60 * MIN;
const T0 = 1_780_000_000_000;

function rowAt(pushes: number[], nowMs: number, defaultStaleAfterMs = H): GroupRow {
  return toRow(summarize(makeGroup({ labels: { job: "w" }, pushes }), defaultStaleAfterMs, nowMs));
}

describe("too few pushes are not a cadence", () => {
  it("two pushes 6 s apart: no learnt cadence, the default applies and says so", () => {
    const r = rowAt([T0, T0 + 6 * S], T0 + 40 * S);
    expect(r.cadenceSource).toBe("default");
    expect(r.cadenceMs).toBeNull();
    expect(r.intervalMs).toBeNull();
    expect(r.staleAfterMs).toBe(H);
    expect(r.stale).toBe(false);
    expect(explainStaleness(r, T0 + 40 * S).text).toBe(
      "last push 34 s ago; no cadence yet (2 pushes seen, 4 needed to learn one); stale after 1h (the default, --dashboard.stale-after), in 59m 26s",
    );
  });
  it("three pushes are still too few; four are enough", () => {
    expect(learnCadence([T0, T0 + 6 * S, T0 + 12 * S], MIN)).toBeNull();
    expect(learnCadence([T0, T0 + 6 * S, T0 + 12 * S, T0 + 18 * S], MIN)).toEqual({ intervalMs: 6 * S, pushes: 4 });
    expect(MIN_CADENCE_INTERVALS).toBe(3);
  });
});

describe("workers pushing every 2–5 s that then stopped", () => {
  const seed = 15_004;
  const rand = mulberry32(seed);
  // Eight workers; some were restarted once (a pause of 1.5–2.5 min inside their history), which used to make the
  // single gap between "runs" the learnt cadence ("fresh, every 1.6–2.7 min").
  const workers = Array.from({ length: 8 }, (_, w) => {
    const n = 8 + Math.floor(rand() * 25);
    const pauseAt = w % 2 === 0 ? 2 + Math.floor(rand() * (n - 4)) : -1;
    const pushes: number[] = [];
    let t = T0 + Math.floor(rand() * 5000);
    for (let i = 0; i < n; i++) {
      pushes.push(t);
      t += i === pauseAt ? 90 * S + Math.floor(rand() * 60 * S) : 2 * S + Math.floor(rand() * 3 * S);
    }
    return pushes;
  });

  it.each(workers.map((p, i) => [i, p] as const))(`worker %i (seed ${seed}) is stale, every ~2–5 s, 12 min after it stopped`, (_i, pushes) => {
    const now = pushes[pushes.length - 1]! + 12 * MIN;
    const r = rowAt(pushes, now);
    expect(r.cadenceSource).toBe("learnt");
    expect(r.cadenceMs).toBeGreaterThanOrEqual(2 * S);
    expect(r.cadenceMs).toBeLessThanOrEqual(5 * S);
    expect(r.stale).toBe(true);
    expect(r.status).toBe("stale");
    expect(explainStaleness(r, now).text).toMatch(/^no push for 12m; expected every [2-5](\.\d)? s \(learnt from \d+ pushes\); stale after 1m$/);
  });

  it("the time since the last push does not change the cadence", () => {
    const pushes = workers[0]!;
    const last = pushes[pushes.length - 1]!;
    const a = rowAt(pushes, last + 10 * S);
    const b = rowAt(pushes, last + 3 * H);
    expect(a.cadenceMs).toBe(b.cadenceMs);
    expect(a.stale).toBe(false);
    expect(b.stale).toBe(true);
  });
});

describe("explanations", () => {
  const every = (n: number, step: number) => Array.from({ length: n }, (_, i) => T0 + i * step);

  it("a once-a-minute pusher silent for 12 min", () => {
    const pushes = every(32, MIN);
    const now = pushes[31]! + 12 * MIN;
    const r = rowAt(pushes, now);
    expect(explainStaleness(r, now)).toEqual({
      cadence: "every 1m (learnt from 32 pushes)",
      staleAtMs: pushes[31]! + 3 * MIN,
      text: "no push for 12m; expected every 1m (learnt from 32 pushes); stale after 3m",
    });
  });

  it("a daily job that pushes three times per run keeps a daily cadence", () => {
    const pushes: number[] = [];
    for (let d = 0; d < 5; d++) for (let k = 0; k < 3; k++) pushes.push(T0 + d * 24 * H + k * 2 * S);
    const now = pushes[pushes.length - 1]! + 30 * H;
    const r = rowAt(pushes, now);
    expect(r.cadenceMs).toBe(24 * H);
    expect(r.stale).toBe(false);
    expect(explainStaleness(r, now).text).toBe("last push 1d 6h ago; expected every 1d (learnt from 15 pushes); stale after 3d, in 1d 18h");
  });

  it("a cadence declared by a rule, and a failing pusher", () => {
    const facts = {
      stale: true,
      lastPushMs: T0,
      lastFailureMs: T0 + 5 * MIN,
      lastPushFailed: true,
      cadenceMs: 5 * MIN,
      cadenceSource: "rule" as const,
      cadencePushes: 1,
      staleAfterMs: 5 * MIN,
    };
    expect(explainStaleness(facts, T0 + 20 * MIN).text).toBe(
      "no push attempt for 15m (the last one failed); expected every 5m (declared by a lifecycle rule); stale after 5m",
    );
  });

  it("a group that never pushed successfully", () => {
    const facts = {
      stale: true,
      lastPushMs: null,
      lastFailureMs: null,
      lastPushFailed: false,
      cadenceMs: null,
      cadenceSource: "default" as const,
      cadencePushes: 0,
      staleAfterMs: H,
    };
    expect(explainStaleness(facts, T0)).toEqual({
      cadence: "no cadence yet (0 pushes seen, 4 needed to learn one)",
      staleAtMs: null,
      text: "never pushed; stale after 1h (the default, --dashboard.stale-after)",
    });
  });
});

// Staleness: the dashboard's replacement for the `up` signal a pushed group does not have.
//
// The rule (documented in the README):
//   1. Take the group's recent successful push times (Group.pushHistory, up to 32, oldest first).
//   2. Collapse bursts: pushes less than `floor` apart belong to one run (batch jobs often push several times
//      per run, e.g. one POST per family). With two or more runs, the typical interval is the MEDIAN of the
//      gaps between run starts; with a single run of several pushes (a steady pusher faster than `floor`), it
//      is the median of the raw gaps.
//   3. A group with a typical interval is stale when the time since its last push attempt (success or failure:
//      a failing pusher is alive) exceeds max(K × interval, floor), K = 3: it missed about two pushes in a row.
//   4. A group with fewer than two pushes has no cadence: it is stale after --dashboard.stale-after (default 1h).
//   `floor` = min(1 minute, --dashboard.stale-after): never stale within a minute of its last push, unless the
//   configured threshold is itself shorter (useful in tests).
// The median makes one late or early push harmless; the burst collapse keeps a job that pushes three times
// per daily run from looking stale a minute after its run.

export const STALE_INTERVAL_MULTIPLE = 3;
export const STALE_FLOOR_MS = 60_000;

export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** The floor below which gaps count as one run, and below which nothing is stale. */
export function staleFloorMs(defaultStaleAfterMs: number): number {
  return Math.min(STALE_FLOOR_MS, defaultStaleAfterMs);
}

/** Typical push interval (ms) of a push history, or null with fewer than two pushes. */
export function typicalIntervalMs(history: readonly number[], floorMs: number): number | null {
  if (history.length < 2) return null;
  const gaps: number[] = [];
  const runGaps: number[] = [];
  let runStart = history[0]!;
  for (let i = 1; i < history.length; i++) {
    const gap = history[i]! - history[i - 1]!;
    if (gap <= 0) continue;
    gaps.push(gap);
    if (gap >= floorMs) {
      runGaps.push(history[i]! - runStart);
      runStart = history[i]!;
    }
  }
  return median(runGaps.length > 0 ? runGaps : gaps);
}

/** Age (ms) after which a group with this typical interval is stale. */
export function staleThresholdMs(intervalMs: number | null, defaultStaleAfterMs: number): number {
  if (intervalMs === null) return defaultStaleAfterMs;
  return Math.max(STALE_INTERVAL_MULTIPLE * intervalMs, staleFloorMs(defaultStaleAfterMs));
}

/** Whether a group whose last push attempt was at `lastAttemptMs` is stale at `nowMs`. Never-pushed → stale. */
export function isStale(lastAttemptMs: number | null, thresholdMs: number, nowMs: number): boolean {
  if (lastAttemptMs === null) return true;
  return nowMs - lastAttemptMs > thresholdMs;
}

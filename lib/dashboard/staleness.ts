// Staleness: the dashboard's replacement for the `up` signal a pushed group does not have.
//
// The rule (documented in the README):
//   1. Take the group's recent successful push times (Group.pushHistory, up to 32, oldest first). Only gaps
//      BETWEEN pushes count: the time since the last push is what staleness measures, so it never feeds the
//      cadence (a worker that stopped must not look like a slow one).
//   2. Collapse bursts: pushes less than `floor` apart belong to one run (batch jobs often push several times
//      per run, e.g. one POST per family). With at least MIN_CADENCE_INTERVALS gaps between run starts, the
//      cadence is the MEDIAN of those gaps. Otherwise, with at least MIN_CADENCE_INTERVALS gaps inside runs (a
//      steady pusher faster than `floor`, perhaps restarted once), it is the median of those. Otherwise there
//      are too few pushes to learn from, and the default applies: two pushes 6 s apart are not a cadence.
//   3. A group with a cadence is stale when the time since its last push attempt (success or failure: a failing
//      pusher is alive) exceeds max(K × cadence, floor), K = 3: it missed about two pushes in a row.
//   4. A group without one is stale after --dashboard.stale-after (default 1h).
//   `floor` = min(1 minute, --dashboard.stale-after): never stale within a minute of its last push, unless the
//   configured threshold is itself shorter (useful in tests).
// The median makes one late or early push (or one pause) harmless; the burst collapse keeps a job that pushes
// three times per daily run from looking stale a minute after its run.
//
// Framework-free and dependency-free: the browser uses explainStaleness too.

export const STALE_INTERVAL_MULTIPLE = 3;
export const STALE_FLOOR_MS = 60_000;
/** Gaps needed before a cadence is learnt (so four pushes at least). */
export const MIN_CADENCE_INTERVALS = 3;

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

/** A cadence learnt from a push history: the typical interval and how many pushes it was learnt from. */
export interface LearntCadence {
  intervalMs: number;
  pushes: number;
}

/** The cadence of a push history (oldest first), or null while there are too few pushes to tell. */
export function learnCadence(history: readonly number[], floorMs: number): LearntCadence | null {
  const withinRuns: number[] = [];
  const betweenRuns: number[] = [];
  let runStart: number | undefined;
  let prev: number | undefined;
  let pushes = 0;
  for (const t of history) {
    if (prev !== undefined && t <= prev) continue; // a duplicate or out-of-order entry carries no interval
    pushes++;
    if (prev === undefined || runStart === undefined) {
      runStart = t;
    } else if (t - prev < floorMs) {
      withinRuns.push(t - prev);
    } else {
      betweenRuns.push(t - runStart);
      runStart = t;
    }
    prev = t;
  }
  const gaps = betweenRuns.length >= MIN_CADENCE_INTERVALS ? betweenRuns : withinRuns.length >= MIN_CADENCE_INTERVALS ? withinRuns : null;
  const intervalMs = gaps === null ? null : median(gaps);
  return intervalMs === null ? null : { intervalMs, pushes };
}

/** Typical push interval (ms) of a push history, or null while too few pushes are known. */
export function typicalIntervalMs(history: readonly number[], floorMs: number): number | null {
  return learnCadence(history, floorMs)?.intervalMs ?? null;
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

/** What a staleness explanation is computed from (a GroupRow has all of it). */
export interface StalenessFacts {
  stale: boolean;
  lastPushMs: number | null;
  lastFailureMs: number | null;
  lastPushFailed: boolean;
  cadenceMs: number | null;
  cadenceSource: "rule" | "learnt" | "default";
  /** Pushes the learnt cadence came from (and, with the default, how many are known). */
  cadencePushes: number;
  staleAfterMs: number;
}

export interface StalenessExplanation {
  /** "every 1m (learnt from 31 pushes)", "every 5m (declared by a lifecycle rule)", "no cadence yet (2 pushes; 4 needed), default 1h". */
  cadence: string;
  /** When the group turns (or turned) stale, Unix ms; null if it never pushed. */
  staleAtMs: number | null;
  /** One sentence: "no push for 12m; expected every 1m (learnt from 31 pushes); stale after 3m". */
  text: string;
}

/** "1h 2m", "6.4 s", "250 ms": the same renderings as lib/dashboard/human.ts formatDurationMs, kept free of imports. */
export function formatCadenceSpan(ms: number): string {
  const a = Math.abs(ms);
  if (a < 1000) return `${Math.round(a)} ms`;
  if (a < 60_000) return `${Number((a / 1000).toPrecision(2))} s`;
  const d = Math.floor(a / 86_400_000);
  const h = Math.floor((a % 86_400_000) / 3_600_000);
  const m = Math.floor((a % 3_600_000) / 60_000);
  const s = Math.floor((a % 60_000) / 1000);
  const parts = d ? [`${d}d`, `${h}h`] : h ? [`${h}h`, `${m}m`] : [`${m}m`, `${s}s`];
  const kept = parts.filter((p) => !/^0[a-z]$/.test(p));
  return (kept.length > 0 ? kept : parts).join(" ");
}

function pushesWord(n: number): string {
  return `${n} push${n === 1 ? "" : "es"}`;
}

/** Why a group is (or is not) stale, in words an operator can check against the push times. */
export function explainStaleness(f: StalenessFacts, nowMs: number): StalenessExplanation {
  const span = formatCadenceSpan;
  let cadence: string;
  if (f.cadenceSource === "rule" && f.cadenceMs !== null) cadence = `every ${span(f.cadenceMs)} (declared by a lifecycle rule)`;
  else if (f.cadenceSource === "learnt" && f.cadenceMs !== null) cadence = `every ${span(f.cadenceMs)} (learnt from ${pushesWord(f.cadencePushes)})`;
  else cadence = `no cadence yet (${pushesWord(f.cadencePushes)} seen, ${MIN_CADENCE_INTERVALS + 1} needed to learn one)`;
  const lastAttemptMs = f.lastPushMs === null ? f.lastFailureMs : f.lastFailureMs === null ? f.lastPushMs : Math.max(f.lastPushMs, f.lastFailureMs);
  const staleAtMs = lastAttemptMs === null ? null : lastAttemptMs + f.staleAfterMs;
  const limit =
    f.cadenceSource === "default" ? `stale after ${span(f.staleAfterMs)} (the default, --dashboard.stale-after)` : `stale after ${span(f.staleAfterMs)}`;
  const expected = f.cadenceSource === "default" ? cadence : `expected ${cadence}`;
  if (lastAttemptMs === null) return { cadence, staleAtMs, text: `never pushed; ${limit}` };
  const age = Math.max(0, nowMs - lastAttemptMs);
  const since = f.lastPushFailed ? `no push attempt for ${span(age)} (the last one failed)` : `no push for ${span(age)}`;
  if (f.stale) return { cadence, staleAtMs, text: `${since}; ${expected}; ${limit}` };
  const left = staleAtMs! - nowMs;
  const last = f.lastPushFailed ? `last push attempt ${span(age)} ago (it failed)` : `last push ${span(age)} ago`;
  return { cadence, staleAtMs, text: `${last}; ${expected}; ${limit}, in ${span(Math.max(0, left))}` };
}

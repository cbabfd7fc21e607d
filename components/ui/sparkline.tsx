import { formatSpan } from "./format";

/**
 * Recent pushes on a time axis ending now: one tick per push. The part of the axis past the stale threshold
 * (last push + threshold) is shaded, so an overdue group shows a shaded tail after its last tick.
 */
export function PushSparkline({
  pushes,
  now,
  staleAfterMs,
  intervalMs,
  lastFailureMs,
  failures = [],
  width = 120,
  height = 22,
}: {
  pushes: number[];
  now: number;
  staleAfterMs: number;
  intervalMs: number | null;
  /** Last failed push: the overdue mark counts from the later of it and the last push (a failing pusher is alive). */
  lastFailureMs?: number | null;
  /** Rejected push attempts (Unix ms), drawn as short red ticks. */
  failures?: number[];
  width?: number;
  height?: number;
}) {
  const first = pushes[0];
  const last = pushes[pushes.length - 1];
  const label =
    pushes.length === 0
      ? "No recorded pushes"
      : `${pushes.length} recent push${pushes.length === 1 ? "" : "es"}${intervalMs !== null ? `, typically every ${formatSpan(intervalMs)}` : ""}${
          failures.length > 0 ? `, ${failures.length} failed` : ""
        }`;
  const start = Math.min(first ?? now, (last ?? now) - staleAfterMs, now - 1000, ...failures);
  const span = Math.max(1, now - start);
  const x = (t: number) => 1 + ((t - start) / span) * (width - 2);
  const attempt = Math.max(last ?? -Infinity, lastFailureMs ?? -Infinity);
  const overdueFrom = Number.isFinite(attempt) ? attempt + staleAfterMs : undefined;
  return (
    <svg width={width} height={height} viewBox={`0 0 ${width} ${height}`} role="img" aria-label={label} className="block overflow-visible">
      <title>{label}</title>
      <line x1={0} x2={width} y1={height - 2} y2={height - 2} className="stroke-zinc-300 dark:stroke-zinc-700" strokeWidth={1} />
      {overdueFrom !== undefined && overdueFrom < now && (
        <rect x={x(overdueFrom)} y={2} width={Math.max(1, x(now) - x(overdueFrom))} height={height - 4} className="fill-amber-400/30 dark:fill-amber-500/25" />
      )}
      {pushes.map((t, i) => (
        <line key={i} x1={x(t)} x2={x(t)} y1={4} y2={height - 2} className="stroke-brand" strokeWidth={1.5} strokeLinecap="round" />
      ))}
      {failures.map((t, i) => (
        <line
          key={`f${i}`}
          x1={x(t)}
          x2={x(t)}
          y1={height / 2}
          y2={height - 2}
          className="stroke-red-600 dark:stroke-red-400"
          strokeWidth={2}
          strokeLinecap="round"
        />
      ))}
    </svg>
  );
}

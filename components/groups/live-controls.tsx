"use client";
import { formatAgo } from "../ui/format";
import type { ConnectionState } from "./use-connection";

const DOT_LABEL: Record<ConnectionState, string> = { ok: "live", offline: "offline", unreachable: "server unreachable", "server-error": "server error" };

export const REFRESH_CHOICES = [2000, 5000, 10_000, 30_000];

/** "updated Ns ago", pause/resume, interval and refresh-now. */
export function LiveControls({
  updatedAt,
  now,
  paused,
  onPausedChange,
  intervalMs,
  onIntervalChange,
  onRefresh,
  fetching,
  connection = "ok",
}: {
  updatedAt: number;
  now: number;
  paused: boolean;
  onPausedChange: (p: boolean) => void;
  intervalMs: number;
  onIntervalChange: (ms: number) => void;
  onRefresh: () => void;
  fetching: boolean;
  connection?: ConnectionState;
}) {
  const dot = connection !== "ok" ? "bg-red-600" : paused ? "bg-zinc-500" : fetching ? "animate-pulse bg-brand" : "bg-emerald-600";
  const state = connection !== "ok" ? connection : paused ? "paused" : "live";
  return (
    <div className="flex flex-wrap items-center gap-2 text-sm">
      <span className="text-zinc-700 dark:text-zinc-300" aria-live="off" data-testid="updated-ago">
        {updatedAt ? `updated ${formatAgo(now - updatedAt)}` : "loading…"}
        {fetching && <span className="sr-only"> (refreshing)</span>}
      </span>
      <span
        role="img"
        aria-label={`Connection: ${paused && connection === "ok" ? "auto-refresh paused" : DOT_LABEL[connection]}`}
        data-testid="live-dot"
        data-state={state}
        className={`h-2 w-2 rounded-full ${dot}`}
      />
      <button type="button" className="btn btn-sm" aria-pressed={paused} onClick={() => onPausedChange(!paused)}>
        {paused ? "Resume auto-refresh" : "Pause auto-refresh"}
      </button>
      <label className="flex items-center gap-1">
        <span className="sr-only sm:not-sr-only sm:text-zinc-700 sm:dark:text-zinc-300">every</span>
        <select
          className="field py-1 text-xs"
          aria-label="Auto-refresh interval"
          value={intervalMs}
          disabled={paused}
          onChange={(e) => onIntervalChange(Number(e.target.value))}
        >
          {REFRESH_CHOICES.map((ms) => (
            <option key={ms} value={ms}>
              {ms / 1000}s
            </option>
          ))}
        </select>
      </label>
      <button type="button" className="btn btn-sm" onClick={onRefresh}>
        Refresh now
      </button>
    </div>
  );
}

"use client";
// Small presentational parts of the groups view: counts, filter bar, connection banner, pagination.
import type { GroupListResponse, StatusCounts } from "@/lib/dashboard/types";
import type { ConnectionState } from "./use-connection";
import { formatAgo, formatLocal } from "../ui/format";

const PAGE_SIZES = [25, 50, 100, 200];

/** The status filters a count applies; each is exactly what that count counts. */
export const COUNT_FILTERS = { fresh: "is:fresh", stale: "is:stale", failed: "is:failed" } as const;

/** "N groups · N fresh · N stale · N failed", each count a button that filters the list to it. */
export function CountsHeader({ counts, q, onFilter }: { counts: StatusCounts | undefined; q: string; onFilter: (q: string) => void }) {
  if (!counts)
    return (
      <p className="text-sm" data-testid="counts">
        &nbsp;
      </p>
    );
  const item = (key: keyof typeof COUNT_FILTERS, cls: string) => {
    const f = COUNT_FILTERS[key];
    const active = q.trim() === f;
    return (
      <button
        type="button"
        data-testid={`count-${key}`}
        aria-pressed={active}
        title={active ? "Show all groups" : `Show only ${f}`}
        className={`rounded px-1 underline-offset-2 hover:underline ${cls} ${active ? "font-semibold underline" : ""}`}
        onClick={() => onFilter(active ? "" : f)}
      >
        {counts[key]} {key}
      </button>
    );
  };
  return (
    <p className="text-sm text-zinc-700 dark:text-zinc-300" data-testid="counts">
      <button type="button" className="rounded px-1 hover:underline" onClick={() => onFilter("")} title="Show all groups">
        {counts.total} group{counts.total === 1 ? "" : "s"}
      </button>{" "}
      · {item("fresh", "text-emerald-800 dark:text-emerald-300")} · {item("stale", "text-amber-800 dark:text-amber-300")} ·{" "}
      {item("failed", "text-red-700 dark:text-red-300")}
    </p>
  );
}

/** Where a filter goes wrong: the text with a caret under the offending position. */
function FilterErrorText({ message, q, position }: { message: string; q: string; position: number | undefined }) {
  return (
    <div
      role="alert"
      data-testid="filter-error"
      className="mt-1 rounded border border-red-300 bg-red-50 px-2 py-1 text-xs text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-200"
    >
      <p>
        {message}
        {position !== undefined && ` (at character ${position + 1})`}. Showing the results of the last valid filter.
      </p>
      {position !== undefined && (
        <pre className="mt-1 overflow-x-auto font-mono" data-testid="filter-error-excerpt">
          {q}
          {"\n"}
          {" ".repeat(position)}^
        </pre>
      )}
    </div>
  );
}

export function FilterBar({
  qInput,
  onInput,
  onApply,
  error,
  byJob,
  onByJob,
  size,
  onSize,
}: {
  qInput: string;
  onInput: (q: string) => void;
  onApply: () => void;
  error: { message: string; q: string; position?: number } | null;
  byJob: boolean;
  onByJob: (on: boolean) => void;
  size: number;
  onSize: (n: number) => void;
}) {
  return (
    <div className="card flex flex-wrap items-end gap-3 p-3">
      <div className="min-w-0 flex-1 basis-64">
        <label htmlFor="group-filter" className="mb-1 block text-xs font-medium text-zinc-700 dark:text-zinc-300">
          Filter
        </label>
        <input
          id="group-filter"
          type="search"
          className="field w-full font-mono"
          placeholder='text  job=backup  instance=~"web-.*"  env!=dev  is:stale'
          value={qInput}
          autoComplete="off"
          spellCheck={false}
          aria-describedby="filter-help"
          aria-invalid={error ? true : undefined}
          onChange={(e) => onInput(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === "Enter") onApply();
          }}
        />
        {error && <FilterErrorText message={error.message} q={error.q} position={error.position} />}
        <p id="filter-help" className="mt-1 text-xs text-zinc-700 dark:text-zinc-300">
          Free text matches label names, values and metric names. <code>label=value</code>, <code>!=</code>, <code>=~regex</code>, <code>!~regex</code>,{" "}
          <code>is:stale|fresh|failed</code> (a group can be stale and failed), <code>has:stale-families</code> (a family not written for over max(1 h, 2× the
          interval) before the last push). All terms must match. Regex matches are anchored as in Prometheus: <code>database=~billing</code> matches only
          &quot;billing&quot;; use <code>database=~&quot;billing.*&quot;</code> for every value that starts with it.
        </p>
      </div>
      <label className="flex items-center gap-2 text-sm">
        <input type="checkbox" className="h-4 w-4 accent-brand" checked={byJob} onChange={(e) => onByJob(e.target.checked)} />
        Group by job
      </label>
      <label className="flex items-center gap-2 text-sm">
        Per page
        <select className="field" value={size} onChange={(e) => onSize(Number(e.target.value))}>
          {PAGE_SIZES.map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </select>
      </label>
    </div>
  );
}

const CONNECTION_TEXT: Record<Exclude<ConnectionState, "ok">, string> = {
  offline: "You are offline.",
  unreachable: "Cannot reach the pushboard server.",
  "server-error": "The server answered with an error.",
};

/** Shown while the data is not current: what went wrong, the time of the last good data, retrying. */
export function ConnectionBanner({
  state,
  detail,
  lastGoodMs,
  now,
  onRetry,
}: {
  state: ConnectionState;
  detail: string | null;
  lastGoodMs: number | null;
  now: number;
  onRetry: () => void;
}) {
  if (state === "ok") return null;
  return (
    <div
      role="alert"
      data-testid="connection-banner"
      data-state={state}
      className="flex flex-wrap items-center gap-2 rounded border border-amber-400 bg-amber-50 px-3 py-2 text-sm text-amber-950 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-100"
    >
      <strong>{CONNECTION_TEXT[state]}</strong>
      {detail && state === "server-error" && <span>{detail}</span>}
      <span>
        {lastGoodMs !== null ? (
          <>
            Showing the last good data, from{" "}
            <time data-testid="last-good" dateTime={new Date(lastGoodMs).toISOString()}>
              {formatLocal(lastGoodMs)}
            </time>{" "}
            ({formatAgo(now - lastGoodMs)}); statuses are as of then.
          </>
        ) : (
          "No data yet."
        )}{" "}
        {state === "offline" ? "Updates resume when the network is back." : "Retrying with back-off."}
      </span>
      {state !== "offline" && (
        <button type="button" className="btn btn-sm ml-auto" onClick={onRetry}>
          Retry now
        </button>
      )}
    </div>
  );
}

export function Pagination({ data, onPage }: { data: GroupListResponse; onPage: (p: number) => void }) {
  if (data.pages <= 1)
    return data.total !== data.totalAll ? (
      <p className="text-sm text-zinc-700 dark:text-zinc-300">
        {data.total} of {data.totalAll} groups match.
      </p>
    ) : null;
  return (
    <nav aria-label="Pagination" className="flex flex-wrap items-center justify-between gap-2 text-sm">
      <span className="text-zinc-700 dark:text-zinc-300">
        {(data.page - 1) * data.size + 1}–{Math.min(data.total, data.page * data.size)} of {data.total}
        {data.total !== data.totalAll && ` (filtered from ${data.totalAll})`}
      </span>
      <div className="flex items-center gap-1">
        <button type="button" className="btn btn-sm" disabled={data.page <= 1} onClick={() => onPage(1)}>
          « First
        </button>
        <button type="button" className="btn btn-sm" disabled={data.page <= 1} onClick={() => onPage(data.page - 1)}>
          ‹ Previous
        </button>
        <span className="px-2" aria-current="page">
          Page {data.page} of {data.pages}
        </span>
        <button type="button" className="btn btn-sm" disabled={data.page >= data.pages} onClick={() => onPage(data.page + 1)}>
          Next ›
        </button>
        <button type="button" className="btn btn-sm" disabled={data.page >= data.pages} onClick={() => onPage(data.pages)}>
          Last »
        </button>
      </div>
    </nav>
  );
}

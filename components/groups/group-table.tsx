"use client";
import { StaleFamiliesNote } from "../detail/stale-families-note";
import { AppLink as Link } from "../prefix";
import { Fragment, useCallback, useEffect, useRef, useState } from "react";
import type { GroupListResponse, GroupRow, SortDir, SortKey } from "@/lib/dashboard/types";
import { isSelected, type Selection, type SelectionAction } from "./selection";
import { useStableRows } from "./use-stable-rows";
import { useIsPhone } from "../ui/use-media";
import { GroupCards } from "./group-cards";
import { explainStaleness } from "@/lib/dashboard/staleness";
import { formatIn, formatLocal, formatSpan, groupingKeyText } from "../ui/format";
import { LabelChips } from "../ui/label-chips";
import { RelativeTime } from "../ui/relative-time";
import { PushSparkline } from "../ui/sparkline";
import { StatusBadge } from "../ui/status-badge";

interface Column {
  key: SortKey | null;
  label: string;
  className?: string;
  title?: string;
}

// Fixed widths (the table uses table-layout: fixed): expanding a row or a refresh with longer values never moves
// a column. The group column takes what is left.
const COLUMNS: Column[] = [
  { key: "labels", label: "Group" },
  { key: "status", label: "Status", className: "w-32" },
  { key: "lastPush", label: "Last push", className: "hidden sm:table-cell w-28" },
  { key: "interval", label: "Push timeline", className: "hidden md:table-cell w-52", title: "Recent pushes; sorted by typical interval" },
  { key: "lastFailure", label: "Last failure", className: "hidden lg:table-cell w-40" },
  {
    key: "families",
    label: "Families",
    className: "hidden sm:table-cell w-20 text-right",
    title: "Pushed families (without push_time_seconds / push_failure_time_seconds)",
  },
  { key: "series", label: "Series", className: "hidden sm:table-cell w-20 text-right", title: "Pushed series (samples)" },
];

function SortHeader({ col, sort, dir, onSort }: { col: Column; sort: SortKey; dir: SortDir; onSort: (k: SortKey) => void }) {
  const active = col.key === sort;
  return (
    <th
      scope="col"
      aria-sort={active ? (dir === "asc" ? "ascending" : "descending") : "none"}
      className={`px-2 py-2 text-left text-xs font-semibold uppercase tracking-wide text-zinc-700 dark:text-zinc-300 ${col.className ?? ""}`}
      title={col.title}
    >
      {col.key ? (
        <button type="button" className="inline-flex items-center gap-1 uppercase hover:text-zinc-900 dark:hover:text-white" onClick={() => onSort(col.key!)}>
          {col.label}
          <span aria-hidden="true" className={active ? "text-brand-dark dark:text-brand" : "opacity-60"}>
            {active && dir === "desc" ? "▼" : "▲"}
          </span>
        </button>
      ) : (
        col.label
      )}
    </th>
  );
}

function HeaderCheckbox({ rows, selection, onToggleAll }: { rows: GroupRow[]; selection: Selection; onToggleAll: (on: boolean) => void }) {
  const ref = useRef<HTMLInputElement>(null);
  const n = rows.filter((r) => isSelected(selection, r.id)).length;
  const all = rows.length > 0 && n === rows.length;
  useEffect(() => {
    if (ref.current) ref.current.indeterminate = n > 0 && !all;
  }, [n, all]);
  return (
    <input
      ref={ref}
      type="checkbox"
      className="h-4 w-4 accent-brand"
      aria-label="Select all groups on this page"
      checked={all}
      disabled={rows.length === 0}
      onChange={(e) => onToggleAll(e.target.checked)}
    />
  );
}

/** Badges for the independent facts: stale or fresh, and failed when the last attempt was rejected. */
export function StatusBadges({ row, now }: { row: GroupRow; now: number }) {
  const why = explainStaleness(row, now).text;
  return (
    <span className="inline-flex flex-wrap gap-1" data-testid="status">
      {row.stale ? <StatusBadge status="stale" title={why} /> : !row.lastPushFailed ? <StatusBadge status="fresh" title={why} /> : null}
      {row.lastPushFailed && <StatusBadge status="failed" title="The last push attempt was rejected" />}
    </span>
  );
}

export function GroupTable({
  data,
  now,
  current = true,
  selection,
  onSelect,
  onSort,
  onDelete,
  deletions = 0,
}: {
  data: GroupListResponse;
  /** The time statuses and ages are judged at (the last good answer's time while not current). */
  now: number;
  /** False while offline, failing or showing the last valid filter's results: the table is shown as old. */
  current?: boolean;
  selection: Selection;
  onSelect: (a: SelectionAction) => void;
  onSort: (k: SortKey) => void;
  /** Absent when the viewer may not delete: no Delete buttons. */
  onDelete?: (row: GroupRow) => void;
  /** Counts the operator's own deletes: each releases paused re-ordering, so their rows go at once. */
  deletions?: number;
}) {
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(() => new Set());
  const onToggleExpanded = useCallback((id: string) => {
    setExpanded((s) => {
      const n = new Set(s);
      if (n.has(id)) n.delete(id);
      else n.add(id);
      return n;
    });
  }, []);
  const orderKey = `${data.q}|${data.sort}|${data.dir}|${data.page}|${data.size}|${data.jobs ? "job" : ""}`;
  const stable = useStableRows(data.rows, orderKey);
  const { release } = stable;
  useEffect(() => {
    if (deletions > 0) release();
  }, [deletions, release]);
  const phone = useIsPhone();
  const onToggle = (row: GroupRow, on: boolean) => onSelect({ type: "toggle", id: row.id, labels: row.labels, on });
  const onToggleAll = (on: boolean) => onSelect({ type: "page", rows: data.rows.map((r) => ({ id: r.id, labels: r.labels })), on });
  const jobs = new Map((data.jobs ?? []).map((j) => [j.job, j]));
  const colCount = COLUMNS.length + 3;
  const pausedNote = (
    <p
      data-testid="updates-paused"
      data-paused={stable.paused}
      aria-live="polite"
      className={`min-h-5 text-xs text-zinc-700 dark:text-zinc-300 ${stable.paused ? "" : "invisible"}`}
    >
      Re-ordering paused while the pointer or focus is on the table
      {stable.waiting > 0 ? ` (${stable.waiting} change${stable.waiting === 1 ? "" : "s"} waiting)` : ""}; values still update.
    </p>
  );
  if (phone)
    return (
      <div {...stable.bind} data-updated={data.nowMs} data-testid="group-list" data-current={current}>
        {pausedNote}
        <GroupCards
          rows={stable.rows}
          now={now}
          selection={selection}
          onToggle={onToggle}
          onDelete={onDelete}
          empty={data.totalAll === 0 ? "No groups have been pushed yet." : "No group matches the filter."}
        />
      </div>
    );
  return (
    <div {...stable.bind} data-updated={data.nowMs} data-testid="group-list">
      {pausedNote}
      {/* Not current (offline, failing, or the last valid filter's rows): a dashed frame, not faded text (contrast). */}
      <div className={`card relative overflow-x-auto ${current ? "" : "border-dashed border-amber-500 dark:border-amber-600"}`}>
        <table className="w-full min-w-[44rem] table-fixed border-collapse text-sm" aria-label="Pushed groups">
          <thead className="border-b border-zinc-200 bg-zinc-50 dark:border-zinc-800 dark:bg-zinc-900/60">
            <tr>
              <th scope="col" className="w-9 px-2 py-2">
                <HeaderCheckbox rows={data.rows} selection={selection} onToggleAll={onToggleAll} />
              </th>
              <th scope="col" className="w-8 px-1 py-2">
                <span className="sr-only">Expand</span>
              </th>
              {COLUMNS.map((c) => (
                <SortHeader key={c.label} col={c} sort={data.sort} dir={data.dir} onSort={onSort} />
              ))}
              <th scope="col" className="w-20 px-2 py-2 text-right">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {data.rows.length === 0 && (
              <tr>
                <td colSpan={colCount} className="px-4 py-10 text-center text-zinc-600 dark:text-zinc-400">
                  {data.totalAll === 0 ? "No groups have been pushed yet." : "No group matches the filter."}
                </td>
              </tr>
            )}
            {stable.rows.map(({ row, gone }, i) => {
              const jobOf = (r: GroupRow) => r.labels.find((l) => l.name === "job")?.value ?? "";
              const job = jobOf(row);
              const prevJob = i > 0 ? jobOf(stable.rows[i - 1]!.row) : undefined;
              const jobHeader = data.jobs && job !== prevJob ? jobs.get(job) : undefined;
              const key = groupingKeyText(row.labels);
              const isOpen = expanded.has(row.id);
              const checked = isSelected(selection, row.id);
              const detailsId = `row-details-${row.id}`;
              return (
                <Fragment key={row.id}>
                  {jobHeader && (
                    <tr className="border-b border-zinc-200 bg-zinc-100/70 dark:border-zinc-800 dark:bg-zinc-800/50">
                      <th scope="rowgroup" colSpan={colCount} className="px-3 py-1.5 text-left text-xs font-semibold">
                        job <span className="font-mono">{jobHeader.job === "" ? '""' : jobHeader.job}</span>
                        <span className="ml-2 font-normal text-zinc-700 dark:text-zinc-300">
                          {jobHeader.count} group{jobHeader.count === 1 ? "" : "s"}
                          {jobHeader.stale > 0 && ` · ${jobHeader.stale} stale`}
                          {jobHeader.failed > 0 && ` · ${jobHeader.failed} failed`}
                        </span>
                      </th>
                    </tr>
                  )}
                  <tr
                    data-testid="group-row"
                    data-id={row.id}
                    data-gone={gone || undefined}
                    className={`border-b border-zinc-100 align-top dark:border-zinc-800 ${gone ? "bg-zinc-100 line-through dark:bg-zinc-800" : checked ? "bg-orange-50/60 dark:bg-orange-950/20" : "hover:bg-zinc-50 dark:hover:bg-zinc-800/40"}`}
                  >
                    <td className="px-2 py-2">
                      <input
                        type="checkbox"
                        className="h-4 w-4 accent-brand"
                        aria-label={`Select group ${key}`}
                        checked={checked}
                        disabled={gone}
                        onChange={(e) => onToggle(row, e.target.checked)}
                      />
                    </td>
                    <td className="px-0 py-1.5 sm:px-1">
                      <button
                        type="button"
                        className="rounded px-1 text-zinc-600 hover:text-zinc-900 dark:text-zinc-400 dark:hover:text-white"
                        aria-expanded={isOpen}
                        aria-controls={detailsId}
                        aria-label={`${isOpen ? "Collapse" : "Expand"} group ${key}`}
                        onClick={() => onToggleExpanded(row.id)}
                      >
                        <span aria-hidden="true" className={`inline-block transition-transform ${isOpen ? "rotate-90" : ""}`}>
                          ▶
                        </span>
                      </button>
                    </td>
                    <td className="px-2 py-2">
                      {/* No prefetch: 50 visible rows would be 50 server renders of detail pages per page shown. */}
                      <Link href={`/groups/${row.id}`} prefetch={false} className="group block rounded" title={`Open group ${key}`}>
                        <LabelChips labels={row.labels} className="group-hover:underline" />
                      </Link>
                      {gone && <span className="mt-1 block text-xs no-underline">no longer listed (shown until the table is released)</span>}
                    </td>
                    <td className="px-2 py-2">
                      <StatusBadges row={row} now={now} />
                      {row.expiresAtMs !== null ? (
                        <span
                          className="mt-1 block whitespace-nowrap text-xs text-amber-800 dark:text-amber-300"
                          title={`A lifecycle rule deletes this group at ${formatLocal(row.expiresAtMs)}`}
                          data-testid="expires"
                        >
                          expires {formatIn(row.expiresAtMs - now)}
                        </span>
                      ) : null}
                      <StaleFamiliesNote row={row} now={now} className="mt-1 block" />
                    </td>
                    <td className="hidden whitespace-nowrap px-2 py-2 sm:table-cell">
                      <RelativeTime ms={row.lastPushMs} now={now} />
                    </td>
                    <td className="hidden px-2 py-2 md:table-cell">
                      <div className="flex items-center gap-2">
                        <PushSparkline
                          pushes={row.pushHistory}
                          now={now}
                          staleAfterMs={row.staleAfterMs}
                          intervalMs={row.intervalMs}
                          lastFailureMs={row.lastFailureMs}
                        />
                        <span className="whitespace-nowrap text-xs text-zinc-700 dark:text-zinc-300" title={explainStaleness(row, now).cadence}>
                          {row.cadenceMs !== null ? `every ${formatSpan(row.cadenceMs)}${row.cadenceSource === "rule" ? " (rule)" : ""}` : "—"}
                        </span>
                      </div>
                    </td>
                    <td className="hidden whitespace-nowrap px-2 py-2 lg:table-cell">
                      {row.lastFailureMs === null ? (
                        <span className="text-zinc-600 dark:text-zinc-400" aria-label="never">
                          —
                        </span>
                      ) : (
                        <span className={row.lastPushFailed ? "font-medium text-red-700 dark:text-red-300" : "text-zinc-700 dark:text-zinc-300"}>
                          {row.lastPushFailed && <span className="sr-only">Last push failed: </span>}
                          <RelativeTime ms={row.lastFailureMs} now={now} />
                        </span>
                      )}
                      {row.rejected ? (
                        <span className="block text-xs text-red-800 dark:text-red-300" title={row.rejected.last.message} data-testid="rejected">
                          {row.rejected.count} rejected (HTTP {row.rejected.last.status})
                        </span>
                      ) : null}
                    </td>
                    <td className="hidden px-2 py-2 text-right tabular-nums sm:table-cell">{row.families}</td>
                    <td className="hidden px-2 py-2 text-right tabular-nums sm:table-cell">{row.series}</td>
                    <td className="px-2 py-1.5 text-right">
                      {onDelete && !gone && (
                        <button type="button" className="btn btn-sm" aria-label={`Delete group ${key}`} onClick={() => onDelete(row)}>
                          Delete
                        </button>
                      )}
                    </td>
                  </tr>
                  {isOpen && (
                    <tr id={detailsId} className="border-b border-zinc-100 bg-zinc-50/70 dark:border-zinc-800 dark:bg-zinc-900/40">
                      <td colSpan={colCount} className="px-4 py-3">
                        <RowDetails row={row} now={now} />
                      </td>
                    </tr>
                  )}
                </Fragment>
              );
            })}
          </tbody>
        </table>
      </div>
    </div>
  );
}

function RowDetails({ row, now }: { row: GroupRow; now: number }) {
  return (
    <div className="grid gap-3 text-sm md:grid-cols-3">
      <dl className="grid grid-cols-[auto_1fr] gap-x-3 gap-y-1">
        <dt className="text-zinc-700 dark:text-zinc-300">Grouping key</dt>
        <dd className="font-mono text-xs [overflow-wrap:anywhere]">{groupingKeyText(row.labels)}</dd>
        <dt className="text-zinc-700 dark:text-zinc-300">Families / series</dt>
        <dd>
          {row.families} / {row.series}
        </dd>
        <dt className="text-zinc-700 dark:text-zinc-300">Cadence</dt>
        <dd>{explainStaleness(row, now).cadence}</dd>
        <dt className="text-zinc-700 dark:text-zinc-300">Staleness</dt>
        <dd data-testid="staleness-why">{explainStaleness(row, now).text}</dd>
      </dl>
      <div>
        <p className="mb-1 text-zinc-600 dark:text-zinc-400">Recent pushes ({row.pushHistory.length})</p>
        <ol className="max-h-28 overflow-auto font-mono text-xs">
          {[...row.pushHistory].reverse().map((t, i) => (
            <li key={i}>
              {formatLocal(t)}{" "}
              <span className="text-zinc-700 dark:text-zinc-300">
                (<RelativeTime ms={t} now={now} />)
              </span>
            </li>
          ))}
        </ol>
      </div>
      <div>
        {row.lastError ? (
          <div className="rounded border border-red-300 bg-red-50 p-2 text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-200">
            <p className="font-medium">
              Last rejected push <RelativeTime ms={row.lastError.timeMs} now={now} />
            </p>
            <p className="mt-1 whitespace-pre-wrap break-words font-mono text-xs">{row.lastError.message}</p>
          </div>
        ) : (
          <p className="text-zinc-700 dark:text-zinc-300">No rejected push recorded.</p>
        )}
        <Link href={`/groups/${row.id}`} prefetch={false} className="mt-2 inline-block text-brand-dark underline dark:text-brand">
          Open details, metrics and exposition →
        </Link>
      </div>
    </div>
  );
}

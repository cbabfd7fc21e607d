"use client";
import { AppLink as Link } from "../prefix";
import { Fragment, useEffect, useRef } from "react";
import type { GroupListResponse, GroupRow, SortDir, SortKey } from "@/lib/dashboard/types";
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

const COLUMNS: Column[] = [
  { key: "labels", label: "Group" },
  { key: "status", label: "Status" },
  { key: "lastPush", label: "Last push", className: "hidden sm:table-cell" },
  { key: "interval", label: "Push timeline", className: "hidden md:table-cell", title: "Recent pushes; sorted by typical interval" },
  { key: "lastFailure", label: "Last failure", className: "hidden lg:table-cell" },
  { key: "families", label: "Families", className: "hidden sm:table-cell text-right", title: "Pushed families (without push_time_seconds / push_failure_time_seconds)" },
  { key: "series", label: "Series", className: "hidden sm:table-cell text-right", title: "Pushed series (samples)" },
];

function SortHeader({ col, sort, dir, onSort }: { col: Column; sort: SortKey; dir: SortDir; onSort: (k: SortKey) => void }) {
  const active = col.key === sort;
  return (
    <th
      scope="col"
      aria-sort={active ? (dir === "asc" ? "ascending" : "descending") : "none"}
      className={`px-2 py-2 text-left text-xs font-semibold uppercase tracking-wide text-zinc-600 dark:text-zinc-400 ${col.className ?? ""}`}
      title={col.title}
    >
      {col.key ? (
        <button type="button" className="inline-flex items-center gap-1 uppercase hover:text-zinc-900 dark:hover:text-white" onClick={() => onSort(col.key!)}>
          {col.label}
          <span aria-hidden="true" className={active ? "text-brand" : "opacity-30"}>
            {active && dir === "desc" ? "▼" : "▲"}
          </span>
        </button>
      ) : (
        col.label
      )}
    </th>
  );
}

function HeaderCheckbox({ rows, selected, onToggleAll }: { rows: GroupRow[]; selected: ReadonlyMap<string, unknown>; onToggleAll: (on: boolean) => void }) {
  const ref = useRef<HTMLInputElement>(null);
  const n = rows.filter((r) => selected.has(r.id)).length;
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

export function GroupTable({
  data,
  now,
  selected,
  onToggle,
  onToggleAll,
  expanded,
  onToggleExpanded,
  onSort,
  onDelete,
}: {
  data: GroupListResponse;
  now: number;
  selected: ReadonlyMap<string, GroupRow["labels"]>;
  onToggle: (row: GroupRow, on: boolean) => void;
  onToggleAll: (on: boolean) => void;
  expanded: ReadonlySet<string>;
  onToggleExpanded: (id: string) => void;
  onSort: (k: SortKey) => void;
  /** Absent when the viewer may not delete: no Delete buttons. */
  onDelete?: (row: GroupRow) => void;
}) {
  const jobs = new Map((data.jobs ?? []).map((j) => [j.job, j]));
  const colCount = COLUMNS.length + 3;
  return (
    <div className="card relative overflow-x-auto">
      <table className="w-full border-collapse text-sm" aria-label="Pushed groups">
        <thead className="border-b border-zinc-200 bg-zinc-50 dark:border-zinc-800 dark:bg-zinc-900/60">
          <tr>
            <th scope="col" className="w-8 px-2 py-2">
              <HeaderCheckbox rows={data.rows} selected={selected} onToggleAll={onToggleAll} />
            </th>
            <th scope="col" className="w-8 px-1 py-2">
              <span className="sr-only">Expand</span>
            </th>
            {COLUMNS.map((c) => (
              <SortHeader key={c.label} col={c} sort={data.sort} dir={data.dir} onSort={onSort} />
            ))}
            <th scope="col" className="px-2 py-2 text-right">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {data.rows.length === 0 && (
            <tr>
              <td colSpan={colCount} className="px-4 py-10 text-center text-zinc-500">
                {data.totalAll === 0 ? "No groups have been pushed yet." : "No group matches the filter."}
              </td>
            </tr>
          )}
          {data.rows.map((row, i) => {
            const jobOf = (r: typeof row) => r.labels.find((l) => l.name === "job")?.value ?? "";
            const job = jobOf(row);
            const prevJob = i > 0 ? jobOf(data.rows[i - 1]!) : undefined;
            const jobHeader = data.jobs && job !== prevJob ? jobs.get(job) : undefined;
            const key = groupingKeyText(row.labels);
            const isOpen = expanded.has(row.id);
            const detailsId = `row-details-${row.id}`;
            return (
              <Fragment key={row.id}>
                {jobHeader && (
                  <tr className="border-b border-zinc-200 bg-zinc-100/70 dark:border-zinc-800 dark:bg-zinc-800/50">
                    <th scope="rowgroup" colSpan={colCount} className="px-3 py-1.5 text-left text-xs font-semibold">
                      job <span className="font-mono">{jobHeader.job === "" ? '""' : jobHeader.job}</span>
                      <span className="ml-2 font-normal text-zinc-600 dark:text-zinc-400">
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
                  className={`border-b border-zinc-100 align-top dark:border-zinc-800 ${selected.has(row.id) ? "bg-orange-50/60 dark:bg-orange-950/20" : "hover:bg-zinc-50 dark:hover:bg-zinc-800/40"}`}
                >
                  <td className="px-2 py-2">
                    <input
                      type="checkbox"
                      className="h-4 w-4 accent-brand"
                      aria-label={`Select group ${key}`}
                      checked={selected.has(row.id)}
                      onChange={(e) => onToggle(row, e.target.checked)}
                    />
                  </td>
                  <td className="px-0 py-1.5 sm:px-1">
                    <button
                      type="button"
                      className="rounded px-1 text-zinc-500 hover:text-zinc-900 dark:hover:text-white"
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
                  <td className="min-w-32 px-2 py-2 sm:min-w-40">
                    <Link href={`/groups/${row.id}`} className="group block rounded" aria-label={`Open group ${key}`}>
                      <LabelChips labels={row.labels} className="group-hover:underline" />
                    </Link>
                    <span className="mt-1 block text-xs text-zinc-600 sm:hidden dark:text-zinc-400">
                      pushed <RelativeTime ms={row.lastPushMs} now={now} />
                    </span>
                  </td>
                  <td className="px-2 py-2">
                    <StatusBadge
                      status={row.status}
                      title={row.stale ? `No push for longer than ${formatSpan(row.staleAfterMs)}` : row.status === "failed" ? "The last push was rejected" : undefined}
                    />
                    {row.expiresAtMs !== null ? (
                      <span className="mt-1 block whitespace-nowrap text-xs text-amber-800 dark:text-amber-300" title={`A lifecycle rule deletes this group at ${formatLocal(row.expiresAtMs)}`} data-testid="expires">
                        expires {formatIn(row.expiresAtMs - now)}
                      </span>
                    ) : null}
                  </td>
                  <td className="hidden whitespace-nowrap px-2 py-2 sm:table-cell">
                    <RelativeTime ms={row.lastPushMs} now={now} />
                  </td>
                  <td className="hidden px-2 py-2 md:table-cell">
                    <div className="flex items-center gap-2">
                      <PushSparkline pushes={row.pushHistory} now={now} staleAfterMs={row.staleAfterMs} intervalMs={row.intervalMs} lastFailureMs={row.lastFailureMs} />
                      <span className="whitespace-nowrap text-xs text-zinc-600 dark:text-zinc-400">
                        {row.cadenceMs !== null ? `every ${formatSpan(row.cadenceMs)}${row.cadenceSource === "rule" ? " (rule)" : ""}` : "—"}
                      </span>
                    </div>
                  </td>
                  <td className="hidden whitespace-nowrap px-2 py-2 lg:table-cell">
                    {row.lastFailureMs === null ? (
                      <span className="text-zinc-400 dark:text-zinc-500">—</span>
                    ) : (
                      <span className={row.lastPushFailed ? "font-medium text-red-700 dark:text-red-400" : "text-zinc-600 dark:text-zinc-400"}>
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
                    {onDelete && (
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
  );
}

function RowDetails({ row, now }: { row: GroupRow; now: number }) {
  return (
    <div className="grid gap-3 text-sm md:grid-cols-3">
      <dl className="grid grid-cols-[auto_1fr] gap-x-3 gap-y-1">
        <dt className="text-zinc-500">Grouping key</dt>
        <dd className="break-all font-mono text-xs">{groupingKeyText(row.labels)}</dd>
        <dt className="text-zinc-500">Families / series</dt>
        <dd>
          {row.families} / {row.series}
        </dd>
        <dt className="text-zinc-500">Cadence</dt>
        <dd>
          {formatSpan(row.cadenceMs)}{" "}
          <span className="text-zinc-600 dark:text-zinc-300">
            ({row.cadenceSource === "rule" ? "declared by a lifecycle rule" : row.cadenceSource === "learnt" ? `learnt from ${row.pushHistory.length} pushes` : "none yet: the default applies"})
          </span>
        </dd>
        <dt className="text-zinc-500">Stale after</dt>
        <dd>{formatSpan(row.staleAfterMs)} without a push</dd>
      </dl>
      <div>
        <p className="mb-1 text-zinc-500">Recent pushes ({row.pushHistory.length})</p>
        <ol className="max-h-28 overflow-auto font-mono text-xs">
          {[...row.pushHistory].reverse().map((t, i) => (
            <li key={i}>
              {formatLocal(t)} <span className="text-zinc-500">(<RelativeTime ms={t} now={now} />)</span>
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
          <p className="text-zinc-500">No rejected push recorded.</p>
        )}
        <Link href={`/groups/${row.id}`} className="mt-2 inline-block text-brand underline">
          Open details, metrics and exposition →
        </Link>
      </div>
    </div>
  );
}

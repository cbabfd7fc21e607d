"use client";
// The groups list at phone width: one readable card per group (labels wrap between chips, a long value only where
// it must), with the facts an operator needs at a glance and the same actions as a table row.
import { AppLink as Link } from "../prefix";
import type { GroupRow } from "@/lib/dashboard/types";
import { formatSpan, groupingKeyText } from "../ui/format";
import { LabelChips } from "../ui/label-chips";
import { RelativeTime } from "../ui/relative-time";
import { isSelected, type Selection } from "./selection";
import type { StableRow } from "./use-stable-rows";
import { StatusBadges } from "./group-table";

export function GroupCards({
  rows,
  now,
  selection,
  onToggle,
  onDelete,
  empty,
}: {
  rows: StableRow<GroupRow>[];
  now: number;
  selection: Selection;
  onToggle: (row: GroupRow, on: boolean) => void;
  onDelete?: (row: GroupRow) => void;
  empty: string;
}) {
  if (rows.length === 0) return <p className="card p-6 text-center text-sm text-zinc-700 dark:text-zinc-300">{empty}</p>;
  return (
    <ul className="space-y-2" aria-label="Pushed groups">
      {rows.map(({ row, gone }) => {
        const key = groupingKeyText(row.labels);
        const checked = isSelected(selection, row.id);
        return (
          <li
            key={row.id}
            data-testid="group-row"
            data-id={row.id}
            data-layout="card"
            data-gone={gone || undefined}
            className={`card p-3 ${gone ? "line-through" : checked ? "ring-2 ring-orange-300 dark:ring-orange-800" : ""}`}
          >
            <div className="flex items-start gap-2">
              <input
                type="checkbox"
                className="mt-1 h-4 w-4 shrink-0 accent-brand"
                aria-label={`Select group ${key}`}
                checked={checked}
                disabled={gone}
                onChange={(e) => onToggle(row, e.target.checked)}
              />
              <Link href={`/groups/${row.id}`} prefetch={false} className="min-w-0 flex-1 rounded" title={`Open group ${key}`}>
                <LabelChips labels={row.labels} />
              </Link>
            </div>
            <div className="mt-2 flex flex-wrap items-center gap-x-3 gap-y-1 text-xs text-zinc-700 dark:text-zinc-300">
              <StatusBadges row={row} now={now} />
              <span>
                pushed <RelativeTime ms={row.lastPushMs} now={now} />
              </span>
              {row.cadenceMs !== null && <span>every {formatSpan(row.cadenceMs)}</span>}
              <span>
                {row.families} families · {row.series} series
              </span>
              {onDelete && !gone && (
                <button type="button" className="btn btn-sm ml-auto" aria-label={`Delete group ${key}`} onClick={() => onDelete(row)}>
                  Delete
                </button>
              )}
            </div>
            {row.lastPushFailed && row.lastError && (
              <p className="mt-1 text-xs text-red-800 [overflow-wrap:anywhere] dark:text-red-300">{row.lastError.message}</p>
            )}
          </li>
        );
      })}
    </ul>
  );
}

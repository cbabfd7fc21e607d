"use client";
// The bulk actions above the table. Each acts on exactly what the filter shows; "Delete all" stands apart.
import type { GroupListResponse } from "@/lib/dashboard/types";
import { selectionSize, type Selection } from "./selection";

export type BulkDialog = "selected" | "stale" | "matching" | "wipe";

export function BulkActions({
  data,
  q,
  selection,
  selectionPending,
  canDelete,
  onOpen,
  onClear,
  notice,
}: {
  data: GroupListResponse | undefined;
  q: string;
  selection: Selection;
  /** The filter just changed and the selection is being pruned: nothing acts on it yet. */
  selectionPending: boolean;
  canDelete: boolean;
  onOpen: (d: BulkDialog) => void;
  onClear: () => void;
  notice: string;
}) {
  const n = selectionSize(selection);
  const filtered = q.trim() !== "";
  const stale = data?.matching.stale ?? 0;
  return (
    <div className="flex flex-wrap items-center gap-2">
      {canDelete && (
        <button type="button" className="btn" disabled={n === 0 || selectionPending} onClick={() => onOpen("selected")}>
          Delete selected ({n})
        </button>
      )}
      {n > 0 && (
        <button type="button" className="btn btn-sm" onClick={onClear}>
          Clear selection
        </button>
      )}
      {canDelete && (
        <button
          type="button"
          className="btn"
          disabled={stale === 0}
          onClick={() => onOpen("stale")}
          title={filtered ? `Stale groups matching ${q}` : "Every stale group"}
        >
          {filtered ? `Delete stale matching (${stale})` : `Delete all stale (${stale})`}
        </button>
      )}
      {canDelete && data && filtered && (
        <button type="button" className="btn" disabled={data.total === 0} onClick={() => onOpen("matching")}>
          Delete matching ({data.total})
        </button>
      )}
      <p role="status" aria-live="polite" className="text-sm text-zinc-800 dark:text-zinc-200" data-testid="notice">
        {notice}
      </p>
      {canDelete && data?.adminApi && (
        // Apart from the filtered actions (a divider and the far end of the bar), and confirmed by typing the count.
        <span className="ml-auto flex items-center border-l border-zinc-300 pl-3 dark:border-zinc-700">
          <button type="button" className="btn text-red-700 dark:text-red-300" disabled={data.totalAll === 0} onClick={() => onOpen("wipe")}>
            Delete all ({data.totalAll})…
          </button>
        </span>
      )}
    </div>
  );
}

/** Gmail-style: after checking a whole page, offer every group the filter matches (across pages). */
export function SelectAllMatching({
  data,
  selection,
  q,
  onSelectAll,
  onClear,
}: {
  data: GroupListResponse;
  selection: Selection;
  q: string;
  onSelectAll: () => void;
  onClear: () => void;
}) {
  if (selection.kind === "matching")
    return (
      <p data-testid="select-all-matching" className="rounded bg-orange-50 px-3 py-2 text-sm text-zinc-900 dark:bg-orange-950/40 dark:text-zinc-100">
        All {selection.total} groups matching <code className="font-mono">{selection.q}</code> are selected (on every page).{" "}
        <button type="button" className="underline" onClick={onClear}>
          Clear selection
        </button>
      </p>
    );
  const pageAll = data.rows.length > 0 && data.rows.every((r) => selection.ids.has(r.id));
  if (!pageAll || data.total <= data.rows.length || q.trim() === "") return null;
  return (
    <p data-testid="select-all-matching" className="rounded bg-orange-50 px-3 py-2 text-sm text-zinc-900 dark:bg-orange-950/40 dark:text-zinc-100">
      All {data.rows.length} groups on this page are selected.{" "}
      <button type="button" className="font-medium underline" onClick={onSelectAll}>
        Select all {data.total} matching
      </button>
    </p>
  );
}

"use client";
// The detail page's families, sorted by last write (oldest first, push_time_seconds and
// push_failure_time_seconds last), each with its age; families the group's pushes left behind are marked
// "stale". Families can be deleted one ("Delete" on the card, then confirm: two clicks) or several at a time
// (checkboxes, then "Delete N families"). The delete is conditional on each family's write time as shown: a
// family pushed again before the delete is applied is kept, and the notice says so.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import type { FamilyView, GroupRow } from "@/lib/dashboard/types";
import { api } from "../queries/api";
import { uiKeys } from "../queries/keys";
import { ConfirmDialog } from "../ui/confirm-dialog";
import { formatSpan } from "../ui/format";
import { announce } from "../undo/undo-store";
import { FamilyCard } from "./family-card";

/** Same rule as lib/lifecycle/stale-families.ts (a family this far behind the group's last push is stale). */
const STALE_FAMILY_LAG_MS = 3600_000;

export function isStaleFamily(f: FamilyView, row: Pick<GroupRow, "lastPushMs" | "intervalMs">): boolean {
  if (f.synthetic || row.lastPushMs === null) return false;
  return f.lastPushedMs < row.lastPushMs - Math.max(STALE_FAMILY_LAG_MS, 2 * (row.intervalMs ?? 0));
}

export function sortFamiliesByWrite(families: FamilyView[]): FamilyView[] {
  return [...families].sort((a, b) => Number(a.synthetic) - Number(b.synthetic) || a.lastPushedMs - b.lastPushedMs || (a.name < b.name ? -1 : 1));
}

function useDeleteFamilies(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (families: FamilyView[]) =>
      api.deleteFamilies(
        id,
        families.map((f) => ({ name: f.name, lastPushedMs: f.lastPushedMs })),
      ),
    onSuccess: async (res) => {
      const kept = res.kept.length > 0 ? ` Kept ${res.kept.join(", ")}: pushed again since the page showed it.` : "";
      announce(
        res.deleted.length > 0 ? `Deleted ${res.deleted.length === 1 ? "family" : "families"} ${res.deleted.join(", ")}.${kept}` : `Nothing deleted.${kept}`,
        res.undo,
      );
      await qc.invalidateQueries({ queryKey: uiKeys.groups() });
    },
  });
}

export function FamilyList({
  id,
  row,
  families,
  now,
  groupLabels,
  canDelete,
}: {
  id: string;
  row: GroupRow;
  families: FamilyView[];
  now: number;
  groupLabels: ReadonlySet<string>;
  canDelete: boolean;
}) {
  const sorted = useMemo(() => sortFamiliesByWrite(families), [families]);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [confirming, setConfirming] = useState<FamilyView[] | null>(null);
  const del = useDeleteFamilies(id);
  // A selection never names a family the page no longer shows.
  const present = new Set(families.map((f) => f.name));
  const chosen = sorted.filter((f) => selected.has(f.name) && present.has(f.name));
  const toggle = (name: string) =>
    setSelected((s) => {
      const next = new Set(s);
      if (!next.delete(name)) next.add(name);
      return next;
    });
  return (
    <>
      <div className="flex flex-wrap items-center justify-between gap-2 text-xs text-zinc-600 dark:text-zinc-300">
        <span>Sorted by last write, oldest first.</span>
        {canDelete && (
          <button
            type="button"
            className="btn btn-sm btn-danger"
            disabled={chosen.length === 0}
            data-testid="delete-families"
            onClick={() => setConfirming(chosen)}
          >
            Delete {chosen.length} famil{chosen.length === 1 ? "y" : "ies"}
          </button>
        )}
      </div>
      {sorted.map((f) => {
        const stale = isStaleFamily(f, row);
        return (
          <div key={f.name} className="flex items-start gap-2" data-testid="family-row" data-family={f.name}>
            {canDelete && (
              <input
                type="checkbox"
                className="mt-3 h-4 w-4 accent-brand"
                aria-label={`Select family ${f.name}`}
                disabled={f.synthetic}
                title={f.synthetic ? "push_time_seconds and push_failure_time_seconds record the group's pushes: delete the group instead" : undefined}
                checked={selected.has(f.name)}
                onChange={() => toggle(f.name)}
              />
            )}
            <div className="min-w-0 flex-1">
              {stale && (
                <p data-testid="family-stale" className="mb-0.5 text-xs text-amber-800 dark:text-amber-300">
                  stale: not written for {formatSpan(Math.max(0, now - f.lastPushedMs))}, while the group last pushed{" "}
                  {formatSpan(Math.max(0, now - (row.lastPushMs ?? now)))} ago
                </p>
              )}
              <FamilyCard family={f} now={now} groupLabels={groupLabels} defaultOpen={!f.synthetic && families.length <= 12} />
            </div>
            {canDelete && !f.synthetic && (
              <button
                type="button"
                className="btn btn-sm mt-1.5"
                aria-label={`Delete family ${f.name}`}
                data-testid="delete-family"
                onClick={() => setConfirming([f])}
              >
                Delete
              </button>
            )}
          </div>
        );
      })}
      <ConfirmDialog
        open={confirming !== null}
        title={confirming?.length === 1 ? `Delete family ${confirming[0]!.name}?` : `Delete ${confirming?.length ?? 0} families?`}
        confirmLabel={confirming?.length === 1 ? "Delete family" : `Delete ${confirming?.length ?? 0} families`}
        busy={del.isPending}
        error={del.error ? `Delete failed: ${(del.error as Error).message}` : null}
        onClose={() => {
          del.reset();
          setConfirming(null);
        }}
        onConfirm={() =>
          del.mutate(confirming ?? [], {
            onSuccess: () => {
              del.reset();
              setConfirming(null);
              setSelected(new Set());
            },
          })
        }
      >
        <p>
          Removes only these families from the group; its other families and push_time_seconds stay. A family pushed again before the delete is applied is kept.
          You can undo it for a while.
        </p>
        <ul
          data-testid="confirm-families"
          className="mt-2 max-h-72 space-y-1 overflow-auto rounded border border-zinc-200 bg-zinc-50 p-2 font-mono text-xs dark:border-zinc-700 dark:bg-zinc-950"
        >
          {(confirming ?? []).map((f) => (
            <li key={f.name} className="break-all">
              {f.name}{" "}
              <span className="text-zinc-600 dark:text-zinc-300">
                — {f.totalSamples} series, written {formatSpan(Math.max(0, now - f.lastPushedMs))} ago
              </span>
            </li>
          ))}
        </ul>
      </ConfirmDialog>
    </>
  );
}

"use client";
// The delete confirmations. Every dialog says which filter it applies, lists (or previews) the groups, and reports
// the server's answer through onDeleted(res, ids): the place an undo notice hooks in.
import { useQuery } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";
import type { LabelPair } from "@/lib/exposition/model";
import { staleGroupsOptions, useDeleteGroups, useDeleteMatching, useDeleteStale, useWipe } from "../queries/groups";
import { ConfirmDialog } from "../ui/confirm-dialog";
import { groupingKeyText } from "../ui/format";
import { RelativeTime } from "../ui/relative-time";
import { useDeleteAction, type OnDeleted } from "./use-delete-action";

function KeyList({ items, testId }: { items: { id: string; labels: LabelPair[]; extra?: ReactNode }[]; testId: string }) {
  return (
    <ul
      data-testid={testId}
      className="mt-2 max-h-72 space-y-1 overflow-auto rounded border border-zinc-200 bg-zinc-50 p-2 font-mono text-xs dark:border-zinc-700 dark:bg-zinc-950"
    >
      {items.map((it) => (
        <li key={it.id} className="[overflow-wrap:anywhere]">
          {groupingKeyText(it.labels)}
          {it.extra}
        </li>
      ))}
    </ul>
  );
}

/** "Filter: job=x is:stale" or "No filter: all groups", the scope a dialog applies. */
export function FilterScope({ filter }: { filter: string }) {
  return filter.trim() === "" ? (
    <p data-testid="dialog-filter" className="mb-2 text-zinc-700 dark:text-zinc-300">
      No filter: <strong>all groups</strong>.
    </p>
  ) : (
    <p data-testid="dialog-filter" className="mb-2 text-zinc-700 dark:text-zinc-300">
      Filter:{" "}
      <code data-testid="matching-filter" className="rounded bg-zinc-100 px-1 font-mono text-xs [overflow-wrap:anywhere] dark:bg-zinc-800">
        {filter}
      </code>
    </p>
  );
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** Delete one or more groups chosen in the table; with a filter, only those it still matches are deleted. */
export function DeleteGroupsDialog({
  targets,
  filter = "",
  onClose,
  onDeleted,
}: {
  targets: { id: string; labels: LabelPair[] }[] | null;
  filter?: string;
  onClose: () => void;
  onDeleted: OnDeleted;
}) {
  const action = useDeleteAction(useDeleteGroups(), onDeleted, onClose);
  const ids = targets?.map((t) => t.id) ?? [];
  const one = targets?.length === 1 ? targets[0] : undefined;
  return (
    <ConfirmDialog
      open={targets !== null}
      title={one ? "Delete group?" : `Delete ${ids.length} groups?`}
      confirmLabel={one ? "Delete group" : `Delete ${ids.length} groups`}
      busy={action.busy}
      error={action.error}
      onClose={action.close}
      onConfirm={() => action.confirm({ ids, q: filter }, ids)}
    >
      {one ? (
        <>
          <p>Do you really want to delete all metrics of this group?</p>
          <p data-testid="confirm-key" className="mt-2 rounded bg-zinc-100 p-2 font-mono text-xs [overflow-wrap:anywhere] dark:bg-zinc-800">
            {groupingKeyText(one.labels)}
          </p>
        </>
      ) : (
        <>
          <FilterScope filter={filter} />
          <p>Do you really want to delete all metrics of these {ids.length} groups? A group that pushes before the delete is applied is kept.</p>
          <KeyList items={targets ?? []} testId="confirm-keys" />
        </>
      )}
    </ConfirmDialog>
  );
}

/** "Delete stale matching (N)": lists the stale groups within the filter first; deletes exactly those still stale. */
export function DeleteStaleDialog({ filter, onClose, onDeleted }: { filter: string | null; onClose: () => void; onDeleted: OnDeleted }) {
  const open = filter !== null;
  const q = useQuery({ ...staleGroupsOptions(filter ?? ""), enabled: open, refetchInterval: false, refetchOnWindowFocus: false });
  const action = useDeleteAction(useDeleteStale(), onDeleted, onClose);
  const rows = open ? (q.data?.rows ?? []) : [];
  const now = q.data?.nowMs ?? 0;
  return (
    <ConfirmDialog
      open={open}
      title={q.isFetching && !q.data ? "Delete stale groups?" : `Delete ${plural(rows.length, "stale group")}?`}
      confirmLabel={`Delete ${rows.length} stale`}
      confirmDisabled={q.isFetching || rows.length === 0}
      busy={action.busy}
      error={action.error ?? (q.error ? `Could not load the stale list: ${q.error.message}` : null)}
      onClose={action.close}
      onConfirm={() => {
        const ids = rows.map((r) => r.id);
        action.confirm({ ids, q: filter ?? "" }, ids);
      }}
    >
      <FilterScope filter={filter ?? ""} />
      {q.isFetching && !q.isSuccess ? (
        <p>Loading the stale groups…</p>
      ) : rows.length === 0 ? (
        <p>No group {filter ? "matching the filter " : ""}is stale right now.</p>
      ) : (
        <>
          <p>
            These {filter ? "groups match the filter and " : "groups "}have not pushed for longer than their stale threshold. Groups that push again before you
            confirm are kept.
          </p>
          <KeyList
            testId="stale-list"
            items={rows.map((r) => ({
              id: r.id,
              labels: r.labels,
              extra: (
                <span className="text-zinc-600 dark:text-zinc-400">
                  {" "}
                  — last push <RelativeTime ms={r.lastPushMs} now={now} />
                </span>
              ),
            }))}
          />
        </>
      )}
    </ConfirmDialog>
  );
}

/** "Delete N matching": every group the filter matches, on every page; the first page is listed. */
export function DeleteMatchingDialog({
  filter,
  total,
  preview,
  onClose,
  onDeleted,
}: {
  filter: string | null;
  total: number;
  preview: { id: string; labels: LabelPair[] }[];
  onClose: () => void;
  onDeleted: OnDeleted;
}) {
  const action = useDeleteAction(useDeleteMatching(), onDeleted, onClose);
  return (
    <ConfirmDialog
      open={filter !== null}
      title={`Delete ${plural(total, "matching group")}?`}
      confirmLabel={`Delete ${total} matching`}
      confirmDisabled={total === 0}
      busy={action.busy}
      error={action.error}
      onClose={action.close}
      onConfirm={() => action.confirm(filter ?? "")}
    >
      <FilterScope filter={filter ?? ""} />
      <p>Deletes every group matching the filter, on all pages. A group that pushes before the delete is applied is kept.</p>
      <KeyList items={preview} testId="matching-list" />
      {total > preview.length ? <p className="mt-1 text-xs text-zinc-700 dark:text-zinc-300">…and {total - preview.length} more.</p> : null}
    </ConfirmDialog>
  );
}

/** "Delete all": every group, via the admin API. The operator types the number of groups to confirm. */
export function WipeDialog({ open, total, onClose, onDeleted }: { open: boolean; total: number; onClose: () => void; onDeleted: OnDeleted }) {
  const [typed, setTyped] = useState("");
  const action = useDeleteAction(
    useWipe(),
    (res, ids) => {
      setTyped("");
      onDeleted(res, ids);
    },
    () => {
      setTyped("");
      onClose();
    },
  );
  const word = String(total);
  return (
    <ConfirmDialog
      open={open}
      title={`Delete all ${total} groups?`}
      confirmLabel="Delete all groups"
      confirmDisabled={typed.trim() !== word}
      busy={action.busy}
      error={action.error}
      onClose={action.close}
      onConfirm={() => action.confirm(undefined)}
    >
      <FilterScope filter="" />
      <p>This deletes every metric of every group, whatever the filter shows. Undo is offered for a while afterwards (--dashboard.undo-window).</p>
      <label className="mt-3 block">
        <span className="text-zinc-700 dark:text-zinc-300">
          Type <strong className="font-mono">{word}</strong> (the number of groups) to confirm:
        </span>
        <input
          data-testid="wipe-confirm"
          className="field mt-1 w-40 font-mono"
          inputMode="numeric"
          autoComplete="off"
          value={typed}
          onChange={(e) => setTyped(e.target.value)}
        />
      </label>
    </ConfirmDialog>
  );
}

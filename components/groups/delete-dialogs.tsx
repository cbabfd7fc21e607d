"use client";
import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import type { LabelPair } from "@/lib/exposition/model";
import type { DeleteResponse } from "@/lib/dashboard/types";
import { staleGroupsOptions, useDeleteGroups, useDeleteMatching, useDeleteStale, useWipe } from "../queries/groups";
import { ConfirmDialog } from "../ui/confirm-dialog";
import { groupingKeyText } from "../ui/format";
import { RelativeTime } from "../ui/relative-time";

function KeyList({ items, testId }: { items: { id: string; labels: LabelPair[]; extra?: ReactNode }[]; testId: string }) {
  return (
    <ul data-testid={testId} className="mt-2 max-h-72 space-y-1 overflow-auto rounded border border-zinc-200 bg-zinc-50 p-2 font-mono text-xs dark:border-zinc-700 dark:bg-zinc-950">
      {items.map((it) => (
        <li key={it.id} className="break-all">
          {groupingKeyText(it.labels)}
          {it.extra}
        </li>
      ))}
    </ul>
  );
}

function errText(e: unknown): string | null {
  return e ? `Delete failed: ${(e as Error).message}` : null;
}

/** Delete one or more groups chosen in the table. */
export function DeleteGroupsDialog({
  targets,
  onClose,
  onDeleted,
}: {
  targets: { id: string; labels: LabelPair[] }[] | null;
  onClose: () => void;
  onDeleted: (res: DeleteResponse, ids: string[]) => void;
}) {
  const del = useDeleteGroups();
  const ids = targets?.map((t) => t.id) ?? [];
  const one = targets?.length === 1 ? targets[0] : undefined;
  return (
    <ConfirmDialog
      open={targets !== null}
      title={one ? "Delete group?" : `Delete ${ids.length} groups?`}
      confirmLabel={one ? "Delete group" : `Delete ${ids.length} groups`}
      busy={del.isPending}
      error={errText(del.error)}
      onClose={() => {
        del.reset();
        onClose();
      }}
      onConfirm={() =>
        del.mutate(ids, {
          onSuccess: (res) => {
            del.reset();
            onDeleted(res, ids);
          },
        })
      }
    >
      {one ? (
        <>
          <p>Do you really want to delete all metrics of this group?</p>
          <p data-testid="confirm-key" className="mt-2 break-all rounded bg-zinc-100 p-2 font-mono text-xs dark:bg-zinc-800">
            {groupingKeyText(one.labels)}
          </p>
        </>
      ) : (
        <>
          <p>Do you really want to delete all metrics of these {ids.length} groups?</p>
          <KeyList items={targets ?? []} testId="confirm-keys" />
        </>
      )}
    </ConfirmDialog>
  );
}

/** "Delete all stale (N)": fetches and shows the list first; deletes exactly the shown groups still stale. */
export function DeleteStaleDialog({ open, onClose, onDeleted }: { open: boolean; onClose: () => void; onDeleted: (res: DeleteResponse, ids: string[]) => void }) {
  const q = useQuery({ ...staleGroupsOptions(), enabled: open, refetchInterval: false, refetchOnWindowFocus: false });
  const del = useDeleteStale();
  const rows = open ? (q.data?.rows ?? []) : [];
  const now = q.data?.nowMs ?? 0;
  return (
    <ConfirmDialog
      open={open}
      title={q.isFetching && !q.data ? "Delete stale groups?" : `Delete ${rows.length} stale group${rows.length === 1 ? "" : "s"}?`}
      confirmLabel={`Delete ${rows.length} stale`}
      confirmDisabled={q.isFetching || rows.length === 0}
      busy={del.isPending}
      error={errText(del.error) ?? (q.error ? `Could not load the stale list: ${(q.error as Error).message}` : null)}
      onClose={() => {
        del.reset();
        onClose();
      }}
      onConfirm={() => {
        const ids = rows.map((r) => r.id);
        del.mutate(ids, {
          onSuccess: (res) => {
            del.reset();
            onDeleted(res, ids);
          },
        });
      }}
    >
      {q.isFetching && !q.isSuccess ? (
        <p>Loading the stale groups…</p>
      ) : rows.length === 0 ? (
        <p>No group is stale right now.</p>
      ) : (
        <>
          <p>
            These groups have not pushed for longer than their stale threshold. Groups that push again before you confirm are kept.
          </p>
          <KeyList
            testId="stale-list"
            items={rows.map((r) => ({
              id: r.id,
              labels: r.labels,
              extra: (
                <span className="text-zinc-500">
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

/** "Delete matching (N)": every group the current filter matches, on every page; the first page is listed. */
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
  onDeleted: (res: DeleteResponse) => void;
}) {
  const del = useDeleteMatching();
  return (
    <ConfirmDialog
      open={filter !== null}
      title={`Delete ${total} matching group${total === 1 ? "" : "s"}?`}
      confirmLabel={`Delete ${total} matching`}
      confirmDisabled={total === 0}
      busy={del.isPending}
      error={errText(del.error)}
      onClose={() => {
        del.reset();
        onClose();
      }}
      onConfirm={() =>
        del.mutate(filter ?? "", {
          onSuccess: (res) => {
            del.reset();
            onDeleted(res);
          },
        })
      }
    >
      <p>
        Deletes every group matching the filter <code data-testid="matching-filter" className="break-all rounded bg-zinc-100 px-1 font-mono text-xs dark:bg-zinc-800">{filter}</code>, on all
        pages. A group that pushes before the delete is applied is kept.
      </p>
      <KeyList items={preview} testId="matching-list" />
      {total > preview.length ? <p className="mt-1 text-xs text-zinc-600 dark:text-zinc-300">…and {total - preview.length} more.</p> : null}
    </ConfirmDialog>
  );
}

/** "Delete all": every group, via the admin API. */
export function WipeDialog({ open, total, onClose, onDeleted }: { open: boolean; total: number; onClose: () => void; onDeleted: (res: DeleteResponse) => void }) {
  const wipe = useWipe();
  return (
    <ConfirmDialog
      open={open}
      title={`Delete all ${total} groups?`}
      confirmLabel="Delete all groups"
      busy={wipe.isPending}
      error={errText(wipe.error)}
      onClose={() => {
        wipe.reset();
        onClose();
      }}
      onConfirm={() =>
        wipe.mutate(undefined, {
          onSuccess: (res) => {
            wipe.reset();
            onDeleted(res);
          },
        })
      }
    >
      <p>Do you really want to delete all metrics from all metric groups? Undo is offered for a while afterwards (--dashboard.undo-window).</p>
    </ConfirmDialog>
  );
}

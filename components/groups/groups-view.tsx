"use client";
// The groups list: composes the state hooks (URL parameters, selection, connection, stable rows) with the
// presentational parts. Everything it shows comes from one query: groupListOptions(params).
import { useQuery } from "@tanstack/react-query";
import { useCallback, useState } from "react";
import type { DeleteResponse, ListParams } from "@/lib/dashboard/types";
import { useViewer } from "../use-viewer";
import { ApiError } from "../queries/api";
import { DEFAULT_REFRESH_MS, groupListOptions } from "../queries/groups";
import { useNow } from "../ui/use-now";
import { BulkActions, SelectAllMatching, type BulkDialog } from "./bulk-actions";
import { DeleteGroupsDialog, DeleteMatchingDialog, DeleteStaleDialog, WipeDialog } from "./delete-dialogs";
import { GroupTable } from "./group-table";
import { ConnectionBanner, CountsHeader, FilterBar, Pagination } from "./list-parts";
import { LiveControls } from "./live-controls";
import { selectionTargets } from "./selection";
import { backoffMs, connectionOf, useLastGood, useOnline } from "./use-connection";
import { useListParams, useSelection } from "./use-groups-state";

type Dialog = BulkDialog | { kind: "one"; id: string; labels: { name: string; value: string }[] } | null;

/** "Deleted 3 groups. 1 skipped (…)": the notice after a delete. */
export function deletedNotice(res: DeleteResponse): string {
  const kept = res.skipped.length;
  return `Deleted ${res.deleted} group${res.deleted === 1 ? "" : "s"}.${kept ? ` ${kept} skipped (already gone, no longer matching, or pushed again).` : ""}`;
}

export function GroupsView({ initial }: { initial: ListParams }) {
  const list = useListParams(initial);
  const { params } = list;
  const [paused, setPaused] = useState(false);
  const [intervalMs, setIntervalMs] = useState(DEFAULT_REFRESH_MS);
  const [dialog, setDialog] = useState<Dialog>(null);
  const [notice, setNotice] = useState("");
  const now = useNow();
  const online = useOnline();
  const { canDelete } = useViewer();

  const query = useQuery({
    ...groupListOptions(params),
    refetchInterval: (q) => (paused ? false : backoffMs(intervalMs, q.state.fetchFailureCount)),
    retry: (count, err) => !(err instanceof ApiError && err.status >= 400 && err.status < 500) && count < 1,
  });
  const last = useLastGood(query.data, query.dataUpdatedAt);
  const data = last.data;
  const error = query.error instanceof ApiError ? query.error : query.error ? new ApiError(query.error.message, 0) : null;
  const connection = connectionOf(online, error);
  const connected = connection === "ok";
  // Server time at the last good answer, advanced by the browser clock only while the data is current: while
  // offline or failing, every "N ago" and status is as of the last good data, not the wall clock.
  const lastGoodMs = data ? data.nowMs : null;
  const serverNow = data ? (connected ? data.nowMs + (now - last.receivedAt) : data.nowMs) : now;
  const filterError = error && error.status === 400 ? { message: error.message, q: params.q, position: error.position } : null;
  // The filter the shown rows answer (the last valid one while the typed filter has an error): every bulk action
  // and the selection are scoped to it, never to rows the operator cannot see.
  const shownQ = data?.q ?? params.q;
  const sel = useSelection(shownQ);
  const [deletions, setDeletions] = useState(0);

  const afterDelete = useCallback(
    (res: DeleteResponse, ids: string[]) => {
      setDialog(null);
      if (ids.length > 0) sel.dispatch({ type: "remove", ids });
      else sel.dispatch({ type: "clear" });
      setNotice(deletedNotice(res));
      setDeletions((n) => n + 1);
    },
    [sel],
  );

  const selectionPending = sel.selection.q !== shownQ;
  const targets =
    dialog === "selected" && sel.selection.kind === "ids"
      ? selectionTargets(sel.selection)
      : dialog && typeof dialog === "object"
        ? [{ id: dialog.id, labels: dialog.labels }]
        : null;

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <div>
          <h1 className="text-2xl font-semibold tracking-tight">Groups</h1>
          <CountsHeader counts={data?.counts} q={params.q} onFilter={list.applyFilter} />
        </div>
        <LiveControls
          updatedAt={last.receivedAt}
          now={now}
          paused={paused}
          onPausedChange={setPaused}
          intervalMs={intervalMs}
          onIntervalChange={setIntervalMs}
          onRefresh={() => void query.refetch()}
          fetching={query.isFetching}
          connection={connection}
        />
      </div>

      <ConnectionBanner state={connection} detail={error?.message ?? null} lastGoodMs={lastGoodMs} now={now} onRetry={() => void query.refetch()} />

      <FilterBar
        qInput={list.qInput}
        onInput={list.setQInput}
        onApply={() => list.applyFilter(list.qInput)}
        error={filterError}
        byJob={params.groupBy === "job"}
        onByJob={list.setGroupBy}
        size={params.size}
        onSize={list.setSize}
      />

      {error && error.status !== 400 && connected && (
        <p
          role="alert"
          className="rounded border border-red-300 bg-red-50 px-3 py-2 text-sm text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-200"
        >
          {error.message}
        </p>
      )}

      <BulkActions
        data={data}
        q={shownQ}
        selection={sel.selection}
        selectionPending={selectionPending}
        canDelete={canDelete}
        onOpen={(d) => setDialog(d === "selected" && sel.selection.kind === "matching" ? "matching" : d)}
        onClear={() => sel.dispatch({ type: "clear" })}
        notice={sel.note || notice}
      />

      {data && (
        <SelectAllMatching
          data={data}
          selection={sel.selection}
          q={shownQ}
          onSelectAll={() => sel.dispatch({ type: "allMatching", q: shownQ, total: data.total })}
          onClear={() => sel.dispatch({ type: "clear" })}
        />
      )}

      {data ? (
        <GroupTable
          data={data}
          now={serverNow}
          current={connected && !filterError}
          selection={sel.selection}
          onSelect={sel.dispatch}
          onSort={list.sortBy}
          deletions={deletions}
          onDelete={canDelete ? (row) => setDialog({ kind: "one", id: row.id, labels: row.labels }) : undefined}
        />
      ) : (
        <div className="card p-8 text-center text-sm text-zinc-700 dark:text-zinc-300">{query.isError ? "Could not load groups." : "Loading groups…"}</div>
      )}

      {data && <Pagination data={data} onPage={list.setPage} />}

      <DeleteGroupsDialog targets={targets} filter={dialog === "selected" ? sel.selection.q : ""} onClose={() => setDialog(null)} onDeleted={afterDelete} />
      <DeleteStaleDialog filter={dialog === "stale" ? shownQ : null} onClose={() => setDialog(null)} onDeleted={afterDelete} />
      <DeleteMatchingDialog
        filter={dialog === "matching" ? (sel.selection.kind === "matching" ? sel.selection.q : shownQ) : null}
        total={data?.total ?? 0}
        preview={(data?.rows ?? []).map((r) => ({ id: r.id, labels: r.labels }))}
        onClose={() => setDialog(null)}
        onDeleted={afterDelete}
      />
      <WipeDialog open={dialog === "wipe"} total={data?.totalAll ?? 0} onClose={() => setDialog(null)} onDeleted={afterDelete} />
    </div>
  );
}

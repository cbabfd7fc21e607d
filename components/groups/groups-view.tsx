"use client";
import { useViewer } from "../use-viewer";
import { useQuery } from "@tanstack/react-query";
import { useCallback, useEffect, useMemo, useState } from "react";
import type { DeleteResponse, GroupRow, ListParams, SortKey } from "@/lib/dashboard/types";
import { listParamsToSearch } from "../queries/api";
import { DEFAULT_REFRESH_MS, groupListOptions } from "../queries/groups";
import { useNow } from "../ui/use-now";
import { DeleteGroupsDialog, DeleteMatchingDialog, DeleteStaleDialog, WipeDialog } from "./delete-dialogs";
import { GroupTable } from "./group-table";
import { LiveControls } from "./live-controls";

const PAGE_SIZES = [25, 50, 100, 200];
const DEFAULT_DESC: ReadonlySet<SortKey> = new Set(["lastPush", "lastFailure", "families", "series"]);

type Dialog = { kind: "delete"; targets: { id: string; labels: GroupRow["labels"] }[] } | { kind: "stale" } | { kind: "matching"; q: string } | { kind: "wipe" } | null;

export function GroupsView({ initial }: { initial: ListParams }) {
  const [params, setParams] = useState<ListParams>(initial);
  const [qInput, setQInput] = useState(initial.q);
  const [paused, setPaused] = useState(false);
  const [intervalMs, setIntervalMs] = useState(DEFAULT_REFRESH_MS);
  const [selected, setSelected] = useState<Map<string, GroupRow["labels"]>>(() => new Map());
  const [expanded, setExpanded] = useState<Set<string>>(() => new Set());
  const [dialog, setDialog] = useState<Dialog>(null);
  const [notice, setNotice] = useState("");
  const now = useNow();
  const { canDelete } = useViewer();

  const query = useQuery({ ...groupListOptions(params), refetchInterval: paused ? false : intervalMs });
  const data = query.data;
  // Server time minus client time, so "N ago" is right even when the browser's clock is off.
  const skew = data && query.dataUpdatedAt ? data.nowMs - query.dataUpdatedAt : 0;
  const serverNow = now + skew;

  // Apply the filter text 250 ms after the last keystroke.
  useEffect(() => {
    if (qInput === params.q) return;
    const t = setTimeout(() => setParams((p) => ({ ...p, q: qInput, page: 1 })), 250);
    return () => clearTimeout(t);
  }, [qInput, params.q]);

  // Keep the URL shareable without a navigation.
  useEffect(() => {
    const s = listParamsToSearch(params).toString();
    const url = s ? `?${s}` : window.location.pathname;
    window.history.replaceState(window.history.state, "", url);
  }, [params]);

  const onSort = useCallback((k: SortKey) => {
    setParams((p) => (p.sort === k ? { ...p, dir: p.dir === "asc" ? "desc" : "asc", page: 1 } : { ...p, sort: k, dir: DEFAULT_DESC.has(k) ? "desc" : "asc", page: 1 }));
  }, []);

  const toggle = useCallback((row: GroupRow, on: boolean) => {
    setSelected((s) => {
      const n = new Map(s);
      if (on) n.set(row.id, row.labels);
      else n.delete(row.id);
      return n;
    });
  }, []);
  const toggleAll = useCallback(
    (on: boolean) => {
      setSelected((s) => {
        const n = new Map(s);
        for (const r of data?.rows ?? []) {
          if (on) n.set(r.id, r.labels);
          else n.delete(r.id);
        }
        return n;
      });
    },
    [data],
  );
  const toggleExpanded = useCallback((id: string) => {
    setExpanded((s) => {
      const n = new Set(s);
      if (n.has(id)) n.delete(id);
      else n.add(id);
      return n;
    });
  }, []);

  const afterDelete = (res: DeleteResponse, ids: string[]) => {
    setDialog(null);
    setSelected((s) => {
      const n = new Map(s);
      for (const id of ids) n.delete(id);
      return n;
    });
    const kept = res.skipped.length;
    setNotice(`Deleted ${res.deleted} group${res.deleted === 1 ? "" : "s"}.${kept ? ` ${kept} skipped (already gone or no longer stale).` : ""}`);
  };

  const selectedTargets = useMemo(() => [...selected].map(([id, labels]) => ({ id, labels })), [selected]);
  const staleAll = data?.counts.staleAll ?? 0;

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <div>
          <h1 className="text-2xl font-semibold tracking-tight">Groups</h1>
          <p className="text-sm text-zinc-600 dark:text-zinc-400" data-testid="counts">
            {data ? (
              <>
                {data.totalAll} group{data.totalAll === 1 ? "" : "s"} · <span className="text-emerald-700 dark:text-emerald-400">{data.counts.fresh} fresh</span> ·{" "}
                <span className="text-amber-700 dark:text-amber-400">{data.counts.stale} stale</span> ·{" "}
                <span className="text-red-700 dark:text-red-400">{data.counts.failed} failed</span>
              </>
            ) : (
              " "
            )}
          </p>
        </div>
        <LiveControls
          updatedAt={query.dataUpdatedAt}
          now={now}
          paused={paused}
          onPausedChange={setPaused}
          intervalMs={intervalMs}
          onIntervalChange={setIntervalMs}
          onRefresh={() => void query.refetch()}
          fetching={query.isFetching}
        />
      </div>

      <div className="card flex flex-wrap items-end gap-3 p-3">
        <div className="min-w-64 flex-1">
          <label htmlFor="group-filter" className="mb-1 block text-xs font-medium text-zinc-600 dark:text-zinc-400">
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
            aria-invalid={query.error ? true : undefined}
            onChange={(e) => setQInput(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === "Enter") setParams((p) => ({ ...p, q: qInput, page: 1 }));
            }}
          />
          <p id="filter-help" className="mt-1 text-xs text-zinc-500">
            Free text matches label names, values and metric names. <code>label=value</code>, <code>!=</code>, <code>=~regex</code>, <code>!~regex</code>,{" "}
            <code>is:stale|fresh|failed</code>. All terms must match. Regex matches are anchored as in Prometheus: <code>database=~billing</code> matches only
            &quot;billing&quot;; use <code>database=~&quot;billing.*&quot;</code> for every value that starts with it.
          </p>
        </div>
        <label className="flex items-center gap-2 text-sm">
          <input
            type="checkbox"
            className="h-4 w-4 accent-brand"
            checked={params.groupBy === "job"}
            onChange={(e) => setParams((p) => ({ ...p, groupBy: e.target.checked ? "job" : "", page: 1 }))}
          />
          Group by job
        </label>
        <label className="flex items-center gap-2 text-sm">
          Per page
          <select className="field" value={params.size} onChange={(e) => setParams((p) => ({ ...p, size: Number(e.target.value), page: 1 }))}>
            {PAGE_SIZES.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
      </div>

      {query.error && (
        <p role="alert" className="rounded border border-red-300 bg-red-50 px-3 py-2 text-sm text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-200">
          {(query.error as Error).message}
        </p>
      )}

      <div className="flex flex-wrap items-center gap-2">
        {canDelete && (
          <button type="button" className="btn" disabled={selected.size === 0} onClick={() => setDialog({ kind: "delete", targets: selectedTargets })}>
            Delete selected ({selected.size})
          </button>
        )}
        {selected.size > 0 && (
          <button type="button" className="btn btn-sm" onClick={() => setSelected(new Map())}>
            Clear selection
          </button>
        )}
        {canDelete && (
          <button type="button" className="btn" disabled={staleAll === 0} onClick={() => setDialog({ kind: "stale" })}>
            Delete all stale ({staleAll})
          </button>
        )}
        {canDelete && data && params.q.trim() !== "" && (
          <button type="button" className="btn" disabled={data.total === 0} onClick={() => setDialog({ kind: "matching", q: params.q })}>
            Delete matching ({data.total})
          </button>
        )}
        {canDelete && data?.adminApi && (
          <button type="button" className="btn text-red-700 dark:text-red-400" disabled={data.totalAll === 0} onClick={() => setDialog({ kind: "wipe" })}>
            Delete all ({data.totalAll})
          </button>
        )}
        <p role="status" aria-live="polite" className="ml-auto text-sm text-zinc-700 dark:text-zinc-300" data-testid="notice">
          {notice}
        </p>
      </div>

      {data ? (
        <GroupTable
          data={data}
          now={serverNow}
          selected={selected}
          onToggle={toggle}
          onToggleAll={toggleAll}
          expanded={expanded}
          onToggleExpanded={toggleExpanded}
          onSort={onSort}
          onDelete={canDelete ? (row) => setDialog({ kind: "delete", targets: [{ id: row.id, labels: row.labels }] }) : undefined}
        />
      ) : (
        <div className="card p-8 text-center text-sm text-zinc-500">{query.isError ? "Could not load groups." : "Loading groups…"}</div>
      )}

      {data && data.pages > 1 && (
        <nav aria-label="Pagination" className="flex flex-wrap items-center justify-between gap-2 text-sm">
          <span className="text-zinc-600 dark:text-zinc-400">
            {(data.page - 1) * data.size + 1}–{Math.min(data.total, data.page * data.size)} of {data.total}
            {data.total !== data.totalAll && ` (filtered from ${data.totalAll})`}
          </span>
          <div className="flex items-center gap-1">
            <button type="button" className="btn btn-sm" disabled={data.page <= 1} onClick={() => setParams((p) => ({ ...p, page: 1 }))}>
              « First
            </button>
            <button type="button" className="btn btn-sm" disabled={data.page <= 1} onClick={() => setParams((p) => ({ ...p, page: data.page - 1 }))}>
              ‹ Previous
            </button>
            <span className="px-2" aria-current="page">
              Page {data.page} of {data.pages}
            </span>
            <button type="button" className="btn btn-sm" disabled={data.page >= data.pages} onClick={() => setParams((p) => ({ ...p, page: data.page + 1 }))}>
              Next ›
            </button>
            <button type="button" className="btn btn-sm" disabled={data.page >= data.pages} onClick={() => setParams((p) => ({ ...p, page: data.pages }))}>
              Last »
            </button>
          </div>
        </nav>
      )}
      {data && data.pages <= 1 && data.total !== data.totalAll && (
        <p className="text-sm text-zinc-600 dark:text-zinc-400">
          {data.total} of {data.totalAll} groups match.
        </p>
      )}

      <DeleteGroupsDialog targets={dialog?.kind === "delete" ? dialog.targets : null} onClose={() => setDialog(null)} onDeleted={afterDelete} />
      <DeleteStaleDialog open={dialog?.kind === "stale"} onClose={() => setDialog(null)} onDeleted={afterDelete} />
      <DeleteMatchingDialog
        filter={dialog?.kind === "matching" ? dialog.q : null}
        total={data?.total ?? 0}
        preview={(data?.rows ?? []).map((r) => ({ id: r.id, labels: r.labels }))}
        onClose={() => setDialog(null)}
        onDeleted={(res) => {
          setSelected(new Map());
          afterDelete(res, []);
        }}
      />
      <WipeDialog
        open={dialog?.kind === "wipe"}
        total={data?.totalAll ?? 0}
        onClose={() => setDialog(null)}
        onDeleted={(res) => {
          setSelected(new Map());
          afterDelete(res, []);
        }}
      />
    </div>
  );
}

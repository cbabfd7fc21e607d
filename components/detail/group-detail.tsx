"use client";
import { useQuery } from "@tanstack/react-query";
import { AppLink as Link, useAppNavigate } from "../prefix";
import { useMemo, useState, useSyncExternalStore, type ReactNode } from "react";
import { explainStaleness } from "@/lib/dashboard/staleness";
import type { TimelineEntry } from "@/lib/dashboard/types";
import { DeleteGroupsDialog } from "../groups/delete-dialogs";
import { ApiError } from "../queries/api";
import { groupDetailOptions } from "../queries/groups";
import { CopyButton } from "../ui/copy-button";
import { formatSpan } from "../ui/format";
import { LocalTime } from "../ui/local-time";
import { LabelChips } from "../ui/label-chips";
import { RelativeTime } from "../ui/relative-time";
import { PushSparkline } from "../ui/sparkline";
import { StatusBadge } from "../ui/status-badge";
import { useNow } from "../ui/use-now";
import { FamilyList } from "./family-list";
import { StaleFamiliesNote } from "./stale-families-note";
import { listReturnUrl } from "../undo/list-return";
import { useViewer } from "../use-viewer";

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <dt className="text-xs text-zinc-600 dark:text-zinc-400">{label}</dt>
      <dd className="text-sm">{children}</dd>
    </div>
  );
}

/** The page's origin for the copyable curl command; "" while server-rendering and hydrating. */
function useOrigin(): string {
  return useSyncExternalStore(
    () => () => {},
    () => window.location.origin,
    () => "",
  );
}

function Timeline({ entries, now }: { entries: TimelineEntry[]; now: number }) {
  if (entries.length === 0) return <p className="text-sm text-zinc-600 dark:text-zinc-300">No push recorded yet.</p>;
  return (
    <ol className="max-h-64 space-y-1 overflow-auto text-sm" data-testid="timeline">
      {entries.map((e, i) => (
        <li
          key={i}
          data-testid={e.ok ? "timeline-push" : "timeline-failure"}
          className={e.ok ? "" : "rounded bg-red-50 px-2 py-1 text-red-900 dark:bg-red-950 dark:text-red-200"}
        >
          <span className="font-medium">{e.ok ? "pushed" : `rejected${e.status ? ` (HTTP ${e.status})` : ""}`}</span> <RelativeTime ms={e.timeMs} now={now} />{" "}
          <span className="text-xs text-zinc-600 dark:text-zinc-300">
            <LocalTime ms={e.timeMs} />
            {e.client ? ` from ${e.client}` : ""}
          </span>
          {e.message ? <pre className="mt-0.5 whitespace-pre-wrap break-words font-mono text-xs">{e.message}</pre> : null}
        </li>
      ))}
    </ol>
  );
}

export function GroupDetailView({ id }: { id: string }) {
  const navigate = useAppNavigate();
  const [paused, setPaused] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const { canDelete } = useViewer();
  const q = useQuery(groupDetailOptions(id, { paused }));
  const now = useNow(q.dataUpdatedAt);
  const d = q.data;
  const serverNow = d && q.dataUpdatedAt ? now + d.nowMs - q.dataUpdatedAt : now;
  const groupLabelNames = useMemo(() => new Set([...(d?.row.labels.map((l) => l.name) ?? []), "instance"]), [d]);
  const origin = useOrigin();

  if (q.error && (q.error as ApiError).status === 404) {
    return (
      <div className="card p-8 text-center">
        <h1 className="text-lg font-semibold">Group not found</h1>
        <p className="mt-2 text-sm text-zinc-600 dark:text-zinc-400">It may have been deleted.</p>
        <Link href="/" className="mt-4 inline-block text-brand underline">
          ← Back to groups
        </Link>
      </div>
    );
  }
  if (!d) {
    return (
      <div className="card p-8 text-center text-sm text-zinc-600 dark:text-zinc-400">
        {q.error ? `Could not load the group: ${(q.error as Error).message}` : "Loading group…"}
      </div>
    );
  }
  const row = d.row;
  const curl = `curl -X DELETE '${origin}${d.deletePath}'`;
  const userFamilies = d.families.filter((f) => !f.synthetic).length;
  const why = explainStaleness(row, serverNow);
  const failures = d.timeline.filter((e) => !e.ok).map((e) => e.timeMs);

  return (
    <div className="space-y-4">
      <nav aria-label="Breadcrumb" className="text-sm">
        <Link href="/" className="text-zinc-600 hover:underline dark:text-zinc-400">
          ← Groups
        </Link>
      </nav>
      <section className="card space-y-4 p-4" aria-labelledby="group-title">
        <div className="flex flex-wrap items-start justify-between gap-3">
          <div className="space-y-2">
            <h1 id="group-title" className="sr-only">
              Group {d.groupingKey}
            </h1>
            <LabelChips labels={row.labels} className="text-sm" />
            <StatusBadge status={row.status} />
          </div>
          <div className="flex flex-wrap items-center gap-2">
            <span className="text-xs text-zinc-600 dark:text-zinc-400">
              {q.dataUpdatedAt ? `updated ${Math.max(0, Math.round((now - q.dataUpdatedAt) / 1000))}s ago` : ""}
            </span>
            <button type="button" className="btn btn-sm" aria-pressed={paused} onClick={() => setPaused(!paused)}>
              {paused ? "Resume auto-refresh" : "Pause auto-refresh"}
            </button>
            {canDelete && (
              <button type="button" className="btn btn-danger" onClick={() => setConfirming(true)}>
                Delete group
              </button>
            )}
          </div>
        </div>
        <dl className="grid grid-cols-2 gap-4 sm:grid-cols-3 lg:grid-cols-6">
          <Fact label="Last push">
            <RelativeTime ms={row.lastPushMs} now={serverNow} />
          </Fact>
          <Fact label="Last failure">
            {row.lastFailureMs === null ? (
              "never"
            ) : (
              <span className={row.lastPushFailed ? "font-medium text-red-700 dark:text-red-400" : ""}>
                <RelativeTime ms={row.lastFailureMs} now={serverNow} />
              </span>
            )}
          </Fact>
          <Fact label="Cadence">{why.cadence}</Fact>
          <Fact label="Stale after">
            {formatSpan(row.staleAfterMs)}
            {why.staleAtMs !== null ? (
              <span className="block text-xs text-zinc-600 dark:text-zinc-300">
                {why.staleAtMs <= serverNow ? "since " : "at "}
                <LocalTime ms={why.staleAtMs} />
              </span>
            ) : null}
          </Fact>
          <Fact label="Families / series">
            {userFamilies} / {row.series}
          </Fact>
          <Fact label="Push timeline">
            <PushSparkline
              pushes={row.pushHistory}
              now={serverNow}
              staleAfterMs={row.staleAfterMs}
              intervalMs={row.intervalMs}
              lastFailureMs={row.lastFailureMs}
              failures={failures}
              width={160}
            />
          </Fact>
        </dl>
        <p
          data-testid="staleness-why"
          className={`text-sm ${row.stale ? "font-medium text-amber-900 dark:text-amber-200" : "text-zinc-700 dark:text-zinc-300"}`}
        >
          {row.stale ? "Stale: " : "Fresh: "}
          {why.text}
        </p>
        {row.rejected && (!row.lastError || row.rejected.last.timeMs > row.lastError.timeMs + 1) && (
          <div
            role="note"
            data-testid="rejected"
            className="rounded border border-red-300 bg-red-50 p-3 text-sm text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-200"
          >
            <p className="font-medium">
              {row.rejected.count} rejected push{row.rejected.count === 1 ? "" : "es"}; the last <RelativeTime ms={row.rejected.last.timeMs} now={serverNow} />{" "}
              (HTTP {row.rejected.last.status}
              {row.rejected.last.client ? ` from ${row.rejected.last.client}` : ""})
            </p>
            <pre className="mt-1 whitespace-pre-wrap break-words font-mono text-xs">{row.rejected.last.message}</pre>
          </div>
        )}
        {row.lastError && (
          <div role="note" className="rounded border border-red-300 bg-red-50 p-3 text-sm text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-200">
            <p className="font-medium">
              Last rejected push: <RelativeTime ms={row.lastError.timeMs} now={serverNow} /> (<LocalTime ms={row.lastError.timeMs} />)
            </p>
            <pre data-testid="last-error" className="mt-1 whitespace-pre-wrap break-words font-mono text-xs">
              {row.lastError.message}
            </pre>
          </div>
        )}
        <div>
          <div className="mb-1 flex items-center justify-between gap-2">
            <h2 className="text-xs font-medium text-zinc-600 dark:text-zinc-400">Delete from the command line</h2>
            <CopyButton text={curl} what="curl command" />
          </div>
          <pre data-testid="curl" className="overflow-x-auto rounded bg-zinc-100 p-2 font-mono text-xs dark:bg-zinc-950">
            {curl}
          </pre>
        </div>
      </section>

      <section aria-labelledby="timeline-title" className="card space-y-2 p-4">
        <h2 id="timeline-title" className="text-sm font-semibold">
          Push attempts ({d.timeline.length}, newest first)
        </h2>
        <Timeline entries={d.timeline} now={serverNow} />
      </section>

      <section aria-labelledby="prometheus-title" className="card space-y-3 p-4">
        <h2 id="prometheus-title" className="text-sm font-semibold">
          In Prometheus
        </h2>
        {d.prometheus ? (
          <p className="text-sm">
            <a data-testid="prometheus-graph" href={d.prometheus.graphUrl} target="_blank" rel="noreferrer" className="text-brand underline">
              Graph the push age in Prometheus
            </a>{" "}
            <code className="break-all font-mono text-xs">{d.prometheus.expr}</code>
          </p>
        ) : (
          <p className="text-sm text-zinc-600 dark:text-zinc-300" data-testid="prometheus-unset">
            Start pushboard with <code className="font-mono">--dashboard.prometheus-url</code> to link to graphs of this group.
          </p>
        )}
        <div>
          <div className="mb-1 flex items-center justify-between gap-2">
            <h3 className="text-xs font-medium text-zinc-600 dark:text-zinc-300">Alert rule (add the file to rule_files; checked with promtool check rules)</h3>
            <CopyButton text={d.alertRule} what="alert rule" />
          </div>
          <pre data-testid="alert-rule" className="overflow-x-auto rounded bg-zinc-100 p-2 font-mono text-xs dark:bg-zinc-950">
            {d.alertRule}
          </pre>
        </div>
      </section>

      <section aria-labelledby="families-title" className="space-y-2">
        <h2 id="families-title" className="text-lg font-semibold">
          Metric families ({d.truncated ? d.truncated.totalFamilies : d.families.length})
        </h2>
        {d.truncated && (
          <p
            role="note"
            data-testid="truncated"
            className="rounded border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-200"
          >
            This group is too large to show whole: showing {d.truncated.shownSamples.toLocaleString("en-US")} of{" "}
            {d.truncated.totalSamples.toLocaleString("en-US")} samples
            {d.truncated.shownFamilies < d.truncated.totalFamilies ? ` in ${d.truncated.shownFamilies} of ${d.truncated.totalFamilies} families` : ""}. Scrape{" "}
            <code className="font-mono">/metrics</code> or <code className="font-mono">/api/v1/metrics</code> for everything.
          </p>
        )}
        <StaleFamiliesNote row={row} now={serverNow} className="block" />
        <FamilyList id={id} row={row} families={d.families} now={serverNow} groupLabels={groupLabelNames} canDelete={canDelete} />
      </section>

      <section aria-labelledby="expo-title" className="card">
        <div className="flex items-center justify-between gap-2 border-b border-zinc-200 px-4 py-2 dark:border-zinc-800">
          <h2 id="expo-title" className="text-sm font-semibold">
            Exposition (text format 0.0.4)
          </h2>
          <CopyButton text={d.exposition} what="exposition text" />
        </div>
        <pre data-testid="exposition" className="max-h-[32rem] overflow-auto p-4 font-mono text-xs leading-relaxed">
          {d.exposition}
        </pre>
      </section>

      <DeleteGroupsDialog
        targets={confirming ? [{ id: row.id, labels: row.labels }] : null}
        onClose={() => setConfirming(false)}
        onDeleted={() => {
          setConfirming(false);
          navigate(listReturnUrl());
        }}
      />
    </div>
  );
}

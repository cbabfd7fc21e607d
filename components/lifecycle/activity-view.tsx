"use client";
// The Activity page: every delete, expiry and wipe, newest first, from any source, with who asked for it.
import { AppLink as Link } from "../prefix";
import { useQuery } from "@tanstack/react-query";
import type { ActivityEntry } from "@/lib/dashboard/types";
import { activityOptions } from "../queries/groups";
import { LabelChips } from "../ui/label-chips";
import { RelativeTime } from "../ui/relative-time";
import { useState } from "react";
import { formatLocal } from "../ui/format";
import { useRestore } from "../undo/undo-notice";
import { useViewer } from "../use-viewer";

const SOURCE_TEXT: Record<ActivityEntry["source"], string> = {
  api: "Pushgateway API",
  dashboard: "dashboard",
  selector: "selector API",
  rule: "lifecycle rule",
};

function what(e: ActivityEntry): string {
  if (e.action === "wipe") return `Wiped ${e.groups} group${e.groups === 1 ? "" : "s"}`;
  const verb = e.action === "expire" ? "Expired" : e.action === "restore" ? "Restored" : "Deleted";
  return e.families ? `${verb} ${e.families.length === 1 ? "family" : "families"} ${e.families.join(", ")}` : verb;
}

/** "Restore" on an entry while its deletion can still be restored; says what happened. */
function RestoreButton({ e, now }: { e: ActivityEntry; now: number }) {
  const restore = useRestore();
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<string | null>(null);
  if (result)
    return (
      <p className="mt-1 text-xs" data-testid="restore-result">
        {result}
      </p>
    );
  if (e.id === null || e.restorableUntilMs === null || e.restorableUntilMs <= now) return null;
  const id = e.id;
  return (
    <button
      type="button"
      className="btn btn-sm mt-1"
      data-testid="restore"
      disabled={busy}
      title={`Restorable until ${formatLocal(e.restorableUntilMs)} (--dashboard.undo-window)`}
      onClick={async () => {
        setBusy(true);
        setResult(await restore(id));
        setBusy(false);
      }}
    >
      {busy ? "Restoring…" : "Restore"}
    </button>
  );
}

export function ActivityView() {
  const q = useQuery(activityOptions());
  const data = q.data;
  const { canDelete } = useViewer();
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-semibold tracking-tight">Activity</h1>
      <p className="text-sm text-zinc-600 dark:text-zinc-300">
        Every deleted, expired, wiped and restored group, newest first, kept for <code className="font-mono">--audit.retention</code> (30 days by default; at
        most 10,000 entries). A deletion can be restored for <code className="font-mono">--dashboard.undo-window</code> (15 minutes by default).
      </p>
      {data && data.rejections.length > 0 ? (
        <section className="card overflow-x-auto">
          <h2 className="border-b border-zinc-200 px-4 py-2 font-semibold dark:border-zinc-800">Rejected pushes ({data.rejections.length} grouping keys)</h2>
          <ul className="divide-y divide-zinc-100 text-sm dark:divide-zinc-800" data-testid="rejections">
            {data.rejections.map((r) => (
              <li key={JSON.stringify(r.labels)} className="px-4 py-2" data-testid="rejection">
                <div className="flex flex-wrap items-center gap-2">
                  {r.id ? (
                    <Link href={`/groups/${r.id}`} className="hover:underline">
                      <LabelChips labels={r.labels} />
                    </Link>
                  ) : (
                    <>
                      <LabelChips labels={r.labels} />
                      <span className="text-xs text-zinc-600 dark:text-zinc-300">(rejected pushes only: no group)</span>
                    </>
                  )}
                  <span className="text-xs text-zinc-600 dark:text-zinc-300">
                    {r.count}×, last <RelativeTime ms={r.recent[0]?.timeMs ?? null} now={data.nowMs} /> (HTTP {r.recent[0]?.status}
                    {r.recent[0]?.client ? ` from ${r.recent[0].client}` : ""})
                  </span>
                </div>
                <pre className="mt-1 whitespace-pre-wrap break-words font-mono text-xs text-red-800 dark:text-red-300">{r.recent[0]?.message}</pre>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {!data ? (
        <div className="card p-8 text-center text-sm text-zinc-600 dark:text-zinc-300">
          {q.error ? `Could not load the activity: ${(q.error as Error).message}` : "Loading activity…"}
        </div>
      ) : data.entries.length === 0 ? (
        <div className="card p-8 text-center text-sm text-zinc-600 dark:text-zinc-300" data-testid="activity-empty">
          Nothing was deleted yet.
        </div>
      ) : (
        <section className="card overflow-x-auto">
          <table className="w-full text-sm" data-testid="activity">
            <thead>
              <tr className="border-b border-zinc-200 text-left text-xs text-zinc-600 dark:border-zinc-800 dark:text-zinc-300">
                <th scope="col" className="px-4 py-2 font-medium">
                  When
                </th>
                <th scope="col" className="px-4 py-2 font-medium">
                  What
                </th>
                <th scope="col" className="px-4 py-2 font-medium">
                  Group
                </th>
                <th scope="col" className="px-4 py-2 font-medium">
                  Series
                </th>
                <th scope="col" className="px-4 py-2 font-medium">
                  By
                </th>
              </tr>
            </thead>
            <tbody>
              {data.entries.map((e, i) => (
                <tr
                  key={e.id ?? `${e.timeMs}-${i}`}
                  className="border-b border-zinc-100 align-top last:border-0 dark:border-zinc-800"
                  data-testid="activity-row"
                  data-entry={e.id ?? undefined}
                >
                  <td className="whitespace-nowrap px-4 py-2">
                    <RelativeTime ms={e.timeMs} now={data.nowMs} />
                  </td>
                  <td className="px-4 py-2">
                    {what(e)}
                    <div className="text-xs text-zinc-600 dark:text-zinc-300">
                      via {SOURCE_TEXT[e.source]}
                      {e.rule !== null ? ` #${e.rule}` : ""}
                    </div>
                    {canDelete ? <RestoreButton e={e} now={data.nowMs} /> : null}
                  </td>
                  <td className="px-4 py-2">
                    {e.action === "wipe" ? <span className="text-zinc-600 dark:text-zinc-300">all groups</span> : <LabelChips labels={e.labels} />}
                  </td>
                  <td className="px-4 py-2 tabular-nums">{e.series}</td>
                  <td className="px-4 py-2 text-xs">
                    {e.user ? <div className="font-medium">{e.user}</div> : null}
                    {e.client ? <div className="font-mono">{e.client}</div> : null}
                    {e.userAgent ? <div className="break-all text-zinc-600 dark:text-zinc-300">{e.userAgent}</div> : null}
                    {!e.user && !e.client && !e.userAgent ? <span className="text-zinc-600 dark:text-zinc-300">pushboard</span> : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
    </div>
  );
}

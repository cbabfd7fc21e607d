"use client";
// "Which jobs are broken?": one row per job with its groups counted by status, broken jobs first (most failed,
// then most stale). Every count links to the groups list filtered to exactly those groups.
import { useQuery } from "@tanstack/react-query";
import { AppLink as Link } from "../prefix";
import type { JobOverviewRow, StatusCounts } from "@/lib/dashboard/types";
import { jobOverviewOptions } from "../queries/groups";
import { RelativeTime } from "../ui/relative-time";
import { useNow } from "../ui/use-now";
import { ConnectionBanner } from "./list-parts";
import { connectionOf, useLastGood, useOnline } from "./use-connection";
import { ApiError } from "../queries/api";

/** The filter for a job's groups, quoted as the filter grammar needs (lib/dashboard/filter.ts). */
export function jobFilter(job: string, status?: "fresh" | "stale" | "failed"): string {
  const j = `job=${JSON.stringify(job)}`;
  return status ? `${j} is:${status}` : j;
}

const listHref = (q: string) => `/?${new URLSearchParams({ q })}`;

function CountLink({ job, status, n, cls }: { job: string; status?: "fresh" | "stale" | "failed"; n: number; cls: string }) {
  if (n === 0) return <span className="text-zinc-700 dark:text-zinc-300">0</span>;
  return (
    <Link
      href={listHref(jobFilter(job, status))}
      className={`font-medium underline underline-offset-2 ${cls}`}
      aria-label={`${n} ${status ?? "total"} groups of job ${job}`}
    >
      {n}
    </Link>
  );
}

function Totals({ t }: { t: StatusCounts }) {
  return (
    <p className="text-sm text-zinc-700 dark:text-zinc-300" data-testid="job-totals">
      {t.total} groups ·{" "}
      <Link className="text-emerald-800 underline dark:text-emerald-300" href={listHref("is:fresh")}>
        {t.fresh} fresh
      </Link>{" "}
      ·{" "}
      <Link className="text-amber-800 underline dark:text-amber-300" href={listHref("is:stale")}>
        {t.stale} stale
      </Link>{" "}
      ·{" "}
      <Link className="text-red-700 underline dark:text-red-300" href={listHref("is:failed")}>
        {t.failed} failed
      </Link>
    </p>
  );
}

function JobRow({ j, now }: { j: JobOverviewRow; now: number }) {
  const broken = j.failed > 0 ? "failed" : j.stale > 0 ? "stale" : "ok";
  return (
    <tr data-testid="job-row" data-job={j.job} data-health={broken} className="border-b border-zinc-100 dark:border-zinc-800">
      <th scope="row" className="px-3 py-2 text-left font-mono font-medium [overflow-wrap:anywhere]">
        <Link href={listHref(jobFilter(j.job))} className="underline-offset-2 hover:underline">
          {j.job === "" ? '""' : j.job}
        </Link>
      </th>
      <td className="px-3 py-2 text-right tabular-nums">
        <CountLink job={j.job} n={j.total} cls="" />
      </td>
      <td className="px-3 py-2 text-right tabular-nums">
        <CountLink job={j.job} status="failed" n={j.failed} cls="text-red-700 dark:text-red-300" />
      </td>
      <td className="px-3 py-2 text-right tabular-nums">
        <CountLink job={j.job} status="stale" n={j.stale} cls="text-amber-800 dark:text-amber-300" />
      </td>
      <td className="px-3 py-2 text-right tabular-nums">
        <CountLink job={j.job} status="fresh" n={j.fresh} cls="text-emerald-800 dark:text-emerald-300" />
      </td>
      <td className="hidden px-3 py-2 sm:table-cell">
        <RelativeTime ms={j.lastPushMs} now={now} />
      </td>
    </tr>
  );
}

export function JobOverview() {
  const query = useQuery(jobOverviewOptions());
  const last = useLastGood(query.data, query.dataUpdatedAt);
  const now = useNow();
  const online = useOnline();
  const connection = connectionOf(online, query.error);
  const data = last.data;
  const serverNow = data ? (connection === "ok" ? data.nowMs + (now - last.receivedAt) : data.nowMs) : now;
  return (
    <div className="space-y-4">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Jobs</h1>
        {data ? <Totals t={data.totals} /> : <p className="text-sm">&nbsp;</p>}
      </div>
      <ConnectionBanner
        state={connection}
        detail={query.error instanceof ApiError ? query.error.message : null}
        lastGoodMs={data?.nowMs ?? null}
        now={now}
        onRetry={() => void query.refetch()}
      />
      {data ? (
        <div className="card overflow-x-auto">
          <table className="w-full table-fixed text-sm" aria-label="Jobs, broken first">
            <thead className="border-b border-zinc-200 bg-zinc-50 text-xs uppercase tracking-wide text-zinc-700 dark:border-zinc-800 dark:bg-zinc-900/60 dark:text-zinc-300">
              <tr>
                <th scope="col" className="px-3 py-2 text-left">
                  Job
                </th>
                <th scope="col" className="w-20 px-3 py-2 text-right">
                  Groups
                </th>
                <th scope="col" className="w-20 px-3 py-2 text-right">
                  Failed
                </th>
                <th scope="col" className="w-20 px-3 py-2 text-right">
                  Stale
                </th>
                <th scope="col" className="w-20 px-3 py-2 text-right">
                  Fresh
                </th>
                <th scope="col" className="hidden w-36 px-3 py-2 text-left sm:table-cell">
                  Last push
                </th>
              </tr>
            </thead>
            <tbody>
              {data.jobs.length === 0 && (
                <tr>
                  <td colSpan={6} className="px-4 py-10 text-center text-zinc-700 dark:text-zinc-300">
                    No groups have been pushed yet.
                  </td>
                </tr>
              )}
              {data.jobs.map((j) => (
                <JobRow key={j.job} j={j} now={serverNow} />
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <div className="card p-8 text-center text-sm text-zinc-700 dark:text-zinc-300">{query.isError ? "Could not load the jobs." : "Loading jobs…"}</div>
      )}
      <p className="text-xs text-zinc-700 dark:text-zinc-300">
        A group can be both stale and failed, so a job&apos;s counts may add up to more than its groups.
      </p>
    </div>
  );
}

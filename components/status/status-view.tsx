"use client";
import { useQuery } from "@tanstack/react-query";
import { formatBytes } from "@/lib/dashboard/human";
import type { StatusResponse } from "@/lib/dashboard/types";
import { statusOptions } from "../queries/groups";
import { formatAgo, formatSpan } from "../ui/format";
import { LocalTime } from "../ui/local-time";
import type { ReactNode } from "react";

function KeyValueTable({
  caption,
  data,
  notes = {},
  testId,
}: {
  caption: string;
  data: Record<string, string>;
  notes?: Record<string, string>;
  testId?: string;
}) {
  const entries = Object.entries(data).sort(([a], [b]) => (a < b ? -1 : 1));
  return (
    <section className="card overflow-x-auto">
      <table className="w-full text-sm" data-testid={testId}>
        <caption className="border-b border-zinc-200 px-4 py-2 text-left font-semibold dark:border-zinc-800">{caption}</caption>
        <tbody>
          {entries.map(([k, v]) => (
            <tr key={k} className="border-b border-zinc-100 last:border-0 dark:border-zinc-800">
              <th scope="row" className="w-1/3 px-4 py-1.5 text-left font-mono text-xs font-medium">
                {k}
              </th>
              <td className="break-all px-4 py-1.5 font-mono text-xs">
                {v === "" ? <span className="text-zinc-600 dark:text-zinc-300">&quot;&quot;</span> : v}
                {notes[k] ? <span className="block font-sans text-zinc-600 dark:text-zinc-300">{notes[k]}</span> : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

const count = (n: number) => n.toLocaleString("en-US");

function pushFigures(s: StatusResponse): [string, ReactNode][] {
  const p = s.pushes;
  const rejected = p.rejectedByStatus.reduce((a, r) => a + r.count, 0);
  return [
    ["Push rate", `${count(p.lastMinute)} accepted in the last minute (${Number((p.lastMinute / 60).toPrecision(3))}/s)`],
    ["Push requests since start", p.total === null ? "unknown" : `${count(p.total)} (${count(rejected)} rejected)`],
    ["Rejected pushes by status", p.rejectedByStatus.length === 0 ? "none" : p.rejectedByStatus.map((r) => `HTTP ${r.status}: ${count(r.count)}`).join(", ")],
    [
      "Refused by a limit (pushboard_rejected_pushes_total)",
      p.rejectedByReason.length === 0 ? "none" : p.rejectedByReason.map((r) => `${r.reason}: ${count(r.count)}`).join(", "),
    ],
    [
      "Last scrape of /metrics",
      s.lastScrapeMs === null ? (
        "not scraped since start"
      ) : (
        <span suppressHydrationWarning>
          {formatAgo(s.nowMs - s.lastScrapeMs)} (<LocalTime ms={s.lastScrapeMs} />)
        </span>
      ),
    ],
  ];
}

export function StatusView() {
  const q = useQuery(statusOptions());
  const s = q.data;
  if (!s)
    return (
      <div className="card p-8 text-center text-sm text-zinc-600 dark:text-zinc-400">
        {q.error ? `Could not load status: ${(q.error as Error).message}` : "Loading status…"}
      </div>
    );
  const facts: [string, ReactNode][] = [
    ["Version", s.version],
    [
      "Started",
      <>
        <LocalTime ms={s.startedAtMs} /> (up {formatSpan(s.uptimeMs)})
      </>,
    ],
    [
      "Storage",
      <span key="backend" data-testid="backend">
        {s.backend.text}
      </span>,
    ],
    ["Database size", s.databaseSizeBytes === null ? (s.backend.kind === "memory" ? "none (in memory)" : "unknown") : formatBytes(s.databaseSizeBytes)],
    ["Storage errors", s.storageErrors.total === 0 ? "none" : `${s.storageErrors.total} failed commit(s)`],
    ["Groups", `${count(s.groups)} (${count(s.counts.fresh)} fresh, ${count(s.counts.stale)} stale, ${count(s.counts.failed)} failed)`],
    ["Series", count(s.series)],
    ["Admin API", s.adminApi ? "enabled" : "disabled"],
  ];
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-semibold tracking-tight">Status</h1>
      {s.storageErrors.failing && (
        <div
          role="alert"
          data-testid="storage-failing"
          className="rounded border border-red-300 bg-red-50 p-3 text-sm text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-200"
        >
          <p className="font-medium">
            Storage is failing since <LocalTime ms={s.storageErrors.failing.sinceMs} />: pushes are refused (500) and /-/ready answers 503.
          </p>
          <pre className="mt-1 whitespace-pre-wrap break-words font-mono text-xs">{s.storageErrors.failing.message}</pre>
        </div>
      )}
      <section className="card">
        <h2 className="border-b border-zinc-200 px-4 py-2 font-semibold dark:border-zinc-800">Runtime information</h2>
        <dl className="grid gap-x-6 gap-y-3 p-4 sm:grid-cols-2 lg:grid-cols-3" data-testid="runtime">
          {facts.map(([k, v]) => (
            <div key={k}>
              <dt className="text-xs text-zinc-600 dark:text-zinc-400">{k}</dt>
              <dd className="break-all text-sm">{v}</dd>
            </div>
          ))}
        </dl>
      </section>
      <section className="card">
        <h2 className="border-b border-zinc-200 px-4 py-2 font-semibold dark:border-zinc-800">Pushes and scrapes</h2>
        <dl className="grid gap-x-6 gap-y-3 p-4 sm:grid-cols-2 lg:grid-cols-3" data-testid="traffic">
          {pushFigures(s).map(([k, v]) => (
            <div key={k}>
              <dt className="text-xs text-zinc-600 dark:text-zinc-300">{k}</dt>
              <dd className="break-words text-sm">{v}</dd>
            </div>
          ))}
        </dl>
      </section>
      <div className="grid gap-4 lg:grid-cols-2">
        <KeyValueTable caption="Startup flags" data={s.flags} notes={s.flagNotes} testId="flags" />
        <KeyValueTable caption="pushboard settings" data={s.settings} />
      </div>
    </div>
  );
}

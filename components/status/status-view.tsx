"use client";
import { useQuery } from "@tanstack/react-query";
import { DEFAULT_REFRESH_MS, statusOptions } from "../queries/groups";
import { formatLocal, formatSpan } from "../ui/format";

function KeyValueTable({ caption, data, testId }: { caption: string; data: Record<string, string>; testId?: string }) {
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
              <td className="break-all px-4 py-1.5 font-mono text-xs">{v === "" ? <span className="text-zinc-400">""</span> : v}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

export function StatusView() {
  const q = useQuery({ ...statusOptions(), refetchInterval: DEFAULT_REFRESH_MS });
  const s = q.data;
  if (!s) return <div className="card p-8 text-center text-sm text-zinc-600 dark:text-zinc-400">{q.error ? `Could not load status: ${(q.error as Error).message}` : "Loading status…"}</div>;
  const facts: [string, string][] = [
    ["Version", s.version],
    ["Started", `${formatLocal(s.startedAtMs)} (up ${formatSpan(s.uptimeMs)})`],
    ["Storage", s.storage],
    ["Storage errors", s.storageErrors.total === 0 ? "none" : `${s.storageErrors.total} failed commit(s)`],
    ["Groups", `${s.groups} (${s.counts.fresh} fresh, ${s.counts.stale} stale, ${s.counts.failed} failed)`],
    ["Series", String(s.series)],
    ["Admin API", s.adminApi ? "enabled" : "disabled"],
  ];
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-semibold tracking-tight">Status</h1>
      {s.storageErrors.failing && (
        <div role="alert" data-testid="storage-failing" className="rounded border border-red-300 bg-red-50 p-3 text-sm text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-200">
          <p className="font-medium">Storage is failing since {formatLocal(s.storageErrors.failing.sinceMs)}: pushes are refused (500) and /-/ready answers 503.</p>
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
      <div className="grid gap-4 lg:grid-cols-2">
        <KeyValueTable caption="Startup flags" data={s.flags} testId="flags" />
        <KeyValueTable caption="pushboard settings" data={s.settings} />
      </div>
    </div>
  );
}

"use client";
// The Expiries page: the lifecycle rules in force and every group they will delete in the next 24 hours, so an
// operator sees what will go before it goes.
import { AppLink as Link } from "../prefix";
import { useQuery } from "@tanstack/react-query";
import { expiriesOptions } from "../queries/groups";
import { formatIn, formatLocal, formatSpan } from "../ui/format";
import { LabelChips } from "../ui/label-chips";
import { useNow } from "../ui/use-now";

export function ExpiriesView() {
  const q = useQuery(expiriesOptions());
  const now = useNow(q.dataUpdatedAt);
  const data = q.data;
  if (!data) {
    return (
      <div className="card p-8 text-center text-sm text-zinc-600 dark:text-zinc-300">
        {q.error ? `Could not load the expiries: ${(q.error as Error).message}` : "Loading expiries…"}
      </div>
    );
  }
  // The server's clock, from the client's: the offset measured when this answer arrived.
  const serverNow = now - (q.dataUpdatedAt - data.nowMs);
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-semibold tracking-tight">Expiries</h1>
      <section className="card">
        <h2 className="border-b border-zinc-200 px-4 py-2 font-semibold dark:border-zinc-800">Lifecycle rules</h2>
        {data.rules.length === 0 ? (
          <p className="p-4 text-sm text-zinc-600 dark:text-zinc-300" data-testid="no-rules">
            No lifecycle rules: nothing expires. Start pushboard with <code className="font-mono">--lifecycle.config.file</code> to declare cadences and expiry.
          </p>
        ) : (
          <table className="w-full text-sm" data-testid="rules">
            <thead>
              <tr className="border-b border-zinc-200 text-left text-xs text-zinc-600 dark:border-zinc-800 dark:text-zinc-300">
                <th scope="col" className="px-4 py-2 font-medium">
                  #
                </th>
                <th scope="col" className="px-4 py-2 font-medium">
                  Match
                </th>
                <th scope="col" className="px-4 py-2 font-medium">
                  Expected every
                </th>
                <th scope="col" className="px-4 py-2 font-medium">
                  Expires after
                </th>
                <th scope="col" className="px-4 py-2 font-medium">
                  Families expire after
                </th>
              </tr>
            </thead>
            <tbody>
              {data.rules.map((r) => (
                <tr key={r.index} className="border-b border-zinc-100 last:border-0 dark:border-zinc-800">
                  <td className="px-4 py-2 tabular-nums">{r.index}</td>
                  <td className="break-all px-4 py-2 font-mono text-xs">{r.match}</td>
                  <td className="px-4 py-2">{r.expectEvery ?? "—"}</td>
                  <td className="px-4 py-2">{r.expireAfter ?? "—"}</td>
                  <td className="px-4 py-2">{r.expireFamiliesAfter ?? "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {data.source ? (
          <p className="border-t border-zinc-200 px-4 py-2 text-xs text-zinc-600 dark:border-zinc-800 dark:text-zinc-300">
            From {data.source}; reloaded on SIGHUP.
          </p>
        ) : null}
      </section>
      <section className="card overflow-x-auto">
        <h2 className="border-b border-zinc-200 px-4 py-2 font-semibold dark:border-zinc-800">
          Expiring in the next {formatSpan(data.horizonMs)} ({data.upcoming.length})
        </h2>
        {data.upcoming.length === 0 ? (
          <p className="p-4 text-sm text-zinc-600 dark:text-zinc-300" data-testid="no-expiries">
            No group expires in the next {formatSpan(data.horizonMs)}.
          </p>
        ) : (
          <table className="w-full text-sm" data-testid="expiries">
            <thead>
              <tr className="border-b border-zinc-200 text-left text-xs text-zinc-600 dark:border-zinc-800 dark:text-zinc-300">
                <th scope="col" className="px-4 py-2 font-medium">
                  Group
                </th>
                <th scope="col" className="px-4 py-2 font-medium">
                  Expires
                </th>
                <th scope="col" className="px-4 py-2 font-medium">
                  Rule
                </th>
              </tr>
            </thead>
            <tbody>
              {data.upcoming.map((e) => (
                <tr key={e.id} className="border-b border-zinc-100 last:border-0 dark:border-zinc-800" data-testid="expiry-row">
                  <td className="px-4 py-2">
                    <Link href={`/groups/${e.id}`} className="hover:underline">
                      <LabelChips labels={e.labels} />
                    </Link>
                  </td>
                  <td className="whitespace-nowrap px-4 py-2" title={formatLocal(e.dueAtMs)} suppressHydrationWarning>
                    {formatIn(e.dueAtMs - serverNow)}
                  </td>
                  <td className="px-4 py-2 font-mono text-xs">
                    #{e.rule} {e.match}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}

import type { FamilyView, SampleView } from "@/lib/dashboard/types";
import type { LabelPair } from "@/lib/exposition/model";
import { RelativeTime } from "../ui/relative-time";

function SampleLabels({ labels, hide }: { labels: LabelPair[]; hide: ReadonlySet<string> }) {
  const shown = labels.filter((l) => !hide.has(l.name));
  if (shown.length === 0) return <span className="text-zinc-400">—</span>;
  return (
    <span className="flex flex-wrap gap-1">
      {shown.map((l) => (
        <span key={l.name} className="rounded bg-zinc-100 px-1.5 py-0.5 font-mono text-xs dark:bg-zinc-800">
          <span>{l.name}=</span>
          <span className="break-all">{JSON.stringify(l.value)}</span>
        </span>
      ))}
    </span>
  );
}

function BucketBars({ buckets }: { buckets: { label: string; count: number }[] }) {
  const max = Math.max(1, ...buckets.map((b) => b.count));
  return (
    <table className="w-full text-xs">
      <thead>
        <tr className="text-left text-zinc-600 dark:text-zinc-400">
          <th scope="col" className="py-0.5 pr-3 font-medium">
            Bucket
          </th>
          <th scope="col" className="py-0.5 pr-3 text-right font-medium">
            Count
          </th>
          <th scope="col" className="w-1/2 py-0.5 font-medium">
            <span className="sr-only">Bar</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {buckets.map((b, i) => (
          <tr key={i}>
            <td className="whitespace-nowrap py-0.5 pr-3 font-mono">{b.label}</td>
            <td className="py-0.5 pr-3 text-right font-mono tabular-nums">{b.count}</td>
            <td className="py-0.5">
              <div className="h-2.5 rounded-sm bg-brand/80" style={{ width: `${(b.count / max) * 100}%`, minWidth: b.count > 0 ? 2 : 0 }} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function SampleValue({ s }: { s: SampleView }) {
  if (s.summary) {
    return (
      <div className="space-y-1">
        <table className="text-xs">
          <thead>
            <tr className="text-left text-zinc-600 dark:text-zinc-400">
              <th scope="col" className="pr-4 font-medium">
                Quantile
              </th>
              <th scope="col" className="pr-4 font-medium">
                Value
              </th>
              <th scope="col" className="font-medium">
                Human
              </th>
            </tr>
          </thead>
          <tbody>
            {s.summary.quantiles.map((q) => (
              <tr key={q.quantile}>
                <td className="pr-4 font-mono">{q.quantile}</td>
                <td className="pr-4 font-mono">{q.value}</td>
                <td>{q.human}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <p className="text-xs">
          count <span className="font-mono">{s.summary.count}</span> · sum <span className="font-mono">{s.summary.sum}</span>
        </p>
      </div>
    );
  }
  if (s.histogram) {
    const h = s.histogram;
    return (
      <div className="space-y-2">
        {h.buckets.length > 0 && <BucketBars buckets={h.buckets.map((b) => ({ label: `≤ ${b.le}`, count: b.inBucket }))} />}
        {h.native && (
          <div>
            <p className="text-xs font-medium">
              Native histogram (schema {h.native.schema}, zero threshold {h.native.zeroThreshold}, zero count {h.native.zeroCount})
            </p>
            <BucketBars buckets={h.native.buckets.map((b) => ({ label: `(${b.lower}, ${b.upper}]`, count: b.count }))} />
          </div>
        )}
        <p className="text-xs">
          count <span className="font-mono">{h.count}</span> · sum <span className="font-mono">{h.sum}</span>
          {h.buckets.length > 0 && <span className="text-zinc-600 dark:text-zinc-400"> · bars show the count of each bucket alone (not cumulative)</span>}
        </p>
      </div>
    );
  }
  return (
    <span>
      <span className="font-medium">{s.human}</span>
      {s.human !== s.value && <span className="ml-2 font-mono text-xs text-zinc-600 dark:text-zinc-400">{s.value}</span>}
    </span>
  );
}

export function FamilyCard({
  family,
  now,
  groupLabels,
  defaultOpen,
}: {
  family: FamilyView;
  now: number;
  groupLabels: ReadonlySet<string>;
  defaultOpen: boolean;
}) {
  return (
    <details open={defaultOpen} className="card group" data-testid="family">
      <summary className="flex cursor-pointer list-none flex-wrap items-baseline gap-x-3 gap-y-1 px-4 py-2.5">
        <span aria-hidden="true" className="text-xs text-zinc-600 dark:text-zinc-400 transition-transform group-open:rotate-90">
          ▶
        </span>
        <span className="break-all font-mono text-sm font-semibold">{family.name}</span>
        <span className="rounded bg-zinc-100 px-1.5 py-0.5 text-[10px] font-semibold uppercase tracking-wide dark:bg-zinc-800">
          {family.type.toLowerCase().replace("_", " ")}
        </span>
        <span className="text-xs text-zinc-600 dark:text-zinc-400">
          {family.totalSamples > family.samples.length ? `showing ${family.samples.length} of ${family.totalSamples}` : family.samples.length} series ·{" "}
          {family.name === "push_failure_time_seconds" ? (
            // Its value is the last failure (0: never); the family itself is rewritten by every push.
            family.lastPushedMs ? (
              <span data-testid="failure-time">
                last failed <RelativeTime ms={family.lastPushedMs} now={now} />
              </span>
            ) : (
              <span data-testid="failure-time">never failed</span>
            )
          ) : (
            <>
              last pushed <RelativeTime ms={family.lastPushedMs || null} now={now} />
            </>
          )}
        </span>
        {family.help && <span className="basis-full whitespace-pre-wrap break-words pl-5 text-xs text-zinc-600 dark:text-zinc-400">{family.help}</span>}
      </summary>
      <div className="overflow-x-auto border-t border-zinc-200 dark:border-zinc-800">
        <table className="w-full text-sm">
          <thead className="bg-zinc-50 text-left text-xs text-zinc-600 dark:text-zinc-400 dark:bg-zinc-900/60">
            <tr>
              <th scope="col" className="px-4 py-1.5 font-medium">
                Labels <span className="font-normal">(grouping labels hidden)</span>
              </th>
              <th scope="col" className="px-4 py-1.5 font-medium">
                Value
              </th>
            </tr>
          </thead>
          <tbody>
            {family.samples.map((s, i) => (
              <tr key={i} className="border-t border-zinc-100 align-top dark:border-zinc-800">
                <td className="px-4 py-1.5">
                  <SampleLabels labels={s.labels} hide={groupLabels} />
                </td>
                <td className="w-2/3 px-4 py-1.5">
                  <SampleValue s={s} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}

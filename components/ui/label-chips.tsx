import type { LabelPair } from "@/lib/exposition/model";

const JOB = "border-amber-300 bg-amber-50 text-amber-900 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-200";
const INSTANCE = "border-sky-300 bg-sky-50 text-sky-900 dark:border-sky-700 dark:bg-sky-950 dark:text-sky-200";
const OTHER = "border-teal-300 bg-teal-50 text-teal-900 dark:border-teal-700 dark:bg-teal-950 dark:text-teal-200";

/** Grouping labels as chips, job first. Values are React text: HTML in a label value stays text. */
export function LabelChips({ labels, className = "" }: { labels: LabelPair[]; className?: string }) {
  return (
    <span className={`flex flex-wrap gap-1 ${className}`}>
      {labels.map((l) => (
        <span
          key={l.name}
          className={`inline-flex min-w-0 max-w-full items-baseline rounded border px-1.5 py-0.5 font-mono text-xs ${
            l.name === "job" ? JOB : l.name === "instance" ? INSTANCE : OTHER
          }`}
        >
          <span>{l.name}=</span>
          {/* Wrap between chips first; inside a value only when it is longer than the line (never per character). */}
          <span className="min-w-0 [overflow-wrap:anywhere]">{l.value === "" ? '""' : l.value}</span>
        </span>
      ))}
    </span>
  );
}

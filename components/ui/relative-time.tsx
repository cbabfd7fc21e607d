"use client";
import { formatAgo, formatLocal } from "./format";

/** "4 min ago", with the exact local time on hover and for assistive tech. */
export function RelativeTime({ ms, now, className }: { ms: number | null; now: number; className?: string }) {
  if (ms === null) return <span className="text-zinc-600 dark:text-zinc-400">never</span>;
  const exact = formatLocal(ms);
  return (
    // The exact time is in the viewer's time zone, which the server rendering cannot know.
    <time dateTime={new Date(ms).toISOString()} title={exact} className={className} suppressHydrationWarning>
      {formatAgo(now - ms)}
      <span className="sr-only" suppressHydrationWarning>
        {" "}
        ({exact})
      </span>
    </time>
  );
}

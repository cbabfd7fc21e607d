"use client";
import { formatLocal } from "./format";

/** A time in the viewer's locale and time zone: the server's rendering may differ, the browser's wins. */
export function LocalTime({ ms }: { ms: number }) {
  return (
    <time dateTime={new Date(ms).toISOString()} suppressHydrationWarning>
      {formatLocal(ms)}
    </time>
  );
}

"use client";
// "2 families not written for 30 d": families a group's pushes left behind (issue 18; definition in
// lib/lifecycle/stale-families.ts), on the groups table row and the detail page.
import type { GroupRow } from "@/lib/dashboard/types";
import { formatSpan } from "../ui/format";

export function StaleFamiliesNote({ row, now, className = "" }: { row: Pick<GroupRow, "staleFamilies">; now: number; className?: string }) {
  const s = row.staleFamilies;
  if (!s) return null;
  const names = s.names.join(", ") + (s.count > s.names.length ? ", …" : "");
  return (
    <span
      data-testid="stale-families"
      title={`Not written with the group's recent pushes: ${names}`}
      className={`text-xs text-amber-800 dark:text-amber-300 ${className}`}
    >
      {s.count} famil{s.count === 1 ? "y" : "ies"} not written for {formatSpan(Math.max(0, now - s.newestWriteMs))}
    </span>
  );
}

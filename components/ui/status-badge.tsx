import type { GroupStatus } from "@/lib/dashboard/types";

const STYLE: Record<GroupStatus, string> = {
  fresh: "bg-emerald-100 text-emerald-900 ring-emerald-600/30 dark:bg-emerald-950 dark:text-emerald-300 dark:ring-emerald-400/30",
  stale: "bg-amber-100 text-amber-900 ring-amber-600/30 dark:bg-amber-950 dark:text-amber-300 dark:ring-amber-400/30",
  failed: "bg-red-100 text-red-900 ring-red-600/30 dark:bg-red-950 dark:text-red-300 dark:ring-red-400/30",
};
const DOT: Record<GroupStatus, string> = { fresh: "bg-emerald-500", stale: "bg-amber-500", failed: "bg-red-500" };

export function StatusBadge({ status, title }: { status: GroupStatus; title?: string }) {
  return (
    <span title={title} className={`inline-flex items-center gap-1.5 rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${STYLE[status]}`}>
      <span aria-hidden="true" className={`h-1.5 w-1.5 rounded-full ${DOT[status]}`} />
      {status}
    </span>
  );
}

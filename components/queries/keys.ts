// All dashboard query keys. Hierarchical: invalidating uiKeys.groups() refreshes lists, details and the
// stale list together.
import type { ListParams } from "@/lib/dashboard/types";

export const uiKeys = {
  all: ["ui"] as const,
  groups: () => [...uiKeys.all, "groups"] as const,
  lists: () => [...uiKeys.groups(), "list"] as const,
  list: (p: ListParams) => [...uiKeys.lists(), { q: p.q, sort: p.sort, dir: p.dir, page: p.page, size: p.size, groupBy: p.groupBy }] as const,
  detail: (id: string) => [...uiKeys.groups(), "detail", id] as const,
  stale: (q: string) => [...uiKeys.groups(), "stale", q] as const,
  // Under groups(): a delete refreshes the job overview too.
  jobs: () => [...uiKeys.groups(), "jobs"] as const,
  status: () => [...uiKeys.all, "status"] as const,
  // Under groups(): a delete refreshes them with every list.
  activity: () => [...uiKeys.groups(), "activity"] as const,
  expiries: () => [...uiKeys.groups(), "expiries"] as const,
};

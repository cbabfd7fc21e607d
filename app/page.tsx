import { HydrationBoundary } from "@tanstack/react-query";
import { GroupsView } from "@/components/groups/groups-view";
import { prefetchDashboard } from "@/components/queries/server-prefetch";
import { parseListParams } from "@/lib/dashboard/list";

export default async function GroupsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const sp = new URLSearchParams();
  for (const [k, v] of Object.entries(await searchParams)) if (typeof v === "string") sp.set(k, v);
  const initial = parseListParams(sp);
  // The first page comes with the HTML (under the pushboard server; elsewhere the table fetches it): the first
  // row renders on hydration instead of after one more round trip. A bad filter is left to the client (400).
  const state = await prefetchDashboard({ kind: "groupList", params: initial });
  return (
    <HydrationBoundary state={state}>
      <GroupsView initial={initial} />
    </HydrationBoundary>
  );
}

import { GroupsView } from "@/components/groups/groups-view";
import { parseListParams } from "@/lib/dashboard/list";

export default async function GroupsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const sp = new URLSearchParams();
  for (const [k, v] of Object.entries(await searchParams)) if (typeof v === "string") sp.set(k, v);
  return <GroupsView initial={parseListParams(sp)} />;
}

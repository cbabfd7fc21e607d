import { HydrationBoundary } from "@tanstack/react-query";
import type { Metadata } from "next";
import { GroupDetailView } from "@/components/detail/group-detail";
import { prefetchDashboard, serverData } from "@/components/queries/server-prefetch";

type Props = { params: Promise<{ id: string }> };

/** The tab names the group: "backup_postgres · database=billing · pushboard". */
export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const d = await serverData.groupDetail((await params).id);
  return { title: d ? d.title : "Group not found" };
}

export default async function GroupPage({ params }: Props) {
  const { id } = await params;
  // A missing group has answered 404 already (layout.tsx).
  return (
    <HydrationBoundary state={await prefetchDashboard({ kind: "groupDetail", id })}>
      <GroupDetailView id={id} />
    </HydrationBoundary>
  );
}

import { HydrationBoundary } from "@tanstack/react-query";
import type { Metadata } from "next";
import { ActivityView } from "@/components/lifecycle/activity-view";
import { prefetchDashboard } from "@/components/queries/server-prefetch";

export const metadata: Metadata = { title: "Activity" };

export default async function ActivityPage() {
  return (
    <HydrationBoundary state={await prefetchDashboard({ kind: "activity" })}>
      <ActivityView />
    </HydrationBoundary>
  );
}

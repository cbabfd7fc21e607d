import { HydrationBoundary } from "@tanstack/react-query";
import type { Metadata } from "next";
import { ExpiriesView } from "@/components/lifecycle/expiries-view";
import { prefetchDashboard } from "@/components/queries/server-prefetch";

export const metadata: Metadata = { title: "Expiries" };

export default async function ExpiriesPage() {
  return (
    <HydrationBoundary state={await prefetchDashboard({ kind: "expiries" })}>
      <ExpiriesView />
    </HydrationBoundary>
  );
}

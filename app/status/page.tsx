import { HydrationBoundary } from "@tanstack/react-query";
import type { Metadata } from "next";
import { prefetchDashboard } from "@/components/queries/server-prefetch";
import { StatusView } from "@/components/status/status-view";

export const metadata: Metadata = { title: "Status" };

export default async function StatusPage() {
  return (
    <HydrationBoundary state={await prefetchDashboard({ kind: "status" })}>
      <StatusView />
    </HydrationBoundary>
  );
}

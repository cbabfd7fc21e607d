import type { Metadata } from "next";
import { JobOverview } from "@/components/groups/job-overview";

export const metadata: Metadata = { title: "Jobs" };

export default function JobsPage() {
  return <JobOverview />;
}

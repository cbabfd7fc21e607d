import type { Metadata } from "next";
import { ExpiriesView } from "@/components/lifecycle/expiries-view";

export const metadata: Metadata = { title: "Expiries" };

export default function ExpiriesPage() {
  return <ExpiriesView />;
}

import { notFound } from "next/navigation";
import type { ReactNode } from "react";
import { serverData, serverRuntime } from "@/components/queries/server-prefetch";

/**
 * A group that does not exist answers 404. Checked here, above the page's loading boundary: once loading.tsx has
 * streamed, the status line is sent and would say 200. Without a runtime, the page shows the API's error instead.
 */
export default async function GroupLayout({ children, params }: { children: ReactNode; params: Promise<{ id: string }> }) {
  if ((await serverRuntime()) && !(await serverData.groupDetail((await params).id))) notFound();
  return children;
}

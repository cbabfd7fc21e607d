// GET /api/ui/jobs  → the job overview (JobOverviewResponse): one row per job, groups counted by status, broken
// jobs first.
import { jsonResponse, listContext, withRuntime } from "@/lib/dashboard/http";
import { listJobs } from "@/lib/dashboard/list";

export const dynamic = "force-dynamic";

export function GET(req: Request): Promise<Response> {
  return withRuntime(req, (rt) => jsonResponse(listJobs(rt.store, listContext(rt))));
}

// GET /api/ui/groups/stale  → every stale group (StaleListResponse), shown before "Delete all stale".
import { jsonResponse, listContext, withRuntime } from "@/lib/dashboard/http";
import { listStale } from "@/lib/dashboard/list";

export const dynamic = "force-dynamic";

export function GET(req: Request): Promise<Response> {
  return withRuntime(req, (rt) =>
    jsonResponse(listStale(rt.store, listContext(rt))),
  );
}

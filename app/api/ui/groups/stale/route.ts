// GET /api/ui/groups/stale?q=<filter>  → the stale groups the filter matches (StaleListResponse), shown before
// "Delete stale matching"; without q, every stale group.
import { jsonResponse, listContext, withRuntime } from "@/lib/dashboard/http";
import { listStale } from "@/lib/dashboard/list";

export const dynamic = "force-dynamic";

export function GET(req: Request): Promise<Response> {
  return withRuntime(req, (rt) => jsonResponse(listStale(rt.store, listContext(rt), new URL(req.url).searchParams.get("q") ?? "")));
}

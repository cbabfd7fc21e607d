// GET /api/ui/groups?q=&sort=&dir=&page=&size=&groupBy=  → one page of group summaries (GroupListResponse).
import { jsonResponse, listContext, withRuntime } from "@/lib/dashboard/http";
import { listGroups, parseListParams } from "@/lib/dashboard/list";

export const dynamic = "force-dynamic";

export function GET(req: Request): Promise<Response> {
  return withRuntime(req, (rt) => {
    const params = parseListParams(new URL(req.url).searchParams);
    return jsonResponse(listGroups(rt.store, params, listContext(rt)));
  });
}

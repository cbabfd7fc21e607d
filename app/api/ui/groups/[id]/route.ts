// GET /api/ui/groups/<id>  → GroupDetailResponse; <id> is base64url of the grouping key.
import { groupDetail } from "@/lib/dashboard/detail";
import { errorResponse, jsonResponse, listContext, withRuntime } from "@/lib/dashboard/http";
import { publicPrefix } from "@/lib/dashboard/prefix";

export const dynamic = "force-dynamic";

export async function GET(req: Request, ctx: { params: Promise<{ id: string }> }): Promise<Response> {
  const { id } = await ctx.params;
  return withRuntime(req, (rt) => {
    // The delete command is copied from the browser: the URL it sees, proxy prefix included.
    const d = groupDetail(rt.store, id, { ...listContext(rt), routePrefix: publicPrefix(rt.config) });
    return d ? jsonResponse(d) : errorResponse("no such group (it may have been deleted)", 404);
  });
}

// GET /api/ui/groups/<id>  → GroupDetailResponse; <id> is base64url of the grouping key.
import { groupDetail } from "@/lib/dashboard/detail";
import { detailContext, errorResponse, jsonResponse, withRuntime } from "@/lib/dashboard/http";

export const dynamic = "force-dynamic";

export async function GET(req: Request, ctx: { params: Promise<{ id: string }> }): Promise<Response> {
  const { id } = await ctx.params;
  return withRuntime(req, (rt) => {
    const d = groupDetail(rt.store, id, detailContext(rt));
    return d ? jsonResponse(d) : errorResponse("no such group (it may have been deleted)", 404);
  });
}

// GET /api/ui/groups/<id>  → GroupDetailResponse; <id> is base64url of the grouping key.
import { groupDetail } from "@/lib/dashboard/detail";
import { errorResponse, jsonResponse, withRuntime } from "@/lib/dashboard/http";
import { publicPrefix } from "@/lib/dashboard/prefix";

export const dynamic = "force-dynamic";

export async function GET(_req: Request, ctx: { params: Promise<{ id: string }> }): Promise<Response> {
  const { id } = await ctx.params;
  return withRuntime((rt) => {
    const d = groupDetail(rt.store, id, {
      defaultStaleAfterMs: rt.config.staleAfterMs,
      nowMs: Date.now(),
      adminApi: rt.config.enableAdminApi,
      // The delete command is copied from the browser: the URL it sees, proxy prefix included.
      routePrefix: publicPrefix(rt.config),
    });
    return d ? jsonResponse(d) : errorResponse("no such group (it may have been deleted)", 404);
  });
}

// POST /api/ui/groups/<id>/families/delete {"families": [{"name", "lastPushedMs"}]} → FamilyDeleteResponse.
// Each family goes only if its write time is still lastPushedMs (a family pushed again meanwhile is kept).
import { jsonResponse, withMutation } from "@/lib/dashboard/http";
import { deleteFamilies } from "@/lib/dashboard/undo-actions";

export const dynamic = "force-dynamic";

export async function POST(req: Request, ctx: { params: Promise<{ id: string }> }): Promise<Response> {
  const { id } = await ctx.params;
  return withMutation(req, async (rt, body, audit) => jsonResponse(await deleteFamilies(rt.store, id, body, audit)));
}

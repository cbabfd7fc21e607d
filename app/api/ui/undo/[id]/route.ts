// POST /api/ui/undo/<id> {} → RestoreResponse: restores the deletion <id> (an operation id from a delete's
// response, or one Activity entry's id). 200 restored (some groups may be refused: see "refused"); 409 nothing
// restored because the groups were pushed again or it was already restored; 410 past the undo window; 404 unknown.
import { jsonResponse, withMutation } from "@/lib/dashboard/http";
import { restoreDeletion } from "@/lib/dashboard/undo-actions";

export const dynamic = "force-dynamic";

export async function POST(req: Request, ctx: { params: Promise<{ id: string }> }): Promise<Response> {
  const { id } = await ctx.params;
  return withMutation(req, async (rt, _body, audit) => {
    const { status, body } = await restoreDeletion(rt.store, id, audit);
    return jsonResponse(body, status);
  });
}

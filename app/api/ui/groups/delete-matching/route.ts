// POST /api/ui/groups/delete-matching {"q": "<filter>"} → DeleteResponse. Deletes every group the filter matches
// (all pages), each only if it has not pushed since. Same-origin JSON requests only.
import { ActionError, deleteMatching } from "@/lib/dashboard/actions";
import { jsonResponse, listContext, withMutation } from "@/lib/dashboard/http";

export const dynamic = "force-dynamic";

export function POST(req: Request): Promise<Response> {
  return withMutation(req, async (rt, body, audit) => {
    const q = (body as { q?: unknown }).q;
    if (typeof q !== "string") throw new ActionError('"q" must be the filter text', 400);
    return jsonResponse(await deleteMatching(rt.store, q, listContext(rt), audit));
  });
}

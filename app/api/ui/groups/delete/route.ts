// POST /api/ui/groups/delete {"ids": [...]}  → DeleteResponse. Same-origin JSON requests only.
import { deleteGroups, readIds } from "@/lib/dashboard/actions";
import { jsonResponse, withMutation } from "@/lib/dashboard/http";

export const dynamic = "force-dynamic";

export function POST(req: Request): Promise<Response> {
  return withMutation(req, async (rt, body, audit) => jsonResponse(await deleteGroups(rt.store, readIds(body), audit)));
}

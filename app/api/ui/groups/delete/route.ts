// POST /api/ui/groups/delete {"ids": [...], "q"?: "<filter>"}  → DeleteResponse. With q, only the ids the filter
// still matches are deleted, each only if it has not pushed since. Same-origin JSON requests only.
import { deleteGroups, readFilter, readIds } from "@/lib/dashboard/actions";
import { jsonResponse, listContext, withMutation } from "@/lib/dashboard/http";

export const dynamic = "force-dynamic";

export function POST(req: Request): Promise<Response> {
  return withMutation(req, async (rt, body, audit) =>
    jsonResponse(await deleteGroups(rt.store, readIds(body), audit, { q: readFilter(body), ctx: listContext(rt) })),
  );
}

// POST /api/ui/groups/delete-stale {"ids": [...]?}  → DeleteResponse. Deletes the listed groups that are still
// stale (or every stale group when ids is omitted). Same-origin JSON requests only.
import { deleteStale, readOptionalIds } from "@/lib/dashboard/actions";
import { jsonResponse, listContext, withMutation } from "@/lib/dashboard/http";

export const dynamic = "force-dynamic";

export function POST(req: Request): Promise<Response> {
  return withMutation(req, async (rt, body, audit) =>
    jsonResponse(await deleteStale(rt.store, readOptionalIds(body), listContext(rt), audit)),
  );
}

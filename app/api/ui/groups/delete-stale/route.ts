// POST /api/ui/groups/delete-stale {"q"?: "<filter>", "ids"?: [...]}  → DeleteResponse. Deletes the stale groups the
// filter matches (every stale group without q); with ids, only those listed that are still stale and matched.
// Conditional: a group that pushed since is kept. Same-origin JSON requests only.
import { deleteStale, readFilter, readOptionalIds } from "@/lib/dashboard/actions";
import { jsonResponse, listContext, withMutation } from "@/lib/dashboard/http";

export const dynamic = "force-dynamic";

export function POST(req: Request): Promise<Response> {
  return withMutation(req, async (rt, body, audit) =>
    jsonResponse(await deleteStale(rt.store, readOptionalIds(body), listContext(rt), audit, readFilter(body))),
  );
}

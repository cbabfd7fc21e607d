// POST /api/ui/groups/match {"q": "<filter>", "ids": [...]}  → MatchResponse: the ids the filter matches now. The
// table keeps only those selected when its filter changes. Changes nothing (POST only because ids can be many).
import { matchIds, readFilter, readIds } from "@/lib/dashboard/actions";
import { jsonResponse, listContext, withMutation } from "@/lib/dashboard/http";

export const dynamic = "force-dynamic";

export function POST(req: Request): Promise<Response> {
  return withMutation(req, (rt, body) => jsonResponse(matchIds(rt.store, readFilter(body), readIds(body)!, listContext(rt))));
}

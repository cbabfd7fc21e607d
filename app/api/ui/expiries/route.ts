// GET /api/ui/expiries → ExpiriesResponse: the lifecycle rules and the groups they delete in the next 24 h.
import { jsonResponse, withRuntime } from "@/lib/dashboard/http";
import { expiries } from "@/lib/dashboard/lifecycle-views";

export const dynamic = "force-dynamic";

export function GET(req: Request): Promise<Response> {
  return withRuntime(req, (rt) => jsonResponse(expiries(rt.lifecycle, Date.now())));
}

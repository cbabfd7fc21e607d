// GET /api/ui/activity → ActivityResponse: the audit trail (deletes, expiries, wipes), newest first.
import { jsonResponse, withRuntime } from "@/lib/dashboard/http";
import { activity } from "@/lib/dashboard/lifecycle-views";

export const dynamic = "force-dynamic";

export function GET(req: Request): Promise<Response> {
  return withRuntime(req, (rt) => jsonResponse(activity(rt.store, rt.diagnostics, Date.now())));
}

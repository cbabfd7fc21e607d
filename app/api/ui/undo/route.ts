// GET /api/ui/undo → RestorableResponse: deletions that can still be restored (within --dashboard.undo-window).
import { jsonResponse, withRuntime } from "@/lib/dashboard/http";
import { restorableDeletions } from "@/lib/dashboard/undo-actions";

export const dynamic = "force-dynamic";

export function GET(req: Request): Promise<Response> {
  return withRuntime(req, (rt) => jsonResponse(restorableDeletions(rt.store, Date.now(), rt.config.undoWindowMs)));
}

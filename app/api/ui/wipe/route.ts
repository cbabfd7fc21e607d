// POST /api/ui/wipe {}  → DeleteResponse. Deletes every group; only with --web.enable-admin-api (403 otherwise).
import { wipeAll } from "@/lib/dashboard/actions";
import { errorResponse, jsonResponse, withMutation } from "@/lib/dashboard/http";

export const dynamic = "force-dynamic";

export function POST(req: Request): Promise<Response> {
  return withMutation(req, async (rt, _body, audit) => {
    if (!rt.config.enableAdminApi) return errorResponse("the admin API is disabled (start with --web.enable-admin-api)", 403);
    return jsonResponse(await wipeAll(rt.store, audit));
  });
}

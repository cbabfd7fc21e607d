// GET /api/ui/status  → StatusResponse (version, flags, storage, uptime, counts, push traffic).
import { jsonResponse, viewerOf, withRuntime } from "@/lib/dashboard/http";
import { statusInfo } from "@/lib/dashboard/status";

export const dynamic = "force-dynamic";

export function GET(req: Request): Promise<Response> {
  return withRuntime(req, async (rt) => jsonResponse(await statusInfo(rt, Date.now(), viewerOf(req))));
}

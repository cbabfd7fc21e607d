// The status page's data.
import { formatDuration } from "../config/flags";
import type { Runtime } from "../server/runtime";
import { summarizeAll } from "./list";
import type { StatusResponse } from "./types";

/** Set while the store cannot confirm it is current (its database is unreachable): the dashboard shows a banner. */
function readOnly(rt: Runtime): StatusResponse["readOnly"] {
  const stale = rt.store.freshness().stale;
  return stale ? { sinceMs: stale.sinceMs, message: stale.message } : undefined;
}

/** Who is looking: the signed-in user and their roles (full access when the server said nothing). */
export interface Viewer {
  user?: string;
  roles: StatusResponse["roles"];
}

export function statusInfo(rt: Runtime, nowMs: number, viewer: Viewer = { roles: ["read", "push", "admin"] }): StatusResponse {
  const c = rt.config;
  const counts = { fresh: 0, stale: 0, failed: 0 };
  for (const s of summarizeAll(rt.store, { defaultStaleAfterMs: c.staleAfterMs, nowMs, adminApi: c.enableAdminApi, lifecycle: rt.lifecycle })) counts[s.status]++;
  return {
    version: rt.version,
    startedAtMs: rt.startedAtMs,
    uptimeMs: nowMs - rt.startedAtMs,
    nowMs,
    storage: rt.storageDescription,
    storageErrors: { total: rt.store.storageStatus?.errors ?? 0, failing: rt.store.storageStatus?.failing ?? null },
    groups: rt.store.groupCount(),
    series: rt.store.seriesCount(),
    counts,
    flags: { ...c.flagValues },
    settings: {
      "storage.backend": c.storageBackend,
      "dashboard.stale-after": formatDuration(c.staleAfterMs),
      "push.max-body-size": `${c.maxBodyBytes} bytes`,
      "storage.reset-on-corruption": String(c.storageResetOnCorruption),
      "data dir": c.dataDir,
      "route prefix": c.routePrefix || "/",
    },
    adminApi: c.enableAdminApi,
    readOnly: readOnly(rt),
    ...(viewer.user !== undefined ? { user: viewer.user } : {}),
    roles: viewer.roles,
  };
}

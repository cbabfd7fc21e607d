// The status page's data: what is running, how it stores, how busy it is, and what it refuses.
import { statSync } from "node:fs";
import { formatDuration } from "../config/flags";
import type { Runtime } from "../server/runtime";
import { listIndex } from "./list-index";
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

/** "PostgreSQL db.internal:5432/metrics as pushboard": the URL without its password or any secret parameter. */
export function describePostgres(url: string): string {
  try {
    const u = new URL(url);
    const db = decodeURIComponent(u.pathname.replace(/^\//, "")) || "(default database)";
    const user = u.username ? ` as ${decodeURIComponent(u.username)}` : "";
    return `PostgreSQL ${u.hostname || "(local socket)"}${u.port ? `:${u.port}` : ""}/${db}${user}`;
  } catch {
    return "PostgreSQL (the URL given could not be parsed)";
  }
}

/** The storage backend said plainly, with the SQLite file or the PostgreSQL server (never a password). */
export function backendInfo(rt: Pick<Runtime, "config" | "databaseFile">): StatusResponse["backend"] {
  const c = rt.config;
  if (c.storageBackend === "postgres") {
    return { kind: "postgres", durable: true, text: `${describePostgres(c.postgresUrl)}: durable, shared by every replica (password never shown)` };
  }
  if (c.storageBackend === "sqlite") {
    const file = rt.databaseFile ?? "(unknown file)";
    return { kind: "sqlite", durable: true, file, text: `SQLite file ${file}: durable, every write is on disk before it is acknowledged` };
  }
  return { kind: "memory", durable: false, text: "in memory only: every group is lost on restart" };
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

async function databaseSize(rt: Runtime): Promise<number | null> {
  if (rt.databaseFile) return fileSize(rt.databaseFile) + fileSize(rt.databaseFile + "-wal") || null;
  return (await rt.store.databaseSizeBytes?.()) ?? null;
}

type CounterValues = { values: { labels: Record<string, string | number | undefined>; value: number }[] };

/** Push requests by HTTP status, and limit rejections by reason, from pushboard's own metrics. */
async function pushCounts(rt: Runtime): Promise<{ total: number; byStatus: Record<string, number>; byReason: Record<string, number> } | null> {
  if (!rt.own) return null;
  const requests = (await rt.own.requests.get()) as CounterValues;
  const byStatus: Record<string, number> = {};
  let total = 0;
  for (const v of requests.values) {
    if (v.labels.handler !== "push") continue;
    total += v.value;
    const code = String(v.labels.code);
    byStatus[code] = (byStatus[code] ?? 0) + v.value;
  }
  const byReason: Record<string, number> = {};
  for (const v of ((await rt.own.rejectedPushes.get()) as CounterValues).values) byReason[String(v.labels.reason)] = v.value;
  return { total, byStatus, byReason };
}

export async function statusInfo(rt: Runtime, nowMs: number, viewer: Viewer = { roles: ["read", "push", "admin"] }): Promise<StatusResponse> {
  const c = rt.config;
  // Independent facts, counted as the list's header counts them (a group can be stale and failed).
  const idx = listIndex(rt.store, { defaultStaleAfterMs: c.staleAfterMs, nowMs, lifecycle: rt.lifecycle });
  const all = idx.counts;
  let lastMinute = 0;
  for (const s of idx.entries) {
    const h = s.base.pushHistory;
    for (let i = h.length - 1; i >= 0 && h[i]! > nowMs - 60_000; i--) lastMinute++;
  }
  const counts = { fresh: all.fresh, stale: all.stale, failed: all.failed };
  const backend = backendInfo(rt);
  const pushes = await pushCounts(rt);
  const rejected = pushes ? Object.entries(pushes.byStatus).filter(([code]) => Number(code) >= 400) : [];
  const flagNotes: Record<string, string> = {};
  if (c.flagValues["persistence.file"] === "" && backend.kind !== "memory")
    flagNotes["persistence.file"] = `not used: pushboard stores in ${backend.kind === "sqlite" ? `the SQLite file ${backend.file}` : "PostgreSQL"}`;
  if (c.flagValues["persistence.interval"] !== undefined)
    flagNotes["persistence.interval"] = "accepted, not needed: every write is durable before it is acknowledged";
  return {
    version: rt.version,
    startedAtMs: rt.startedAtMs,
    uptimeMs: nowMs - rt.startedAtMs,
    nowMs,
    storage: rt.storageDescription,
    backend,
    databaseSizeBytes: await databaseSize(rt),
    storageErrors: { total: rt.store.storageStatus?.errors ?? 0, failing: rt.store.storageStatus?.failing ?? null },
    groups: rt.store.groupCount(),
    series: rt.store.seriesCount(),
    counts,
    pushes: {
      lastMinute,
      total: pushes?.total ?? null,
      rejectedByStatus: rejected.map(([status, count]) => ({ status: Number(status), count })).sort((a, b) => a.status - b.status),
      rejectedByReason: Object.entries(pushes?.byReason ?? {})
        .map(([reason, count]) => ({ reason, count }))
        .sort((a, b) => b.count - a.count),
    },
    lastScrapeMs: rt.own?.lastScrapeMs ?? null,
    flags: { ...c.flagValues },
    flagNotes,
    settings: {
      "storage.backend": c.storageBackend,
      "dashboard.stale-after": formatDuration(c.staleAfterMs),
      "dashboard.prometheus-url": c.prometheusUrl,
      "push.max-body-size": `${c.maxBodyBytes} bytes`,
      "storage.reset-on-corruption": String(c.storageResetOnCorruption),
      ...(backend.kind === "sqlite" ? { "data dir": c.dataDir } : {}),
      "route prefix": c.routePrefix || "/",
    },
    adminApi: c.enableAdminApi,
    readOnly: readOnly(rt),
    ...(viewer.user !== undefined ? { user: viewer.user } : {}),
    roles: viewer.roles,
  };
}

// Server side of the dashboard pages (the TanStack Query advanced-SSR pattern): a page prefetches its first data
// into a fresh QueryClient with the SAME queryOptions the client components poll with, reading the engine
// directly instead of going over HTTP, and hands it over with <HydrationBoundary state={dehydrate(qc)}>. The
// answers are exactly the /api/ui ones (the same lib/dashboard functions and contexts), so the client's first
// refetch changes nothing it should not. Only under the pushboard server, which checked the request's access
// before handing it to Next: under Next.js alone (`next dev`/`next start`) nothing is prefetched, and the client
// components fetch through /api/ui, whose routes check access themselves.
import { dehydrate, type DehydratedState, type QueryClient } from "@tanstack/react-query";
import { headers } from "next/headers";
import { cache } from "react";
import { groupDetail } from "@/lib/dashboard/detail";
import { detailContext, listContext, viewerFromHeaders } from "@/lib/dashboard/http";
import { activity, expiries } from "@/lib/dashboard/lifecycle-views";
import { listGroups } from "@/lib/dashboard/list";
import { statusInfo } from "@/lib/dashboard/status";
import type { ListParams } from "@/lib/dashboard/types";
import { nextRuntime } from "@/lib/server/boot";
import type { Runtime } from "@/lib/server/runtime";
import { activityOptions, expiriesOptions, groupDetailOptions, groupListOptions, statusOptions } from "./groups";
import { getQueryClient } from "./query-client";

/** Runs a read with the runtime after the store's read barrier (as lib/dashboard/http.ts withRuntime does). */
async function read<T>(fn: (rt: Runtime) => T | Promise<T> | undefined): Promise<T | undefined> {
  const rt = await serverRuntime();
  if (!rt) return undefined;
  await rt.store.sync();
  return fn(rt);
}

/** The runtime when pages may read it directly: under the pushboard server (access already checked). */
export async function serverRuntime(): Promise<Runtime | undefined> {
  const rt = await nextRuntime().catch(() => undefined);
  return rt?.frontEnd === "pushboard" ? rt : undefined;
}

/** The server's answers, one per resource; cached per request (generateMetadata and the page share them). */
export const serverData = {
  status: cache(async () => {
    const viewer = viewerFromHeaders(await headers());
    return read((rt) => statusInfo(rt, Date.now(), viewer));
  }),
  groupDetail: cache((id: string) => read((rt) => groupDetail(rt.store, id, detailContext(rt)))),
  groupList: (params: ListParams) => read((rt) => listGroups(rt.store, params, listContext(rt))),
  activity: () => read((rt) => activity(rt.store, rt.diagnostics, Date.now())),
  expiries: () => read((rt) => expiries(rt.lifecycle, Date.now())),
};

/** Puts `load()`'s answer under `options.queryKey`; a failed or absent answer is left to the client to fetch. */
async function prefetch<T>(qc: QueryClient, options: { queryKey: readonly unknown[] }, load: () => Promise<T | undefined>): Promise<void> {
  await qc.prefetchQuery({
    queryKey: options.queryKey,
    queryFn: async () => {
      const data = await load();
      if (data === undefined) throw new Error("not available on the server");
      return data;
    },
  });
}

/** What each page prefetches. */
export type Prefetch =
  { kind: "status" } | { kind: "groupDetail"; id: string } | { kind: "groupList"; params: ListParams } | { kind: "activity" } | { kind: "expiries" };

/** Prefetches the listed resources into a new QueryClient and returns its dehydrated state. */
export async function prefetchDashboard(...what: Prefetch[]): Promise<DehydratedState> {
  const qc = getQueryClient();
  await Promise.all(
    what.map((w) => {
      switch (w.kind) {
        case "status":
          return prefetch(qc, statusOptions(), serverData.status);
        case "groupDetail":
          return prefetch(qc, groupDetailOptions(w.id), () => serverData.groupDetail(w.id));
        case "groupList":
          return prefetch(qc, groupListOptions(w.params), () => serverData.groupList(w.params));
        case "activity":
          return prefetch(qc, activityOptions(), serverData.activity);
        case "expiries":
          return prefetch(qc, expiriesOptions(), serverData.expiries);
      }
    }),
  );
  return dehydrate(qc);
}

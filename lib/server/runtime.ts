// The one process-wide runtime (store, configuration, start time). Next bundles its own copy of lib/, so
// module-level singletons would not be shared between the pushboard server and Next's route handlers and pages:
// the runtime is kept on globalThis. The pushboard server sets it before Next.js starts; under plain
// `next dev`/`next start` the first route handler that needs it boots it (lib/server/boot.ts).
import type { Config } from "../config/flags";
import type { MetricStore } from "../store/types";
import type { Lifecycle } from "../lifecycle/lifecycle";
import type { PushDiagnostics } from "../protocol/push-diagnostics";
import type { Access } from "./access";
import type { OwnMetrics } from "../protocol/own-metrics";

/** Which HTTP front end serves the process: the pushboard server (node:http, hosting Next) or Next.js alone. */
export type FrontEnd = "pushboard" | "next";

/** What the dashboard reads. */
export interface Runtime {
  config: Config;
  store: MetricStore;
  /** Unix ms when the process started serving. */
  startedAtMs: number;
  version: string;
  /** Human-readable description of the storage backend, e.g. "sqlite: /data/pushboard.db". */
  storageDescription: string;
  /** Lifecycle rules (declared cadences, expiry, preview); absent when the runtime was built without them. */
  lifecycle?: Lifecycle;
  /** Rejected pushes per grouping key. */
  diagnostics?: PushDiagnostics;
  /** Under `next`, each route handler checks access itself; under `pushboard` the server did before handing over. */
  frontEnd?: FrontEnd;
  access?: Access;
  /** pushboard's own metrics (push counts, rejections by reason, last scrape) for the status page. */
  own?: OwnMetrics;
  /** The SQLite database file, with the sqlite backend. */
  databaseFile?: string;
}

const holder = globalThis as unknown as { __pushboardRuntime?: Runtime; __pushboardRuntimeInit?: Promise<Runtime> };

export function setRuntime(rt: Runtime): void {
  holder.__pushboardRuntime = rt;
}

/** Forgets the runtime (tests; the caller closes it). */
export function clearRuntime(): void {
  delete holder.__pushboardRuntime;
  delete holder.__pushboardRuntimeInit;
}

/** The runtime; when none is set yet, the first caller creates it with `boot` (one boot per process). */
export async function runtimeOrBoot(boot: () => Promise<Runtime>): Promise<Runtime> {
  if (holder.__pushboardRuntime) return holder.__pushboardRuntime;
  holder.__pushboardRuntimeInit ??= boot().then((rt) => (holder.__pushboardRuntime = rt));
  return holder.__pushboardRuntimeInit;
}

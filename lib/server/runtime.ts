// The one process-wide runtime (store, configuration, start time). The pushboard server creates it before
// Next.js starts; Next's bundled route handlers and pages find it on globalThis, because Next bundles its own
// copy of lib/ and module-level singletons would not be shared.
import type { Config } from "../config/flags";
import type { MetricStore } from "../store/types";
import type { Lifecycle } from "../lifecycle/lifecycle";
import type { PushDiagnostics } from "../protocol/push-diagnostics";
import type { OwnMetrics } from "../protocol/own-metrics";

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
  /** pushboard's own metrics (push counts, rejections by reason, last scrape) for the status page. */
  own?: OwnMetrics;
  /** The SQLite database file, with the sqlite backend. */
  databaseFile?: string;
}

const holder = globalThis as unknown as { __pushboardRuntime?: Runtime; __pushboardRuntimeInit?: Promise<Runtime> };

export function setRuntime(rt: Runtime): void {
  holder.__pushboardRuntime = rt;
}

/** The runtime, or undefined when none has been created yet (e.g. under `next dev` before the first request). */
export function peekRuntime(): Runtime | undefined {
  return holder.__pushboardRuntime;
}

/**
 * The runtime; under plain `next start`/`next dev` (no pushboard server) the first caller creates it from the
 * environment with `init`.
 */
export async function getRuntime(init: () => Promise<Runtime>): Promise<Runtime> {
  if (holder.__pushboardRuntime) return holder.__pushboardRuntime;
  holder.__pushboardRuntimeInit ??= init().then((rt) => (holder.__pushboardRuntime = rt));
  return holder.__pushboardRuntimeInit;
}

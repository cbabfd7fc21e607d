// Builds the process-wide runtime: persistence, store, own metrics and the protocol router.
import path from "node:path";
import type { Config } from "../config/flags";
import { MemoryStore } from "../store/memory-store";
import { PostgresStore } from "../store/postgres/postgres-store";
import { openSqlitePersistence } from "../store/sqlite-persistence";
import type { MetricStore, Persistence } from "../store/types";
import { OwnMetrics } from "../protocol/own-metrics";
import { ProtocolRouter } from "../protocol/router";
import type { Logger } from "./logger";
import type { FrontEnd, Runtime } from "./runtime";
import { createAccess, type Access } from "./access";
import type { WebConfig } from "./web-config";
import { VERSION } from "./version";
import { Lifecycle, loadLifecycleFile } from "../lifecycle/lifecycle";
import { PushDiagnostics } from "../protocol/push-diagnostics";
import { NO_RULES, type LifecycleRules } from "../lifecycle/rules";

/** Everything the protocol front ends need; built only by bootRuntime (lib/server/boot.ts). */
export interface FullRuntime extends Runtime {
  store: MetricStore;
  router: ProtocolRouter;
  own: OwnMetrics;
  lifecycle: Lifecycle;
  frontEnd: FrontEnd;
  access: Access;
  /** The parsed --web.config.file (TLS, users, headers), undefined without one. */
  web: WebConfig | undefined;
}

/** Narrows a runtime to the full one (a dashboard-only runtime set by a test has no router). */
export function isFullRuntime(rt: Runtime): rt is FullRuntime {
  return "router" in rt && "access" in rt && "own" in rt;
}

export function databaseFile(config: Config): string {
  return path.resolve(/*turbopackIgnore: true*/ config.persistenceFile || path.join(config.dataDir, "pushboard.db"));
}

export interface RuntimeOptions {
  config: Config;
  web: WebConfig | undefined;
  frontEnd: FrontEnd;
  log: Logger;
  /** What /-/quit does once it has answered. */
  requestShutdown: () => void;
}

/** Opens the store (loading every persisted group) and wires the protocol router. Throws if storage fails. */
export async function createRuntime({ config, web, frontEnd, log, requestShutdown }: RuntimeOptions): Promise<FullRuntime> {
  // A bad rules file refuses the start, before anything is opened.
  let rules: LifecycleRules = NO_RULES;
  if (config.lifecycleConfigFile) {
    try {
      rules = loadLifecycleFile(config.lifecycleConfigFile);
    } catch (err) {
      throw new Error(`invalid --lifecycle.config.file: ${(err as Error).message}`);
    }
  }
  const build = { version: VERSION, revision: "", branch: "" };
  const own = new OwnMetrics(build);
  await own.init();
  const store = await openStore(config, log, (n) => own.info(n));
  own.storageStatus = () => store.storageStatus ?? { errors: 0, failing: null };
  const lifecycle = new Lifecycle({
    store,
    file: config.lifecycleConfigFile,
    rules,
    defaultStaleAfterMs: config.staleAfterMs,
    log,
    onExpired: (rule, n) => own.groupsExpired.inc({ rule: String(rule) }, n),
    onFamiliesExpired: (rule, n) => own.familiesExpired.inc({ rule: String(rule) }, n),
  });
  lifecycle.start();
  const startedAtMs = Date.now();
  const diagnostics = new PushDiagnostics();
  const router = new ProtocolRouter({
    lifecycle,
    diagnostics,
    derived: config.groupHealth ? lifecycle.health : undefined,
    config,
    store,
    own,
    buildInfo: { branch: "", buildDate: "", buildUser: "", goVersion: `node${process.versions.node}`, revision: "", version: VERSION },
    startedAtMs,
    requestShutdown,
  });
  return {
    config,
    store,
    router,
    own,
    lifecycle,
    diagnostics,
    startedAtMs,
    version: VERSION,
    storageDescription: store.description,
    frontEnd,
    access: createAccess(web, config.routePrefix),
    web,
    ...(config.storageBackend === "sqlite" ? { databaseFile: databaseFile(config) } : {}),
  };
}

/** The one place that picks a concrete store backend. */
async function openStore(config: Config, log: Logger, ownFamily: (name: string) => ReturnType<OwnMetrics["info"]>): Promise<MetricStore> {
  if (config.storageBackend === "postgres") {
    const store = new PostgresStore({
      auditRetentionMs: config.auditRetentionMs,
      undoWindowMs: config.undoWindowMs,
      url: config.postgresUrl,
      ownFamily,
      logger: log,
      onFatal: () => setImmediate(() => process.exit(1)),
    });
    // Resolves after the first attempt: a replica started while the database is down serves, not ready, and retries.
    await store.start();
    return store;
  }
  let persistence: Persistence | undefined;
  if (config.storageBackend === "sqlite") {
    persistence = openSqlitePersistence(databaseFile(config), {
      auditRetentionMs: config.auditRetentionMs,
      undoWindowMs: config.undoWindowMs,
      allowReset: config.storageResetOnCorruption,
      logger: log,
      // The disk refused to flush: memory may hold writes the disk lost. Restarting from disk is the honest state.
      onFatal: (err) => {
        log("error", "storage failure, exiting so that a restart recovers the durable state", { err: err.message });
        setImmediate(() => process.exit(1));
      },
    });
  }
  const store = new MemoryStore({ persistence, ownFamily, logger: log, auditRetentionMs: config.auditRetentionMs, undoWindowMs: config.undoWindowMs });
  const started = performance.now();
  const groups = await store.load();
  if (persistence) {
    log("info", "loaded persisted metrics", {
      groups,
      series: store.seriesCount(),
      ms: Math.round(performance.now() - started),
      storage: persistence.description,
    });
  }
  return store;
}

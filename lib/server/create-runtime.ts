// Builds the process-wide runtime: persistence, store, own metrics and the protocol router.
import path from "node:path";
import type { Config } from "../config/flags";
import { MemoryStore } from "../store/memory-store";
import { openSqlitePersistence } from "../store/sqlite-persistence";
import type { Persistence } from "../store/types";
import { OwnMetrics } from "../protocol/own-metrics";
import { ProtocolRouter } from "../protocol/router";
import type { Logger } from "./logger";
import type { Runtime } from "./runtime";
import { VERSION } from "./version";

export interface FullRuntime extends Runtime {
  store: MemoryStore;
  router: ProtocolRouter;
  own: OwnMetrics;
}

export function databaseFile(config: Config): string {
  return path.resolve(/*turbopackIgnore: true*/ config.persistenceFile || path.join(config.dataDir, "pushboard.db"));
}

/** Opens the store (loading every persisted group) and wires the protocol router. Throws if storage fails. */
export async function createRuntime(config: Config, log: Logger, requestShutdown: () => void): Promise<FullRuntime> {
  let persistence: Persistence | undefined;
  if (config.storageBackend === "sqlite") {
    persistence = openSqlitePersistence(databaseFile(config), {
      allowReset: config.storageResetOnCorruption,
      logger: log,
      // The disk refused to flush: memory may hold writes the disk lost. Restarting from disk is the honest state.
      onFatal: (err) => {
        log("error", "storage failure, exiting so that a restart recovers the durable state", { err: err.message });
        setImmediate(() => process.exit(1));
      },
    });
  }
  const build = { version: VERSION, revision: "", branch: "" };
  const own = new OwnMetrics(build);
  await own.init();
  const store = new MemoryStore({ persistence, ownFamily: (n) => own.info(n), logger: log });
  own.storageStatus = () => store.storageStatus;
  const started = performance.now();
  const groups = await store.load();
  if (persistence) {
    log("info", "loaded persisted metrics", { groups, series: store.seriesCount(), ms: Math.round(performance.now() - started), storage: persistence.description });
  }
  const startedAtMs = Date.now();
  const router = new ProtocolRouter({
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
    startedAtMs,
    version: VERSION,
    storageDescription: persistence?.description ?? "memory (nothing is persisted)",
  };
}

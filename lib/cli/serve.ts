// The `pushboard` server's host: reads the command line, boots the runtime (lib/server/boot.ts), starts Next.js
// through its custom-server API for the dashboard (on its first request), and listens with the framework-free node:http front
// (lib/server/http-front.ts). The one module outside app/ that loads Next; bundled by lib/cli/build.mjs to
// .next/pushboard/server.cjs.
import type http from "node:http";
import path from "node:path";
import { existsSync } from "node:fs";
import { FlagError, helpText, parseFlags, type Config } from "../config/flags";
import { createLogger, type Logger } from "../server/logger";
import type { FullRuntime } from "../server/create-runtime";
import { bootRuntime, loadSettings, type Settings } from "../server/boot";
import { setRuntime } from "../server/runtime";
import { VERSION } from "../server/version";
import { runImport } from "./import";
import { WebConfigError } from "../server/web-config";
import { announcePublicPrefix, dashboardUnderPrefix } from "../server/dashboard-prefix";
import { createRequestListener, InFlightRequests, listen, type DashboardHandler } from "../server/http-front";

/** Repository root: this file is bundled to .next/pushboard/server.cjs. */
const ROOT = path.resolve(__dirname, "../..");

/**
 * The dashboard's handler. Next.js is loaded and prepared on the first dashboard request, not at startup: a
 * headless deployment (pushes and scrapes only, the usual Pushgateway setup) never pays for it, ~35 MB of
 * resident memory and most of the startup time (BENCHMARKS.md, issue 17, Memory). That first request waits for
 * it (about a second); a missing build is still an error at startup.
 */
function lazyNext(config: Config, log: Logger): DashboardHandler {
  if (!existsSync(path.join(ROOT, ".next", "BUILD_ID"))) {
    throw new Error(`no production build of the dashboard in ${path.join(ROOT, ".next")}: run \`npm run build\` first`);
  }
  announcePublicPrefix(config);
  let ready: Promise<DashboardHandler> | undefined;
  const prepare = async (): Promise<DashboardHandler> => {
    // Loaded only when serving the dashboard: `pushboard --help` and `pushboard import` never load Next.
    const { default: next } = await import("next");
    const app = next({ dev: false, dir: ROOT, quiet: config.logLevel !== "debug" });
    await app.prepare();
    log("debug", "dashboard ready");
    return dashboardUnderPrefix(app.getRequestHandler() as DashboardHandler, config, path.join(ROOT, ".next"), log);
  };
  return async (req, res) => {
    ready ??= prepare().catch((err: unknown) => {
      ready = undefined; // the next dashboard request tries again
      throw err;
    });
    return (await ready)(req, res);
  };
}

/** The flags, or undefined when they asked for help or the version (already printed). Exits 2 on a bad flag. */
function readCommandLine(argv: string[]): Config | undefined {
  try {
    const action = parseFlags(argv, process.env);
    if (action.kind === "help") process.stdout.write(helpText());
    if (action.kind === "version") process.stdout.write(`pushboard, version ${VERSION} (node ${process.versions.node})\n`);
    return action.kind === "serve" ? action.config : undefined;
  } catch (err) {
    if (err instanceof FlagError) {
      process.stderr.write(`pushboard: error: ${err.message}, try --help\n`);
      process.exit(2);
    }
    throw err;
  }
}

export async function main(argv: string[]): Promise<void> {
  if (argv[0] === "import") {
    process.exitCode = await runImport(argv.slice(1));
    return;
  }
  const config = readCommandLine(argv);
  if (!config) return;
  const log = createLogger(config.logLevel, config.logFormat);
  log("info", "starting pushboard", { version: VERSION, node: process.versions.node });

  let shuttingDown = false;
  const servers: http.Server[] = [];
  let runtime: FullRuntime | undefined;
  const inFlight = new InFlightRequests();
  const shutdown = async (reason: string): Promise<void> => {
    if (shuttingDown) return;
    shuttingDown = true;
    log("info", "shutting down", { reason });
    // Stop accepting, let every started request finish (writes included, so none is dropped unanswered), then
    // close the store: its queue drains and the database is checkpointed.
    inFlight.draining = true;
    for (const s of servers) {
      s.close();
      s.closeIdleConnections();
    }
    await inFlight.idle(3000);
    servers.forEach((s) => s.closeAllConnections());
    runtime?.lifecycle.stop();
    try {
      await runtime?.store.close();
      log("info", "store closed; goodbye");
      process.exit(0);
    } catch (err) {
      log("error", "closing the store failed", { err: String(err) });
      process.exit(1);
    }
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGHUP", () => void runtime?.lifecycle.reload());
  process.on("SIGINT", () => void shutdown("SIGINT"));

  let settings: Settings;
  try {
    settings = loadSettings(config);
  } catch (err) {
    log("error", "invalid --web.config.file", { err: err instanceof WebConfigError ? err.message : String(err) });
    process.exit(1);
  }
  try {
    runtime = await bootRuntime(settings, { frontEnd: "pushboard", log, requestShutdown: () => void shutdown("/-/quit") });
  } catch (err) {
    log("error", "cannot start", { err: err instanceof Error ? err.message : String(err) });
    process.exit(1);
  }
  setRuntime(runtime);
  const dashboard = lazyNext(config, log);
  const listener = createRequestListener(runtime, dashboard, log, inFlight);
  for (const addr of config.listenAddresses) {
    servers.push(await listen(runtime, addr, listener));
    log("info", "listening", { address: addr, groups: runtime.store.groupCount(), storage: runtime.storageDescription });
  }
}

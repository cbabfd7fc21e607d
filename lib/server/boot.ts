// The composition root: the one place that turns configuration (flags, environment, --web.config.file with its
// basic auth and roles) into a running runtime, for both front ends. The pushboard server passes its command
// line; Next.js alone (`next dev`/`next start`, which own the command line) reads the same flags from
// $PUSHBOARD_ARGS. Either way the runtime comes from bootRuntime, so both serve the same store, limits and access.
import { FlagError, parseFlags, type Config } from "../config/flags";
import { createRuntime, type FullRuntime } from "./create-runtime";
import { createLogger, type Logger } from "./logger";
import { runtimeOrBoot, type FrontEnd, type Runtime } from "./runtime";
import { loadWebConfig, type WebConfig } from "./web-config";

/** Flags for the Next.js front end, white-space separated (no quoting): `PUSHBOARD_ARGS="--storage.backend=memory"`. */
export const NEXT_ARGS_ENV = "PUSHBOARD_ARGS";

/** Everything a runtime is built from. */
export interface Settings {
  config: Config;
  web: WebConfig | undefined;
}

/** Reads --web.config.file when one is given. Throws WebConfigError when it is bad. */
export function loadSettings(config: Config): Settings {
  return { config, web: config.webConfigFile ? loadWebConfig(config.webConfigFile) : undefined };
}

/** The Next.js front end's settings: the flags in $PUSHBOARD_ARGS plus the environment. Throws FlagError or WebConfigError. */
export function settingsFromEnv(env: Record<string, string | undefined>): Settings {
  const argv = (env[NEXT_ARGS_ENV] ?? "").split(/\s+/).filter((a) => a !== "");
  const action = parseFlags(argv, env);
  if (action.kind !== "serve") throw new FlagError(`${NEXT_ARGS_ENV}: --help and --version belong to the pushboard command`);
  return loadSettings(action.config);
}

export interface BootOptions {
  frontEnd: FrontEnd;
  /** What /-/quit does once it has answered. */
  requestShutdown: () => void;
  /** Defaults to a logger on stderr with --log.level and --log.format. */
  log?: Logger;
}

/** Opens the store and wires router, lifecycle and access. Throws when storage or the lifecycle file fails. */
export function bootRuntime(settings: Settings, options: BootOptions): Promise<FullRuntime> {
  const log = options.log ?? createLogger(settings.config.logLevel, settings.config.logFormat);
  return createRuntime({ ...settings, frontEnd: options.frontEnd, log, requestShutdown: options.requestShutdown });
}

/** What Next.js alone cannot do that the pushboard server does, said once when it boots. */
const NEXT_ALONE_LIMITS =
  "served by Next.js alone (next dev / next start): protocol paths and /api/ui answer with the configured store, limits and access; " +
  "not available: the dashboard pages' basic auth and security headers, TLS and http_server_config.headers, " +
  "--web.listen-address (Next picks the port), the Pushgateway's answers for unclean paths (Next redirects // with 308), " +
  "SIGHUP reload and the graceful drain on SIGTERM. Run `pushboard` (npm start) for all of it";

/**
 * The runtime for Next's route handlers: the one the pushboard server set, or (under `next dev`/`next start`)
 * one booted from the environment on first use. Rejects with the reason when it cannot start.
 */
export function nextRuntime(): Promise<Runtime> {
  return runtimeOrBoot(async () => {
    const settings = settingsFromEnv(process.env);
    const log = createLogger(settings.config.logLevel, settings.config.logFormat);
    log("warn", NEXT_ALONE_LIMITS);
    return bootRuntime(settings, { frontEnd: "next", log, requestShutdown: () => process.kill(process.pid, "SIGTERM") });
  });
}

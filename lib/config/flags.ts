// Command-line flags: the Pushgateway's (docs/compatibility.md: flags), same names, meanings and defaults, plus pushboard's own.
// Parsed once in the CLI; everything else receives the resulting Config as a parameter.
import { DurationError, parsePrometheusDuration } from "../lifecycle/prom-duration";
import type { LogLevel } from "../util/log";

export type StorageBackend = "sqlite" | "memory" | "postgres";
export type { LogLevel };
export type LogFormat = "logfmt" | "json";

export interface Config {
  listenAddresses: string[];
  telemetryPath: string;
  externalUrl: string;
  /** Normalised: "" or "/prefix" (leading slash, no trailing slash). */
  routePrefix: string;
  enableLifecycle: boolean;
  enableAdminApi: boolean;
  disableConsistencyCheck: boolean;
  webConfigFile: string;
  /** "" means: in-memory store when the flag was given empty, the default database when absent. */
  persistenceFile: string;
  logLevel: LogLevel;
  logFormat: LogFormat;
  storageBackend: StorageBackend;
  dataDir: string;
  /** Largest accepted request body, bytes (413 above). */
  maxBodyBytes: number;
  /** Dashboard: a group with no push history is stale after this long. */
  staleAfterMs: number;
  /** Dashboard: base URL of the Prometheus that scrapes this server, for graph links ("" for none). */
  prometheusUrl: string;
  /** Start with an empty store when the database cannot be read (moving the bad file aside). */
  storageResetOnCorruption: boolean;
  /** Export pushboard_group_up and pushboard_group_expected_interval_seconds on /metrics. */
  groupHealth: boolean;
  /** Lifecycle rules file (expected cadences, expiry); "" for none. */
  lifecycleConfigFile: string;
  /** Audit trail entries are kept this long (at most 10,000 of them). */
  auditRetentionMs: number;
  /** Deleted groups (and families) stay restorable this long (--dashboard.undo-window); 0 disables undo. */
  undoWindowMs: number;
  /** postgres:// URL of the shared store (--storage.postgres.url or PUSHBOARD_POSTGRES_URL); "" unless postgres. */
  postgresUrl: string;
  /** Path serving only this process's own metrics ("" disables). */
  ownMetricsPath: string;
  /** Accept pushes, deletes, wipe and quit that a browser marks as coming from another site (the Pushgateway does). */
  allowCrossSitePush: boolean;
  /** Push and storage limits (lib/protocol/push-limits.ts); 0 = no limit. */
  limits: PushLimits;
  /** The raw value of every flag as the Pushgateway prints it in /api/v1/status. */
  flagValues: Record<string, string>;
}

export interface PushLimits {
  maxSeriesPerPush: number;
  maxLabelsPerSeries: number;
  maxLabelNameLength: number;
  maxLabelValueLength: number;
  maxGroups: number;
  maxSeries: number;
  /** Pushes per second per job / per client address (token bucket, burst of one second). */
  pushRatePerJob: number;
  pushRatePerClient: number;
}

/** The flag of each limit, for messages that say how to change it. */
export const LIMIT_FLAGS: Record<keyof PushLimits, string> = {
  maxSeriesPerPush: "push.max-series-per-push",
  maxLabelsPerSeries: "push.max-labels-per-series",
  maxLabelNameLength: "push.max-label-name-length",
  maxLabelValueLength: "push.max-label-value-length",
  maxGroups: "storage.max-groups",
  maxSeries: "storage.max-series",
  pushRatePerJob: "push.rate-limit-per-job",
  pushRatePerClient: "push.rate-limit-per-client",
};

export class FlagError extends Error {}

interface FlagSpec {
  name: string;
  help: string;
  kind: "string" | "bool" | "duration" | "bytes" | "strings";
  def: string;
  /** Pushboard-only flags are not shown in /api/v1/status, to keep that response like the Pushgateway's. */
  own?: boolean;
  placeholder?: string;
}

const FLAGS: FlagSpec[] = [
  {
    name: "web.listen-address",
    kind: "strings",
    def: ":9091",
    help: "Addresses on which to expose metrics and web interface. Repeatable for multiple addresses.",
  },
  { name: "web.systemd-socket", kind: "bool", def: "false", help: "Accepted for compatibility; socket activation is not supported (an error if set)." },
  {
    name: "web.config.file",
    kind: "string",
    def: "",
    help: "Path to a configuration file that can enable TLS or authentication (exporter-toolkit format: tls_server_config, basic_auth_users, http_server_config.headers).",
  },
  { name: "web.telemetry-path", kind: "string", def: "/metrics", help: "Path under which to expose metrics." },
  { name: "web.external-url", kind: "string", def: "", help: "The URL under which the Pushgateway is externally reachable." },
  { name: "web.route-prefix", kind: "string", def: "", help: "Prefix for the internal routes of web endpoints. Defaults to the path of --web.external-url." },
  { name: "web.enable-lifecycle", kind: "bool", def: "false", help: "Enable shutdown via HTTP request." },
  { name: "web.enable-admin-api", kind: "bool", def: "false", help: "Enable API endpoints for admin control actions (wipe, and the dashboard's Delete all)." },
  {
    name: "persistence.file",
    kind: "string",
    def: "",
    help: "Database file of the embedded store. Default: $PUSHBOARD_DATA_DIR/pushboard.db. Given empty (--persistence.file=), the store is in memory only, as with the Pushgateway.",
  },
  {
    name: "persistence.interval",
    kind: "duration",
    def: "5m",
    help: "Accepted for compatibility and no longer needed: every write is durable before it is acknowledged.",
  },
  { name: "push.disable-consistency-check", kind: "bool", def: "false", help: "Do not check consistency of pushed metrics. DANGEROUS." },
  { name: "log.level", kind: "string", def: "info", help: "Only log messages with the given severity or above. One of: [debug, info, warn, error]" },
  { name: "log.format", kind: "string", def: "logfmt", help: "Output format of log messages. One of: [logfmt, json]" },
  {
    name: "storage.backend",
    kind: "string",
    def: "sqlite",
    own: true,
    help: "Store backend: sqlite (durable, default), postgres (shared by any number of replicas) or memory.",
  },
  {
    name: "storage.postgres.url",
    kind: "string",
    def: "",
    own: true,
    help: "postgres://user:password@host:port/database of the shared store (--storage.backend=postgres). Default: $PUSHBOARD_POSTGRES_URL.",
  },
  {
    name: "web.own-metrics-path",
    kind: "string",
    def: "/metrics/own",
    own: true,
    help: "Path serving only this process's own metrics, without pushed groups (scrape it per replica). Empty disables it.",
  },
  {
    name: "storage.reset-on-corruption",
    kind: "bool",
    def: "false",
    own: true,
    help: "If the database cannot be read, move it aside and start empty instead of exiting.",
  },
  { name: "push.max-body-size", kind: "bytes", def: "16MiB", own: true, help: "Largest accepted push body (after decompression); larger pushes get 413." },
  {
    name: "web.allow-cross-site-push",
    kind: "bool",
    def: "false",
    own: true,
    help: "Accept protocol writes (push, delete, wipe, quit) that a browser marks as cross-site (Sec-Fetch-Site, Origin), as the Pushgateway does. Off: 403.",
  },
  { name: "push.max-series-per-push", kind: "string", def: "0", own: true, help: "Largest number of series one push may carry (413 above); 0: no limit." },
  {
    name: "push.max-labels-per-series",
    kind: "string",
    def: "0",
    own: true,
    help: "Most labels a pushed series may have, grouping labels included (413 above); 0: no limit.",
  },
  { name: "push.max-label-name-length", kind: "string", def: "0", own: true, help: "Longest label name in a push, in bytes (413 above); 0: no limit." },
  { name: "push.max-label-value-length", kind: "string", def: "0", own: true, help: "Longest label value in a push, in bytes (413 above); 0: no limit." },
  {
    name: "storage.max-groups",
    kind: "string",
    def: "0",
    own: true,
    help: "Most groups stored; a push creating one more gets 403 (re-pushes of existing groups still work); 0: no limit.",
  },
  { name: "storage.max-series", kind: "string", def: "0", own: true, help: "Most series stored; a push growing the total above it gets 403; 0: no limit." },
  {
    name: "push.rate-limit-per-job",
    kind: "string",
    def: "0",
    own: true,
    help: "Pushes per second allowed per job (429 with Retry-After above); 0: no limit.",
  },
  {
    name: "push.rate-limit-per-client",
    kind: "string",
    def: "0",
    own: true,
    help: "Pushes per second allowed per client address (429 with Retry-After above); 0: no limit.",
  },
  {
    name: "dashboard.stale-after",
    kind: "duration",
    def: "1h",
    own: true,
    help: "Dashboard: a group without push history is stale when its last push is older than this.",
  },
  {
    name: "dashboard.prometheus-url",
    kind: "string",
    def: "",
    own: true,
    help: "Dashboard: URL of the Prometheus that scrapes pushboard (e.g. http://prometheus:9090); group pages then link to graphs of their push age.",
  },
  {
    name: "metrics.group-health",
    kind: "bool",
    def: "true",
    own: true,
    help: "Export pushboard_group_up (1 fresh, 0 overdue) and pushboard_group_expected_interval_seconds per group on /metrics.",
  },
  {
    name: "dashboard.undo-window",
    kind: "duration",
    def: "15m",
    own: true,
    help: "How long a deleted group (from the dashboard or any API) or family stays restorable (Undo, Activity page); 0 disables undo.",
  },
  {
    name: "audit.retention",
    kind: "duration",
    def: "720h",
    own: true,
    help: "How long the audit trail keeps each delete, expiry and wipe (at most 10,000 entries).",
  },
  {
    name: "lifecycle.config.file",
    kind: "string",
    def: "",
    own: true,
    help: "YAML file of lifecycle rules: expected push cadences (expect_every) and expiry (expire_after) by selector. Reloaded on SIGHUP.",
  },
];

export function helpText(): string {
  const lines = [
    "usage: pushboard [<flags>]",
    "       pushboard import --from <url> [--to <url>]",
    "",
    "A Prometheus Pushgateway-compatible server with a dashboard.",
    "",
    "Flags:",
    "  -h, --help                              Show context-sensitive help.",
  ];
  for (const f of FLAGS) {
    const arg = f.kind === "bool" ? `--[no-]${f.name}` : `--${f.name}=${f.def === "" ? '""' : f.def}`;
    lines.push(`  ${arg.padEnd(38)} ${f.help}`);
  }
  lines.push("      --version                           Show application version.");
  lines.push("");
  lines.push("Environment: PORT and HOSTNAME (listen address when --web.listen-address is not given),");
  lines.push("PUSHBOARD_DATA_DIR (directory of the embedded database, default ./data),");
  lines.push("PUSHBOARD_POSTGRES_URL (database URL for --storage.backend=postgres, so the password can come from a Secret).");
  return lines.join("\n") + "\n";
}

/** Go time.ParseDuration subset: sequences of <number><unit>, units ns us µs ms s m h. Returns ms. */
/** --dashboard.undo-window: a Prometheus duration ("15m", "1h30m", "2d", "0"). */
function parseUndoWindow(s: string): number {
  try {
    return parsePrometheusDuration(s);
  } catch (err) {
    if (err instanceof DurationError) throw new FlagError(`invalid --dashboard.undo-window "${s}": ${err.message}`);
    throw err;
  }
}

export function parseDuration(s: string): number {
  if (s === "0") return 0;
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/gy;
  const unit: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  let matched = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s)) !== null) {
    total += Number(m[1]) * unit[m[2]!]!;
    matched = re.lastIndex;
  }
  if (s === "" || matched !== s.length) throw new FlagError(`invalid duration "${s}"`);
  return total;
}

/** Go time.Duration.String() of a whole number of milliseconds, e.g. 300000 → "5m0s". */
export function formatDuration(ms: number): string {
  if (ms === 0) return "0s";
  let s = "";
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const sec = (ms % 60_000) / 1000;
  if (ms < 1000) return `${ms}ms`;
  if (h) s += `${h}h`;
  if (h || m) s += `${m}m`;
  return s + `${sec}s`;
}

function parseBytes(s: string): number {
  const m = /^(\d+)(B|KB|KiB|MB|MiB|GB|GiB)?$/.exec(s);
  if (!m) throw new FlagError(`invalid size "${s}" (e.g. 16MiB)`);
  const mult: Record<string, number> = { B: 1, KB: 1e3, KiB: 1024, MB: 1e6, MiB: 1 << 20, GB: 1e9, GiB: 1 << 30 };
  return Number(m[1]) * mult[m[2] ?? "B"]!;
}

function normalisePrefix(p: string): string {
  if (p === "" || p === "/") return "";
  let out = p.startsWith("/") ? p : "/" + p;
  while (out.endsWith("/")) out = out.slice(0, -1);
  return out;
}

function parseBool(name: string, v: string): boolean {
  if (v === "true" || v === "1") return true;
  if (v === "false" || v === "0") return false;
  throw new FlagError(`invalid boolean value "${v}" for flag --${name}`);
}

function parseCount(name: string, v: string): number {
  if (!/^\d+(\.\d+)?$/.test(v)) throw new FlagError(`invalid value "${v}" for flag --${name}: expected a number (0: no limit)`);
  return Number(v);
}

export type CliAction = { kind: "serve"; config: Config } | { kind: "help" } | { kind: "version" };

/** Parses argv (without node and script) plus the environment. Throws FlagError on any unknown or bad flag. */
export function parseFlags(argv: string[], env: Record<string, string | undefined> = {}): CliAction {
  const values = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "-h" || arg === "--help" || arg === "--help-long" || arg === "--help-man") return { kind: "help" };
    if (arg === "--version") return { kind: "version" };
    if (!arg.startsWith("--")) throw new FlagError(`unexpected argument "${arg}"`);
    const eq = arg.indexOf("=");
    let name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
    let value: string | undefined = eq >= 0 ? arg.slice(eq + 1) : undefined;
    let spec = FLAGS.find((f) => f.name === name);
    if (!spec && name.startsWith("no-") && value === undefined) {
      spec = FLAGS.find((f) => f.name === name.slice(3) && f.kind === "bool");
      if (spec) {
        name = spec.name;
        value = "false";
      }
    }
    if (!spec) throw new FlagError(`unknown long flag '--${name}'`);
    if (value === undefined) {
      if (spec.kind === "bool") value = "true";
      else {
        const next = argv[i + 1];
        if (next === undefined) throw new FlagError(`expected argument for flag '--${name}'`);
        value = next;
        i++;
      }
    }
    const list = values.get(name) ?? [];
    list.push(value);
    values.set(name, list);
  }
  const get = (name: string): string => {
    const v = values.get(name);
    return v ? v[v.length - 1]! : FLAGS.find((f) => f.name === name)!.def;
  };

  let listen = values.get("web.listen-address");
  if (!listen && (env.PORT || env.HOSTNAME)) {
    // Next.js conventions: PORT, and HOSTNAME for the bind address (Next binds all interfaces by default).
    const host = env.HOSTNAME && env.HOSTNAME !== "0.0.0.0" ? env.HOSTNAME : "";
    listen = [`${host.includes(":") ? `[${host}]` : host}:${env.PORT || "9091"}`];
  }
  listen ??= [":9091"];

  const backend = get("storage.backend");
  if (backend !== "sqlite" && backend !== "memory" && backend !== "postgres")
    throw new FlagError(`invalid --storage.backend "${backend}": one of sqlite, postgres, memory`);
  const postgresUrl = backend === "postgres" ? get("storage.postgres.url") || env.PUSHBOARD_POSTGRES_URL || "" : "";
  if (backend === "postgres") {
    // Never echo the URL: it may carry the password.
    if (postgresUrl === "") throw new FlagError("--storage.backend=postgres needs --storage.postgres.url or PUSHBOARD_POSTGRES_URL");
    let u: URL;
    try {
      u = new URL(postgresUrl);
    } catch {
      throw new FlagError("invalid --storage.postgres.url / PUSHBOARD_POSTGRES_URL: not a URL (expected postgres://user:password@host:port/database)");
    }
    if (u.protocol !== "postgres:" && u.protocol !== "postgresql:")
      throw new FlagError("invalid --storage.postgres.url / PUSHBOARD_POSTGRES_URL: the scheme must be postgres://");
  }
  const ownMetricsPath = get("web.own-metrics-path");
  if (ownMetricsPath !== "" && (!ownMetricsPath.startsWith("/") || ownMetricsPath === "/"))
    throw new FlagError(`invalid --web.own-metrics-path "${ownMetricsPath}": must start with / and not be /`);
  const logLevel = get("log.level");
  if (!["debug", "info", "warn", "error"].includes(logLevel)) throw new FlagError(`invalid --log.level "${logLevel}": one of debug, info, warn, error`);
  const logFormat = get("log.format");
  if (logFormat !== "logfmt" && logFormat !== "json") throw new FlagError(`invalid --log.format "${logFormat}": one of logfmt, json`);
  if (parseBool("web.systemd-socket", get("web.systemd-socket"))) throw new FlagError("--web.systemd-socket is not supported by pushboard");

  const externalUrl = get("web.external-url");
  let routePrefix = values.has("web.route-prefix") ? get("web.route-prefix") : "";
  if (!values.has("web.route-prefix") && externalUrl) {
    try {
      routePrefix = new URL(externalUrl).pathname;
    } catch {
      throw new FlagError(`invalid --web.external-url "${externalUrl}"`);
    }
  }
  const telemetryPath = get("web.telemetry-path");
  if (!telemetryPath.startsWith("/") || telemetryPath === "/")
    throw new FlagError(`invalid --web.telemetry-path "${telemetryPath}": must start with / and not be /`);

  // Accepted and validated for compatibility; every write is durable before it is acknowledged, so it sets nothing.
  parseDuration(get("persistence.interval"));
  const staleAfterMs = parseDuration(get("dashboard.stale-after"));
  const prometheusUrl = get("dashboard.prometheus-url").replace(/\/+$/, "");
  if (prometheusUrl !== "" && !/^https?:\/\/[^/]/i.test(prometheusUrl))
    throw new FlagError(`invalid --dashboard.prometheus-url "${prometheusUrl}": must be an http:// or https:// URL`);
  const persistenceFileGiven = values.has("persistence.file");
  const persistenceFile = get("persistence.file");
  const storageBackend: StorageBackend = backend === "sqlite" && persistenceFileGiven && persistenceFile === "" ? "memory" : (backend as StorageBackend);

  const flagValues: Record<string, string> = {};
  for (const f of FLAGS) {
    if (f.own) continue;
    if (f.kind === "strings") flagValues[f.name] = (values.get(f.name) ?? [f.def]).join(",");
    else if (f.kind === "duration") flagValues[f.name] = formatDuration(parseDuration(get(f.name)));
    else if (f.kind === "bool") flagValues[f.name] = String(parseBool(f.name, get(f.name)));
    else flagValues[f.name] = get(f.name);
  }
  flagValues["web.listen-address"] = listen.join(",");
  // Like the Pushgateway, status shows the effective prefix (defaulted from --web.external-url).
  if (!values.has("web.route-prefix")) flagValues["web.route-prefix"] = externalUrl ? normalisePrefix(routePrefix) : "";

  return {
    kind: "serve",
    config: {
      listenAddresses: listen,
      telemetryPath,
      externalUrl,
      routePrefix: normalisePrefix(routePrefix),
      enableLifecycle: parseBool("web.enable-lifecycle", get("web.enable-lifecycle")),
      enableAdminApi: parseBool("web.enable-admin-api", get("web.enable-admin-api")),
      disableConsistencyCheck: parseBool("push.disable-consistency-check", get("push.disable-consistency-check")),
      webConfigFile: get("web.config.file"),
      persistenceFile,
      logLevel: logLevel as LogLevel,
      logFormat: logFormat as LogFormat,
      storageBackend,
      dataDir: env.PUSHBOARD_DATA_DIR || "./data",
      maxBodyBytes: parseBytes(get("push.max-body-size")),
      staleAfterMs,
      prometheusUrl,
      storageResetOnCorruption: parseBool("storage.reset-on-corruption", get("storage.reset-on-corruption")),
      groupHealth: parseBool("metrics.group-health", get("metrics.group-health")),
      lifecycleConfigFile: get("lifecycle.config.file"),
      auditRetentionMs: parseDuration(get("audit.retention")),
      undoWindowMs: parseUndoWindow(get("dashboard.undo-window")),
      postgresUrl,
      ownMetricsPath,
      allowCrossSitePush: parseBool("web.allow-cross-site-push", get("web.allow-cross-site-push")),
      limits: Object.fromEntries(Object.entries(LIMIT_FLAGS).map(([k, flag]) => [k, parseCount(flag, get(flag))])) as unknown as PushLimits,
      flagValues,
    },
  };
}

/** Defaults, for tests and for `next dev` without the pushboard server. */
export function defaultConfig(env: Record<string, string | undefined> = {}): Config {
  const action = parseFlags([], env);
  if (action.kind !== "serve") throw new Error("unreachable");
  return action.config;
}

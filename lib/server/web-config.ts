// --web.config.file, as the Pushgateway reads it (Prometheus exporter-toolkit): TLS for the listeners, basic auth
// (bcrypt hashes) for every endpoint, and extra response headers.
import { readFileSync } from "node:fs";
import path from "node:path";
import { validateHeaderName, validateHeaderValue } from "node:http";
import YAML from "yaml";
import { AuthorizationConfigError, parseAuthorization, type AuthorizationPolicy } from "./authorization";

export interface WebConfig {
  tls?: { cert: Buffer; key: Buffer; ca?: Buffer; requestCert: boolean; minVersion?: "TLSv1.2" | "TLSv1.3" };
  users: Map<string, string>;
  headers: Record<string, string>;
  /** pushboard's `authorization` block (scoped access); undefined: everyone authenticated has full access. */
  authorization?: AuthorizationPolicy;
}

export class WebConfigError extends Error {}

const TLS_VERSIONS: Record<string, "TLSv1.2" | "TLSv1.3"> = { TLS12: "TLSv1.2", TLS13: "TLSv1.3" };
const KNOWN_KEYS = new Set(["tls_server_config", "http_server_config", "basic_auth_users", "authorization"]);

export function loadWebConfig(file: string): WebConfig {
  let doc: unknown;
  try {
    doc = YAML.parse(readFileSync(file, "utf8")) ?? {};
  } catch (err) {
    throw new WebConfigError(`cannot read --web.config.file ${file}: ${(err as Error).message}`);
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) throw new WebConfigError(`--web.config.file ${file}: expected a YAML mapping`);
  const cfg = doc as Record<string, unknown>;
  for (const k of Object.keys(cfg)) if (!KNOWN_KEYS.has(k)) throw new WebConfigError(`--web.config.file ${file}: unknown field "${k}"`);
  const dir = path.dirname(file);
  const read = (p: unknown, what: string): Buffer => {
    if (typeof p !== "string" || p === "") throw new WebConfigError(`--web.config.file ${file}: ${what} is required`);
    return readFileSync(path.resolve(dir, p));
  };
  const out: WebConfig = { users: new Map(), headers: {} };
  const tls = cfg.tls_server_config as Record<string, unknown> | undefined;
  if (tls) {
    const clientAuth = String(tls.client_auth_type ?? "NoClientCert");
    out.tls = {
      cert: read(tls.cert_file, "tls_server_config.cert_file"),
      key: read(tls.key_file, "tls_server_config.key_file"),
      ca: tls.client_ca_file ? read(tls.client_ca_file, "tls_server_config.client_ca_file") : undefined,
      requestCert: clientAuth !== "NoClientCert",
      minVersion: tls.min_version ? TLS_VERSIONS[String(tls.min_version)] : undefined,
    };
  }
  const users = (cfg.basic_auth_users ?? {}) as Record<string, unknown>;
  for (const [user, hash] of Object.entries(users)) {
    if (typeof hash !== "string" || !/^\$2[abxy]?\$\d\d\$/.test(hash))
      throw new WebConfigError(`--web.config.file ${file}: basic_auth_users.${user} must be a bcrypt hash`);
    out.users.set(user, hash);
  }
  const http = cfg.http_server_config as Record<string, unknown> | undefined;
  for (const [name, value] of Object.entries((http?.headers ?? {}) as Record<string, unknown>)) {
    // Checked here, as exporter-toolkit does when it loads the file: Node would otherwise throw on every
    // response that sets it, and no request would get an answer.
    try {
      validateHeaderName(name);
      validateHeaderValue(name, String(value));
    } catch {
      const what = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(name) ? "value (no control characters such as a newline)" : "name";
      throw new WebConfigError(`--web.config.file ${file}: http_server_config.headers: header ${JSON.stringify(name)} has an invalid ${what}`);
    }
    out.headers[name] = String(value);
  }
  if (cfg.authorization !== undefined && cfg.authorization !== null) {
    try {
      out.authorization = parseAuthorization(cfg.authorization, new Set(out.users.keys()));
    } catch (err) {
      if (err instanceof AuthorizationConfigError) throw new WebConfigError(`--web.config.file ${file}: ${err.message}`);
      throw err;
    }
  }
  return out;
}

// The pushboard server: a node:http front that serves every Pushgateway protocol path straight from lib/ (raw
// URL, no framework overhead) and hands the dashboard to Next.js through its custom-server API.
import http from "node:http";
import https from "node:https";
import path from "node:path";
import { existsSync } from "node:fs";
import { FlagError, helpText, parseFlags, type Config } from "../config/flags";
import { BodyTooLargeError, type ProtocolRequest } from "../protocol/router";
import { errorResponse } from "../protocol/response";
import { createLogger, type Logger } from "./logger";
import { createRuntime, type FullRuntime } from "./create-runtime";
import { parseListenAddress } from "./listen-address";
import { setRuntime } from "./runtime";
import { CLIENT_ADDRESS_HEADER, ROLES_HEADER, USER_HEADER } from "./request-identity";
import { decide, rolesOf } from "./authorization";
import { cleanPath, decodePath } from "../protocol/url";
import { VERSION } from "./version";
import { runImport } from "../cli/import";
import { loadWebConfig, WebConfigError, type WebConfig } from "./web-config";
import { createBasicAuth, type AuthOutcome } from "./basic-auth";
import { applyPageSecurity } from "./page-security";
import { discardRestOfBody, DASHBOARD_MAX_BODY_BYTES } from "./request-body";
import { announcePublicPrefix, dashboardUnderPrefix } from "./dashboard-prefix";

/** Repository root: this file is bundled to .next/pushboard/server.cjs. */
const ROOT = path.resolve(__dirname, "../..");

function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(new BodyTooLargeError());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on("data", (c: Buffer) => {
      if (failed) return;
      size += c.length;
      if (size > limit) {
        failed = true;
        reject(new BodyTooLargeError());
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => !failed && resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.on("error", (err) => !failed && reject(err));
  });
}

/** The request path as the protocol router routes it (decoded, clean), or undefined when the router only redirects or refuses it. */
function routedPath(rawUrl: string): string | undefined {
  const q = rawUrl.indexOf("?");
  const decoded = decodePath(q >= 0 ? rawUrl.slice(0, q) : rawUrl);
  return decoded !== undefined && cleanPath(decoded) === decoded ? decoded : undefined;
}

type NextHandler = (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>;

/** Requests being served, so that a shutdown answers every request it has started before the store closes. */
class InFlightRequests {
  private count = 0;
  private waiters: Array<() => void> = [];
  /** Set once shutting down: answers then close their connections. */
  draining = false;

  track(res: http.ServerResponse): void {
    this.count++;
    if (this.draining) res.setHeader("Connection", "close");
    let done = false;
    res.once("close", () => {
      if (done) return;
      done = true;
      if (--this.count === 0) this.waiters.splice(0).forEach((w) => w());
    });
  }

  /** Resolves when no request is in flight, or after timeoutMs. */
  idle(timeoutMs: number): Promise<void> {
    if (this.count === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

async function prepareNext(config: Config, log: Logger): Promise<NextHandler> {
  if (!existsSync(path.join(ROOT, ".next", "BUILD_ID"))) {
    throw new Error(`no production build of the dashboard in ${path.join(ROOT, ".next")}: run \`npm run build\` first`);
  }
  announcePublicPrefix(config);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const next = require("next") as typeof import("next").default;
  const app = next({ dev: false, dir: ROOT, quiet: config.logLevel !== "debug" });
  await app.prepare();
  log("debug", "dashboard ready");
  return dashboardUnderPrefix(app.getRequestHandler() as NextHandler, config, path.join(ROOT, ".next"), log);
}

function serve(rt: FullRuntime, nextHandler: NextHandler, log: Logger, web: WebConfig | undefined, inFlight: InFlightRequests): http.RequestListener {
  const auth = createBasicAuth(web?.users ?? new Map());
  const extraHeaders = Object.entries(web?.headers ?? {});
  /** Writes an answer; a body the answer did not need is read and discarded first (see discardRestOfBody). */
  const answer = (req: http.IncomingMessage, res: http.ServerResponse, out: { status: number; headers: Record<string, string>; body: string | Uint8Array }): void => {
    if (!req.complete) {
      // Sent now, ended once the unread body is drained (see discardRestOfBody).
      const body = typeof out.body === "string" ? Buffer.from(out.body) : out.body;
      res.writeHead(out.status, { ...out.headers, "Content-Length": String(body.length) });
      // The client must get the whole answer now, even when nothing is written (HEAD, an empty body): a client that
      // declares a body and waits for the answer before sending it would otherwise wait for the drain bound.
      res.flushHeaders();
      if (body.length > 0) res.write(body);
      discardRestOfBody(req, () => res.end());
      return;
    }
    res.writeHead(out.status, out.headers);
    res.end(out.body);
  };
  const policy = web?.authorization;
  const handle = (req: http.IncomingMessage, res: http.ServerResponse, outcome: AuthOutcome): void => {
    // With an `authorization` block, a request without credentials is anonymous and gets the anonymous roles;
    // wrong credentials are refused as before.
    if (!outcome.ok && !(outcome.missing && policy)) {
      // As exporter-toolkit answers: every endpoint, dashboard included, needs the credentials.
      const e = outcome.busy
        ? errorResponse(503, "too many authentication checks in progress, retry later", { "Retry-After": "1" })
        : errorResponse(401, "Unauthorized", { "WWW-Authenticate": "Basic" });
      answer(req, res, e);
      return;
    }
    const user = outcome.ok ? outcome.user : undefined;
    if (policy) {
      const d = decide(policy, rt.config.routePrefix, req.method ?? "GET", routedPath(req.url ?? "/"), user);
      if (!d.allow) {
        answer(req, res, errorResponse(d.status, d.message, d.status === 401 ? { "WWW-Authenticate": "Basic" } : {}));
        return;
      }
    }
    // The dashboard's route handlers learn the client address from this server only (never from the client).
    const remoteAddress = req.socket.remoteAddress;
    delete req.headers[CLIENT_ADDRESS_HEADER];
    delete req.headers[USER_HEADER];
    delete req.headers[ROLES_HEADER];
    if (remoteAddress) req.headers[CLIENT_ADDRESS_HEADER] = remoteAddress;
    if (user) req.headers[USER_HEADER] = encodeURIComponent(user);
    req.headers[ROLES_HEADER] = rolesOf(policy, user).join(",");
    const preq: ProtocolRequest = {
      method: req.method ?? "GET",
      rawUrl: req.url ?? "/",
      headers: req.headers,
      readBody: (limit) => readBody(req, limit),
      remoteAddress,
      user,
    };
    rt.router
      .handle(preq)
      .then((out) => {
        if (out === null) {
          // The dashboard's JSON bodies are small; Next.js would buffer whatever it is sent.
          if (Number(req.headers["content-length"]) > DASHBOARD_MAX_BODY_BYTES) {
            answer(req, res, errorResponse(413, `request body larger than the dashboard limit of ${DASHBOARD_MAX_BODY_BYTES} bytes`));
            return;
          }
          applyPageSecurity(req, res);
          return nextHandler(req, res);
        }
        answer(req, res, out);
      })
      .catch((err: unknown) => {
        log("error", "request failed", { method: req.method, url: req.url, err: String(err instanceof Error ? err.stack : err) });
        if (!res.headersSent) answer(req, res, errorResponse(500, "internal server error"));
        else res.destroy();
      });
  };
  return (req, res) => {
    inFlight.track(res);
    for (const [name, value] of extraHeaders) res.setHeader(name, value);
    const outcome = auth.check(req.headers.authorization);
    if (outcome instanceof Promise) void outcome.then((o) => handle(req, res, o));
    else handle(req, res, outcome);
  };
}

export async function main(argv: string[]): Promise<void> {
  if (argv[0] === "import") {
    process.exitCode = await runImport(argv.slice(1));
    return;
  }
  let config: Config;
  try {
    const action = parseFlags(argv, process.env);
    if (action.kind === "help") {
      process.stdout.write(helpText());
      return;
    }
    if (action.kind === "version") {
      process.stdout.write(`pushboard, version ${VERSION} (node ${process.versions.node})\n`);
      return;
    }
    config = action.config;
  } catch (err) {
    if (err instanceof FlagError) {
      process.stderr.write(`pushboard: error: ${err.message}, try --help\n`);
      process.exit(2);
    }
    throw err;
  }
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

  let web: WebConfig | undefined;
  if (config.webConfigFile) {
    try {
      web = loadWebConfig(config.webConfigFile);
    } catch (err) {
      log("error", "invalid --web.config.file", { err: err instanceof WebConfigError ? err.message : String(err) });
      process.exit(1);
    }
  }
  try {
    runtime = await createRuntime(config, log, () => void shutdown("/-/quit"));
  } catch (err) {
    log("error", "cannot start", { err: err instanceof Error ? err.message : String(err) });
    process.exit(1);
  }
  setRuntime(runtime);
  const nextHandler = await prepareNext(config, log);
  for (const addr of config.listenAddresses) {
    const { host, port } = parseListenAddress(addr);
    const listener = serve(runtime, nextHandler, log, web, inFlight);
    const server = web?.tls
      ? https.createServer({ maxHeaderSize: 1 << 20, cert: web.tls.cert, key: web.tls.key, ca: web.tls.ca, requestCert: web.tls.requestCert, rejectUnauthorized: web.tls.requestCert, minVersion: web.tls.minVersion }, listener)
      : http.createServer({ maxHeaderSize: 1 << 20 }, listener);
    server.keepAliveTimeout = 65_000;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, () => resolve());
    });
    servers.push(server);
    log("info", "listening", { address: addr, groups: runtime.store.groupCount(), storage: runtime.storageDescription });
  }
}

// The pushboard server's node:http front: serves every Pushgateway protocol path straight from lib/ (raw URL, no
// framework overhead), checks access once for every request, and hands dashboard paths to a handler it is given
// (Next.js's, from lib/cli/serve.ts). Framework-free: nothing here loads Next.
import http from "node:http";
import https from "node:https";
import { BodyTooLargeError, type ProtocolRequest } from "../protocol/request";
import { bodyLength, errorResponse, type ProtocolResponse } from "../protocol/response";
import type { FullRuntime } from "./create-runtime";
import type { Logger } from "./logger";
import { CLIENT_ADDRESS_HEADER, ROLES_HEADER, USER_HEADER } from "./request-identity";
import { applyPageSecurity } from "./page-security";
import { discardRestOfBody, DASHBOARD_MAX_BODY_BYTES } from "./request-body";
import { parseListenAddress } from "./listen-address";
import type { AccessResult } from "./access";

/** Serves what the protocol router hands over (the dashboard). */
export type DashboardHandler = (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>;

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

/** Requests being served, so that a shutdown answers every request it has started before the store closes. */
export class InFlightRequests {
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

/** Writes an answer; a body the answer did not need is read and discarded first (see discardRestOfBody). */
function answer(req: http.IncomingMessage, res: http.ServerResponse, out: ProtocolResponse): void {
  const parts = Array.isArray(out.body) ? (out.body as readonly Uint8Array[]) : undefined;
  if (!req.complete) {
    // Sent now, ended once the unread body is drained (see discardRestOfBody).
    const body = parts ?? [typeof out.body === "string" ? Buffer.from(out.body) : (out.body as Uint8Array)];
    res.writeHead(out.status, { ...out.headers, "Content-Length": String(bodyLength(body)) });
    // The client must get the whole answer now, even when nothing is written (HEAD, an empty body): a client that
    // declares a body and waits for the answer before sending it would otherwise wait for the drain bound.
    res.flushHeaders();
    for (const part of body) if (part.length > 0) res.write(part);
    discardRestOfBody(req, () => res.end());
    return;
  }
  if (!parts) {
    res.writeHead(out.status, out.headers);
    res.end(out.body);
    return;
  }
  // A body in parts (a scrape: one cached buffer per family) goes out part by part, never copied together.
  res.writeHead(out.status, { ...out.headers, "Content-Length": String(bodyLength(parts)) });
  res.cork();
  for (const part of parts) if (part.length > 0) res.write(part);
  res.uncork();
  res.end();
}

export function createRequestListener(rt: FullRuntime, dashboard: DashboardHandler, log: Logger, inFlight: InFlightRequests): http.RequestListener {
  const extraHeaders = Object.entries(rt.web?.headers ?? {});
  const handle = (req: http.IncomingMessage, res: http.ServerResponse, access: AccessResult): void => {
    if (!access.allow) {
      answer(req, res, access.response);
      return;
    }
    const user = access.user;
    // The dashboard's route handlers learn the client address and user from this server only (never from the client).
    const remoteAddress = req.socket.remoteAddress;
    delete req.headers[CLIENT_ADDRESS_HEADER];
    delete req.headers[USER_HEADER];
    delete req.headers[ROLES_HEADER];
    if (remoteAddress) req.headers[CLIENT_ADDRESS_HEADER] = remoteAddress;
    if (user) req.headers[USER_HEADER] = encodeURIComponent(user);
    req.headers[ROLES_HEADER] = access.roles.join(",");
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
        if (out.kind === "response") return answer(req, res, out.response);
        // The dashboard's JSON bodies are small; Next.js would buffer whatever it is sent.
        if (Number(req.headers["content-length"]) > DASHBOARD_MAX_BODY_BYTES) {
          answer(req, res, errorResponse(413, `request body larger than the dashboard limit of ${DASHBOARD_MAX_BODY_BYTES} bytes`));
          return;
        }
        applyPageSecurity(req, res);
        return dashboard(req, res);
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
    const access = rt.access.check(req.method ?? "GET", req.url ?? "/", req.headers.authorization);
    if (access instanceof Promise) void access.then((a) => handle(req, res, a));
    else handle(req, res, access);
  };
}

/** Listens on one --web.listen-address, over TLS when --web.config.file configures it. */
export async function listen(rt: FullRuntime, address: string, listener: http.RequestListener): Promise<http.Server> {
  const { host, port } = parseListenAddress(address);
  const tls = rt.web?.tls;
  const server = tls
    ? https.createServer(
        {
          maxHeaderSize: 1 << 20,
          cert: tls.cert,
          key: tls.key,
          ca: tls.ca,
          requestCert: tls.requestCert,
          rejectUnauthorized: tls.requestCert,
          minVersion: tls.minVersion,
        },
        listener,
      )
    : http.createServer({ maxHeaderSize: 1 << 20 }, listener);
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  return server;
}

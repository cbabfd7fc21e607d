// Serves the protocol router from Next.js route handlers (for `next dev` / `next start`, where the pushboard
// server's node:http fast path is absent). Web-standard Request/Response only: no next/* imports.
import { defaultConfig } from "../config/flags";
import { BodyTooLargeError, type ProtocolRequest } from "../protocol/router";
import { createRuntime, type FullRuntime } from "./create-runtime";
import { createLogger } from "./logger";
import { getRuntime } from "./runtime";
import { LimitExceededError, readLimited } from "../http/read-limited";

async function fullRuntime(): Promise<FullRuntime> {
  const rt = await getRuntime(async () => {
    const config = defaultConfig(process.env);
    return createRuntime(config, createLogger(config.logLevel, config.logFormat), () => process.kill(process.pid, "SIGTERM"));
  });
  return rt as FullRuntime;
}

export async function handleProtocolRequest(request: Request): Promise<Response> {
  const rt = await fullRuntime();
  const url = new URL(request.url);
  const headers: Record<string, string> = {};
  request.headers.forEach((v, k) => (headers[k] = v));
  const preq: ProtocolRequest = {
    method: request.method,
    rawUrl: url.pathname + url.search,
    headers,
    async readBody(limit) {
      const declared = Number(request.headers.get("content-length"));
      if (declared > limit) throw new BodyTooLargeError();
      try {
        return await readLimited(request.body, limit);
      } catch (err) {
        throw err instanceof LimitExceededError ? new BodyTooLargeError() : err;
      }
    },
  };
  const out = await rt.router.handle(preq);
  if (out === null) return new Response("404 page not found\n", { status: 404, headers: { "Content-Type": "text/plain; charset=utf-8" } });
  const body = out.status === 204 || out.status === 304 ? null : typeof out.body === "string" ? out.body : new Uint8Array(out.body);
  return new Response(body, { status: out.status, headers: out.headers });
}

// Every method goes to the protocol router, which answers 405/404 exactly as the Pushgateway does.
export const GET = handleProtocolRequest;
export const HEAD = handleProtocolRequest;
export const PUT = handleProtocolRequest;
export const POST = handleProtocolRequest;
export const DELETE = handleProtocolRequest;
export const OPTIONS = handleProtocolRequest;
export const PATCH = handleProtocolRequest;

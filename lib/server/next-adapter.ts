// Serves the protocol router from Next.js route handlers (for `next dev` / `next start`, where the pushboard
// server's node:http fast path is absent). Web-standard Request/Response only: no next/* imports.
import { BodyTooLargeError, type ProtocolRequest } from "../protocol/request";
import { bodyBytes, type ProtocolResponse } from "../protocol/response";
import { isFullRuntime } from "./create-runtime";
import { nextRuntime } from "./boot";
import { LimitExceededError, readLimited } from "../http/read-limited";

const TEXT = { "Content-Type": "text/plain; charset=utf-8" };

export function toWebResponse(out: ProtocolResponse): Response {
  const body = out.status === 204 || out.status === 304 ? null : typeof out.body === "string" ? out.body : new Uint8Array(bodyBytes(out.body));
  return new Response(body, { status: out.status, headers: out.headers });
}

export async function handleProtocolRequest(request: Request): Promise<Response> {
  let rt;
  try {
    rt = await nextRuntime();
  } catch (err) {
    return new Response(`pushboard cannot start: ${(err as Error).message}\n`, { status: 503, headers: TEXT });
  }
  // A dashboard-only runtime (a test's) has no router: say so instead of failing on a missing field.
  if (!isFullRuntime(rt)) return new Response("pushboard runtime has no protocol router\n", { status: 503, headers: TEXT });
  const url = new URL(request.url);
  const rawUrl = url.pathname + url.search;
  const access = await rt.access.check(request.method, rawUrl, request.headers.get("authorization") ?? undefined);
  if (!access.allow) return toWebResponse(access.response);
  const headers: Record<string, string> = {};
  request.headers.forEach((v, k) => (headers[k] = v));
  const preq: ProtocolRequest = {
    method: request.method,
    rawUrl,
    headers,
    user: access.user,
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
  if (out.kind === "dashboard") return new Response("404 page not found\n", { status: 404, headers: TEXT });
  return toWebResponse(out.response);
}

// Every method goes to the protocol router, which answers 405/404 exactly as the Pushgateway does.
export const GET = handleProtocolRequest;
export const HEAD = handleProtocolRequest;
export const PUT = handleProtocolRequest;
export const POST = handleProtocolRequest;
export const DELETE = handleProtocolRequest;
export const OPTIONS = handleProtocolRequest;
export const PATCH = handleProtocolRequest;

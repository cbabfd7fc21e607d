// Plumbing shared by the thin /api/ui route handlers: JSON responses, the runtime lookup and access check, and the guard that
// keeps mutations from being triggered cross-site. Web-standard Request/Response only (no next/*).
import type { Config } from "../config/flags";
import type { Runtime } from "../server/runtime";
import { nextRuntime } from "../server/boot";
import { FilterError } from "./filter";
import { ActionError } from "./actions";
import type { ListContext } from "./list";
import type { AuditSource } from "../store/types";
import { CLIENT_ADDRESS_HEADER, ROLES_HEADER, USER_HEADER } from "../server/request-identity";
import { ROLES, type Role } from "../server/authorization";
import type { Viewer } from "./status";
import { STALE_HEADER } from "../protocol/router";
import type { DetailContext } from "./detail";
import { publicPrefix } from "./prefix";
import { LimitExceededError, readLimited } from "../http/read-limited";
import { foreignOriginReason } from "../http/origin";

/** The largest JSON body a dashboard mutation accepts (a list of group ids). */
export const MUTATION_MAX_BODY_BYTES = 4 * 1024 * 1024;

const NO_STORE = { "cache-control": "no-store", "x-content-type-options": "nosniff" };

export function jsonResponse(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json; charset=utf-8", ...NO_STORE } });
}

export function errorResponse(message: string, status: number): Response {
  return jsonResponse({ error: message }, status);
}

/**
 * Refuses a state-changing request unless it is a same-origin JSON request:
 *   - Content-Type must be application/json (415 otherwise): a cross-site <form> cannot send that, and a
 *     cross-site fetch() with it needs a CORS preflight, which this server never grants;
 *   - Sec-Fetch-Site, when the browser sends it, must be "same-origin" (403);
 *   - Origin, when present, must name this server: its host must equal Host or the host of --web.external-url
 *     (403); X-Forwarded-Host is not trusted (see lib/http/origin.ts).
 * Requests without Origin and Sec-Fetch-Site (curl, scripts) are not browser-driven and pass.
 */
export function checkMutationRequest(req: Request, config: Pick<Config, "externalUrl">): Response | undefined {
  const ct = (req.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (ct !== "application/json") return errorResponse("Content-Type must be application/json", 415);
  const site = req.headers.get("sec-fetch-site");
  if (site !== null && site !== "same-origin") return errorResponse(`cross-site request refused (Sec-Fetch-Site: ${site})`, 403);
  const headers: Record<string, string> = {};
  req.headers.forEach((v, k) => (headers[k] = v));
  const foreign = foreignOriginReason(headers, config.externalUrl);
  if (foreign) return errorResponse(`cross-site request refused (${foreign})`, 403);
  return undefined;
}

/** Who sent a request, as a route handler established it itself (Next.js alone: no pushboard server in front). */
interface Identity {
  user?: string;
  roles: Role[];
}
const checkedIdentities = new WeakMap<Request, Identity>();

/**
 * Under Next.js alone, checks the request's credentials and roles as the pushboard server would have (and
 * remembers who sent it, ignoring identity headers a client may send); under the pushboard server, which did this
 * before handing over, does nothing. Returns the refusal, if any.
 */
async function checkAccess(req: Request, rt: Runtime): Promise<Response | undefined> {
  if (rt.frontEnd !== "next" || !rt.access) return undefined;
  const url = new URL(req.url);
  const access = await rt.access.check(req.method, url.pathname + url.search, req.headers.get("authorization") ?? undefined);
  if (!access.allow) {
    const body = typeof access.response.body === "string" ? access.response.body.trim() : "refused";
    const res = errorResponse(body, access.response.status);
    for (const [k, v] of Object.entries(access.response.headers)) if (k.toLowerCase() !== "content-type") res.headers.set(k, v);
    return res;
  }
  checkedIdentities.set(req, { ...(access.user !== undefined ? { user: access.user } : {}), roles: access.roles });
  return undefined;
}

/** The context every dashboard read is computed in: the staleness settings, the lifecycle rules, the time. */
export function listContext(rt: Runtime, nowMs = Date.now()): ListContext & { routePrefix: string } {
  return {
    defaultStaleAfterMs: rt.config.staleAfterMs,
    nowMs,
    adminApi: rt.config.enableAdminApi,
    lifecycle: rt.lifecycle,
    diagnostics: rt.diagnostics,
    routePrefix: rt.config.routePrefix,
  };
}

/** The context of a group's detail: the list's, plus the URLs the page shows (proxy prefix, Prometheus). */
export function detailContext(rt: Runtime, nowMs = Date.now()): DetailContext {
  // The delete command is copied from the browser: the URL it sees, proxy prefix included.
  return { ...listContext(rt, nowMs), routePrefix: publicPrefix(rt.config), prometheusUrl: rt.config.prometheusUrl };
}

/**
 * Runs fn with the runtime (booted on first use under Next.js alone; 503 with the reason when it cannot start),
 * once the request has passed the access check; 400/4xx for filter and action errors.
 */
export async function withRuntime(req: Request, fn: (rt: Runtime) => Response | Promise<Response>): Promise<Response> {
  let rt: Runtime;
  try {
    rt = await nextRuntime();
  } catch (e) {
    return errorResponse(`pushboard cannot start: ${(e as Error).message}`, 503);
  }
  const refused = await checkAccess(req, rt);
  if (refused) return refused;
  try {
    // Read barrier: on a replicated store, show every write acknowledged by any replica before this request.
    const fresh = await rt.store.sync();
    const res = await fn(rt);
    if (fresh.stale) res.headers.set(STALE_HEADER, fresh.stale.message);
    return res;
  } catch (e) {
    if (e instanceof FilterError) return jsonResponse({ error: e.message, position: e.position }, 400);
    if (e instanceof ActionError) return errorResponse(e.message, e.status);
    return errorResponse(`internal error: ${(e as Error).message}`, 500);
  }
}

/**
 * Who sent a dashboard request, for the audit trail. The pushboard server sets the client address and the
 * authenticated user on every request it hands to Next (replacing whatever the client sent under those names).
 */
export function auditSourceOf(req: Request): AuditSource {
  const source: AuditSource = { source: "dashboard" };
  const checked = checkedIdentities.get(req);
  const client = checked ? null : req.headers.get(CLIENT_ADDRESS_HEADER);
  const user = checked ? checked.user : req.headers.get(USER_HEADER);
  const ua = req.headers.get("user-agent");
  if (client) source.client = client;
  if (user) source.user = checked ? user : decodeURIComponent(user); // encoded by the server: a header carries Latin-1 only
  if (ua) source.userAgent = ua.slice(0, 256);
  return source;
}

/** The signed-in user and their roles, as the pushboard server set them (no header: full access). */
export function viewerOf(req: Request): Viewer {
  const checked = checkedIdentities.get(req);
  if (checked) return checked;
  return viewerFromHeaders(req.headers);
}

/** viewerOf for the request headers a server-rendered page sees. */
export function viewerFromHeaders(headers: Pick<Headers, "get">): Viewer {
  const user = headers.get(USER_HEADER);
  const roles = headers.get(ROLES_HEADER);
  return {
    ...(user ? { user: decodeURIComponent(user) } : {}),
    roles: roles === null ? [...ROLES] : ROLES.filter((r: Role) => roles.split(",").includes(r)),
  };
}

/** Guard plus JSON body parsing for POST handlers; `fn` also gets the audit source of the request. */
export async function withMutation(req: Request, fn: (rt: Runtime, body: unknown, audit: AuditSource) => Response | Promise<Response>): Promise<Response> {
  return withRuntime(req, async (rt) => {
    const refused = checkMutationRequest(req, rt.config);
    if (refused) return refused;
    let text: string;
    try {
      text = (await readLimited(req.body, MUTATION_MAX_BODY_BYTES)).toString("utf8");
    } catch (e) {
      if (e instanceof LimitExceededError) return errorResponse(`request body larger than the dashboard limit of ${MUTATION_MAX_BODY_BYTES} bytes`, 413);
      throw e;
    }
    let body: unknown;
    try {
      body = text === "" ? {} : JSON.parse(text);
    } catch {
      return errorResponse("body is not valid JSON", 400);
    }
    return fn(rt, body, auditSourceOf(req));
  });
}

// Who may make a request: basic auth (exporter-toolkit's basic_auth_users), then the `authorization` block,
// decided once before routing. Both front ends ask this one object: the pushboard server for every request, the
// Next.js route handlers (`next dev`/`next start`) for the protocol paths and /api/ui.
import { errorResponse, type ProtocolResponse } from "../protocol/response";
import { cleanPath, decodePath } from "../protocol/url";
import { decide, rolesOf, type Role } from "./authorization";
import { createBasicAuth, type AuthOutcome } from "./basic-auth";
import type { WebConfig } from "./web-config";

export type AccessResult = { allow: true; user?: string; roles: Role[] } | { allow: false; response: ProtocolResponse };

export interface Access {
  /** Whether any request can be refused (basic auth users or an authorization block are configured). */
  readonly guarded: boolean;
  /** Synchronous when the answer is known (no users, cached credential), else a promise (bcrypt on a worker). */
  check(method: string, rawUrl: string, authorization: string | undefined): AccessResult | Promise<AccessResult>;
  close(): Promise<void>;
}

/** The request path as the protocol router routes it (decoded, clean), or undefined when the router only redirects or refuses it. */
export function routedPath(rawUrl: string): string | undefined {
  const q = rawUrl.indexOf("?");
  const decoded = decodePath(q >= 0 ? rawUrl.slice(0, q) : rawUrl);
  return decoded !== undefined && cleanPath(decoded) === decoded ? decoded : undefined;
}

export function createAccess(web: WebConfig | undefined, routePrefix: string): Access {
  const auth = createBasicAuth(web?.users ?? new Map());
  const policy = web?.authorization;
  const decideFor = (method: string, rawUrl: string, outcome: AuthOutcome): AccessResult => {
    // With an `authorization` block, a request without credentials is anonymous and gets the anonymous roles;
    // wrong credentials are refused as before.
    if (!outcome.ok && !(outcome.missing && policy)) {
      // As exporter-toolkit answers: every endpoint, dashboard included, needs the credentials.
      return {
        allow: false,
        response: outcome.busy
          ? errorResponse(503, "too many authentication checks in progress, retry later", { "Retry-After": "1" })
          : errorResponse(401, "Unauthorized", { "WWW-Authenticate": "Basic" }),
      };
    }
    const user = outcome.ok ? outcome.user : undefined;
    const d = decide(policy, routePrefix, method, routedPath(rawUrl), user);
    if (!d.allow) return { allow: false, response: errorResponse(d.status, d.message, d.status === 401 ? { "WWW-Authenticate": "Basic" } : {}) };
    return { allow: true, ...(user !== undefined ? { user } : {}), roles: rolesOf(policy, user) };
  };
  return {
    guarded: (web?.users.size ?? 0) > 0 || policy !== undefined,
    check(method, rawUrl, authorization) {
      const outcome = auth.check(authorization);
      return outcome instanceof Promise ? outcome.then((o) => decideFor(method, rawUrl, o)) : decideFor(method, rawUrl, outcome);
    },
    close: () => auth.close(),
  };
}

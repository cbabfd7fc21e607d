// Scoped access: the `authorization` block of --web.config.file (pushboard's extension to the exporter-toolkit
// format) and the one decision which request a user may make. Framework-free: the server calls `decide` before
// routing, with the path as the protocol router sees it (percent-decoded and clean, see lib/protocol/url.ts).
//
// Roles: `read` (scrapes, GET /api/v1/*, dashboard pages and GET /api/ui/*), `push` (PUT/POST/DELETE on
// /metrics/job… for the user's jobs), `admin` (everything). A user without an entry has full access; without the
// block at all, everyone authenticated has full access (the Pushgateway's behaviour).
import { parseGroupingPath } from "../grouping/parse-path";

export const ROLES = ["read", "push", "admin"] as const;
export type Role = (typeof ROLES)[number];

export interface Grant {
  roles: ReadonlySet<Role>;
  /** Job globs for `push`, as written (for messages). Undefined: every job. */
  jobs?: readonly string[];
  /** The same globs compiled. */
  jobMatchers?: readonly RegExp[];
}

export interface AuthorizationPolicy {
  /** Users with an entry; a user missing here has full access. */
  users: ReadonlyMap<string, Grant>;
  anonymous: Grant;
  /** /-/healthy and /-/ready answer without credentials. */
  openHealth: boolean;
  /** basic_auth_users is set: an anonymous request lacking a role gets 401 (credentials could help), else 403. */
  credentialsPossible: boolean;
}

export type Decision = { allow: true } | { allow: false; status: 401 | 403; message: string };

export class AuthorizationConfigError extends Error {}

const FULL_ACCESS: Grant = { roles: new Set(ROLES) };
const ALLOW: Decision = { allow: true };
const READ_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
const PUSH_METHODS = new Set(["PUT", "POST", "DELETE"]);

/** A job glob: `*` matches any run of characters (none included); nothing else is special. */
export function compileJobGlob(glob: string): RegExp {
  return new RegExp(
    "^" +
      glob
        .split("*")
        .map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
        .join(".*") +
      "$",
    "s",
  );
}

function parseGrant(value: unknown, where: string): Grant {
  if (value === null || typeof value !== "object" || Array.isArray(value))
    throw new AuthorizationConfigError(`${where}: expected a mapping with "roles" (and "jobs" for push)`);
  const v = value as Record<string, unknown>;
  for (const k of Object.keys(v))
    if (k !== "roles" && k !== "jobs") throw new AuthorizationConfigError(`${where}: unknown field "${k}" (expected roles, jobs)`);
  const rawRoles = v.roles ?? [];
  if (!Array.isArray(rawRoles)) throw new AuthorizationConfigError(`${where}.roles: expected a list of roles (${ROLES.join(", ")})`);
  const roles = new Set<Role>();
  for (const r of rawRoles) {
    if (!(ROLES as readonly unknown[]).includes(r))
      throw new AuthorizationConfigError(`${where}.roles: unknown role ${JSON.stringify(r)} (known roles: ${ROLES.join(", ")})`);
    roles.add(r as Role);
  }
  if (v.jobs === undefined) return { roles };
  if (!roles.has("push")) throw new AuthorizationConfigError(`${where}.jobs: only meaningful with the push role`);
  if (!Array.isArray(v.jobs) || v.jobs.length === 0) throw new AuthorizationConfigError(`${where}.jobs: expected a non-empty list of job globs`);
  const jobs: string[] = [];
  for (const j of v.jobs) {
    if (typeof j !== "string" || j === "")
      throw new AuthorizationConfigError(`${where}.jobs: ${JSON.stringify(j)} is not a job glob (a non-empty string; * matches any characters)`);
    // Reserved, so that nobody writes `build-?` or `[ab]` believing it matches like a shell glob.
    if (/[?[\]{}]/.test(j))
      throw new AuthorizationConfigError(`${where}.jobs: bad glob ${JSON.stringify(j)}: only * is a wildcard (? [ ] { } are not allowed)`);
    jobs.push(j);
  }
  return { roles, jobs, jobMatchers: jobs.map(compileJobGlob) };
}

/**
 * Validates the `authorization` block. `knownUsers` are basic_auth_users: an entry for anyone else is a mistake
 * (a typo would otherwise silently leave the real user with full access).
 */
export function parseAuthorization(value: unknown, knownUsers: ReadonlySet<string>): AuthorizationPolicy {
  if (value === null || typeof value !== "object" || Array.isArray(value))
    throw new AuthorizationConfigError("authorization: expected a mapping (users, anonymous, open_health)");
  const v = value as Record<string, unknown>;
  for (const k of Object.keys(v))
    if (!["users", "anonymous", "open_health"].includes(k))
      throw new AuthorizationConfigError(`authorization: unknown field "${k}" (expected users, anonymous, open_health)`);
  const users = new Map<string, Grant>();
  const rawUsers = v.users ?? {};
  if (rawUsers === null || typeof rawUsers !== "object" || Array.isArray(rawUsers))
    throw new AuthorizationConfigError("authorization.users: expected a mapping of user name to roles");
  for (const [name, grant] of Object.entries(rawUsers)) {
    if (!knownUsers.has(name)) throw new AuthorizationConfigError(`authorization.users.${name}: unknown user (not in basic_auth_users)`);
    users.set(name, parseGrant(grant, `authorization.users.${name}`));
  }
  const anonymous = v.anonymous === undefined ? { roles: new Set<Role>() } : parseGrant(v.anonymous, "authorization.anonymous");
  if (v.open_health !== undefined && typeof v.open_health !== "boolean")
    throw new AuthorizationConfigError("authorization.open_health: expected true or false");
  return { users, anonymous, openHealth: v.open_health ?? true, credentialsPossible: knownUsers.size > 0 };
}

/** The grant of a signed-in user (undefined: an anonymous request). */
export function grantOf(policy: AuthorizationPolicy | undefined, user: string | undefined): Grant {
  if (!policy) return FULL_ACCESS;
  if (user === undefined) return policy.anonymous;
  return policy.users.get(user) ?? FULL_ACCESS;
}

/** The roles a principal holds, sorted as ROLES, for display. */
export function rolesOf(policy: AuthorizationPolicy | undefined, user: string | undefined): Role[] {
  const g = grantOf(policy, user);
  return ROLES.filter((r) => g.roles.has(r));
}

type Need = { kind: "open" } | { kind: "any" } | { kind: "role"; role: Role } | { kind: "push"; job: string | undefined };

/** What a request needs. `path` is decoded, clean and without the route prefix; undefined when it is neither. */
function need(method: string, path: string | undefined, openHealth: boolean): Need {
  // A path the router only redirects or refuses (unclean, malformed escapes): no data, no effect.
  if (path === undefined) return { kind: "any" };
  const read = READ_METHODS.has(method);
  if (path === "/-/healthy" || path === "/-/ready") return read ? (openHealth ? { kind: "open" } : { kind: "any" }) : { kind: "role", role: "admin" };
  const job = /^\/metrics\/job(@base64)?\/([^/]*)(\/.*)?$/.exec(path);
  if (job && PUSH_METHODS.has(method)) {
    const parsed = parseGroupingPath(job[2]!, job[3] ?? "", job[1] !== undefined);
    // An unparsable grouping key is answered 400 by the router; the job is unknown, so only an unrestricted pusher passes.
    return { kind: "push", job: parsed.ok ? parsed.grouping.labels.find((l) => l.name === "job")?.value : undefined };
  }
  if (read) return { kind: "role", role: "read" };
  // Everything else that changes state: dashboard deletes (POST /api/ui/*), wipe, selector deletes, /-/quit.
  return { kind: "role", role: "admin" };
}

function refuse(policy: AuthorizationPolicy, user: string | undefined, message: string): Decision {
  if (user === undefined && policy.credentialsPossible) return { allow: false, status: 401, message: `Unauthorized: ${message}` };
  return { allow: false, status: 403, message };
}

/** Strips the route prefix from a decoded, clean path; undefined outside the prefix. */
export function pathUnderPrefix(path: string, prefix: string): string | undefined {
  if (!prefix) return path;
  if (path === prefix) return "/";
  return path.startsWith(prefix + "/") ? path.slice(prefix.length) : undefined;
}

/**
 * May `user` (undefined: no credentials) make this request? `path` is the request path as the router sees it
 * (percent-decoded and clean, route prefix included), or undefined when the router will only redirect or refuse it.
 */
export function decide(
  policy: AuthorizationPolicy | undefined,
  routePrefix: string,
  method: string,
  path: string | undefined,
  user: string | undefined,
): Decision {
  if (!policy) return ALLOW;
  const rel0 = path === undefined ? undefined : pathUnderPrefix(path, routePrefix);
  // Outside the prefix nothing but a 404 (or the 405 of GET /-/quit) answers: as for any unknown path.
  const rel = path !== undefined && rel0 === undefined ? "/__outside_route_prefix__" : rel0;
  const n = need(method, rel, policy.openHealth);
  const grant = grantOf(policy, user);
  const who = user === undefined ? "anonymous requests" : `user ${JSON.stringify(user)}`;
  const what = `${method} ${path ?? "(unclean path)"}`;
  const [lack, hold] = user === undefined ? ["lack", "hold"] : ["lacks", "holds"];
  switch (n.kind) {
    case "open":
      return ALLOW;
    case "any":
      return grant.roles.size > 0 ? ALLOW : refuse(policy, user, `${who} ${hold} no role (${what})`);
    case "role":
      if (grant.roles.has("admin") || grant.roles.has(n.role)) return ALLOW;
      return refuse(policy, user, `${who} ${lack} the ${n.role} role needed for ${what}`);
    case "push": {
      if (grant.roles.has("admin")) return ALLOW;
      if (!grant.roles.has("push")) return refuse(policy, user, `${who} ${lack} the push role needed for ${what}`);
      if (!grant.jobMatchers) return ALLOW;
      if (n.job !== undefined && grant.jobMatchers.some((m) => m.test(n.job!))) return ALLOW;
      const job = n.job === undefined ? "an unparsable job" : `job ${JSON.stringify(n.job)}`;
      return refuse(policy, user, `${who} may push only to jobs ${grant.jobs!.join(", ")}, not ${job} (${what})`);
    }
  }
}

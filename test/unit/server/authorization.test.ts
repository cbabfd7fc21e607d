// The scoped-access decision (lib/server/authorization.ts): every role against every kind of endpoint, as a
// table, plus the route prefix, the answers' status and message, and the validation of the config block.
import { describe, expect, it } from "vitest";
import { decide, parseAuthorization, rolesOf, type AuthorizationPolicy } from "../../../lib/server/authorization";

const USERS = new Set(["admin", "reader", "ci", "pushall", "readpush", "ops", "nobody"]);
const policy = (extra: Record<string, unknown> = {}, users: ReadonlySet<string> = USERS): AuthorizationPolicy =>
  parseAuthorization(
    {
      users: {
        admin: { roles: ["admin"] },
        reader: { roles: ["read"] },
        ci: { roles: ["push"], jobs: ["build-*", "deploy"] },
        pushall: { roles: ["push"] },
        readpush: { roles: ["read", "push"], jobs: ["build-*"] },
        nobody: { roles: [] },
        // ops: no entry, full access
      },
      ...extra,
    },
    users,
  );
const b64 = (s: string) => Buffer.from(s).toString("base64url");

// Columns: admin reader ci pushall readpush ops nobody anonymous. Y = allowed.
const PRINCIPALS = ["admin", "reader", "ci", "pushall", "readpush", "ops", "nobody", undefined] as const;
const TABLE: Array<[method: string, path: string | undefined, allowed: string]> = [
  ["GET", "/metrics", "YY NN Y Y N N"],
  ["HEAD", "/metrics", "YY NN Y Y N N"],
  ["GET", "/own-metrics", "YY NN Y Y N N"],
  ["GET", "/api/v1/status", "YY NN Y Y N N"],
  ["GET", "/api/v1/metrics", "YY NN Y Y N N"],
  ["OPTIONS", "/api/v1/metrics", "YY NN Y Y N N"],
  ["GET", "/api/v1/groups", "YY NN Y Y N N"],
  ["GET", "/api/v1/audit", "YY NN Y Y N N"],
  ["GET", "/api/v1/lifecycle", "YY NN Y Y N N"],
  ["DELETE", "/api/v1/groups", "YN NN N Y N N"],
  ["PUT", "/api/v1/admin/wipe", "YN NN N Y N N"],
  ["GET", "/", "YY NN Y Y N N"],
  ["GET", "/status", "YY NN Y Y N N"],
  ["GET", "/activity", "YY NN Y Y N N"],
  ["GET", "/expiries", "YY NN Y Y N N"],
  ["GET", "/groups/abc", "YY NN Y Y N N"],
  ["GET", "/_next/static/chunks/x.js", "YY NN Y Y N N"],
  ["GET", "/api/ui/groups", "YY NN Y Y N N"],
  ["GET", "/api/ui/status", "YY NN Y Y N N"],
  ["POST", "/api/ui/groups/delete", "YN NN N Y N N"],
  ["POST", "/api/ui/groups/delete-stale", "YN NN N Y N N"],
  ["POST", "/api/ui/wipe", "YN NN N Y N N"],
  ["GET", "/api/ui/undo", "YY NN Y Y N N"],
  ["POST", "/api/ui/undo/abc", "YN NN N Y N N"],
  ["POST", "/api/ui/groups/abc/families/delete", "YN NN N Y N N"],
  ["PUT", "/-/quit", "YN NN N Y N N"],
  ["POST", "/-/quit", "YN NN N Y N N"],
  ["GET", "/-/healthy", "YY YY Y Y Y Y"],
  ["GET", "/-/ready", "YY YY Y Y Y Y"],
  ["PUT", "/metrics/job/build-1", "YN YY Y Y N N"],
  ["POST", "/metrics/job/build-1", "YN YY Y Y N N"],
  ["DELETE", "/metrics/job/build-1", "YN YY Y Y N N"],
  ["PUT", "/metrics/job/build-1/instance/a", "YN YY Y Y N N"],
  ["PUT", `/metrics/job@base64/${b64("build-7")}`, "YN YY Y Y N N"],
  ["PUT", `/metrics/job@base64/${b64("deploy")}/instance/a`, "YN YY N Y N N"],
  ["PUT", "/metrics/job/deploy", "YN YY N Y N N"],
  ["DELETE", "/metrics/job/deploy", "YN YY N Y N N"],
  ["PUT", "/metrics/job/deployer", "YN NY N Y N N"],
  ["PUT", "/metrics/job/other", "YN NY N Y N N"],
  ["PUT", "/metrics/job/xbuild-1", "YN NY N Y N N"],
  // An unparsable base64 job: only those who may push to any job get through (to the router's 400).
  ["PUT", "/metrics/job@base64/!!!", "YN NY N Y N N"],
  ["GET", "/metrics/job/build-1", "YY NN Y Y N N"],
  ["PUT", "/metrics", "YN NN N Y N N"],
  // Unclean or malformed paths, which the router only redirects or refuses: any role will do.
  ["PUT", undefined, "YY YY Y Y N N"],
];

describe("authorization decide: roles × endpoints", () => {
  const p = policy();
  for (const [method, path, allowed] of TABLE) {
    const expected = allowed.replace(/ /g, "");
    it(`${method} ${path ?? "(unclean)"}`, () => {
      expect(expected).toHaveLength(PRINCIPALS.length);
      const got = PRINCIPALS.map((u) => (decide(p, "", method, path, u).allow ? "Y" : "N")).join("");
      expect(got).toBe(expected);
    });
  }

  it("the same table holds under a route prefix, and outside the prefix only what any unknown path needs", () => {
    for (const [method, path, allowed] of TABLE) {
      const got = PRINCIPALS.map((u) => (decide(p, "/pg", method, path === undefined ? undefined : "/pg" + path, u).allow ? "Y" : "N")).join("");
      expect(got, `${method} /pg${path}`).toBe(allowed.replace(/ /g, ""));
    }
    // /metrics/job/x outside the prefix is a 404, not a push: the push role does not open it.
    expect(decide(p, "/pg", "PUT", "/metrics/job/build-1", "ci").allow).toBe(false);
    expect(decide(p, "/pg", "GET", "/-/healthy", undefined).allow).toBe(false);
    expect(decide(p, "/pg", "GET", "/pgx/metrics", "reader").allow).toBe(true);
    expect(decide(p, "/pg", "GET", "/pg", "reader").allow).toBe(true);
  });

  it("no authorization block: everything allowed for everyone the basic auth let through", () => {
    for (const [method, path] of TABLE) for (const u of PRINCIPALS) expect(decide(undefined, "", method, path, u)).toEqual({ allow: true });
  });
});

describe("authorization answers", () => {
  const p = policy();
  it("403 names the missing role", () => {
    expect(decide(p, "", "PUT", "/metrics/job/x", "reader")).toEqual({
      allow: false,
      status: 403,
      message: 'user "reader" lacks the push role needed for PUT /metrics/job/x',
    });
    const wipe = decide(p, "", "PUT", "/api/v1/admin/wipe", "ci");
    expect(wipe).toMatchObject({ allow: false, status: 403 });
    expect(!wipe.allow && wipe.message).toContain("admin role");
    const scrape = decide(p, "", "GET", "/metrics", "ci");
    expect(!scrape.allow && scrape.message).toContain("read role");
  });
  it("403 names the job and the allowed globs", () => {
    const d = decide(p, "", "PUT", "/metrics/job/other/instance/a", "ci");
    expect(d).toMatchObject({ allow: false, status: 403 });
    expect(!d.allow && d.message).toContain('may push only to jobs build-*, deploy, not job "other"');
    const u = decide(p, "", "PUT", `/metrics/job@base64/${b64("déploy/x")}`, "ci");
    expect(!u.allow && u.message).toContain('not job "déploy/x"');
  });
  it("anonymous requests get 401 when credentials could help, 403 when there are no users", () => {
    const d = decide(p, "", "GET", "/metrics", undefined);
    expect(d).toMatchObject({ allow: false, status: 401 });
    const open = parseAuthorization({ anonymous: { roles: ["read"] } }, new Set());
    expect(decide(open, "", "GET", "/metrics", undefined).allow).toBe(true);
    expect(decide(open, "", "PUT", "/metrics/job/x", undefined)).toMatchObject({
      allow: false,
      status: 403,
      message: "anonymous requests lack the push role needed for PUT /metrics/job/x",
    });
  });
  it("anonymous roles and jobs, open_health false", () => {
    const q = policy({ anonymous: { roles: ["read", "push"], jobs: ["public-*"] }, open_health: false });
    expect(decide(q, "", "GET", "/metrics", undefined).allow).toBe(true);
    expect(decide(q, "", "PUT", "/metrics/job/public-1", undefined).allow).toBe(true);
    expect(decide(q, "", "PUT", "/metrics/job/build-1", undefined).allow).toBe(false);
    const closed = policy({ open_health: false });
    expect(decide(closed, "", "GET", "/-/healthy", undefined)).toMatchObject({ allow: false, status: 401 });
    expect(decide(closed, "", "GET", "/-/healthy", "ci").allow).toBe(true);
    expect(decide(closed, "", "GET", "/-/healthy", "nobody").allow).toBe(false);
  });
  it("rolesOf: the roles shown on the dashboard", () => {
    expect(rolesOf(p, "ci")).toEqual(["push"]);
    expect(rolesOf(p, "ops")).toEqual(["read", "push", "admin"]);
    expect(rolesOf(p, undefined)).toEqual([]);
    expect(rolesOf(undefined, undefined)).toEqual(["read", "push", "admin"]);
  });
});

describe("authorization config validation", () => {
  const bad: Array<[unknown, RegExp]> = [
    [{ users: { ci: { roles: ["pusher"] } } }, /authorization\.users\.ci\.roles: unknown role "pusher" \(known roles: read, push, admin\)/],
    [{ users: { mallory: { roles: ["read"] } } }, /authorization\.users\.mallory: unknown user \(not in basic_auth_users\)/],
    [{ users: { ci: { roles: ["push"], jobs: ["build-?"] } } }, /bad glob "build-\?"/],
    [{ users: { ci: { roles: ["push"], jobs: [""] } } }, /"" is not a job glob/],
    [{ users: { ci: { roles: ["push"], jobs: [] } } }, /non-empty list/],
    [{ users: { ci: { roles: ["read"], jobs: ["a"] } } }, /only meaningful with the push role/],
    [{ users: { ci: { roles: "push" } } }, /expected a list of roles/],
    [{ users: { ci: { roles: ["push"], job: ["a"] } } }, /unknown field "job"/],
    [{ anonymous: { roles: ["root"] } }, /authorization\.anonymous\.roles: unknown role "root"/],
    [{ open_health: "yes" }, /open_health: expected true or false/],
    [{ user: {} }, /unknown field "user"/],
    [[], /expected a mapping/],
  ];
  for (const [value, message] of bad) {
    it(`refuses ${JSON.stringify(value)}`, () => expect(() => parseAuthorization(value, USERS)).toThrow(message));
  }
  it("defaults: anonymous has no role, health is open", () => {
    const p = parseAuthorization({}, USERS);
    expect(p.anonymous.roles.size).toBe(0);
    expect(p.openHealth).toBe(true);
  });
  it("a glob's other characters are literal", () => {
    const p = parseAuthorization({ users: { ci: { roles: ["push"], jobs: ["a.b*", "x+"] } } }, USERS);
    expect(decide(p, "", "PUT", "/metrics/job/a.b-1", "ci").allow).toBe(true);
    expect(decide(p, "", "PUT", "/metrics/job/aXb-1", "ci").allow).toBe(false);
    expect(decide(p, "", "PUT", "/metrics/job/x+", "ci").allow).toBe(true);
    expect(decide(p, "", "PUT", "/metrics/job/xx", "ci").allow).toBe(false);
  });
});

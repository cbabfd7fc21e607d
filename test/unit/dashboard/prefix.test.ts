// The dashboard's path prefix: which prefix the browser sees, what Next.js gets, which paths are the dashboard's.
import { describe, expect, it } from "vitest";
import { publicPrefix, stripRoutePrefix } from "@/lib/dashboard/prefix";
import { isDashboardPath } from "@/lib/protocol/url";

describe("publicPrefix", () => {
  it("is the route prefix without an external URL", () => {
    expect(publicPrefix({ externalUrl: "", routePrefix: "" })).toBe("");
    expect(publicPrefix({ externalUrl: "", routePrefix: "/pushgateway" })).toBe("/pushgateway");
  });
  it("is the external URL's path when given, also when a proxy strips it (route prefix /)", () => {
    expect(publicPrefix({ externalUrl: "https://example.org/pg/", routePrefix: "" })).toBe("/pg");
    expect(publicPrefix({ externalUrl: "https://example.org/a/b", routePrefix: "/a/b" })).toBe("/a/b");
    expect(publicPrefix({ externalUrl: "https://example.org/", routePrefix: "" })).toBe("");
  });
});

describe("stripRoutePrefix", () => {
  it("hands Next.js the path below the prefix, query kept", () => {
    expect(stripRoutePrefix("/pushgateway/status?_rsc=1", "/pushgateway")).toBe("/status?_rsc=1");
    expect(stripRoutePrefix("/pushgateway/", "/pushgateway")).toBe("/");
    expect(stripRoutePrefix("/pushgateway?x=1", "/pushgateway")).toBe("/?x=1");
    expect(stripRoutePrefix("/pushgateway/_next/static/chunks/a.js", "/pushgateway")).toBe("/_next/static/chunks/a.js");
  });
  it("leaves the URL alone without a prefix", () => {
    expect(stripRoutePrefix("/status", "")).toBe("/status");
  });
});

describe("isDashboardPath under a route prefix", () => {
  it("takes the dashboard's paths only below the prefix", () => {
    expect(isDashboardPath("/pushgateway/_next/static/a.js", "/pushgateway")).toBe(true);
    expect(isDashboardPath("/pushgateway/api/ui/groups", "/pushgateway")).toBe(true);
    expect(isDashboardPath("/pushgateway/groups/abc", "/pushgateway")).toBe(true);
    expect(isDashboardPath("/_next/static/a.js", "/pushgateway")).toBe(false);
    expect(isDashboardPath("/api/ui/groups", "/pushgateway")).toBe(false);
    expect(isDashboardPath("/pushgatewayx/_next/static/a.js", "/pushgateway")).toBe(false);
    expect(isDashboardPath("/pushgateway/metrics/job/x", "/pushgateway")).toBe(false);
  });
  it("without a prefix, as before", () => {
    expect(isDashboardPath("/_next/static/a.js")).toBe(true);
    expect(isDashboardPath("/metrics")).toBe(false);
  });
});

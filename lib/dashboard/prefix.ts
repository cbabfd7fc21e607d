// The dashboard under a path prefix (an ingress or reverse proxy serving pushboard at /pushgateway/).
// Next.js fixes its basePath at build time, so pushboard never builds one in: the front server strips the
// route prefix before Next.js sees a request, Next.js is given the browser-side prefix as its assetPrefix at
// start, and the dashboard's own links and API calls put the same prefix in front (components/prefix.tsx).
// One build therefore serves any prefix, chosen by flags at start, also from a read-only image.
import type { Config } from "../config/flags";

/** Environment variable through which the pushboard server hands the browser-side prefix to Next.js. */
export const PUBLIC_PREFIX_ENV = "PUSHBOARD_PUBLIC_PREFIX";

function normalise(p: string): string {
  let out = p.startsWith("/") ? p : "/" + p;
  while (out.endsWith("/")) out = out.slice(0, -1);
  return out;
}

/**
 * The prefix the browser sees in front of every dashboard path: the path of --web.external-url when given (a
 * proxy may strip it before the request reaches pushboard, with --web.route-prefix=/), else the route prefix.
 * "" or "/a/b" (leading slash, no trailing slash).
 */
export function publicPrefix(config: Pick<Config, "externalUrl" | "routePrefix">): string {
  if (config.externalUrl) {
    try {
      return normalise(new URL(config.externalUrl).pathname);
    } catch {
      /* the flag parser has refused invalid URLs already */
    }
  }
  return config.routePrefix;
}

/** The request target as Next.js must see it: the route prefix removed ("/p" + "/x?q" → "/x?q"). */
export function stripRoutePrefix(rawUrl: string, routePrefix: string): string {
  if (!routePrefix || !rawUrl.startsWith(routePrefix)) return rawUrl;
  const rest = rawUrl.slice(routePrefix.length);
  return rest === "" || rest.startsWith("?") ? "/" + rest : rest;
}

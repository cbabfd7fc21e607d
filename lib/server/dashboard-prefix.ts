// The dashboard under a path prefix, server side (see lib/dashboard/prefix.ts for the whole scheme): requests
// reach Next.js without the route prefix, and Next.js learns the browser-side prefix before it starts.
//
// Client side, Turbopack's browser runtime loads every further chunk from
// a base path fixed at build time ("/_next/") unless the global TURBOPACK_CHUNK_BASE_PATH is set before the
// runtime runs. The HTML can only set it after the runtime's async <script> may already have run, so the
// pushboard server serves the runtime chunk itself with that one assignment in front, from memory (nothing is
// written, the build stays read-only). See lib/dashboard/prefix.ts for the whole scheme.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type http from "node:http";
import type { Config } from "../config/flags";
import { PUBLIC_PREFIX_ENV, publicPrefix, stripRoutePrefix } from "../dashboard/prefix";
import type { Logger } from "./logger";

const CHUNKS = "/_next/static/chunks/";
const MARKER = "TURBOPACK_CHUNK_BASE_PATH";

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>;

/**
 * Call before Next.js starts: next.config.js (assetPrefix) and the root layout read the prefix from here, and
 * the client reference manifests get it in front of their chunk URLs.
 */
export function announcePublicPrefix(config: Config): void {
  const prefix = publicPrefix(config);
  process.env[PUBLIC_PREFIX_ENV] = prefix;
  if (prefix) prefixClientReferenceChunks(prefix);
}

// Next.js registers each route's client reference manifest in this process-wide singleton
// (next/dist/server/app-render/manifests-singleton.js). Turbopack writes the manifests' chunk URLs with the
// build's asset prefix ("/_next/static/chunks/…"), and the pages send them to the browser as they are, so
// without this the browser would load the dashboard's client components from outside the prefix.
const MANIFESTS = Symbol.for("next.server.manifests");
interface ClientManifest {
  clientModules?: Record<string, { chunks?: string[] }>;
}
type ManifestsPerRoute = Map<string, { clientReferenceManifest?: ClientManifest }>;

function prefixClientReferenceChunks(prefix: string): void {
  // Next.js freezes the manifests: registered routes get a prefixed copy instead.
  const prefixed = (m: ClientManifest | undefined): ClientManifest | undefined => {
    if (!m?.clientModules) return m;
    const clientModules: NonNullable<ClientManifest["clientModules"]> = {};
    for (const [id, entry] of Object.entries(m.clientModules)) {
      clientModules[id] = entry.chunks ? { ...entry, chunks: entry.chunks.map((c) => (c.startsWith("/_next/") ? prefix + c : c)) } : entry;
    }
    return { ...m, clientModules };
  };
  const watched = new WeakSet<object>();
  const watch = (singleton: { clientReferenceManifestsPerRoute?: ManifestsPerRoute } | undefined) => {
    const routes = singleton?.clientReferenceManifestsPerRoute;
    if (!routes || watched.has(routes)) return;
    watched.add(routes);
    const set = routes.set.bind(routes);
    for (const [route, v] of routes) set(route, { ...v, clientReferenceManifest: prefixed(v.clientReferenceManifest) });
    routes.set = (route, value) => set(route, { ...value, clientReferenceManifest: prefixed(value.clientReferenceManifest) });
  };
  const holder = globalThis as unknown as Record<symbol, { clientReferenceManifestsPerRoute?: ManifestsPerRoute } | undefined>;
  let current = holder[MANIFESTS];
  watch(current);
  Object.defineProperty(holder, MANIFESTS, {
    configurable: true,
    enumerable: false,
    get: () => current,
    set: (v) => {
      current = v;
      watch(v);
    },
  });
}

/** Wraps Next's request handler for the dashboard requests the protocol router hands over. */
export function dashboardUnderPrefix(next: Handler, config: Config, nextDir: string, log: Logger): Handler {
  const chunk = prefixedRuntimeChunks(nextDir, publicPrefix(config), log);
  return async (req, res) => {
    req.url = stripRoutePrefix(req.url ?? "/", config.routePrefix);
    const patched = req.method === "GET" || req.method === "HEAD" ? chunk(req.url.split("?")[0]!) : undefined;
    if (!patched) return next(req, res);
    res.writeHead(200, { ...patched.headers, "Content-Length": String(patched.body.length) });
    res.end(req.method === "HEAD" ? undefined : patched.body);
  };
}

interface ServedChunk {
  headers: Record<string, string>;
  body: Buffer;
}

/**
 * For a non-empty prefix: a lookup from a request path (without the route prefix) to the patched runtime chunk,
 * or undefined for every other path. The runtime chunks are found once, by the global they read.
 */
export function prefixedRuntimeChunks(nextDir: string, prefix: string, log: Logger): (pathname: string) => ServedChunk | undefined {
  const served = new Map<string, ServedChunk>();
  if (prefix) {
    const dir = path.join(nextDir, "static/chunks");
    let names: string[] = [];
    try {
      names = readdirSync(dir).filter((n) => n.endsWith(".js"));
    } catch {
      /* no client chunks: nothing to patch */
    }
    const assignment = Buffer.from(`self.${MARKER}=${JSON.stringify(`${prefix}/_next/`)};`);
    for (const name of names) {
      const body = readFileSync(path.join(dir, name));
      if (!body.includes(MARKER)) continue;
      served.set(CHUNKS + name, {
        headers: { "Content-Type": "application/javascript; charset=UTF-8", "Cache-Control": "public, max-age=31536000, immutable" },
        body: Buffer.concat([assignment, body]),
      });
    }
    if (served.size === 0) log("warn", "dashboard under a prefix: no Turbopack runtime chunk found; pages may fail to load further chunks", { dir });
  }
  return (pathname) => served.get(pathname);
}

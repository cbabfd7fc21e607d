// The one implementation of the Pushgateway protocol (prometheus/pushgateway main.go's routes and handler/):
// method + raw path + headers + body in, status + headers + body (or "the dashboard's") out. The node:http fast
// path and the Next.js route handlers are both thin adapters around it.
import { createGzip, gzipSync } from "node:zlib";
import type { Config } from "../config/flags";
import { parseGroupingPath } from "../grouping/parse-path";
import type { MetricStore } from "../store/types";
import { CORS_HEADERS, metricsJson, statusJson } from "./api-v1";
import type { OwnMetrics } from "./own-metrics";
import { emptyResponse, errorResponse, NOT_FOUND, redirect, textResponse, type ProtocolResponse } from "./response";
import { RouteTable } from "./routes";
import { ScrapeRenderer, type DerivedFamilies } from "./scrape";
import type { Lifecycle } from "../lifecycle/lifecycle";
import type { PushDiagnostics } from "./push-diagnostics";
import { auditApi, deleteGroupsApi, lifecycleApi, listGroupsApi, type LifecycleApiDeps } from "./api-lifecycle";
import { cleanPath, decodePath, escapePath, isDashboardPath, isUtf8PercentEncoding } from "./url";
import { negotiateResponseEncoding } from "../http/content-encoding";
import { foreignOriginReason } from "../http/origin";
import { OPENMETRICS_EOF } from "../exposition/render-openmetrics";
import { negotiateScrapeFormat, SCRAPE_CONTENT_TYPE } from "./media-type";
import { PushHandler } from "./push";
import { auditSource, header, type ProtocolRequest } from "./request";

/** Set on reads answered from the last known state because the store cannot confirm it is current. */
export const STALE_HEADER = "X-Pushboard-Stale";

export interface ProtocolDeps {
  config: Config;
  store: MetricStore;
  own: OwnMetrics;
  buildInfo: Record<string, string>;
  startedAtMs: number;
  /** Called after /-/quit has answered. */
  requestShutdown: () => void;
  /** Families computed from the store for /metrics (per-group health), if enabled. */
  derived?: DerivedFamilies;
  /** Lifecycle rules, for the selector, lifecycle and audit APIs. */
  lifecycle?: Lifecycle;
  /** Where rejected pushes are remembered per grouping key. */
  diagnostics?: PushDiagnostics;
  now?: () => number;
}

/** The dashboard's (Next.js's) to serve: its pages, including those at the Pushgateway UI's paths (`/`, `/status`). */
type DashboardPage = { kind: "dashboard" };
const DASHBOARD_PAGE: DashboardPage = { kind: "dashboard" };

/** What the router does with a request: answer it, or hand it to the dashboard. */
export type RouterOutcome = { kind: "response"; response: ProtocolResponse } | DashboardPage;

type Handler = (req: ProtocolRequest, params: Record<string, string>, url: ParsedUrl) => Promise<ProtocolResponse | DashboardPage>;

function isDashboardPage(out: ProtocolResponse | DashboardPage): out is DashboardPage {
  return "kind" in out;
}

interface Route {
  /** The `handler` label of pushgateway_http_requests_total. */
  name: string;
  fn: Handler;
  /** Counted in pushgateway_http_requests_total (the Pushgateway instruments every handler but the scrape and static files). */
  counted: boolean;
}

interface ParsedUrl {
  path: string;
  query: string;
}

const WRITE_METHODS = new Set(["PUT", "POST", "DELETE", "PATCH"]);

export class ProtocolRouter {
  private readonly main = new RouteTable<Route>();
  private readonly api = new RouteTable<Route>();
  readonly scrape: ScrapeRenderer;
  private readonly pushes: PushHandler;
  private readonly prefix: string;
  private readonly apiPrefix: string;

  constructor(private readonly deps: ProtocolDeps) {
    const { config } = deps;
    this.prefix = config.routePrefix;
    this.apiPrefix = this.prefix + "/api/v1";
    const now = deps.now ?? (() => performance.timeOrigin + performance.now());
    this.scrape = new ScrapeRenderer(deps.store, deps.own, deps.derived);
    this.pushes = new PushHandler({ config, store: deps.store, own: deps.own, diagnostics: deps.diagnostics, now });
    const P = this.prefix;
    const r = (name: string, fn: Handler): Route => ({ name, fn, counted: true });
    const uncounted = (name: string, fn: Handler): Route => ({ name, fn, counted: false });
    const page: Handler = async () => DASHBOARD_PAGE;
    this.main
      .add(
        "GET",
        P + config.telemetryPath,
        uncounted("metrics", (req) => this.handleScrape(req)),
      )
      .add(
        "GET",
        P + "/-/healthy",
        r("healthy", async () => this.health()),
      )
      .add(
        "GET",
        P + "/-/ready",
        r("ready", async () => this.readiness()),
      )
      .add(
        "GET",
        P + "/static/*filepath",
        uncounted("static", async () => NOT_FOUND()),
      )
      .add("GET", P + "/", r("status", page))
      .add("GET", P + "/status", r("status", page))
      .add("GET", P + "/activity", r("status", page))
      .add("GET", P + "/expiries", r("status", page))
      .add("GET", P + "/jobs", r("status", page))
      .add(
        "PUT",
        P + "/-/quit",
        r("quit", async () => this.quit()),
      )
      .add(
        "POST",
        P + "/-/quit",
        r("quit", async () => this.quit()),
      )
      .add(
        "GET",
        "/-/quit",
        r("quit", async () => textResponse(405, "Only POST or PUT requests allowed.")),
      );
    // Own metrics only (no pushed groups): for scraping every replica of a replicated deployment per pod, while
    // the pushed groups are scraped once through the Service on the telemetry path.
    if (config.ownMetricsPath && config.ownMetricsPath !== config.telemetryPath) {
      this.main.add(
        "GET",
        P + config.ownMetricsPath,
        uncounted("metrics", (req) => this.handleScrape(req, true)),
      );
    }
    for (const suffix of ["", "@base64"]) {
      const base64 = suffix !== "";
      const push =
        (replace: boolean): Handler =>
        (req, params) =>
          this.pushes.push(req, params, replace, base64);
      const del: Handler = (req, params) => this.handleDelete(req, params, base64);
      for (const tail of ["/:job/*labels", "/:job"]) {
        const pattern = `${P}/metrics/job${suffix}${tail}`;
        this.main
          .add("PUT", pattern, r("push", push(true)))
          .add("POST", pattern, r("push", push(false)))
          .add("DELETE", pattern, r("delete", del));
      }
    }
    for (const m of ["PUT", "POST", "DELETE"]) this.main.addSlashRedirect(m, `${P}/metrics/job/`);
    this.api
      .add(
        "GET",
        "/status",
        r("api/v1/status", async () => this.apiStatus()),
      )
      .add(
        "GET",
        "/metrics",
        r("api/v1/metrics", async () => this.apiMetrics()),
      )
      .add(
        "OPTIONS",
        "/*path",
        r("api/v1/options", async () => emptyResponse(200, { ...CORS_HEADERS })),
      );
    if (config.enableAdminApi)
      this.api.add(
        "PUT",
        "/admin/wipe",
        r("wipe", async (req) => this.wipe(req)),
      );
    const lifecycle = deps.lifecycle;
    if (lifecycle) {
      const ld: LifecycleApiDeps = { store: deps.store, lifecycle, enableAdminApi: config.enableAdminApi, now: () => Date.now() };
      const read =
        (fn: (url: ParsedUrl) => ProtocolResponse): Handler =>
        async (_req, _p, url) => {
          const headers: Record<string, string> = {};
          const unloaded = await this.syncForRead(headers);
          if (unloaded) return unloaded;
          const res = fn(url);
          Object.assign(res.headers, headers);
          return res;
        };
      this.api
        .add(
          "GET",
          "/groups",
          r(
            "api/v1/groups",
            read((url) => listGroupsApi(ld, url.query)),
          ),
        )
        .add(
          "DELETE",
          "/groups",
          r("api/v1/groups", async (req, _p, url) => deleteGroupsApi(ld, url.query, auditSource(req, "selector"))),
        )
        .add(
          "GET",
          "/lifecycle",
          r(
            "api/v1/lifecycle",
            read(() => lifecycleApi(ld)),
          ),
        )
        .add(
          "GET",
          "/audit",
          r(
            "api/v1/audit",
            read((url) => auditApi(ld, url.query)),
          ),
        );
    }
  }

  /** Handles a protocol request, or says that the path belongs to the dashboard (Next.js). */
  async handle(req: ProtocolRequest): Promise<RouterOutcome> {
    const out = await this.dispatch(req);
    return isDashboardPage(out) ? out : { kind: "response", response: out };
  }

  private async dispatch(req: ProtocolRequest): Promise<ProtocolResponse | DashboardPage> {
    const q = req.rawUrl.indexOf("?");
    const rawPath = q >= 0 ? req.rawUrl.slice(0, q) : req.rawUrl;
    const query = q >= 0 ? req.rawUrl.slice(q) : "";
    const path = decodePath(rawPath);
    const clean = path === undefined ? undefined : cleanPath(path);
    if (isDashboardPath(rawPath, this.prefix)) {
      // One normalisation decides who serves a path: Next.js only gets dashboard paths that are already clean,
      // so `/api/ui/../../metrics/job/x` cannot reach a protocol route through Next (and around the body
      // limits here); it gets the same 301 to its clean form as any other unclean path.
      if (path === undefined || !isUtf8PercentEncoding(rawPath)) return errorResponse(400, "malformed percent-encoding in the request path");
      if (clean === path) return DASHBOARD_PAGE;
    }
    if (path === undefined) return textResponse(400, "400 Bad Request", { Connection: "close" });
    if (clean !== path) return redirect(req.method, 301, escapePath(clean!) + query);
    const url = { path, query };
    if (WRITE_METHODS.has(req.method) && !this.deps.config.allowCrossSitePush) {
      // A page on another site can send a no-cors POST/PUT to any URL; no push client marks a request like a browser.
      const foreign = foreignOriginReason(req.headers, this.deps.config.externalUrl);
      if (foreign)
        return errorResponse(
          403,
          `cross-site request refused (${foreign}): browser pages on other origins may not push, delete, wipe or quit; start with --web.allow-cross-site-push to allow it as the Pushgateway does`,
        );
    }

    // Go's ServeMux sends the API subtree to its own router, with the prefix stripped.
    if (path === this.apiPrefix) return redirect(req.method, 301, escapePath(path + "/") + query);
    if (path.startsWith(this.apiPrefix + "/")) return this.route(this.api, req, path.slice(this.apiPrefix.length), url, query);
    return this.route(this.main, req, path, url, query);
  }

  private async route(table: RouteTable<Route>, req: ProtocolRequest, path: string, url: ParsedUrl, query: string): Promise<ProtocolResponse | DashboardPage> {
    const found = table.lookup(req.method, path);
    switch (found.kind) {
      case "match": {
        const res = await found.handler.fn(req, found.params, url);
        if (isDashboardPage(res)) return res;
        if (found.handler.counted) this.deps.own.requests.inc({ code: String(res.status), handler: found.handler.name, method: req.method.toLowerCase() });
        return res;
      }
      case "redirect":
        return redirect(req.method, found.status, escapePath(found.location) + query);
      case "options":
        return emptyResponse(200, { Allow: found.allow });
      case "notAllowed":
        return errorResponse(405, "Method Not Allowed", { Allow: found.allow });
      case "notFound":
        return NOT_FOUND();
    }
  }

  private health(): ProtocolResponse {
    if (!this.deps.store.healthy()) return textResponse(500, "write queue is full");
    return textResponse(200, "OK");
  }

  /**
   * Ready: healthy, the store loaded and confirmed current (a replica cut off from its database is not), and the
   * storage writable: while commits fail (disk full, I/O error) every push would answer 500, so /-/ready answers
   * 503 and a load balancer sends pushes to a replica that can take them. /-/healthy stays 200 (restarting would
   * not free the disk). It turns 200 again with the next successful commit.
   */
  private readiness(): ProtocolResponse {
    if (!this.deps.store.healthy()) return textResponse(500, "write queue is full");
    const failing = this.deps.store.storageStatus?.failing;
    if (failing) return textResponse(503, `storage is failing since ${new Date(failing.sinceMs).toISOString()}: ${failing.message}\n`);
    if (!this.deps.store.ready()) {
      const stale = this.deps.store.freshness().stale;
      return textResponse(503, `not ready: ${stale ? stale.message : "store not loaded yet"}`);
    }
    return textResponse(200, "OK");
  }

  private quit(): ProtocolResponse {
    if (!this.deps.config.enableLifecycle) return textResponse(403, "Lifecycle API is not enabled.");
    setImmediate(() => this.deps.requestShutdown());
    return textResponse(200, "Requesting termination... Goodbye!");
  }

  private async wipe(req: ProtocolRequest): Promise<ProtocolResponse> {
    const res = await this.deps.store.submit({ kind: "wipe", audit: auditSource(req, "api") });
    if (!res.ok) return errorResponse(res.status, res.message);
    return emptyResponse(202);
  }

  private async apiMetrics(): Promise<ProtocolResponse> {
    const headers = { ...CORS_HEADERS, "Content-Type": "application/json" };
    const unloaded = await this.syncForRead(headers);
    if (unloaded) return unloaded;
    return { status: 200, headers, body: metricsJson(this.deps.store.groups()) };
  }

  /**
   * Read barrier before answering from the store: waits until the store includes every write acknowledged anywhere
   * before this request; if that cannot be confirmed, the answer is the last known state with a header saying so.
   * Resolves to a 503 response when there is no state to answer from yet (a replica that never reached its database).
   */
  private async syncForRead(headers: Record<string, string>): Promise<ProtocolResponse | undefined> {
    const fresh = await this.deps.store.sync();
    if (!fresh.stale) return undefined;
    if (fresh.stale.unloaded) return errorResponse(503, `store not loaded yet: ${fresh.stale.message}`);
    headers[STALE_HEADER] = fresh.stale.message;
    return undefined;
  }

  private async apiStatus(): Promise<ProtocolResponse> {
    const body = statusJson(this.deps.buildInfo, this.deps.config.flagValues, this.deps.startedAtMs);
    return { status: 200, headers: { ...CORS_HEADERS, "Content-Type": "application/json" }, body };
  }

  private async handleDelete(req: ProtocolRequest, params: Record<string, string>, base64: boolean): Promise<ProtocolResponse> {
    const parsed = parseGroupingPath(params.job ?? "", params.labels ?? "", base64);
    if (!parsed.ok) return errorResponse(400, parsed.message);
    const res = await this.deps.store.submit({ kind: "delete", labels: parsed.grouping.labels, audit: auditSource(req, "api") });
    if (!res.ok) return errorResponse(res.status, res.message);
    return emptyResponse(202);
  }

  private async handleScrape(req: ProtocolRequest, ownOnly = false): Promise<ProtocolResponse> {
    const accept = header(req, "accept") ?? "";
    const format = negotiateScrapeFormat(accept);
    const headers: Record<string, string> = {};
    if (!ownOnly) {
      this.deps.own.lastScrapeMs = Date.now();
      const unloaded = await this.syncForRead(headers);
      if (unloaded) return unloaded;
    }
    let body: Buffer[] = await this.scrape.renderParts(format, ownOnly);
    if (format === "openmetrics") body.push(Buffer.from(OPENMETRICS_EOF));
    headers["Content-Type"] = SCRAPE_CONTENT_TYPE[format];
    if (negotiateResponseEncoding(header(req, "accept-encoding")) === "gzip") {
      body = await gzipParts(body);
      headers["Content-Encoding"] = "gzip";
    }
    return { status: 200, headers, body };
  }
}

/** Above this size a gzip answer is compressed part by part; below, the one copy is cheap and one call faster. */
const GZIP_IN_PARTS_BYTES = 8 << 20;

/**
 * One gzip stream (level 1) of the parts in order. A large answer (a scrape of ~90k series or more) is fed part
 * by part, so the uncompressed answer is never copied together (a buffer of its size per scrape, kept until the
 * next GC); a smaller one is compressed in one synchronous call, as measured cheaper at 30k series.
 */
export async function gzipParts(parts: readonly Buffer[]): Promise<Buffer[]> {
  let size = 0;
  for (const p of parts) size += p.length;
  if (size < GZIP_IN_PARTS_BYTES) return [gzipSync(Buffer.concat(parts, size), { level: 1 })];
  return new Promise((resolve, reject) => {
    const gz = createGzip({ level: 1 });
    const out: Buffer[] = [];
    gz.on("data", (c: Buffer) => out.push(c));
    gz.on("end", () => resolve(out));
    gz.on("error", reject);
    for (const p of parts) if (p.length > 0) gz.write(p);
    gz.end();
  });
}

// The one implementation of the Pushgateway protocol: method + raw path + headers + body in, status + headers +
// body out. The node:http fast path and the Next.js route handlers are both thin adapters around it.
import { gzipSync } from "node:zlib";
import type { Config } from "../config/flags";
import { parseGroupingPath } from "../grouping/parse-path";
import type { MetricFamily } from "../exposition/model";
import { parseText, TextParseError } from "../exposition/parse-text";
import { TEXT_CONTENT_TYPE } from "../exposition/render-text";
import type { MetricStore } from "../store/types";
import { CORS_HEADERS, metricsJson, statusJson } from "./api-v1";
import type { OwnMetrics } from "./own-metrics";
import { emptyResponse, errorResponse, NOT_FOUND, textResponse, type ProtocolResponse } from "./response";
import { RouteTable } from "./routes";
import { ScrapeRenderer, type DerivedFamilies } from "./scrape";
import type { Lifecycle } from "../lifecycle/lifecycle";
import type { PushDiagnostics } from "./push-diagnostics";
import { groupingKey } from "../grouping/grouping-key";
import type { AuditSource } from "../store/types";
import { auditApi, deleteGroupsApi, lifecycleApi, listGroupsApi, type LifecycleApiDeps } from "./api-lifecycle";
import { cleanPath, decodePath, escapePath } from "./url";
import { decodeRequestBodyAsync, BodyDecodeError, DecodedBodyTooLargeError, negotiateResponseEncoding } from "../http/content-encoding";
import { ParsePool } from "../exposition/parse-pool";
import { foreignOriginReason } from "../http/origin";
import { checkPushShape, checkStorageGrowth, rateLimited, RateLimiter, type LimitRejection } from "./push-limits";
import { OPENMETRICS_CONTENT_TYPE, OPENMETRICS_EOF } from "../exposition/render-openmetrics";

export interface ProtocolRequest {
  method: string;
  /** The request target exactly as received (path and query, still percent-encoded). */
  rawUrl: string;
  headers: Record<string, string | string[] | undefined>;
  /** Reads the whole body; rejects with BodyTooLargeError past `limit` bytes. */
  readBody(limit: number): Promise<Buffer>;
  /** The client's address: the per-client push rate limit, push diagnostics and the audit trail. */
  remoteAddress?: string;
  /** The authenticated user, when basic auth is on. */
  user?: string;
}

export class BodyTooLargeError extends Error {}

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

type Handler = (req: ProtocolRequest, params: Record<string, string>, url: ParsedUrl) => Promise<ProtocolResponse>;

interface ParsedUrl {
  path: string;
  query: string;
}

const PROTOBUF_MEDIA = "application/vnd.google.protobuf";
const WRITE_METHODS = new Set(["PUT", "POST", "DELETE", "PATCH"]);
const PROTOBUF_DELIMITED = `${PROTOBUF_MEDIA}; proto=io.prometheus.client.MetricFamily; encoding=delimited`;

function header(req: ProtocolRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Go's mime.ParseMediaType, reduced to what format selection needs. */
export function parseMediaType(value: string | undefined): { type: string; params: Record<string, string> } | undefined {
  if (!value) return undefined;
  const parts = value.split(";");
  const type = parts[0]!.trim().toLowerCase();
  if (!/^[!#$%&'*+\-.^_`|~0-9a-z]+\/[!#$%&'*+\-.^_`|~0-9a-z]+$/.test(type)) return undefined;
  const params: Record<string, string> = {};
  for (const p of parts.slice(1)) {
    if (p.trim() === "") continue;
    const eq = p.indexOf("=");
    if (eq < 0) return undefined;
    let v = p.slice(eq + 1).trim();
    if (v.startsWith('"') && v.endsWith('"') && v.length >= 2) v = v.slice(1, -1).replace(/\\(.)/g, "$1");
    params[p.slice(0, eq).trim().toLowerCase()] = v;
  }
  return { type, params };
}

function isDelimitedProtobuf(contentType: string | undefined): boolean {
  const mt = parseMediaType(contentType);
  return !!mt && mt.type === PROTOBUF_MEDIA && mt.params.proto === "io.prometheus.client.MetricFamily" && mt.params.encoding === "delimited";
}

/** Who sent a deleting request, for the audit trail. */
function auditSource(req: ProtocolRequest, source: AuditSource["source"]): AuditSource {
  const out: AuditSource = { source };
  if (req.remoteAddress) out.client = req.remoteAddress;
  if (req.user) out.user = req.user;
  const ua = header(req, "user-agent");
  if (ua) out.userAgent = ua.slice(0, 256);
  return out;
}

/** Go's computeApproximateRequestSize, for pushgateway_http_push_size_bytes. */
function approximateRequestSize(req: ProtocolRequest, bodyLength: number): number {
  let s = req.rawUrl.length + req.method.length + "HTTP/1.1".length;
  for (const [name, value] of Object.entries(req.headers)) {
    if (name === "host") continue;
    s += name.length;
    for (const v of Array.isArray(value) ? value : [value ?? ""]) s += v.length;
  }
  return s + (header(req, "host")?.length ?? 0) + bodyLength;
}

export class ProtocolRouter {
  private readonly main = new RouteTable<{ name: string; fn: Handler }>();
  private readonly api = new RouteTable<{ name: string; fn: Handler }>();
  readonly scrape: ScrapeRenderer;
  /** Large push bodies are parsed on worker threads, so one huge push cannot stall every other request. */
  private readonly parser = new ParsePool();
  private readonly prefix: string;
  private readonly apiPrefix: string;
  private readonly now: () => number;
  private readonly jobRate: RateLimiter | undefined;
  private readonly clientRate: RateLimiter | undefined;

  constructor(private readonly deps: ProtocolDeps) {
    const { config } = deps;
    this.prefix = config.routePrefix;
    this.apiPrefix = this.prefix + "/api/v1";
    this.now = deps.now ?? (() => performance.timeOrigin + performance.now());
    this.scrape = new ScrapeRenderer(deps.store, deps.own, deps.derived);
    const limits = config.limits;
    this.jobRate = limits?.pushRatePerJob > 0 ? new RateLimiter(limits.pushRatePerJob) : undefined;
    this.clientRate = limits?.pushRatePerClient > 0 ? new RateLimiter(limits.pushRatePerClient) : undefined;
    const P = this.prefix;
    const r = (name: string, fn: Handler) => ({ name, fn });
    const ui: Handler = async () => ({ status: 0, headers: {}, body: "" }); // status 0: hand over to Next.js
    this.main
      .add("GET", P + config.telemetryPath, r("metrics", (req) => this.handleScrape(req)))
      .add("GET", P + "/-/healthy", r("healthy", async () => this.health()))
      .add("GET", P + "/-/ready", r("ready", async () => this.readiness()))
      .add("GET", P + "/static/*filepath", r("static", async () => NOT_FOUND()))
      .add("GET", P + "/", r("status", ui))
      .add("GET", P + "/status", r("status", ui))
      .add("GET", P + "/activity", r("status", ui))
      .add("GET", P + "/expiries", r("status", ui))
      .add("PUT", P + "/-/quit", r("quit", async () => this.quit()))
      .add("POST", P + "/-/quit", r("quit", async () => this.quit()))
      .add("GET", "/-/quit", r("quit", async () => textResponse(405, "Only POST or PUT requests allowed.")));
    // Own metrics only (no pushed groups): for scraping every replica of a replicated deployment per pod, while
    // the pushed groups are scraped once through the Service on the telemetry path.
    if (config.ownMetricsPath && config.ownMetricsPath !== config.telemetryPath) {
      this.main.add("GET", P + config.ownMetricsPath, r("metrics", (req) => this.handleScrape(req, true)));
    }
    for (const suffix of ["", "@base64"]) {
      const base64 = suffix !== "";
      const push = (replace: boolean): Handler => (req, params) => this.handlePush(req, params, replace, base64);
      const del: Handler = (req, params) => this.handleDelete(req, params, base64);
      for (const tail of ["/:job/*labels", "/:job"]) {
        const pattern = `${P}/metrics/job${suffix}${tail}`;
        this.main.add("PUT", pattern, r("push", push(true))).add("POST", pattern, r("push", push(false))).add("DELETE", pattern, r("delete", del));
      }
    }
    for (const m of ["PUT", "POST", "DELETE"]) this.main.addSlashRedirect(m, `${P}/metrics/job/`);
    this.api
      .add("GET", "/status", r("api/v1/status", async () => this.apiStatus()))
      .add("GET", "/metrics", r("api/v1/metrics", async () => this.apiMetrics()))
      .add("OPTIONS", "/*path", r("api/v1/options", async () => emptyResponse(200, { ...CORS_HEADERS })));
    if (config.enableAdminApi) this.api.add("PUT", "/admin/wipe", r("wipe", async (req) => this.wipe(req)));
    const lifecycle = deps.lifecycle;
    if (lifecycle) {
      const ld: LifecycleApiDeps = { store: deps.store, lifecycle, enableAdminApi: config.enableAdminApi, now: () => Date.now() };
      const read = (fn: (url: ParsedUrl) => ProtocolResponse): Handler => async (_req, _p, url) => {
        const headers: Record<string, string> = {};
        const unloaded = await this.syncForRead(headers);
        if (unloaded) return unloaded;
        const res = fn(url);
        Object.assign(res.headers, headers);
        return res;
      };
      this.api
        .add("GET", "/groups", r("api/v1/groups", read((url) => listGroupsApi(ld, url.query))))
        .add("DELETE", "/groups", r("api/v1/groups", async (req, _p, url) => deleteGroupsApi(ld, url.query, auditSource(req, "selector"))))
        .add("GET", "/lifecycle", r("api/v1/lifecycle", read(() => lifecycleApi(ld))))
        .add("GET", "/audit", r("api/v1/audit", read((url) => auditApi(ld, url.query))));
    }
  }

  /**
   * Handles a protocol request. Resolves to null when the path belongs to the dashboard (Next.js).
   */
  async handle(req: ProtocolRequest): Promise<ProtocolResponse | null> {
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
      if (clean === path) return null;
    }
    if (path === undefined) return textResponse(400, "400 Bad Request", { Connection: "close" });
    if (clean !== path) return redirect(req.method, 301, escapePath(clean!) + query);
    const url = { path, query };
    if (WRITE_METHODS.has(req.method) && !this.deps.config.allowCrossSitePush) {
      // A page on another site can send a no-cors POST/PUT to any URL; no push client marks a request like a browser.
      const foreign = foreignOriginReason(req.headers, this.deps.config.externalUrl);
      if (foreign) return errorResponse(403, `cross-site request refused (${foreign}): browser pages on other origins may not push, delete, wipe or quit; start with --web.allow-cross-site-push to allow it as the Pushgateway does`);
    }

    // Go's ServeMux sends the API subtree to its own router, with the prefix stripped.
    if (path === this.apiPrefix) return redirect(req.method, 301, escapePath(path + "/") + query);
    if (path.startsWith(this.apiPrefix + "/")) return this.route(this.api, req, path.slice(this.apiPrefix.length), url, query);
    return this.route(this.main, req, path, url, query);
  }

  private async route(table: RouteTable<{ name: string; fn: Handler }>, req: ProtocolRequest, path: string, url: ParsedUrl, query: string): Promise<ProtocolResponse | null> {
    const found = table.lookup(req.method, path);
    switch (found.kind) {
      case "match": {
        const res = await found.handler.fn(req, found.params, url);
        if (res.status === 0) return null;
        if (found.handler.name !== "metrics" && found.handler.name !== "static") {
          this.deps.own.requests.inc({ code: String(res.status), handler: found.handler.name, method: req.method.toLowerCase() });
        }
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

  private async handlePush(req: ProtocolRequest, params: Record<string, string>, replace: boolean, base64: boolean): Promise<ProtocolResponse> {
    const started = performance.now();
    const method = req.method.toLowerCase();
    const observe = (res: ProtocolResponse, bodyLength: number): ProtocolResponse => {
      this.deps.own.pushDuration.observe({ method }, (performance.now() - started) / 1000);
      this.deps.own.pushSize.observe({ method }, approximateRequestSize(req, bodyLength));
      if (res.status >= 400) this.recordRejection(req, params, base64, res);
      return res;
    };
    const refused = (r: LimitRejection, bodyLength: number): ProtocolResponse => {
      this.deps.own.rejectedPushes.inc({ reason: r.reason });
      const extra: Record<string, string> = r.retryAfterSeconds ? { "Retry-After": String(r.retryAfterSeconds) } : {};
      return observe(errorResponse(r.status, r.message, extra), bodyLength);
    };
    if (this.clientRate && req.remoteAddress) {
      const wait = this.clientRate.take(req.remoteAddress, this.now());
      if (wait > 0) return refused(rateLimited("client", req.remoteAddress, this.deps.config.limits, wait), 0);
    }
    if (this.jobRate) {
      const g = parseGroupingPath(params.job ?? "", params.labels ?? "", base64);
      const job = g.ok ? (g.grouping.labels.find((l) => l.name === "job")?.value ?? "") : undefined;
      const wait = job === undefined ? 0 : this.jobRate.take(job, this.now());
      if (wait > 0) return refused(rateLimited("job", job!, this.deps.config.limits, wait), 0);
    }
    const limit = this.deps.config.maxBodyBytes;
    let raw: Buffer;
    try {
      raw = await req.readBody(limit);
    } catch (err) {
      if (err instanceof BodyTooLargeError) {
        this.deps.own.rejectedPushes.inc({ reason: "body_size" });
        return observe(errorResponse(413, `request body larger than the limit of ${limit} bytes (--push.max-body-size)`), 0);
      }
      throw err;
    }
    let body: Buffer;
    try {
      body = await decodeRequestBodyAsync(raw, header(req, "content-encoding"), limit);
    } catch (err) {
      if (err instanceof BodyDecodeError) return observe(errorResponse(400, err.message), raw.length);
      if (err instanceof DecodedBodyTooLargeError) {
        this.deps.own.rejectedPushes.inc({ reason: "body_size" });
        return observe(errorResponse(413, `decompressed request body larger than the limit of ${limit} bytes (--push.max-body-size)`), raw.length);
      }
      throw err;
    }
    const parsed = parseGroupingPath(params.job ?? "", params.labels ?? "", base64);
    if (!parsed.ok) return observe(errorResponse(400, parsed.message), raw.length);

    let families: MetricFamily[];
    try {
      families = await this.parser.parse(body, isDelimitedProtobuf(header(req, "content-type")));
    } catch (err) {
      if (err instanceof TextParseError || (err instanceof Error && err.name === "ProtobufDecodeError")) {
        return observe(errorResponse(400, err.message), raw.length);
      }
      throw err;
    }
    const limits = this.deps.config.limits;
    if (limits) {
      const r = checkPushShape(families, parsed.grouping.labels, limits) ?? checkStorageGrowth(this.deps.store, parsed.grouping.labels, families, replace, limits);
      if (r) return refused(r, raw.length);
    }
    const check = !this.deps.config.disableConsistencyCheck;
    const res = await this.deps.store.submit({
      kind: replace ? "put" : "post",
      labels: parsed.grouping.labels,
      invalidUtf8: parsed.grouping.invalidUtf8,
      families,
      check,
      nowMs: this.now(),
    });
    if (!check && (res.ok || res.status === 400)) return observe(emptyResponse(202), raw.length);
    if (!res.ok) return observe(errorResponse(res.status, res.message), raw.length);
    return observe(emptyResponse(200, { "Content-Length": "0" }), raw.length);
  }

  /** Remembers a rejected push under its grouping key (when the path names a valid one). */
  private recordRejection(req: ProtocolRequest, params: Record<string, string>, base64: boolean, res: ProtocolResponse): void {
    const diagnostics = this.deps.diagnostics;
    if (!diagnostics) return;
    const parsed = parseGroupingPath(params.job ?? "", params.labels ?? "", base64);
    if (!parsed.ok || parsed.grouping.invalidUtf8.size > 0) return;
    const message = typeof res.body === "string" ? res.body : Buffer.from(res.body).toString("utf8");
    diagnostics.record(groupingKey(parsed.grouping.labels), parsed.grouping.labels, { timeMs: Date.now(), status: res.status, message: message.trim(), client: req.remoteAddress });
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
    let body: Uint8Array = await this.scrape.render(format, ownOnly);
    const contentType = format === "protobuf" ? PROTOBUF_DELIMITED : format === "openmetrics" ? OPENMETRICS_CONTENT_TYPE : TEXT_CONTENT_TYPE;
    if (format === "openmetrics") body = Buffer.concat([body, Buffer.from(OPENMETRICS_EOF)]);
    headers["Content-Type"] = contentType;
    if (negotiateResponseEncoding(header(req, "accept-encoding")) === "gzip") {
      body = gzipSync(body, { level: 1 });
      headers["Content-Encoding"] = "gzip";
    }
    return { status: 200, headers, body };
  }
}

/**
 * Scrape format from the Accept header, like Go's expfmt.Negotiate: delimited protobuf when asked for, else
 * text 0.0.4. OpenMetrics (which the Pushgateway never serves) only when the client asks for it and does not
 * also accept text/plain: Prometheus lists both, and keeps getting exactly what the Pushgateway sends it.
 */
export function negotiateScrapeFormat(accept: string): "text" | "protobuf" | "openmetrics" {
  let openMetrics = false;
  let text = false;
  for (const part of accept.split(",")) {
    const mt = parseMediaType(part.trim());
    if (!mt || mt.params.q === "0") continue;
    if (mt.type === PROTOBUF_MEDIA && mt.params.proto === "io.prometheus.client.MetricFamily" && mt.params.encoding === "delimited") return "protobuf";
    if (mt.type === "application/openmetrics-text") openMetrics = true;
    if (mt.type === "text/plain" || mt.type === "text/*" || mt.type === "*/*") text = true;
  }
  return openMetrics && !text ? "openmetrics" : "text";
}

/** Whether the percent-escapes of a path decode to valid UTF-8 (Next.js answers 500 where they do not). */
function isUtf8PercentEncoding(rawPath: string): boolean {
  if (!rawPath.includes("%")) return true;
  try {
    decodeURIComponent(rawPath);
    return true;
  } catch {
    return false;
  }
}

/** Paths that belong to the dashboard, served by Next.js; under a route prefix, only below it. */
export function isDashboardPath(rawPath: string, prefix = ""): boolean {
  if (prefix) {
    if (!rawPath.startsWith(prefix + "/")) return false;
    rawPath = rawPath.slice(prefix.length);
  }
  return (
    rawPath.startsWith("/_next/") ||
    rawPath.startsWith("/api/ui/") ||
    rawPath.startsWith("/groups/") ||
    rawPath.startsWith("/__nextjs") ||
    rawPath === "/favicon.ico" ||
    rawPath === "/robots.txt" ||
    rawPath === "/icon.svg"
  );
}

/** Go's http.Redirect. */
function redirect(method: string, status: number, location: string): ProtocolResponse {
  const headers: Record<string, string> = { Location: location };
  if (method === "GET" || method === "HEAD") headers["Content-Type"] = "text/html; charset=utf-8";
  const text = status === 301 ? "Moved Permanently" : status === 307 ? "Temporary Redirect" : "Found";
  const body = method === "GET" ? `<a href="${location.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&#34;").replace(/'/g, "&#39;")}">${text}</a>.\n\n` : "";
  return { status, headers, body };
}

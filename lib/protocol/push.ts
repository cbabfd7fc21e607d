// PUT and POST on /metrics/job/…: prometheus/pushgateway handler/push.go (Push), with pushboard's limits, the
// push diagnostics and the instrumentation of handler/push.go's InstrumentWithCounter wrappers.
import type { MetricFamily } from "../exposition/model";
import { TextParseError } from "../exposition/parse-text";
import { ProtobufDecodeError } from "../exposition/parse-protobuf";
import { ParsePool } from "../exposition/parse-pool";
import { groupingKey } from "../grouping/grouping-key";
import { parseGroupingPath } from "../grouping/parse-path";
import { BodyDecodeError, decodeRequestBodyAsync, DecodedBodyTooLargeError } from "../http/content-encoding";
import type { Config } from "../config/flags";
import type { MetricStore } from "../store/types";
import { isDelimitedProtobuf } from "./media-type";
import type { OwnMetrics } from "./own-metrics";
import type { PushDiagnostics } from "./push-diagnostics";
import { checkPushShape, checkStorageGrowth, rateLimited, RateLimiter, type LimitRejection } from "./push-limits";
import { BodyTooLargeError, header, type ProtocolRequest } from "./request";
import { bodyBytes, emptyResponse, errorResponse, type ProtocolResponse } from "./response";

export interface PushDeps {
  config: Config;
  store: MetricStore;
  own: OwnMetrics;
  diagnostics?: PushDiagnostics;
  now: () => number;
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

function isParseError(err: unknown): err is Error {
  return err instanceof TextParseError || err instanceof ProtobufDecodeError;
}

export class PushHandler {
  /** Large push bodies are parsed on worker threads, so one huge push cannot stall every other request. */
  private readonly parser = new ParsePool();
  private readonly jobRate: RateLimiter | undefined;
  private readonly clientRate: RateLimiter | undefined;

  constructor(private readonly deps: PushDeps) {
    const limits = deps.config.limits;
    this.jobRate = limits?.pushRatePerJob > 0 ? new RateLimiter(limits.pushRatePerJob) : undefined;
    this.clientRate = limits?.pushRatePerClient > 0 ? new RateLimiter(limits.pushRatePerClient) : undefined;
  }

  async push(req: ProtocolRequest, params: Record<string, string>, replace: boolean, base64: boolean): Promise<ProtocolResponse> {
    const { config, own, store } = this.deps;
    const started = performance.now();
    const method = req.method.toLowerCase();
    const observe = (res: ProtocolResponse, bodyLength: number): ProtocolResponse => {
      own.pushDuration.observe({ method }, (performance.now() - started) / 1000);
      own.pushSize.observe({ method }, approximateRequestSize(req, bodyLength));
      if (res.status >= 400) this.recordRejection(req, params, base64, res);
      return res;
    };
    const refused = (r: LimitRejection, bodyLength: number): ProtocolResponse => {
      own.rejectedPushes.inc({ reason: r.reason });
      const extra: Record<string, string> = r.retryAfterSeconds ? { "Retry-After": String(r.retryAfterSeconds) } : {};
      return observe(errorResponse(r.status, r.message, extra), bodyLength);
    };
    if (this.clientRate && req.remoteAddress) {
      const wait = this.clientRate.take(req.remoteAddress, this.deps.now());
      if (wait > 0) return refused(rateLimited("client", req.remoteAddress, config.limits, wait), 0);
    }
    if (this.jobRate) {
      const g = parseGroupingPath(params.job ?? "", params.labels ?? "", base64);
      const job = g.ok ? (g.grouping.labels.find((l) => l.name === "job")?.value ?? "") : undefined;
      const wait = job === undefined ? 0 : this.jobRate.take(job, this.deps.now());
      if (job !== undefined && wait > 0) return refused(rateLimited("job", job, config.limits, wait), 0);
    }
    const limit = config.maxBodyBytes;
    let raw: Buffer;
    try {
      raw = await req.readBody(limit);
    } catch (err) {
      if (err instanceof BodyTooLargeError) {
        own.rejectedPushes.inc({ reason: "body_size" });
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
        own.rejectedPushes.inc({ reason: "body_size" });
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
      if (isParseError(err)) return observe(errorResponse(400, err.message), raw.length);
      throw err;
    }
    const limits = config.limits;
    if (limits) {
      const r = checkPushShape(families, parsed.grouping.labels, limits) ?? checkStorageGrowth(store, parsed.grouping.labels, families, replace, limits);
      if (r) return refused(r, raw.length);
    }
    const check = !config.disableConsistencyCheck;
    const res = await store.submit({
      kind: replace ? "put" : "post",
      labels: parsed.grouping.labels,
      invalidUtf8: parsed.grouping.invalidUtf8,
      families,
      check,
      nowMs: this.deps.now(),
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
    const message = typeof res.body === "string" ? res.body : Buffer.from(bodyBytes(res.body)).toString("utf8");
    diagnostics.record(groupingKey(parsed.grouping.labels), parsed.grouping.labels, {
      timeMs: Date.now(),
      status: res.status,
      message: message.trim(),
      client: req.remoteAddress,
    });
  }
}

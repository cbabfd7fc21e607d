// Raw HTTP for the conformance suite: node:http with the request path sent byte-for-byte as written (fetch would
// normalise `//`, `/./`, `%2F`…), no connection reuse, and the response body collected as bytes.
import { request } from "node:http";
import { gunzipSync, gzipSync } from "node:zlib";

export interface RawRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  /** gzip the body and send `Content-Encoding: gzip`. */
  gzip?: boolean;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  /** Body bytes, gunzipped when the server answered `Content-Encoding: gzip`. */
  body: Buffer;
  /** The body as received (still compressed, if it was). */
  rawBody: Buffer;
}

export function rawRequest(baseUrl: string, req: RawRequest, timeoutMs = 10_000): Promise<RawResponse> {
  const u = new URL(baseUrl);
  let body: Buffer | undefined = req.body === undefined ? undefined : Buffer.from(req.body);
  const headers: Record<string, string> = { ...(req.headers ?? {}) };
  if (req.gzip) {
    body = gzipSync(body ?? Buffer.alloc(0));
    headers["Content-Encoding"] = "gzip";
  }
  if (body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === "content-length")) {
    headers["Content-Length"] = String(body.length);
  }
  return new Promise((resolve, reject) => {
    const r = request({ host: u.hostname, port: Number(u.port), method: req.method, path: req.path, headers, agent: false, setHost: true }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("error", reject);
      res.on("end", () => {
        const rawBody = Buffer.concat(chunks);
        const hs: Record<string, string> = {};
        for (const [k, v] of Object.entries(res.headers)) {
          if (v !== undefined) hs[k.toLowerCase()] = Array.isArray(v) ? v.join(", ") : v;
        }
        let decoded = rawBody;
        if ((hs["content-encoding"] ?? "").toLowerCase() === "gzip" && rawBody.length > 0) {
          try {
            decoded = gunzipSync(rawBody);
          } catch {
            decoded = rawBody;
          }
        }
        resolve({ status: res.statusCode ?? 0, headers: hs, body: decoded, rawBody });
      });
    });
    r.setTimeout(timeoutMs, () => r.destroy(new Error(`timeout after ${timeoutMs} ms: ${req.method} ${req.path}`)));
    r.on("error", reject);
    r.end(body);
  });
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

// The framework-free request shape both front ends hand to the protocol router, and what is read off it.
import type { AuditSource } from "../store/types";

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

export class BodyTooLargeError extends Error {
  constructor() {
    super("request body too large");
    this.name = "BodyTooLargeError";
  }
}

export function header(req: ProtocolRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Who sent a deleting request, for the audit trail. */
export function auditSource(req: ProtocolRequest, source: AuditSource["source"]): AuditSource {
  const out: AuditSource = { source };
  if (req.remoteAddress) out.client = req.remoteAddress;
  if (req.user) out.user = req.user;
  const ua = header(req, "user-agent");
  if (ua) out.userAgent = ua.slice(0, 256);
  return out;
}

// Browser hardening for everything Next.js serves (the dashboard): a Content-Security-Policy that forbids
// framing (clickjacking: a foreign page framing /groups/<id> and steering two clicks into a delete) and only runs
// this server's scripts, plus X-Frame-Options for older browsers, nosniff and a Referrer-Policy.
//
// Next.js's inline bootstrap scripts are allowed by a per-request nonce: Next.js reads it from the request's
// Content-Security-Policy header (what a middleware would set) and puts it on every script it renders, which is
// why the dashboard's pages render per request.
import { randomBytes } from "node:crypto";
import type http from "node:http";

export function pagePolicy(nonce: string): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}'`,
    // React and tailwind set style attributes; styles cannot run code.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

export function applyPageSecurity(req: http.IncomingMessage, res: http.ServerResponse): void {
  const policy = pagePolicy(randomBytes(16).toString("base64"));
  req.headers["content-security-policy"] = policy;
  res.setHeader("Content-Security-Policy", policy);
  res.setHeader("X-Frame-Options", "DENY");
  res.setHeader("X-Content-Type-Options", "nosniff");
  res.setHeader("Referrer-Policy", "same-origin");
}

// Raw request paths as Go's net/http sees them: percent-decoding, ServeMux's clean-path rule, and re-escaping
// for redirect locations, and which paths belong to the dashboard.
import { UI_API_PATH } from "../dashboard/api-constants";

/**
 * Percent-decodes a raw path into a binary string (one char per byte), as Go's URL.Path holds it.
 * Returns undefined for a malformed escape (Go answers 400 Bad Request before routing).
 */
export function decodePath(raw: string): string | undefined {
  if (!raw.includes("%")) return Buffer.from(raw, "utf8").toString("latin1");
  const bytes = Buffer.from(raw, "utf8");
  const out = Buffer.alloc(bytes.length);
  let n = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b !== 37 /* % */) {
      out[n++] = b;
      continue;
    }
    const hex = bytes.subarray(i + 1, i + 3).toString("latin1");
    if (!/^[0-9a-fA-F]{2}$/.test(hex)) return undefined;
    out[n++] = parseInt(hex, 16);
    i += 2;
  }
  return out.subarray(0, n).toString("latin1");
}

/** Go's path.Clean. */
function cleanSlashPath(p: string): string {
  const parts: string[] = [];
  for (const seg of p.split("/")) {
    if (seg === "" || seg === ".") continue;
    if (seg === "..") parts.pop();
    else parts.push(seg);
  }
  return "/" + parts.join("/");
}

/** Go ServeMux's cleanPath: rooted, cleaned, trailing slash kept. */
export function cleanPath(p: string): string {
  if (p === "") return "/";
  const rooted = p.startsWith("/") ? p : "/" + p;
  let np = cleanSlashPath(rooted);
  if (rooted.endsWith("/") && np !== "/") np += "/";
  return np;
}

const UNESCAPED = /[A-Za-z0-9\-_.~$&+,/:;=@]/;

/** Go's URL.EscapedPath for a decoded binary-string path. */
export function escapePath(binary: string): string {
  let out = "";
  for (let i = 0; i < binary.length; i++) {
    const c = binary[i]!;
    out += UNESCAPED.test(c) ? c : "%" + binary.charCodeAt(i).toString(16).toUpperCase().padStart(2, "0");
  }
  return out;
}

/** Whether the percent-escapes of a path decode to valid UTF-8 (Next.js answers 500 where they do not). */
export function isUtf8PercentEncoding(rawPath: string): boolean {
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
    rawPath.startsWith(UI_API_PATH + "/") ||
    rawPath.startsWith("/groups/") ||
    rawPath.startsWith("/__nextjs") ||
    rawPath === "/favicon.ico" ||
    rawPath === "/robots.txt" ||
    rawPath === "/icon.svg"
  );
}

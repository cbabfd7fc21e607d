// The framework-free response shape shared by the node:http fast path and the Next.js route handlers.

export interface ProtocolResponse {
  status: number;
  headers: Record<string, string>;
  /** An array is sent as its parts in order (a large scrape answer, never copied into one buffer). */
  body: string | Uint8Array | readonly Uint8Array[];
}

/** The body as one buffer (copied together if it is in parts). */
export function bodyBytes(body: ProtocolResponse["body"]): Uint8Array {
  if (typeof body === "string") return Buffer.from(body);
  return Array.isArray(body) ? Buffer.concat(body as readonly Uint8Array[]) : (body as Uint8Array);
}

/** The body's length in bytes. */
export function bodyLength(body: ProtocolResponse["body"]): number {
  if (typeof body === "string") return Buffer.byteLength(body);
  if (!Array.isArray(body)) return (body as Uint8Array).length;
  let n = 0;
  for (const part of body as readonly Uint8Array[]) n += part.length;
  return n;
}

/** Go's http.Error: text/plain, nosniff, message plus newline. */
export function errorResponse(status: number, message: string, extraHeaders: Record<string, string> = {}): ProtocolResponse {
  return {
    status,
    headers: { "Content-Type": "text/plain; charset=utf-8", "X-Content-Type-Options": "nosniff", ...extraHeaders },
    body: message + "\n",
  };
}

export function textResponse(status: number, body: string, extraHeaders: Record<string, string> = {}): ProtocolResponse {
  return { status, headers: { "Content-Type": "text/plain; charset=utf-8", ...extraHeaders }, body };
}

export function emptyResponse(status: number, headers: Record<string, string> = {}): ProtocolResponse {
  return { status, headers, body: "" };
}

export const NOT_FOUND = (): ProtocolResponse => errorResponse(404, "404 page not found");

/** Go's http.Redirect. */
export function redirect(method: string, status: number, location: string): ProtocolResponse {
  const headers: Record<string, string> = { Location: location };
  if (method === "GET" || method === "HEAD") headers["Content-Type"] = "text/html; charset=utf-8";
  const text = status === 301 ? "Moved Permanently" : status === 307 ? "Temporary Redirect" : "Found";
  const body =
    method === "GET"
      ? `<a href="${location.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&#34;").replace(/'/g, "&#39;")}">${text}</a>.\n\n`
      : "";
  return { status, headers, body };
}

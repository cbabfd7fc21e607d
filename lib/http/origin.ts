// Whether a request comes from a browser page on another origin. Browsers mark such requests with
// Sec-Fetch-Site and Origin; push clients, curl and scripts send neither. The origin is compared with this
// server's own: the request's Host, or the host of --web.external-url. X-Forwarded-Host is not trusted: any client
// can send it, so an attacker's page would only have to name its own host there.

type Headers = Record<string, string | string[] | undefined>;

function first(v: string | string[] | undefined): string | undefined {
  const s = (Array.isArray(v) ? v[0] : v)?.trim();
  return s ? s : undefined;
}

/** A reason when the request is from a foreign page, undefined when it is same-origin or not from a browser. */
export function foreignOriginReason(headers: Headers, externalUrl: string): string | undefined {
  const site = first(headers["sec-fetch-site"])?.toLowerCase();
  if (site !== undefined && site !== "same-origin" && site !== "none") return `Sec-Fetch-Site: ${site}`;
  const origin = first(headers.origin);
  if (origin === undefined) return undefined;
  let originHost: string;
  try {
    originHost = new URL(origin).host.toLowerCase();
  } catch {
    return `Origin: ${origin}`;
  }
  if (originHost === "") return `Origin: ${origin}`;
  const host = first(headers.host)?.toLowerCase();
  if (host !== undefined && host === originHost) return undefined;
  if (externalUrl) {
    try {
      if (new URL(externalUrl).host.toLowerCase() === originHost) return undefined;
    } catch {
      /* validated at startup */
    }
  }
  return `Origin: ${origin}`;
}

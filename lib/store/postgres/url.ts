// The database URL: what a connection is made with, and (since it carries the password) how it is shown. It must
// never reach logs, errors, /api/v1/status or the dashboard: everything shown about the database goes through
// redactUrl, and every error text through the redactor.
import type pg from "pg";

/** Connection settings for the URL: every query, lock and connect attempt bounded by `timeoutMs`. */
export function clientConfigOf(url: string, timeoutMs: number): pg.ClientConfig {
  return {
    connectionString: url,
    application_name: "pushboard",
    connectionTimeoutMillis: timeoutMs,
    query_timeout: timeoutMs,
    statement_timeout: timeoutMs,
    lock_timeout: timeoutMs,
    // A replica that vanished mid-transaction must not hold the write lock for long.
    idle_in_transaction_session_timeout: timeoutMs * 2,
    keepAlive: true,
    keepAliveInitialDelayMillis: 5000,
  };
}

/** postgres://user:***@host:port/db?params (the password, and any password query parameter, masked). */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    for (const k of [...u.searchParams.keys()]) if (/pass/i.test(k)) u.searchParams.set(k, "***");
    return u.toString();
  } catch {
    return "postgres://***";
  }
}

/** A function that masks every occurrence of the URL's password (raw and percent-decoded) in a text. */
export function passwordRedactor(url: string): (text: string) => string {
  const secrets = new Set<string>();
  try {
    const u = new URL(url);
    if (u.password) {
      secrets.add(u.password);
      try {
        secrets.add(decodeURIComponent(u.password));
      } catch {
        /* not decodable: the raw form is enough */
      }
    }
    for (const [k, v] of u.searchParams) if (/pass/i.test(k) && v) secrets.add(v);
  } catch {
    /* validated at startup */
  }
  secrets.add(url);
  const list = [...secrets].filter((s) => s.length > 0).sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text;
    for (const s of list) out = out.split(s).join(s === url ? redactUrl(url) : "***");
    return out;
  };
}

// The database URL carries the password: it must never reach logs, errors, /api/v1/status or the dashboard.
// Everything shown about the database goes through redactUrl, and every error text through the redactor.

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

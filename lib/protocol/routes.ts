// A small route table with the redirect and 405 behaviour of julienschmidt/httprouter v1.3.0, which the
// Pushgateway's handlers sit behind (docs/compatibility.md: routes). Patterns use ":name" for one segment and "/*name" for the
// rest of the path (leading slash included).

export interface RoutePattern<H> {
  method: string;
  pattern: string;
  handler: H;
}

export type RouteLookup<H> =
  | { kind: "match"; handler: H; params: Record<string, string> }
  | { kind: "redirect"; status: 301 | 307; location: string }
  | { kind: "options"; allow: string }
  | { kind: "notAllowed"; allow: string }
  | { kind: "notFound" };

function matchPattern(pattern: string, path: string, caseInsensitive = false): Record<string, string> | null {
  const params: Record<string, string> = {};
  let pi = 0;
  let i = 0;
  while (pi < pattern.length) {
    const c = pattern[pi]!;
    if (c === "/" && pattern[pi + 1] === "*") {
      if (path[i] !== "/") return null;
      params[pattern.slice(pi + 2)] = path.slice(i);
      return params;
    }
    if (c === ":") {
      let end = pattern.indexOf("/", pi);
      if (end < 0) end = pattern.length;
      const name = pattern.slice(pi + 1, end);
      let vend = path.indexOf("/", i);
      if (vend < 0) vend = path.length;
      if (vend === i) return null;
      params[name] = path.slice(i, vend);
      pi = end;
      i = vend;
      continue;
    }
    const p = path[i];
    if (p === undefined) return null;
    if (caseInsensitive ? p.toLowerCase() !== c.toLowerCase() : p !== c) return null;
    pi++;
    i++;
  }
  return i === path.length ? params : null;
}

/** Rebuilds a path from a pattern and the params found for it (for case-fixing redirects). */
function fillPattern(pattern: string, params: Record<string, string>): string {
  return pattern.replace(/\/\*(\w+)$/, (_, n: string) => params[n] ?? "").replace(/:(\w+)/g, (_, n: string) => params[n] ?? "");
}

export class RouteTable<H> {
  private readonly byMethod = new Map<string, RoutePattern<H>[]>();
  /** method + " " + path, for paths ending in "/" where httprouter recommends dropping the slash anyway. */
  private readonly slashBeforeParam = new Set<string>();

  add(method: string, pattern: string, handler: H): this {
    const list = this.byMethod.get(method) ?? [];
    list.push({ method, pattern, handler });
    this.byMethod.set(method, list);
    return this;
  }

  /** httprouter's quirk: a node "/" with a wildcard child recommends the path without the slash. */
  addSlashRedirect(method: string, path: string): this {
    this.slashBeforeParam.add(method + " " + path);
    return this;
  }

  private exact(method: string, path: string): { handler: H; params: Record<string, string> } | undefined {
    for (const r of this.byMethod.get(method) ?? []) {
      const params = matchPattern(r.pattern, path);
      if (params) return { handler: r.handler, params };
    }
    return undefined;
  }

  private allowed(path: string, method: string): string {
    const methods: string[] = [];
    for (const m of this.byMethod.keys()) {
      if (m === method || m === "OPTIONS") continue;
      if (this.exact(m, path)) methods.push(m);
    }
    if (methods.length === 0) return "";
    methods.push("OPTIONS");
    return methods.sort().join(", ");
  }

  lookup(method: string, path: string): RouteLookup<H> {
    const routes = this.byMethod.get(method);
    if (routes) {
      const hit = this.exact(method, path);
      if (hit) return { kind: "match", ...hit };
      if (method !== "CONNECT" && path !== "/") {
        const code = method === "GET" ? 301 : 307;
        if (path.endsWith("/") && (this.exact(method, path.slice(0, -1)) || this.slashBeforeParam.has(method + " " + path))) {
          return { kind: "redirect", status: code, location: path.slice(0, -1) };
        }
        if (!path.endsWith("/") && this.exact(method, path + "/")) return { kind: "redirect", status: code, location: path + "/" };
        for (const candidate of [path, path.endsWith("/") ? path.slice(0, -1) : path + "/"]) {
          for (const r of routes) {
            const params = matchPattern(r.pattern, candidate, true);
            if (params) return { kind: "redirect", status: code, location: fillPattern(r.pattern, params) };
          }
        }
      }
    }
    if (method === "OPTIONS") {
      const allow = this.allowed(path, method);
      if (allow) return { kind: "options", allow };
    }
    const allow = this.allowed(path, method);
    if (allow) return { kind: "notAllowed", allow };
    return { kind: "notFound" };
  }
}

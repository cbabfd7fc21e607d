// The groups filter: whitespace-separated terms, all of which must match (AND).
//
//   word             free text: case-insensitive substring of any grouping label name or value, or of a
//                    pushed family name
//   name=value       grouping label equals value (a missing label counts as "", as in PromQL)
//   name!=value      grouping label differs from value
//   name=~regex      grouping label fully matches regex: RE2 syntax, anchored as PromQL does (`^(?:regex)$`);
//                    flags such as (?i) work as in Prometheus
//   name!~regex      grouping label does not match regex
//   is:stale | is:fresh | is:failed   independent facts: is:stale (no push attempt within its threshold),
//                    is:failed (the last push attempt was rejected, stale or not), is:fresh (neither)
//   has:stale-families   groups holding a family not written for more than max(1 h, 2 × the group's typical
//                    interval) before the group's last push (lib/lifecycle/stale-families.ts)
//   {job="a", env=~"prod|dev"}        a Prometheus series selector, as in lifecycle rules and
//                    DELETE /api/v1/groups?match[]=… (lib/lifecycle/selector.ts); at most one per filter
//
// Values may be double-quoted to contain spaces: job="nightly backup". Inside quotes, \" and \\ escape.
import { RE2JS } from "re2js";
import type { GroupStatus } from "./types";
import { parseSelector, SelectorError, type Selector } from "../lifecycle/selector";

/** A filter that cannot be parsed; `position` is the 0-based offset in the filter text where it goes wrong. */
export class FilterError extends Error {
  constructor(
    message: string,
    readonly position = 0,
  ) {
    super(message);
  }
}

/** A short excerpt of the filter text around `position`, for error messages. */
export function filterExcerpt(input: string, position: number): string {
  const start = Math.max(0, position - 10);
  return (start > 0 ? "…" : "") + input.slice(start, position + 20) + (position + 20 < input.length ? "…" : "");
}

export type FilterTerm =
  | { kind: "text"; text: string }
  | { kind: "label"; name: string; op: "=" | "!=" | "=~" | "!~"; value: string; re?: LabelRegex }
  | { kind: "status"; status: GroupStatus }
  | { kind: "selector"; selector: Selector }
  | { kind: "has"; what: "stale-families" };

export interface ParsedFilter {
  terms: FilterTerm[];
}

/** What a filter is matched against (precomputed per group, see summary.ts). */
export interface FilterSubject {
  labels: ReadonlyMap<string, string>;
  /** Lowercased "name=value" pairs and family names, joined by "\n". */
  haystack: string;
  stale: boolean;
  /** Number of stale families (has:stale-families). */
  staleFamilies?: number;
  /** The last push attempt was rejected (independent of staleness). */
  failed: boolean;
  /** labels.get("job") ?? "", when the subject keeps it at hand (the list index does: one lookup less per group). */
  job?: string;
}

/** A token and the offset of its first character in the filter text. */
export interface Token {
  text: string;
  start: number;
}

/** Splits on whitespace outside double quotes; quotes are removed and \" \\ unescaped. */
export function tokenize(input: string): string[] {
  return tokenizeAt(input).map((t) => t.text);
}

/** tokenize, keeping where each token starts (for error positions). */
export function tokenizeAt(input: string): Token[] {
  const out: Token[] = [];
  let cur = "";
  let start = -1;
  let quoteAt = -1;
  for (let i = 0; i < input.length; i++) {
    const c = input[i]!;
    if (quoteAt >= 0) {
      if (c === "\\" && i + 1 < input.length && (input[i + 1] === '"' || input[i + 1] === "\\")) {
        cur += input[++i];
      } else if (c === '"') quoteAt = -1;
      else cur += c;
      continue;
    }
    if (c === '"') {
      quoteAt = i;
      if (start < 0) start = i;
    } else if (/\s/.test(c)) {
      if (start >= 0) out.push({ text: cur, start });
      cur = "";
      start = -1;
    } else {
      cur += c;
      if (start < 0) start = i;
    }
  }
  if (quoteAt >= 0) throw new FilterError("unterminated quote in filter", quoteAt);
  if (start >= 0) out.push({ text: cur, start });
  return out;
}

/** A compiled label matcher regex: `test` runs in time linear in the value (no backtracking). */
export interface LabelRegex {
  test(value: string): boolean;
}

/**
 * Compiles a matcher regex the way Prometheus does (Go regexp, i.e. RE2 syntax, anchored as `^(?:re)$`). RE2JS
 * (a port of RE2) matches in linear time, so a hostile pattern such as `(a|a)+` cannot stall the server as a
 * backtracking JavaScript RegExp would.
 */
export function compileMatcherRegex(source: string, position = 0): LabelRegex {
  let re: RE2JS;
  try {
    re = RE2JS.compile(`^(?:${source})$`);
  } catch (e) {
    throw new FilterError(`invalid regular expression ${JSON.stringify(source)}: ${(e as Error).message}`, position);
  }
  return { test: (value) => re.matches(value) };
}

const MATCHER = /^([^\s=!~"]+)(=~|!~|!=|=)(.*)$/s;
const STATUSES: readonly GroupStatus[] = ["fresh", "stale", "failed"];

/**
 * Splits a `{…}` selector (quotes respected) out of the filter text: [the selector, its offset, the rest]. The
 * rest keeps its length (the selector is blanked), so token offsets still point into the original text.
 */
function extractSelector(input: string): [string | undefined, number, string] {
  const open = input.indexOf("{");
  if (open < 0) return [undefined, -1, input];
  let quote = "";
  for (let i = open + 1; i < input.length; i++) {
    const c = input[i]!;
    if (quote) {
      if (c === "\\" && quote !== "`") i++;
      else if (c === quote) quote = "";
    } else if (c === '"' || c === "'" || c === "`") quote = c;
    else if (c === "}") return [input.slice(open, i + 1), open, input.slice(0, open) + " ".repeat(i + 1 - open) + input.slice(i + 1)];
  }
  throw new FilterError(`unclosed selector: expected "}" after ${JSON.stringify(input.slice(open, open + 40))}`, open);
}

export function parseFilter(input: string): ParsedFilter {
  const terms: FilterTerm[] = [];
  const [selectorText, selectorAt, rest] = extractSelector(input);
  if (selectorText !== undefined) {
    try {
      terms.push({ kind: "selector", selector: parseSelector(selectorText) });
    } catch (e) {
      if (e instanceof SelectorError) throw new FilterError(`selector ${selectorText}: ${e.message}`, selectorAt);
      throw e;
    }
  }
  for (const { text: token, start } of tokenizeAt(rest)) {
    if (token === "") continue;
    const lower = token.toLowerCase();
    if (lower.startsWith("is:")) {
      const s = lower.slice(3) as GroupStatus;
      if (!STATUSES.includes(s)) throw new FilterError(`unknown status "${token.slice(3)}" (is:fresh, is:stale or is:failed)`, start);
      terms.push({ kind: "status", status: s });
      continue;
    }
    if (lower.startsWith("has:")) {
      if (lower !== "has:stale-families") throw new FilterError(`unknown term "${token}" (has:stale-families)`, start);
      terms.push({ kind: "has", what: "stale-families" });
      continue;
    }
    const m = MATCHER.exec(token);
    if (m) {
      const op = m[2] as "=" | "!=" | "=~" | "!~";
      const term: FilterTerm = { kind: "label", name: m[1]!, op, value: m[3]! };
      if (op === "=~" || op === "!~") term.re = compileMatcherRegex(term.value, start);
      terms.push(term);
      continue;
    }
    terms.push({ kind: "text", text: lower });
  }
  return { terms };
}

export function matchesFilter(filter: ParsedFilter, s: FilterSubject): boolean {
  for (const t of filter.terms) {
    switch (t.kind) {
      case "text":
        if (!s.haystack.includes(t.text)) return false;
        break;
      case "status":
        if (t.status === "stale" ? !s.stale : t.status === "failed" ? !s.failed : s.stale || s.failed) return false;
        break;
      case "selector":
        if (!t.selector.matches(s.labels)) return false;
        break;
      case "has":
        if (!s.staleFamilies) return false;
        break;
      case "label": {
        const v = (t.name === "job" ? s.job : undefined) ?? s.labels.get(t.name) ?? "";
        const ok = t.op === "=" ? v === t.value : t.op === "!=" ? v !== t.value : t.re!.test(v);
        if (t.op === "!~" ? ok : !ok) return false;
        break;
      }
    }
  }
  return true;
}

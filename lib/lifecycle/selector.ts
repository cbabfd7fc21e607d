// Prometheus series selectors over grouping labels: `{job="nightly-backup"}`, `{job=~"ci-.*", env!="prod"}`.
// The syntax of PromQL's label matchers (prometheus/prometheus promql/parser: label names, = != =~ !~, strings in
// "…", '…' or `…` with Go escapes). Regular expressions are RE2 (re2js: linear time, whatever the input) and fully
// anchored, as in Prometheus; `.` matches a newline too, as in Prometheus 3. A missing label matches as "", as in
// PromQL. Like Prometheus, a selector must hold at least one matcher that does not match the empty string, so
// `{}` or `{job=~".*"}` can never select (and delete) everything by accident.
import { RE2JS } from "re2js";

export type MatchOp = "=" | "!=" | "=~" | "!~";

export interface LabelMatcher {
  name: string;
  op: MatchOp;
  value: string;
}

export class SelectorError extends Error {}

/** A parsed selector: its matchers, a canonical text form, and a test against a group's labels. */
export interface Selector {
  readonly matchers: readonly LabelMatcher[];
  /** Canonical form, e.g. `{job="a",env!="prod"}`. */
  readonly text: string;
  matches(labels: ReadonlyMap<string, string>): boolean;
}

const MAX_SELECTOR_LENGTH = 4096;

function isNameStart(c: string): boolean {
  return (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || c === "_";
}
function isNameChar(c: string): boolean {
  return isNameStart(c) || (c >= "0" && c <= "9");
}

/** Go string literal escapes, as PromQL's lexer accepts them. */
function readQuoted(src: string, pos: number): { value: string; end: number } {
  const quote = src[pos]!;
  let i = pos + 1;
  let out = "";
  if (quote === "`") {
    const close = src.indexOf("`", i);
    if (close < 0) throw new SelectorError(`unterminated raw string at position ${pos + 1}`);
    return { value: src.slice(i, close), end: close + 1 };
  }
  while (i < src.length) {
    const c = src[i]!;
    if (c === quote) return { value: out, end: i + 1 };
    if (c === "\n") break;
    if (c !== "\\") {
      out += c;
      i++;
      continue;
    }
    const e = src[i + 1];
    const simple: Record<string, string> = { a: "\x07", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t", v: "\v", "\\": "\\", '"': '"', "'": "'" };
    if (e !== undefined && e in simple) {
      out += simple[e];
      i += 2;
    } else if (e === "x" || e === "u" || e === "U") {
      const len = e === "x" ? 2 : e === "u" ? 4 : 8;
      const hex = src.slice(i + 2, i + 2 + len);
      if (hex.length !== len || !/^[0-9a-fA-F]+$/.test(hex)) throw new SelectorError(`invalid escape \\${e} at position ${i + 1}`);
      const cp = parseInt(hex, 16);
      if (cp > 0x10ffff) throw new SelectorError(`invalid escape \\${e}${hex} at position ${i + 1}`);
      out += String.fromCodePoint(cp);
      i += 2 + len;
    } else throw new SelectorError(`unknown escape sequence \\${e ?? ""} at position ${i + 1}`);
  }
  throw new SelectorError(`unterminated quoted string at position ${pos + 1}`);
}

function compileRegex(value: string, at: number): RE2JS {
  try {
    return RE2JS.compile(value, RE2JS.DOTALL);
  } catch (err) {
    throw new SelectorError(`invalid regular expression ${JSON.stringify(value)} at position ${at}: ${(err as Error).message}`);
  }
}

/** Parses a selector; throws SelectorError naming the position of the problem. */
export function parseSelector(input: string): Selector {
  if (input.length > MAX_SELECTOR_LENGTH) throw new SelectorError(`selector longer than ${MAX_SELECTOR_LENGTH} characters`);
  const src = input;
  let i = 0;
  const skipSpace = () => {
    while (i < src.length && /\s/.test(src[i]!)) i++;
  };
  skipSpace();
  if (i < src.length && isNameStart(src[i]!)) {
    throw new SelectorError('a selector over grouping labels takes no metric name: write {job="…", …}');
  }
  if (src[i] !== "{") throw new SelectorError(`expected "{" at position ${i + 1}`);
  i++;
  const matchers: LabelMatcher[] = [];
  const tests: ((labels: ReadonlyMap<string, string>) => boolean)[] = [];
  for (;;) {
    skipSpace();
    if (src[i] === "}") {
      i++;
      break;
    }
    const nameStart = i;
    if (i >= src.length || !isNameStart(src[i]!)) throw new SelectorError(`expected a label name at position ${i + 1}`);
    while (i < src.length && isNameChar(src[i]!)) i++;
    const name = src.slice(nameStart, i);
    skipSpace();
    let op: MatchOp;
    if (src.startsWith("=~", i)) op = "=~";
    else if (src.startsWith("!~", i)) op = "!~";
    else if (src.startsWith("!=", i)) op = "!=";
    else if (src[i] === "=") op = "=";
    else throw new SelectorError(`expected one of = != =~ !~ after label ${name} at position ${i + 1}`);
    i += op.length;
    skipSpace();
    if (src[i] !== '"' && src[i] !== "'" && src[i] !== "`") throw new SelectorError(`expected a quoted value for label ${name} at position ${i + 1}`);
    const valueAt = i + 1;
    const { value, end } = readQuoted(src, i);
    i = end;
    matchers.push({ name, op, value });
    tests.push(matcherTest(name, op, value, valueAt));
    skipSpace();
    if (src[i] === ",") {
      i++;
      continue;
    }
    if (src[i] === "}") {
      i++;
      break;
    }
    throw new SelectorError(`expected "," or "}" at position ${i + 1}`);
  }
  skipSpace();
  if (i < src.length) throw new SelectorError(`unexpected ${JSON.stringify(src.slice(i, i + 10))} after the selector at position ${i + 1}`);
  const none = new Map<string, string>();
  if (!tests.some((t) => !t(none))) {
    throw new SelectorError("a selector must contain at least one matcher that does not match the empty string");
  }
  const text = `{${matchers.map((m) => `${m.name}${m.op}${JSON.stringify(m.value)}`).join(",")}}`;
  return {
    matchers,
    text,
    matches: (labels) => tests.every((t) => t(labels)),
  };
}

function matcherTest(name: string, op: MatchOp, value: string, at: number): (labels: ReadonlyMap<string, string>) => boolean {
  switch (op) {
    case "=":
      return (l) => (l.get(name) ?? "") === value;
    case "!=":
      return (l) => (l.get(name) ?? "") !== value;
    case "=~": {
      const re = compileRegex(value, at);
      return (l) => re.matches(l.get(name) ?? "");
    }
    case "!~": {
      const re = compileRegex(value, at);
      return (l) => !re.matches(l.get(name) ?? "");
    }
  }
}

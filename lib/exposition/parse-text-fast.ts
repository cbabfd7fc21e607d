// The common case of a text-format push, parsed in one pass without the state machine of parse-text.ts: HELP and
// TYPE lines (counter, gauge, untyped), and sample lines `name{l="v",...} value` with no escapes, no timestamp,
// no comment other than HELP/TYPE and no unusual spacing. It returns exactly what parseText's state machine
// returns for such a body (same families, order, objects and interned strings), or undefined as soon as a line
// is anything else, valid or not; the caller then parses the whole body with the full parser, which also owns
// every error message. So this path can only be faster, never different.
import { isUtf8 } from "node:buffer";
import { intern } from "./intern";
import type { LabelPair, Metric, MetricFamily, MetricType } from "./model";
import { parseGoFloat } from "./parse-text";

interface Fam {
  name: string;
  help: string | undefined;
  type: MetricType | undefined;
  metric: Metric[];
}

const NL = 10;
const SP = 32;
const TAB = 9;
const QUOTE = 34;
const BACKSLASH = 92;

function nameStart(b: number): boolean {
  return (b >= 97 && b <= 122) || (b >= 65 && b <= 90) || b === 95;
}
function labelCont(b: number): boolean {
  return (b >= 97 && b <= 122) || (b >= 65 && b <= 90) || b === 95 || (b >= 48 && b <= 57);
}

type Latin1 = Buffer & { latin1Slice(start: number, end: number): string };

/**
 * Names, label names and label values seen before, by content: the body is scanned as one latin1 string, and a
 * slice of it is looked up here rather than decoded again (a slice of 13 characters or more would keep the whole
 * body alive if it were stored). Values are flat copies, interned as the state machine interns them. Bounded.
 */
const SEEN = new Map<string, string>();
const SEEN_MAX = 20_000;
const SEEN_MAX_LENGTH = 64;

function seen(s: string, b: Latin1, start: number, end: number): string {
  if (end - start > SEEN_MAX_LENGTH) return intern(b.latin1Slice(start, end));
  const key = s.slice(start, end);
  const hit = SEEN.get(key);
  if (hit !== undefined) return hit;
  const flat = intern(b.latin1Slice(start, end));
  if (SEEN.size < SEEN_MAX) SEEN.set(flat, flat);
  return flat;
}

/** See the file comment: the families of `buf`, or undefined when the full parser must decide. */
export function parseTextFast(buf: Buffer): MetricFamily[] | undefined {
  const b = buf as Latin1;
  const n = buf.length;
  const s = b.latin1Slice(0, n);
  const families = new Map<string, Fam>();
  let pos = 0;
  let last: Fam | undefined;
  let prevLabel: LabelPair[] = [];
  const family = (name: string): Fam => {
    let f = families.get(name);
    if (f === undefined) families.set(name, (f = { name, help: undefined, type: undefined, metric: [] }));
    return f;
  };
  while (pos < n) {
    let c = s.charCodeAt(pos);
    if (c === NL) {
      pos++;
      continue;
    }
    if (c === 35 /* # */) {
      // "# HELP name text" or "# TYPE name type", exactly one blank after "#", the keyword and the name.
      if (pos + 7 > n || s.charCodeAt(pos + 1) !== SP || s.charCodeAt(pos + 6) !== SP) return undefined;
      const help = s.charCodeAt(pos + 2) === 72 && s.charCodeAt(pos + 3) === 69 && s.charCodeAt(pos + 4) === 76 && s.charCodeAt(pos + 5) === 80; // HELP
      const type = !help && s.charCodeAt(pos + 2) === 84 && s.charCodeAt(pos + 3) === 89 && s.charCodeAt(pos + 4) === 80 && s.charCodeAt(pos + 5) === 69; // TYPE
      if (!help && !type) return undefined;
      let p = pos + 7;
      const ns = p;
      if (p >= n || !(nameStart(s.charCodeAt(p)) || s.charCodeAt(p) === 58)) return undefined;
      while (p < n && (labelCont(s.charCodeAt(p)) || s.charCodeAt(p) === 58)) p++;
      if (p >= n || s.charCodeAt(p) !== SP) return undefined;
      const name = seen(s, b, ns, p);
      p++;
      if (p >= n) return undefined;
      c = s.charCodeAt(p);
      if (c === SP || c === TAB || c === NL) return undefined;
      const ts = p;
      while (p < n && s.charCodeAt(p) !== NL) {
        if (s.charCodeAt(p) === BACKSLASH) return undefined;
        p++;
      }
      if (p >= n) return undefined; // no newline at the end: the full parser decides
      const f = family(name);
      if (help) {
        if (f.help !== undefined) return undefined;
        f.help = buf.toString("utf8", ts, p);
      } else {
        if (f.type !== undefined) return undefined;
        const t = s.slice(ts, p).toUpperCase();
        if (t === "GAUGE" || t === "COUNTER" || t === "UNTYPED") f.type = t;
        else return undefined; // summaries, histograms, unknown types
      }
      pos = p + 1;
      continue;
    }
    // A sample line.
    if (!(nameStart(c) || c === 58)) return undefined;
    let p = pos + 1;
    while (p < n && (labelCont(s.charCodeAt(p)) || s.charCodeAt(p) === 58)) p++;
    if (p >= n) return undefined;
    // Samples of one family come together: most lines name the family of the line before.
    const f = last !== undefined && p - pos === last.name.length && s.startsWith(last.name, pos) ? last : family(seen(s, b, pos, p));
    last = f;
    f.type ??= "UNTYPED";
    const label: LabelPair[] = [];
    c = s.charCodeAt(p);
    if (c === 123 /* { */) {
      p++;
      for (;;) {
        const ls = p;
        if (p >= n || !nameStart(s.charCodeAt(p))) return undefined;
        p++;
        while (p < n && labelCont(s.charCodeAt(p))) p++;
        if (p + 1 >= n || s.charCodeAt(p) !== 61 /* = */ || s.charCodeAt(p + 1) !== QUOTE) return undefined;
        // Lines of a family usually repeat the label names, and many values, of the line before, in order.
        const prev = prevLabel.length > label.length ? prevLabel[label.length] : undefined;
        const lname = prev !== undefined && prev.name.length === p - ls && s.startsWith(prev.name, ls) ? prev.name : seen(s, b, ls, p);
        if (lname === "__name__") return undefined;
        for (let i = 0; i < label.length; i++) if (label[i]!.name === lname) return undefined;
        p += 2;
        const vs = p;
        let ascii = true;
        for (;;) {
          if (p >= n) return undefined;
          const v = s.charCodeAt(p);
          if (v === QUOTE) break;
          if (v === BACKSLASH || v === NL) return undefined;
          if (v >= 0x80) ascii = false;
          p++;
        }
        let value: string;
        if (ascii) value = prev !== undefined && prev.value.length === p - vs && s.startsWith(prev.value, vs) ? prev.value : seen(s, b, vs, p);
        else {
          const raw = buf.subarray(vs, p);
          if (!isUtf8(raw)) return undefined;
          value = intern(raw.toString("utf8"));
        }
        label.push({ name: lname, value });
        p++; // the closing quote
        if (p >= n) return undefined;
        if (s.charCodeAt(p) === 44 /* , */) {
          p++;
          continue;
        }
        if (s.charCodeAt(p) !== 125 /* } */) return undefined;
        p++;
        break;
      }
      if (p >= n || s.charCodeAt(p) !== SP) return undefined;
    } else if (c !== SP) return undefined;
    while (p < n && (s.charCodeAt(p) === SP || s.charCodeAt(p) === TAB)) p++;
    const vs = p;
    while (p < n && s.charCodeAt(p) !== NL) {
      const v = s.charCodeAt(p);
      if (v === SP || v === TAB) return undefined; // a timestamp, or trailing blanks
      p++;
    }
    if (p >= n) return undefined;
    const value = parseGoFloat(s.slice(vs, p));
    if (value === undefined) return undefined;
    const m: Metric = { label };
    if (f.type === "GAUGE") m.gauge = { value };
    else if (f.type === "COUNTER") m.counter = { value };
    else m.untyped = { value };
    f.metric.push(m);
    prevLabel = label;
    pos = p + 1;
  }
  const out: MetricFamily[] = [];
  for (const f of families.values()) {
    if (f.metric.length === 0) continue;
    out.push({ name: f.name, help: f.help ?? "", type: f.type ?? "UNTYPED", metric: f.metric });
  }
  return out;
}

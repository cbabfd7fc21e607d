// Text format 0.0.4 parser: a port of the Go expfmt TextParser state machine used by the Pushgateway, so that
// exactly the same inputs are accepted and errors carry the same line numbers and messages (docs/compatibility.md: text format).
import { isUtf8 } from "node:buffer";
import type { Metric, MetricFamily, MetricType } from "./model";
import { goQuote, goQuoteByte } from "../util/go-quote";
import { intern } from "./intern";
import { parseTextFast } from "./parse-text-fast";

export class TextParseError extends Error {
  constructor(
    readonly line: number,
    readonly detail: string,
  ) {
    super(`text format parsing error in line ${line}: ${detail}`);
  }
}

const TYPES: Record<string, MetricType> = {
  COUNTER: "COUNTER",
  GAUGE: "GAUGE",
  SUMMARY: "SUMMARY",
  UNTYPED: "UNTYPED",
  HISTOGRAM: "HISTOGRAM",
  GAUGE_HISTOGRAM: "GAUGE_HISTOGRAM",
};

const EOF = -1;
const NL = 10;

function isBlankOrTab(b: number): boolean {
  return b === 32 || b === 9;
}
function isLabelNameStart(b: number): boolean {
  return (b >= 97 && b <= 122) || (b >= 65 && b <= 90) || b === 95;
}
function isLabelNameContinuation(b: number): boolean {
  return isLabelNameStart(b) || (b >= 48 && b <= 57);
}
function isMetricNameStart(b: number): boolean {
  return isLabelNameStart(b) || b === 58;
}
function isMetricNameContinuation(b: number): boolean {
  return isLabelNameContinuation(b) || b === 58;
}

const FLOAT_RE = /^[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|inf|infinity)$/i;

/** True for `[-]d+` and `[-]d+.d*` (at least one digit before the point): the usual sample values. */
function plainDecimal(s: string): boolean {
  const n = s.length;
  let i = n > 0 && s.charCodeAt(0) === 45 /* - */ ? 1 : 0;
  const digitsFrom = i;
  while (i < n && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) i++;
  if (i === digitsFrom) return false;
  if (i === n) return true;
  if (s.charCodeAt(i) !== 46 /* . */) return false;
  for (i++; i < n; i++) if (s.charCodeAt(i) < 48 || s.charCodeAt(i) > 57) return false;
  return true;
}

/** Go's strconv.ParseFloat(s, 64) as the text parser uses it (no hex floats, no underscores). */
export function parseGoFloat(s: string): number | undefined {
  if (plainDecimal(s)) {
    // [-]digits[.digits]: what Number reads exactly as Go does, without the regular expressions below.
    const v = Number(s);
    return Number.isFinite(v) ? v : undefined;
  }
  if (/^nan$/i.test(s)) return NaN;
  if (!FLOAT_RE.test(s)) return undefined;
  const lower = s.toLowerCase();
  if (lower.endsWith("inf") || lower.endsWith("infinity")) return s.startsWith("-") ? -Infinity : Infinity;
  const v = Number(s);
  if (!Number.isFinite(v)) return undefined; // out of range: Go returns ErrRange
  return v;
}

/** Go's strconv.ParseInt(s, 10, 64). */
function parseGoInt64(s: string): number | undefined {
  if (!/^[+-]?\d+$/.test(s)) return undefined;
  const v = BigInt(s);
  if (v > 9223372036854775807n || v < -9223372036854775808n) return undefined;
  return Number(v);
}

function isCount(name: string): boolean {
  return name.length > 6 && name.endsWith("_count");
}
function isSum(name: string): boolean {
  return name.length > 4 && name.endsWith("_sum");
}
function isBucket(name: string): boolean {
  return name.length > 7 && name.endsWith("_bucket");
}
function summaryMetricName(name: string): string {
  if (isCount(name)) return name.slice(0, -6);
  if (isSum(name)) return name.slice(0, -4);
  return name;
}
function histogramMetricName(name: string): string {
  if (isBucket(name)) return name.slice(0, -7);
  return summaryMetricName(name);
}

interface ParsingFamily {
  name: string;
  help: string | undefined;
  type: MetricType | undefined;
  metric: Metric[];
}

type State = (() => State) | null;

/** Parses a text-format body. Throws TextParseError. Families without samples are dropped. */
export function parseText(input: Uint8Array): MetricFamily[] {
  const buf = Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  // The common shape in one pass (parse-text-fast.ts); anything else, valid or not, goes through the state machine.
  return parseTextFast(buf) ?? new TextParser(buf).parse();
}

/** parseText without the fast path: the Go state machine alone (tests compare the two). */
export function parseTextFull(input: Uint8Array): MetricFamily[] {
  return new TextParser(input).parse();
}

class TextParser {
  private pos = 0;
  private currentByte = 0;
  private eof = false;
  private error: TextParseError | undefined;
  private lineCount = 0;
  private token: number[] = [];
  private tokenStart = 0;
  private tokenEnd = 0;
  private tokenIsSlice = true;
  private families = new Map<string, ParsingFamily>();
  private currentMF!: ParsingFamily;
  private currentMetric!: Metric;
  private currentLabelName = "";
  /** Label names of currentMetric so far: the duplicate check stays linear in the number of labels. */
  private currentLabelNames = new Set<string>();
  private duplicateLabel = false;
  private currentLabels: Map<string, string> | undefined;
  private currentQuantile = NaN;
  private currentBucket = NaN;
  private isSummaryCount = false;
  private isSummarySum = false;
  private isHistogramCount = false;
  private isHistogramSum = false;
  private summaries = new Map<string, Metric>();
  private histograms = new Map<string, Metric>();

  private readonly buf: Buffer;

  constructor(input: Uint8Array) {
    this.buf = Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  }

  parse(): MetricFamily[] {
    let state: State = this.startOfLine;
    while (state !== null) state = state.call(this);
    if (this.error) throw this.error;
    if (this.eof && this.unexpectedEof) throw new TextParseError(this.lineCount, "unexpected end of input stream");
    const out: MetricFamily[] = [];
    for (const f of this.families.values()) {
      if (f.metric.length === 0) continue;
      out.push({ name: f.name, help: f.help ?? "", type: f.type ?? "UNTYPED", metric: f.metric });
    }
    return out;
  }

  // --- byte reading -------------------------------------------------------------------------------------

  /** Set when a state stopped because input ended where more was required. */
  private unexpectedEof = false;

  private readByte(): boolean {
    if (this.pos >= this.buf.length) {
      this.eof = true;
      this.currentByte = EOF;
      return false;
    }
    this.currentByte = this.buf[this.pos++]!;
    return true;
  }

  private fail(msg: string): null {
    this.error = new TextParseError(this.lineCount, msg);
    return null;
  }

  private stopAtEof(): null {
    this.unexpectedEof = true;
    return null;
  }

  private skipBlankTab(): boolean {
    for (;;) {
      if (!this.readByte()) return false;
      if (!isBlankOrTab(this.currentByte)) return true;
    }
  }

  private skipBlankTabIfCurrentBlankTab(): boolean {
    if (isBlankOrTab(this.currentByte)) return this.skipBlankTab();
    return true;
  }

  /** The current slice token of name characters (always ASCII): cheaper than UTF-8 decoding. */
  private asciiToken(): string {
    return (this.buf as Buffer & { latin1Slice(start: number, end: number): string }).latin1Slice(this.tokenStart, this.tokenEnd);
  }

  private tokenString(): string {
    if (this.tokenIsSlice) return this.buf.toString("utf8", this.tokenStart, this.tokenEnd);
    return Buffer.from(this.token).toString("utf8");
  }

  private tokenBytes(): Buffer {
    if (this.tokenIsSlice) return this.buf.subarray(this.tokenStart, this.tokenEnd);
    return Buffer.from(this.token);
  }

  private tokenLength(): number {
    return this.tokenIsSlice ? this.tokenEnd - this.tokenStart : this.token.length;
  }

  /** Starts a token at the current byte (already read). */
  private beginSliceToken(): void {
    this.tokenIsSlice = true;
    this.tokenStart = this.pos - 1;
    this.tokenEnd = this.tokenStart;
  }

  private readTokenUntilWhitespace(): boolean {
    this.beginSliceToken();
    while (!this.eof && !isBlankOrTab(this.currentByte) && this.currentByte !== NL) {
      this.tokenEnd = this.pos;
      this.readByte();
    }
    if (this.eof) this.tokenEnd = this.buf.length;
    return !this.eof;
  }

  private readTokenUntilNewline(recognizeEscapes: boolean): boolean {
    this.tokenIsSlice = false;
    this.token = [];
    let escaped = false;
    while (!this.eof) {
      const b = this.currentByte;
      if (recognizeEscapes && escaped) {
        if (b === 92) this.token.push(92);
        else if (b === 110) this.token.push(NL);
        else {
          this.fail(`invalid escape sequence '\\${String.fromCharCode(b)}'`);
          return false;
        }
        escaped = false;
      } else if (b === NL) {
        return true;
      } else if (b === 92 && recognizeEscapes) {
        escaped = true;
      } else {
        this.token.push(b);
      }
      this.readByte();
    }
    return false;
  }

  private readTokenAsName(start: (b: number) => boolean, cont: (b: number) => boolean): boolean {
    this.beginSliceToken();
    if (this.eof || !start(this.currentByte)) {
      this.tokenEnd = this.tokenStart;
      return true;
    }
    for (;;) {
      this.tokenEnd = this.pos;
      if (!this.readByte()) return false;
      if (!cont(this.currentByte)) return true;
    }
  }

  /** Switches the current slice token to a copied byte array (when an escape sequence needs rewriting). */
  private copySliceToken(): void {
    this.token = Array.from(this.buf.subarray(this.tokenStart, this.tokenEnd));
    this.tokenIsSlice = false;
  }

  private readTokenAsLabelValue(): boolean {
    // Fast path: a slice of the input; copied only once an escape sequence shows up.
    this.tokenIsSlice = true;
    this.tokenStart = this.tokenEnd = this.pos;
    let escaped = false;
    for (;;) {
      if (!this.readByte()) return false;
      const b = this.currentByte;
      if (escaped) {
        if (b === 34 || b === 92) this.token.push(b);
        else if (b === 110) this.token.push(NL);
        else {
          this.fail(`invalid escape sequence '\\${String.fromCharCode(b)}'`);
          return false;
        }
        escaped = false;
        continue;
      }
      if (b === 34) return true;
      if (b === NL) {
        this.fail(`label value ${goQuote(this.tokenString())} contains unescaped new-line`);
        return false;
      }
      if (b === 92) {
        if (this.tokenIsSlice) this.copySliceToken();
        escaped = true;
      } else if (this.tokenIsSlice) this.tokenEnd = this.pos;
      else this.token.push(b);
    }
  }

  // --- states --------------------------------------------------------------------------------------------

  private startOfLine(): State {
    this.lineCount++;
    if (!this.skipBlankTab()) return null; // end of input: the legitimate end
    if (this.currentByte === 35 /* # */) return this.startComment;
    if (this.currentByte === NL) return this.startOfLine;
    return this.readingMetricName;
  }

  private startComment(): State {
    if (!this.skipBlankTab()) return this.stopAtEof();
    if (this.currentByte === NL) return this.startOfLine;
    if (!this.readTokenUntilWhitespace()) return this.stopAtEof();
    if (this.currentByte === NL) return this.startOfLine;
    const keyword = this.asciiToken();
    if (keyword !== "HELP" && keyword !== "TYPE") {
      while (this.currentByte !== NL) {
        if (!this.readByte()) return this.stopAtEof();
      }
      return this.startOfLine;
    }
    if (!this.skipBlankTab()) return this.stopAtEof();
    if (!this.readTokenAsName(isMetricNameStart, isMetricNameContinuation)) return this.stopAtEof();
    if (this.currentByte === NL) return this.startOfLine;
    if (!isBlankOrTab(this.currentByte)) return this.fail("invalid metric name in comment");
    this.setOrCreateCurrentMF();
    if (!this.skipBlankTab()) return this.stopAtEof();
    if (this.currentByte === NL) return this.startOfLine;
    return keyword === "HELP" ? this.readingHelp : this.readingType;
  }

  private readingMetricName(): State {
    if (!this.readTokenAsName(isMetricNameStart, isMetricNameContinuation)) return this.stopAtEof();
    if (this.tokenLength() === 0) return this.fail("invalid metric name");
    this.setOrCreateCurrentMF();
    this.currentMF.type ??= "UNTYPED";
    this.currentMetric = { label: [] };
    this.currentLabelNames.clear();
    if (!this.skipBlankTabIfCurrentBlankTab()) return this.stopAtEof();
    return this.readingLabels;
  }

  private readingLabels(): State {
    const t = this.currentMF.type;
    if (t === "SUMMARY" || t === "HISTOGRAM") {
      this.currentLabels = new Map([["__name__", this.currentMF.name]]);
      this.currentQuantile = NaN;
      this.currentBucket = NaN;
    }
    if (this.currentByte !== 123 /* { */) return this.readingValue;
    return this.startLabelName;
  }

  private startLabelName(): State {
    if (!this.skipBlankTab()) return this.stopAtEof();
    if (this.currentByte === 125 /* } */) {
      if (!this.skipBlankTab()) return this.stopAtEof();
      return this.readingValue;
    }
    if (!this.readTokenAsName(isLabelNameStart, isLabelNameContinuation)) return this.stopAtEof();
    if (this.tokenLength() === 0) return this.fail(`invalid label name for metric ${goQuote(this.currentMF.name)}`);
    const name = intern(this.asciiToken());
    this.currentLabelName = name;
    if (name === "__name__") return this.fail(`label name "__name__" is reserved`);
    const t = this.currentMF.type;
    if (!(t === "SUMMARY" && name === "quantile") && !(t === "HISTOGRAM" && name === "le")) {
      this.currentMetric.label.push({ name, value: "" });
      // Go rebuilds a set of all labels here (quadratic); one set per metric finds the same duplicate.
      this.duplicateLabel = this.currentLabelNames.has(name);
      this.currentLabelNames.add(name);
    } else this.duplicateLabel = false;
    if (!this.skipBlankTabIfCurrentBlankTab()) return this.stopAtEof();
    if (this.currentByte !== 61 /* = */) return this.fail(`expected '=' after label name, found ${goQuoteByte(this.currentByte)}`);
    if (this.duplicateLabel) return this.fail(`duplicate label names for metric ${goQuote(this.currentMF.name)}`);
    return this.startLabelValue;
  }

  private startLabelValue(): State {
    if (!this.skipBlankTab()) return this.stopAtEof();
    if (this.currentByte !== 34) return this.fail(`expected '"' at start of label value, found ${goQuoteByte(this.currentByte)}`);
    if (!this.readTokenAsLabelValue()) return this.error ? null : this.stopAtEof();
    const raw = this.tokenBytes();
    if (!isUtf8(raw)) return this.fail(`invalid label value ${goQuoteBytesOf(raw)}`);
    const value = intern(raw.toString("utf8"));
    const name = this.currentLabelName;
    const t = this.currentMF.type;
    const labels = this.currentMetric.label;
    const last = labels[labels.length - 1];
    const isSpecial = (t === "SUMMARY" && name === "quantile") || (t === "HISTOGRAM" && name === "le");
    if (!isSpecial && last && last.name === name) last.value = value;
    if (t === "SUMMARY") {
      if (name === "quantile") {
        const q = parseGoFloat(value);
        if (q === undefined) return this.fail(`expected float as value for 'quantile' label, got ${goQuote(value)}`);
        this.currentQuantile = q;
      } else this.currentLabels!.set(name, value);
    }
    if (t === "HISTOGRAM") {
      if (name === "le") {
        const b = parseGoFloat(value);
        if (b === undefined) return this.fail(`expected float as value for 'le' label, got ${goQuote(value)}`);
        this.currentBucket = b;
      } else this.currentLabels!.set(name, value);
    }
    if (!this.skipBlankTab()) return this.stopAtEof();
    const next: number = this.currentByte;
    if (next === 44 /* , */) return this.startLabelName;
    if (next === 125 /* } */) {
      if (!this.skipBlankTab()) return this.stopAtEof();
      return this.readingValue;
    }
    return this.fail(`unexpected end of label value ${goQuote(value)}`);
  }

  private signature(): string {
    const entries = [...this.currentLabels!.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    return JSON.stringify(entries);
  }

  private readingValue(): State {
    const mf = this.currentMF;
    if (mf.type === "SUMMARY" || mf.type === "HISTOGRAM") {
      const index = mf.type === "SUMMARY" ? this.summaries : this.histograms;
      const sig = mf.name + "\x00" + this.signature();
      const existing = index.get(sig);
      if (existing) this.currentMetric = existing;
      else {
        index.set(sig, this.currentMetric);
        mf.metric.push(this.currentMetric);
      }
    } else {
      mf.metric.push(this.currentMetric);
    }
    if (!this.readTokenUntilWhitespace()) return this.stopAtEof();
    const value = parseGoFloat(this.asciiToken());
    if (value === undefined) return this.fail(`expected float as value, got ${goQuote(this.tokenString())}`);
    const m = this.currentMetric;
    switch (mf.type) {
      case "COUNTER":
        m.counter = { value };
        break;
      case "GAUGE":
        m.gauge = { value };
        break;
      case "UNTYPED":
        m.untyped = { value };
        break;
      case "SUMMARY":
        m.summary ??= { sampleCount: 0, sampleSum: 0, quantile: [] };
        if (this.isSummaryCount) m.summary.sampleCount = toUint64(value);
        else if (this.isSummarySum) m.summary.sampleSum = value;
        else if (!Number.isNaN(this.currentQuantile)) m.summary.quantile.push({ quantile: this.currentQuantile, value });
        break;
      case "HISTOGRAM":
        m.histogram ??= { sampleCount: 0, sampleSum: 0, bucket: [] };
        if (this.isHistogramCount) m.histogram.sampleCount = toUint64(value);
        else if (this.isHistogramSum) m.histogram.sampleSum = value;
        else if (!Number.isNaN(this.currentBucket)) m.histogram.bucket.push({ upperBound: this.currentBucket, cumulativeCount: toUint64(value) });
        break;
      default:
        return this.fail(`unexpected type for metric name ${goQuote(mf.name)}`);
    }
    if (this.currentByte === NL) return this.startOfLine;
    return this.startTimestamp;
  }

  private startTimestamp(): State {
    if (!this.skipBlankTab()) return this.stopAtEof();
    if (!this.readTokenUntilWhitespace()) return this.stopAtEof();
    const text = this.tokenString();
    const ts = parseGoInt64(text);
    if (ts === undefined) return this.fail(`expected integer as timestamp, got ${goQuote(text)}`);
    this.currentMetric.timestampMs = ts;
    if (!this.readTokenUntilNewline(false)) return this.error ? null : this.stopAtEof();
    if (this.token.length > 0) return this.fail(`spurious string after timestamp: ${goQuote(this.tokenString())}`);
    return this.startOfLine;
  }

  private readingHelp(): State {
    if (this.currentMF.help !== undefined) return this.fail(`second HELP line for metric name ${goQuote(this.currentMF.name)}`);
    if (!this.readTokenUntilNewline(true)) return this.error ? null : this.stopAtEof();
    this.currentMF.help = this.tokenString();
    return this.startOfLine;
  }

  private readingType(): State {
    if (this.currentMF.type !== undefined) {
      return this.fail(`second TYPE line for metric name ${goQuote(this.currentMF.name)}, or TYPE reported after samples`);
    }
    if (!this.readTokenUntilNewline(false)) return this.error ? null : this.stopAtEof();
    const text = this.tokenString();
    const type = TYPES[text.toUpperCase()];
    if (!type) return this.fail(`unknown metric type ${goQuote(text)}`);
    this.currentMF.type = type;
    return this.startOfLine;
  }

  private setOrCreateCurrentMF(): void {
    this.isSummaryCount = this.isSummarySum = this.isHistogramCount = this.isHistogramSum = false;
    const name = this.asciiToken();
    const existing = this.families.get(name);
    if (existing) {
      this.currentMF = existing;
      return;
    }
    const summary = this.families.get(summaryMetricName(name));
    if (summary && summary.type === "SUMMARY") {
      this.currentMF = summary;
      this.isSummaryCount = isCount(name);
      this.isSummarySum = isSum(name);
      return;
    }
    const histogram = this.families.get(histogramMetricName(name));
    if (histogram && histogram.type === "HISTOGRAM") {
      this.currentMF = histogram;
      this.isHistogramCount = isCount(name);
      this.isHistogramSum = isSum(name);
      return;
    }
    this.currentMF = { name, help: undefined, type: undefined, metric: [] };
    this.families.set(name, this.currentMF);
  }
}

function goQuoteBytesOf(b: Buffer): string {
  // Lazy import avoidance: goQuote handles UTF-8 strings; invalid bytes need the byte-level quoter.
  return goQuoteBytesImpl(b);
}

import { goQuoteBytes as goQuoteBytesImpl } from "../util/go-quote";

/**
 * Go's uint64(float64) conversion on amd64, which the text parser applies to counts: truncation, negative values
 * wrap around 2^64, and NaN, infinities and values beyond 2^64 become 2^63.
 */
export function toUint64(v: number): number {
  if (!Number.isFinite(v) || v >= 18446744073709551616) return 9223372036854775808;
  const t = Math.trunc(v);
  return t < 0 ? 18446744073709551616 + t : t;
}

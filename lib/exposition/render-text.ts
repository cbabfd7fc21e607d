// Text format 0.0.4 writer, as Go's expfmt.MetricFamilyToText writes it (docs/compatibility.md: text format).
import { escapeHelp, escapeLabelValue } from "./escape";
import { formatTextValue } from "./format-float";
import type { LabelPair, Metric, MetricFamily } from "./model";

export const TEXT_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

function labelsText(labels: LabelPair[], extraName?: string, extraValue?: number): string {
  if (labels.length === 0 && extraName === undefined) return "";
  let s = "{";
  let first = true;
  for (const l of labels) {
    s += (first ? "" : ",") + l.name + '="' + escapeLabelValue(l.value) + '"';
    first = false;
  }
  if (extraName !== undefined) s += (first ? "" : ",") + extraName + '="' + formatTextValue(extraValue!) + '"';
  return s + "}";
}

function sampleLine(name: string, m: Metric, value: number, extraName?: string, extraValue?: number): string {
  let line = name + labelsText(m.label, extraName, extraValue) + " " + formatTextValue(value);
  if (m.timestampMs !== undefined) line += " " + String(m.timestampMs);
  return line + "\n";
}

/** The sample lines of one metric (several for summaries and histograms). */
export function renderMetricText(name: string, type: MetricFamily["type"], m: Metric): string {
  switch (type) {
    case "COUNTER":
      return sampleLine(name, m, m.counter?.value ?? 0);
    case "GAUGE":
      return sampleLine(name, m, m.gauge?.value ?? 0);
    case "UNTYPED":
      return sampleLine(name, m, m.untyped?.value ?? 0);
    case "SUMMARY": {
      const s = m.summary;
      if (!s) return "";
      let out = "";
      for (const q of s.quantile) out += sampleLine(name, m, q.value, "quantile", q.quantile);
      return out + sampleLine(name + "_sum", m, s.sampleSum) + sampleLine(name + "_count", m, s.sampleCount);
    }
    case "HISTOGRAM":
    case "GAUGE_HISTOGRAM": {
      const h = m.histogram;
      if (!h) return "";
      let out = "";
      let infSeen = false;
      for (const b of h.bucket) {
        out += sampleLine(name + "_bucket", m, b.cumulativeCountFloat ?? b.cumulativeCount, "le", b.upperBound);
        if (b.upperBound === Infinity) infSeen = true;
      }
      if (!infSeen) out += sampleLine(name + "_bucket", m, h.sampleCountFloat ?? h.sampleCount, "le", Infinity);
      return out + sampleLine(name + "_sum", m, h.sampleSum) + sampleLine(name + "_count", m, h.sampleCountFloat ?? h.sampleCount);
    }
  }
}

/** HELP and TYPE lines of a family. */
export function renderFamilyHeader(name: string, help: string, type: MetricFamily["type"]): string {
  const helpLine = help !== "" ? `# HELP ${name} ${escapeHelp(help)}\n` : "";
  return helpLine + `# TYPE ${name} ${type.toLowerCase()}\n`;
}

/** One family, samples in the given order. */
export function renderFamilyText(family: MetricFamily): string {
  let out = renderFamilyHeader(family.name, family.help, family.type);
  for (const m of family.metric) out += renderMetricText(family.name, family.type, m);
  return out;
}

/** renderFamilyText as UTF-8 buffers of about 64 KiB (TextChunks), for the scrape cache. */
export function renderFamilyTextParts(family: MetricFamily): Buffer[] {
  const out = new TextChunks();
  out.add(renderFamilyHeader(family.name, family.help, family.type));
  for (const m of family.metric) out.add(renderMetricText(family.name, family.type, m));
  return out.finish();
}

const CHUNK_CHARS = 65_536;

/**
 * Text collected as UTF-8 buffers of about CHUNK_CHARS, whole lines each (so a multi-byte character is never
 * split). A large family's text built as one string keeps every line and every concatenation node alive until the
 * end, long enough to be promoted to the old generation: ~150 MB of garbage for a first scrape of 300k series,
 * left in the heap until a full GC. Chunk by chunk, the strings die young.
 */
export class TextChunks {
  private pending = "";
  private readonly parts: Buffer[] = [];

  add(s: string): void {
    this.pending += s;
    if (this.pending.length >= CHUNK_CHARS) this.flush();
  }

  finish(): Buffer[] {
    if (this.pending !== "" || this.parts.length === 0) this.flush();
    return this.parts;
  }

  private flush(): void {
    this.parts.push(Buffer.from(this.pending));
    this.pending = "";
  }
}

/**
 * Go's metricSorter (prometheus/client_golang internal): by number of labels, then label values position by
 * position (labels sorted by name), then timestamp.
 */
export function compareMetrics(a: Metric, b: Metric): number {
  if (a.label.length !== b.label.length) return a.label.length - b.label.length;
  for (let i = 0; i < a.label.length; i++) {
    const va = a.label[i]!.value;
    const vb = b.label[i]!.value;
    if (va !== vb) return compareUtf8(va, vb);
  }
  return (a.timestampMs ?? 0) - (b.timestampMs ?? 0);
}

/** Orders strings by their UTF-8 bytes, as Go compares strings (UTF-16 order differs above U+FFFF). */
export function compareUtf8(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogates (U+D800–DFFF, code points above U+FFFF) sort after U+E000–FFFF in UTF-8.
    if (x >= 0xd800 && y >= 0xd800) {
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x - y;
  }
  return a.length - b.length;
}

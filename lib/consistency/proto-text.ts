// Go's proto.CompactTextString of a *dto.Metric, as it appears inside the Pushgateway's consistency errors
// (1.5.1 wording: `label:<name:"job" value:"x" > gauge:<value:1 > `).
import type { Histogram, LabelPair, Metric, Summary } from "../exposition/model";

function quote(s: string): string {
  let out = '"';
  for (const c of Buffer.from(s, "utf8")) {
    if (c === 10) out += "\\n";
    else if (c === 13) out += "\\r";
    else if (c === 9) out += "\\t";
    else if (c === 34) out += '\\"';
    else if (c === 92) out += "\\\\";
    else if (c >= 0x20 && c < 0x7f) out += String.fromCharCode(c);
    else out += "\\" + c.toString(8).padStart(3, "0");
  }
  return out + '"';
}

function float(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (x === Infinity) return "inf";
  if (x === -Infinity) return "-inf";
  if (x === 0) return Object.is(x, -0) ? "-0" : "0";
  const exp = x.toExponential();
  const e = exp.indexOf("e");
  const exponent = Number(exp.slice(e + 1));
  if (exponent < -4 || exponent >= 21) {
    return exp.slice(0, e) + "e" + (exponent < 0 ? "-" : "+") + String(Math.abs(exponent)).padStart(2, "0");
  }
  return String(x);
}

function labels(ls: LabelPair[]): string {
  return ls.map((l) => `label:<name:${quote(l.name)} value:${quote(l.value)} > `).join("");
}

function summary(s: Summary): string {
  let out = `sample_count:${s.sampleCount} sample_sum:${float(s.sampleSum)} `;
  for (const q of s.quantile) out += `quantile:<quantile:${float(q.quantile)} value:${float(q.value)} > `;
  return out;
}

function histogram(h: Histogram): string {
  let out = `sample_count:${h.sampleCount} sample_sum:${float(h.sampleSum)} `;
  for (const b of h.bucket) out += `bucket:<cumulative_count:${b.cumulativeCount} upper_bound:${float(b.upperBound)} > `;
  return out;
}

export function compactMetricText(m: Metric): string {
  let out = labels(m.label);
  if (m.gauge) out += `gauge:<value:${float(m.gauge.value)} > `;
  if (m.counter) out += `counter:<value:${float(m.counter.value)} > `;
  if (m.summary) out += `summary:<${summary(m.summary)}> `;
  if (m.untyped) out += `untyped:<value:${float(m.untyped.value)} > `;
  if (m.timestampMs !== undefined) out += `timestamp_ms:${m.timestampMs} `;
  if (m.histogram) out += `histogram:<${histogram(m.histogram)}> `;
  return out;
}

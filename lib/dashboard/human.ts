// Human-readable renderings of sample values for the detail view. The exact value is always shown next to it.
import { formatGoFloat } from "../exposition/format-float";

const SI = ["", "k", "M", "G", "T", "P", "E"];
const IEC = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];

function trimNumber(x: number, digits = 3): string {
  return String(Number(x.toPrecision(digits)));
}

export function formatCompact(x: number): string {
  if (!Number.isFinite(x)) return formatGoFloat(x);
  const a = Math.abs(x);
  if (a === 0) return "0";
  if (a < 1e-3) return x.toExponential(2);
  if (a < 1000) return trimNumber(x, 4);
  let i = 0;
  let v = x;
  while (Math.abs(v) >= 1000 && i < SI.length - 1) {
    v /= 1000;
    i++;
  }
  return `${trimNumber(v)} ${SI[i]}`;
}

export function formatBytes(x: number): string {
  if (!Number.isFinite(x)) return formatGoFloat(x);
  let i = 0;
  let v = x;
  while (Math.abs(v) >= 1024 && i < IEC.length - 1) {
    v /= 1024;
    i++;
  }
  return `${trimNumber(v)} ${IEC[i]}`;
}

/** "1h 2m", "3.5 s", "250 ms", "2d 4h". */
export function formatDurationMs(ms: number): string {
  if (!Number.isFinite(ms)) return formatGoFloat(ms / 1000) + " s";
  const neg = ms < 0 ? "-" : "";
  let a = Math.abs(ms);
  if (a < 1) return `${neg}${trimNumber(a * 1000)} µs`;
  if (a < 1000) return `${neg}${trimNumber(a)} ms`;
  if (a < 60_000) return `${neg}${trimNumber(a / 1000)} s`;
  const d = Math.floor(a / 86_400_000);
  a -= d * 86_400_000;
  const h = Math.floor(a / 3_600_000);
  a -= h * 3_600_000;
  const m = Math.floor(a / 60_000);
  a -= m * 60_000;
  const s = Math.floor(a / 1000);
  const parts = d ? [`${d}d`, `${h}h`] : h ? [`${h}h`, `${m}m`] : [`${m}m`, `${s}s`];
  return neg + parts.filter((p) => !/^0[a-z]$/.test(p) || parts.length === 1).join(" ");
}

/** UTC timestamp, second precision: "2026-11-24 13:46:36 UTC". */
export function formatUtc(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace("T", " ")
    .replace(/\.\d+Z$/, " UTC");
}

/** A human rendering of `value` guided by the metric name's unit suffix. */
export function humanValue(metricName: string, value: number): string {
  if (!Number.isFinite(value)) return formatGoFloat(value);
  const n = metricName.replace(/_(total|sum|count|bucket)$/, "");
  if (/(_time|_timestamp)_seconds$/.test(n) && value === 0) return "never";
  // Seconds between 2001 and 5138 are a Unix time, not a duration (last_success_seconds and the like).
  if (/_seconds$/.test(n) && value >= 1e9 && value < 1e11) return formatUtc(value * 1000);
  if (/_bytes$/.test(n)) return formatBytes(value);
  if (/_seconds$/.test(n)) return formatDurationMs(value * 1000);
  if (/_milliseconds$/.test(n)) return formatDurationMs(value);
  if (/_ratio$/.test(n) && Math.abs(value) <= 1.5) return `${trimNumber(value * 100)} %`;
  return formatCompact(value);
}

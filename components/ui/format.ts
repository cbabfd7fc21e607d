// Small display helpers for the browser (no Node APIs).
import type { LabelPair } from "@/lib/exposition/model";

export function formatAgo(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 5) return "just now";
  if (s < 60) return `${s}s ago`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ago`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${m % 60 ? `${m % 60} min ` : ""}ago`;
  return `${Math.floor(h / 24)} days ago`;
}

export function formatSpan(ms: number | null): string {
  if (ms === null) return "—";
  const s = ms / 1000;
  if (s < 1) return `${Math.round(ms)} ms`;
  if (s < 60) return `${Number(s.toPrecision(2))} s`;
  const m = s / 60;
  if (m < 60) return `${Number(m.toPrecision(2))} min`;
  const h = m / 60;
  if (h < 48) return `${Number(h.toPrecision(2))} h`;
  return `${Number((h / 24).toPrecision(2))} d`;
}

export function formatLocal(ms: number): string {
  return new Date(ms).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "medium" });
}

/** `{job="x", instance="y"}` (labels are already job-first from the API). */
export function groupingKeyText(labels: LabelPair[]): string {
  return "{" + labels.map((l) => `${l.name}=${JSON.stringify(l.value)}`).join(", ") + "}";
}

/** "in 3 h", "in 12 min", or "due now" for a time in the past. */
export function formatIn(ms: number): string {
  if (ms <= 0) return "due now";
  return `in ${formatSpan(ms)}`;
}

// The two orders labels are kept in: by name (how samples and grouping keys store them, as Go's client_model
// sorts label pairs) and job first (how the Pushgateway's UI, and so the dashboard, shows a grouping key).
import type { LabelPair } from "../exposition/model";

/** By name (labels, or families), bytewise: names are ASCII, so UTF-16 order is Go's byte order. For Array.prototype.sort. */
export function byName(a: { name: string }, b: { name: string }): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** `job` first, then by name. For Array.prototype.sort. */
export function jobFirst(a: LabelPair, b: LabelPair): number {
  return a.name === "job" ? -1 : b.name === "job" ? 1 : byName(a, b);
}

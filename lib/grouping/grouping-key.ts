// The canonical identity of a group: label names sorted, joined as name 0xFF value 0xFF ... (as upstream).
import type { LabelPair } from "../exposition/model";
import { jobFirst } from "./label-order";

const SEP = "\xff";

/** `labels` must be sorted by name (as parseGroupingPath returns them). */
export function groupingKey(labels: LabelPair[]): string {
  let key = "";
  for (const l of labels) key += l.name + SEP + l.value + SEP;
  return key;
}

/** `{job="x", instance="y"}`: job first, the rest sorted, as the Pushgateway's UI shows a grouping key. */
export function formatGroupingLabels(labels: LabelPair[]): string {
  const ordered = [...labels].sort(jobFirst);
  return "{" + ordered.map((l) => `${l.name}=${JSON.stringify(l.value)}`).join(", ") + "}";
}

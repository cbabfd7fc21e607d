// Group identity in dashboard URLs and API bodies: base64url (no padding) of the UTF-8 grouping key.
import type { LabelPair } from "../exposition/model";
import { renderGroupingPath } from "../grouping/render-path";
import { jobFirst } from "../grouping/label-order";

export function encodeGroupId(key: string): string {
  return Buffer.from(key, "utf8").toString("base64url");
}

/** The grouping key of an id, or undefined when the id is not canonical base64url of a UTF-8 string. */
export function decodeGroupId(id: string): string | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(id)) return undefined;
  const key = Buffer.from(id, "base64url").toString("utf8");
  return encodeGroupId(key) === id ? key : undefined;
}

/** `job` first, then the other labels by name (the Pushgateway UI's order). */
export function orderGroupLabels(labels: readonly LabelPair[]): LabelPair[] {
  return [...labels].sort(jobFirst);
}

/**
 * The group's DELETE path, as readable as the Pushgateway's URL grammar allows: plain segments where a value can
 * be one, `@base64` only for empty values, values containing "/" and dot segments (lib/grouping/render-path.ts).
 */
export function deletePathOf(labels: readonly LabelPair[], routePrefix = ""): string {
  return routePrefix + renderGroupingPath(labels);
}

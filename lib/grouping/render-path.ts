// The inverse of parse-path.ts: the shortest readable /metrics/job/<JOB>{/<NAME>/<VALUE>} path for a grouping
// key. A value goes in plain (percent-encoded where needed) when the Pushgateway's URL grammar can carry it, and
// in the `@base64` form only where it cannot (prometheus/pushgateway handler/push.go splitLabels and the
// README's "URL" section):
//   - an empty value: an empty path segment would be cleaned away (Go's ServeMux path.Clean) → `@base64/=`;
//   - a value containing "/": the path is percent-decoded before it is split, so %2F splits it too;
//   - "." or "..": path.Clean would resolve them (a 301 to another group's path).
import type { LabelPair } from "../exposition/model";
import { encodeBase64Url } from "./base64";

/** Bytes left as they are in a path segment (Go's URL.EscapedPath keeps these; "/" is handled above). */
const KEEP = /^[A-Za-z0-9\-_.~$&+,:;=@]$/;

/** Whether `value` can be a plain path segment. */
export function isPlainSegmentValue(value: string): boolean {
  return value !== "" && value !== "." && value !== ".." && !value.includes("/");
}

/** Percent-encodes the UTF-8 bytes of `value` that a readable path segment cannot hold as they are. */
export function escapeSegment(value: string): string {
  let out = "";
  for (const b of Buffer.from(value, "utf8")) {
    const c = String.fromCharCode(b);
    out += b < 0x80 && KEEP.test(c) ? c : "%" + b.toString(16).toUpperCase().padStart(2, "0");
  }
  return out;
}

/** `name/value` or `name@base64/<b64>` for one grouping label. */
export function renderGroupingSegment(name: string, value: string): string {
  return isPlainSegmentValue(value) ? `${name}/${escapeSegment(value)}` : `${name}@base64/${encodeBase64Url(value)}`;
}

/** The grouping path of `labels` (job first, then the others by name), e.g. `/metrics/job/backup/database/billing`. */
export function renderGroupingPath(labels: readonly LabelPair[]): string {
  const job = labels.find((l) => l.name === "job");
  const rest = labels.filter((l) => l.name !== "job").sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  let path = "/metrics/" + renderGroupingSegment("job", job?.value ?? "");
  for (const l of rest) path += "/" + renderGroupingSegment(l.name, l.value);
  return path;
}

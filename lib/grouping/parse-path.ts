// Parsing the grouping key of /metrics/job/<JOB>{/<LABEL_NAME>/<LABEL_VALUE>} (docs/compatibility.md: grouping key), in the
// Pushgateway's order of checks: base64 job, label split and validation, empty job.
import { isUtf8 } from "node:buffer";
import type { LabelPair } from "../exposition/model";
import { goQuoteBytes } from "../util/go-quote";
import { decodeBase64Url } from "./base64";
import { byName } from "./label-order";

const BASE64_SUFFIX = "@base64";
const LABEL_NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** A grouping label value as raw bytes may not be UTF-8 (`%FF`); such values are kept to be rejected later. */
export interface GroupingLabels {
  labels: LabelPair[];
  /** Names of labels whose value was not valid UTF-8 (their value holds U+FFFD replacements). */
  invalidUtf8: Map<string, Buffer>;
}

export type ParsedGrouping = { ok: true; grouping: GroupingLabels } | { ok: false; message: string };

/** Binary string (one char per byte, as the router produces after percent-decoding) to bytes. */
function bytesOf(binary: string): Buffer {
  return Buffer.from(binary, "latin1");
}

export function isValidLabelName(name: string): boolean {
  return LABEL_NAME_RE.test(name);
}

/**
 * @param jobSegment the :job route parameter (binary string)
 * @param labelsRest the *labels route parameter including its leading "/" ("" when absent)
 * @param jobBase64 the route was /metrics/job@base64/
 */
export function parseGroupingPath(jobSegment: string, labelsRest: string, jobBase64: boolean): ParsedGrouping {
  let job = bytesOf(jobSegment);
  if (jobBase64) {
    const decoded = decodeBase64Url(jobSegment);
    if (decoded.error) {
      return { ok: false, message: `invalid base64 encoding in job name ${goQuoteBytes(decoded.bytes)}: ${decoded.error}` };
    }
    job = decoded.bytes;
  }
  const values = new Map<string, Buffer>();
  if (labelsRest.length > 1) {
    const components = labelsRest.split("/");
    if (components.length % 2 === 0) {
      return { ok: false, message: `odd number of components in label string ${goQuoteBytes(bytesOf(labelsRest))}` };
    }
    for (let i = 1; i < components.length - 1; i += 2) {
      const name = components[i]!;
      const value = components[i + 1]!;
      const trimmed = name.endsWith(BASE64_SUFFIX) ? name.slice(0, -BASE64_SUFFIX.length) : name;
      if (!isValidLabelName(trimmed) || trimmed.startsWith("__")) {
        return { ok: false, message: `improper label name ${goQuoteBytes(bytesOf(trimmed))}` };
      }
      if (name === trimmed) {
        values.set(name, bytesOf(value));
        continue;
      }
      const decoded = decodeBase64Url(value);
      if (decoded.error) {
        return { ok: false, message: `invalid base64 encoding for label ${trimmed}=${goQuoteBytes(bytesOf(value))}: ${decoded.error}` };
      }
      values.set(trimmed, decoded.bytes);
    }
  }
  if (job.length === 0) return { ok: false, message: "job name is required" };
  values.set("job", job);

  const labels: LabelPair[] = [];
  const invalidUtf8 = new Map<string, Buffer>();
  for (const [name, raw] of values) {
    if (!isUtf8(raw)) invalidUtf8.set(name, raw);
    labels.push({ name, value: raw.toString("utf8") });
  }
  labels.sort(byName);
  return { ok: true, grouping: { labels, invalidUtf8 } };
}

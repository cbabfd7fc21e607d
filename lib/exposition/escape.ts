// Escaping rules of the Prometheus text formats (docs/compatibility.md: text format). One function per rule.

/** HELP text in text format 0.0.4: backslash and newline. */
export function escapeHelp(s: string): string {
  return /[\\\n]/.test(s) ? s.replace(/\\/g, "\\\\").replace(/\n/g, "\\n") : s;
}

/** Label values in text format 0.0.4 and OpenMetrics: backslash, double quote and newline. */
export function escapeLabelValue(s: string): string {
  return /[\\\n"]/.test(s) ? s.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"') : s;
}

/** HELP text in OpenMetrics 1.0: backslash, newline and double quote. */
export function escapeOpenMetricsHelp(s: string): string {
  return escapeLabelValue(s);
}

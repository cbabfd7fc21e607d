// What the detail page offers for Prometheus: a graph link of the group's push age and a ready-made alert rule.
// Both select the group's push_time_seconds by its grouping labels, plus instance="" when the key has no instance:
// the Pushgateway exposes that empty instance so Prometheus (honor_labels: true) keeps no instance label, and
// without the matcher `{job="x"}` would also select the groups {job="x",instance="…"}.
import type { LabelPair } from "../exposition/model";
import { PUSH_TIME_METRIC } from "../consistency/check-push";

/** A PromQL string literal (Go-style escapes; JSON's are a subset PromQL accepts). */
function promqlString(value: string): string {
  return JSON.stringify(value);
}

/** `push_time_seconds{job="backup",database="billing",instance=""}`: job first, then by name. */
export function pushTimeSelector(labels: readonly LabelPair[]): string {
  const job = labels.filter((l) => l.name === "job");
  const rest = labels.filter((l) => l.name !== "job").sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const all = [...job, ...rest];
  if (!all.some((l) => l.name === "instance")) all.push({ name: "instance", value: "" });
  return `${PUSH_TIME_METRIC}{${all.map((l) => `${l.name}=${promqlString(l.value)}`).join(",")}}`;
}

/** Seconds since the group's last successful push, as Prometheus sees it. */
export function pushAgeExpr(labels: readonly LabelPair[]): string {
  return `time() - ${pushTimeSelector(labels)}`;
}

/** Prometheus's graph page for `expr` (the /graph?g0.expr=… form both the classic and the new UI read). */
export function prometheusGraphUrl(prometheusUrl: string, expr: string, range = "1d"): string {
  const q = new URLSearchParams({ "g0.expr": expr, "g0.tab": "0", "g0.range_input": range });
  return `${prometheusUrl.replace(/\/+$/, "")}/graph?${q.toString().replace(/\+/g, "%20")}`;
}

/** A YAML single-quoted scalar: no escapes but '' for a quote, so any PromQL text fits on one line. */
function yamlQuoted(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/** Text inside an alert template: "{{" in a label value must not start a template action. */
function templateSafe(s: string): string {
  return s.replace(/\{(?=\{)/g, "{ ").replace(/\}(?=\})/g, "} ");
}

/**
 * An alerting rule file (for `rule_files:`) that fires when the group has not pushed for `staleAfterMs`, the
 * threshold the dashboard uses. A deleted group has no push_time_seconds, so the rule goes quiet with it.
 */
export function alertRuleYaml(labels: readonly LabelPair[], staleAfterMs: number, groupingKey: string): string {
  const job = labels.find((l) => l.name === "job")?.value ?? "";
  const seconds = Math.max(1, Math.round(staleAfterMs / 1000));
  return [
    "groups:",
    `  - name: ${yamlQuoted(`pushboard ${job}`)}`,
    "    rules:",
    "      - alert: PushGroupStale",
    `        expr: ${yamlQuoted(`${pushAgeExpr(labels)} > ${seconds}`)}`,
    "        labels:",
    "          severity: warning",
    "        annotations:",
    `          summary: ${yamlQuoted(`No push from ${templateSafe(groupingKey)} for {{ $value | humanizeDuration }}`)}`,
    `          description: ${yamlQuoted(`The group was expected to push at least every ${seconds}s (pushboard's stale-after for it).`)}`,
    "",
  ].join("\n");
}

// The Pushgateway's consistency check (docs/compatibility.md: consistency check), computed incrementally: instead of re-gathering the whole
// store per push, the store answers questions from indexes (family name → type, series → owning group), so a
// push costs O(size of the push). The store is kept consistent at all times, so only the families a write
// changes can introduce an error.
import { isValidLabelName } from "../grouping/parse-path";
import type { LabelPair, Metric, MetricFamily, MetricType } from "../exposition/model";
import { goQuote, goQuoteBytes } from "../util/go-quote";
import { compactMetricText } from "./proto-text";
import { byName } from "../grouping/label-order";

export interface OwnFamilyInfo {
  type: MetricType;
  help: string;
  /** The family had samples at startup: a pushed family of that name may carry another HELP (docs/compatibility.md: consistency check). */
  predefinedHelp: boolean;
}

/** What the check needs to know about the rest of the store. */
export interface ConsistencyView {
  /** Type of family `name` in groups other than `groupKey`, if any other group has it. */
  typeElsewhere(name: string, groupKey: string): MetricType | undefined;
  /** Key of the group holding series `id` (see seriesId), if any. */
  seriesOwner(id: number): string | undefined;
  ownFamily(name: string): OwnFamilyInfo | undefined;
}

export const PUSH_TIME_METRIC = "push_time_seconds";
export const PUSH_FAILURE_TIME_METRIC = "push_failure_time_seconds";
/** pushboard's per-group health families (lib/lifecycle/health.ts): computed, never taken from a push. */
export const GROUP_UP_METRIC = "pushboard_group_up";
export const GROUP_EXPECTED_INTERVAL_METRIC = "pushboard_group_expected_interval_seconds";
export const DERIVED_METRIC_NAMES: ReadonlySet<string> = new Set([GROUP_UP_METRIC, GROUP_EXPECTED_INTERVAL_METRIC]);

// The hash state of seriesId (module variables: no closure or allocation per call), and the state after the last
// family name hashed.
let h1 = 0;
let h2 = 0;
let lastName: string | undefined;
let nameH1 = 0;
let nameH2 = 0;

function mix(s: string): void {
  let a = h1;
  let b = h2;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995) ^ (b >>> 15);
  }
  h1 = Math.imul(a ^ 0xff, 0x01000193);
  h2 = Math.imul(b ^ 0xff, 0x5bd1e995) ^ (b >>> 15);
}

/**
 * Identity of one series for the uniqueness check: a 53-bit hash of the family name and all label pairs (sorted by
 * name), like the 64-bit hash client_golang uses for the same check. Numbers keep the index small and the push path
 * free of string building; a collision (odds ~1e-5 at a million series) would reject a push as a duplicate, the
 * same failure mode as upstream's.
 */
export function seriesId(name: string, labels: LabelPair[]): number {
  if (name !== lastName) {
    h1 = 0x811c9dc5;
    h2 = 0x01000193;
    mix(name);
    lastName = name;
    nameH1 = h1;
    nameH2 = h2;
  } else {
    // The samples of a family come one after the other: the hash state after the name is reused.
    h1 = nameH1;
    h2 = nameH2;
  }
  for (let i = 0; i < labels.length; i++) {
    mix(labels[i]!.name);
    mix(labels[i]!.value);
  }
  return (h2 >>> 11) * 4294967296 + (h1 >>> 0);
}

/**
 * seriesId of a checked or stored metric. Not cached on the metric: a cached id is an out-of-object property
 * (a property array and a boxed number, ~56 B per stored series; BENCHMARKS.md, issue 17, Memory), while
 * recomputing it costs one hash of the labels when a series is checked, indexed or replaced.
 */
export function metricSeriesId(name: string, m: Metric): number {
  return seriesId(name, m.label);
}

const VALUE_FIELD: Record<MetricType, keyof Metric> = {
  COUNTER: "counter",
  GAUGE: "gauge",
  SUMMARY: "summary",
  UNTYPED: "untyped",
  HISTOGRAM: "histogram",
  GAUGE_HISTOGRAM: "histogram",
};

function collected(name: string, m: Metric): string {
  return `collected metric ${goQuote(name)} { ${compactMetricText(m)}}`;
}

/** Suffix-collision rule of client_golang's Gatherers (checkSuffixCollisions). */
function suffixCollision(name: string, type: MetricType, typeOf: (n: string) => MetricType | undefined): string | undefined {
  let base = "";
  if (name.endsWith("_count")) base = name.slice(0, -6);
  else if (name.endsWith("_sum")) base = name.slice(0, -4);
  else if (name.endsWith("_bucket")) base = name.slice(0, -7);
  if (base !== "") {
    const baseType = typeOf(base);
    if (baseType === "SUMMARY" && !name.endsWith("_bucket")) {
      return `collected metric named ${goQuote(name)} collides with previously collected summary named ${goQuote(base)}`;
    }
    if (baseType === "HISTOGRAM") {
      return `collected metric named ${goQuote(name)} collides with previously collected histogram named ${goQuote(base)}`;
    }
  }
  if (type === "SUMMARY" || type === "HISTOGRAM") {
    for (const suffix of ["_count", "_sum"]) {
      if (typeOf(name + suffix) !== undefined) {
        return `collected histogram or summary named ${goQuote(name)} collides with previously collected metric named ${goQuote(name + suffix)}`;
      }
    }
  }
  if (type === "HISTOGRAM" && typeOf(name + "_bucket") !== undefined) {
    return `collected histogram named ${goQuote(name)} collides with previously collected metric named ${goQuote(name + "_bucket")}`;
  }
  return undefined;
}

/** Per-sample checks of client_golang's checkMetricConsistency, except uniqueness. */
function checkMetric(name: string, type: MetricType, m: Metric, invalidUtf8: Map<string, Buffer>): string | undefined {
  if (m[VALUE_FIELD[type]] === undefined) return `${collected(name, m)} is not a ${type}`;
  let previous = "";
  for (const l of m.label) {
    if (l.name === previous) return `${collected(name, m)} has two or more labels with the same name: ${l.name}`;
    if (!isValidLabelName(l.name) || l.name.startsWith("__")) return `${collected(name, m)} has a label with an invalid name: ${l.name}`;
    if (m.summary && l.name === "quantile") return `${collected(name, m)} must not have an explicit "quantile" label`;
    const raw = invalidUtf8.get(l.name);
    if (raw && l.value === raw.toString("utf8")) {
      return `${collected(name, m)} has a label named ${goQuote(l.name)} whose value is not utf8: ${goQuoteBytes(raw)}`;
    }
    previous = l.name;
  }
  return undefined;
}

/**
 * Checks the families a write puts into group `groupKey`.
 * @param written the families this write stores (sanitised), push_time_seconds etc. included
 * @param groupFamilies every family of the group after the write, by name
 * @param invalidUtf8 grouping labels whose value was not valid UTF-8
 * @returns the error texts, in a deterministic order (the Pushgateway's order is random)
 */
export function checkWrite(
  view: ConsistencyView,
  groupKey: string,
  written: MetricFamily[],
  groupFamilies: Map<string, MetricFamily>,
  invalidUtf8: Map<string, Buffer>,
): string[] {
  const errors: string[] = [];
  const typeOf = (n: string): MetricType | undefined => groupFamilies.get(n)?.type ?? view.typeElsewhere(n, groupKey) ?? view.ownFamily(n)?.type;
  const sorted = [...written].sort(byName);
  for (const f of sorted) {
    const own = view.ownFamily(f.name);
    if (own) {
      if (!own.predefinedHelp && own.help !== f.help) {
        errors.push(`gathered metric family ${f.name} has help ${goQuote(f.help)} but should have ${goQuote(own.help)}`);
        continue;
      }
      if (own.type !== f.type) {
        errors.push(`gathered metric family ${f.name} has type ${f.type} but should have ${own.type}`);
        continue;
      }
    } else {
      const collision = suffixCollision(f.name, f.type, (n) => (n === f.name ? undefined : typeOf(n)));
      if (collision) {
        errors.push(collision);
        continue;
      }
    }
    const other = view.typeElsewhere(f.name, groupKey);
    const seen = new Set<number>();
    for (const m of f.metric) {
      if (other !== undefined && other !== f.type) {
        // The merged family takes the type of whichever group comes first; report this write's samples.
        errors.push(`${collected(f.name, m)} is not a ${other}`);
        continue;
      }
      const err = checkMetric(f.name, f.type, m, invalidUtf8);
      if (err) {
        errors.push(err);
        continue;
      }
      const id = metricSeriesId(f.name, m);
      const owner = view.seriesOwner(id);
      if (seen.has(id) || (owner !== undefined && owner !== groupKey)) {
        errors.push(`${collected(f.name, m)} was collected before with the same name and label values`);
        continue;
      }
      seen.add(id);
    }
  }
  return errors;
}

/** client_golang's MultiError text. */
export function formatErrors(errors: string[]): string {
  if (errors.length === 1) return errors[0]!;
  return `${errors.length} error(s) occurred:\n` + errors.map((e) => `* ${e}`).join("\n");
}

/**
 * Label sanitisation (docs/compatibility.md: label sanitisation): grouping labels override or are added to every sample, instance=""
 * is added when absent, and label pairs end up sorted by name. Mutates the freshly parsed families.
 */
export function sanitiseFamilies(families: MetricFamily[], grouping: LabelPair[]): void {
  // Added label pairs are shared by every sample of the push (stored labels are never mutated).
  const shared = grouping.map((l) => ({ name: l.name, value: l.value }));
  const groupingHasInstance = grouping.some((l) => l.name === "instance");
  const emptyInstance: LabelPair = { name: "instance", value: "" };
  const found = new Array<boolean>(shared.length);
  for (const f of families) {
    for (const m of f.metric) {
      found.fill(false);
      let hasInstance = groupingHasInstance;
      for (const lp of m.label) {
        for (let i = 0; i < shared.length; i++) {
          // The first body label of a grouping name takes the grouping value (as upstream).
          if (!found[i] && shared[i]!.name === lp.name) {
            lp.value = shared[i]!.value;
            found[i] = true;
            break;
          }
        }
        if (lp.name === "instance") hasInstance = true;
      }
      for (let i = 0; i < shared.length; i++) if (!found[i]) m.label.push(shared[i]!);
      if (!hasInstance) m.label.push(emptyInstance);
      m.label.sort(byName);
    }
  }
}

/** True if any sample carries a timestamp (rejected: docs/compatibility.md: timestamps). */
export function hasTimestamps(families: MetricFamily[]): boolean {
  return families.some((f) => f.metric.some((m) => m.timestampMs !== undefined));
}

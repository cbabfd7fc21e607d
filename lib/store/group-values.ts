// Values read off a stored group, and the conversions between a Group and its persisted form.
import type { Metric, MetricFamily } from "../exposition/model";
import { PUSH_FAILURE_TIME_METRIC, PUSH_TIME_METRIC } from "../consistency/check-push";
import type { Group, PersistedGroup, StoredFamily } from "./types";

export function familiesOf(stored: Map<string, StoredFamily>): Map<string, MetricFamily> {
  const out = new Map<string, MetricFamily>();
  for (const [name, sf] of stored) out.set(name, sf.family);
  return out;
}

export function groupFromPersisted(pg: PersistedGroup): Group {
  const families = new Map<string, StoredFamily>();
  for (const sf of pg.families) families.set(sf.family.name, sf);
  return { key: pg.key, labels: pg.labels, families, pushHistory: pg.pushHistory, lastError: pg.lastError };
}

/** Series of a group, its push_time_seconds and push_failure_time_seconds not counted. */
export function seriesOf(group: Group): number {
  let n = 0;
  for (const [name, sf] of group.families) if (name !== PUSH_TIME_METRIC && name !== PUSH_FAILURE_TIME_METRIC) n += sf.family.metric.length;
  return n;
}

/** Unix ms of the group's last push attempt, successful or not (0 if it has none). */
export function lastAttemptMs(group: Group): number {
  return Math.max(syntheticValue(group, PUSH_TIME_METRIC), syntheticValue(group, PUSH_FAILURE_TIME_METRIC)) * 1000;
}

/** Value of the single sample of a group's push_time_seconds or push_failure_time_seconds (0 when absent). */
export function syntheticValue(group: Group, name: string): number {
  const m: Metric | undefined = group.families.get(name)?.family.metric[0];
  return m?.gauge?.value ?? m?.untyped?.value ?? m?.counter?.value ?? 0;
}

/** The Pushgateway's last_push_successful: false iff push_failure_time_seconds > push_time_seconds. */
export function lastPushSuccessful(group: Group): boolean {
  return !(syntheticValue(group, PUSH_FAILURE_TIME_METRIC) > syntheticValue(group, PUSH_TIME_METRIC));
}

/** A group as persisted (and as kept in an undo snapshot). */
export function persistedOf(g: Group, families: StoredFamily[] = [...g.families.values()]): PersistedGroup {
  const pg: PersistedGroup = { key: g.key, labels: g.labels, families, pushHistory: g.pushHistory };
  if (g.lastError) pg.lastError = g.lastError;
  return pg;
}

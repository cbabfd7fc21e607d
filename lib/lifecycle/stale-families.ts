// Stale families: families of a group that were not written along with its recent pushes, e.g. a metric a job
// renamed or stopped emitting while it keeps pushing the rest with POST (the Pushgateway keeps such a family
// forever). Definition (README "Stale families", the dashboard's has:stale-families): a family other than
// push_time_seconds and push_failure_time_seconds whose last write is older than the group's last successful
// push by more than max(1 h, 2 × the group's typical push interval). It does not depend on the clock: a group
// that stopped pushing altogether is stale, not its families. Lifecycle rules (expire_families_after) use an
// absolute age instead: staleFamiliesOf.
import { PUSH_FAILURE_TIME_METRIC, PUSH_TIME_METRIC } from "../consistency/check-push";
import type { Group, StoredFamily } from "../store/types";

/** A family written this much before the group's last push is stale (the dashboard's has:stale-families). */
export const STALE_FAMILY_LAG_MS = 3600_000;

function isPushTime(name: string): boolean {
  return name === PUSH_TIME_METRIC || name === PUSH_FAILURE_TIME_METRIC;
}

/** Families (push_* excepted) last written before `beforeMs`, oldest first. */
export function staleFamiliesOf(group: Group, beforeMs: number): StoredFamily[] {
  const out: StoredFamily[] = [];
  for (const [name, sf] of group.families) if (!isPushTime(name) && sf.timestampMs < beforeMs) out.push(sf);
  return out.sort((a, b) => a.timestampMs - b.timestampMs);
}

/** Unix ms of the group's latest write of any family but push_failure_time_seconds (its last successful push). */
export function lastWriteMs(group: Group): number {
  let ms = 0;
  for (const [name, sf] of group.families) if (name !== PUSH_FAILURE_TIME_METRIC && sf.timestampMs > ms) ms = sf.timestampMs;
  return ms;
}

/** How far behind the group's last push a family may be before it is stale. */
export function familyLagMs(intervalMs: number | null): number {
  return Math.max(STALE_FAMILY_LAG_MS, 2 * (intervalMs ?? 0));
}

/** The stale families of a group (see the top of this file), oldest first. */
export function laggingFamilies(group: Group, intervalMs: number | null): StoredFamily[] {
  const last = lastWriteMs(group);
  return last > 0 ? staleFamiliesOf(group, last - familyLagMs(intervalMs)) : [];
}

// Restoring audited deletes (WriteRequest "restore"), decided against the state at the moment the request is
// applied in the write queue. A snapshot of a whole group comes back only if no group with its key exists (one
// pushed since the delete is never overwritten); a family-delete snapshot only if its group still exists and none
// of the families was pushed again. Either way the consistency check runs against the current state, so a series
// or type pushed meanwhile by another group is a refusal, never a broken scrape. What is restored is exactly what
// was removed (families with HELP, TYPE, values and write times, push history, last error); the persistence is an
// ordinary upsertGroup, so every backend persists a restore like a push.
import type { MetricFamily } from "../exposition/model";
import { formatErrors } from "../consistency/check-push";
import { formatPrometheusDuration } from "../lifecycle/prom-duration";
import type { AuditEntry, Group, Mutation, PersistedGroup, RestoreOutcome, StoredFamily, UndoSnapshot } from "./types";

/** What restoreSnapshots needs from the store state (store-state.ts provides it, inside one batch). */
export interface RestoreTarget {
  snapshot(id: string): UndoSnapshot | undefined;
  ofOperation(operation: string): string[];
  findAudit(pred: (e: AuditEntry) => boolean): AuditEntry | undefined;
  windowMs: number;
  nowMs: number;
  current(key: string): Group | undefined;
  /** Consistency errors of writing `written` into group `key` whose families would then be `all`. */
  check(key: string, written: MetricFamily[], all: Map<string, MetricFamily>): string[];
  put(key: string, next: Group, mutation: Mutation & { op: "upsertGroup" }): void;
  /** Replaces the snapshot with what is left of it (undefined: all of it was restored). */
  keep(id: string, rest: UndoSnapshot | undefined): void;
}

const iso = (ms: number): string => new Date(ms).toISOString();

export function restoreSnapshots(ids: string[], t: RestoreTarget): RestoreOutcome {
  const outcome: RestoreOutcome = { restored: [], refused: [], missing: [] };
  const targets: string[] = [];
  for (const id of new Set(ids)) {
    if (t.snapshot(id)) targets.push(id);
    else {
      const ofOp = t.ofOperation(id);
      if (ofOp.length > 0) targets.push(...ofOp);
      else outcome.missing.push(whyMissing(id, t));
    }
  }
  for (const id of new Set(targets)) {
    const s = t.snapshot(id)!;
    const rest: PersistedGroup[] = [];
    for (const pg of s.groups) {
      const refusal = s.partial ? restoreFamilies(pg, t) : restoreGroup(pg, t);
      if (refusal) {
        outcome.refused.push({ id, key: pg.key, labels: pg.labels, reason: refusal });
        rest.push(pg);
        continue;
      }
      const series = pg.families.reduce((n, sf) => n + (isPushTime(sf.family.name) ? 0 : sf.family.metric.length), 0);
      outcome.restored.push({ id, key: pg.key, labels: pg.labels, series, ...(s.partial ? { families: pg.families.map((sf) => sf.family.name) } : {}) });
    }
    if (rest.length < s.groups.length) t.keep(id, rest.length === 0 ? undefined : { ...s, groups: rest });
  }
  return outcome;
}

function isPushTime(name: string): boolean {
  return name === "push_time_seconds" || name === "push_failure_time_seconds";
}

function restoreGroup(pg: PersistedGroup, t: RestoreTarget): string | undefined {
  const cur = t.current(pg.key);
  if (cur) return `the group was pushed again since the deletion (it exists now, last written ${lastWrite(cur)}): restoring would overwrite it`;
  const families = new Map<string, StoredFamily>(pg.families.map((sf) => [sf.family.name, sf]));
  const errors = t.check(
    pg.key,
    pg.families.map((sf) => sf.family),
    familyMap(families),
  );
  if (errors.length > 0) return `conflicts with metrics pushed since the deletion: ${formatErrors(errors)}`;
  const next: Group = { key: pg.key, labels: pg.labels, families, pushHistory: pg.pushHistory, ...(pg.lastError ? { lastError: pg.lastError } : {}) };
  t.put(pg.key, next, {
    op: "upsertGroup",
    key: pg.key,
    labels: pg.labels,
    families: pg.families,
    removedFamilies: [],
    pushHistory: pg.pushHistory,
    lastError: pg.lastError,
  });
  return undefined;
}

function restoreFamilies(pg: PersistedGroup, t: RestoreTarget): string | undefined {
  const cur = t.current(pg.key);
  if (!cur) return "the group was deleted since the family delete: restore the group's deletion first";
  const again = pg.families.filter((sf) => cur.families.has(sf.family.name)).map((sf) => sf.family.name);
  if (again.length > 0) return `pushed again since the deletion: ${again.join(", ")} (restoring would overwrite ${again.length === 1 ? "it" : "them"})`;
  const families = new Map(cur.families);
  for (const sf of pg.families) families.set(sf.family.name, sf);
  const errors = t.check(
    pg.key,
    pg.families.map((sf) => sf.family),
    familyMap(families),
  );
  if (errors.length > 0) return `conflicts with metrics pushed since the deletion: ${formatErrors(errors)}`;
  t.put(
    pg.key,
    { ...cur, families },
    { op: "upsertGroup", key: pg.key, labels: cur.labels, families: pg.families, removedFamilies: [], pushHistory: cur.pushHistory, lastError: cur.lastError },
  );
  return undefined;
}

function lastWrite(g: Group): string {
  let ms = 0;
  for (const sf of g.families.values()) ms = Math.max(ms, sf.timestampMs);
  return ms > 0 ? iso(ms) : "at an unknown time";
}

function familyMap(stored: Map<string, StoredFamily>): Map<string, MetricFamily> {
  const out = new Map<string, MetricFamily>();
  for (const [name, sf] of stored) out.set(name, sf.family);
  return out;
}

/** Why an id has nothing to restore: already restored (409), past the window (410), or never existed (404). */
function whyMissing(id: string, t: RestoreTarget): RestoreOutcome["missing"][number] {
  // The deletion entries the id names (itself, or those of its operation), then a restore of any of them.
  const named = new Set<string>([id]);
  let entry: AuditEntry | undefined;
  t.findAudit((e) => {
    if (e.action !== "restore" && (e.id === id || e.operation === id)) {
      entry ??= e;
      if (e.id !== undefined) named.add(e.id);
    }
    return false;
  });
  const restoredBy = t.findAudit((e) => e.action === "restore" && e.restores !== undefined && named.has(e.restores));
  if (restoredBy) {
    return { id, reason: "restored", message: `already restored ${iso(restoredBy.timeMs)}${restoredBy.user ? ` by ${restoredBy.user}` : ""}` };
  }
  if (!entry) return { id, reason: "unknown", message: `no deletion with id ${JSON.stringify(id)}` };
  const e = entry as AuditEntry;
  if (e.timeMs + t.windowMs < t.nowMs) {
    return { id, reason: "expired", message: `the undo window (${formatPrometheusDuration(t.windowMs)}) of this deletion (${iso(e.timeMs)}) has passed` };
  }
  return { id, reason: "expired", message: "nothing of this deletion is left to restore" };
}

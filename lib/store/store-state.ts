// The in-memory state every store backend serves reads from: groups by key, the indexes for the incremental
// consistency check and for rendering, and the write semantics of the Pushgateway (PUT, POST, DELETE, wipe).
// Backends own the ordering and durability of writes; this module only applies them. A write is applied to a
// WriteBatch that records each group it replaced, so a backend can take the batch back out (its commit failed, or
// it wants the state to hold only committed data until the commit returns) and put it back in again.
import type { MetricFamily } from "../exposition/model";
import { groupingKey } from "../grouping/grouping-key";
import {
  checkWrite,
  formatErrors,
  hasTimestamps,
  PUSH_FAILURE_TIME_METRIC,
  PUSH_TIME_METRIC,
  DERIVED_METRIC_NAMES,
  sanitiseFamilies,
  type ConsistencyView,
  type OwnFamilyInfo,
} from "../consistency/check-push";
import {
  PUSH_HISTORY_LENGTH,
  type ChangeListener,
  type Group,
  type Mutation,
  type PersistedGroup,
  type StoreReader,
  type StoredFamily,
  type AuditEntry,
  type AuditSource,
  type RemovedGroup,
  type WriteRequest,
  type WriteResult,
  type UndoSnapshot,
  type RestorableDeletion,
  type FamilyDeleteCondition,
  type UndoHandle,
} from "./types";
import { AUDIT_MAX_ENTRIES, AUDIT_RETENTION_MS, AuditTrail } from "./audit-trail";
import { newUndoId, UNDO_WINDOW_MS, UndoLog } from "./undo";
import { restoreSnapshots, type RestoreTarget } from "./restore";
import { byName } from "../grouping/label-order";
import { GroupIndex } from "./group-index";
import { compactFamily } from "./family-codec";
import { familiesOf, groupFromPersisted, lastAttemptMs, persistedOf, seriesOf } from "./group-values";
import type { Logger } from "../util/log";

export const PUSH_TIME_HELP = "Last Unix time when changing this group in the Pushgateway succeeded.";
export const PUSH_FAILURE_TIME_HELP = "Last Unix time when changing this group in the Pushgateway failed.";
export const INCONSISTENT_PREFIX = "pushed metrics are invalid or inconsistent with existing metrics: ";
const TIMESTAMP_ERROR = "pushed metrics must not have timestamps";

/** The effect of applied writes: durable mutations, and the group replacements to undo or redo them locally. */
export interface WriteBatch {
  mutations: Mutation[];
  /** Audit entries this batch appended to the trail (taken back out by undo). */
  audit: AuditEntry[];
  replaced: Array<{ key: string; prev: Group | undefined; next: Group | undefined }>;
  /** Undo snapshots this batch stored, replaced or dropped (taken back out by undo). */
  undoSnapshots: Array<{ id: string; prev: UndoSnapshot | undefined; next: UndoSnapshot | undefined }>;
  /** Names of families whose content changed. */
  changed: Set<string>;
}

export function newBatch(): WriteBatch {
  return { mutations: [], audit: [], replaced: [], undoSnapshots: [], changed: new Set() };
}

function syntheticGauge(name: string, help: string, labels: Group["labels"], valueSeconds: number): MetricFamily {
  const label = labels.map((l) => ({ ...l }));
  if (!label.some((l) => l.name === "instance")) label.push({ name: "instance", value: "" });
  label.sort(byName);
  return { name, help, type: "GAUGE", metric: [{ label, gauge: { value: valueSeconds } }] };
}

export class StoreState implements StoreReader {
  private readonly index: GroupIndex;
  /** Groups by key (the index's map; read-only here: every change goes through setGroup). */
  private readonly byKey: ReadonlyMap<string, Group>;
  private readonly view: ConsistencyView;
  private readonly listeners = new Set<ChangeListener>();
  private trail: AuditTrail;
  private readonly undoLog: UndoLog;

  constructor(
    private readonly ownFamily: (name: string) => OwnFamilyInfo | undefined = () => undefined,
    private readonly log: Logger = () => {},
    private readonly auditRetentionMs = AUDIT_RETENTION_MS,
    /** --dashboard.undo-window; 0 keeps no snapshots (nothing can be restored). */
    readonly undoWindowMs = UNDO_WINDOW_MS,
  ) {
    this.trail = new AuditTrail(AUDIT_MAX_ENTRIES, auditRetentionMs);
    this.undoLog = new UndoLog(undoWindowMs);
    this.index = new GroupIndex();
    this.byKey = this.index.byKey;
    this.view = this.index.consistencyView(ownFamily);
  }

  audit(limit: number): AuditEntry[] {
    return this.trail.newest(limit);
  }

  restorable(nowMs = Date.now()): RestorableDeletion[] {
    const snapshots = this.undoLog.live(nowMs);
    if (snapshots.length === 0) return [];
    const entries = new Map<string, AuditEntry & { id: string }>();
    for (const e of this.trail.newest(AUDIT_MAX_ENTRIES, nowMs)) if (e.id !== undefined) entries.set(e.id, e as AuditEntry & { id: string });
    const out: RestorableDeletion[] = [];
    for (const s of snapshots) {
      const entry = entries.get(s.id);
      if (entry) out.push({ entry, untilMs: s.timeMs + this.undoWindowMs, groups: s.groups.length });
    }
    return out;
  }

  /** Replaces the undo snapshots with persisted ones (at startup, or a full reload). */
  loadUndo(snapshots: Iterable<UndoSnapshot>): void {
    this.undoLog.load(snapshots);
    this.undoLog.prune(Date.now());
  }

  /** Replaces the audit trail with persisted entries (at startup, or a full reload), oldest first. */
  loadAudit(entries: Iterable<AuditEntry>): void {
    this.trail = new AuditTrail(AUDIT_MAX_ENTRIES, this.auditRetentionMs);
    for (const e of entries) this.trail.append(e);
  }

  // --- StoreReader ---------------------------------------------------------------------------------------

  getGroup(key: string): Group | undefined {
    return this.byKey.get(key);
  }
  groups(): IterableIterator<Group> {
    return this.byKey.values();
  }
  groupCount(): number {
    return this.byKey.size;
  }
  seriesCount(): number {
    return this.index.seriesCount();
  }
  familyNames(): IterableIterator<string> {
    return this.index.familyNames();
  }
  groupsWithFamily(name: string): Iterable<Group> {
    return this.index.groupsWithFamily(name);
  }

  onChange(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Tells the listeners which families changed. */
  notify(changed: Set<string>): void {
    if (changed.size > 0) for (const l of this.listeners) l(changed);
  }

  // --- loading and replaying -----------------------------------------------------------------------------

  /** Adds persisted groups (at startup), in their stored order. */
  loadGroups(groups: Iterable<PersistedGroup>, changed?: Set<string>): void {
    for (const pg of groups) this.index.set(pg.key, groupFromPersisted(pg), changed);
  }

  /** Removes every group (before a full reload). */
  clear(changed?: Set<string>): void {
    for (const key of [...this.byKey.keys()]) this.index.set(key, undefined, changed);
  }

  /** Applies mutations committed elsewhere (another replica), exactly as their writer applied them. */
  applyMutations(mutations: Iterable<Mutation>, changed: Set<string>): void {
    for (const m of mutations) {
      switch (m.op) {
        case "upsertGroup": {
          const old = this.byKey.get(m.key);
          const families = new Map(old?.families ?? []);
          for (const name of m.removedFamilies) families.delete(name);
          for (const sf of m.families) families.set(sf.family.name, sf);
          this.index.set(m.key, { key: m.key, labels: m.labels, families, pushHistory: m.pushHistory, lastError: m.lastError }, changed);
          break;
        }
        case "deleteGroup":
          this.index.set(m.key, undefined, changed);
          break;
        case "wipe":
          this.clear(changed);
          break;
        case "audit":
          for (const e of m.entries) this.trail.append(e);
          break;
        case "putUndo":
          this.undoLog.set(m.snapshot.id, m.snapshot);
          break;
        case "dropUndo":
          this.undoLog.set(m.id, undefined);
          break;
      }
    }
  }

  /** Takes a batch back out of the state (newest replacement first). */
  undo(batch: WriteBatch): void {
    this.trail.dropNewest(batch.audit.length);
    for (let i = batch.undoSnapshots.length - 1; i >= 0; i--) {
      const u = batch.undoSnapshots[i]!;
      this.undoLog.set(u.id, u.prev);
    }
    for (let i = batch.replaced.length - 1; i >= 0; i--) {
      const r = batch.replaced[i]!;
      this.index.set(r.key, r.prev, batch.changed);
    }
  }

  /** Puts an undone batch back in (the very Group objects it created). */
  redo(batch: WriteBatch): void {
    for (const e of batch.audit) this.trail.append(e);
    for (const u of batch.undoSnapshots) this.undoLog.set(u.id, u.next);
    for (const r of batch.replaced) this.index.set(r.key, r.next, batch.changed);
  }

  /** Stores, replaces (next) or drops (undefined) an undo snapshot as part of a batch. */
  private setUndo(batch: WriteBatch, id: string, next: UndoSnapshot | undefined): void {
    batch.undoSnapshots.push({ id, prev: this.undoLog.raw(id), next });
    this.undoLog.set(id, next);
    batch.mutations.push(next ? { op: "putUndo", snapshot: next } : { op: "dropUndo", id });
  }

  // --- writes --------------------------------------------------------------------------------------------

  /** Applies one write to the state, recording its effect in `batch`. Never throws for bad input. */
  apply(req: WriteRequest, batch: WriteBatch): WriteResult {
    try {
      return this.applyUnchecked(req, batch);
    } catch (err) {
      this.log("error", "applying write failed", { err: String(err) });
      return { ok: false, status: 500, message: `internal error: ${String(err)}` };
    }
  }

  private replace(key: string, next: Group | undefined, batch: WriteBatch): void {
    batch.replaced.push({ key, prev: this.byKey.get(key), next });
    this.index.set(key, next, batch.changed);
  }

  /** Deletes the groups of `keys` that exist, audited as `action` when the request names its source. */
  private deleteGroups(keys: Iterable<string>, batch: WriteBatch, audit: AuditSource | undefined, action: AuditEntry["action"], nowMs: number): WriteResult {
    const removed: RemovedGroup[] = [];
    const gone: Group[] = [];
    for (const key of keys) {
      const g = this.byKey.get(key);
      if (!g) continue;
      removed.push({ key, labels: g.labels, series: seriesOf(g) });
      gone.push(g);
      this.replace(key, undefined, batch);
      batch.mutations.push({ op: "deleteGroup", key });
    }
    if (!audit || removed.length === 0) return { ok: true, deleted: removed.length, removed };
    const operation = newUndoId();
    const entries = removed.map((r): AuditEntry => ({
      ...audit,
      id: newUndoId(),
      operation,
      timeMs: nowMs,
      action,
      labels: r.labels,
      series: r.series,
      groups: 1,
    }));
    this.record(batch, entries);
    const undo = this.snapshot(
      batch,
      entries,
      gone.map((g) => [persistedOf(g)]),
      false,
      nowMs,
    );
    return { ok: true, deleted: removed.length, removed, ...(undo ? { undo } : {}) };
  }

  /** Keeps what `entries` removed (groups[i] for entries[i]) restorable for the undo window. */
  private snapshot(batch: WriteBatch, entries: AuditEntry[], groups: PersistedGroup[][], partial: boolean, nowMs: number): UndoHandle | undefined {
    if (this.undoWindowMs <= 0) return undefined;
    this.undoLog.prune(nowMs);
    entries.forEach((e, i) => this.setUndo(batch, e.id!, { id: e.id!, operation: e.operation, timeMs: nowMs, partial, groups: groups[i]! }));
    return { operation: entries[0]!.operation!, untilMs: nowMs + this.undoWindowMs };
  }

  private record(batch: WriteBatch, entries: AuditEntry[]): void {
    for (const e of entries) this.trail.append(e);
    batch.audit.push(...entries);
    batch.mutations.push({ op: "audit", entries });
  }

  /** Removes families whose write time is unchanged (see WriteRequest "deleteFamilies"). */
  private deleteFamilies(conditions: FamilyDeleteCondition[], batch: WriteBatch, audit: AuditSource | undefined, nowMs: number): WriteResult {
    for (const c of conditions) {
      for (const f of c.families) {
        if (f.name === PUSH_TIME_METRIC || f.name === PUSH_FAILURE_TIME_METRIC) {
          return { ok: false, status: 400, message: `${f.name} cannot be deleted on its own: it records the group's pushes (delete the group instead)` };
        }
      }
    }
    const removed: RemovedGroup[] = [];
    const snapshots: PersistedGroup[][] = [];
    for (const c of conditions) {
      const old = this.byKey.get(c.key);
      if (!old) continue;
      const gone: StoredFamily[] = [];
      for (const f of c.families) {
        const sf = old.families.get(f.name);
        if (sf && sf.timestampMs === f.timestampMs && !gone.includes(sf)) gone.push(sf);
      }
      if (gone.length === 0) continue;
      const families = new Map(old.families);
      for (const sf of gone) families.delete(sf.family.name);
      const next: Group = { ...old, families };
      this.replace(c.key, next, batch);
      const names = gone.map((sf) => sf.family.name);
      batch.mutations.push({
        op: "upsertGroup",
        key: c.key,
        labels: old.labels,
        families: [],
        removedFamilies: names,
        pushHistory: old.pushHistory,
        lastError: old.lastError,
      });
      removed.push({ key: c.key, labels: old.labels, series: gone.reduce((n, sf) => n + sf.family.metric.length, 0), families: names });
      snapshots.push([persistedOf(old, gone)]);
    }
    if (!audit || removed.length === 0) return { ok: true, deleted: 0, removed };
    const operation = newUndoId();
    const action = audit.source === "rule" ? "expire" : "delete";
    const entries = removed.map((r): AuditEntry => ({
      ...audit,
      id: newUndoId(),
      operation,
      timeMs: nowMs,
      action,
      labels: r.labels,
      series: r.series,
      groups: 1,
      families: r.families,
    }));
    this.record(batch, entries);
    const undo = this.snapshot(batch, entries, snapshots, true, nowMs);
    return { ok: true, deleted: 0, removed, ...(undo ? { undo } : {}) };
  }

  /** WriteRequest "restore" (lib/store/restore.ts decides; this applies). */
  private restore(ids: string[], batch: WriteBatch, audit: AuditSource | undefined, nowMs: number): WriteResult {
    this.undoLog.prune(nowMs);
    const target: RestoreTarget = {
      snapshot: (id) => this.undoLog.get(id, nowMs),
      ofOperation: (op) => this.undoLog.ofOperation(op, nowMs),
      findAudit: (pred) => this.trail.find(pred),
      windowMs: this.undoWindowMs,
      nowMs,
      current: (key) => this.byKey.get(key),
      check: (key, written, all) => checkWrite(this.view, key, written, all, new Map()),
      put: (key, next, mutation) => {
        this.replace(key, next, batch);
        batch.mutations.push(mutation);
      },
      keep: (id, rest) => this.setUndo(batch, id, rest),
    };
    const outcome = restoreSnapshots(ids, target);
    if (outcome.restored.length > 0) {
      const operation = newUndoId();
      this.record(
        batch,
        outcome.restored.map((r): AuditEntry => ({
          ...(audit ?? { source: "api" }),
          id: newUndoId(),
          operation,
          timeMs: nowMs,
          action: "restore",
          restores: r.id,
          labels: r.labels,
          series: r.series,
          groups: 1,
          ...(r.families ? { families: r.families } : {}),
        })),
      );
    }
    return { ok: true, deleted: 0, restore: outcome };
  }

  private applyUnchecked(req: WriteRequest, batch: WriteBatch): WriteResult {
    const nowMs = Date.now();
    switch (req.kind) {
      case "delete":
        return this.deleteGroups([groupingKey(req.labels)], batch, req.audit, "delete", nowMs);
      case "deleteMany":
        return this.deleteGroups(req.keys, batch, req.audit, "delete", nowMs);
      case "deleteIf": {
        const due = req.groups.filter((c) => {
          const g = this.byKey.get(c.key);
          return g !== undefined && lastAttemptMs(g) <= c.lastAttemptAtMostMs;
        });
        return this.deleteGroups(
          due.map((c) => c.key),
          batch,
          req.audit,
          req.audit?.source === "rule" ? "expire" : "delete",
          nowMs,
        );
      }
      case "deleteFamilies":
        return this.deleteFamilies(req.groups, batch, req.audit, nowMs);
      case "restore":
        return this.restore(req.ids, batch, req.audit, nowMs);
      case "wipe": {
        const n = this.byKey.size;
        let series = 0;
        const removed: RemovedGroup[] = [];
        const gone: PersistedGroup[] = [];
        for (const [key, g] of [...this.byKey]) {
          const s = seriesOf(g);
          series += s;
          removed.push({ key, labels: g.labels, series: s });
          gone.push(persistedOf(g));
          this.replace(key, undefined, batch);
        }
        batch.mutations.push({ op: "wipe" });
        if (!req.audit || n === 0) return { ok: true, deleted: n, removed };
        const entry: AuditEntry = { ...req.audit, id: newUndoId(), operation: newUndoId(), timeMs: nowMs, action: "wipe", labels: [], series, groups: n };
        this.record(batch, [entry]);
        const undo = this.snapshot(batch, [entry], [gone], false, nowMs);
        return { ok: true, deleted: n, removed, ...(undo ? { undo } : {}) };
      }
      case "put":
      case "post":
        return this.applyPush(req, batch);
    }
  }

  private applyPush(req: WriteRequest & { kind: "put" | "post" }, batch: WriteBatch): WriteResult {
    const key = groupingKey(req.labels);
    const old = this.byKey.get(key);
    const nowMs = req.nowMs;
    const invalidUtf8 = req.invalidUtf8 ?? new Map<string, Buffer>();
    const fail = (message: string): WriteResult => {
      this.recordFailure(key, req, old, message, invalidUtf8, batch);
      return { ok: false, status: 400, message: INCONSISTENT_PREFIX + message };
    };
    if (hasTimestamps(req.families)) return fail(TIMESTAMP_ERROR);
    sanitiseFamilies(req.families, req.labels);

    // The group after the write (docs/compatibility.md: writes, synthetic gauges).
    const families = new Map<string, StoredFamily>();
    if (old) {
      for (const [name, sf] of old.families) {
        if (req.kind === "post" || name === PUSH_TIME_METRIC || name === PUSH_FAILURE_TIME_METRIC) families.set(name, sf);
      }
    }
    const written: MetricFamily[] = [];
    for (const f of req.families) {
      // A pushed push_time_seconds is overwritten (as by the Pushgateway); the derived health families cannot be pushed.
      if (f.name === PUSH_TIME_METRIC || DERIVED_METRIC_NAMES.has(f.name)) continue;
      if (f.name === PUSH_FAILURE_TIME_METRIC && !old) continue;
      written.push(f);
    }
    written.push(syntheticGauge(PUSH_TIME_METRIC, PUSH_TIME_HELP, req.labels, nowMs / 1000));
    if (!old || !old.families.has(PUSH_FAILURE_TIME_METRIC)) {
      if (!written.some((f) => f.name === PUSH_FAILURE_TIME_METRIC))
        written.push(syntheticGauge(PUSH_FAILURE_TIME_METRIC, PUSH_FAILURE_TIME_HELP, req.labels, 0));
    }
    for (const f of written) families.set(f.name, { family: f, timestampMs: nowMs });

    // The store is kept consistent even with --push.disable-consistency-check: an inconsistent unchecked push
    // is dropped and recorded as a failure instead of breaking every later scrape (see README).
    const errors = checkWrite(this.view, key, written, familiesOf(families), invalidUtf8);
    if (errors.length > 0) return fail(formatErrors(errors));
    // Stored as a reload decodes them: shared label pairs, exact arrays (family-codec.ts: compactFamily).
    for (const f of written) compactFamily(f);

    const history = [...(old?.pushHistory ?? []), nowMs].slice(-PUSH_HISTORY_LENGTH);
    const next: Group = { key, labels: req.labels, families, pushHistory: history, lastError: old?.lastError };
    this.replace(key, next, batch);
    const removed = old ? [...old.families.keys()].filter((n) => !families.has(n)) : [];
    batch.mutations.push({
      op: "upsertGroup",
      key,
      labels: req.labels,
      families: written.map((f) => families.get(f.name)!),
      removedFamilies: removed,
      pushHistory: history,
      lastError: next.lastError,
    });
    return { ok: true };
  }

  /** Failure bookkeeping (docs/compatibility.md: synthetic gauges), minus the store poisoning (docs/compatibility.md: consistency check). */
  private recordFailure(
    key: string,
    req: WriteRequest & { kind: "put" | "post" },
    old: Group | undefined,
    message: string,
    invalidUtf8: Map<string, Buffer>,
    batch: WriteBatch,
  ): void {
    const nowMs = req.nowMs;
    const lastError = { timeMs: nowMs, message };
    const failure = syntheticGauge(PUSH_FAILURE_TIME_METRIC, PUSH_FAILURE_TIME_HELP, req.labels, nowMs / 1000);
    const families = new Map(old?.families ?? []);
    const written: StoredFamily[] = [{ family: failure, timestampMs: nowMs }];
    if (!families.has(PUSH_TIME_METRIC)) written.push({ family: syntheticGauge(PUSH_TIME_METRIC, PUSH_TIME_HELP, req.labels, 0), timestampMs: nowMs });
    for (const sf of written) families.set(sf.family.name, sf);
    if (!old) {
      // Creating the group must not make the store inconsistent (the Pushgateway's store poisoning, docs/compatibility.md: consistency check): if its
      // push_* series would collide with another group's or carry invalid UTF-8, the failure is not recorded.
      const errors = checkWrite(
        this.view,
        key,
        written.map((s) => s.family),
        familiesOf(families),
        invalidUtf8,
      );
      if (errors.length > 0) {
        this.log("debug", "failed push not recorded: its group would be inconsistent", { errors: errors.join("; ") });
        return;
      }
    }
    const next: Group = { key, labels: req.labels, families, pushHistory: old?.pushHistory ?? [], lastError };
    this.replace(key, next, batch);
    batch.mutations.push({ op: "upsertGroup", key, labels: req.labels, families: written, removedFamilies: [], pushHistory: next.pushHistory, lastError });
  }
}

export { lastAttemptMs, lastPushSuccessful, persistedOf, seriesOf, syntheticValue } from "./group-values";

// The metric store: every group in memory, indexes for the incremental consistency check and for rendering,
// one ordered write queue, and an optional Persistence that makes each batch of writes durable before the
// writes are acknowledged (group commit).
import type { Metric, MetricFamily, MetricType } from "../exposition/model";
import { groupingKey } from "../grouping/grouping-key";
import type { GroupingLabels } from "../grouping/parse-path";
import {
  checkWrite,
  formatErrors,
  hasTimestamps,
  PUSH_FAILURE_TIME_METRIC,
  PUSH_TIME_METRIC,
  sanitiseFamilies,
  metricSeriesId,
  type ConsistencyView,
  type OwnFamilyInfo,
} from "../consistency/check-push";
import {
  PUSH_HISTORY_LENGTH,
  type Group,
  type MetricStore,
  type Mutation,
  type Persistence,
  type PersistedGroup,
  type StoredFamily,
  type WriteRequest,
  type WriteResult,
} from "./types";

export const PUSH_TIME_HELP = "Last Unix time when changing this group in the Pushgateway succeeded.";
export const PUSH_FAILURE_TIME_HELP = "Last Unix time when changing this group in the Pushgateway failed.";
export const INCONSISTENT_PREFIX = "pushed metrics are invalid or inconsistent with existing metrics: ";
const TIMESTAMP_ERROR = "pushed metrics must not have timestamps";

/** A push as the store receives it: the write request plus grouping details only the URL parser knows. */
export type StoreWrite = WriteRequest & { invalidUtf8?: GroupingLabels["invalidUtf8"] };

interface FamilyIndexEntry {
  type: MetricType;
  groups: Set<Group>;
}

interface QueuedWrite {
  req: StoreWrite;
  resolve: (r: WriteResult) => void;
}

/** Listener notified with the names of families whose content changed (for render caches). */
export type ChangeListener = (changedFamilies: Iterable<string>) => void;

export interface MemoryStoreOptions {
  persistence?: Persistence;
  ownFamily?: (name: string) => OwnFamilyInfo | undefined;
  /** Queue length above which healthy() turns false. */
  queueCapacity?: number;
  logger?: (level: "debug" | "info" | "warn" | "error", msg: string, fields?: Record<string, unknown>) => void;
}

function syntheticGauge(name: string, help: string, labels: Group["labels"], valueSeconds: number): MetricFamily {
  const label = labels.map((l) => ({ ...l }));
  if (!label.some((l) => l.name === "instance")) label.push({ name: "instance", value: "" });
  label.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { name, help, type: "GAUGE", metric: [{ label, gauge: { value: valueSeconds } }] };
}

export class MemoryStore implements MetricStore {
  private readonly byKey = new Map<string, Group>();
  private readonly familyIndex = new Map<string, FamilyIndexEntry>();
  private readonly seriesOwners = new Map<number, string>();
  private series = 0;
  private queue: QueuedWrite[] = [];
  private flushing = false;
  private closed = false;
  private readonly listeners = new Set<ChangeListener>();
  private readonly persistence: Persistence | undefined;
  private readonly ownFamily: (name: string) => OwnFamilyInfo | undefined;
  private readonly queueCapacity: number;
  private readonly log: NonNullable<MemoryStoreOptions["logger"]>;

  constructor(opts: MemoryStoreOptions = {}) {
    this.persistence = opts.persistence;
    this.ownFamily = opts.ownFamily ?? (() => undefined);
    this.queueCapacity = opts.queueCapacity ?? 100_000;
    this.log = opts.logger ?? (() => {});
  }

  /** Loads the persisted state. Call once, before serving. */
  async load(): Promise<number> {
    if (!this.persistence) return 0;
    const groups = await this.persistence.load();
    for (const pg of groups) this.setGroup(pg.key, groupFromPersisted(pg));
    return groups.length;
  }

  onChange(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
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
    return this.series;
  }
  /** Names of all stored families. */
  familyNames(): IterableIterator<string> {
    return this.familyIndex.keys();
  }
  /** Groups holding family `name`. */
  groupsWithFamily(name: string): Iterable<Group> {
    return this.familyIndex.get(name)?.groups ?? [];
  }

  healthy(): boolean {
    return this.queue.length < this.queueCapacity;
  }

  /** Commits the storage refused (disk full, I/O error), and the current failure until a commit succeeds. */
  readonly storageStatus: { errors: number; failing: { sinceMs: number; message: string } | null } = { errors: 0, failing: null };

  // --- writes --------------------------------------------------------------------------------------------

  submit(req: StoreWrite): Promise<WriteResult> {
    if (this.closed) return Promise.resolve({ ok: false, status: 503, message: "store is shutting down" });
    return new Promise((resolve) => {
      this.queue.push({ req, resolve });
      if (!this.flushing) {
        this.flushing = true;
        // Let writes that arrive in the same turn of the event loop join this batch.
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue;
      this.queue = [];
      const results: WriteResult[] = [];
      const mutations: Mutation[] = [];
      const undo: Array<[string, Group | undefined]> = [];
      const changed = new Set<string>();
      for (const w of batch) {
        try {
          results.push(this.apply(w.req, mutations, undo, changed));
        } catch (err) {
          this.log("error", "applying write failed", { err: String(err) });
          results.push({ ok: false, status: 500, message: `internal error: ${String(err)}` });
        }
      }
      if (this.persistence && mutations.length > 0) {
        try {
          await this.persistence.commit(mutations);
          this.storageStatus.failing = null;
        } catch (err) {
          // Nothing of this batch is durable: take it back out of memory and fail every write in it.
          for (let i = undo.length - 1; i >= 0; i--) this.setGroup(undo[i]![0], undo[i]![1], changed);
          this.log("error", "committing writes failed", { err: String(err), writes: batch.length });
          const message = `storage error, write not applied: ${err instanceof Error ? err.message : String(err)}`;
          this.storageStatus.errors++;
          this.storageStatus.failing = { sinceMs: this.storageStatus.failing?.sinceMs ?? Date.now(), message };
          for (let i = 0; i < results.length; i++) results[i] = { ok: false, status: 500, message };
        }
      }
      if (changed.size > 0) for (const l of this.listeners) l(changed);
      batch.forEach((w, i) => w.resolve(results[i]!));
    }
    this.flushing = false;
  }

  private replace(key: string, next: Group | undefined, undo: Array<[string, Group | undefined]>, changed: Set<string>): void {
    undo.push([key, this.byKey.get(key)]);
    this.setGroup(key, next, changed);
  }

  private apply(req: StoreWrite, mutations: Mutation[], undo: Array<[string, Group | undefined]>, changed: Set<string>): WriteResult {
    switch (req.kind) {
      case "delete": {
        const key = groupingKey(req.labels);
        if (!this.byKey.has(key)) return { ok: true, deleted: 0 };
        this.replace(key, undefined, undo, changed);
        mutations.push({ op: "deleteGroup", key });
        return { ok: true, deleted: 1 };
      }
      case "deleteMany": {
        let deleted = 0;
        for (const key of req.keys) {
          if (!this.byKey.has(key)) continue;
          this.replace(key, undefined, undo, changed);
          mutations.push({ op: "deleteGroup", key });
          deleted++;
        }
        return { ok: true, deleted };
      }
      case "wipe": {
        const n = this.byKey.size;
        for (const key of [...this.byKey.keys()]) this.replace(key, undefined, undo, changed);
        mutations.push({ op: "wipe" });
        return { ok: true, deleted: n };
      }
      case "put":
      case "post":
        return this.applyPush(req, mutations, undo, changed);
    }
  }

  private applyPush(req: StoreWrite & { kind: "put" | "post" }, mutations: Mutation[], undo: Array<[string, Group | undefined]>, changed: Set<string>): WriteResult {
    const key = groupingKey(req.labels);
    const old = this.byKey.get(key);
    const nowMs = req.nowMs;
    const fail = (message: string): WriteResult => {
      this.recordFailure(key, req, old, message, mutations, undo, changed);
      return { ok: false, status: 400, message: INCONSISTENT_PREFIX + message };
    };
    if (hasTimestamps(req.families)) return fail(TIMESTAMP_ERROR);
    sanitiseFamilies(req.families, req.labels);

    // The group after the write (reference §3.1, §3.2, §6.1).
    const families = new Map<string, StoredFamily>();
    if (old) {
      for (const [name, sf] of old.families) {
        if (req.kind === "post" || name === PUSH_TIME_METRIC || name === PUSH_FAILURE_TIME_METRIC) families.set(name, sf);
      }
    }
    const written: MetricFamily[] = [];
    for (const f of req.families) {
      if (f.name === PUSH_TIME_METRIC) continue;
      if (f.name === PUSH_FAILURE_TIME_METRIC && !old) continue;
      written.push(f);
    }
    written.push(syntheticGauge(PUSH_TIME_METRIC, PUSH_TIME_HELP, req.labels, nowMs / 1000));
    if (!old || !old.families.has(PUSH_FAILURE_TIME_METRIC)) {
      if (!written.some((f) => f.name === PUSH_FAILURE_TIME_METRIC)) written.push(syntheticGauge(PUSH_FAILURE_TIME_METRIC, PUSH_FAILURE_TIME_HELP, req.labels, 0));
    }
    for (const f of written) families.set(f.name, { family: f, timestampMs: nowMs });

    // The store is kept consistent even with --push.disable-consistency-check: an inconsistent unchecked push
    // is dropped and recorded as a failure instead of breaking every later scrape (see README).
    const errors = checkWrite(this.view, key, written, familiesOf(families), req.invalidUtf8 ?? new Map());
    if (errors.length > 0) return fail(formatErrors(errors));

    const history = [...(old?.pushHistory ?? []), nowMs].slice(-PUSH_HISTORY_LENGTH);
    const next: Group = { key, labels: req.labels, families, pushHistory: history, lastError: old?.lastError };
    this.replace(key, next, undo, changed);
    const removed = old ? [...old.families.keys()].filter((n) => !families.has(n)) : [];
    mutations.push({
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

  /** Failure bookkeeping (reference §6.1), minus the store poisoning of §5.4. */
  private recordFailure(
    key: string,
    req: StoreWrite & { kind: "put" | "post" },
    old: Group | undefined,
    message: string,
    mutations: Mutation[],
    undo: Array<[string, Group | undefined]>,
    changed: Set<string>,
  ): void {
    const nowMs = req.nowMs;
    const lastError = { timeMs: nowMs, message };
    const failure = syntheticGauge(PUSH_FAILURE_TIME_METRIC, PUSH_FAILURE_TIME_HELP, req.labels, nowMs / 1000);
    const families = new Map(old?.families ?? []);
    const written: StoredFamily[] = [{ family: failure, timestampMs: nowMs }];
    if (!families.has(PUSH_TIME_METRIC)) written.push({ family: syntheticGauge(PUSH_TIME_METRIC, PUSH_TIME_HELP, req.labels, 0), timestampMs: nowMs });
    for (const sf of written) families.set(sf.family.name, sf);
    if (!old) {
      // Creating the group must not make the store inconsistent (the Pushgateway's §5.4 poisoning): if its
      // push_* series would collide with another group's or carry invalid UTF-8, the failure is not recorded.
      const errors = checkWrite(this.view, key, written.map((s) => s.family), familiesOf(families), req.invalidUtf8 ?? new Map());
      if (errors.length > 0) {
        this.log("debug", "failed push not recorded: its group would be inconsistent", { errors: errors.join("; ") });
        return;
      }
    }
    const next: Group = { key, labels: req.labels, families, pushHistory: old?.pushHistory ?? [], lastError };
    this.replace(key, next, undo, changed);
    mutations.push({ op: "upsertGroup", key, labels: req.labels, families: written, removedFamilies: [], pushHistory: next.pushHistory, lastError });
  }

  // --- indexes -------------------------------------------------------------------------------------------

  private readonly view: ConsistencyView = {
    typeElsewhere: (name, groupKey) => {
      const e = this.familyIndex.get(name);
      if (!e) return undefined;
      const self = this.byKey.get(groupKey);
      const others = e.groups.size - (self && e.groups.has(self) ? 1 : 0);
      return others > 0 ? e.type : undefined;
    },
    seriesOwner: (id) => this.seriesOwners.get(id),
    ownFamily: (name) => this.ownFamily(name),
  };

  /** Replaces (or removes) a group and updates every index for the families that differ. */
  private setGroup(key: string, next: Group | undefined, changed?: Set<string>): void {
    const prev = this.byKey.get(key);
    if (prev) {
      for (const [name, sf] of prev.families) {
        if (next && next.families.get(name) === sf) continue;
        this.unindexFamily(prev, sf.family);
        changed?.add(name);
      }
    }
    if (next) {
      this.byKey.set(key, next);
      for (const [name, sf] of next.families) {
        if (prev && prev.families.get(name) === sf) {
          // Unchanged family: the index points at the old Group object; move it to the new one.
          const e = this.familyIndex.get(name)!;
          e.groups.delete(prev);
          e.groups.add(next);
          continue;
        }
        this.indexFamily(next, sf.family);
        changed?.add(name);
      }
    } else {
      this.byKey.delete(key);
    }
  }

  private indexFamily(group: Group, f: MetricFamily): void {
    let e = this.familyIndex.get(f.name);
    if (!e) this.familyIndex.set(f.name, (e = { type: f.type, groups: new Set() }));
    e.groups.add(group);
    for (const m of f.metric) this.seriesOwners.set(metricSeriesId(f.name, m), group.key);
    this.series += f.metric.length;
  }

  private unindexFamily(group: Group, f: MetricFamily): void {
    const e = this.familyIndex.get(f.name);
    if (e) {
      e.groups.delete(group);
      if (e.groups.size === 0) this.familyIndex.delete(f.name);
    }
    for (const m of f.metric) {
      const id = metricSeriesId(f.name, m);
      if (this.seriesOwners.get(id) === group.key) this.seriesOwners.delete(id);
    }
    this.series -= f.metric.length;
  }

  async close(): Promise<void> {
    this.closed = true;
    while (this.flushing) await new Promise((r) => setImmediate(r));
    await this.persistence?.close();
  }
}

function familiesOf(stored: Map<string, StoredFamily>): Map<string, MetricFamily> {
  const out = new Map<string, MetricFamily>();
  for (const [name, sf] of stored) out.set(name, sf.family);
  return out;
}

function groupFromPersisted(pg: PersistedGroup): Group {
  const families = new Map<string, StoredFamily>();
  for (const sf of pg.families) families.set(sf.family.name, sf);
  return { key: pg.key, labels: pg.labels, families, pushHistory: pg.pushHistory, lastError: pg.lastError };
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

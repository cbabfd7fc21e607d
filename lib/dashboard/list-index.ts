// The groups list's index: one entry per stored Group object and the sorted orders of the entries, kept between
// requests so a list request at 100,000 groups costs O(groups) cheap steps (a staleness comparison, a filter test)
// instead of a summary object per group and a full sort.
//
// - Entries follow the store's iteration order. The store replaces a Group object on every write (it never mutates
//   one, lib/store/types.ts), so a refresh compares each group with its entry's by identity: an unchanged store
//   costs one pass over the groups, a replaced group a new entry (its GroupBase comes from the per-object cache in
//   summary.ts), an added or deleted group a rebuild of the entry list from the entries by key.
// - Staleness depends on the time: every refresh recomputes each entry's stale flag, status and the status counts
//   at ctx.nowMs (two comparisons per group), so a group turns stale as time passes with no write.
// - Orders (per sort key, direction and grouping) are sorted once and then patched: entries of replaced or
//   deleted groups are flagged dead and dropped, new entries are sorted among themselves and merged in (O(groups +
//   changed × log changed)). The status sort depends on the time, so it is not cached: it is a stable partition
//   by status of the labels order (which is its tie-break), rebuilt per request in one pass.
// - What a lifecycle rule declares (expect_every) is kept per entry while the rules are the same object
//   (GroupLifecycleView.rulesVersion); a view without it is asked again on every refresh.
import type { Group, StoreReader } from "../store/types";
import type { FilterSubject } from "./filter";
import { staleFloorMs, staleThresholdMs } from "./staleness";
import { groupBase, type GroupBase, type GroupLifecycleView } from "./summary";
import type { GroupStatus, SortDir, SortKey, StatusCounts } from "./types";

/** One group as the list sees it: the cached GroupBase plus the time-dependent flags of the last refresh. */
export class ListEntry implements FilterSubject {
  readonly labels: ReadonlyMap<string, string>;
  readonly haystack: string;
  readonly staleFamilies: number;
  readonly failed: boolean;
  /** base.job, kept here so filters and job buckets read the entry only. */
  readonly job: string;
  /** base.lastAttemptMs, NaN for never (kept here so the per-request staleness pass reads the entry only). */
  readonly lastAttemptMs: number;
  /** Set once the group was replaced or deleted: orders drop the entry when they are next used. */
  dead = false;
  /** The cadence a lifecycle rule declares, as of `rulesVersion` of the index. */
  declaredMs: number | undefined = undefined;
  staleAfterMs = 0;
  stale = false;
  status: GroupStatus = "fresh";
  /** Scratch: whether the filter of the request being answered matches (set and read within one call). */
  match = false;

  constructor(
    readonly group: Group,
    readonly base: GroupBase,
  ) {
    this.labels = base.labelMap;
    this.haystack = base.haystack;
    this.staleFamilies = base.staleFamilies?.count ?? 0;
    this.failed = base.lastPushFailed;
    this.job = base.job;
    this.lastAttemptMs = base.lastAttemptMs ?? NaN;
  }
}

/** What an entry comparator reads (a GroupSummary has it too). */
export interface Sortable {
  base: GroupBase;
  status: GroupStatus;
}

export type EntryComparator = (a: Sortable, b: Sortable) => number;

interface CachedOrder {
  list: ListEntry[];
  /** Entries added since `list` was built (sorted and merged in when the order is next used). */
  pending: ListEntry[];
  /** Some entry of `list` may be dead. */
  dirty: boolean;
  usedAt: number;
}

/** Orders kept at once (each is one array of references, 800 KB at 100,000 groups). */
export const MAX_CACHED_ORDERS = 8;

export const indexStats = { rebuilds: 0, refreshes: 0, newEntries: 0, sorts: 0, merges: 0 };

/** `sorted` with `add` (sorted by cmp) merged in: a binary search per added entry, one copy of the rest. */
function mergeSorted(sorted: ListEntry[], add: ListEntry[], cmp: EntryComparator): ListEntry[] {
  const out = new Array<ListEntry>(sorted.length + add.length);
  let from = 0;
  let k = 0;
  for (const e of add) {
    // The first position in sorted[from..] whose entry sorts after e (add is sorted, so positions only grow).
    let lo = from;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cmp(sorted[mid]!, e) <= 0) lo = mid + 1;
      else hi = mid;
    }
    while (from < lo) out[k++] = sorted[from++]!;
    out[k++] = e;
  }
  while (from < sorted.length) out[k++] = sorted[from++]!;
  return out;
}

const RANK: Record<GroupStatus, number> = { failed: 0, stale: 1, fresh: 2 };

export class ListIndex {
  /** In the store's iteration order. */
  entries: ListEntry[] = [];
  private byKey = new Map<string, ListEntry>();
  private orders = new Map<string, CachedOrder>();
  private uses = 0;
  private floorMs: number;
  private lifecycle: GroupLifecycleView | undefined;
  private rulesVersion: unknown = undefined;
  /** Status counts over every entry at the last refresh. */
  counts: StatusCounts = { total: 0, fresh: 0, stale: 0, failed: 0 };

  constructor(private readonly defaultStaleAfterMs: number) {
    this.floorMs = staleFloorMs(defaultStaleAfterMs);
  }

  /** Whether this index answers for these settings (else a new one is made). */
  fits(defaultStaleAfterMs: number): boolean {
    return defaultStaleAfterMs === this.defaultStaleAfterMs;
  }

  private make(g: Group): ListEntry {
    indexStats.newEntries++;
    const e = new ListEntry(g, groupBase(g, this.floorMs));
    this.setDeclared(e);
    return e;
  }

  private setDeclared(e: ListEntry): void {
    e.declaredMs = this.lifecycle?.declaredCadenceMs(e.group);
    e.staleAfterMs = e.declaredMs ?? staleThresholdMs(e.base.intervalMs, this.defaultStaleAfterMs);
  }

  /** Brings the entries up to date with the store and computes every entry's staleness at nowMs. */
  refresh(store: StoreReader, nowMs: number, lifecycle: GroupLifecycleView | undefined): void {
    indexStats.refreshes++;
    const version = lifecycle?.rulesVersion?.();
    const rulesChanged = lifecycle !== this.lifecycle || version !== this.rulesVersion || (lifecycle !== undefined && version === undefined);
    this.lifecycle = lifecycle;
    this.rulesVersion = version;
    const added: ListEntry[] = [];
    const entries = this.entries;
    let i = 0;
    let structural = false;
    for (const g of store.groups()) {
      const e = entries[i];
      if (e === undefined) {
        // Past the old end with every earlier key in place: a new group (a key is in the store once).
        const ne = this.make(g);
        entries.push(ne);
        this.byKey.set(g.key, ne);
        added.push(ne);
      } else if (e.group !== g) {
        if (e.group.key !== g.key) {
          structural = true;
          break;
        }
        const ne = this.make(g);
        e.dead = true;
        entries[i] = ne;
        this.byKey.set(g.key, ne);
        added.push(ne);
      }
      i++;
    }
    if (!structural && i < entries.length) structural = true; // groups deleted at the end
    if (structural) this.rebuild(store, added);
    if (rulesChanged) for (const e of this.entries) this.setDeclared(e);
    if (added.length > 0 || structural) {
      for (const [k, o] of this.orders) {
        if (o.pending.length + added.length > Math.max(64, this.entries.length >> 3)) this.orders.delete(k);
        else {
          for (const e of added) o.pending.push(e);
          o.dirty = true;
        }
      }
    }
    const c: StatusCounts = { total: 0, fresh: 0, stale: 0, failed: 0 };
    for (const e of this.entries) {
      // isStale (staleness.ts) with NaN for never: never pushed is stale.
      const last = e.lastAttemptMs;
      const stale = last !== last || nowMs - last > e.staleAfterMs;
      e.stale = stale;
      e.status = e.failed ? "failed" : stale ? "stale" : "fresh";
      c.total++;
      if (stale) c.stale++;
      if (e.failed) c.failed++;
      if (!stale && !e.failed) c.fresh++;
    }
    this.counts = c;
  }

  /** Re-reads the store's order after groups were added or deleted; `added` gets the new entries. */
  private rebuild(store: StoreReader, added: ListEntry[]): void {
    indexStats.rebuilds++;
    const next: ListEntry[] = [];
    const byKey = new Map<string, ListEntry>();
    const seen = new Set<ListEntry>();
    for (const g of store.groups()) {
      let e = this.byKey.get(g.key);
      if (!e || e.group !== g) {
        if (e) e.dead = true;
        e = this.make(g);
        added.push(e);
      }
      seen.add(e);
      next.push(e);
      byKey.set(g.key, e);
    }
    for (const e of this.entries) if (!seen.has(e)) e.dead = true;
    for (const e of added) if (byKey.get(e.group.key) !== e) e.dead = true;
    this.entries = next;
    this.byKey = byKey;
  }

  /**
   * The entries in the order `cmp` defines (cached under `id`, which must name that comparator). The array is the
   * index's own: read it, do not change it. Not for the status sort (it depends on the time): see statusOrder.
   */
  order(id: string, cmp: EntryComparator): readonly ListEntry[] {
    this.uses++;
    let o = this.orders.get(id);
    if (!o) {
      indexStats.sorts++;
      o = { list: [...this.entries].sort(cmp), pending: [], dirty: false, usedAt: this.uses };
      this.orders.set(id, o);
      if (this.orders.size > MAX_CACHED_ORDERS) {
        let oldest: string | undefined;
        let at = Infinity;
        for (const [k, v] of this.orders) if (v.usedAt < at) [oldest, at] = [k, v.usedAt];
        this.orders.delete(oldest!);
      }
      return o.list;
    }
    o.usedAt = this.uses;
    if (o.dirty) {
      indexStats.merges++;
      const live = o.list.filter((e) => !e.dead);
      const pending = o.pending.filter((e) => !e.dead).sort(cmp);
      o.list = pending.length === 0 ? live : mergeSorted(live, pending, cmp);
      o.pending = [];
      o.dirty = false;
    }
    return o.list;
  }

  /**
   * The status sort: failed, stale, fresh (reversed for desc), ties by labels, within each job when grouped by
   * job. `byLabels` is the labels order (ascending, grouped alike), which is the status sort's tie-break.
   */
  statusOrder(byLabels: readonly ListEntry[], dir: SortDir, groupByJob: boolean): ListEntry[] {
    const out: ListEntry[] = [];
    const buckets: ListEntry[][] = [[], [], []];
    const flush = () => {
      for (let r = 0; r < 3; r++) {
        const b = buckets[dir === "asc" ? r : 2 - r]!;
        for (const e of b) out.push(e);
        b.length = 0;
      }
    };
    let job: string | undefined;
    for (const e of byLabels) {
      if (groupByJob && e.job !== job) {
        flush();
        job = e.job;
      }
      buckets[RANK[e.status]]!.push(e);
    }
    flush();
    return out;
  }
}

/** Shared across Next's route bundles (each may hold its own copy of this module), like the summary cache. */
const holder = globalThis as unknown as { __pushboardListIndexes?: WeakMap<StoreReader, ListIndex> };
const indexes = (holder.__pushboardListIndexes ??= new WeakMap<StoreReader, ListIndex>());

/** The store's index, refreshed to its current groups and to staleness at nowMs. */
export function listIndex(store: StoreReader, ctx: { defaultStaleAfterMs: number; nowMs: number; lifecycle?: GroupLifecycleView }): ListIndex {
  let idx = indexes.get(store);
  if (!idx || !idx.fits(ctx.defaultStaleAfterMs)) indexes.set(store, (idx = new ListIndex(ctx.defaultStaleAfterMs)));
  idx.refresh(store, ctx.nowMs, ctx.lifecycle);
  return idx;
}

/** The order key of a cached sort. */
export function orderId(sort: Exclude<SortKey, "status">, dir: SortDir, groupByJob: boolean): string {
  return `${sort}|${dir}|${groupByJob ? "job" : ""}`;
}

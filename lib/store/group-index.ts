// The indexes of the in-memory state: groups by key, each family name's type and groups (for the incremental
// consistency check and for rendering), and which group owns each series. Every change of a group goes through
// set(), which updates the indexes for the families that differ, so a write costs O(size of the change).
import type { MetricFamily, MetricType } from "../exposition/model";
import { metricSeriesId, type ConsistencyView, type OwnFamilyInfo } from "../consistency/check-push";
import { SeriesOwners } from "./series-owners";
import type { Group } from "./types";

interface FamilyIndexEntry {
  type: MetricType;
  groups: Set<Group>;
}

export class GroupIndex {
  readonly byKey = new Map<string, Group>();
  private readonly familyIndex = new Map<string, FamilyIndexEntry>();
  private readonly seriesOwners = new SeriesOwners();
  private series = 0;

  seriesCount(): number {
    return this.series;
  }
  familyNames(): IterableIterator<string> {
    return this.familyIndex.keys();
  }
  groupsWithFamily(name: string): Iterable<Group> {
    return this.familyIndex.get(name)?.groups ?? [];
  }

  /** What the consistency check asks of the other groups; ownFamily answers for pushboard's own metrics. */
  consistencyView(ownFamily: (name: string) => OwnFamilyInfo | undefined): ConsistencyView {
    return {
      typeElsewhere: (name, groupKey) => {
        const e = this.familyIndex.get(name);
        if (!e) return undefined;
        const self = this.byKey.get(groupKey);
        const others = e.groups.size - (self && e.groups.has(self) ? 1 : 0);
        return others > 0 ? e.type : undefined;
      },
      seriesOwner: (id) => this.seriesOwners.get(id),
      ownFamily,
    };
  }

  /** Replaces (or removes) a group and updates every index for the families that differ. */
  set(key: string, next: Group | undefined, changed?: Set<string>): void {
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
}

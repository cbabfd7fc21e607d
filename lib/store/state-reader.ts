// The reads every MetricStore backend answers from its in-memory StoreState (the whole state is in memory in every
// backend; they differ in how writes become durable). A backend extends this and adds writes, sync and health.
import type { StoreState } from "./store-state";
import type { AuditEntry, ChangeListener, Group, RestorableDeletion } from "./types";

export abstract class StateReader {
  constructor(protected readonly state: StoreState) {}

  audit(limit: number): AuditEntry[] {
    return this.state.audit(limit);
  }
  restorable(nowMs?: number): RestorableDeletion[] {
    return this.state.restorable(nowMs);
  }
  getGroup(key: string): Group | undefined {
    return this.state.getGroup(key);
  }
  groups(): IterableIterator<Group> {
    return this.state.groups();
  }
  groupCount(): number {
    return this.state.groupCount();
  }
  seriesCount(): number {
    return this.state.seriesCount();
  }
  familyNames(): IterableIterator<string> {
    return this.state.familyNames();
  }
  groupsWithFamily(name: string): Iterable<Group> {
    return this.state.groupsWithFamily(name);
  }
  onChange(listener: ChangeListener): () => void {
    return this.state.onChange(listener);
  }
}

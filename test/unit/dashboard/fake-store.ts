// An in-memory stand-in for MetricStore, built from the types only (the real store has its own tests).
import type { LabelPair, Metric, MetricFamily } from "../../../lib/exposition/model";
import { groupingKey } from "../../../lib/grouping/grouping-key";
import type { ChangeListener, Freshness, Group, MetricStore, StoredFamily, WriteRequest, WriteResult } from "../../../lib/store/types";
import { lastAttemptMs } from "../../../lib/store/store-state";

export function gauge(name: string, value: number, labels: LabelPair[] = [], help = ""): MetricFamily {
  return { name, help, type: "GAUGE", metric: [{ label: labels, gauge: { value } }] };
}

export interface GroupSpec {
  labels: Record<string, string>;
  /** Successful pushes (Unix ms), oldest first; the last one is push_time_seconds. */
  pushes?: number[];
  failureMs?: number;
  families?: MetricFamily[];
  lastError?: { timeMs: number; message: string };
}

export function makeGroup(spec: GroupSpec): Group {
  const labels = Object.entries(spec.labels)
    .map(([name, value]) => ({ name, value }))
    .sort((a, b) => (a.name < b.name ? -1 : 1));
  const pushes = spec.pushes ?? [];
  const last = pushes[pushes.length - 1] ?? 0;
  const withInstance = labels.some((l) => l.name === "instance")
    ? labels
    : [...labels, { name: "instance", value: "" }].sort((a, b) => (a.name < b.name ? -1 : 1));
  const families = new Map<string, StoredFamily>();
  const add = (f: MetricFamily, t: number) => families.set(f.name, { family: f, timestampMs: t });
  for (const f of spec.families ?? []) {
    const metric: Metric[] = f.metric.map((m) => ({ ...m, label: [...withInstance, ...m.label].sort((a, b) => (a.name < b.name ? -1 : 1)) }));
    add({ ...f, metric }, last);
  }
  add(gauge("push_time_seconds", last / 1000, withInstance, "Last Unix time when changing this group in the Pushgateway succeeded."), last);
  add(
    gauge("push_failure_time_seconds", (spec.failureMs ?? 0) / 1000, withInstance, "Last Unix time when changing this group in the Pushgateway failed."),
    spec.failureMs ?? last,
  );
  const g: Group = { key: groupingKey(labels), labels, families, pushHistory: pushes.slice(-32) };
  if (spec.lastError) g.lastError = spec.lastError;
  return g;
}

export class FakeStore implements MetricStore {
  readonly byKey = new Map<string, Group>();
  readonly writes: WriteRequest[] = [];
  constructor(groups: Group[] = []) {
    for (const g of groups) this.byKey.set(g.key, g);
  }
  add(g: Group): void {
    this.byKey.set(g.key, g);
  }
  getGroup(key: string) {
    return this.byKey.get(key);
  }
  restorable() {
    return [];
  }
  audit() {
    return [];
  }
  groups() {
    return this.byKey.values();
  }
  groupCount() {
    return this.byKey.size;
  }
  seriesCount() {
    let n = 0;
    for (const g of this.byKey.values()) for (const f of g.families.values()) n += f.family.metric.length;
    return n;
  }
  async submit(req: WriteRequest): Promise<WriteResult> {
    this.writes.push(req);
    if (req.kind === "deleteIf") {
      const removed = [];
      for (const c of req.groups) {
        const g = this.byKey.get(c.key);
        if (g && lastAttemptMs(g) <= c.lastAttemptAtMostMs && this.byKey.delete(c.key)) removed.push({ key: g.key, labels: g.labels, series: 0 });
      }
      return { ok: true, deleted: removed.length, removed };
    }
    if (req.kind === "deleteMany") {
      let n = 0;
      for (const k of req.keys) if (this.byKey.delete(k)) n++;
      return { ok: true, deleted: n };
    }
    if (req.kind === "wipe") {
      const n = this.byKey.size;
      this.byKey.clear();
      return { ok: true, deleted: n };
    }
    return { ok: false, status: 500, message: "not supported by the fake" };
  }
  familyNames() {
    const names = new Set<string>();
    for (const g of this.byKey.values()) for (const n of g.families.keys()) names.add(n);
    return names.values();
  }
  groupsWithFamily(name: string) {
    return [...this.byKey.values()].filter((g) => g.families.has(name));
  }
  readonly description = "fake";
  /** Set to make reads report a stale state. */
  stale: Freshness["stale"];
  async sync(): Promise<Freshness> {
    return this.freshness();
  }
  freshness(): Freshness {
    return this.stale ? { stale: this.stale } : {};
  }
  onChange(_listener: ChangeListener) {
    return () => {};
  }
  healthy() {
    return true;
  }
  ready() {
    return true;
  }
  async close() {}
}

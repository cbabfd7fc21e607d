// GET /metrics (reference §7): every group's families merged by name, with the server's own metrics, sorted
// as the Pushgateway sorts them. Rendered text is cached per family and re-rendered only for families that a
// write touched since the last scrape.
import type { Metric, MetricFamily } from "../exposition/model";
import { compareMetrics, renderFamilyHeader, renderMetricText } from "../exposition/render-text";
import type { MemoryStore } from "../store/memory-store";
import type { OwnMetrics } from "./own-metrics";

/** A family as exposed: merged across groups (and with an own family of the same name). */
export function mergeStoredFamily(store: MemoryStore, name: string, own: OwnMetrics): MetricFamily | undefined {
  let first: MetricFamily | undefined;
  const metric: Metric[] = [];
  for (const g of store.groupsWithFamily(name)) {
    const f = g.families.get(name)?.family;
    if (!f) continue;
    first ??= f;
    for (const m of f.metric) metric.push(m);
  }
  if (!first) return undefined;
  const info = own.info(name);
  const help = info?.predefinedHelp ? info.help : first.help;
  return { name, help, type: first.type, metric };
}

export class ScrapeRenderer {
  /** Rendered text per pushed family, as flat Buffers: cheap to hold and to concatenate per scrape. */
  private readonly cache = new Map<string, Buffer>();
  private sortedNames: string[] | undefined;

  constructor(
    private readonly store: MemoryStore,
    private readonly own: OwnMetrics,
  ) {
    store.onChange((names) => {
      for (const n of names) this.cache.delete(n);
      this.sortedNames = undefined;
    });
  }

  /** Families in exposition order, pushed and own, for encoders other than the cached text one. */
  async families(): Promise<MetricFamily[]> {
    const ownFamilies = new Map((await this.own.families()).map((f) => [f.name, f] as const));
    const names = new Set<string>([...this.store.familyNames(), ...ownFamilies.keys()]);
    const out: MetricFamily[] = [];
    for (const name of [...names].sort(byteOrder)) {
      const f = this.merged(name, ownFamilies.get(name));
      if (f) out.push(f);
    }
    return out;
  }

  private merged(name: string, ownFamily: MetricFamily | undefined): MetricFamily | undefined {
    const pushed = mergeStoredFamily(this.store, name, this.own);
    let f: MetricFamily | undefined;
    if (ownFamily && pushed) f = { ...ownFamily, metric: [...ownFamily.metric, ...pushed.metric] };
    else f = ownFamily ?? pushed;
    if (!f || f.metric.length === 0) return undefined;
    return { ...f, metric: [...f.metric].sort(compareMetrics) };
  }

  /** Text format 0.0.4 of the whole store plus own metrics. */
  async renderText(): Promise<Buffer> {
    const ownFamilies = new Map((await this.own.families()).map((f) => [f.name, f] as const));
    this.sortedNames ??= [...this.store.familyNames()].sort(byteOrder);
    const ownNames = [...ownFamilies.keys()].sort(byteOrder);
    const parts: Buffer[] = [];
    // Merge the two sorted name lists.
    let i = 0;
    let j = 0;
    const pushedNames = this.sortedNames;
    while (i < pushedNames.length || j < ownNames.length) {
      const a = pushedNames[i];
      const b = ownNames[j];
      if (b === undefined || (a !== undefined && byteOrder(a, b) < 0)) {
        parts.push(this.cachedPushed(a!));
        i++;
      } else if (a === undefined || byteOrder(b, a) < 0) {
        parts.push(Buffer.from(renderSorted(this.merged(b, ownFamilies.get(b)))));
        j++;
      } else {
        parts.push(Buffer.from(renderSorted(this.merged(a, ownFamilies.get(b)))));
        i++;
        j++;
      }
    }
    return Buffer.concat(parts);
  }

  private cachedPushed(name: string): Buffer {
    let text = this.cache.get(name);
    if (text === undefined) {
      text = Buffer.from(renderSorted(this.merged(name, undefined)));
      this.cache.set(name, text);
    }
    return text;
  }
}

function renderSorted(f: MetricFamily | undefined): string {
  if (!f) return "";
  let out = renderFamilyHeader(f.name, f.help, f.type);
  for (const m of f.metric) out += renderMetricText(f.name, f.type, m);
  return out;
}

/** Go compares strings bytewise; for names (ASCII) UTF-16 order is the same. */
function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// GET /metrics (docs/compatibility.md: scrape): every group's families merged by name, with the server's own metrics, sorted
// as the Pushgateway sorts them. Each format's encoding is cached per family and redone only for families that a
// write touched since the last scrape.
import type { Metric, MetricFamily } from "../exposition/model";
import { compareMetrics, renderFamilyTextParts } from "../exposition/render-text";
import type { MetricStore } from "../store/types";
import { encodeDelimitedFamilies } from "../exposition/render-protobuf";
import { renderOpenMetricsFamilyParts } from "../exposition/render-openmetrics";
import type { OwnMetrics } from "./own-metrics";

/** A family as exposed: merged across groups (and with an own family of the same name). */
function mergeStoredFamily(store: MetricStore, name: string, own: OwnMetrics): MetricFamily | undefined {
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

/**
 * The exposition formats the scrape can be encoded in; each encodes one (merged, sorted) family, the text formats
 * in chunks of about 64 KiB (render-text.ts: TextChunks) so a large family is never one long string.
 */
const ENCODERS = {
  text: (f: MetricFamily): Buffer[] => renderFamilyTextParts(f),
  protobuf: (f: MetricFamily): Buffer[] => [Buffer.from(encodeDelimitedFamilies([f]))],
  openmetrics: (f: MetricFamily): Buffer[] => renderOpenMetricsFamilyParts(f),
} as const;

export type ScrapeFormat = keyof typeof ENCODERS;

/**
 * Families computed from the store rather than pushed (per-group health, lib/lifecycle/health.ts). `version`
 * changes whenever the families do, so their encoding is cached like a pushed family's.
 */
export interface DerivedFamilies {
  /** `text`: the families' text exposition, if the source renders it itself (its samples already in order). */
  snapshot(nowMs: number): { version: number; families: MetricFamily[]; text?: Map<string, string> };
}

export class ScrapeRenderer {
  /** Encoded pushed families per format, as Buffers: cheap to hold, and sent as they are (renderParts). */
  private readonly caches = new Map<ScrapeFormat, Map<string, Buffer[]>>();
  private sortedNames: string[] | undefined;
  private derivedEncoded = { version: -1, byFormat: new Map<ScrapeFormat, Map<string, Buffer[]>>() };

  constructor(
    private readonly store: MetricStore,
    private readonly own: OwnMetrics,
    private readonly derived?: DerivedFamilies,
    private readonly now: () => number = Date.now,
  ) {
    store.onChange((names) => {
      for (const n of names) for (const cache of this.caches.values()) cache.delete(n);
      this.sortedNames = undefined;
    });
  }

  private merged(name: string, ownFamily: MetricFamily | undefined): MetricFamily | undefined {
    const pushed = mergeStoredFamily(this.store, name, this.own);
    let f: MetricFamily | undefined;
    if (ownFamily && pushed) f = { ...ownFamily, metric: [...ownFamily.metric, ...pushed.metric] };
    else f = ownFamily ?? pushed;
    if (!f || f.metric.length === 0) return undefined;
    return { ...f, metric: [...f.metric].sort(compareMetrics) };
  }

  /**
   * The whole store plus own metrics in one format, families sorted by name. Pushed families come from the
   * per-format cache; own families (which change on every request) and families sharing a name with one are
   * encoded afresh.
   */
  async render(format: ScrapeFormat, ownOnly = false): Promise<Buffer> {
    return Buffer.concat(await this.renderParts(format, ownOnly));
  }

  /**
   * render's answer as its parts, in order: the cached buffers themselves, so a scrape of a large store is not
   * copied into one more buffer of its size (which would stay allocated until the next GC, long after it is sent).
   */
  async renderParts(format: ScrapeFormat, ownOnly = false): Promise<Buffer[]> {
    const encode = ENCODERS[format];
    let cache = this.caches.get(format);
    if (!cache) this.caches.set(format, (cache = new Map()));
    const ownFamilies = new Map((await this.own.families()).map((f) => [f.name, f] as const));
    const derived = ownOnly ? new Map<string, Buffer[]>() : this.derivedEncodings(format);
    this.sortedNames ??= [...this.store.familyNames()].sort(byteOrder);
    const ownNames = [...ownFamilies.keys(), ...derived.keys()].sort(byteOrder);
    const parts: Buffer[] = [];
    const fresh = (name: string, ownFamily: MetricFamily | undefined): void => {
      const d = derived.get(name);
      if (d) return void parts.push(...d);
      const f = ownOnly
        ? ownFamily && ownFamily.metric.length > 0
          ? { ...ownFamily, metric: [...ownFamily.metric].sort(compareMetrics) }
          : undefined
        : this.merged(name, ownFamily);
      if (f) parts.push(...encode(f));
    };
    // Merge the two sorted name lists.
    let i = 0;
    let j = 0;
    const pushedNames = ownOnly ? [] : this.sortedNames;
    while (i < pushedNames.length || j < ownNames.length) {
      const a = pushedNames[i];
      const b = ownNames[j];
      if (b === undefined || (a !== undefined && byteOrder(a, b) < 0)) {
        let buf = cache.get(a!);
        if (buf === undefined) {
          const f = this.merged(a!, undefined);
          buf = f ? encode(f) : [];
          cache.set(a!, buf);
        }
        for (const b of buf) parts.push(b);
        i++;
      } else if (a === undefined || byteOrder(b, a) < 0) {
        fresh(b, ownFamilies.get(b));
        j++;
      } else {
        fresh(a, ownFamilies.get(b));
        i++;
        j++;
      }
    }
    return parts;
  }

  /** Encoded derived families by name, re-encoded only when their version changed. Never shares a pushed name. */
  private derivedEncodings(format: ScrapeFormat): Map<string, Buffer[]> {
    if (!this.derived) return new Map();
    const snap = this.derived.snapshot(this.now());
    if (snap.version !== this.derivedEncoded.version) this.derivedEncoded = { version: snap.version, byFormat: new Map() };
    let enc = this.derivedEncoded.byFormat.get(format);
    if (!enc) {
      enc = new Map();
      for (const f of snap.families) {
        const text = format === "text" ? snap.text?.get(f.name) : undefined;
        enc.set(f.name, text !== undefined ? [Buffer.from(text)] : ENCODERS[format]({ ...f, metric: [...f.metric].sort(compareMetrics) }));
      }
      this.derivedEncoded.byFormat.set(format, enc);
    }
    return enc;
  }
}

/** Go compares strings bytewise; for names (ASCII) UTF-16 order is the same. */
function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

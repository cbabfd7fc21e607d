// Rejected pushes, remembered per grouping key: what the Pushgateway only answers to the pusher (and, for
// inconsistencies, marks with push_failure_time_seconds), kept here for the operator: time, status, error text and
// client address of the last few rejections of each key, whatever the reason (parse error, inconsistency, limit,
// body too large). A key whose pushes were all rejected has no group, and still appears here. Bounded: the keys
// rejected least recently are forgotten first. Kept in memory, per process (on a replicated store, per replica).
import type { LabelPair } from "../exposition/model";

export interface RejectedPush {
  timeMs: number;
  status: number;
  message: string;
  client?: string;
}

export interface KeyRejections {
  key: string;
  labels: LabelPair[];
  /** Rejections since this process started (or since the key was last forgotten). */
  count: number;
  /** The newest first, at most RECENT_PER_KEY. */
  recent: RejectedPush[];
}

export const MAX_KEYS = 10_000;
const RECENT_PER_KEY = 5;
const MAX_MESSAGE = 2000;

export class PushDiagnostics {
  /** Map order is recency order: a rejection moves its key to the end. */
  private readonly byKey = new Map<string, KeyRejections>();

  constructor(private readonly maxKeys = MAX_KEYS) {}

  record(key: string, labels: LabelPair[], r: RejectedPush): void {
    const entry = this.byKey.get(key) ?? { key, labels, count: 0, recent: [] };
    this.byKey.delete(key);
    entry.count++;
    entry.recent = [{ ...r, message: r.message.slice(0, MAX_MESSAGE) }, ...entry.recent].slice(0, RECENT_PER_KEY);
    this.byKey.set(key, entry);
    if (this.byKey.size > this.maxKeys) this.byKey.delete(this.byKey.keys().next().value!);
  }

  get(key: string): KeyRejections | undefined {
    return this.byKey.get(key);
  }

  /** Most recently rejected first. */
  all(limit = this.maxKeys): KeyRejections[] {
    const out = [...this.byKey.values()];
    out.reverse();
    return out.slice(0, limit);
  }

  size(): number {
    return this.byKey.size;
  }
}

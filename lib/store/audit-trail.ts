// The audit trail in memory: the newest entries, bounded in number and age. Every backend persists the entries
// with the deletes they describe (Mutation op "audit") and loads them back at startup; this is the read side.
import type { AuditEntry } from "./types";

/** At most this many entries are kept (memory and database alike). */
export const AUDIT_MAX_ENTRIES = 10_000;
/** Entries older than this are dropped. */
export const AUDIT_RETENTION_MS = 30 * 24 * 3600_000;

export class AuditTrail {
  private entries: AuditEntry[] = [];

  constructor(
    private readonly maxEntries = AUDIT_MAX_ENTRIES,
    private readonly retentionMs = AUDIT_RETENTION_MS,
  ) {}

  append(e: AuditEntry): void {
    this.entries.push(e);
    // Trim in chunks, so appending stays O(1) amortised.
    if (this.entries.length > this.maxEntries + 1024) this.entries = this.entries.slice(-this.maxEntries);
  }

  /** Removes the `n` newest entries (a batch whose commit failed). */
  dropNewest(n: number): void {
    if (n > 0) this.entries.splice(-n, n);
  }

  /** The newest entry matching `pred`, if any. */
  find(pred: (e: AuditEntry) => boolean): AuditEntry | undefined {
    for (let i = this.entries.length - 1; i >= 0; i--) if (pred(this.entries[i]!)) return this.entries[i];
    return undefined;
  }

  /** Newest first, at most `limit`, none older than the retention. */
  newest(limit: number, nowMs = Date.now()): AuditEntry[] {
    const out: AuditEntry[] = [];
    const oldest = nowMs - this.retentionMs;
    const cap = Math.min(limit, this.maxEntries);
    for (let i = this.entries.length - 1; i >= 0 && out.length < cap; i--) {
      const e = this.entries[i]!;
      if (e.timeMs < oldest) break;
      out.push(e);
    }
    return out;
  }
}

// Whether the replicated store can reach its database, since when, and what that means for callers: reads answer
// from the last known state marked stale, writes are refused with 503. Transitions are logged once each.
import type { Logger } from "../../util/log";
import type { Freshness, WriteResult } from "../types";

export class Reachability {
  /** Unix ms since the database is unreachable; undefined while it answers. */
  private since: number | undefined;
  private lastError = "";

  constructor(private readonly log: Logger) {}

  get reachable(): boolean {
    return this.since === undefined;
  }

  /** A query failed: reads go stale, writes are refused until one succeeds. `text` is the redacted error. */
  failed(text: string): void {
    if (this.since === undefined) {
      this.since = Date.now();
      this.log("warn", "database unreachable: reads answer from the last known state, writes are refused", { err: text });
    } else if (text !== this.lastError) {
      this.log("debug", "database still unreachable", { err: text });
    }
    this.lastError = text;
  }

  /** A query succeeded. */
  succeeded(version: number): void {
    if (this.since === undefined) return;
    this.log("info", "database reachable again", { version, downMs: Date.now() - this.since });
    this.since = undefined;
    this.lastError = "";
  }

  freshness(loaded: boolean): Freshness {
    if (this.since !== undefined) {
      const since = new Date(this.since).toISOString();
      return { stale: { sinceMs: this.since, message: `database unreachable since ${since}`, unloaded: !loaded || undefined } };
    }
    if (!loaded) return { stale: { sinceMs: Date.now(), message: "database not reached yet", unloaded: true } };
    return {};
  }

  /** The 503 for writes while the database is unreachable or the state not loaded. */
  refusal(loaded: boolean): WriteResult | undefined {
    if (this.since !== undefined) {
      const since = new Date(this.since).toISOString();
      return {
        ok: false,
        status: 503,
        message: `database unreachable since ${since}: write not applied (pushboard is read-only until PostgreSQL is reachable again): ${this.lastError}`,
      };
    }
    if (!loaded) return { ok: false, status: 503, message: "the shared store is not loaded yet (PostgreSQL not reached): write not applied" };
    return undefined;
  }
}

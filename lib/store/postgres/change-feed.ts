// LISTEN/NOTIFY of the replicated store: one dedicated connection that hears the version each committed batch
// announces, and reconnects after any failure. Nothing is replayed to a listener that was away, so the store
// checks its version after every (re)connect.
import pg from "pg";
import type { Logger } from "../../util/log";
import { NOTIFY_CHANNEL } from "./schema";

export interface ChangeFeedOptions {
  clientConfig: pg.ClientConfig;
  /** Wait before reconnecting, ms. */
  retryMs: number;
  log: Logger;
  /** The message of an error, with any password removed. */
  errorText: (err: unknown) => string;
  /** A batch with this version was committed (by any replica). */
  onVersion: (version: number) => void;
  /** Connected and listening: catch up on what was missed. */
  onListening: () => Promise<void>;
}

export class ChangeFeed {
  private client: pg.Client | undefined;
  private retry: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly opts: ChangeFeedOptions) {}

  /** Connects unless already connected (or connecting). */
  start(): void {
    if (this.client || this.closed) return;
    const client = new pg.Client(this.opts.clientConfig);
    this.client = client;
    let failed = false;
    const fail = (err: unknown): void => {
      if (failed) return;
      failed = true;
      if (this.client === client) this.client = undefined;
      client.end().catch(() => {});
      if (this.closed) return;
      this.opts.log("debug", "change feed disconnected; reconnecting", { err: this.opts.errorText(err) });
      this.retry = setTimeout(() => this.start(), this.opts.retryMs);
    };
    client.on("error", fail);
    client.on("end", () => fail(new Error("connection ended")));
    client.on("notification", (n) => {
      const v = Number(n.payload);
      if (Number.isFinite(v)) this.opts.onVersion(v);
    });
    client
      .connect()
      .then(() => client.query(`LISTEN ${NOTIFY_CHANNEL}`))
      .then(() => this.opts.onListening())
      .catch(fail);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    const c = this.client;
    this.client = undefined;
    await c?.end().catch(() => {});
  }
}

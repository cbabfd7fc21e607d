// Group commit for the replicated store: writes queue up while a batch is being committed, and the next commit
// takes everything queued so far (up to a bound), so one transaction and its two round trips serve many writes.
import type { WriteRequest, WriteResult } from "../types";

export interface QueuedWrite {
  req: WriteRequest;
  resolve: (r: WriteResult) => void;
}

export interface WriteQueueOptions {
  /** Largest number of writes in one batch (bounds the statement size and the time the lock is held). */
  maxBatch: number;
  /** Why writes cannot be committed now (the database is unreachable), or undefined. */
  refusal: () => WriteResult | undefined;
  /** Commits one batch; it takes the batch with take() once it is ready for it. */
  commit: () => Promise<void>;
}

export class WriteQueue {
  private queue: QueuedWrite[] = [];
  private flushing = false;

  constructor(private readonly opts: WriteQueueOptions) {}

  get length(): number {
    return this.queue.length;
  }

  /** Whether a drain is in progress (close waits for it). */
  get busy(): boolean {
    return this.flushing;
  }

  submit(req: WriteRequest): Promise<WriteResult> {
    return new Promise((resolve) => {
      this.queue.push({ req, resolve });
      if (!this.flushing) {
        this.flushing = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  /** The writes of the next batch: everything queued so far (up to maxBatch). */
  take(): QueuedWrite[] {
    return this.queue.length > this.opts.maxBatch ? this.queue.splice(0, this.opts.maxBatch) : this.queue.splice(0);
  }

  private async flush(): Promise<void> {
    while (this.queue.length > 0) {
      const refused = this.opts.refusal();
      if (refused) {
        for (const w of this.queue.splice(0)) w.resolve(refused);
        continue;
      }
      await this.opts.commit();
    }
    this.flushing = false;
  }
}

// bcrypt comparisons on worker threads. A bcrypt check costs tens of milliseconds of CPU by design; run on the
// event loop, a few clients sending wrong passwords would stall every other request (exporter-toolkit runs them
// on goroutines). bcryptjs is pure JavaScript, so a worker can load it without a native build.
import { Worker } from "node:worker_threads";
import { availableParallelism } from "node:os";

const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
// Under a bundler (Next's route handlers) require.resolve yields a module id, not a path: resolve by name then.
const bcrypt = require(require("node:path").isAbsolute(String(workerData.bcryptjs)) ? workerData.bcryptjs : "bcryptjs");
parentPort.on("message", ({ id, password, hash }) => {
  let ok = false;
  try { ok = bcrypt.compareSync(password, hash); } catch { ok = false; }
  parentPort.postMessage({ id, ok });
});
`;

interface Job {
  id: number;
  password: string;
  hash: string;
  resolve: (ok: boolean) => void;
}

export class BcryptPool {
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  private readonly queue: Job[] = [];
  private readonly running = new Map<Worker, Job>();
  private nextId = 0;

  constructor(size = Math.max(1, Math.min(4, availableParallelism() - 1))) {
    const bcryptjs = require.resolve("bcryptjs");
    for (let i = 0; i < size; i++) {
      const w = new Worker(WORKER_SOURCE, { eval: true, workerData: { bcryptjs } });
      w.unref(); // never keeps the process alive on its own
      w.on("message", (msg: { id: number; ok: boolean }) => {
        const job = this.running.get(w);
        this.running.delete(w);
        if (job && job.id === msg.id) job.resolve(msg.ok);
        this.release(w);
      });
      w.on("error", () => {
        // A worker that dies fails its job closed (denied); the pool keeps the others.
        const job = this.running.get(w);
        this.running.delete(w);
        job?.resolve(false);
      });
      this.workers.push(w);
      this.idle.push(w);
    }
  }

  /** Jobs waiting for a worker (the caller bounds it). */
  get pending(): number {
    return this.queue.length;
  }

  /** Resolves true when password matches the bcrypt hash ($2y$ is read as $2b$, as Go does). */
  compare(password: string, hash: string): Promise<boolean> {
    return new Promise((resolve) => {
      this.queue.push({ id: this.nextId++, password, hash: hash.replace(/^\$2y\$/, "$2b$"), resolve });
      this.dispatch();
    });
  }

  private release(w: Worker): void {
    this.idle.push(w);
    this.dispatch();
  }

  private dispatch(): void {
    while (this.idle.length > 0 && this.queue.length > 0) {
      const w = this.idle.pop()!;
      const job = this.queue.shift()!;
      this.running.set(w, job);
      w.postMessage({ id: job.id, password: job.password, hash: job.hash });
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

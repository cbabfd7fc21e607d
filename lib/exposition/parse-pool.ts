// Parsing large push bodies off the event loop. The text parser is linear, but a 16 MiB body still takes hundreds
// of milliseconds to parse, during which one event loop would serve nobody else (the Go Pushgateway parses on a
// goroutine). Bodies from OFFLOAD_BYTES up (64 KiB: a few tens of milliseconds of parsing at most inline) are
// parsed on a worker thread; small ones, the common case, inline (a round trip to a worker costs more than parsing
// them). Errors come back as the same classes, with the same messages, as an inline parse.
import { existsSync } from "node:fs";
import path from "node:path";
import { Worker } from "node:worker_threads";
import type { MetricFamily } from "./model";
import { parseText, TextParseError } from "./parse-text";
import { decodeDelimitedFamilies, ProtobufDecodeError } from "./parse-protobuf";

/** Bodies at least this large are parsed on a worker. */
export const OFFLOAD_BYTES = 64 * 1024;

interface Pending {
  resolve: (f: MetricFamily[]) => void;
  reject: (e: Error) => void;
}

type WorkerError = { name: string; message: string; line?: number; detail?: string };
type Reply = { id: number; families: MetricFamily[] } | { id: number; error: WorkerError };

function rebuildError(e: WorkerError): Error {
  if (e.name === "TextParseError") return new TextParseError(e.line ?? 0, e.detail ?? e.message);
  if (e.name === "ProtobufDecodeError") return new ProtobufDecodeError(e.message);
  return new Error(e.message);
}

export class ParsePool {
  private readonly workers: Worker[] = [];
  private readonly pending = new Map<number, Pending>();
  private next = 0;
  private turn = 0;

  /** `workerFile`: the bundled parse-worker.cjs; without one (tests on the sources) every body parses inline. */
  constructor(
    private readonly workerFile: string | undefined = defaultWorkerFile(),
    private readonly size = 2,
  ) {}

  private worker(): Worker | undefined {
    if (!this.workerFile) return undefined;
    if (this.workers.length < this.size) {
      const w = new Worker(this.workerFile);
      w.unref();
      w.on("message", (r: Reply) => {
        const p = this.pending.get(r.id);
        if (!p) return;
        this.pending.delete(r.id);
        if ("error" in r) p.reject(rebuildError(r.error));
        else p.resolve(r.families);
      });
      w.on("error", (err) => {
        // A crashed worker fails what it held; the next parse starts a new one.
        const i = this.workers.indexOf(w);
        if (i >= 0) this.workers.splice(i, 1);
        for (const [id, p] of this.pending) {
          this.pending.delete(id);
          p.reject(new Error(`parser worker failed: ${err.message}`));
        }
      });
      this.workers.push(w);
      return w;
    }
    return this.workers[this.turn++ % this.workers.length];
  }

  /** Parses a push body: on a worker when it is large, inline otherwise. Rejects with the parsers' errors. */
  parse(body: Uint8Array, protobuf: boolean): Promise<MetricFamily[]> | MetricFamily[] {
    const w = body.length >= OFFLOAD_BYTES ? this.worker() : undefined;
    if (!w) return protobuf ? decodeDelimitedFamilies(body) : parseText(body);
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      w.postMessage({ id, body, protobuf });
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.splice(0).map((w) => w.terminate()));
  }
}

/** parse-worker.cjs beside the server bundle (.next/pushboard/), if this code runs from the bundle. */
function defaultWorkerFile(): string | undefined {
  const f = path.join(__dirname, "parse-worker.cjs");
  return existsSync(f) ? f : undefined;
}

// Shared parts of the hostile-client tests: raw HTTP requests (exact paths, streamed bodies), a health probe that
// runs while a hostile request is being served, and the server's peak memory.
import http from "node:http";
import { readFileSync } from "node:fs";

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export interface RawRequest {
  method?: string;
  /** Sent exactly as given (no normalisation of `..` or escapes). */
  path: string;
  headers?: Record<string, string>;
  /** A body, or a function writing it (for streamed or chunked bodies). */
  body?: Buffer | string | ((req: http.ClientRequest) => void);
}

/**
 * Sends one request on a fresh connection. `sent` resolves once the whole request is written, `done` with the
 * answer. A reset connection rejects `done`.
 */
export function rawRequest(port: number, r: RawRequest): { sent: Promise<void>; done: Promise<RawResponse> } {
  let markSent!: () => void;
  const sent = new Promise<void>((resolve) => (markSent = resolve));
  const done = new Promise<RawResponse>((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, method: r.method ?? "GET", path: r.path, headers: r.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.on("finish", () => markSent());
    if (typeof r.body === "function") r.body(req);
    else req.end(r.body);
  });
  return { sent, done };
}

/** Milliseconds until GET /-/healthy answers 200 on a fresh connection. */
export async function healthLatency(port: number, headers: Record<string, string> = {}): Promise<number> {
  const t = performance.now();
  const res = await rawRequest(port, { path: "/-/healthy", headers }).done;
  if (res.status !== 200) throw new Error(`/-/healthy answered ${res.status}: ${res.body.toString()}`);
  return performance.now() - t;
}

/**
 * A generous bound for "answers promptly": the target is well under 100 ms; the bound only has to separate
 * that from an event loop blocked for seconds, on a loaded two-core test machine.
 */
export const PROMPT_MS = 1500;

/**
 * Runs `hostile`, waits until its request is on the wire, then probes /-/healthy `probes` times while it is
 * served. Returns the hostile answer and the slowest probe.
 */
export async function probeHealthDuring<T>(
  port: number,
  hostile: () => { sent: Promise<void>; done: Promise<T> },
  opts: { probes?: number; headers?: Record<string, string> } = {},
): Promise<{ result: T; slowestHealthMs: number; probesBeforeDone: number }> {
  const h = hostile();
  let finished = false;
  const done = h.done.finally(() => (finished = true));
  await Promise.race([h.sent, done.catch(() => {})]);
  let slowest = 0;
  let probesBeforeDone = 0;
  for (let i = 0; i < (opts.probes ?? 3); i++) {
    slowest = Math.max(slowest, await healthLatency(port, opts.headers));
    if (!finished) probesBeforeDone++;
  }
  return { result: await done, slowestHealthMs: slowest, probesBeforeDone };
}

/** Peak resident set size of a process in bytes (VmHWM). */
export function peakRss(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return Number(m![1]) * 1024;
}

/** Current resident set size of a process in bytes (VmRSS). */
export function currentRss(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return Number(m![1]) * 1024;
}

// Worker-thread entry of ParsePool (bundled to .next/pushboard/parse-worker.cjs by lib/cli/build.mjs): parses one
// push body per message, text or delimited protobuf, and posts the families or the parse error back.
import { parentPort } from "node:worker_threads";
import { parseText, TextParseError } from "./parse-text";
import { decodeDelimitedFamilies } from "./parse-protobuf";

export interface ParseJob {
  id: number;
  body: Uint8Array;
  protobuf: boolean;
}

parentPort?.on("message", (job: ParseJob) => {
  try {
    const families = job.protobuf ? decodeDelimitedFamilies(job.body) : parseText(job.body);
    parentPort!.postMessage({ id: job.id, families });
  } catch (err) {
    const e = err as Error;
    if (e instanceof TextParseError)
      parentPort!.postMessage({ id: job.id, error: { name: "TextParseError", message: e.message, line: e.line, detail: e.detail } });
    else parentPort!.postMessage({ id: job.id, error: { name: e.name, message: e.message } });
  }
});

// What happens to a request body the answer did not need (a 401, a 400 for a bad path, a 413 past the limit).
//
// Closing the connection right after such an answer, with the client still sending, makes the kernel reset it:
// clients that write the whole body before reading (Python's http.client and urllib, Go's net/http for large
// bodies, Node's http) then fail with a broken pipe / connection reset and never see the status. So, like nginx's
// lingering close, the answer is sent at once but the response is ended (and the connection closed, when it is
// to be closed) only after the rest of the body was read and thrown away, up to a bound of bytes and time; past
// the bound the connection is dropped.
import type http from "node:http";

/** Bytes read and discarded after an early answer before the connection is dropped. */
export const LINGER_MAX_BYTES = 64 * 1024 * 1024;
/** Time allowed for the rest of the body after an early answer. */
export const LINGER_MAX_MS = 30_000;
/** The dashboard's JSON API takes small bodies (a list of group ids). */
export { MUTATION_MAX_BODY_BYTES as DASHBOARD_MAX_BODY_BYTES } from "../dashboard/http";

/** Reads and discards the rest of req's body, then calls done; drops the connection past the bounds. */
export function discardRestOfBody(req: http.IncomingMessage, done: () => void, maxBytes = LINGER_MAX_BYTES, maxMs = LINGER_MAX_MS): void {
  if (req.readableEnded) {
    done();
    return;
  }
  let seen = 0;
  const drop = () => {
    clearTimeout(timer);
    req.socket.destroy();
  };
  const timer = setTimeout(drop, maxMs);
  timer.unref();
  req.on("data", (chunk: Buffer) => {
    seen += chunk.length;
    if (seen > maxBytes) drop();
  });
  req.once("end", () => {
    clearTimeout(timer);
    done();
  });
  req.once("close", () => clearTimeout(timer));
  req.resume();
}

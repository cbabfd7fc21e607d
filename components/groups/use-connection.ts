"use client";
// Honest connection state for a polled view: whether the browser is offline (navigator events), whether the last
// fetch failed (server down or erroring), and the time of the last good data. While not connected, the view keeps
// showing the last good answer, judged against that answer's time, and polling backs off.
import { useState, useSyncExternalStore } from "react";
import { ApiError } from "../queries/api";

function subscribeOnline(cb: () => void): () => void {
  window.addEventListener("online", cb);
  window.addEventListener("offline", cb);
  return () => {
    window.removeEventListener("online", cb);
    window.removeEventListener("offline", cb);
  };
}

/** navigator.onLine, live; true during server rendering. */
export function useOnline(): boolean {
  return useSyncExternalStore(
    subscribeOnline,
    () => navigator.onLine,
    () => true,
  );
}

export type ConnectionState = "ok" | "offline" | "unreachable" | "server-error";

/** How a fetch error reads for the connection (a 4xx, such as a filter syntax error, is not a connection issue). */
export function connectionOf(online: boolean, error: unknown): ConnectionState {
  if (!online) return "offline";
  if (error instanceof ApiError) {
    if (error.unreachable) return "unreachable";
    if (error.status >= 500) return "server-error";
  }
  return "ok";
}

/**
 * Poll interval with exponential back-off after consecutive failures (2×, 4×… the interval, at most 60 s): a
 * server that is down is not hammered, and one that comes back is noticed within a minute.
 */
export function backoffMs(intervalMs: number, failures: number): number {
  if (failures <= 0) return intervalMs;
  return Math.min(60_000, intervalMs * 2 ** Math.min(failures, 6));
}

/** Keeps the last successful answer of a query (data that errored away stays shown, marked as old). */
export function useLastGood<T>(data: T | undefined, receivedAt: number): { data: T | undefined; receivedAt: number } {
  const [last, setLast] = useState<{ data: T | undefined; receivedAt: number }>({ data, receivedAt });
  // Adjusted while rendering (no effect: the answer is shown in the same render it arrives).
  if (data !== undefined && receivedAt !== last.receivedAt) setLast({ data, receivedAt });
  return data !== undefined ? { data, receivedAt } : last;
}

"use client";
import { useSyncExternalStore } from "react";

// One display clock for the whole page, ticking every second while something shows it.
let current = Date.now();
const listeners = new Set<() => void>();
let timer: ReturnType<typeof setInterval> | undefined;

function subscribe(onTick: () => void): () => void {
  listeners.add(onTick);
  if (timer === undefined) {
    current = Date.now();
    timer = setInterval(() => {
      current = Date.now();
      for (const l of listeners) l();
    }, 1000);
  }
  return () => {
    listeners.delete(onTick);
    if (listeners.size === 0 && timer !== undefined) {
      clearInterval(timer);
      timer = undefined;
    }
  };
}

function snapshot(): number {
  // Not ticking (first render of a page): catch up, in whole seconds so repeated reads agree.
  if (timer === undefined) current = Math.floor(Date.now() / 1000) * 1000;
  return current;
}

/**
 * The current time, re-rendering every second (display clock only; data polling is React Query's). While the
 * server renders and the browser hydrates, it is `anchorMs` (e.g. the query's dataUpdatedAt, the same number on
 * both sides), so "N s ago" texts hydrate without a mismatch; then it ticks.
 */
export function useNow(anchorMs = 0): number {
  return useSyncExternalStore(subscribe, snapshot, () => anchorMs);
}

"use client";
// A table that does not move under the operator: while the pointer is over it or a control in it has focus,
// a refresh updates the rows in place but keeps their order; groups that appeared wait, groups that vanished stay
// (marked gone). Leaving the table (or changing sort, filter or page: `orderKey`) applies the new order.
import { useCallback, useState, type FocusEvent } from "react";

export interface StableRow<R> {
  row: R;
  /** No longer in the latest answer (deleted elsewhere, or no longer matching): shown in place until unpaused. */
  gone: boolean;
}

/** The rows to show: `latest` in order, or in the frozen order with the latest data. Pure (unit-tested). */
export function stableRows<R extends { id: string }>(latest: readonly R[], frozen: readonly R[] | null): { rows: StableRow<R>[]; waiting: number } {
  if (!frozen) return { rows: latest.map((row) => ({ row, gone: false })), waiting: 0 };
  const byId = new Map(latest.map((r) => [r.id, r]));
  const rows = frozen.map((old) => {
    const now = byId.get(old.id);
    return now ? { row: now, gone: false } : { row: old, gone: true };
  });
  const shown = new Set(frozen.map((r) => r.id));
  const added = latest.filter((r) => !shown.has(r.id)).length;
  const gone = rows.filter((r) => r.gone).length;
  const moved = latest.some((r, i) => frozen[i]?.id !== r.id) ? 1 : 0;
  return { rows, waiting: added + gone || moved };
}

export interface StableRowsState<R> {
  rows: StableRow<R>[];
  /** Re-ordering is paused (pointer or focus in the table). */
  paused: boolean;
  /** Changes held back while paused (new, gone or re-ordered rows). */
  waiting: number;
  /** Handlers for the table container. */
  bind: {
    onPointerEnter: () => void;
    onPointerLeave: () => void;
    onFocus: () => void;
    onBlur: (e: FocusEvent<HTMLElement>) => void;
  };
  /** Take the latest order now (after the operator's own delete: their rows go away at once). */
  release: () => void;
}

export function useStableRows<R extends { id: string }>(latest: readonly R[], orderKey: string): StableRowsState<R> {
  const [hover, setHover] = useState(false);
  const [focus, setFocus] = useState(false);
  const [releasedAt, setReleasedAt] = useState(0);
  const [frozen, setFrozen] = useState<{ key: string; rows: readonly R[]; releasedAt: number } | null>(null);
  const paused = hover || focus;
  // The order to keep: frozen when the pause began (or when the sort, filter, page or a release changed while paused).
  const wanted = !paused ? null : frozen && frozen.key === orderKey && frozen.releasedAt === releasedAt ? frozen : { key: orderKey, rows: latest, releasedAt };
  // Remembered for the next render (React's "adjust state while rendering": settles after one extra render).
  if (wanted !== frozen) setFrozen(wanted);
  const { rows, waiting } = stableRows(latest, wanted?.rows ?? null);
  return {
    rows,
    paused,
    waiting,
    bind: {
      onPointerEnter: useCallback(() => setHover(true), []),
      onPointerLeave: useCallback(() => setHover(false), []),
      onFocus: useCallback(() => setFocus(true), []),
      onBlur: useCallback((e: FocusEvent<HTMLElement>) => {
        if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setFocus(false);
      }, []),
    },
    release: useCallback(() => setReleasedAt((n) => n + 1), []),
  };
}

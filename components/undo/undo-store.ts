// The one "Undo" notice of the dashboard, as a tiny external store: any delete (a mutation hook, the detail
// page's family delete) announces what it removed; <UndoNotice> (mounted once, in the providers) shows it with an
// Undo button until the undo window ends or the user dismisses it. Kept outside React state so the notice
// survives the navigation a delete may trigger (detail page → list).
import type { DeleteResponse } from "@/lib/dashboard/types";

export interface UndoNoticeState {
  /** Increases with every notice (a React key, and so a new notice resets the old one's result). */
  seq: number;
  text: string;
  /** Operation to restore; absent when the delete cannot be undone (undo disabled). */
  operation?: string;
  untilMs?: number;
}

let current: UndoNoticeState | null = null;
let seq = 0;
const listeners = new Set<() => void>();

export function subscribeUndo(l: () => void): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}
export function undoSnapshot(): UndoNoticeState | null {
  return current;
}

export function announce(text: string, undo?: { operation: string; untilMs: number }): void {
  current = { seq: ++seq, text, ...(undo ? { operation: undo.operation, untilMs: undo.untilMs } : {}) };
  for (const l of listeners) l();
}

export function dismissUndo(): void {
  current = null;
  for (const l of listeners) l();
}

/** The notice after a group delete ("Deleted 3 groups"); nothing when nothing was deleted. */
export function announceDelete(res: DeleteResponse): void {
  if (res.deleted === 0) return;
  announce(`Deleted ${res.deleted} group${res.deleted === 1 ? "" : "s"}.`, res.undo);
}

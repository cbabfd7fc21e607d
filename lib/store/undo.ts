// Undo snapshots in memory: what each audited delete removed, kept for --dashboard.undo-window so the delete can
// be restored (WriteRequest "restore"). Every backend persists them with the delete they belong to (Mutation
// "putUndo", in the same commit as the delete and its audit entry) and drops them when restored ("dropUndo");
// snapshots older than the window are pruned here lazily and by each backend on its next commit and at load.
// The audit line itself stays for --audit.retention.
import { randomBytes } from "node:crypto";
import type { UndoSnapshot } from "./types";

/** Default of --dashboard.undo-window. */
export const UNDO_WINDOW_MS = 15 * 60_000;

/** A random id for audit entries and operations (unique across replicas). */
export function newUndoId(): string {
  return randomBytes(9).toString("base64url");
}

export class UndoLog {
  /** By snapshot id; insertion order is time order (a replaced snapshot keeps its place and time). */
  private readonly byId = new Map<string, UndoSnapshot>();

  constructor(readonly windowMs = UNDO_WINDOW_MS) {}

  /** The snapshot of an entry, unless pruned or past the window. */
  get(id: string, nowMs: number): UndoSnapshot | undefined {
    const s = this.byId.get(id);
    return s && s.timeMs + this.windowMs >= nowMs ? s : undefined;
  }

  /** Ids of the live snapshots of one operation. */
  ofOperation(operation: string, nowMs: number): string[] {
    const out: string[] = [];
    for (const s of this.byId.values()) if (s.operation === operation && s.timeMs + this.windowMs >= nowMs) out.push(s.id);
    return out;
  }

  /** The live snapshots, newest first. */
  live(nowMs: number): UndoSnapshot[] {
    this.prune(nowMs);
    return [...this.byId.values()].reverse();
  }

  /** The current snapshot of `id` (pruned or not), for undoing a batch. */
  raw(id: string): UndoSnapshot | undefined {
    return this.byId.get(id);
  }

  set(id: string, s: UndoSnapshot | undefined): void {
    if (s) this.byId.set(id, s);
    else this.byId.delete(id);
  }

  load(snapshots: Iterable<UndoSnapshot>): void {
    this.byId.clear();
    for (const s of snapshots) this.byId.set(s.id, s);
  }

  /** Drops snapshots past the window (oldest first, so this stops at the first live one). */
  prune(nowMs: number): void {
    for (const [id, s] of this.byId) {
      if (s.timeMs + this.windowMs >= nowMs) break;
      this.byId.delete(id);
    }
  }
}

"use client";
// The notice shown after every dashboard delete, with "Undo" while the deletion can be restored. Undo restores
// through POST /api/ui/undo/<operation> and says what came back and what was refused (a group pushed again since).
import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useState, useSyncExternalStore } from "react";
import type { RestoreResponse } from "@/lib/dashboard/types";
import { api } from "../queries/api";
import { uiKeys } from "../queries/keys";
import { groupingKeyText } from "../ui/format";
import { dismissUndo, subscribeUndo, undoSnapshot } from "./undo-store";
import { useRememberListUrl } from "./list-return";

/** What a restore did, in one sentence (and the refusals listed). */
export function restoreSummary(r: RestoreResponse): string {
  const parts: string[] = [];
  const families = r.restored.flatMap((x) => x.families ?? []);
  const groups = r.restored.filter((x) => x.families === null).length;
  if (groups > 0) parts.push(`Restored ${groups} group${groups === 1 ? "" : "s"}.`);
  if (families.length > 0) parts.push(`Restored ${families.length === 1 ? "family" : "families"} ${families.join(", ")}.`);
  if (r.refused.length > 0) parts.push(`Not restored: ${r.refused.map((x) => `${groupingKeyText(x.labels)}: ${x.reason}`).join("; ")}.`);
  for (const m of r.missing) parts.push(`Not restored: ${m.message}.`);
  return parts.join(" ");
}

export function useRestore() {
  const qc = useQueryClient();
  return async (id: string): Promise<string> => {
    try {
      return restoreSummary(await api.restore(id));
    } catch (e) {
      return `Undo failed: ${(e as Error).message}`;
    } finally {
      await qc.invalidateQueries({ queryKey: uiKeys.all });
    }
  };
}

export function UndoNotice() {
  useRememberListUrl();
  const notice = useSyncExternalStore(subscribeUndo, undoSnapshot, () => null);
  const restore = useRestore();
  const [result, setResult] = useState<{ seq: number; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!notice?.untilMs) return;
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, [notice]);
  if (!notice) return null;
  const shown = result?.seq === notice.seq ? result.text : null;
  const canUndo = notice.operation !== undefined && (notice.untilMs ?? 0) > now && shown === null;
  return (
    <div
      role="status"
      aria-live="polite"
      data-testid="undo-notice"
      className="fixed bottom-4 left-1/2 z-50 flex w-[min(36rem,calc(100vw-2rem))] -translate-x-1/2 items-start gap-3 rounded-lg border border-zinc-300 bg-white p-3 text-sm shadow-lg dark:border-zinc-700 dark:bg-zinc-900"
    >
      <p className="flex-1 break-words" data-testid="undo-text">
        {shown ?? notice.text}
        {notice.operation === undefined && shown === null ? " It cannot be undone (--dashboard.undo-window=0)." : null}
      </p>
      {canUndo ? (
        <button
          type="button"
          className="btn btn-sm"
          disabled={busy}
          data-testid="undo-button"
          onClick={async () => {
            setBusy(true);
            const text = await restore(notice.operation!);
            setResult({ seq: notice.seq, text });
            setBusy(false);
          }}
        >
          {busy ? "Restoring…" : "Undo"}
        </button>
      ) : null}
      <button type="button" className="btn btn-sm" aria-label="Dismiss" onClick={dismissUndo}>
        ✕
      </button>
    </div>
  );
}

"use client";
import { useEffect, useId, useRef, type ReactNode } from "react";

/**
 * A modal confirmation on the native <dialog> (focus trap, Escape, inert background for free). The cancel
 * button gets initial focus, so Enter never confirms a delete by accident.
 */
export function ConfirmDialog({
  open,
  title,
  children,
  confirmLabel,
  onConfirm,
  onClose,
  busy = false,
  error,
  danger = true,
  confirmDisabled = false,
}: {
  open: boolean;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  onConfirm: () => void;
  onClose: () => void;
  busy?: boolean;
  error?: string | null;
  danger?: boolean;
  confirmDisabled?: boolean;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const cancelRef = useRef<HTMLButtonElement>(null);
  const titleId = useId();
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) {
      d.showModal();
      cancelRef.current?.focus();
    } else if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      onCancel={(e) => {
        e.preventDefault();
        if (!busy) onClose();
      }}
      className="m-auto w-[min(40rem,calc(100vw-2rem))] rounded-lg border border-zinc-200 bg-white p-0 text-zinc-900 shadow-xl dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-100"
    >
      {open && (
        <div className="flex max-h-[80vh] flex-col">
          <h2 id={titleId} className="border-b border-zinc-200 px-5 py-3 text-base font-semibold dark:border-zinc-700">
            {title}
          </h2>
          <div className="overflow-auto px-5 py-4 text-sm">{children}</div>
          {error && (
            <p
              role="alert"
              className="mx-5 mb-3 rounded border border-red-300 bg-red-50 px-3 py-2 text-sm text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-200"
            >
              {error}
            </p>
          )}
          <div className="flex justify-end gap-2 border-t border-zinc-200 px-5 py-3 dark:border-zinc-700">
            <button ref={cancelRef} type="button" className="btn" onClick={onClose} disabled={busy}>
              Cancel
            </button>
            <button type="button" className={`btn ${danger ? "btn-danger" : ""}`} onClick={onConfirm} disabled={busy || confirmDisabled}>
              {busy ? "Working…" : confirmLabel}
            </button>
          </div>
        </div>
      )}
    </dialog>
  );
}

"use client";
// The one shape of every delete dialog's mutation: confirm → mutate → (on success) reset and report the server's
// answer; cancel → reset and close. Invalidation stays in the mutation hooks (components/queries/groups.ts).
import type { UseMutationResult } from "@tanstack/react-query";
import type { DeleteResponse } from "@/lib/dashboard/types";

/** What a dialog reports after a delete: the server's answer and the ids it asked for (none for filter deletes). */
export type OnDeleted = (res: DeleteResponse, ids: string[]) => void;

export interface DeleteAction<V> {
  busy: boolean;
  error: string | null;
  confirm: (vars: V, ids?: string[]) => void;
  close: () => void;
}

export function useDeleteAction<V>(mutation: UseMutationResult<DeleteResponse, Error, V>, onDeleted: OnDeleted, onClose: () => void): DeleteAction<V> {
  return {
    busy: mutation.isPending,
    error: mutation.error ? `Delete failed: ${mutation.error.message}` : null,
    confirm: (vars, ids = []) =>
      mutation.mutate(vars, {
        onSuccess: (res) => {
          mutation.reset();
          onDeleted(res, ids);
        },
      }),
    close: () => {
      mutation.reset();
      onClose();
    },
  };
}

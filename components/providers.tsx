"use client";
// The one client wrapper: the QueryClient of this browser tab (a fresh one per server render), and the undo
// notice every dashboard delete raises.
import { QueryClientProvider } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { getQueryClient } from "./queries/query-client";
import { UndoNotice } from "./undo/undo-notice";

export function Providers({ children }: { children: ReactNode }) {
  return (
    <QueryClientProvider client={getQueryClient()}>
      {children}
      <UndoNotice />
    </QueryClientProvider>
  );
}

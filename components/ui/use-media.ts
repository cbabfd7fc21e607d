"use client";
import { useSyncExternalStore } from "react";

/** Whether a CSS media query matches, live; `serverValue` while rendering on the server and hydrating. */
export function useMediaQuery(query: string, serverValue = false): boolean {
  return useSyncExternalStore(
    (cb) => {
      const m = window.matchMedia(query);
      m.addEventListener("change", cb);
      return () => m.removeEventListener("change", cb);
    },
    () => window.matchMedia(query).matches,
    () => serverValue,
  );
}

/** Below Tailwind's `sm` breakpoint (640 px): lists become cards. */
export function useIsPhone(): boolean {
  return useMediaQuery("(max-width: 639.98px)");
}

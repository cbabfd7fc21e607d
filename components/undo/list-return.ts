"use client";
// Where "back to the list" goes: the groups list as the user last saw it (filter, sort, page kept). A click on a
// link that leaves the list remembers the list's URL for this tab; the detail page returns there after a delete.
import { useEffect } from "react";
import { usePrefix } from "../prefix";

const KEY = "pushboard.listUrl";

/** Mounted once (UndoNotice): remembers the list URL whenever a link is followed from the list. */
export function useRememberListUrl(): void {
  const prefix = usePrefix();
  useEffect(() => {
    const onClick = (e: MouseEvent) => {
      const path = window.location.pathname.slice(prefix.length) || "/";
      if (path !== "/" || !(e.target instanceof Element) || !e.target.closest("a[href]")) return;
      try {
        sessionStorage.setItem(KEY, "/" + window.location.search);
      } catch {
        /* storage disabled: the list opens unfiltered */
      }
    };
    document.addEventListener("click", onClick, true);
    return () => document.removeEventListener("click", onClick, true);
  }, [prefix]);
}

/** The remembered list URL (an app path such as "/?q=job%3Dx"), or "/". */
export function listReturnUrl(): string {
  try {
    const v = sessionStorage.getItem(KEY);
    return v && v.startsWith("/?") ? v : "/";
  } catch {
    return "/";
  }
}

"use client";
// The groups view's state, apart from its presentation: the list parameters kept in the URL (filter typed with a
// debounce, sort, page, size, grouping) and the selection scoped to the filter.
import { useCallback, useEffect, useLayoutEffect, useReducer, useRef, useState } from "react";
import type { ListParams, SortKey } from "@/lib/dashboard/types";
import { api, listParamsToSearch } from "../queries/api";
import { emptySelection, selectionReducer, type Selection, type SelectionAction } from "./selection";

// Short: the slowest list request the bench makes at 100,000 groups costs the server about 30 ms of CPU
// (lib/dashboard/list-index.ts), less than the debounce, so typing cannot queue requests; the table keeps the
// previous rows while the next answer is on its way (keepPreviousData), so it never blanks.
export const FILTER_DEBOUNCE_MS = 60;
const DEFAULT_DESC: ReadonlySet<SortKey> = new Set(["lastPush", "lastFailure", "families", "series"]);

/** Clicking a column header: the same column flips direction, another starts in its natural direction. */
export function nextSort(p: ListParams, k: SortKey): ListParams {
  return p.sort === k ? { ...p, dir: p.dir === "asc" ? "desc" : "asc", page: 1 } : { ...p, sort: k, dir: DEFAULT_DESC.has(k) ? "desc" : "asc", page: 1 };
}

/** The URL (path + query) for the list parameters, relative to the current path. */
export function listUrl(pathname: string, p: ListParams): string {
  const s = listParamsToSearch(p).toString();
  return s ? `?${s}` : pathname;
}

export interface ListParamsState {
  params: ListParams;
  /** The filter text as typed (applied at once after a pause, else FILTER_DEBOUNCE_MS after the last keystroke; at once by applyFilter). */
  qInput: string;
  setQInput: (q: string) => void;
  /** Sets the filter at once (Enter, a clicked count). */
  applyFilter: (q: string) => void;
  sortBy: (k: SortKey) => void;
  setPage: (page: number) => void;
  setSize: (size: number) => void;
  setGroupBy: (byJob: boolean) => void;
}

export function useListParams(initial: ListParams): ListParamsState {
  const [params, setParams] = useState<ListParams>(initial);
  const [qInput, setQInput] = useState(initial.q);

  // The first keystroke after a pause applies at once; keystrokes in quick succession wait until FILTER_DEBOUNCE_MS
  // after the last one (so fast typing sends one request, and a single keystroke does not wait at all).
  const lastInputAt = useRef(-Infinity);
  useEffect(() => {
    if (qInput === params.q) return;
    const now = Date.now();
    const idle = now - lastInputAt.current >= FILTER_DEBOUNCE_MS;
    lastInputAt.current = now;
    const apply = () => setParams((p) => ({ ...p, q: qInput, page: 1 }));
    if (idle) {
      apply();
      return;
    }
    const t = setTimeout(apply, FILTER_DEBOUNCE_MS);
    return () => clearTimeout(t);
  }, [qInput, params.q]);

  // Keep the URL shareable without a navigation.
  useEffect(() => {
    window.history.replaceState(window.history.state, "", listUrl(window.location.pathname, params));
  }, [params]);

  const applyFilter = useCallback((q: string) => {
    setQInput(q);
    setParams((p) => (p.q === q ? p : { ...p, q, page: 1 }));
  }, []);
  return {
    params,
    qInput,
    setQInput,
    applyFilter,
    sortBy: useCallback((k: SortKey) => setParams((p) => nextSort(p, k)), []),
    setPage: useCallback((page: number) => setParams((p) => ({ ...p, page })), []),
    setSize: useCallback((size: number) => setParams((p) => ({ ...p, size, page: 1 })), []),
    setGroupBy: useCallback((byJob: boolean) => setParams((p) => ({ ...p, groupBy: byJob ? "job" : "", page: 1 })), []),
  };
}

export interface SelectionState {
  selection: Selection;
  dispatch: (a: SelectionAction) => void;
  /** Said once after a filter change unselected something ("2 selected groups are hidden by the filter…"). */
  note: string;
}

/** Asks the server which ids a filter matches; the default calls POST /api/ui/groups/match. */
export type MatchIds = (q: string, ids: string[]) => Promise<string[]>;
const matchOnServer: MatchIds = async (q, ids) => (await api.matchIds(q, ids)).ids;

/**
 * The selection, scoped to the filter q: when q changes, an explicit selection is pruned to the ids q matches
 * (until the server has answered, the old selection is not acted on: `selection.q` still names the old filter),
 * and an "all matching" selection is dropped. Either way the note says what happened.
 */
export function useSelection(q: string, matchIds: MatchIds = matchOnServer): SelectionState {
  const [selection, dispatch] = useReducer(selectionReducer, q, emptySelection);
  const [note, setNote] = useState("");
  const current = useRef(selection);
  // Layout effects run before effects: the pruning effect below always sees this render's selection.
  useLayoutEffect(() => {
    current.current = selection;
  });
  useEffect(() => {
    const s = current.current;
    if (s.q === q) return;
    if (s.kind === "matching") {
      dispatch({ type: "prune", q, keep: new Set() });
      setNote(`Selection cleared: it was every group matching the previous filter.`);
      return;
    }
    if (s.ids.size === 0) {
      dispatch({ type: "prune", q, keep: new Set() });
      return;
    }
    let cancelled = false;
    const ids = [...s.ids.keys()];
    matchIds(q, ids).then(
      (keep) => {
        if (cancelled) return;
        const gone = ids.length - keep.length;
        dispatch({ type: "prune", q, keep: new Set(keep), asked: new Set(ids) });
        setNote(
          gone > 0 ? `${gone} selected group${gone === 1 ? " is" : "s are"} hidden by the new filter and ${gone === 1 ? "was" : "were"} unselected.` : "",
        );
      },
      () => {
        if (cancelled) return;
        dispatch({ type: "prune", q, keep: new Set(), asked: new Set(ids) });
        setNote("Selection cleared: the filter changed.");
      },
    );
    return () => {
      cancelled = true;
    };
  }, [q, matchIds]);
  const act = useCallback((a: SelectionAction) => {
    setNote("");
    dispatch(a);
  }, []);
  return { selection, dispatch: act, note };
}

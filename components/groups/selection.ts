// The groups table's selection, as a pure reducer (tested without a browser in test/unit/components/).
//
// Two kinds: explicit ids (checked rows, on any page), or "every group the filter q matches" (Select all N
// matching), which deletes through the filter itself. A selection always belongs to one filter (`q`): when the
// filter changes it is pruned to the ids the new filter matches (the server answers which), and an "all matching"
// selection is dropped, so it can never include a row the current filter hides.
import type { LabelPair } from "@/lib/exposition/model";

export type Selection = { kind: "ids"; q: string; ids: ReadonlyMap<string, LabelPair[]> } | { kind: "matching"; q: string; total: number };

export type SelectionAction =
  | { type: "toggle"; id: string; labels: LabelPair[]; on: boolean }
  | { type: "page"; rows: { id: string; labels: LabelPair[] }[]; on: boolean }
  | { type: "allMatching"; q: string; total: number }
  | { type: "clear" }
  | { type: "remove"; ids: readonly string[] }
  /**
   * The filter changed to q; of the ids `asked` about, keep only `keep` (those the new filter matches). Ids
   * selected while the answer was on its way (not asked) stay. Without `asked`, only `keep` stays.
   */
  | { type: "prune"; q: string; keep: ReadonlySet<string>; asked?: ReadonlySet<string> };

export const emptySelection = (q = ""): Selection => ({ kind: "ids", q, ids: new Map() });

export function selectionSize(s: Selection): number {
  return s.kind === "ids" ? s.ids.size : s.total;
}

export function isSelected(s: Selection, id: string): boolean {
  return s.kind === "matching" || s.ids.has(id);
}

export function selectionReducer(s: Selection, a: SelectionAction): Selection {
  switch (a.type) {
    case "toggle": {
      // Unchecking one row of an "all matching" selection falls back to nothing selected but the rest is unknown
      // here, so it clears (the operator sees the count drop to 0 and can choose again).
      const ids = new Map(s.kind === "ids" ? s.ids : []);
      if (a.on) ids.set(a.id, a.labels);
      else ids.delete(a.id);
      return { kind: "ids", q: s.q, ids };
    }
    case "page": {
      const ids = new Map(s.kind === "ids" ? s.ids : []);
      for (const r of a.rows) {
        if (a.on) ids.set(r.id, r.labels);
        else ids.delete(r.id);
      }
      return { kind: "ids", q: s.q, ids };
    }
    case "allMatching":
      return { kind: "matching", q: a.q, total: a.total };
    case "clear":
      return emptySelection(s.q);
    case "remove": {
      if (s.kind === "matching") return emptySelection(s.q);
      const ids = new Map(s.ids);
      for (const id of a.ids) ids.delete(id);
      return { kind: "ids", q: s.q, ids };
    }
    case "prune": {
      if (s.kind === "matching") return emptySelection(a.q);
      const ids = new Map([...s.ids].filter(([id]) => a.keep.has(id) || (a.asked !== undefined && !a.asked.has(id))));
      return { kind: "ids", q: a.q, ids };
    }
  }
}

/** The ids of an explicit selection, with their labels, for the confirm dialog. */
export function selectionTargets(s: Selection): { id: string; labels: LabelPair[] }[] {
  return s.kind === "ids" ? [...s.ids].map(([id, labels]) => ({ id, labels })) : [];
}

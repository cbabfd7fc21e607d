// @vitest-environment happy-dom
// The groups list's state logic without a browser: the selection reducer, the filter-scoped selection hook
// (pruned when the filter changes), the URL-state hook (debounce, URL sync, sort), and the stable row order.
// happy-dom gives the hooks a window/history; @testing-library/react renders them (renderHook).
import { act, cleanup, renderHook, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { emptySelection, isSelected, selectionReducer, selectionSize, type Selection } from "../../../components/groups/selection";
import { FILTER_DEBOUNCE_MS, listUrl, nextSort, useListParams, useSelection } from "../../../components/groups/use-groups-state";
import { stableRows } from "../../../components/groups/use-stable-rows";
import { backoffMs, connectionOf } from "../../../components/groups/use-connection";
import { ApiError } from "../../../components/queries/api";
import type { ListParams } from "../../../lib/dashboard/types";

const L = (v: string) => [{ name: "job", value: v }];
const params = (p: Partial<ListParams> = {}): ListParams => ({ q: "", sort: "labels", dir: "asc", page: 1, size: 50, groupBy: "", ...p });

afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

describe("selection reducer", () => {
  it("toggles rows and whole pages, and removes deleted ids", () => {
    let s: Selection = emptySelection("job=a");
    s = selectionReducer(s, { type: "toggle", id: "1", labels: L("a"), on: true });
    s = selectionReducer(s, {
      type: "page",
      rows: [
        { id: "2", labels: L("a") },
        { id: "3", labels: L("a") },
      ],
      on: true,
    });
    expect(selectionSize(s)).toBe(3);
    s = selectionReducer(s, { type: "page", rows: [{ id: "3", labels: L("a") }], on: false });
    s = selectionReducer(s, { type: "remove", ids: ["1"] });
    expect(s.kind === "ids" && [...s.ids.keys()]).toEqual(["2"]);
    expect(s.q).toBe("job=a");
  });

  it("selects all matching (every page) and drops that on a filter change", () => {
    let s = selectionReducer(emptySelection("job=a"), { type: "allMatching", q: "job=a", total: 120 });
    expect(selectionSize(s)).toBe(120);
    expect(isSelected(s, "anything on another page")).toBe(true);
    s = selectionReducer(s, { type: "prune", q: "job=b", keep: new Set() });
    expect(s).toEqual(emptySelection("job=b"));
  });

  it("prunes to the ids the new filter matches, keeping ids selected while the answer was on its way", () => {
    let s: Selection = emptySelection("");
    for (const id of ["1", "2", "3"]) s = selectionReducer(s, { type: "toggle", id, labels: L(id), on: true });
    s = selectionReducer(s, { type: "toggle", id: "4", labels: L("4"), on: true }); // not asked about
    s = selectionReducer(s, { type: "prune", q: "job=x", keep: new Set(["2"]), asked: new Set(["1", "2", "3"]) });
    expect(s.kind === "ids" && [...s.ids.keys()]).toEqual(["2", "4"]);
    expect(s.q).toBe("job=x");
  });
});

describe("useSelection", () => {
  it("asks the server which selected ids the new filter matches and says how many were unselected", async () => {
    const matchIds = vi.fn(async (_q: string, ids: string[]) => ids.filter((id) => id !== "b"));
    const { result, rerender } = renderHook(({ q }) => useSelection(q, matchIds), { initialProps: { q: "job=x" } });
    act(() =>
      result.current.dispatch({
        type: "page",
        rows: [
          { id: "a", labels: L("a") },
          { id: "b", labels: L("b") },
        ],
        on: true,
      }),
    );
    expect(selectionSize(result.current.selection)).toBe(2);
    rerender({ q: "job=x a" });
    // Until the answer arrives the selection still names the old filter (the view does not act on it).
    expect(result.current.selection.q).toBe("job=x");
    await waitFor(() => expect(result.current.selection.q).toBe("job=x a"));
    expect(matchIds).toHaveBeenCalledWith("job=x a", ["a", "b"]);
    expect(result.current.selection.kind === "ids" && [...result.current.selection.ids.keys()]).toEqual(["a"]);
    expect(result.current.note).toBe("1 selected group is hidden by the new filter and was unselected.");
  });

  it("clears the selection, saying so, when the server cannot answer", async () => {
    const { result, rerender } = renderHook(({ q }) => useSelection(q, () => Promise.reject(new Error("403"))), { initialProps: { q: "" } });
    act(() => result.current.dispatch({ type: "toggle", id: "a", labels: L("a"), on: true }));
    rerender({ q: "job=y" });
    await waitFor(() => expect(result.current.note).toBe("Selection cleared: the filter changed."));
    expect(selectionSize(result.current.selection)).toBe(0);
  });
});

describe("useListParams (URL state)", () => {
  it("applies a keystroke after a pause at once, quick ones after the debounce, resets the page and keeps the URL in sync", () => {
    vi.useFakeTimers();
    window.history.replaceState(null, "", "/");
    const { result } = renderHook(() => useListParams(params({ page: 3 })));
    act(() => result.current.setQInput("job=b"));
    expect(result.current.params).toMatchObject({ q: "job=b", page: 1 });
    act(() => vi.advanceTimersByTime(FILTER_DEBOUNCE_MS / 2));
    act(() => result.current.setQInput("job=a"));
    expect(result.current.params.q).toBe("job=b");
    act(() => vi.advanceTimersByTime(FILTER_DEBOUNCE_MS / 2));
    act(() => result.current.setQInput("job="));
    act(() => result.current.setQInput("job=a"));
    act(() => vi.advanceTimersByTime(FILTER_DEBOUNCE_MS - 1));
    expect(result.current.params.q).toBe("job=b");
    act(() => vi.advanceTimersByTime(2));
    expect(result.current.params).toMatchObject({ q: "job=a", page: 1 });
    expect(window.location.search).toBe("?q=job%3Da");
    act(() => result.current.sortBy("lastPush"));
    expect(result.current.params).toMatchObject({ sort: "lastPush", dir: "desc" });
    expect(window.location.search).toBe("?q=job%3Da&sort=lastPush&dir=desc");
    act(() => result.current.applyFilter("is:failed"));
    expect(result.current.params.q).toBe("is:failed");
    expect(result.current.qInput).toBe("is:failed");
  });

  it("nextSort flips the active column and starts others in their natural direction", () => {
    expect(nextSort(params(), "labels")).toMatchObject({ dir: "desc" });
    expect(nextSort(params(), "series")).toMatchObject({ sort: "series", dir: "desc" });
    expect(nextSort(params(), "job")).toMatchObject({ sort: "job", dir: "asc" });
    expect(listUrl("/", params())).toBe("/");
  });
});

describe("stable rows and connection state", () => {
  const r = (id: string, v = 0) => ({ id, v });
  it("keeps the frozen order, updates values in place, marks vanished rows and counts what waits", () => {
    const frozen = [r("a"), r("b"), r("c")];
    const { rows, waiting } = stableRows([r("c", 1), r("a", 1), r("d", 1)], frozen);
    expect(rows.map((x) => [x.row.id, x.row.v, x.gone])).toEqual([
      ["a", 1, false],
      ["b", 0, true],
      ["c", 1, false],
    ]);
    expect(waiting).toBe(2); // d added, b gone
    expect(stableRows([r("b"), r("a")], [r("a"), r("b")]).waiting).toBe(1); // only re-ordered
    expect(stableRows([r("a")], null).rows.map((x) => x.row.id)).toEqual(["a"]);
  });

  it("classifies errors for the banner and backs off polling", () => {
    expect(connectionOf(false, null)).toBe("offline");
    expect(connectionOf(true, new ApiError("x", 0))).toBe("unreachable");
    expect(connectionOf(true, new ApiError("x", 503))).toBe("server-error");
    expect(connectionOf(true, new ApiError("bad filter", 400, 3))).toBe("ok");
    expect([0, 1, 2, 10].map((n) => backoffMs(5000, n))).toEqual([5000, 10_000, 20_000, 60_000]);
  });
});

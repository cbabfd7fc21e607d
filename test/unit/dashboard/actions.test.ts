import { describe, expect, it } from "vitest";
import { ActionError, deleteGroups, deleteStale, matchIds, readFilter, readIds, readOptionalIds, wipeAll } from "../../../lib/dashboard/actions";
import { encodeGroupId } from "../../../lib/dashboard/group-id";
import { checkMutationRequest } from "../../../lib/dashboard/http";
import { FakeStore, makeGroup } from "./fake-store";

const NOW = Date.now();
const H = 3_600_000;

function store() {
  const fresh = makeGroup({ labels: { job: "fresh" }, pushes: [NOW - 1000] });
  const stale = makeGroup({ labels: { job: "stale" }, pushes: [NOW - 2 * H] });
  const stale2 = makeGroup({ labels: { job: "stale", instance: "2" }, pushes: [NOW - 3 * H] });
  return { s: new FakeStore([fresh, stale, stale2]), fresh, stale, stale2 };
}

const UI = { source: "dashboard" as const, client: "127.0.0.1" };

describe("deletes", () => {
  it("deletes by id with one deleteMany write and reports unknown ids", async () => {
    const { s, fresh, stale } = store();
    const r = await deleteGroups(
      s,
      [encodeGroupId(fresh.key), encodeGroupId(stale.key), encodeGroupId(fresh.key), "bogus", encodeGroupId("job\xffgone\xff")],
      UI,
    );
    expect(r.deleted).toBe(2);
    expect(r.skipped).toHaveLength(2);
    expect(s.writes).toEqual([{ kind: "deleteMany", keys: [fresh.key, stale.key], audit: UI }]);
    expect(s.groupCount()).toBe(1);
  });
  it("deleteStale with ids only deletes those still stale", async () => {
    const { s, fresh, stale } = store();
    const r = await deleteStale(s, [encodeGroupId(fresh.key), encodeGroupId(stale.key)], { defaultStaleAfterMs: H, nowMs: NOW, adminApi: false }, UI);
    expect(r).toEqual({ deleted: 1, skipped: [encodeGroupId(fresh.key)] });
    expect(s.getGroup(fresh.key)).toBeDefined();
  });
  it("deleteStale without ids deletes every stale group", async () => {
    const { s } = store();
    expect((await deleteStale(s, undefined, { defaultStaleAfterMs: H, nowMs: NOW, adminApi: false }, UI)).deleted).toBe(2);
    expect([...s.groups()].map((g) => g.labels[0]!.value)).toEqual(["fresh"]);
  });
  it("deleteStale with a filter deletes only the stale groups the filter matches, conditionally", async () => {
    const { s, stale, stale2 } = store();
    const ctx = { defaultStaleAfterMs: H, nowMs: NOW, adminApi: false };
    const r = await deleteStale(s, undefined, ctx, UI, "instance=2");
    expect(r).toEqual({ deleted: 1, skipped: [] });
    expect(s.writes).toEqual([{ kind: "deleteIf", groups: [{ key: stale2.key, lastAttemptAtMostMs: NOW - 3 * H }], audit: UI }]);
    expect(s.getGroup(stale.key)).toBeDefined();
    // Listed ids outside the filter are skipped, not deleted.
    expect(await deleteStale(s, [encodeGroupId(stale.key)], ctx, UI, "instance=2")).toEqual({ deleted: 0, skipped: [encodeGroupId(stale.key)] });
    expect(s.getGroup(stale.key)).toBeDefined();
  });
  it("deleteGroups with a filter deletes only the ids the filter still matches, conditionally", async () => {
    const { s, fresh, stale } = store();
    const ctx = { defaultStaleAfterMs: H, nowMs: NOW, adminApi: false };
    const r = await deleteGroups(s, [encodeGroupId(fresh.key), encodeGroupId(stale.key)], UI, { q: "job=stale", ctx });
    expect(r).toEqual({ deleted: 1, skipped: [encodeGroupId(fresh.key)] });
    expect(s.writes.map((w) => w.kind)).toEqual(["deleteIf"]);
    expect(s.getGroup(fresh.key)).toBeDefined();
  });
  it("matchIds keeps the ids the filter matches", () => {
    const { s, fresh, stale } = store();
    const ctx = { defaultStaleAfterMs: H, nowMs: NOW, adminApi: false };
    expect(matchIds(s, "is:stale", [encodeGroupId(fresh.key), encodeGroupId(stale.key)], ctx)).toEqual({ ids: [encodeGroupId(stale.key)], q: "is:stale" });
    expect(readFilter({})).toBe("");
    expect(() => readFilter({ q: 3 })).toThrow(ActionError);
  });
  it("does not write when nothing is to be deleted", async () => {
    const { s } = store();
    expect(await deleteGroups(s, [], UI)).toEqual({ deleted: 0, skipped: [] });
    expect(s.writes).toEqual([]);
  });
  it("wipes", async () => {
    const { s } = store();
    expect((await wipeAll(s, UI)).deleted).toBe(3);
    expect(s.writes).toEqual([{ kind: "wipe", audit: UI }]);
  });
  it("validates bodies", () => {
    expect(() => readIds(null)).toThrow(ActionError);
    expect(() => readIds({ ids: [1] })).toThrow(/array of strings/);
    expect(() => readIds({})).toThrow(ActionError);
    expect(readOptionalIds({})).toBeUndefined();
    expect(readOptionalIds({ ids: ["a"] })).toEqual(["a"]);
    expect(() => readOptionalIds({ ids: "a" })).toThrow(/array of strings/);
    expect(readIds({ ids: ["a"] })).toEqual(["a"]);
  });
});

describe("checkMutationRequest", () => {
  const cfg = { externalUrl: "" };
  const req = (headers: Record<string, string>) => new Request("http://127.0.0.1:9091/api/ui/groups/delete", { method: "POST", headers, body: "{}" });
  it.each([
    [{ "content-type": "application/json", host: "127.0.0.1:9091", origin: "http://127.0.0.1:9091", "sec-fetch-site": "same-origin" }, undefined],
    [{ "content-type": "application/json; charset=utf-8" }, undefined],
    [{ "content-type": "text/plain", host: "127.0.0.1:9091", origin: "http://127.0.0.1:9091" }, 415],
    [{ "content-type": "application/x-www-form-urlencoded" }, 415],
    [{ "content-type": "application/json", host: "127.0.0.1:9091", origin: "http://evil.example" }, 403],
    [{ "content-type": "application/json", host: "127.0.0.1:9091", origin: "null" }, 403],
    [{ "content-type": "application/json", "sec-fetch-site": "cross-site" }, 403],
    [{ "content-type": "application/json", "sec-fetch-site": "same-site", host: "a.example", origin: "http://a.example" }, 403],
    // X-Forwarded-Host is not trusted (any client can send it); behind a proxy that rewrites Host, set --web.external-url.
    [{ "content-type": "application/json", host: "internal:9091", "x-forwarded-host": "pushboard.example", origin: "https://pushboard.example" }, 403],
    [{ "content-type": "application/json", host: "127.0.0.1:9091", "x-forwarded-host": "evil.example", origin: "http://evil.example" }, 403],
  ])("%j → %s", (headers, status) => expect(checkMutationRequest(req(headers), cfg)?.status).toBe(status));
  it("accepts the external URL's host", () => {
    expect(
      checkMutationRequest(req({ "content-type": "application/json", host: "x:1", origin: "https://pg.example" }), {
        externalUrl: "https://pg.example/prefix",
      }),
    ).toBeUndefined();
  });
});

// The /api/ui route handlers, called directly with web Requests (no server), over a fake store.
import { afterAll, describe, expect, it } from "vitest";
import { GET as getGroup } from "../../../app/api/ui/groups/[id]/route";
import { POST as postDelete } from "../../../app/api/ui/groups/delete/route";
import { POST as postDeleteStale } from "../../../app/api/ui/groups/delete-stale/route";
import { GET as getGroups } from "../../../app/api/ui/groups/route";
import { GET as getStale } from "../../../app/api/ui/groups/stale/route";
import { GET as getStatus } from "../../../app/api/ui/status/route";
import { GET as getJobs } from "../../../app/api/ui/jobs/route";
import { POST as postMatch } from "../../../app/api/ui/groups/match/route";
import { POST as postWipe } from "../../../app/api/ui/wipe/route";
import { defaultConfig } from "../../../lib/config/flags";
import { encodeGroupId } from "../../../lib/dashboard/group-id";
import { clearRuntime, runtimeOrBoot, setRuntime } from "../../../lib/server/runtime";
import { isFullRuntime } from "../../../lib/server/create-runtime";
import { FakeStore, gauge, makeGroup } from "./fake-store";

afterAll(() => clearRuntime());

const NOW = Date.now();
const json = { "content-type": "application/json", host: "pb:9091", origin: "http://pb:9091", "sec-fetch-site": "same-origin" };
const post = (path: string, body: unknown, headers: Record<string, string> = json) =>
  new Request(`http://pb:9091${path}`, { method: "POST", headers, body: JSON.stringify(body) });

describe("/api/ui routes", () => {
  it("without a runtime, boot one from $PUSHBOARD_ARGS (Next.js alone), or say why it cannot start", async () => {
    clearRuntime();
    const saved = process.env.PUSHBOARD_ARGS;
    try {
      process.env.PUSHBOARD_ARGS = "--storage.backend=nosuch";
      const r = await getGroups(new Request("http://x/api/ui/groups"));
      expect(r.status).toBe(503);
      expect((await r.json()).error).toMatch(/cannot start: invalid --storage.backend "nosuch"/);
      clearRuntime();
      process.env.PUSHBOARD_ARGS = "--storage.backend=memory --web.enable-admin-api";
      const ok = await getGroups(new Request("http://x/api/ui/groups"));
      expect(ok.status).toBe(200);
      expect(await ok.json()).toMatchObject({ total: 0, adminApi: true });
      const rt = await runtimeOrBoot(() => Promise.reject(new Error("booted twice")));
      expect(rt.frontEnd).toBe("next");
      if (isFullRuntime(rt)) {
        rt.lifecycle.stop();
        await rt.store.close();
      }
    } finally {
      if (saved === undefined) delete process.env.PUSHBOARD_ARGS;
      else process.env.PUSHBOARD_ARGS = saved;
      clearRuntime();
    }
  });

  const fresh = makeGroup({ labels: { job: "a" }, pushes: [NOW - 1000], families: [gauge("x", 1)] });
  const stale = makeGroup({ labels: { job: "b" }, pushes: [NOW - 2 * 3_600_000] });
  const store = new FakeStore([fresh, stale]);

  it("list, detail, stale list and status", async () => {
    const config = { ...defaultConfig(), enableAdminApi: false };
    setRuntime({ config, store, startedAtMs: NOW - 5000, version: "9.9.9", storageDescription: "fake" });
    const list = await (await getGroups(new Request("http://x/api/ui/groups?sort=lastPush&dir=desc&size=1"))).json();
    expect(list).toMatchObject({ total: 2, pages: 2, size: 1, sort: "lastPush", dir: "desc", adminApi: false });
    expect(list.rows[0].labels).toEqual([{ name: "job", value: "a" }]);
    const bad = await getGroups(new Request("http://x/api/ui/groups?q=job%3D~("));
    expect(bad.status).toBe(400);
    const detail = await getGroup(new Request("http://x"), { params: Promise.resolve({ id: encodeGroupId(fresh.key) }) });
    expect(detail.status).toBe(200);
    expect((await detail.json()).exposition).toContain("x{");
    expect((await getGroup(new Request("http://x"), { params: Promise.resolve({ id: "nope" }) })).status).toBe(404);
    expect((await (await getStale(new Request("http://x/api/ui/groups/stale"))).json()).rows.map((r: { id: string }) => r.id)).toEqual([
      encodeGroupId(stale.key),
    ]);
    const status = await (await getStatus(new Request("http://x/api/ui/status"))).json();
    expect(status).toMatchObject({ version: "9.9.9", storage: "fake", groups: 2, counts: { fresh: 1, stale: 1, failed: 0 }, roles: ["read", "push", "admin"] });
    expect(status.user).toBeUndefined();
    // The server names the signed-in user (percent-encoded) and their roles; unknown role names are dropped.
    const scoped = await (
      await getStatus(new Request("http://x/api/ui/status", { headers: { "x-pushboard-user": "j%C3%BCrgen", "x-pushboard-roles": "read,bogus" } }))
    ).json();
    expect(scoped).toMatchObject({ user: "jürgen", roles: ["read"] });
    expect(status.flags["web.enable-admin-api"]).toBe("false");
  });

  it("job overview, filter-scoped stale list, match, and a filter error with its position", async () => {
    const jobs = await (await getJobs(new Request("http://x/api/ui/jobs"))).json();
    expect(jobs.jobs.map((j: { job: string; stale: number }) => [j.job, j.stale])).toEqual([
      ["b", 1],
      ["a", 0],
    ]);
    expect((await (await getStale(new Request("http://x/api/ui/groups/stale?q=job%3Da"))).json()).rows).toEqual([]);
    const ids = [encodeGroupId(fresh.key), encodeGroupId(stale.key)];
    expect(await (await postMatch(post("/api/ui/groups/match", { q: "is:stale", ids }))).json()).toEqual({ ids: [encodeGroupId(stale.key)], q: "is:stale" });
    const bad = await getGroups(new Request("http://x/api/ui/groups?q=job%3Da%20is%3Astal"));
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: 'unknown status "stal" (is:fresh, is:stale or is:failed)', position: 6 });
  });

  it("guard mutations and delete through store.submit", async () => {
    const ids = [encodeGroupId(fresh.key)];
    expect((await postDelete(post("/api/ui/groups/delete", { ids }, { ...json, origin: "http://evil.example" }))).status).toBe(403);
    expect((await postDelete(post("/api/ui/groups/delete", { ids }, { ...json, "sec-fetch-site": "cross-site" }))).status).toBe(403);
    expect((await postDelete(post("/api/ui/groups/delete", { ids }, { ...json, "content-type": "text/plain" }))).status).toBe(415);
    expect((await postDelete(post("/api/ui/groups/delete", { ids: "x" }))).status).toBe(400);
    expect((await postWipe(post("/api/ui/wipe", {}))).status).toBe(403); // admin API disabled
    expect(store.writes).toEqual([]);
    // The fresh group is not stale: delete-stale skips it.
    expect(await (await postDeleteStale(post("/api/ui/groups/delete-stale", { ids }))).json()).toEqual({ deleted: 0, skipped: ids });
    expect(await (await postDelete(post("/api/ui/groups/delete", { ids }))).json()).toEqual({ deleted: 1, skipped: [] });
    expect(await (await postDeleteStale(post("/api/ui/groups/delete-stale", {}))).json()).toEqual({ deleted: 1, skipped: [] });
    expect(store.groupCount()).toBe(0);
  });
});

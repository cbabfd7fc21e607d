// kill -9 right after an acknowledgement (issues 15 and 18), on the default SQLite store: a family delete
// acknowledged is kept after the restart (the family stays gone, the rest of the group and push_time_seconds are
// untouched, the deletion is still restorable); a restore acknowledged survives too (and is not repeated); the
// same for a whole group's delete and restore. Other pushers keep writing while the server is killed. Port 20030.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startPushboard, type RunningServer } from "../helpers/servers";
import { pushboardBuilt } from "../clients/common";

const PORT = 20030;
const enabled = pushboardBuilt();
const dataDir = mkdtempSync(path.join(tmpdir(), "pushboard-undo-crash-"));
let server: RunningServer | undefined;

afterAll(async () => {
  await server?.stop("SIGKILL");
});

async function restart(): Promise<RunningServer> {
  if (server) {
    server.proc.kill("SIGKILL");
    await server.exited;
  }
  server = await startPushboard(PORT, { memory: false, dataDir });
  return server;
}

async function post(p: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(server!.url + p, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  const out = { status: res.status, body: (await res.json()) as Record<string, unknown> };
  // kill -9 the moment the acknowledgement is in.
  server!.proc.kill("SIGKILL");
  return out;
}

const send = async (p: string, body: string, method = "PUT"): Promise<number> => (await fetch(server!.url + p, { method, body })).status;
const scrapeJob = async (job: string): Promise<string[]> =>
  (await (await fetch(`${server!.url}/metrics`)).text()).split("\n").filter((l) => l.includes(`job="${job}"`));

/** Pushes to unrelated groups until stopped (errors ignored: the server is killed under them). */
function background(): () => void {
  let on = true;
  void (async () => {
    for (let i = 0; on; i++) await fetch(`${server!.url}/metrics/job/noise/instance/${i % 20}`, { method: "PUT", body: `noise ${i}\n` }).catch(() => {});
  })();
  return () => (on = false);
}

describe.skipIf(!enabled)("undo and family delete through kill -9", () => {
  it("keeps an acknowledged family delete, and an acknowledged restore, across kill -9", async () => {
    await restart();
    expect(
      await send("/metrics/job/etl", '# HELP old_rows Renamed.\n# TYPE old_rows gauge\nold_rows 5\nrows{table="a"} 1\nrows{table="b"} NaN\n', "POST"),
    ).toBe(200);
    const before = await scrapeJob("etl");
    const list = (await (await fetch(`${server!.url}/api/ui/groups?q=job%3Detl`)).json()) as { rows: { id: string }[] };
    const id = list.rows[0]!.id;
    const detail = (await (await fetch(`${server!.url}/api/ui/groups/${id}`)).json()) as { families: { name: string; lastPushedMs: number }[] };
    const old = detail.families.find((f) => f.name === "old_rows")!;
    const stop = background();
    const del = await post(`/api/ui/groups/${id}/families/delete`, { families: [{ name: old.name, lastPushedMs: old.lastPushedMs }] });
    stop();
    expect(del.status).toBe(200);
    expect(del.body.deleted).toEqual(["old_rows"]);
    await restart();
    const after = await scrapeJob("etl");
    expect(after).toEqual(before.filter((l) => !l.includes("old_rows")));
    const restorable = (await (await fetch(`${server!.url}/api/ui/undo`)).json()) as { entries: { operation: string; families: string[] | null }[] };
    expect(restorable.entries.map((e) => e.families)).toEqual([["old_rows"]]);
    const op = (del.body.undo as { operation: string }).operation;
    const stop2 = background();
    const restore = await post(`/api/ui/undo/${op}`, {});
    stop2();
    expect(restore.status).toBe(200);
    await restart();
    expect((await scrapeJob("etl")).sort()).toEqual([...before].sort());
    const again = await fetch(`${server!.url}/api/ui/undo/${op}`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(again.status).toBe(409);
  }, 120_000);

  it("keeps an acknowledged group delete and its acknowledged restore across kill -9", async () => {
    await restart();
    expect(await send("/metrics/job/backup/db/billing", '# TYPE size summary\nsize{quantile="0.5"} 3\nsize_sum 9\nsize_count 3\n')).toBe(200);
    const before = await scrapeJob("backup");
    const list = (await (await fetch(`${server!.url}/api/ui/groups?q=job%3Dbackup`)).json()) as { rows: { id: string }[] };
    const del = await post("/api/ui/groups/delete", { ids: [list.rows[0]!.id] });
    expect(del.status).toBe(200);
    await restart();
    expect(await scrapeJob("backup")).toEqual([]);
    const restore = await post(`/api/ui/undo/${(del.body.undo as { operation: string }).operation}`, {});
    expect(restore.status).toBe(200);
    await restart();
    expect(await scrapeJob("backup")).toEqual(before);
  }, 120_000);
});

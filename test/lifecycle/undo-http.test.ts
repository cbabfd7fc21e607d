// Undo and family deletes through the built server (issues 15 and 18): every delete (Pushgateway DELETE, selector
// API, dashboard) is listed as restorable and restored exactly; a restore never overwrites a group pushed again,
// is idempotent (409), answers 410 past --dashboard.undo-window and 404 for an unknown id; the dashboard routes
// keep their cross-site protection; the family delete (dashboard JSON and DELETE /api/v1/groups?…&family=) is
// conditional, leaves push_time_seconds alone, is visible to the next scrape and undoable; expire_families_after
// deletes old families of a live group, counted and audited. Ports 20000–20019.
import { mkdtempSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT, startPushboard, type RunningServer } from "../helpers/servers";
import { pushboardBuilt, until } from "../clients/common";

const enabled = pushboardBuilt();
const running: RunningServer[] = [];
afterAll(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop("SIGKILL")));
});

async function start(port: number, args: string[] = [], opts: { memory?: boolean } = {}): Promise<RunningServer> {
  const s = await startPushboard(port, { args, ...opts });
  running.push(s);
  return s;
}

const send = async (base: string, p: string, body: string, method = "PUT"): Promise<number> => (await fetch(base + p, { method, body })).status;
const metrics = async (base: string): Promise<string> => (await fetch(`${base}/metrics`)).text();
/** The lines of one job's series in the scrape (HELP/TYPE lines of its families included). */
const jobLines = (text: string, job: string): string[] => text.split("\n").filter((l) => l.includes(`job="${job}"`));

async function ui<T = Record<string, unknown>>(
  base: string,
  p: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: T }> {
  const res = await fetch(
    base + p,
    body === undefined ? { headers } : { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) },
  );
  return { status: res.status, body: (await res.json()) as T };
}

interface Restorable {
  entries: { id: string; operation: string | null; action: string; labels: { name: string; value: string }[]; families: string[] | null; untilMs: number }[];
  undoWindowMs: number;
}
/** The dashboard id of the one group the filter finds. */
async function groupId(base: string, q: string): Promise<string> {
  const rows = (await ui<{ rows: { id: string }[] }>(base, `/api/ui/groups?q=${encodeURIComponent(q)}`)).body.rows;
  expect(rows).toHaveLength(1);
  return rows[0]!.id;
}

describe.skipIf(!enabled)("undo over HTTP", () => {
  it("restores a Pushgateway DELETE exactly, once; refuses a group pushed again; guards cross-site requests", async () => {
    const s = await start(20000);
    expect(
      await send(
        s.url,
        "/metrics/job/backup/db/billing",
        '# HELP size_bytes Size.\n# TYPE size_bytes gauge\nsize_bytes{part="a"} 1.5e+09\nsize_bytes{part="b"} NaN\n',
      ),
    ).toBe(200);
    expect(await send(s.url, "/metrics/job/backup/db/billing", "# TYPE runs counter\nruns 7\n", "POST")).toBe(200);
    expect(await send(s.url, "/metrics/job/other", "x 1\n")).toBe(200);
    const before = jobLines(await metrics(s.url), "backup");
    expect(before.length).toBeGreaterThan(4);
    expect(await send(s.url, "/metrics/job/backup/db/billing", "", "DELETE")).toBe(202);
    expect(jobLines(await metrics(s.url), "backup")).toEqual([]);
    const list = await ui<Restorable>(s.url, "/api/ui/undo");
    expect(list.body.undoWindowMs).toBe(15 * 60_000);
    expect(list.body.entries).toEqual([
      expect.objectContaining({
        action: "delete",
        labels: [
          { name: "job", value: "backup" },
          { name: "db", value: "billing" },
        ],
      }),
    ]);
    const op = list.body.entries[0]!.operation!;
    // Same protection as the other dashboard mutations.
    expect((await fetch(`${s.url}/api/ui/undo/${op}`, { method: "POST", body: "{}" })).status).toBe(415);
    expect((await ui(s.url, `/api/ui/undo/${op}`, {}, { "sec-fetch-site": "cross-site" })).status).toBe(403);
    expect((await ui(s.url, `/api/ui/undo/${op}`, {}, { origin: "http://evil.example" })).status).toBe(403);
    const restored = await ui<{ restored: unknown[]; refused: unknown[] }>(s.url, `/api/ui/undo/${op}`, {});
    expect(restored.status).toBe(200);
    expect(restored.body.restored).toHaveLength(1);
    expect(jobLines(await metrics(s.url), "backup")).toEqual(before);
    const again = await ui<{ missing: { reason: string; message: string }[] }>(s.url, `/api/ui/undo/${op}`, {});
    expect(again.status).toBe(409);
    expect(again.body.missing[0]!.message).toMatch(/^already restored /);
    expect((await ui(s.url, "/api/ui/undo/nonexistent0", {})).status).toBe(404);
    expect((await ui(s.url, "/api/ui/undo/bad%20id!", {})).status).toBe(400);
    // Deleted, then pushed again: the restore is refused and says why; the new data stays.
    expect(await send(s.url, "/metrics/job/other", "", "DELETE")).toBe(202);
    expect(await send(s.url, "/metrics/job/other", "x 2\n")).toBe(200);
    const op2 = (await ui<Restorable>(s.url, "/api/ui/undo")).body.entries[0]!.operation!;
    const refused = await ui<{ refused: { reason: string }[] }>(s.url, `/api/ui/undo/${op2}`, {});
    expect(refused.status).toBe(409);
    expect(refused.body.refused[0]!.reason).toMatch(/pushed again since the deletion/);
    expect(await metrics(s.url)).toContain('x{instance="",job="other"} 2');
    // The audit trail shows the restore.
    const audit = (await (await fetch(`${s.url}/api/v1/audit`)).json()) as { data: { action: string; restores: string | null }[] };
    expect(audit.data.map((e) => e.action)).toEqual(["delete", "restore", "delete"]);
  });

  it("dashboard deletes answer with their undo handle; a wipe is undone too", async () => {
    const s = await start(20001, ["--web.enable-admin-api"]);
    for (let i = 0; i < 3; i++) expect(await send(s.url, `/metrics/job/ci/instance/r${i}`, `ok ${i}\n`)).toBe(200);
    const before = jobLines(await metrics(s.url), "ci");
    const del = await ui<{ deleted: number; undo: { operation: string; untilMs: number } }>(s.url, "/api/ui/groups/delete-matching", { q: "job=ci" });
    expect(del.status).toBe(200);
    expect(del.body.deleted).toBe(3);
    expect(del.body.undo.untilMs).toBeGreaterThan(Date.now());
    expect((await ui(s.url, `/api/ui/undo/${del.body.undo.operation}`, {})).status).toBe(200);
    expect(jobLines(await metrics(s.url), "ci")).toEqual(before);
    const wipe = await ui<{ deleted: number; undo: { operation: string } }>(s.url, "/api/ui/wipe", {});
    expect(wipe.body.deleted).toBe(3);
    expect(jobLines(await metrics(s.url), "ci")).toEqual([]);
    const r = await ui<{ restored: unknown[] }>(s.url, `/api/ui/undo/${wipe.body.undo.operation}`, {});
    expect(r.body.restored).toHaveLength(3);
    expect(jobLines(await metrics(s.url), "ci")).toEqual(before);
  });

  it("--dashboard.undo-window: past it a restore is 410 while the audit line stays; a bad value refuses the start", async () => {
    const bad = spawnSync(
      process.execPath,
      [path.join(ROOT, "lib/cli/pushboard.mjs"), "--web.listen-address=127.0.0.1:20003", "--storage.backend=memory", "--dashboard.undo-window=soon"],
      { encoding: "utf8", timeout: 30_000 },
    );
    expect(bad.status).not.toBe(0);
    expect(bad.stdout + bad.stderr).toContain('invalid --dashboard.undo-window "soon"');
    const s = await start(20002, ["--dashboard.undo-window=1s"]);
    expect(await send(s.url, "/metrics/job/short", "x 1\n")).toBe(200);
    expect(await send(s.url, "/metrics/job/short", "", "DELETE")).toBe(202);
    const e = (await ui<Restorable>(s.url, "/api/ui/undo")).body.entries[0]!;
    expect(e.untilMs - Date.now()).toBeLessThanOrEqual(1000);
    expect(await until(async () => (await ui<Restorable>(s.url, "/api/ui/undo")).body.entries.length === 0, 10_000, 100)).toBe(true);
    const late = await ui<{ missing: { message: string }[] }>(s.url, `/api/ui/undo/${e.operation}`, {});
    expect(late.status).toBe(410);
    expect(late.body.missing[0]!.message).toMatch(/undo window/);
    const audit = (await (await fetch(`${s.url}/api/v1/audit`)).json()) as { data: unknown[] };
    expect(audit.data).toHaveLength(1);
  });
});

describe.skipIf(!enabled)("family delete over HTTP", () => {
  it("dashboard JSON: conditional on the write time, push_time_seconds untouched, visible to the next scrape, undoable", async () => {
    const s = await start(20004);
    expect(await send(s.url, "/metrics/job/etl", "# HELP old_rows Renamed.\n# TYPE old_rows gauge\nold_rows 5\nrows 5\nrepushed 1\n", "POST")).toBe(200);
    const id = await groupId(s.url, "job=etl");
    const detail = (await ui<{ families: { name: string; lastPushedMs: number }[] }>(s.url, `/api/ui/groups/${id}`)).body;
    const at = (n: string) => detail.families.find((f) => f.name === n)!.lastPushedMs;
    expect(await send(s.url, "/metrics/job/etl", "repushed 2\n", "POST")).toBe(200);
    const pushTime = (await metrics(s.url)).split("\n").find((l) => l.startsWith('push_time_seconds{instance="",job="etl"}'));
    const del = await ui<{ deleted: string[]; kept: string[]; undo: { operation: string } }>(s.url, `/api/ui/groups/${id}/families/delete`, {
      families: [
        { name: "old_rows", lastPushedMs: at("old_rows") },
        { name: "repushed", lastPushedMs: at("repushed") },
      ],
    });
    expect(del.status).toBe(200);
    expect(del.body).toMatchObject({ deleted: ["old_rows"], kept: ["repushed"] });
    const text = await metrics(s.url);
    expect(text).not.toContain("old_rows");
    expect(text).toContain('repushed{instance="",job="etl"} 2');
    expect(text).toContain('rows{instance="",job="etl"} 5');
    expect(text.split("\n").find((l) => l.startsWith('push_time_seconds{instance="",job="etl"}'))).toBe(pushTime);
    for (const name of ["push_time_seconds", "push_failure_time_seconds"]) {
      const r = await ui<{ error: string }>(s.url, `/api/ui/groups/${id}/families/delete`, { families: [{ name, lastPushedMs: 1 }] });
      expect(r.status).toBe(400);
      expect(r.body.error).toContain(name);
    }
    expect((await ui(s.url, `/api/ui/groups/${id}/families/delete`, { families: "old_rows" })).status).toBe(400);
    expect(
      (await ui(s.url, `/api/ui/groups/${Buffer.from("nope").toString("base64url")}/families/delete`, { families: [{ name: "x", lastPushedMs: 1 }] })).status,
    ).toBe(404);
    expect(
      (await ui(s.url, `/api/ui/groups/${id}/families/delete`, { families: [{ name: "rows", lastPushedMs: 1 }] }, { "sec-fetch-site": "cross-site" })).status,
    ).toBe(403);
    const undo = await ui(s.url, `/api/ui/undo/${del.body.undo.operation}`, {});
    expect(undo.status).toBe(200);
    expect(await metrics(s.url)).toContain('# HELP old_rows Renamed.\n# TYPE old_rows gauge\nold_rows{instance="",job="etl"} 5\n');
    const activity = (await ui<{ entries: { action: string; families: string[] | null }[] }>(s.url, "/api/ui/activity")).body.entries;
    expect(activity.map((e) => [e.action, e.families])).toEqual([
      ["restore", ["old_rows"]],
      ["delete", ["old_rows"]],
    ]);
  });

  it("DELETE /api/v1/groups?match[]=…&family=: admin API only, dry run, then deletes just those families", async () => {
    const closed = await start(20005);
    expect((await fetch(`${closed.url}/api/v1/groups?match[]=${encodeURIComponent('{job="etl"}')}&family=old`, { method: "DELETE" })).status).toBe(403);
    const s = await start(20006, ["--web.enable-admin-api"]);
    for (const db of ["a", "b"]) expect(await send(s.url, `/metrics/job/etl/db/${db}`, "old 1\nnew 1\n", "POST")).toBe(200);
    expect(await send(s.url, "/metrics/job/web", "old 1\n")).toBe(200);
    const q = `match[]=${encodeURIComponent('{job="etl"}')}&family=old&family=absent`;
    const dry = (await (await fetch(`${s.url}/api/v1/groups?${q}&dry_run=true`, { method: "DELETE" })).json()) as {
      data: { would_delete: number; groups: { families: string[] }[] };
    };
    expect(dry.data.would_delete).toBe(2);
    expect(dry.data.groups.map((g) => g.families)).toEqual([["old"], ["old"]]);
    expect((await metrics(s.url)).match(/^old\{/gm)).toHaveLength(3);
    const bad = await fetch(`${s.url}/api/v1/groups?match[]=${encodeURIComponent('{job="etl"}')}&family=push_time_seconds`, { method: "DELETE" });
    expect(bad.status).toBe(400);
    const res = (await (await fetch(`${s.url}/api/v1/groups?${q}`, { method: "DELETE" })).json()) as { data: { deleted: number; undo: { operation: string } } };
    expect(res.data.deleted).toBe(2);
    const text = await metrics(s.url);
    expect(text.match(/^old\{/gm)).toEqual(["old{"]);
    expect(text).toContain('old{instance="",job="web"} 1');
    expect(text.match(/^new\{/gm)).toHaveLength(2);
    expect((await ui(s.url, `/api/ui/undo/${res.data.undo.operation}`, {})).status).toBe(200);
    expect((await metrics(s.url)).match(/^old\{/gm)).toHaveLength(3);
  });

  it("expire_families_after deletes old families of a live group, counted and audited", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "pushboard-rules-"));
    const rules = path.join(dir, "rules.yml");
    writeFileSync(rules, "rules:\n  - match: '{job=\"etl\"}'\n    expire_families_after: 2s\n");
    const s = await start(20007, [`--lifecycle.config.file=${rules}`]);
    expect(await send(s.url, "/metrics/job/etl", "renamed_metric 1\ncurrent 1\n", "POST")).toBe(200);
    const lifecycle = (await (await fetch(`${s.url}/api/v1/lifecycle`)).json()) as { data: { rules: { expire_families_after: string | null }[] } };
    expect(lifecycle.data.rules[0]!.expire_families_after).toBe("2s");
    // Keep pushing "current" while "renamed_metric" ages.
    const pushing = setInterval(() => void send(s.url, "/metrics/job/etl", "current 1\n", "POST").catch(() => {}), 300);
    try {
      expect(await until(async () => !(await metrics(s.url)).includes("renamed_metric"), 15_000, 200)).toBe(true);
    } finally {
      clearInterval(pushing);
    }
    const text = await metrics(s.url);
    expect(text).toContain('current{instance="",job="etl"} 1');
    expect(text).toContain('push_time_seconds{instance="",job="etl"}');
    expect(text).toContain('pushboard_families_expired_total{rule="0"} 1');
    const audit = (await (await fetch(`${s.url}/api/v1/audit`)).json()) as { data: { action: string; source: string; families: string[] | null }[] };
    expect(audit.data[0]).toMatchObject({ action: "expire", source: "rule", families: ["renamed_metric"] });
  });
});

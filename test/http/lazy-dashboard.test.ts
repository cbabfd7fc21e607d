// The dashboard's Next.js is loaded on the first dashboard request (lib/cli/serve.ts: lazyNext): a headless
// server (pushes and scrapes only) never loads it, and the first dashboard requests, concurrent ones included,
// are served once it is ready. Ports 20300-20301.
import { afterEach, describe, expect, it } from "vitest";
import { startPushboard, type RunningServer } from "../helpers/servers";

const running: RunningServer[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop("SIGKILL")));
});

const READY_LINE = /dashboard ready/g;

describe("the dashboard loads on its first request", () => {
  it("protocol paths never load Next.js; the first dashboard requests wait for it and succeed", async () => {
    const s = await startPushboard(20300, { args: ["--log.level=debug"], memory: false });
    running.push(s);
    expect((await fetch(`${s.url}/metrics/job/j`, { method: "PUT", body: "m 1\n" })).status).toBe(200);
    expect(await (await fetch(`${s.url}/metrics`)).text()).toContain('m{instance="",job="j"} 1\n');
    expect((await fetch(`${s.url}/api/v1/metrics`)).status).toBe(200);
    expect((await fetch(`${s.url}/-/healthy`)).status).toBe(200);
    expect(s.output().match(READY_LINE)).toBeNull();

    const [pages, api] = await Promise.all([Promise.all([1, 2, 3].map(() => fetch(`${s.url}/`))), fetch(`${s.url}/api/ui/groups`)]);
    for (const p of pages) {
      expect(p.status).toBe(200);
      expect(p.headers.get("content-type")).toContain("text/html");
      expect(await p.text()).toContain("</html>");
    }
    expect(api.status).toBe(200);
    expect(((await api.json()) as { counts: { total: number } }).counts.total).toBe(1);
    expect(s.output().match(READY_LINE)).toHaveLength(1);
  });
});

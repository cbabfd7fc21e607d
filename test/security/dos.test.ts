// Hostile requests from one client must not stall the others (issue: "safe to expose"): each reproduction is
// sent to the built server while /-/healthy is probed on other connections, and must get a clear answer.
// Ports 19700-19709.
import { gzipSync } from "node:zlib";
import * as snappyjs from "snappyjs";
import { afterEach, describe, expect, it } from "vitest";
import { snappyMaskedChecksum } from "../../lib/http/content-encoding";
import { startPushboard, type RunningServer } from "../helpers/servers";
import { peakRss, probeHealthDuring, PROMPT_MS, rawRequest } from "./helpers";

const running: RunningServer[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop("SIGKILL")));
});
async function start(port: number, args: string[] = []): Promise<RunningServer> {
  const s = await startPushboard(port, { args, env: { PUSHBOARD_SKIP_BUILD_CHECK: "1" } });
  running.push(s);
  return s;
}
async function groupId(port: number, job: string): Promise<string> {
  const r = await rawRequest(port, { path: `/api/ui/groups?q=${encodeURIComponent(`job=${job}`)}` }).done;
  return JSON.parse(r.body.toString()).rows[0].id;
}
const MiB = 1024 * 1024;

describe("hostile push bodies", () => {
  it("one line with 20,000 labels is parsed in linear time (the duplicate check was quadratic)", async () => {
    const s = await start(19700);
    const labels = Array.from({ length: 20_000 }, (_, i) => `l${i}="v"`).join(",");
    const body = `big{${labels}} 1\n`;
    const { result, slowestHealthMs } = await probeHealthDuring(s.port, () => rawRequest(s.port, { method: "PUT", path: "/metrics/job/wide", body }));
    expect(result.status, result.body.toString()).toBe(200);
    expect(slowestHealthMs).toBeLessThan(PROMPT_MS);
    // The duplicate check still works, on the last label of a long line too.
    const dup = await rawRequest(s.port, { method: "PUT", path: "/metrics/job/wide", body: `big{${labels},l7="w"} 1\n` }).done;
    expect(dup.status).toBe(400);
    expect(dup.body.toString()).toContain('duplicate label names for metric "big"');
  });

  it("a gzip bomb (1 MB inflating to 1 GiB) stops at the limit: 413 naming it, memory and event loop spared", async () => {
    const s = await start(19701);
    // Concatenated gzip members are one valid gzip stream: 64 × 16 MiB of zeros.
    const member = gzipSync(Buffer.alloc(16 * MiB), { level: 9 });
    const bomb = Buffer.concat(Array.from({ length: 64 }, () => member));
    expect(bomb.length).toBeLessThan(2 * MiB);
    const { result, slowestHealthMs } = await probeHealthDuring(s.port, () =>
      rawRequest(s.port, { method: "PUT", path: "/metrics/job/bomb", headers: { "Content-Encoding": "gzip" }, body: bomb }),
    );
    expect(result.status).toBe(413);
    expect(result.body.toString()).toBe(`decompressed request body larger than the limit of ${16 * MiB} bytes (--push.max-body-size)\n`);
    expect(slowestHealthMs).toBeLessThan(PROMPT_MS);
    // Inflating the whole bomb took over 2 GB; stopping at the limit costs about the limit.
    expect(peakRss(s.proc.pid!)).toBeLessThan(700 * MiB);
  });

  it("a snappy bomb (12 MB of frames inflating to 256 MiB) stops at the limit with 413", async () => {
    const s = await start(19702);
    const block = Buffer.alloc(65536);
    const payload = Buffer.concat([Buffer.alloc(4), Buffer.from(snappyjs.compress(block))]);
    payload.writeUInt32LE(snappyMaskedChecksum(block), 0);
    const header = Buffer.from([0x00, payload.length & 0xff, (payload.length >> 8) & 0xff, payload.length >> 16]);
    const chunk = Buffer.concat([header, payload]);
    const streamId = Buffer.from([0xff, 6, 0, 0, ...Buffer.from("sNaPpY")]);
    const bomb = Buffer.concat([streamId, ...Array.from({ length: 4096 }, () => chunk)]);
    expect(bomb.length).toBeLessThan(16 * MiB);
    const { result, slowestHealthMs } = await probeHealthDuring(s.port, () =>
      rawRequest(s.port, { method: "PUT", path: "/metrics/job/bomb", headers: { "Content-Encoding": "snappy" }, body: bomb }),
    );
    expect(result.status).toBe(413);
    expect(result.body.toString()).toContain("(--push.max-body-size)");
    expect(slowestHealthMs).toBeLessThan(PROMPT_MS);
    expect(peakRss(s.proc.pid!)).toBeLessThan(500 * MiB);
  });
});

describe("the dashboard API", () => {
  it("a backtracking regex in the filter runs in linear time (RE2 semantics), and a bad one is a 400", async () => {
    const s = await start(19703);
    const value = "a".repeat(30) + "b";
    expect((await rawRequest(s.port, { method: "PUT", path: `/metrics/job/redos/instance/${value}`, body: "m 1\n" }).done).status).toBe(200);
    const q = encodeURIComponent("instance=~(a|a)+");
    const { result, slowestHealthMs } = await probeHealthDuring(s.port, () => rawRequest(s.port, { path: `/api/ui/groups?q=${q}` }));
    expect(result.status).toBe(200);
    expect(JSON.parse(result.body.toString()).total).toBe(0);
    expect(slowestHealthMs).toBeLessThan(PROMPT_MS);
    const hit = await rawRequest(s.port, { path: `/api/ui/groups?q=${encodeURIComponent("instance=~(a|a)+b")}` }).done;
    expect(JSON.parse(hit.body.toString()).total).toBe(1);
    const bad = await rawRequest(s.port, { path: `/api/ui/groups?q=${encodeURIComponent("job=~(")}` }).done;
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body.toString()).error).toMatch(/invalid regular expression "\(": .*missing closing \)/);
    // Perl lookahead is not RE2 (nor Prometheus) syntax.
    expect((await rawRequest(s.port, { path: `/api/ui/groups?q=${encodeURIComponent("job=~(?=x)")}` }).done).status).toBe(400);
  });

  it("JSON mutations have a body limit (declared or chunked): 413, not hundreds of MB buffered", async () => {
    const s = await start(19704);
    const big = JSON.stringify({ ids: Array.from({ length: 1_000_000 }, (_, i) => `id${i}xxxxxxxxxxxxxxxx`) });
    expect(big.length).toBeGreaterThan(20 * MiB);
    const headers = { "Content-Type": "application/json" };
    const declared = await rawRequest(s.port, { method: "POST", path: "/api/ui/groups/delete", headers, body: big }).done;
    expect(declared.status).toBe(413);
    expect(declared.body.toString()).toContain("limit");
    const { result, slowestHealthMs } = await probeHealthDuring(s.port, () =>
      rawRequest(s.port, {
        method: "POST",
        path: "/api/ui/groups/delete",
        headers: { ...headers, "Transfer-Encoding": "chunked" },
        body: (req) => {
          for (let i = 0; i < big.length; i += MiB) req.write(big.slice(i, i + MiB));
          req.end();
        },
      }),
    );
    expect(result.status).toBe(413);
    expect(slowestHealthMs).toBeLessThan(PROMPT_MS);
    // A normal mutation still works.
    const ok = await rawRequest(s.port, { method: "POST", path: "/api/ui/groups/delete", headers, body: '{"ids":[]}' }).done;
    expect(ok.status).toBe(200);
  });

  it("malformed percent-encoding on dashboard paths is a 400, not a 500", async () => {
    const s = await start(19705);
    for (const p of ["/api/ui/groups/%ff", "/groups/%", "/groups/%zz", "/api/ui/groups/%c3%28"]) {
      const r = await rawRequest(s.port, { path: p }).done;
      expect(r.status, p).toBe(400);
    }
  });

  it("a group with 200,000 series: the detail is bounded and says how much it shows", async () => {
    const s = await start(19706);
    let body = "# TYPE wide gauge\n";
    for (let i = 0; i < 200_000; i++) body += `wide{i="${i}"} ${i}\n`;
    expect((await rawRequest(s.port, { method: "PUT", path: "/metrics/job/huge", body }).done).status).toBe(200);
    const id = await groupId(s.port, "huge");
    const { result, slowestHealthMs } = await probeHealthDuring(s.port, () => rawRequest(s.port, { path: `/api/ui/groups/${id}` }));
    expect(result.status, result.body.toString().slice(0, 200)).toBe(200);
    expect(result.body.length).toBeLessThan(3 * MiB);
    const d = JSON.parse(result.body.toString());
    expect(d.truncated).toMatchObject({ totalSamples: 200_000 + 2 });
    expect(d.truncated.shownSamples).toBeLessThan(5000);
    const wide = d.families.find((f: { name: string }) => f.name === "wide");
    expect(wide.totalSamples).toBe(200_000);
    expect(slowestHealthMs).toBeLessThan(PROMPT_MS);
    const page = await rawRequest(s.port, { path: `/groups/${id}` }).done;
    expect(page.status).toBe(200);
  });
});

describe("one path normalisation before routing", () => {
  it("a protocol path reached through a dashboard prefix is not served by Next.js", async () => {
    const s = await start(19707);
    const r = await rawRequest(s.port, { method: "PUT", path: "/api/ui/../../metrics/job/viaNext", body: "m 1\n" }).done;
    // The same 301 to the clean path as any unclean protocol path; nothing is stored.
    expect(r.status).toBe(301);
    expect(r.headers.location).toBe("/metrics/job/viaNext");
    for (const p of ["/groups/../metrics/job/viaNext", "/_next/static/..%2f..%2fmetrics/job/viaNext", "/api/ui/%2e%2e/%2e%2e/metrics/job/viaNext"]) {
      const x = await rawRequest(s.port, { method: "PUT", path: p, body: "m 1\n" }).done;
      expect(x.status, p).not.toBe(200);
    }
    const scrape = await rawRequest(s.port, { path: "/metrics" }).done;
    expect(scrape.body.toString()).not.toContain("viaNext");
    // A large body there is answered (and discarded), never buffered by Next.
    const { result, slowestHealthMs } = await probeHealthDuring(s.port, () =>
      rawRequest(s.port, { method: "PUT", path: "/api/ui/../../metrics/job/viaNext", body: Buffer.alloc(40 * MiB, "a") }),
    );
    expect(result.status).toBe(301);
    expect(slowestHealthMs).toBeLessThan(PROMPT_MS);
  });
});

// Seeded fuzzing of the protocol paths: random and mutated URLs, methods, headers and bodies (text, protobuf,
// gzip, snappy). Bad input must get a 4xx (never a 5xx), never crash the server, and never break the store:
// afterwards a scrape and the JSON API still answer 200 and a valid push still succeeds. Ports 19120-19121.
import http from "node:http";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeDelimitedFamilies } from "@/lib/exposition/render-protobuf";
import { mulberry32 } from "../helpers/random";
import { startPushboard, type RunningServer } from "../helpers/servers";

const SEED = Number(process.env.FUZZ_SEED ?? 0xf022);
const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 1500);
const PROTOBUF = "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited";

const VALID_TEXT = [
  '# HELP m A metric.\n# TYPE m counter\nm{a="1"} 3\n',
  '# TYPE h histogram\nh_bucket{le="0.5"} 1\nh_bucket{le="+Inf"} 2\nh_sum 1.5\nh_count 2\n',
  '# TYPE s summary\ns{quantile="0.9"} 4\ns_sum 9\ns_count 3\n',
  'g{x="a\\\\b\\"c\\n"} NaN\nu -Inf\n',
];
const PATHS = [
  "/metrics/job/f",
  "/metrics/job/f/instance/i",
  "/metrics/job@base64/Zg",
  "/metrics/job/f/l@base64/=",
  "/api/v1/metrics",
  "/metrics",
  "/-/healthy",
  "/api/v1/admin/wipe",
  "/-/quit",
];
const METHODS = ["GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH"];

function send(port: number, method: string, path: string, headers: Record<string, string>, body: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, method, path, headers: { ...headers, "Content-Length": String(body.length) }, agent: false }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", reject);
    req.setTimeout(10_000, () => req.destroy(new Error(`timeout: ${method} ${path}`)));
    req.end(method === "GET" || method === "HEAD" ? undefined : body);
  });
}

function mutate(rand: () => number, bytes: Buffer): Buffer {
  const out = Buffer.from(bytes);
  const edits = 1 + Math.floor(rand() * 4);
  for (let i = 0; i < edits && out.length > 0; i++) out[Math.floor(rand() * out.length)] = Math.floor(rand() * 256);
  return rand() < 0.3 ? out.subarray(0, Math.floor(rand() * out.length)) : out;
}

function randomPath(rand: () => number): string {
  const base = PATHS[Math.floor(rand() * PATHS.length)]!;
  const r = rand();
  if (r < 0.4) return base;
  const junk = ["%", "%zz", "%FF", "%2F", "//", "/./", "/../", "@base64", "=", "?q=1", "/a/b/c", "é", "%00", "\\", "*"];
  let p = base;
  for (let i = 0; i < 1 + Math.floor(rand() * 3); i++) {
    const at = Math.floor(rand() * (p.length + 1));
    p = p.slice(0, at) + junk[Math.floor(rand() * junk.length)] + p.slice(at);
  }
  return encodeURI(decodeURIComponentSafe(p)) === p ? p : p.replace(/[^\x21-\x7e]/g, (c) => encodeURIComponent(c));
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function randomBody(rand: () => number): { body: Buffer; headers: Record<string, string> } {
  const r = rand();
  const text = Buffer.from(VALID_TEXT[Math.floor(rand() * VALID_TEXT.length)]!);
  const pb = Buffer.from(
    encodeDelimitedFamilies([{ name: "pbm", help: "h", type: "GAUGE", metric: [{ label: [{ name: "k", value: "v" }], gauge: { value: 1 } }] }]),
  );
  if (r < 0.25) return { body: mutate(rand, text), headers: {} };
  if (r < 0.45) return { body: mutate(rand, pb), headers: { "Content-Type": PROTOBUF } };
  if (r < 0.55) return { body: mutate(rand, gzipSync(text)), headers: { "Content-Encoding": rand() < 0.5 ? "gzip" : "GZIP" } };
  if (r < 0.62) return { body: mutate(rand, text), headers: { "Content-Encoding": "snappy" } };
  if (r < 0.75) {
    const n = Math.floor(rand() * 200);
    return { body: Buffer.from(Array.from({ length: n }, () => Math.floor(rand() * 256))), headers: rand() < 0.5 ? { "Content-Type": PROTOBUF } : {} };
  }
  return { body: text, headers: rand() < 0.2 ? { "Content-Type": "application/openmetrics-text; version=1.0.0" } : {} };
}

let server: RunningServer;
beforeAll(async () => {
  server = await startPushboard(19120, { env: { PUSHBOARD_SKIP_BUILD_CHECK: "1" }, args: ["--web.enable-admin-api"] });
});
afterAll(async () => {
  await server?.stop("SIGKILL");
});

describe(`protocol fuzzing (seed ${SEED}, ${REQUESTS} requests)`, () => {
  it("never answers 5xx, never crashes, and leaves a working store", async () => {
    const rand = mulberry32(SEED);
    const serverErrors: string[] = [];
    const counts = new Map<number, number>();
    for (let i = 0; i < REQUESTS; i++) {
      const method = METHODS[Math.floor(rand() * METHODS.length)]!;
      const path = randomPath(rand);
      const { body, headers } = randomBody(rand);
      const status = await send(server.port, method, path, headers, body);
      counts.set(status, (counts.get(status) ?? 0) + 1);
      if (status >= 500) serverErrors.push(`${status} ${method} ${path} ${JSON.stringify(headers)} body=${body.toString("base64")}`);
    }
    console.log(`fuzz: ${REQUESTS} requests, statuses ${JSON.stringify(Object.fromEntries([...counts].sort((a, b) => a[0] - b[0])))}`);
    expect(serverErrors).toEqual([]);
    expect(server.proc.exitCode).toBeNull();
    expect((await fetch(`${server.url}/metrics`)).status).toBe(200);
    expect((await fetch(`${server.url}/api/v1/metrics`)).status).toBe(200);
    expect((await fetch(`${server.url}/metrics/job/after_fuzz`, { method: "PUT", body: "ok 1\n" })).status).toBe(200);
    expect(await (await fetch(`${server.url}/metrics`)).text()).toContain('ok{instance="",job="after_fuzz"} 1');
  }, 120_000);
});

// Request compression (docs/compatibility.md: push bodies) beyond what 1.5.1 can be compared on (exact `gzip` is differential in
// test/conformance/cases-formats.ts): the deliberate differences, each asserted on both servers so none is
// accidental — `Content-Encoding: GZIP` (case-insensitive, as upstream 1.6+), snappy framing format (1.6+), and
// the places where pushboard answers a broken stream with 400 and the reason where 1.5.1 silently keeps what it
// could decode. Snappy bodies are framed by python-snappy (Debian python3-snappy), not by pushboard's code.
// Ports 19511 (pushboard), 19512 (oracle).
import { spawnSync } from "node:child_process";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOracle, startPushboard, type RunningServer } from "../helpers/servers";
import { PYTHON, requirePythonModule } from "../system-deps.mjs";
import { apiGroup, built, enabledOrSkip, fam, gauge, native, oracleInstalled, pb, PROTO_CT, push, scrape, linesOfJob, type ApiFamily } from "./helpers";

const enabled = enabledOrSkip(built(), "pushboard build (npm run build)") && enabledOrSkip(oracleInstalled(), "prometheus-pushgateway (oracle)");

const PY_SNAPPY = `
import sys, snappy, snappy.snappy as impl
def crc32c(data):
    crc = 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1
    return crc ^ 0xFFFFFFFF
impl._crc32c = crc32c  # python-snappy's C helper is broken on Python 3.11
data = sys.stdin.buffer.read()
sys.stdout.buffer.write(snappy.StreamCompressor().add_chunk(data) if sys.argv[1] == "framed" else snappy.compress(data))
`;
function snappyPy(data: Uint8Array, mode: "framed" | "raw"): Buffer | undefined {
  const r = spawnSync(PYTHON, ["-c", PY_SNAPPY, mode], { input: Buffer.from(data), maxBuffer: 64 << 20 });
  return r.status === 0 ? r.stdout : undefined;
}
const hasPySnappy = requirePythonModule("snappy") && snappyPy(Buffer.from("x"), "framed") !== undefined;

let pbs: RunningServer;
let oracle: RunningServer;

const TEXT = '# TYPE cz_g gauge\ncz_g 1\ncz_h{a="b"} 2\n';

describe.skipIf(!enabled)("request compression: gzip, GZIP, snappy", () => {
  beforeAll(async () => {
    [pbs, oracle] = await Promise.all([startPushboard(19511), startOracle(19512)]);
  });
  afterAll(async () => {
    await Promise.all([pbs?.stop(), oracle?.stop()]);
  });

  it("deliberate: Content-Encoding matching is case-insensitive (GZIP, Gzip) — 1.5.1 parses the bytes as text", async () => {
    for (const coding of ["GZIP", "Gzip"]) {
      const body = gzipSync(TEXT);
      const o = await push(oracle.url, "PUT", "/metrics/job/cz_upper", body, { "Content-Encoding": coding });
      expect(o, `oracle ${coding}`).toEqual({ status: 400, text: "text format parsing error in line 1: invalid metric name\n" });
      const p = await push(pbs.url, "PUT", "/metrics/job/cz_upper", body, { "Content-Encoding": coding });
      expect(p, `pushboard ${coding}`).toEqual({ status: 200, text: "" });
      expect(linesOfJob((await scrape(pbs.url)).body.toString(), "cz_upper").filter((l) => l.startsWith("cz_"))).toEqual([
        'cz_g{instance="",job="cz_upper"} 1',
        'cz_h{a="b",instance="",job="cz_upper"} 2',
      ]);
    }
  });

  it("gzip works for protobuf bodies too, native histograms included", async () => {
    const h = { sampleCount: 3, sampleSum: 4, schema: 0, zeroThreshold: 0.001, zeroCount: 1, positiveSpan: [{ offset: 1, length: 1 }], positiveDelta: [2] };
    const body = gzipSync(pb(fam("cz_native", "HISTOGRAM", [native(h)]), fam("cz_pg", "GAUGE", [gauge(5)])));
    for (const coding of ["gzip", "GZIP"]) {
      expect(await push(pbs.url, "PUT", "/metrics/job/cz_pb", body, { "Content-Encoding": coding, "Content-Type": PROTO_CT }), coding).toEqual({
        status: 200,
        text: "",
      });
      const g = await apiGroup(pbs.url, { job: "cz_pb" });
      expect((g?.cz_native as ApiFamily).metrics[0]).toMatchObject({
        buckets: [
          [3, "-0.001", "0.001", "1"],
          [0, "1", "2", "2"],
        ],
        count: "3",
        sum: "4",
      });
      expect((g?.cz_pg as ApiFamily).metrics[0]).toMatchObject({ value: "5" });
    }
    // The oracle takes the same exact-gzip protobuf push (classic types only compared: no native API in 1.5.1).
    const classicBody = gzipSync(pb(fam("cz_pg", "GAUGE", [gauge(5)])));
    expect(await push(oracle.url, "PUT", "/metrics/job/cz_pb", classicBody, { "Content-Encoding": "gzip", "Content-Type": PROTO_CT })).toEqual({
      status: 200,
      text: "",
    });
  });

  it("invalid gzip bodies give 400 with the reason (same text as Go's compress/gzip)", async () => {
    const full = gzipSync("cz_a 1\ncz_b 2\n");
    const badCrc = Buffer.from(full);
    badCrc[badCrc.length - 6]! ^= 0xff; // flip a CRC-32 byte of the trailer
    const cases: [string, Uint8Array, string][] = [
      ["empty body", new Uint8Array(0), "EOF\n"],
      ["not gzip", Buffer.from("cz_a 1\ncz_b 2\nxxxxxx\n"), "gzip: invalid header\n"],
      ["bad magic after the first bytes", Buffer.concat([Buffer.from([0x1f, 0x8b, 0x07]), Buffer.from("abcdefghijkl")]), "gzip: invalid header\n"],
      ["cut inside the header", full.subarray(0, 6), "unexpected EOF\n"],
      ["header only", full.subarray(0, 10), "unexpected EOF\n"],
      ["cut inside the deflate stream", full.subarray(0, full.length - 9), "unexpected EOF\n"],
      ["wrong CRC", badCrc, "gzip: invalid checksum\n"],
    ];
    for (const [what, body, reason] of cases) {
      const r = await push(pbs.url, "PUT", "/metrics/job/cz_bad", body, { "Content-Encoding": "gzip" });
      expect(r, what).toEqual({ status: 400, text: reason });
    }
    expect(await apiGroup(pbs.url, { job: "cz_bad" })).toBeUndefined();
  });

  it("deliberate: a gzip stream broken after the header is 400 on pushboard, 1.5.1 keeps what it decoded", async () => {
    const full = gzipSync("cz_a 1\ncz_b 2\n");
    const badCrc = Buffer.from(full);
    badCrc[badCrc.length - 6]! ^= 0xff;
    const garbage = Buffer.from([0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
    const cases: [string, Uint8Array, RegExp][] = [
      ["header only", full.subarray(0, 10), /^unexpected EOF\n$/],
      ["cut before the trailer", full.subarray(0, full.length - 8), /^unexpected EOF\n$/],
      ["wrong CRC", badCrc, /^gzip: invalid checksum\n$/],
      ["invalid deflate data", garbage, /^flate: corrupt input/],
    ];
    for (const [what, body, reason] of cases) {
      const o = await push(oracle.url, "PUT", "/metrics/job/cz_cut", body, { "Content-Encoding": "gzip" });
      expect(o.status, `oracle ${what}`).toBe(200);
      const p = await push(pbs.url, "PUT", "/metrics/job/cz_cut", body, { "Content-Encoding": "gzip" });
      expect(p.status, `pushboard ${what}`).toBe(400);
      expect(p.text, what).toMatch(reason);
    }
    expect(await apiGroup(oracle.url, { job: "cz_cut" })).toBeDefined();
    expect(await apiGroup(pbs.url, { job: "cz_cut" })).toBeUndefined();
  });

  it("unknown codings leave the body as it is (deflate, x-gzip, identity)", async () => {
    for (const coding of ["deflate", "x-gzip", "identity"]) {
      for (const s of [pbs, oracle])
        expect(await push(s.url, "PUT", "/metrics/job/cz_id", "cz_id 1\n", { "Content-Encoding": coding }), `${s.port} ${coding}`).toEqual({
          status: 200,
          text: "",
        });
    }
  });

  describe.skipIf(!enabledOrSkip(hasPySnappy, "python3-snappy (for snappy-framed bodies)"))("snappy", () => {
    it("deliberate: snappy framing format is decoded (1.6+) — 1.5.1 parses the bytes as text and fails", async () => {
      const framed = snappyPy(Buffer.from(TEXT), "framed")!;
      const o = await push(oracle.url, "PUT", "/metrics/job/cz_snappy", framed, { "Content-Encoding": "snappy" });
      expect(o.status).toBe(400);
      expect(o.text).toMatch(/^text format parsing error in line 1: /);
      for (const coding of ["snappy", "SNAPPY"]) {
        expect(await push(pbs.url, "PUT", "/metrics/job/cz_snappy", framed, { "Content-Encoding": coding }), coding).toEqual({ status: 200, text: "" });
      }
      const g = await apiGroup(pbs.url, { job: "cz_snappy" });
      expect((g?.cz_h as ApiFamily).metrics[0]).toMatchObject({ labels: { a: "b" }, value: "2" });
    });

    it("snappy-framed protobuf, large enough for several chunks", async () => {
      const metric = Array.from({ length: 3000 }, (_, i) => gauge(i, { series: String(i).padStart(5, "0"), path: "/a/b/c" }));
      const raw = pb(fam("cz_many", "GAUGE", metric, "Many series."));
      expect(raw.length).toBeGreaterThan(65536 * 1.5);
      const framed = snappyPy(raw, "framed")!;
      expect(await push(pbs.url, "PUT", "/metrics/job/cz_snappy_pb", framed, { "Content-Encoding": "snappy", "Content-Type": PROTO_CT })).toEqual({
        status: 200,
        text: "",
      });
      const g = await apiGroup(pbs.url, { job: "cz_snappy_pb" });
      const m = (g?.cz_many as ApiFamily).metrics;
      expect(m.length).toBe(3000);
      expect(m[2999]).toMatchObject({ labels: { series: "02999" }, value: "2999" });
    });

    it("invalid snappy bodies give 400 with the reason", async () => {
      const framed = snappyPy(Buffer.from(TEXT), "framed")!;
      const corrupt = Buffer.from(framed);
      corrupt[corrupt.length - 1]! ^= 0x55;
      const cases: [string, Uint8Array, string][] = [
        ["raw block format instead of framing", snappyPy(Buffer.from(TEXT), "raw")!, "snappy: corrupt input\n"],
        ["plain text", Buffer.from("cz_a 1\n"), "snappy: corrupt input\n"],
        ["truncated", framed.subarray(0, framed.length - 3), "snappy: corrupt input\n"],
        ["corrupted data", corrupt, "snappy: corrupt input\n"],
        ["reserved unskippable chunk", Buffer.concat([framed.subarray(0, 10), Buffer.from([0x02, 0x01, 0x00, 0x00, 0x00])]), "snappy: unsupported input\n"],
      ];
      for (const [what, body, reason] of cases) {
        expect(await push(pbs.url, "PUT", "/metrics/job/cz_snappy_bad", body, { "Content-Encoding": "snappy" }), what).toEqual({ status: 400, text: reason });
      }
    });
  });

  it("deliberate: Accept-Encoding q-values are honoured (gzip;q=0 gives identity) — 1.5.1 gzips whenever gzip is named", async () => {
    await push(pbs.url, "PUT", "/metrics/job/cz_q", "cz_q 1\n");
    const o = await scrape(oracle.url, { "Accept-Encoding": "gzip;q=0" });
    expect(o.headers["content-encoding"]).toBe("gzip");
    const p = await scrape(pbs.url, { "Accept-Encoding": "gzip;q=0" });
    expect(p.headers["content-encoding"]).toBeUndefined();
    expect(p.rawBody.toString()).toContain('cz_q{instance="",job="cz_q"} 1');
    const both = await scrape(pbs.url, { "Accept-Encoding": "identity;q=0.5, gzip" });
    expect(both.headers["content-encoding"]).toBe("gzip");
  });
});

// The scrape renderer: one merged, sorted view of the store plus own metrics, encoded per format from a cache
// that only writes invalidate.
import { describe, expect, it } from "vitest";
import { parseText } from "@/lib/exposition/parse-text";
import { decodeDelimitedFamilies } from "@/lib/exposition/parse-protobuf";
import { MemoryStore } from "@/lib/store/memory-store";
import { OwnMetrics } from "@/lib/protocol/own-metrics";
import { ScrapeRenderer } from "@/lib/protocol/scrape";

async function setup() {
  const own = new OwnMetrics({ version: "test", revision: "", branch: "" });
  await own.init();
  const store = new MemoryStore({ ownFamily: (n) => own.info(n) });
  const push = async (job: string, body: string) => {
    const r = await store.submit({ kind: "put", labels: [{ name: "job", value: job }], families: parseText(Buffer.from(body)), check: true, nowMs: 1_000_000 });
    expect(r).toEqual({ ok: true });
  };
  return { store, push, renderer: new ScrapeRenderer(store, own) };
}

describe("ScrapeRenderer", () => {
  it("merges groups into families sorted by name, own metrics interleaved", async () => {
    const { push, renderer } = await setup();
    await push("b", "# HELP m Help.\n# TYPE m gauge\nm 2\n");
    await push("a", "# HELP m Help.\n# TYPE m gauge\nm 1\nzz_last 1\n");
    const text = (await renderer.render("text")).toString();
    expect(text).toContain('# HELP m Help.\n# TYPE m gauge\nm{instance="",job="a"} 1\nm{instance="",job="b"} 2\n');
    const names = [...text.matchAll(/^# TYPE (\S+)/gm)].map((m) => m[1]!);
    expect(names).toEqual([...names].sort());
    expect(names).toContain("pushgateway_build_info");
    expect(names.indexOf("m")).toBeLessThan(names.indexOf("pushgateway_build_info"));
  });

  it("re-encodes a family after a write touches it, in every format", async () => {
    const { push, renderer } = await setup();
    await push("a", "m 1\n");
    expect((await renderer.render("text")).toString()).toContain('m{instance="",job="a"} 1\n');
    await renderer.render("protobuf");
    await push("a", "m 5\n");
    expect((await renderer.render("text")).toString()).toContain('m{instance="",job="a"} 5\n');
    const pb = decodeDelimitedFamilies(await renderer.render("protobuf")).find((f) => f.name === "m");
    expect(pb?.metric[0]?.untyped?.value).toBe(5);
  });

  it("protobuf and text carry the same families in the same order", async () => {
    const { push, renderer } = await setup();
    await push("a", '# TYPE h histogram\nh_bucket{le="1"} 1\nh_bucket{le="+Inf"} 2\nh_sum 3\nh_count 2\n# TYPE c_total counter\nc_total 7\n');
    const text = (await renderer.render("text")).toString();
    const textNames = [...text.matchAll(/^# TYPE (\S+)/gm)].map((m) => m[1]!);
    const pbNames = decodeDelimitedFamilies(await renderer.render("protobuf")).map((f) => f.name);
    expect(pbNames).toEqual(textNames);
    expect((await renderer.render("openmetrics")).toString()).toContain('# TYPE c counter\nc_total{instance="",job="a"} 7');
  });
});

describe("ScrapeRenderer.renderParts", () => {
  it("answers in parts whose bytes are render()'s, a large family in ~64 KiB chunks split only between lines", async () => {
    const { push, renderer } = await setup();
    // ~3,000 lines with a multi-byte label value: several chunks, none may split a character or a line.
    let body = "# TYPE big gauge\n";
    for (let i = 0; i < 3000; i++) body += `big{k="é✓${i}",pad="${"x".repeat(20)}"} ${i}\n`;
    await push("a", body + "small 1\n");
    for (const format of ["text", "openmetrics", "protobuf"] as const) {
      const parts = await renderer.renderParts(format);
      expect(Buffer.concat(parts).equals(await renderer.render(format)), format).toBe(true);
      if (format === "protobuf") continue;
      const big = parts.filter((p) => p.toString().includes("big{"));
      expect(big.length, format).toBeGreaterThan(1);
      for (const p of big) {
        expect(p.toString().endsWith("\n"), format).toBe(true);
        expect(Buffer.from(p.toString()).equals(p), format).toBe(true); // whole UTF-8 characters
      }
    }
  });
});

describe("gzipParts", () => {
  it("gzips parts as one stream, below and above the size it streams from", async () => {
    const { gzipParts } = await import("@/lib/protocol/router");
    const { gunzipSync } = await import("node:zlib");
    for (const total of [100_000, 9 << 20]) {
      const parts: Buffer[] = [];
      for (let n = 0, i = 0; n < total; i++) {
        const p = Buffer.from(`line ${i} ${"é".repeat(i % 50)}\n`.repeat(1000));
        parts.push(p);
        n += p.length;
      }
      const out = await gzipParts(parts);
      expect(gunzipSync(Buffer.concat(out)).equals(Buffer.concat(parts))).toBe(true);
      expect(out.length > 1).toBe(total > 8 << 20); // one buffer from the synchronous call, chunks when streamed
    }
  });
});

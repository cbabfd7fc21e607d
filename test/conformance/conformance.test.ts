// Differential conformance: every case of cases.ts against the oracle (Debian prometheus-pushgateway 1.5.1) and
// pushboard with the same flags; the normalised transcripts must be identical.
// CONFORMANCE_TARGET=oracle runs the oracle against a second oracle (checks that the normalisation is sound).
// Ports 19200-19229.
import { afterAll, describe, expect, it } from "vitest";
import { CASES, KNOWN_DIVERGENCES } from "./cases";
import { requireOrSkip, runCase, ServerPool } from "./runner";

const enabled = requireOrSkip();
const pool = new ServerPool(19200, 19229);
let cases = 0;
let divergences = 0;
const started = Date.now();

describe.skipIf(!enabled)(`conformance: oracle vs ${pool.subject === "oracle" ? "second oracle" : "pushboard"}`, () => {
  afterAll(async () => {
    const requests = pool.requests;
    await pool.stopAll();
    const skipped = pool.subject === "oracle" ? 0 : Object.keys(KNOWN_DIVERGENCES).length;
    if (skipped)
      console.log(
        `known divergences (skipped):\n${Object.entries(KNOWN_DIVERGENCES)
          .map(([k, v]) => `  - ${k}: ${v}`)
          .join("\n")}`,
      );
    console.log(
      `conformance: ${cases} cases, ${requests} requests, ${divergences} divergences` +
        (skipped ? ` (+${skipped} known divergences skipped)` : "") +
        ` in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
  }, 60_000);

  const names = new Set<string>();
  for (const c of CASES) {
    if (names.has(c.name)) throw new Error(`duplicate case name: ${c.name}`);
    names.add(c.name);
    const known = KNOWN_DIVERGENCES[c.name];
    it.skipIf(known !== undefined && pool.subject !== "oracle")(
      c.name + (c.flags?.length ? ` [${c.flags.join(" ")}]` : ""),
      async () => {
        cases++;
        const out = await runCase(pool, c);
        if (!out.same) divergences++;
        expect(out.subject.join("\n"), `${c.name}: pushboard transcript (received) differs from the oracle (expected)`).toBe(out.oracle.join("\n"));
      },
      60_000,
    );
  }
});

// Differential wire-format cases (cases-formats.ts: protobuf pushes from the library encoder, malformed streams,
// gzip bodies) against the oracle (Debian prometheus-pushgateway 1.5.1), with the runner of conformance.test.ts.
// Ports 19500-19509.
import { afterAll, describe, expect, it } from "vitest";
import { FORMAT_CASES, FORMAT_KNOWN_DIVERGENCES } from "./cases-formats";
import { requireOrSkip, runCase, ServerPool } from "./runner";

const enabled = requireOrSkip();
const pool = new ServerPool(19500, 19509);

describe.skipIf(!enabled)(`wire formats: oracle vs ${pool.subject === "oracle" ? "second oracle" : "pushboard"}`, () => {
  afterAll(async () => {
    await pool.stopAll();
  }, 60_000);

  const names = new Set<string>();
  for (const c of FORMAT_CASES) {
    if (names.has(c.name)) throw new Error(`duplicate case name: ${c.name}`);
    names.add(c.name);
    const known = FORMAT_KNOWN_DIVERGENCES[c.name];
    it.skipIf(known !== undefined && pool.subject !== "oracle")(
      c.name,
      async () => {
        const out = await runCase(pool, c);
        expect(out.subject.join("\n"), `${c.name}: pushboard transcript (received) differs from the oracle (expected)`).toBe(out.oracle.join("\n"));
      },
      60_000,
    );
  }
});

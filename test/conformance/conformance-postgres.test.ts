// The differential conformance suite (cases.ts) once more, with pushboard on PostgreSQL
// (--storage.backend=postgres, a fresh database per flag set on a real throwaway server): the shared store must be
// exactly as Pushgateway-compatible as the embedded one, restarts included.
// Ports 19790 (PostgreSQL), 19800–19839 (oracle/pushboard pairs).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CASES, KNOWN_DIVERGENCES } from "./cases";
import { requireOrSkip, runCase, ServerPool } from "./runner";
import { postgresAvailable, startPostgres, type PostgresServer } from "../helpers/postgres";

const enabled = requireOrSkip() && postgresAvailable();
let pgServer: PostgresServer | undefined;
let databases = 0;
const pool = new ServerPool(19800, 19839, "pushboard", async () => {
  const name = `conformance_${++databases}`;
  await pgServer!.createDatabase(name);
  return pgServer!.url(name);
});
let divergences = 0;

describe.skipIf(!enabled)("conformance: oracle vs pushboard on PostgreSQL", () => {
  beforeAll(() => {
    pgServer = startPostgres(19790);
  });
  afterAll(async () => {
    console.log(`conformance on PostgreSQL: ${pool.requests} requests, ${divergences} divergences`);
    await pool.stopAll();
    pgServer?.destroy();
  }, 60_000);

  for (const c of CASES) {
    const known = KNOWN_DIVERGENCES[c.name];
    it.skipIf(known !== undefined)(
      c.name + (c.flags?.length ? ` [${c.flags.join(" ")}]` : ""),
      async () => {
        const out = await runCase(pool, c);
        if (!out.same) divergences++;
        expect(out.subject.join("\n"), `${c.name}: pushboard-on-PostgreSQL transcript (received) differs from the oracle (expected)`).toBe(
          out.oracle.join("\n"),
        );
      },
      60_000,
    );
  }
});

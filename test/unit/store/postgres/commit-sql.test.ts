// The statements one PostgreSQL write batch sends (lib/store/postgres/sql.ts): a bulk delete is two statements for
// the whole run of deletes, and a write to a key between two deletes of it keeps its place.
import { describe, expect, it } from "vitest";
import pg from "pg";
import { commitSql, sqlLiteral } from "@/lib/store/postgres/sql";
import { mulberry32 } from "../../../helpers/random";
import type { Mutation } from "@/lib/store/types";

const opts = { retain: 1000, auditCutoffMs: 0, undoCutoffMs: 0 };
const statements = (ms: Mutation[]) =>
  commitSql(ms, 7, opts)
    .split(";\n")
    .filter(
      (s) => s.startsWith("DELETE FROM pushboard_families") || s.startsWith("DELETE FROM pushboard_groups") || s.startsWith("INSERT INTO pushboard_groups"),
    )
    .map((s) => s.replace(/ VALUES .*/, " VALUES …"));
const del = (key: string): Mutation => ({ op: "deleteGroup", key });
const upsert = (key: string): Mutation => ({
  op: "upsertGroup",
  key,
  labels: [{ name: "job", value: key }],
  families: [],
  removedFamilies: [],
  pushHistory: [1],
});

describe("commitSql", () => {
  it("deletes a run of 10,000 groups with two statements", () => {
    const keys = Array.from({ length: 10_000 }, (_, i) => `k${i}`);
    const out = statements(keys.map(del));
    expect(out).toHaveLength(2);
    expect(out[0]).toMatch(/^DELETE FROM pushboard_families WHERE group_key IN \(/);
    expect(out[1]).toMatch(/^DELETE FROM pushboard_groups WHERE key IN \(/);
    expect(out[1]!.split(", ")).toHaveLength(10_000);
  });

  it("keeps a write between two deletes in its place", () => {
    const out = statements([del("a"), del("b"), upsert("a"), del("a")]);
    expect(out.map((s) => s.split(" ").slice(0, 3).join(" "))).toEqual([
      "DELETE FROM pushboard_families",
      "DELETE FROM pushboard_groups",
      "INSERT INTO pushboard_groups",
      "DELETE FROM pushboard_families",
      "DELETE FROM pushboard_groups",
    ]);
    expect(out[1]).toContain("IN (");
    expect(out[4]).toMatch(/IN \('[^,]*'\)$/);
  });

  it("writes literals exactly as node-postgres's escapeLiteral does", () => {
    const random = mulberry32(1717);
    const alphabet = ["a", "'", "\\", '"', "\u0000", "é", "\n", " ", "''", "\\'"];
    for (let i = 0; i < 2000; i++) {
      let s = "";
      const n = Math.floor(random() * 12);
      for (let j = 0; j < n; j++) s += alphabet[Math.floor(random() * alphabet.length)];
      expect(sqlLiteral(s), JSON.stringify(s)).toBe(pg.Client.prototype.escapeLiteral(s));
    }
  });
});

// The status page's backend wording: plain, with the file or server, and never a password.
import { describe, expect, it } from "vitest";
import { defaultConfig } from "../../../lib/config/flags";
import { backendInfo, describePostgres } from "../../../lib/dashboard/status";

describe("backendInfo", () => {
  it("SQLite: the file, durable", () => {
    const b = backendInfo({ config: { ...defaultConfig(), storageBackend: "sqlite" }, databaseFile: "/data/x.db" });
    expect(b).toEqual({
      kind: "sqlite",
      durable: true,
      file: "/data/x.db",
      text: "SQLite file /data/x.db: durable, every write is on disk before it is acknowledged",
    });
  });
  it("memory: lost on restart", () => {
    expect(backendInfo({ config: { ...defaultConfig(), storageBackend: "memory" } }).text).toBe("in memory only: every group is lost on restart");
  });
  it("PostgreSQL: host, port, database and user, never the password", () => {
    const url = "postgres://pb:s3cr%40t@db.internal:5433/metrics?sslmode=require&password=other";
    const b = backendInfo({ config: { ...defaultConfig(), storageBackend: "postgres", postgresUrl: url } });
    expect(b.text).toBe("PostgreSQL db.internal:5433/metrics as pb: durable, shared by every replica (password never shown)");
    expect(JSON.stringify(b)).not.toMatch(/s3cr|other/);
  });
  it.each([
    ["postgres://db/", "PostgreSQL db/(default database)"],
    ["not a url", "PostgreSQL (the URL given could not be parsed)"],
  ])("%s → %s", (url, want) => expect(describePostgres(url)).toBe(want));
});

// The store contract on the in-memory backend and on the embedded SQLite backend.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { MemoryStore } from "@/lib/store/memory-store";
import { openSqlitePersistence } from "@/lib/store/sqlite-persistence";
import type { MetricStore } from "@/lib/store/types";
import { storeContract } from "./contract";

storeContract("memory", { fresh: async () => new MemoryStore() });

const files = new WeakMap<MetricStore, string>();
async function openSqlite(file: string): Promise<MetricStore> {
  const s = new MemoryStore({ persistence: openSqlitePersistence(file, { synchronous: "NORMAL" }) });
  await s.load();
  files.set(s, file);
  return s;
}
storeContract("sqlite", {
  fresh: () => openSqlite(path.join(mkdtempSync(path.join(tmpdir(), "pushboard-contract-")), "store.db")),
  reopen: async (s) => {
    await s.close();
    return openSqlite(files.get(s)!);
  },
});

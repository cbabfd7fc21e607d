// The store contract on the in-memory backend and on the embedded SQLite backend.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { MemoryStore } from "@/lib/store/memory-store";
import { openSqlitePersistence } from "@/lib/store/sqlite-persistence";
import type { MetricStore } from "@/lib/store/types";
import { storeContract } from "./contract";

storeContract("memory", { fresh: async (opts) => new MemoryStore(opts) });

const files = new WeakMap<MetricStore, { file: string; undoWindowMs?: number }>();
async function openSqlite(file: string, undoWindowMs?: number): Promise<MetricStore> {
  const s = new MemoryStore({ persistence: openSqlitePersistence(file, { synchronous: "NORMAL", undoWindowMs }), undoWindowMs });
  await s.load();
  files.set(s, { file, undoWindowMs });
  return s;
}
storeContract("sqlite", {
  fresh: (opts) => openSqlite(path.join(mkdtempSync(path.join(tmpdir(), "pushboard-contract-")), "store.db"), opts?.undoWindowMs),
  reopen: async (s) => {
    await s.close();
    const o = files.get(s)!;
    return openSqlite(o.file, o.undoWindowMs);
  },
});

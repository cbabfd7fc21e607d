import { defineConfig } from "vitest/config";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../", import.meta.url));

export default defineConfig({
  resolve: { alias: { "@": root } },
  test: {
    root,
    include: ["test/**/*.test.ts"],
    exclude: ["node_modules/**", ".next/**"],
    environment: "node",
    // Server, oracle and browser tests start real processes: give them time, and keep to the 2 cores.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    maxWorkers: 2,
  },
});

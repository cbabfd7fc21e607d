// ESLint (flat config): Next.js's rules (core web vitals: React, hooks, a11y, import) and typescript-eslint's
// recommended rules. `npm run lint`; test/run-all.sh runs it as its "lint" step (errors fail it, warnings are shown).
import { defineConfig, globalIgnores } from "eslint/config";
import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

export default defineConfig([
  ...nextVitals,
  ...nextTs,
  {
    rules: {
      // A leading underscore marks a parameter or binding that an interface requires but this code does not read.
      "@typescript-eslint/no-unused-vars": ["warn", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrorsIgnorePattern: "^_" }],
    },
  },
  globalIgnores([".next/**", "node_modules/**", "next-env.d.ts", "test-results/**", "test/artifacts/**", "data/**"]),
]);

#!/usr/bin/env bash
# The whole test suite: Debian test dependencies, the production build, then every vitest file (unit,
# HTTP, conformance against the oracle, real clients, Prometheus, browser, crash). Ends with the plain line
# "N passed, N failed" for CI.
set -u
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1
mkdir -p test-results test/artifacts
bash test/setup.sh || { echo "test setup failed"; echo "0 passed, 1 failed"; exit 1; }
[ -d node_modules ] || npm ci --no-audit --no-fund
if ! npm run build > test-results/build.log 2>&1; then
  tail -50 test-results/build.log
  echo "build failed"
  echo "0 passed, 1 failed"
  exit 1
fi
# Strict TypeScript over everything, tests included (next build checks only the app and lib).
typecheck_failed=0
if ! npx tsc -p test/tsconfig.json > test-results/typecheck.log 2>&1; then
  cat test-results/typecheck.log
  echo "typecheck failed"
  typecheck_failed=1
fi
rm -f test-results/vitest.json
npx vitest run --config test/vitest.config.mts "$@" --reporter=default --reporter=json --outputFile.json=test-results/vitest.json
rc=$?
if [ -f test-results/vitest.json ]; then
  node -e '
    const r = require("./test-results/vitest.json");
    const skipped = r.numPendingTests + r.numTodoTests;
    const failedSuites = r.testResults.filter((f) => f.status === "failed" && f.assertionResults.every((a) => a.status !== "failed")).length;
    const typecheckFailed = Number(process.argv[1] ?? 0);
    console.log(`${r.numPassedTests} passed, ${r.numFailedTests + failedSuites + typecheckFailed} failed` + (skipped ? `, ${skipped} skipped` : ""));
  ' "$typecheck_failed"
  [ "$typecheck_failed" = 1 ] && rc=1
else
  echo "0 passed, 1 failed"
  [ $rc -eq 0 ] && rc=1
fi
exit $rc

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
# Static checks, each counted as one failure in the closing line when it fails:
#   typecheck  strict TypeScript over everything, tests included (next build checks only the app and lib);
#   lint       ESLint (eslint.config.mjs: Next.js + typescript-eslint rules; warnings are shown, errors fail);
#   format     Prettier --check (.prettierrc.json); `npm run format` rewrites the files it names.
static_failed=0
static_check() {
  local name=$1 ok; shift
  "$@" > "test-results/$name.log" 2>&1 && ok=1 || ok=0
  if [ $ok = 1 ]; then
    echo "$name: passed"
  else
    tail -60 "test-results/$name.log"
    echo "$name failed (full output: test-results/$name.log)"
    static_failed=$((static_failed + 1))
  fi
}
static_check typecheck npx tsc -p test/tsconfig.json
static_check lint npx eslint .
static_check format npx prettier --check .
rm -f test-results/vitest.json
npx vitest run --config test/vitest.config.mts "$@" --reporter=default --reporter=json --outputFile.json=test-results/vitest.json
rc=$?
if [ -f test-results/vitest.json ]; then
  node -e '
    const r = require("./test-results/vitest.json");
    const skipped = r.numPendingTests + r.numTodoTests;
    const failedSuites = r.testResults.filter((f) => f.status === "failed" && f.assertionResults.every((a) => a.status !== "failed")).length;
    const staticFailed = Number(process.argv[1] ?? 0);
    console.log(`${r.numPassedTests} passed, ${r.numFailedTests + failedSuites + staticFailed} failed` + (skipped ? `, ${skipped} skipped` : ""));
  ' "$static_failed"
  [ "$static_failed" -gt 0 ] && rc=1
else
  echo "0 passed, $((1 + static_failed)) failed"
  [ $rc -eq 0 ] && rc=1
fi
exit $rc

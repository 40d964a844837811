#!/usr/bin/env bash
# The whole test suite: installs what is missing, then typecheck, lint + format check, and jest (unit, workflow on
# the time-skipping server, integration against a real Temporal dev server and a real PostgreSQL, e2e in Chromium,
# and last the production-shaped rehearsal smoke of test/rehearsal). Extra arguments go to jest (e.g.
# `npm test -- test/unit`). Results: .segugio/jest-results.json.
set -uo pipefail
cd "$(dirname "$0")/.."
# The rehearsal smoke (last test file) needs the production Temporal server binary: copied from the machine's cache
# at once, or built from the Go module proxy in the background (niced) while everything below runs; the smoke waits
# for it within the run's budget, counted from here (docs/performance.md, "The server binary in CI").
export SEGUGIO_TEST_STARTED="${SEGUGIO_TEST_STARTED:-$(date +%s)}"
mkdir -p .segugio
bash dev/install-temporal-server.sh --background || true
bash scripts/setup.sh || exit 1
mkdir -p .segugio
failed_checks=()

echo "== typecheck"
node_modules/.bin/tsc --noEmit -p tsconfig.json || failed_checks+=(typecheck)
# The web console's browser modules: JS with JSDoc types, checked strictly (checkJs) against the DOM's types.
node_modules/.bin/tsc -p web/tsconfig.json || failed_checks+=(typecheck-web)
echo "== lint"
node_modules/.bin/eslint . || failed_checks+=(eslint)
echo "== format"
node_modules/.bin/prettier --check . >/dev/null || { node_modules/.bin/prettier --check . ; failed_checks+=(prettier); }

echo "== jest"
# --forceExit: a test that times out while a Temporal worker is polling must not keep the run open until CI's limit.
rm -f .segugio/jest-results.json
node_modules/.bin/jest --runInBand --forceExit --json --outputFile=.segugio/jest-results.json "$@"
jest_rc=$?

printf '%s\n' "${failed_checks[@]}" | grep -v '^$' > .segugio/failed-checks.txt || true
if [ ${#failed_checks[@]} -gt 0 ]; then echo "failed checks: ${failed_checks[*]}"; fi
node scripts/test-summary.js
summary_rc=$?
if [ $jest_rc -ne 0 ] || [ ${#failed_checks[@]} -gt 0 ] || [ $summary_rc -ne 0 ]; then exit 1; fi

// Prints the plain totals line `N passed, N failed` from jest's --json output; a failed static check (typecheck,
// lint, format) counts as one failure. Exits non-zero when anything failed or jest produced no results.
const fs = require('node:fs');
const path = require('node:path');

const dir = path.join(__dirname, '..', '.segugio');
let passed = 0;
let failed = 0;
let skipped = 0;
let ok = true;
try {
  const r = JSON.parse(fs.readFileSync(path.join(dir, 'jest-results.json'), 'utf8'));
  passed = r.numPassedTests;
  failed = r.numFailedTests;
  skipped = r.numPendingTests + (r.numTodoTests || 0);
  // A suite that fails to run (syntax error, setup failure) has no failed tests but must count.
  failed += r.testResults.filter(
    (s) => s.status === 'failed' && s.assertionResults.every((a) => a.status !== 'failed'),
  ).length;
  if (r.numTotalTests === 0) ok = false;
} catch {
  console.log('jest produced no results');
  failed += 1;
}
try {
  failed += fs.readFileSync(path.join(dir, 'failed-checks.txt'), 'utf8').split('\n').filter(Boolean).length;
} catch {
  // no static-check file: nothing failed there
}
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed === 0 && ok ? 0 : 1);

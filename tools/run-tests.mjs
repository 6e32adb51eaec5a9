#!/usr/bin/env node
// Runs every check of the repository — typecheck, lint, all vitest suites — and
// prints the closing line `tests: N passed, N failed` summed over every suite.
// Usage: pnpm test [-- vitest filters...]
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, existsSync } from 'node:fs';

const extra = process.argv.slice(2);
let passed = 0;
let failed = 0;

function step(name, cmd, args) {
  console.log(`\n=== ${name}: ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', shell: false });
  const ok = r.status === 0;
  console.log(`=== ${name}: ${ok ? 'ok' : `FAILED (exit ${r.status ?? r.signal})`}`);
  return ok;
}

const bin = (name) => `node_modules/.bin/${name}`;
for (const [name, cmd, args] of [
  ['typecheck', bin('tsc'), ['-p', 'tsconfig.json']],
  // the dashboard is browser code (DOM types, JSX): its own program
  ['typecheck dashboard', bin('tsc'), ['-p', 'packages/dashboard/tsconfig.json']],
  ['format', bin('prettier'), ['--check', '--log-level', 'warn', '.']],
  [
    'lint',
    bin('eslint'),
    [
      '--max-warnings',
      '0',
      '--no-error-on-unmatched-pattern',
      'packages',
      'tools',
      'examples',
      'vitest.config.ts',
      'eslint.config.js',
    ],
  ],
]) {
  if (extra.length > 0) break; // a filtered run is for quick iteration: vitest only
  if (step(name, cmd, args)) passed++;
  else failed++;
}

const results = '.vitest-results.json';
rmSync(results, { force: true });
const vitestOk = step('vitest', bin('vitest'), [
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${results}`,
  ...extra,
]);
if (existsSync(results)) {
  const json = JSON.parse(readFileSync(results, 'utf8'));
  passed += json.numPassedTests ?? 0;
  failed += json.numFailedTests ?? 0;
  const skipped = (json.numPendingTests ?? 0) + (json.numTodoTests ?? 0);
  if (skipped > 0) console.log(`(vitest skipped ${skipped} tests; see the reasons above)`);
  // A suite that failed to load counts as a failure even if it had no tests.
  for (const suite of json.testResults ?? []) {
    if (suite.status === 'failed' && (suite.assertionResults ?? []).every((a) => a.status !== 'failed')) failed++;
  }
} else if (!vitestOk) {
  failed++;
}
if (!vitestOk && failed === 0) failed++;
console.log(`tests: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);

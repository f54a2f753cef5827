/**
 * Runs the test suite with Node's test runner: unit, simulator, workflow (real Temporal dev server),
 * gateway and end-to-end tests. Prints the spec report, then one summary line:
 *   SUMMARY: 42 tests, 42 passed, 0 failed, 0 skipped in 95.3 s
 *
 * Usage: tsx scripts/run-tests.ts [substring-of-path ...]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { ensureTemporalCli, PROJECT_ROOT } from './temporal-cli';

function findTests(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'fixtures' || name === 'helpers' ? [] : findTests(path);
    return name.endsWith('.test.ts') ? [path] : [];
  });
}

const filters = process.argv.slice(2);
const files = findTests(join(PROJECT_ROOT, 'test'))
  .map((f) => relative(PROJECT_ROOT, f))
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort();
if (files.length === 0) {
  console.error(`No test files match ${filters.join(', ')}`);
  process.exit(1);
}

// Build the Temporal CLI before the runner starts files in parallel, so none of them races to build it.
ensureTemporalCli((line) => console.error(line));

const tap = join(mkdtempSync(join(tmpdir(), 'finops-tests-')), 'results.tap');
const started = Date.now();
const run = spawnSync(
  process.execPath,
  [
    '--import',
    'tsx',
    '--test',
    // Two cores: each workflow test file starts its own dev server; two at a time keeps them responsive.
    '--test-concurrency=2',
    '--test-timeout=300000',
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    '--test-reporter=tap',
    `--test-reporter-destination=${tap}`,
    ...files,
  ],
  { cwd: PROJECT_ROOT, stdio: 'inherit', env: { ...process.env, FORCE_COLOR: process.env.FORCE_COLOR ?? '1' } },
);
const seconds = ((Date.now() - started) / 1000).toFixed(1);

const counts: Record<string, number> = {};
try {
  // The runner's TAP summary lines, e.g. "# pass 12", are the last of each kind.
  for (const match of readFileSync(tap, 'utf8').matchAll(/^# (tests|pass|fail|skipped|todo|cancelled) (\d+)$/gm)) {
    counts[match[1]!] = Number(match[2]);
  }
} catch {
  // No TAP output means the runner itself failed to start; the exit code says so.
}
const failed = (counts.fail ?? 0) + (counts.cancelled ?? 0);
console.log(
  `SUMMARY: ${counts.tests ?? 0} tests, ${counts.pass ?? 0} passed, ${failed} failed, ${(counts.skipped ?? 0) + (counts.todo ?? 0)} skipped in ${seconds} s (${files.length} files)`,
);
process.exit(run.status ?? 1);

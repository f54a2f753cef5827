/**
 * Runs the test suite with Node's test runner: unit, simulator, workflow (real Temporal dev server),
 * gateway and end-to-end tests. Prints the spec report, then one summary line:
 *   SUMMARY: 42 tests, 42 passed, 0 failed, 0 skipped in 95.3 s
 *
 * A file with a failing test is run once more on its own (FINOPS_TEST_RETRIES=0: never); a failure that passes
 * then is named in the summary as FLAKY.
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

interface RunResult {
  status: number;
  counts: Record<string, number>;
  /** Test files with a failing test, from the TAP diagnostics' locations; undefined if a failure has none. */
  failedFiles: string[] | undefined;
}

function runFiles(testFiles: string[]): RunResult {
  const tap = join(mkdtempSync(join(tmpdir(), 'finops-tests-')), 'results.tap');
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
      ...testFiles,
    ],
    { cwd: PROJECT_ROOT, stdio: 'inherit', env: { ...process.env, FORCE_COLOR: process.env.FORCE_COLOR ?? '1' } },
  );
  let text = '';
  try {
    text = readFileSync(tap, 'utf8');
  } catch {
    // No TAP output means the runner itself failed to start; the exit code says so.
  }
  const counts: Record<string, number> = {};
  // The runner's TAP summary lines, e.g. "# pass 12", are the last of each kind.
  for (const match of text.matchAll(/^# (tests|pass|fail|skipped|todo|cancelled) (\d+)$/gm)) counts[match[1]!] = Number(match[2]);
  // Each "not ok" is followed by its YAML block; its location names the file.
  const failedFiles = new Set<string>();
  let unattributed = false;
  for (const match of text.matchAll(/^\s*not ok \d+[^\n]*\n(?:\s*---\n)?((?:\s+\w+:[^\n]*\n)*)/gm)) {
    const location = /location: '([^']+?):\d+:\d+'/.exec(match[1] ?? '')?.[1];
    const file = location ? relative(PROJECT_ROOT, location) : undefined;
    if (file && testFiles.includes(file)) failedFiles.add(file);
    else unattributed = true;
  }
  return { status: run.status ?? 1, counts, failedFiles: unattributed ? undefined : [...failedFiles].sort() };
}

const failuresOf = (counts: Record<string, number>) => (counts.fail ?? 0) + (counts.cancelled ?? 0);

const started = Date.now();
const first = runFiles(files);
let status = first.status;
let failed = failuresOf(first.counts);
let flaky = '';
// A file that fails is run once more, on its own, and reported by name either way. The end-to-end tests kill
// workers and race real timers on a shared 2-core machine; a failure that does not come back is still printed
// (FLAKY) for someone to look at, but does not throw away a whole CI run. FINOPS_TEST_RETRIES=0 turns this off;
// many failing files, or a failure no file owns, are not retried: that is breakage, not a flake.
const retries = Number(process.env.FINOPS_TEST_RETRIES ?? '1');
if (status !== 0 && retries > 0 && first.failedFiles && first.failedFiles.length > 0 && first.failedFiles.length <= 3) {
  console.log(`\nRETRY: ${first.failedFiles.length} file(s) failed; running them once more: ${first.failedFiles.join(', ')}`);
  const again = runFiles(first.failedFiles);
  status = again.status;
  failed = failuresOf(again.counts);
  if (status === 0) flaky = `; FLAKY (failed ${failuresOf(first.counts)}, then passed on retry): ${first.failedFiles.join(', ')}`;
}
const seconds = ((Date.now() - started) / 1000).toFixed(1);
const counts = first.counts;
const skipped = (counts.skipped ?? 0) + (counts.todo ?? 0);
const passed = Math.max(0, (counts.tests ?? 0) - skipped - failed);
console.log(`SUMMARY: ${counts.tests ?? 0} tests, ${passed} passed, ${failed} failed, ${skipped} skipped in ${seconds} s (${files.length} files)${flaky}`);
process.exit(status);

/**
 * The worker process refuses a bad configuration at start-up, with one clear line and exit code 1,
 * before it connects anywhere.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startProcess } from '../helpers/processes';

test('a thresholds file with a typo stops the worker, naming the file and the key', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'worker-config-')), 'thresholds.json');
  writeFileSync(file, JSON.stringify({ ec2: { idleCpuP95Percnt: 5 } }));
  // Nothing listens on this address: the worker must stop before it tries to connect.
  const worker = startProcess('src/worker/main.ts', { FINOPS_THRESHOLDS_FILE: file, TEMPORAL_ADDRESS: '127.0.0.1:1' });
  const code = await new Promise<number | null>((resolve) => worker.child.once('exit', resolve));
  assert.equal(code, 1);
  assert.match(worker.output(), /worker: FINOPS_THRESHOLDS_FILE: .*thresholds\.json: ec2: unknown threshold idleCpuP95Percnt/);
  assert.doesNotMatch(worker.output(), /Cannot reach the Temporal server/);
});

test('a FINOPS_TODAY that is neither a date nor an offset stops the worker, saying what it takes', async () => {
  const worker = startProcess('src/worker/main.ts', { FINOPS_TODAY: 'next tuesday', TEMPORAL_ADDRESS: '127.0.0.1:1' });
  const code = await new Promise<number | null>((resolve) => worker.child.once('exit', resolve));
  assert.equal(code, 1);
  assert.match(worker.output(), /worker: FINOPS_TODAY must be a date YYYY-MM-DD or a signed number of days such as \+40 or -40 \(got "next tuesday"\)/);
  assert.doesNotMatch(worker.output(), /Cannot reach the Temporal server/);
});

/**
 * The worker process refuses a bad configuration at start-up, with one clear line and exit code 1,
 * before it connects anywhere — or, for what only Temporal can tell (the namespace's retention), right
 * after it connects.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startProcess } from '../helpers/processes';
import { startTemporal } from '../helpers/temporal';

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

test('a payload retention that is not a number of days stops the worker before it connects', async () => {
  const worker = startProcess('src/worker/main.ts', { FINOPS_PAYLOAD_RETENTION_DAYS: '30d', TEMPORAL_ADDRESS: '127.0.0.1:1' });
  const code = await new Promise<number | null>((resolve) => worker.child.once('exit', resolve));
  assert.equal(code, 1);
  assert.match(worker.output(), /worker: FINOPS_PAYLOAD_RETENTION_DAYS must be a whole number of days from 0 \(keep forever\) to 36500 \(got "30d"\)/);
  assert.doesNotMatch(worker.output(), /Cannot reach the Temporal server/);
});

test("a payload retention not above the namespace's retention stops the worker; the default starts it with store sweeps", async () => {
  const env = await startTemporal();
  try {
    const refused = startProcess('src/worker/main.ts', { TEMPORAL_ADDRESS: env.address, FINOPS_PAYLOAD_RETENTION_DAYS: '1', FINOPS_STORE_DIR: mkdtempSync(join(tmpdir(), 'worker-config-')) });
    const code = await new Promise<number | null>((resolve) => refused.child.once('exit', resolve));
    assert.equal(code, 1);
    assert.match(refused.output(), /worker: FINOPS_PAYLOAD_RETENTION_DAYS is 1 day, but namespace default keeps closed workflows .*: their histories would refer to deleted payloads\. Set it to \d+ or more/);

    const started = startProcess('src/worker/main.ts', { TEMPORAL_ADDRESS: env.address, FINOPS_STORE_DIR: mkdtempSync(join(tmpdir(), 'worker-config-')) });
    try {
      await started.waitFor(/Store sweeps every 6 h \(payloads and report-less analysis folders kept 40 days after their last write\)/, 120_000);
    } finally {
      await started.kill();
    }
  } finally {
    await env.teardown();
  }
});

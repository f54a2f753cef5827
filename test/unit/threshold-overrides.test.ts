/**
 * Threshold overrides from a configuration file: known groups and keys of the right type and range are
 * taken; anything else stops the worker at start-up with every problem named.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ConfigError, ENV, thresholdOverrides } from '../../src/config';
import { parseThresholdOverrides, resolveThresholds, ThresholdError } from '../../src/domain/checks/thresholds';

test('valid overrides are taken, the rest keep their defaults', () => {
  const overrides = parseThresholdOverrides({
    ec2: { idleCpuP95Percent: 5, previousGenerationFamilies: ['t2', 'm4'] },
    rds: { overallocatedFreeStorageShare: 0.5 },
    commitments: { termInYears: 'THREE_YEARS' },
  });
  const t = resolveThresholds(overrides);
  assert.equal(t.ec2.idleCpuP95Percent, 5);
  assert.deepEqual(t.ec2.previousGenerationFamilies, ['t2', 'm4']);
  assert.equal(t.rds.overallocatedFreeStorageShare, 0.5);
  assert.equal(t.commitments.termInYears, 'THREE_YEARS');
  assert.equal(t.ec2.stoppedDays, 30, 'untouched thresholds keep their defaults');
  assert.deepEqual(parseThresholdOverrides({}), {});
});

test('typos, wrong types and out-of-range values are refused, each named', () => {
  const problems = (value: unknown): string[] => {
    try {
      parseThresholdOverrides(value);
    } catch (err) {
      assert.ok(err instanceof ThresholdError);
      return err.problems;
    }
    assert.fail('expected a ThresholdError');
  };
  assert.match(problems({ ec3: {} }).join(), /unknown group ec3 \(known: ec2, ebs, rds, commitments\)/);
  assert.match(problems({ ec2: { idleCpuP95Percnt: 5 } }).join(), /ec2: unknown threshold idleCpuP95Percnt \(known: .*idleCpuP95Percent/);
  assert.match(problems({ ec2: { idleCpuP95Percent: '5' } }).join(), /ec2\.idleCpuP95Percent:/);
  assert.match(problems({ ec2: { idleCpuP95Percent: 150 } }).join(), /ec2\.idleCpuP95Percent:.*100/);
  assert.match(problems({ rds: { overallocatedFreeStorageShare: 2 } }).join(), /rds\.overallocatedFreeStorageShare:/);
  assert.match(problems({ ebs: { snapshotMinAgeDays: -1 } }).join(), /ebs\.snapshotMinAgeDays:/);
  assert.match(problems({ commitments: { paymentOption: 'SOME_UPFRONT' } }).join(), /commitments\.paymentOption:/);
  assert.equal(problems({ ec2: { idleCpuP95Percent: 150, stoppedDays: 'x' } }).length, 2, 'every problem, not the first');
  assert.ok(problems([]).length > 0);
});

test('FINOPS_THRESHOLDS_FILE: read and validated at start-up; a bad file is a clear configuration error', () => {
  const dir = mkdtempSync(join(tmpdir(), 'thresholds-'));
  const good = join(dir, 'good.json');
  writeFileSync(good, JSON.stringify({ ec2: { idleCpuP95Percent: 3 } }));
  assert.deepEqual(thresholdOverrides({ [ENV.thresholdsFile]: good }), { ec2: { idleCpuP95Percent: 3 } });
  assert.equal(thresholdOverrides({}), undefined);

  const bad = join(dir, 'bad.json');
  writeFileSync(bad, JSON.stringify({ ec2: { idleCpu: 3 } }));
  assert.throws(() => thresholdOverrides({ [ENV.thresholdsFile]: bad }), (err: Error) => {
    assert.ok(err instanceof ConfigError);
    assert.match(err.message, /FINOPS_THRESHOLDS_FILE: .*bad\.json: ec2: unknown threshold idleCpu/);
    return true;
  });
  const notJson = join(dir, 'thresholds.yaml');
  writeFileSync(notJson, 'ec2:\n  idleCpuP95Percent: 3\n');
  assert.throws(() => thresholdOverrides({ [ENV.thresholdsFile]: notJson }), /is not JSON/);
  assert.throws(() => thresholdOverrides({ [ENV.thresholdsFile]: join(dir, 'missing.json') }), /cannot read/);
});

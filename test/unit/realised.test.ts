/**
 * Realised savings, pure: a step to zero (stopped or deleted), a step down (resized), a resource gone for
 * the whole window, no step, the month-length wobble of monthly-priced storage that is not a fix, and
 * fast-check properties (never negative, a clean step is found where it is, flat series realise nothing).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import Big from 'big.js';
import fc from 'fast-check';
import { costExplorerIdsOf, realisedWindow } from '../../src/activities/realised';
import { addDays } from '../../src/domain/period';
import { measureRealised, type DailyCost } from '../../src/domain/realised';

const START = '2026-11-20';
const series = (amounts: readonly (number | string)[]): DailyCost[] => amounts.map((a, i) => ({ date: addDays(START, i), amount: String(a) }));

test('a step to zero: the cost before, as a monthly rate, measured from the days before the step', () => {
  const r = measureRealised(series([2.4, 2.4, 2.4, 2.4, 2.4, 2.4, 2.4, 0, 0, 0, 0, 0, 0]), '70.08')!;
  assert.equal(r.method, 'absence');
  assert.equal(r.monthlySavings, '73'); // 2.40 a day × 365 / 12
  assert.deepEqual([r.daysBefore, r.daysAfter], [7, 6]);
  assert.match(r.evidence, /\$2\.40 a day over 7 day\(s\) before 2026-11-27, \$0\.00 a day over 6 day\(s\) from it/);
});

test('a resize: the step down, not to zero', () => {
  const r = measureRealised(series([4, 4, 4, 4, 2, 2, 2, 2, 2]), '60')!;
  assert.equal(r.method, 'resource-cost');
  assert.equal(r.monthlySavings, '60.83');
  assert.deepEqual([r.daysBefore, r.daysAfter], [4, 5]);
});

test('gone for the whole window: the estimate stands, said so', () => {
  const r = measureRealised(series([0, 0, 0, 0]), '12.5')!;
  assert.deepEqual([r.method, r.monthlySavings, r.daysBefore, r.daysAfter], ['absence', '12.5', 0, 4]);
  assert.match(r.evidence, /estimate is taken as realised/);
  assert.equal(measureRealised([], '12.5'), undefined, 'no data, no figure');
});

test('no step down, a rise, or the wobble of a 30-day month to a 31-day one: nothing realised', () => {
  for (const amounts of [[3, 3, 3, 3], [1, 1, 2, 2, 2], [0.2, 0.2, 0.2, 0.1935, 0.1935, 0.1935]]) {
    const r = measureRealised(series(amounts), '6')!;
    assert.equal(r.monthlySavings, '0', amounts.join(','));
    assert.match(r.evidence, /no drop/);
  }
});

test('property: never negative, and a clean step is found where it is', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 12 }),
      fc.integer({ min: 1, max: 12 }),
      fc.integer({ min: 100, max: 100_000 }),
      fc.integer({ min: 0, max: 80 }),
      (before, after, cents, remainsPct) => {
        const level = cents / 100;
        const rest = Math.round(level * remainsPct) / 100;
        const r = measureRealised(series([...Array(before).fill(level), ...Array(after).fill(rest)]), '1')!;
        assert.deepEqual([r.daysBefore, r.daysAfter], [before, after]);
        const expected = new Big(level).minus(rest).times(365).div(12);
        assert.ok(new Big(r.monthlySavings).minus(expected).abs().lte('0.01'), `${r.monthlySavings} vs ${expected.toFixed(4)}`);
      },
    ),
  );
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 10_000 }), { minLength: 1, maxLength: 14 }), (cents) => {
      const r = measureRealised(series(cents.map((c) => c / 100)), '5')!;
      assert.ok(new Big(r.monthlySavings).gte(0));
      assert.equal(r.daysBefore + r.daysAfter, cents.length);
    }),
  );
});

test('the window is the complete days of resource-level data; Cost Explorer ids include the ARN where it files by ARN', () => {
  assert.deepEqual(realisedWindow('2026-12-06'), { start: '2026-11-23', end: '2026-12-06' });
  assert.deepEqual(costExplorerIdsOf({ resourceId: 'snap-1', check: 'snapshot-orphaned', account: '111122223333', region: 'eu-west-1' }), [
    'snap-1',
    'snap-1',
    'arn:aws:ec2:eu-west-1:111122223333:snapshot/snap-1',
  ]);
  assert.ok(costExplorerIdsOf({ resourceId: 'orders', check: 'rds-idle', account: '1', region: 'us-east-1' }).includes('arn:aws:rds:us-east-1:1:db:orders'));
});

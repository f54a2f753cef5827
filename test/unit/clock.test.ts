/** FINOPS_TODAY: a pinned date or a signed offset moves every process's clock together; bad values are named. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clockFromEnv, todayBy } from '../../src/clock';
import { ConfigError } from '../../src/config';

const real = () => new Date('2026-12-31T22:15:00Z');

test('unset or empty: the real clock', () => {
  assert.equal(clockFromEnv({}, real)().toISOString(), '2026-12-31T22:15:00.000Z');
  assert.equal(clockFromEnv({ FINOPS_TODAY: '  ' }, real)().toISOString(), '2026-12-31T22:15:00.000Z');
});

test('a date pins the day and keeps the time of day', () => {
  assert.equal(clockFromEnv({ FINOPS_TODAY: '2028-02-29' }, real)().toISOString(), '2028-02-29T22:15:00.000Z');
  assert.equal(todayBy(clockFromEnv({ FINOPS_TODAY: '2025-01-01' }, real)), '2025-01-01');
});

test('an offset moves the real clock by whole days, across the year end', () => {
  assert.equal(todayBy(clockFromEnv({ FINOPS_TODAY: '+40' }, real)), '2027-02-09');
  assert.equal(todayBy(clockFromEnv({ FINOPS_TODAY: '-40' }, real)), '2026-11-21');
  assert.equal(todayBy(clockFromEnv({ FINOPS_TODAY: '+1' }, real)), '2027-01-01');
  assert.equal(todayBy(clockFromEnv({ FINOPS_TODAY: '-0' }, real)), '2026-12-31');
});

test('anything else stops start-up with a message that names the variable and the forms it takes', () => {
  for (const bad of ['tomorrow', '2026-02-30', '40', '+4.5', '2026/12/01', '+999999']) {
    assert.throws(
      () => clockFromEnv({ FINOPS_TODAY: bad }, real),
      (err: unknown) =>
        err instanceof ConfigError && /FINOPS_TODAY must be a date YYYY-MM-DD or a signed number of days/.test(err.message),
      bad,
    );
  }
});

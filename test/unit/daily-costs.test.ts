import assert from 'node:assert/strict';
import { test } from 'node:test';
import Big from 'big.js';
import fc from 'fast-check';
import { pairTagQueries } from '../../src/activities/agents/tagging';
import {
  canonicalDimensions,
  coveringSpan,
  derives,
  isSettled,
  projectGroups,
  SETTLED_AFTER_DAYS,
  type CostDimension,
} from '../../src/domain/daily-costs';
import { addDays } from '../../src/domain/period';

const amount = fc.integer({ min: 0, max: 10_000_000 }).map((c) => new Big(c).div(10_000).toString());
const value = fc.constantFrom('a', 'b', 'c', 'us-east-1', 'BoxUsage:t3.micro');
const fineGroups = fc.dictionary(fc.tuple(value, value).map(([s, u]) => `${s}|${u}`), amount);
const sum = (groups: Record<string, string>) => Object.values(groups).reduce((s, a) => s.plus(a), new Big(0)).toString();

test('cutting a grouping down keeps the day total exactly, whatever the target', () => {
  fc.assert(
    fc.property(fineGroups, fc.subarray(['SERVICE', 'USAGE_TYPE', 'LINKED_ACCOUNT'] as CostDimension[]), (groups, target) => {
      const projected = projectGroups(groups, ['SERVICE', 'USAGE_TYPE'], target, ['123456789012']);
      assert.equal(sum(projected), sum(groups));
    }),
  );
});

test('by service from by service and usage type: each service is the sum of its usage types', () => {
  fc.assert(
    fc.property(fineGroups, (groups) => {
      const byService = projectGroups(groups, ['SERVICE', 'USAGE_TYPE'], ['SERVICE'], ['1']);
      for (const [service, total] of Object.entries(byService)) {
        const expected = Object.entries(groups)
          .filter(([k]) => k.split('|')[0] === service)
          .reduce((s, [, a]) => s.plus(a), new Big(0));
        assert.equal(total, expected.toString());
      }
    }),
  );
});

test('dimension order does not matter; keys follow the canonical order', () => {
  assert.deepEqual(canonicalDimensions(['REGION', 'LINKED_ACCOUNT']), ['LINKED_ACCOUNT', 'REGION']);
  assert.deepEqual(projectGroups({ 'x|us-east-1': '1' }, ['REGION', 'LINKED_ACCOUNT'], ['LINKED_ACCOUNT', 'REGION'], ['1', '2']), {
    'x|us-east-1': '1',
  });
});

test('a finer grouping derives a coarser one; LINKED_ACCOUNT is free only for a single account', () => {
  assert.ok(derives(['SERVICE', 'USAGE_TYPE'], ['SERVICE'], ['1', '2']));
  assert.ok(derives(['SERVICE', 'USAGE_TYPE'], ['SERVICE', 'LINKED_ACCOUNT'], ['1']));
  assert.ok(!derives(['SERVICE', 'USAGE_TYPE'], ['SERVICE', 'LINKED_ACCOUNT'], ['1', '2']), 'two accounts: the account is not known');
  assert.ok(!derives(['SERVICE', 'USAGE_TYPE'], ['REGION'], ['1']), 'a Region is not a usage type');
  assert.deepEqual(projectGroups({ 'EC2|Box': '2', 'EC2|EBS': '3' }, ['SERVICE', 'USAGE_TYPE'], ['SERVICE', 'LINKED_ACCOUNT'], ['999']), {
    'EC2|999': '5',
  });
});

test('a day is settled after SETTLED_AFTER_DAYS and only when no longer estimated', () => {
  const today = '2026-03-10';
  assert.ok(isSettled(addDays(today, -SETTLED_AFTER_DAYS), today, false));
  assert.ok(!isSettled(addDays(today, -SETTLED_AFTER_DAYS + 1), today, false), 'one day short');
  assert.ok(!isSettled(addDays(today, -30), today, true), 'still estimated');
  assert.ok(!isSettled(today, today, false));
});

test('the covering span of missing days', () => {
  assert.equal(coveringSpan([]), undefined);
  assert.deepEqual(coveringSpan(['2026-01-05', '2026-01-02']), { start: '2026-01-02', end: '2026-01-06' });
});

test('tag keys are queried two per query, each once, a key beside its first variant', () => {
  fc.assert(
    fc.property(
      // Keys are letters only, so a variant ("key_v") never collides with another key.
      fc.uniqueArray(fc.stringMatching(/^[A-Za-z]{1,6}$/), { maxLength: 9 }),
      fc.array(fc.boolean(), { minLength: 9, maxLength: 9 }),
      (keys, hasVariant) => {
        const rules = keys.map((key, i) => ({ key, ...(hasVariant[i] ? { variant: `${key}_v` } : {}) }));
        const queries = pairTagQueries(rules);
        assert.ok(queries.every((q) => q.length >= 1 && q.length <= 2));
        const asked = queries.flat();
        for (const r of rules) assert.equal(asked.filter((k) => k === r.key).length, 1);
        for (const r of rules) if (r.variant) assert.ok(queries.some((q) => q[0] === r.key && q[1] === r.variant));
        const singles = rules.filter((r) => !r.variant).length;
        assert.equal(queries.length, rules.length - singles + Math.ceil(singles / 2));
      },
    ),
  );
});

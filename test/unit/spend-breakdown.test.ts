import assert from 'node:assert/strict';
import { test } from 'node:test';
import Big from 'big.js';
import fc from 'fast-check';
import { type DailyCosts } from '../../src/domain/daily-costs';
import { daysOf, previousPeriod } from '../../src/domain/period';
import { groupingLines, monthToDateOf, OTHER, spendBreakdown } from '../../src/domain/spend-breakdown';

const period = { start: '2026-03-01', end: '2026-03-11' };
const before = previousPeriod(period);
const allDays = daysOf({ start: before.start, end: period.end });
const amount = fc.integer({ min: 0, max: 5_000_000 }).map((c) => new Big(c).div(100).toString());

/** Random daily lines (day, service, usage type, account, Region, amount), as both reads would see them. */
const lines = fc.array(
  fc.record({
    day: fc.constantFrom(...allDays),
    service: fc.constantFrom('EC2', 'S3', 'RDS', 'Support', 'CloudWatch', 'Lambda', 'SQS'),
    usageType: fc.integer({ min: 0, max: 40 }).map((i) => `UT${i}`),
    account: fc.constantFrom('111111111111', '222222222222'),
    region: fc.constantFrom('us-east-1', 'eu-west-1', 'global'),
    amount,
  }),
  { maxLength: 200 },
);

function reads(rows: { day: string; service: string; usageType: string; account: string; region: string; amount: string }[]) {
  const serviceUsage: DailyCosts = { dimensions: ['SERVICE', 'USAGE_TYPE'], unit: 'USD', byDay: {}, estimatedDays: [] };
  const accountRegion: DailyCosts = { dimensions: ['LINKED_ACCOUNT', 'REGION'], unit: 'USD', byDay: {}, estimatedDays: [] };
  for (const d of allDays) {
    serviceUsage.byDay[d] = {};
    accountRegion.byDay[d] = {};
  }
  const add = (costs: DailyCosts, day: string, key: string, a: string) => {
    const row = costs.byDay[day] as Record<string, string>;
    row[key] = new Big(row[key] ?? '0').plus(a).toString();
  };
  for (const r of rows) {
    add(serviceUsage, r.day, `${r.service}|${r.usageType}`, r.amount);
    add(accountRegion, r.day, `${r.account}|${r.region}`, r.amount);
  }
  return { serviceUsage, accountRegion };
}

const sumOver = (rows: { day: string; amount: string }[], p: { start: string; end: string }) =>
  rows.filter((r) => r.day >= p.start && r.day < p.end).reduce((s, r) => s.plus(r.amount), new Big(0));

test("every grouping's lines add up to the period's and the previous period's total spend", () => {
  fc.assert(
    fc.property(lines, (rows) => {
      const b = spendBreakdown({ ...reads(rows), accounts: ['111111111111', '222222222222'], period, previousPeriod: before, asOf: period.end });
      assert.deepEqual(b.groupings?.map((g) => g.dimension), ['account', 'region', 'usage-type']);
      for (const g of b.groupings ?? []) {
        assert.ok(g.lines.length <= 25, 'long tails are folded into Other');
        assert.equal(g.lines.reduce((s, l) => s.plus(l.amount), new Big(0)).toString(), sumOver(rows, period).toString(), g.dimension);
        assert.equal(g.lines.reduce((s, l) => s.plus(l.previousAmount ?? '0'), new Big(0)).toString(), sumOver(rows, before).toString());
      }
      for (const day of b.dailyByService?.days ?? [])
        assert.equal(day.amounts.reduce((s, a) => s.plus(a), new Big(0)).toString(), sumOver(rows, { start: day.date, end: `${day.date}~` }).toString());
    }),
  );
});

test('grouping lines: highest first, the tail folded into "Other" that keeps the sum', () => {
  const current = new Map(Array.from({ length: 30 }, (_, i) => [`k${i}`, String(i + 1)]));
  const out = groupingLines(current, new Map([['gone', '5']]), 25);
  assert.equal(out.length, 25);
  assert.equal(out[0]?.key, 'k29');
  assert.equal(out.at(-1)?.key, OTHER);
  assert.equal(out.reduce((s, l) => s.plus(l.amount), new Big(0)).toString(), String((30 * 31) / 2));
  assert.equal(out.reduce((s, l) => s.plus(l.previousAmount ?? '0'), new Big(0)).toString(), '5', 'a key with no spend now still counts before');
});

test('month to date: the same days of last month, capped at its length, and nothing on the 1st', () => {
  const costs: DailyCosts = { dimensions: ['SERVICE'], unit: 'USD', byDay: {}, estimatedDays: [] };
  for (const d of daysOf({ start: '2026-02-01', end: '2026-03-31' })) costs.byDay[d] = { x: '1' };
  const mtd = monthToDateOf(costs, '2026-03-31');
  assert.deepEqual(
    { month: mtd?.month, through: mtd?.through, days: mtd?.days, amount: mtd?.amount, previousMonth: mtd?.previousMonth, previousAmount: mtd?.previousAmount },
    { month: '2026-03', through: '2026-03-30', days: 30, amount: '30', previousMonth: '2026-02', previousAmount: '28' },
  );
  assert.equal(monthToDateOf(costs, '2026-03-01'), undefined);
  assert.equal(monthToDateOf(costs, '2026-02-10'), undefined, 'January is not in the reads: no month to date rather than a wrong one');
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addAmounts, formatUsd, percentChange } from '../../src/domain/money';
import { daysOf, previousPeriod } from '../../src/domain/period';
import { assembleReport, type AgentOutcome } from '../../src/domain/report';
import { emptyDailyServiceCosts, foldCostPage, spendSliceOf, type CostResultByTime } from '../../src/domain/spend';

const period = { start: '2026-10-01', end: '2026-10-04' };
const before = previousPeriod(period);

function day(date: string, groups: Record<string, string>, estimated = false): CostResultByTime {
  return {
    TimePeriod: { Start: date, End: date },
    Total: {},
    Groups: Object.entries(groups).map(([svc, amount]) => ({
      Keys: [svc],
      Metrics: { UnblendedCost: { Amount: amount, Unit: 'USD' } },
    })),
    Estimated: estimated,
  };
}

test('money adds exactly and formats only for display', () => {
  assert.equal(addAmounts('0.1', '0.2'), '0.3');
  assert.equal(addAmounts('1234.5678901234', '0.0000000001'), '1234.5678901235');
  assert.equal(formatUsd('1234.567'), '$1,234.57');
  assert.equal(formatUsd('-5'), '-$5.00');
  assert.equal(percentChange('110', '100'), 10);
  assert.equal(percentChange('5', '0'), null);
});

test('the previous period has the same length and ends where the period starts', () => {
  assert.deepEqual(before, { start: '2026-09-28', end: '2026-10-01' });
  assert.deepEqual(daysOf(period), ['2026-10-01', '2026-10-02', '2026-10-03']);
});

test('pages fold into daily costs: a day split over two pages is added, not overwritten', () => {
  let costs = foldCostPage(emptyDailyServiceCosts(), [day('2026-09-28', { S3: '1.5' }), day('2026-10-01', { S3: '2.25' })]);
  costs = foldCostPage(costs, [
    day('2026-10-01', { EC2: '10' }),
    day('2026-10-03', { EC2: '4' }, true),
    day('2026-10-04', { EC2: '99' }),
  ]);
  const slice = spendSliceOf(costs, null, period, before, daysOf(period));
  assert.equal(slice.total, '16.25');
  assert.equal(slice.previousTotal, '1.5');
  assert.deepEqual(slice.byService, { S3: '2.25', EC2: '14' });
  assert.deepEqual(slice.daily, [
    { date: '2026-10-01', amount: '12.25' },
    { date: '2026-10-02', amount: '0' },
    { date: '2026-10-03', amount: '4' },
  ]);
  assert.equal(slice.estimated, true);
});

test("an agent's slice keeps only its services, days and totals", () => {
  const costs = foldCostPage(emptyDailyServiceCosts(), [
    day('2026-09-29', { S3: '1', EC2: '7' }),
    day('2026-10-02', { S3: '2.5', EC2: '3' }),
  ]);
  const slice = spendSliceOf(costs, ['S3'], period, before, daysOf(period));
  assert.deepEqual(slice.byService, { S3: '2.5' });
  assert.deepEqual(slice.previousByService, { S3: '1' });
  assert.equal(slice.total, '2.5');
  assert.equal(slice.daily[1]?.amount, '2.5');
  assert.equal(slice.estimated, false);
});

function succeeded(
  agent: 'ec2' | 's3' | 'forecasting',
  services: string[] | null,
  groups: Record<string, string>,
  prev: Record<string, string>,
): AgentOutcome {
  const costs = foldCostPage(emptyDailyServiceCosts(), [day('2026-10-01', groups), day('2026-09-28', prev)]);
  const spend = spendSliceOf(costs, services, period, before, daysOf(period));
  return { agent, workflowId: `a/${agent}`, status: 'succeeded', result: { agent, spend, costExplorerRequests: 1 } };
}

const ctx = {
  analysisId: 'a',
  tenant: 't',
  accounts: ['123456789012'],
  regions: ['us-east-1'],
  period,
  previousPeriod: before,
  generatedAt: '2026-11-21T00:00:00Z',
};

test('a whole-bill slice gives total, ranked services and the trend', () => {
  const report = assembleReport(ctx, [
    succeeded('ec2', ['EC2'], { EC2: '10' }, { EC2: '5' }),
    succeeded('forecasting', null, { EC2: '10', S3: '30' }, { EC2: '5', S3: '15' }),
  ]);
  assert.equal(report.status, 'complete');
  assert.equal(report.spend.coverage, 'whole-bill');
  assert.equal(report.spend.total, '40');
  assert.equal(report.spend.previousTotal, '20');
  assert.equal(report.spend.changePct, 100);
  assert.deepEqual(
    report.spend.byService.map((l) => l.service),
    ['S3', 'EC2'],
  );
  assert.equal(report.usage.costExplorerRequests, 2);
  assert.equal(report.usage.costExplorerCost, '0.02');
});

test('a failing agent makes the report partial, names why, and keeps the rest', () => {
  const report = assembleReport(ctx, [
    succeeded('ec2', ['EC2'], { EC2: '10' }, { EC2: '8' }),
    succeeded('s3', ['S3'], { S3: '3' }, { S3: '4' }),
    { agent: 'forecasting', workflowId: 'a/forecasting', status: 'failed', reason: 'ce:GetCostAndUsage: access denied' },
  ]);
  assert.equal(report.status, 'partial');
  assert.deepEqual(report.failures, [{ agent: 'forecasting', reason: 'ce:GetCostAndUsage: access denied' }]);
  assert.equal(report.spend.coverage, 'agent-services');
  assert.equal(report.spend.total, '13');
  assert.equal(report.spend.previousTotal, '12');
  assert.equal(report.agents.find((a) => a.agent === 's3')?.spend, '3');
  assert.deepEqual(report.skipped, []);
});

test('an agent skipped for want of a permission is listed with what it needs', () => {
  const report = assembleReport(ctx, [
    succeeded('ec2', ['EC2'], { EC2: '10' }, { EC2: '8' }),
    {
      agent: 'forecasting',
      workflowId: 'a/forecasting',
      status: 'skipped',
      reason: 'access denied',
      needs: 'IAM permission ce:GetCostAndUsage',
    },
  ]);
  assert.equal(report.status, 'partial');
  assert.deepEqual(report.failures, []);
  assert.deepEqual(report.skipped, [{ agent: 'forecasting', needs: 'IAM permission ce:GetCostAndUsage' }]);
  assert.equal(report.agents[1]?.reason, 'skipped: needs IAM permission ce:GetCostAndUsage');
});

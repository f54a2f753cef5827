/**
 * The Cost Explorer request plan, through the user's path: a standard analysis of the sample account (every
 * agent, the default period) on a real Temporal dev server and the simulator, counted by the simulator.
 * A second analysis of the same tenant finds the settled days in the store (cache warm) and must report the
 * same figures with fewer requests.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import Big from 'big.js';
import { startAnalysis } from '../../src/client/analyses';
import { addMonths, monthStart } from '../../src/domain/calendar';
import { addDays } from '../../src/domain/period';
import type { AnalysisReport } from '../../src/domain/report';
import { validateAnalysisRequest } from '../../src/domain/request';
import { createGateway, type Gateway } from '../../src/gateway/app';
import { analysisPath } from '../../src/gateway/links';
import { SAMPLE_ACCOUNT, startStack, TEST_TODAY, testNow, type TestStack } from '../helpers/stack';

/** The goal: at most 15 billable Cost Explorer requests ($0.15) for a standard analysis. */
const MAX_CE_REQUESTS = 15;

let stack: TestStack;
let gateway: Gateway;
let url: string;
before(async () => {
  stack = await startStack({ storeDir: mkdtempSync(join(tmpdir(), 'ce-requests-')) });
  gateway = createGateway({ client: stack.env.client, taskQueue: stack.taskQueue, now: testNow });
  ({ url } = await gateway.listen(0));
});
after(async () => {
  await gateway?.close();
  await stack?.close();
});

function ceStats(): Record<string, number> {
  return Object.fromEntries(Object.entries(stack.sim.stats()).filter(([op]) => op.startsWith('ce:')));
}

const total = (counts: Record<string, number>) => Object.values(counts).reduce((n, c) => n + c, 0);

async function standardAnalysis(): Promise<{ report: AnalysisReport; ce: Record<string, number>; analysisId: string }> {
  const validated = validateAnalysisRequest({ tenant: 'ce-plan', accounts: [SAMPLE_ACCOUNT], regions: stack.sim.scenario.regions }, testNow());
  assert.ok(validated.ok);
  stack.sim.resetStats();
  const { analysisId } = await startAnalysis(stack.env.client, stack.taskQueue, validated.request);
  const report = (await stack.env.client.workflow.getHandle(analysisId).result()) as AnalysisReport;
  return { report, ce: ceStats(), analysisId };
}

/** The figures a reader sees, without what legitimately differs between two runs (IDs, times, request counts). */
function figures(report: AnalysisReport) {
  const { requests: _requests, ...bySpend } = report.tagging?.bySpend ?? { requests: 0 };
  return {
    status: report.status,
    spend: report.spend,
    findings: report.findings && { count: report.findings.count, savings: report.findings.monthlySavings, items: report.findings.items },
    forecast: report.forecast,
    tagging: { ...report.tagging, bySpend },
    commitments: report.commitments,
    notes: report.notes,
  };
}

test('a standard analysis makes at most 15 Cost Explorer requests, states each with its purpose, and a warm cache reports the same', async (t) => {
  await stack.withWorker(async () => {
    const cold = await standardAnalysis();
    assert.equal(cold.report.status, 'complete', JSON.stringify(cold.report.failures));
    const coldCount = total(cold.ce);
    assert.ok(coldCount <= MAX_CE_REQUESTS, `cold: ${coldCount} Cost Explorer requests: ${JSON.stringify(cold.ce)}`);

    // The sample account holds no Reserved Instances or Savings Plans: the free inventories say so, and the
    // billed coverage and utilisation reports (which the simulator serves, so they would be counted) are not asked.
    for (const op of ['GetSavingsPlansCoverage', 'GetSavingsPlansUtilization', 'GetReservationCoverage', 'GetReservationUtilization'])
      assert.equal(cold.ce[`ce:${op}`], undefined, op);
    const commitments = cold.report.commitments;
    assert.deepEqual(commitments?.coverage, { savingsPlans: 0, ec2Reservations: 0, rdsReservations: 0 });
    assert.deepEqual(commitments?.utilisation, {});
    assert.deepEqual(commitments?.held, { savingsPlans: 0, ec2Reservations: 0, rdsReservations: 0 });
    for (const kind of ['Savings Plans', 'EC2 Reserved Instances', 'RDS Reserved Instances'])
      assert.ok(commitments?.notes.some((n) => n.startsWith(`${kind}: none active`) && n.includes('not requested')), kind);
    assert.ok(cold.report.usage.purposes?.['savingsplans:DescribeSavingsPlans'], 'the inventory read is stated');

    // The report states every request the simulator received, operation by operation, each with its purpose.
    const usage = cold.report.usage;
    assert.equal(usage.costExplorerRequests, coldCount);
    assert.equal(usage.costExplorerCost, (coldCount / 100).toFixed(2));
    for (const [op, n] of Object.entries(cold.ce)) {
      assert.equal(usage.requests?.[op], n, op);
      const stated = Object.values(usage.purposes?.[op] ?? {}).reduce((s, c) => s + c, 0);
      assert.equal(stated, n, `${op}: ${n} requests, purposes state ${stated}: ${JSON.stringify(usage.purposes?.[op])}`);
    }

    // Another analysis of the tenant: settled days come from the store, only the recent ones are read again.
    const warm = await standardAnalysis();
    const warmCount = total(warm.ce);
    assert.ok(
      (warm.ce['ce:GetCostAndUsage'] ?? 0) < (cold.ce['ce:GetCostAndUsage'] ?? 0),
      `warm ${JSON.stringify(warm.ce)} vs cold ${JSON.stringify(cold.ce)}`,
    );
    assert.equal(warm.report.usage.costExplorerRequests, warmCount);
    t.diagnostic(`Cost Explorer requests: cold ${coldCount} ${JSON.stringify(cold.ce)}; warm ${warmCount} ${JSON.stringify(warm.ce)}`);
    assert.deepEqual(figures(warm.report), figures(cold.report));
  });
});

/** Cents of a decimal string, for totals that add the same lines in another order. */
const cents = (amount: string) => new Big(amount).round(2, Big.roundHalfEven).toFixed(2);

test('spend grouped by account, Region and usage type, daily by service and month to date, within the same requests', async () => {
  await stack.withWorker(async () => {
    const { report, ce, analysisId } = await standardAnalysis();
    assert.ok(total(ce) <= MAX_CE_REQUESTS, JSON.stringify(ce));
    const { spend } = report;
    const dimensions = (spend.groupings ?? []).map((g) => (g.dimension === 'tag' ? `tag:${g.tagKey}` : g.dimension));
    const policyKeys = report.tagging?.policy.keys.map((k) => `tag:${k.key}`) ?? [];
    assert.ok(policyKeys.length > 0);
    assert.deepEqual(dimensions, ['account', 'region', 'usage-type', ...policyKeys]);
    for (const g of spend.groupings ?? []) {
      // Every grouping is the whole bill, cut another way: its lines add up to the total, now and before.
      const sum = (pick: (l: (typeof g.lines)[number]) => string) => g.lines.reduce((s, l) => s.plus(pick(l)), new Big(0)).toString();
      assert.equal(cents(sum((l) => l.amount)), cents(spend.total), `${g.dimension}: period`);
      if (!g.periodOnly) assert.equal(cents(sum((l) => l.previousAmount ?? '0')), cents(spend.previousTotal), `${g.dimension}: previous period`);
      assert.ok(g.lines.length > 0);
    }
    assert.deepEqual(spend.groupings?.[0]?.lines.map((l) => l.key), [SAMPLE_ACCOUNT]);
    assert.deepEqual(
      new Set(spend.groupings?.[1]?.lines.map((l) => l.key)),
      new Set(stack.sim.scenario.costs.map((c) => c.region).filter((r) => r !== undefined)),
      'the Regions with cost',
    );

    // Daily by service: each day's stacked amounts add up to that day's spend.
    const stacked = spend.dailyByService;
    assert.ok(stacked && stacked.keys.length > 1);
    assert.deepEqual(stacked.days.map((d) => d.date), spend.daily.map((d) => d.date));
    for (const [i, day] of stacked.days.entries())
      assert.equal(cents(day.amounts.reduce((s, a) => s.plus(a), new Big(0)).toString()), cents(spend.daily[i]!.amount), day.date);

    // Month to date (the default period ends today, so the reads reach it) against the same days of last month.
    const mtd = spend.monthToDate;
    if (TEST_TODAY.slice(8) === '01') assert.equal(mtd, undefined, 'on the 1st nothing of the month is billed yet');
    else {
      assert.ok(mtd);
      assert.equal(mtd.month, TEST_TODAY.slice(0, 7));
      assert.equal(mtd.through, addDays(TEST_TODAY, -1));
      assert.equal(mtd.previousMonth, addMonths(TEST_TODAY, -1).slice(0, 7));
      const fromDaily = spend.daily.filter((d) => d.date >= monthStart(TEST_TODAY)).reduce((s, d) => s.plus(d.amount), new Big(0));
      assert.equal(cents(mtd.amount), cents(fromDaily.toString()), 'month to date from the period\'s own days');
    }

    // Where the user reads it: the report through the REST API, as Markdown from the view model.
    const response = await fetch(`${url}${analysisPath(analysisId)}/report?format=md`);
    assert.equal(response.status, 200);
    const markdown = await response.text();
    for (const title of ['Spend by account', 'Spend by Region', 'Spend by usage type', 'Spend by tag Environment', 'Spend by calendar month'])
      assert.ok(markdown.includes(title), `${title} in the Markdown report`);
    if (mtd) assert.ok(markdown.includes('Month to date against the same days of last month'));
    // Nothing held: utilisation says so rather than "not available".
    for (const kind of ['Savings Plans', 'EC2 Reserved Instances', 'RDS Reserved Instances'])
      assert.match(markdown, new RegExp(`\\*\\*${kind} utilisation:\\*\\* no commitments`));
  });
});

/**
 * The MCP server's pure parts: progress notifications that always move forward, findings search that is
 * exactly a filter and a page of the report's ranked list, and spend groupings that add up.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { AGENT_KINDS } from '../../src/domain/agents';
import { addAmounts, ZERO } from '../../src/domain/money';
import { initialProgress, type AnalysisProgress, type AnalysisState } from '../../src/domain/progress';
import type { AnalysisReport } from '../../src/domain/report';
import { readFindings } from '../../src/domain/report-export';
import { ProgressTicker } from '../../src/mcp/progress';
import { reportSummaryOutput } from '../../src/mcp/schemas';
import { summaryText } from '../../src/mcp/text';
import { bucketOf, matchesFilter, reportSummaryOf, searchFindings, spendOf } from '../../src/mcp/views';
import { richReport } from '../gateway/fixtures/rich-report';
import { fullReport } from '../presentation/fixtures';

const base = initialProgress('analysis/acme/x', 'acme', AGENT_KINDS.map((agent) => ({ agent, workflowId: agent })), '2026-01-01T00:00:00Z');

function snapshot(done: number, state: AnalysisState): AnalysisProgress {
  return { ...base, state, counts: { ...base.counts, succeeded: done } };
}

test('progress notifications strictly increase, stay within total, and reach it only at the end', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 6 }), fc.boolean()), { maxLength: 3000 }), (steps) => {
      const ticker = new ProgressTicker();
      let last = -Infinity;
      const seq = [...steps.map(([done]) => snapshot(done, 'running')), snapshot(6, steps.at(-1)?.[1] ? 'partial' : 'completed')];
      const sent = seq.map((p) => ticker.next(p));
      for (const [i, notice] of sent.entries()) {
        if (!notice) continue;
        assert.ok(notice.progress > last, 'strictly increasing');
        assert.equal(notice.total, 6);
        assert.ok(notice.progress <= 6);
        if (i < seq.length - 1) assert.ok(notice.progress < 6, 'below total while running');
        last = notice.progress;
      }
      assert.equal(sent.at(-1)?.progress ?? last, 6, 'the end reaches total');
    }),
  );
});

test('progress counts finished agents: whole numbers as agents finish, small steps in between', () => {
  const ticker = new ProgressTicker();
  assert.equal(ticker.next(snapshot(0, 'running'))?.progress, 0);
  assert.equal(ticker.next(snapshot(0, 'running'))?.progress, 0.001);
  assert.equal(ticker.next(snapshot(2, 'running'))?.progress, 2);
  assert.equal(ticker.next(snapshot(1, 'running')), undefined, 'never backwards: an older snapshot is not sent');
  assert.equal(ticker.next(snapshot(2, 'running'))?.progress, 2.001);
  assert.equal(ticker.next(snapshot(6, 'running'))?.progress, 5.999, 'all agents done but the report is not ready');
  assert.equal(ticker.next(snapshot(6, 'running')), undefined, 'nothing new to show');
  assert.equal(ticker.next(snapshot(6, 'completed'))?.progress, 6);
  assert.equal(ticker.next(snapshot(6, 'completed')), undefined);
});

const report: AnalysisReport = richReport({
  analysisId: 'analysis/acme/20260101-0000-abcdef',
  tenant: 'acme',
  accounts: ['123456789012', '210987654321'],
  period: { start: '2025-01-01', end: '2025-02-01' },
  previousPeriod: { start: '2024-12-01', end: '2025-01-01' },
  generatedAt: '2025-02-01T00:00:00Z',
  findings: 80,
  partial: false,
});

test('search_findings is a filter of the ranked list, paged without gaps or overlaps', () => {
  const all = readFindings(report);
  const filters = fc.record(
    {
      agent: fc.constantFrom('ec2', 'rds', 's3', 'trusted-advisor', 'tagging'),
      account: fc.constantFrom('123456789012', '210987654321', '999999999999'),
      region: fc.constantFrom('us-east-1', 'eu-west-1'),
      tag: fc.constantFrom('Environment=prod', 'Environment=staging', 'Owner', 'Environment=', 'Missing'),
      minMonthlySavings: fc.integer({ min: 0, max: 900 }),
    },
    { requiredKeys: [] },
  );
  fc.assert(
    fc.property(filters, fc.integer({ min: 1, max: 50 }), (filter, pageSize) => {
      const expected = all.filter((f) => matchesFilter(f, filter));
      const seen: string[] = [];
      for (let page = 1; ; page++) {
        const out = searchFindings(report, filter, page, pageSize);
        assert.equal(out.matches, expected.length);
        assert.ok(out.findings.length <= pageSize);
        seen.push(...out.findings.map((f) => f.id));
        if (!out.nextPage) break;
        assert.equal(out.nextPage, page + 1);
      }
      assert.deepEqual(seen, expected.map((f) => f.id));
      for (const f of expected) {
        if (filter.minMonthlySavings !== undefined) assert.ok(Number(f.monthlySavings) >= filter.minMonthlySavings);
      }
    }),
  );
});

test('spend by day, week and month adds up to the same total; weeks start on Monday', () => {
  const daily = spendOf(report, 'day', 'current');
  const weekly = spendOf(report, 'week', 'current');
  const monthly = spendOf(report, 'month', 'current');
  const sum = addAmounts(ZERO, ...report.spend.daily.map((d) => d.amount));
  assert.equal(daily.total, sum);
  assert.equal(weekly.total, sum);
  assert.equal(monthly.total, sum);
  assert.deepEqual(monthly.groups.map((g) => g.key), ['2025-01']);
  assert.equal(bucketOf('2025-01-01', 'week'), '2024-12-30', 'a Wednesday belongs to the week of Monday 30 December');
  assert.equal(bucketOf('2025-01-06', 'week'), '2025-01-06');
  assert.equal(bucketOf('2025-01-05', 'week'), '2024-12-30', 'Sunday closes the week');
  const narrowed = spendOf(report, 'day', 'current', { start: '2025-01-10', end: '2025-01-12' });
  assert.deepEqual(narrowed.groups.map((g) => g.key), ['2025-01-10', '2025-01-11']);
  const previous = spendOf(report, 'service', 'previous');
  assert.equal(previous.total, report.spend.previousTotal);
  assert.deepEqual(previous.period, report.previousPeriod);
});

test('the report summary states coverage and utilisation per kind of commitment, as the report view shows them', () => {
  const report = fullReport();
  const summary = reportSummaryOf(report);
  assert.deepEqual(
    summary.commitments?.figures.map((f) => [f.label, f.percent, f.text]),
    [
      ['Savings Plans coverage', 42.5, '42.5%'],
      ['EC2 Reserved Instances coverage', 10, '10%'],
      ['RDS Reserved Instances coverage', 61.5, '61.5%'],
      ['Savings Plans utilisation', 97.1, '97.1%'],
      ['EC2 Reserved Instances utilisation', null, 'not available'],
      ['RDS Reserved Instances utilisation', 88.4, '88.4%'],
    ],
  );
  assert.match(summaryText(summary), /Commitments: Savings Plans coverage 42\.5%; EC2 Reserved Instances coverage 10%; RDS Reserved Instances coverage 61\.5%;/);
  assert.doesNotThrow(() => reportSummaryOutput.parse(summary), 'the declared output schema holds');
});

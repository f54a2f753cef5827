import assert from 'node:assert/strict';
import { test } from 'node:test';
import { summaryText, usageLines } from '../../src/domain/report-export';
import { attachSummary } from '../../src/llm/attach';
import { deterministicSummary } from '../../src/llm/deterministic-summary';
import { reportFacts } from '../../src/llm/facts';
import { checkGrounding, extractFigures } from '../../src/llm/grounding';
import { sampleReport } from './sample-report';

test('figures are read with their units: dollars, thousands, millions, percentages, signs', () => {
  const figures = extractFigures('Spend was $1,234.57 ($1.2k), up 12% or 12.5 percent; USD 3.4 million; -$50; 2026-10-01; top 3; 340 findings');
  assert.deepEqual(
    figures.map((f) => [f.text, f.value, f.kind]),
    [
      ['$1,234.57', 1234.57, 'money'],
      ['$1.2k', 1200, 'money'],
      ['12%', 12, 'percent'],
      ['12.5 percent', 12.5, 'percent'],
      ['USD 3.4 million', 3_400_000, 'money'],
      ['-$50', -50, 'money'],
      ['340', 340, 'number'],
    ],
  );
});

test('grounding accepts the report figures however they are rounded', () => {
  const report = sampleReport({ forecast: true });
  const ok = checkGrounding(
    'EC2 cost $1,234.57 (about $1.2k, or $1,235), 22.2% up on $1,010.20. S3 rose 105.4% to $842. Forecast $2.9k.',
    report,
  );
  assert.deepEqual(ok.unsupported, [], JSON.stringify(ok.unsupported));
  assert.equal(ok.ok, true);
  // A share of the total a reader would compute is allowed: EC2's share of the bill.
  const share = ((1234.57 / Number(report.spend.total)) * 100).toFixed(1);
  assert.equal(checkGrounding(`EC2 is ${share}% of the bill`, report).ok, true);
});

test('grounding rejects invented figures and says which', () => {
  const report = sampleReport();
  const result = checkGrounding('Spend was $1,234.57 but you could save $98,765 a month, a 47% cut.', report);
  assert.equal(result.ok, false);
  assert.deepEqual(result.unsupported.map((f) => f.text), ['$98,765', '47%']);
  // Rounding tolerance is the precision shown: $1.3k is not $1,234.57.
  assert.equal(checkGrounding('EC2 cost $1.3k', report).ok, false);
});

test('the deterministic summary covers spend, change, forecast and top actions, and is grounded', () => {
  const report = sampleReport({ resources: 40, forecast: true });
  const text = deterministicSummary(report);
  assert.match(text, /^Spend was \$/);
  assert.match(text, /Where the money goes: Amazon Elastic Compute Cloud - Compute \$1,234\.57/);
  assert.match(text, /What changed: Amazon Simple Storage Service up \$432\.05 \(105\.4%\)/);
  assert.match(text, /Forecast: \$2,901\.12 over the next 30 days/);
  assert.match(text, /Top actions:\n1\. Idle instance web-0: \$400\.00 a month/);
  const grounding = checkGrounding(text, report);
  assert.deepEqual(grounding.unsupported, []);
});

test('the deterministic summary says what is missing, and copes with a report without findings', () => {
  const report = sampleReport();
  delete report.findings;
  report.failures = [{ agent: 'rds', reason: 'timed out' }];
  report.skipped = [{ agent: 'trusted-advisor', needs: 'a Business support plan' }];
  const text = deterministicSummary(report);
  assert.match(text, /Incomplete: rds: failed \(timed out\); trusted-advisor: skipped, needs a Business support plan\./);
  assert.equal(checkGrounding(text, report).ok, true);
});

test('facts stay bounded whatever the account size', () => {
  const small = JSON.stringify(reportFacts(sampleReport({ resources: 12 }))).length;
  const large = JSON.stringify(reportFacts(sampleReport({ resources: 10_000 }))).length;
  assert.ok(large < small * 1.3, `facts grew from ${small} to ${large} characters`);
});

test('attachSummary puts the summary and the token usage where the exports read them', () => {
  const report = sampleReport();
  const text = deterministicSummary(report);
  const summarised = attachSummary(report, {
    summary: { text, source: 'deterministic' },
    usage: { model: 'm', calls: 1, inputTokens: 1200, outputTokens: 300, cost: '0.000675', unit: 'USD' },
  });
  assert.equal(summaryText(summarised), text);
  assert.ok(usageLines(summarised).some((l) => l.label === 'LLM tokens'), JSON.stringify(usageLines(summarised)));
  assert.equal(summarised.usage.costExplorerRequests, report.usage.costExplorerRequests);
});

test('dates and period lengths are not mistaken for invented figures', () => {
  const report = sampleReport();
  const result = checkGrounding('Over the 31 days to November 1st (from October 1, Q4) spend was $2.7k; on Oct 15th it peaked.', report);
  assert.deepEqual(result.unsupported, []);
  assert.equal(checkGrounding('Over the last 977 days spend was $2.7k.', report).ok, false);
});

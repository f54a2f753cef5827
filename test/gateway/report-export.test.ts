/**
 * Report exports as pure functions: the tolerant reading of findings (several plausible shapes), CSV
 * quoting and formula defusing, Markdown escaping of account data, summary and usage lines.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { AnalysisReport } from '../../src/domain/report';
import {
  csvField,
  defaultCsvTable,
  escapeMarkdown,
  hasFindings,
  readFindings,
  reportToCsv,
  reportToMarkdown,
  summaryText,
  totalSavings,
  usageLines,
} from '../../src/domain/report-export';
import { HOSTILE_NAME, richReport } from './fixtures/rich-report';

const period = { start: '2026-10-01', end: '2026-11-01' };
const previousPeriod = { start: '2026-08-31', end: '2026-10-01' };

/** A report as the agents produce it today: no findings section at all. */
function base(): AnalysisReport {
  const rich = richReport({ analysisId: 'analysis/acme/20261121-0930-abc123', tenant: 'acme', accounts: ['123456789012'], period, previousPeriod, generatedAt: '2026-11-21T09:31:00Z', findings: 0, partial: false });
  const { findings: _findings, ...today } = rich as AnalysisReport & { findings?: unknown };
  return today;
}

describe('findings', () => {
  test('read from several shapes, ranked by exact savings', () => {
    const report = {
      ...base(),
      findings: [
        { id: 'a', agent: 'ec2', check: 'idle', resourceId: 'i-1', account: '111111111111', region: 'us-east-1', action: 'stop', monthlySavings: '10.10', confidence: 'high', tags: [{ Key: 'Owner', Value: 'x' }] },
        { id: 'b', agent: 'rds', resource: { id: 'db-1', name: 'orders', type: 'AWS::RDS::DBInstance', account: '2', region: 'eu-west-1', tags: { Env: 'prod' } }, action: { type: 'rightsize', command: 'aws rds modify-db-instance' }, savings: { monthly: '100.005', unit: 'USD' }, evidence: { p95Cpu: 3.2, days: 14 } },
        { id: 'c', agent: 's3', estimatedMonthlySavings: 55, title: 'Lifecycle', sources: ['s3', 'trusted-advisor'] },
        'not an object',
        { id: 'd' },
      ],
    } as unknown as AnalysisReport;
    assert.ok(hasFindings(report));
    const findings = readFindings(report);
    assert.deepEqual(findings.map((f) => [f.rank, f.id, f.monthlySavings]), [
      [1, 'b', '100.005'],
      [2, 'c', '55'],
      [3, 'a', '10.10'],
      [4, 'd', '0'],
    ]);
    const b = findings[0]!;
    assert.deepEqual([b.action, b.command, b.resourceName, b.resourceType, b.account, b.region], ['rightsize', 'aws rds modify-db-instance', 'orders', 'AWS::RDS::DBInstance', '2', 'eu-west-1']);
    assert.equal(b.evidence, 'P95 cpu: 3.2 · Days measured: 14 days', 'evidence labelled, with units; unknown keys humanised');
    assert.deepEqual(b.evidenceFields.map((f) => f.known), [false, true]);
    assert.deepEqual(b.tags, [['Env', 'prod']]);
    assert.deepEqual(findings[2]!.tags, [['Owner', 'x']]);
    assert.deepEqual(findings[1]!.sources, ['s3', 'trusted-advisor']);
    assert.equal(totalSavings(findings), '165.105');
    assert.equal(defaultCsvTable(report), 'findings');
    assert.equal(defaultCsvTable(base()), 'spend');
    assert.deepEqual(readFindings(base()), []);
  });
});

describe('CSV', () => {
  test('RFC 4180 quoting, and text cells cannot become formulas', () => {
    assert.equal(csvField('plain'), 'plain');
    assert.equal(csvField('a,b'), '"a,b"');
    assert.equal(csvField('say "hi"'), '"say ""hi"""');
    assert.equal(csvField('two\nlines'), '"two\nlines"');
    assert.equal(csvField('=1+2'), "'=1+2");
    assert.equal(csvField('+cmd'), "'+cmd");
    assert.equal(csvField('@SUM(A1)'), "'@SUM(A1)");
    assert.equal(csvField('-12.5', 'number'), '-12.5', 'numbers are left alone');
    assert.equal(csvField('-x'), "'-x");
  });

  test('the findings table has one row per finding, the spend table one per service', () => {
    const report = richReport({ analysisId: 'analysis/acme/20261121-0930-abc123', tenant: 'acme', accounts: ['123456789012'], period, previousPeriod, generatedAt: '2026-11-21T09:31:00Z', findings: 60, partial: true });
    const findings = reportToCsv(report).trimEnd().split('\r\n');
    assert.equal(findings.length, 61);
    assert.ok(findings.every((row) => !/(^|,)[=+@]/.test(row)));
    const spend = reportToCsv(report, 'spend').trimEnd().split('\r\n');
    assert.equal(spend.length, report.spend.byService.length + 1);
    assert.equal(spend[1]!.split(',')[1], report.spend.byService[0]!.amount);
    // `all`: every section's facts and tables, one row per cell, each tagged with its section.
    const all = reportToCsv(report, 'all').trimEnd().split('\r\n');
    assert.equal(all[0], 'section,table,row,column,value,text');
    assert.ok(all.some((row) => row.startsWith('spend,facts,')));
    assert.ok(all.some((row) => row.startsWith('findings,')));
  });
});

describe('Markdown', () => {
  test('account data cannot inject HTML, links or table cells', () => {
    assert.equal(escapeMarkdown('<b>x</b>'), '&lt;b&gt;x&lt;/b&gt;');
    assert.equal(escapeMarkdown('[a](javascript:x)'), '\\[a\\]\\(javascript:x\\)');
    assert.equal(escapeMarkdown('a | b\nc'), 'a \\| b c');
    const report = richReport({ analysisId: 'analysis/acme/20261121-0930-abc123', tenant: 'acme', accounts: ['123456789012'], period, previousPeriod, generatedAt: '2026-11-21T09:31:00Z', findings: 30, partial: true });
    const md = reportToMarkdown({ ...report, summary: { text: `Spend rose.\n\nTop action: ${HOSTILE_NAME}` } } as unknown as AnalysisReport, { maxFindings: 10 });
    assert.ok(!md.includes('<img'));
    assert.match(md, /## Executive summary\n\nSpend rose\./);
    assert.match(md, /…and 20 more \\\(CSV export\\\)/);
    const start = md.indexOf('**Findings, highest savings first**');
    const table = md.slice(start, md.indexOf('\n\n', md.indexOf('|', start))).split('\n').filter((l) => l.startsWith('|'));
    const pipes = (line: string) => line.split(/(?<!\\)\|/).length - 1;
    assert.equal(table.length, 12, 'header, rule and ten rows');
    for (const line of table) assert.equal(pipes(line), pipes(table[0]!), `every row has the header's cells: ${line}`);
  });
});

describe('summary and usage', () => {
  test('read whether present as text or objects', () => {
    assert.equal(summaryText(base()), undefined);
    assert.equal(summaryText({ ...base(), summary: 'plain' } as unknown as AnalysisReport), 'plain');
    assert.equal(summaryText({ ...base(), summary: { markdown: 'md', writer: 'llm' } } as unknown as AnalysisReport), 'md');
    assert.deepEqual(usageLines(base()), [
      { label: 'Cost Explorer requests', value: '7 ($0.07)' },
      { label: 'LLM tokens', value: '1200 in, 300 out ($0.01)' },
    ]);
  });
});

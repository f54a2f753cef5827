/**
 * The report view model: every section present in order, with data from a full report and with a reason
 * from an empty one; figures formatted once; evidence labelled with units; and every renderer (Markdown,
 * CSV, JSON, HTML, terminal text, Web UI details) showing each section from the same model.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { evidenceFields, formatEvidenceValue } from '../../src/domain/evidence';
import { buildReportView } from '../../src/presentation/build';
import { allTablesCsv, findingsCsv } from '../../src/presentation/csv';
import { money, webUiText } from '../../src/presentation/format';
import { viewToHtml } from '../../src/presentation/html';
import { viewToMarkdown } from '../../src/presentation/markdown';
import { factOf, SECTION_IDS, sectionOf } from '../../src/presentation/model';
import { viewToText } from '../../src/presentation/text';
import { progressDetails, reportDetails } from '../../src/presentation/web-ui';
import { emptyReport, fullReport } from './fixtures';

describe('view model', () => {
  test('a full report: every section in order, each with data', () => {
    const report = fullReport();
    const view = buildReportView(report);
    assert.deepEqual(view.sections.map((s) => s.id), [...SECTION_IDS]);
    for (const s of view.sections) assert.equal(s.empty, undefined, `${s.id} has data`);

    const head = sectionOf(view, 'headline');
    assert.equal(factOf(head, 'total')?.text, money(report.spend.total));
    assert.equal(factOf(head, 'savings')?.text, '$500.56');
    assert.equal(factOf(head, 'commitment-savings')?.text, '$430.50');

    const timeline = sectionOf(view, 'timeline');
    assert.equal(factOf(timeline, 'wall')?.text, '42 s');
    assert.equal(factOf(timeline, 'slowest')?.text, 'EC2 (instances, EBS, Elastic IPs, snapshots): 30 s');
    assert.equal(factOf(timeline, 'aws-share')?.text, '68%', 'AWS wait over running, summed over scopes: 21.2 s of 31 s');
    const ec2Row = timeline.tables.find((t) => t.id === 'timeline-scopes')!.rows[0]!;
    assert.deepEqual([ec2Row.queued!.text, ec2Row.running!.text, ec2Row.aws!.text, ec2Row.local!.text], ['1.2 s', '27 s', '21 s', '6 s']);

    const spend = sectionOf(view, 'spend');
    assert.deepEqual(
      spend.tables.map((t) => t.id),
      ['spend-by-service', 'spend-by-account', 'spend-by-region', 'spend-by-usage-type', 'spend-by-tag-environment', 'spend-monthly', 'spend-month-to-date'],
    );
    assert.equal(spend.tables.find((t) => t.id === 'spend-by-tag-environment')!.rows[1]!.key!.text, '(no Environment)');
    assert.equal(factOf(spend, 'month-to-date')?.text, '$61,000.10');
    assert.match(factOf(spend, 'month-to-date')?.note ?? '', /1–20 Nov 2026, against \$58,000\.00 over the same days of Oct 2026 \(\+5\.2%\)/);
    const monthly = spend.tables.find((t) => t.id === 'spend-monthly')!;
    assert.deepEqual(monthly.rows.map((r) => [r.month!.text, r.covered!.text]), [['Oct 2026', 'all 31']]);
    const chart = spend.charts[0]!;
    assert.ok(chart.kind === 'stacked' && chart.series.length === 4 && chart.categories.length === 31);

    const forecast = sectionOf(view, 'forecast');
    assert.equal(factOf(forecast, 'backtest-error')?.text, '3.4%');
    assert.match(factOf(forecast, 'backtest-error')?.note ?? '', /naive baseline 7\.9%: the model beats it/);
    assert.equal(factOf(forecast, 'backtest-naive')?.text, '7.9%');
    assert.equal(forecast.charts[0]?.kind, 'band');

    const anomalies = sectionOf(view, 'anomalies');
    assert.match(anomalies.tables[0]!.rows[0]!.drivers!.text, /us-east-1 \(region\) \$2,000\.00, 90%/);

    const tagging = sectionOf(view, 'tagging');
    assert.equal(factOf(tagging, 'compliance-count')?.text, '65%');
    assert.equal(factOf(tagging, 'compliance-spend')?.text, '76.5%');
    assert.deepEqual(JSON.parse(tagging.attachments[0]!.content), report.tagging!.organizationsPolicy);
    assert.equal(tagging.tables.find((t) => t.id === 'tagging-by-owner')!.rows[0]!.key!.text, 'payments', 'the most non-compliant spend first');

    const commitments = sectionOf(view, 'commitments');
    assert.deepEqual(['expiring-30', 'expiring-60', 'expiring-90'].map((id) => factOf(commitments, id)?.value), [1, 1, 2]);
    // Reservations per service: EC2's and RDS's figures side by side, neither hiding the other.
    assert.deepEqual(
      commitments.facts.filter((f) => /coverage|utilisation/.test(f.id)).map((f) => [f.id, f.label, f.text]),
      [
        ['sp-coverage', 'Savings Plans coverage', '42.5%'],
        ['ec2-ri-coverage', 'EC2 Reserved Instances coverage', '10%'],
        ['rds-ri-coverage', 'RDS Reserved Instances coverage', '61.5%'],
        ['sp-utilisation', 'Savings Plans utilisation', '97.1%'],
        ['ec2-ri-utilisation', 'EC2 Reserved Instances utilisation', 'not available'],
        ['rds-ri-utilisation', 'RDS Reserved Instances utilisation', '88.4%'],
      ],
    );

    const [idle, gp3, rds] = [view.findings.find((f) => f.check === 'ec2-idle')!, view.findings.find((f) => f.check === 'ebs-gp2-to-gp3')!, view.findings.find((f) => f.check === 'rds-idle')!];
    assert.deepEqual(idle.evidenceFields.map((f) => [f.label, f.text]), [
      ['CPU p95', '1.2%'],
      ['CPU max', '4.1%'],
      ['Days measured', '14 days'],
      ['Price', '$0.1920/hour'],
      ['Busiest day of network traffic', '3.2 MB'],
    ]);
    assert.ok(gp3.evidence.includes('IOPS after the change: 3,000 IOPS') && gp3.evidence.includes('Throughput after the change: 125 MiB/s'));
    const unknown = rds.evidenceFields.find((f) => f.key === 'someNewKey')!;
    assert.deepEqual([unknown.label, unknown.text, unknown.known], ['Some new key', 'kept as is', false]);
  });

  test('a report stored before reservations were measured per service still renders its one figure, labelled as such', () => {
    const report = fullReport();
    report.commitments = { ...report.commitments!, coverage: { savingsPlans: 42.5, reservations: 10 }, utilisation: { savingsPlans: 97.1 }, held: { savingsPlans: 1, reservations: 0 } };
    const view = buildReportView(report);
    const commitments = sectionOf(view, 'commitments');
    assert.deepEqual(
      commitments.facts.filter((f) => /coverage|utilisation/.test(f.id)).map((f) => [f.id, f.text]),
      [
        ['sp-coverage', '42.5%'],
        ['ri-coverage', '10%'],
        ['sp-utilisation', '97.1%'],
        ['ri-utilisation', 'no commitments'],
      ],
    );
    assert.equal(factOf(commitments, 'ri-coverage')?.label, 'Reserved Instances (EC2 and RDS together) coverage');
    assert.ok(commitments.notes.some((n) => n.includes('before EC2 and RDS reservations were measured apart')));
    // Every surface shows the same: Markdown, the all-tables CSV, the Web UI details.
    assert.ok(viewToMarkdown(view).includes('- **Reserved Instances \\(EC2 and RDS together\\) coverage:** 10%'));
    assert.ok(allTablesCsv(view).includes('commitments,facts,ri-coverage,Reserved Instances (EC2 and RDS together) coverage,10,10%'));
    assert.ok(reportDetails(view).includes('Reserved Instances (EC2 and RDS together) coverage'));
    assert.ok(!commitments.facts.some((f) => f.id.startsWith('ec2-ri') || f.id.startsWith('rds-ri')), 'no per-service figures it never had');
  });

  test('an empty report: every section says why it has nothing', () => {
    const view = buildReportView(emptyReport());
    assert.deepEqual(view.sections.map((s) => s.id), [...SECTION_IDS]);
    const reasons = Object.fromEntries(view.sections.map((s) => [s.id, s.empty ?? '']));
    assert.match(reasons.spend!, /No spend was read/);
    assert.match(reasons.forecast!, /Forecast and trend agent was skipped: needs IAM permission ce:GetCostAndUsage/);
    assert.match(reasons.anomalies!, /Forecast and trend agent was skipped/);
    assert.match(reasons.tagging!, /Tagging compliance agent failed \(Tagging compliance could not reach AWS\)/);
    assert.match(reasons.commitments!, /neither the EC2 nor the RDS agent delivered/);
    assert.match(reasons.findings!, /No findings/);
    assert.match(reasons.summary!, /No executive summary/);
    const notes = sectionOf(view, 'notes');
    assert.equal(notes.empty, undefined);
    assert.equal(notes.notes.length, 6, 'one note per agent that did not deliver');
    assert.match(view.statusText, /^Partial: 3 agents failed, 3 skipped/);
  });
});

describe('renderers', () => {
  for (const [name, report] of [
    ['full', fullReport()],
    ['empty', emptyReport()],
  ] as const) {
    test(`${name} report: every section in Markdown, HTML, text and CSV`, () => {
      const view = buildReportView(report);
      const md = viewToMarkdown(view);
      const html = viewToHtml(view);
      const text = viewToText(view);
      for (const s of view.sections) {
        if (s.id !== 'headline') assert.ok(md.includes(`## ${s.title.replace(/[:]/g, ':')}`), `markdown has ${s.id}`);
        assert.ok(html.includes(`id="section-${s.id}"`), `html has ${s.id}`);
        assert.ok(text.includes(s.title.toUpperCase()), `text has ${s.id}`);
        if (s.empty) {
          assert.ok(text.includes(s.empty), `text says why ${s.id} is empty`);
          assert.ok(html.includes(s.empty.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;')), `html says why ${s.id} is empty`);
        }
      }
      assert.ok(!/<script/i.test(html), 'the HTML export runs no script');
      assert.ok(!/(src|href)="https?:/i.test(html), 'and loads nothing from elsewhere');
      const charts = view.sections.flatMap((s) => s.charts);
      assert.equal((html.match(/<figure id="chart-/g) ?? []).length, charts.length);
      assert.equal((html.match(/<svg /g) ?? []).length, charts.length, 'each chart inline as SVG');
      const csv = allTablesCsv(view).trimEnd().split('\r\n');
      assert.equal(csv[0], 'section,table,row,column,value,text');
      assert.ok(JSON.parse(JSON.stringify(view)).sections.length === view.sections.length);
      assert.equal(findingsCsv(view).trimEnd().split('\r\n').length, view.findings.length + 1);
    });
  }

  test('the HTML export escapes account data and offers the tag policy as a download', () => {
    const report = fullReport();
    report.tagging!.examples[0]!.name = '<img src=x onerror=alert(1)>';
    const html = viewToHtml(buildReportView(report));
    assert.ok(!html.includes('<img src=x'));
    assert.ok(html.includes('&lt;img src=x onerror=alert(1)&gt;'));
    assert.match(html, /<a download="tag-policy.json" href="data:application\/json;charset=utf-8,%7B/);
  });

  test('the Web UI details escape dollar signs so they are not typeset as math', () => {
    const view = buildReportView(fullReport());
    const details = reportDetails(view);
    assert.ok(details.includes('\\$91,525.64'));
    assert.ok(!/(^|[^\\])\$/.test(details), `no unescaped $ in ${details}`);
    const progress = progressDetails({
      analysisId: 'a',
      tenant: 't',
      state: 'completed',
      step: 'Report ready. Total spend $3,035.65',
      startedAt: '2026-11-21T09:00:00Z',
      updatedAt: '2026-11-21T09:01:00Z',
      counts: { agents: 1, pending: 0, running: 0, succeeded: 1, failed: 0, requests: 1, findings: 0 },
      agents: [{ agent: 'ec2', title: 'EC2', workflowId: 'w', state: 'succeeded', step: 'Done: spend $3,035.65 | x', requests: 1, findings: 0, savings: '0', updatedAt: '2026-11-21T09:01:00Z' }],
      savings: { amount: '0', unit: 'USD' },
      events: [],
    } as never);
    assert.ok(progress.includes('Total spend \\$3,035.65'));
    assert.ok(progress.includes('Done: spend \\$3,035.65 \\| x'));
  });
});

describe('properties', () => {
  test('any object as a report builds a view with every section: nothing thrown', () => {
    fc.assert(
      fc.property(fc.object({ maxDepth: 3 }), (junk) => {
        const view = buildReportView({ ...fullReport(), ...junk });
        assert.deepEqual(view.sections.map((s) => s.id), [...SECTION_IDS]);
        const bare = buildReportView(junk as never);
        assert.equal(bare.sections.length, SECTION_IDS.length);
      }),
      { numRuns: 200 },
    );
  });

  test('Web UI text never leaves a dollar sign or table pipe unescaped, and loses nothing else', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        const out = webUiText(s);
        assert.ok(!/(^|[^\\])(\\\\)*[$|]/.test(out));
        assert.equal(out.replace(/\\(.)/g, '$1'), s.replace(/[\r\n]+/g, ' '));
      }),
    );
  });

  test('any evidence record renders: every key labelled, numbers in their unit, nothing thrown', () => {
    const value = fc.oneof(fc.string(), fc.double({ noNaN: true }), fc.integer(), fc.boolean());
    fc.assert(
      fc.property(fc.dictionary(fc.string(), value), fc.option(fc.string(), { nil: undefined }), (evidence, check) => {
        const fields = evidenceFields(evidence, check);
        assert.equal(fields.length, Object.values(evidence).filter((v) => v !== '').length);
        for (const f of fields) assert.ok(f.label.length > 0 || f.key.trim() === '' , 'a label for every non-blank key');
      }),
    );
    assert.equal(formatEvidenceValue('unknown', 'GiB'), 'unknown', 'a word where a number was expected is shown as is');
    assert.equal(formatEvidenceValue(0.125, 'fraction'), '12.5%');
    assert.equal(formatEvidenceValue(1, 'days'), '1 day');
  });
});

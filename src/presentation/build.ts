/**
 * Build the report view model (model.ts) once from an AnalysisReport. Every renderer starts here.
 */
import { addAmounts, ZERO } from '../domain/money';
import type { AnalysisReport } from '../domain/report';
import { anomaliesSection, forecastSection } from './build-forecast';
import { spendSection } from './build-spend';
import { statesParts } from './build-states';
import { commitmentsSection, taggingSection } from './build-tagging';
import { timelineSection } from './build-timeline';
import { col, countCell, emptySection, fact, moneyCell, section, table, text } from './cells';
import { change, money, period, plural, timestamp } from './format';
import type { Fact, ReportView, SectionId, SectionView } from './model';
import { analysisCost, hasFindings, missingAgents, readFindings, summaryText, totalSavings, usageLines, type ExportFinding } from './read';

export interface BuildOptions {
  /** Most findings in the findings table (default 50; the CSV has them all). */
  maxFindings?: number;
}

/**
 * A report with the fields every section relies on: reports from older versions, tests' partial ones
 * and hand-made ones lack some, and a view is built inside workflow code, where a throw would fail the
 * workflow task. Sections with optional data read it defensively and are guarded besides.
 */
function normalised(report: AnalysisReport): AnalysisReport {
  const spend = (report.spend ?? {}) as Partial<AnalysisReport['spend']>;
  return {
    ...report,
    accounts: Array.isArray(report.accounts) ? report.accounts : [],
    regions: Array.isArray(report.regions) ? report.regions : [],
    period: report.period ?? { start: '', end: '' },
    previousPeriod: report.previousPeriod ?? { start: '', end: '' },
    generatedAt: report.generatedAt ?? '',
    agents: Array.isArray(report.agents) ? report.agents : [],
    failures: Array.isArray(report.failures) ? report.failures : [],
    skipped: Array.isArray(report.skipped) ? report.skipped : [],
    spend: {
      ...spend,
      unit: spend.unit ?? 'USD',
      total: spend.total ?? '0',
      previousTotal: spend.previousTotal ?? '0',
      change: spend.change ?? '0',
      changePct: spend.changePct ?? null,
      byService: (spend.byService ?? []).map((l) => ({ ...l, amount: l.amount ?? '0', previousAmount: l.previousAmount ?? '0', change: l.change ?? '0', changePct: l.changePct ?? null })),
      daily: spend.daily ?? [],
      coverage: spend.coverage ?? (spend.byService?.length ? 'whole-bill' : 'none'),
      estimated: spend.estimated ?? false,
    },
  };
}

export function buildReportView(source: AnalysisReport, options: BuildOptions = {}): ReportView {
  const report = normalised(source);
  const findings = readFindings(report);
  const missing = missingAgents(report);
  const failed = missing.filter((m) => m.kind === 'failed').length;
  const skipped = missing.length - failed;
  return {
    schema: 'finops.report-view/1',
    analysisId: report.analysisId,
    tenant: report.tenant,
    title: `Cost analysis ${report.analysisId}`,
    status: report.status,
    statusText:
      report.status === 'complete'
        ? 'Complete'
        : `Partial: ${[failed ? `${plural(failed, 'agent')} failed` : '', skipped ? `${skipped} skipped or incomplete` : ''].filter(Boolean).join(', ')}`,
    accounts: report.accounts,
    regions: report.regions,
    periodText: period(report.period),
    previousPeriodText: period(report.previousPeriod),
    generatedText: timestamp(report.generatedAt),
    unit: report.spend.unit,
    sections: [
      guard('headline', 'Headline', () => headlineSection(report, findings)),
      guard('summary', 'Executive summary', () => summarySection(report)),
      guard('spend', 'Spend', () => spendSection(report)),
      guard('forecast', 'Forecast', () => forecastSection(report)),
      guard('anomalies', 'Anomalies', () => anomaliesSection(report)),
      guard('tagging', 'Tagging compliance', () => taggingSection(report)),
      guard('commitments', 'Commitments', () => commitmentsSection(report)),
      guard('findings', 'Findings', () => findingsSection(report, findings, options.maxFindings ?? 50)),
      guard('timeline', 'Where the time went', () => timelineSection(report)),
      guard('notes', 'Notes: what was skipped and why', () => notesSection(report)),
    ],
    findings,
  };
}

/**
 * A section whose data has a shape this version cannot read (a report from an older or newer agent)
 * says so instead of breaking the whole report.
 */
function guard(id: SectionId, title: string, build: () => SectionView): SectionView {
  try {
    return build();
  } catch (err) {
    return emptySection(id, title, `This section could not be shown: its data has an unexpected shape (${err instanceof Error ? err.message : String(err)}).`);
  }
}

/** The findings' monthly savings: the summary's (the whole list, each dollar once) when the items are only the top of it. */
function findingSavings(report: AnalysisReport, findings: readonly ExportFinding[]): string {
  const summary = report.findings;
  return summary && !Array.isArray(summary) && summary.truncated && typeof summary.monthlySavings === 'string' ? summary.monthlySavings : totalSavings(findings);
}

function headlineSection(report: AnalysisReport, findings: readonly ExportFinding[]): SectionView {
  const { spend } = report;
  const facts: Fact[] = [
    fact('total', 'Total spend', moneyCell(spend.total, spend.unit), {
      note: spend.changePct === null ? 'no previous data' : `${change(spend.changePct)} vs previous period`,
      tone: spend.changePct !== null && spend.changePct > 0 ? 'bad' : 'good',
    }),
    fact('previous', 'Previous period', moneyCell(spend.previousTotal, spend.unit), { note: period(report.previousPeriod) }),
  ];
  if (hasFindings(report)) {
    facts.push(fact('savings', 'Savings identified', moneyCell(findingSavings(report, findings), spend.unit), { note: `per month, ${plural(findings.length, 'finding')}`, tone: 'good' }));
  }
  if (report.commitments) {
    facts.push(fact('commitment-savings', 'Commitment savings', moneyCell(report.commitments.monthlySavings, spend.unit), { note: `per month, ${plural(report.commitments.count, 'purchase')} (not added to the findings)` }));
  }
  const usage = usageLines(report);
  facts.push(
    fact('cost', 'Cost of this analysis', usage.length ? moneyCell(analysisCost(report)) : { text: '—', value: null }, {
      note: usage.map((u) => `${u.label}: ${u.value}`).join(' · '),
    }),
  );
  return section('headline', 'Headline', {
    facts,
    tables: [table('analysis-cost', 'Cost of this analysis', [col('item', 'Item'), col('value', 'Amount', true)], usage.map((u) => ({ item: text(u.label), value: text(u.value) })))],
  });
}

function summarySection(report: AnalysisReport): SectionView {
  const summary = summaryText(report);
  if (!summary) return emptySection('summary', 'Executive summary', 'No executive summary was written for this report.');
  const source = report.summary?.source;
  return section('summary', 'Executive summary', {
    notes: summary.split(/\n\s*\n/).map((p) => p.trim()).filter(Boolean),
    ...(source ? { facts: [fact('writer', 'Written by', text(source === 'deterministic' ? 'the deterministic writer (no model)' : `${source}${report.summary?.model ? ` (${report.summary.model})` : ''}`))] } : {}),
  });
}

function findingsSection(report: AnalysisReport, findings: readonly ExportFinding[], LIMIT: number): SectionView {
  if (!hasFindings(report)) {
    return emptySection('findings', 'Findings', 'No findings: none of the agents that run checks (EC2, RDS, S3, tagging, Trusted Advisor) delivered findings.');
  }
  const unit = report.spend.unit;
  const states = statesParts(report);
  if (findings.length === 0 && !states) return emptySection('findings', 'Findings', 'The checks ran and found no savings opportunities.');
  const count = report.findings?.count ?? findings.length;
  const byCheck = new Map<string, { count: number; savings: string[] }>();
  for (const f of findings) {
    const entry = byCheck.get(f.check) ?? { count: 0, savings: [] };
    entry.count++;
    entry.savings.push(f.monthlySavings);
    byCheck.set(f.check, entry);
  }
  const checkRows = report.findings?.byCheck && Object.keys(report.findings.byCheck).length
    ? Object.entries(report.findings.byCheck).map(([check, c]) => ({ check, count: c.count, savings: c.monthlySavings }))
    : [...byCheck].map(([check, c]) => ({ check, count: c.count, savings: addAmounts(ZERO, ...c.savings) }));
  checkRows.sort((a, b) => Number(b.savings) - Number(a.savings) || a.check.localeCompare(b.check));
  return section('findings', 'Findings', {
    facts: [
      fact('finding-count', 'Findings', countCell(count), { ...(count > findings.length ? { note: `the top ${findings.length} are listed here; the rest are in the store` } : {}) }),
      fact('finding-savings', 'Savings per month', moneyCell(findingSavings(report, findings), unit), { tone: 'good' }),
      ...(states?.facts ?? []),
    ],
    tables: [
      table(
        'findings',
        'Findings, highest savings first',
        [
          col('rank', '#', true),
          col('savings', 'Savings / month', true),
          col('action', 'Action'),
          col('resource', 'Resource'),
          col('where', 'Account / Region'),
          col('confidence', 'Confidence'),
          col('title', 'Finding'),
          col('evidence', 'Evidence'),
          ...(states ? [col('state', 'State')] : []),
        ],
        findings.slice(0, LIMIT).map((f) => ({
          rank: { text: String(f.rank), value: f.rank },
          savings: moneyCell(f.monthlySavings, f.unit),
          action: text(f.action),
          resource: text(f.resourceName && f.resourceName !== f.resourceId ? `${f.resourceName} (${f.resourceId})` : f.resourceId),
          where: text([f.account, f.region].filter(Boolean).join(' / ')),
          confidence: text(f.confidence),
          title: text(f.title),
          evidence: text(f.evidence),
          ...(states ? { state: text(f.stateText ?? 'open') } : {}),
        })),
        findings.length > LIMIT ? { more: `…and ${findings.length - LIMIT} more (CSV export)` } : {},
      ),
      table(
        'findings-by-check',
        'By check',
        [col('check', 'Check'), col('count', 'Findings', true), col('savings', 'Savings / month', true)],
        checkRows.map((r) => ({ check: text(r.check), count: countCell(r.count), savings: moneyCell(r.savings, unit) })),
      ),
      ...(states?.tables ?? []),
    ],
    notes: states?.notes ?? [],
  });
}

function notesSection(report: AnalysisReport): SectionView {
  const notes: string[] = [];
  const titles = new Map<string, string>(report.agents.map((a) => [a.agent, a.title]));
  for (const f of report.failures ?? []) notes.push(`${titles.get(f.agent) ?? f.agent} failed: ${f.reason}`);
  for (const s of Array.isArray(report.skipped) ? report.skipped : []) {
    const who = titles.get(s.agent) ?? s.agent;
    notes.push(
      s.checks?.length
        ? `${who}: skipped ${s.checks.join(', ')} (needs ${s.needs})${s.where?.length ? ` in ${s.where.join(', ')}` : ''}`
        : `${who} was skipped: needs ${s.needs}`,
    );
  }
  notes.push(...(report.notes ?? []));
  const agents = table(
    'agents',
    'Agents',
    [col('agent', 'Agent'), col('status', 'Outcome'), col('spend', 'Spend', true), col('note', 'Note')],
    report.agents.map((a) => ({
      agent: text(a.title),
      status: text(a.status),
      spend: a.spend !== undefined ? moneyCell(a.spend, report.spend.unit) : { text: '—', value: null },
      note: text(a.reason ?? ''),
    })),
  );
  const thresholds = Object.entries(report.thresholds ?? {}).flatMap(([agent, values]) =>
    Object.entries(values ?? {}).map(([name, value]) => ({ agent: text(titles.get(agent) ?? agent), name: text(name), value: text(String(value)) })),
  );
  return section('notes', 'Notes: what was skipped and why', {
    notes: notes.length ? notes : ['Every agent ran every check; nothing was skipped.'],
    tables: [agents, ...(thresholds.length ? [table('thresholds', 'Thresholds the checks used', [col('agent', 'Agent'), col('name', 'Threshold'), col('value', 'Value', true)], thresholds)] : [])],
  });
}

/** One line for notifications and the Web UI: "Total spend $3,035.65 (+4.2% vs previous period); 12 findings, $410.00 a month to save". */
export function headlineText(view: ReportView): string {
  const head = view.sections.find((s) => s.id === 'headline');
  const total = head?.facts.find((f) => f.id === 'total');
  const savings = head?.facts.find((f) => f.id === 'savings');
  const findings = view.sections.find((s) => s.id === 'findings')?.facts.find((f) => f.id === 'finding-count');
  return `Total spend ${total?.text ?? money('0')}${total?.note && total.note !== 'no previous data' ? ` (${total.note})` : ''}${
    savings ? `; ${findings?.text ?? view.findings.length} findings, ${savings.text} a month to save` : ''
  }`;
}

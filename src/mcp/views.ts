/**
 * The analysed view an assistant receives: compact structured answers cut from a report. Pure functions,
 * so every figure is the report's own (no recomputation beyond exact decimal sums and groupings).
 */
import type { AnalysisView } from '../client/analyses';
import type { Finding } from '../domain/findings';
import { readFindings, totalSavings, type ExportFinding } from '../domain/report-export';
import { addAmounts, compareAmounts, percentChange, ZERO } from '../domain/money';
import type { Period } from '../domain/period';
import type { AnalysisProgress } from '../domain/progress';
import type { AnalysisReport } from '../domain/report';
import { buildReportView } from '../presentation/build';
import { ToolError } from './api';
import type {
  AnalysisOutput,
  FindingRow,
  ForecastOutput,
  ReportSummaryOutput,
  SearchFindingsOutput,
  SpendOutput,
} from './schemas';

const TOP = 5;

/**
 * The report's findings as every other view reads them (report-export's normalised, ranked list), with
 * the plain-language recommendation of each where the finding has one.
 */
export function findingsOf(report: AnalysisReport): RankedFinding[] {
  const raw = new Map((report.findings?.items ?? []).map((f) => [f.id, f]));
  return readFindings(report).map((f) => ({ ...f, raw: raw.get(f.id) }));
}

export type RankedFinding = ExportFinding & { raw: Finding | undefined };

export function findingRowOf(f: RankedFinding): FindingRow {
  return {
    id: f.id,
    rank: f.rank,
    check: f.check,
    agent: f.agent,
    account: f.account,
    region: f.region,
    resourceId: f.resourceId,
    ...(f.resourceName ? { resourceName: f.resourceName } : {}),
    action: f.action,
    recommendation: typeof f.raw?.recommendation === 'string' ? f.raw.recommendation : f.title,
    monthlySavings: f.monthlySavings,
    confidence: f.confidence,
  };
}

/**
 * Count and monthly savings of all findings. The report's own totals when its list is truncated (they
 * count every finding, each dollar once); otherwise the sum of the list, as the exports show it.
 */
export function findingTotals(report: AnalysisReport, findings: readonly RankedFinding[]): { count: number; monthlySavings: string } {
  if (report.findings?.truncated) return { count: report.findings.count, monthlySavings: report.findings.monthlySavings };
  return { count: findings.length, monthlySavings: totalSavings(findings) };
}

export function progressSummary(p: AnalysisProgress): NonNullable<AnalysisOutput['progress']> {
  return {
    state: p.state,
    step: p.step,
    agentsDone: p.counts.succeeded + p.counts.failed + p.counts.skipped,
    agents: p.counts.agents,
    findings: p.counts.findings,
    monthlySavingsSoFar: p.savings.amount,
    byAgent: p.agents.map((a) => ({ agent: a.agent, state: a.state, step: a.step, findings: a.findings, savings: a.savings })),
  };
}

export function analysisOutputOf(view: AnalysisView & { notice?: string }): AnalysisOutput {
  return {
    analysisId: view.analysisId,
    status: view.status,
    startTime: view.startTime,
    ...(view.closeTime ? { closeTime: view.closeTime } : {}),
    ...(view.progress ? { progress: progressSummary(view.progress) } : {}),
    reportReady: view.report !== undefined,
    ...(view.failure !== undefined ? { failure: view.failure } : {}),
    ...(view.notice ? { notice: view.notice } : {}),
    ...(view.report ? { summary: briefOf(view.report) } : {}),
  };
}

export function briefOf(report: AnalysisReport): NonNullable<AnalysisOutput['summary']> {
  const totals = findingTotals(report, findingsOf(report));
  return {
    findings: totals.count,
    monthlySavings: totals.monthlySavings,
    spend: report.spend.total,
    status: report.status,
  };
}

export function reportSummaryOf(report: AnalysisReport): ReportSummaryOutput {
  const findings = findingsOf(report);
  const totals = findingTotals(report, findings);
  const byCheck = new Map<string, { count: number; monthlySavings: string }>();
  for (const f of findings) {
    const entry = byCheck.get(f.check) ?? { count: 0, monthlySavings: ZERO };
    byCheck.set(f.check, { count: entry.count + 1, monthlySavings: addAmounts(entry.monthlySavings, f.monthlySavings) });
  }
  return {
    analysisId: report.analysisId,
    tenant: report.tenant,
    accounts: report.accounts,
    regions: report.regions,
    period: report.period,
    status: report.status,
    spend: {
      unit: report.spend.unit,
      total: report.spend.total,
      previousTotal: report.spend.previousTotal,
      change: report.spend.change,
      changePct: report.spend.changePct,
    },
    topServices: report.spend.byService.slice(0, TOP).map((s) => ({ service: s.service, amount: s.amount, changePct: s.changePct })),
    findings: {
      ...totals,
      byCheck: [...byCheck]
        .map(([check, v]) => ({ check, ...v }))
        .sort((a, b) => compareAmounts(b.monthlySavings, a.monthlySavings) || a.check.localeCompare(b.check)),
    },
    topFindings: findings.slice(0, TOP).map(findingRowOf),
    ...(report.commitments
      ? { commitments: { recommendations: report.commitments.count, monthlySavings: report.commitments.monthlySavings, figures: commitmentFiguresOf(report) } }
      : {}),
    problems: problemsOf(report),
    ...(report.summary ? { executiveSummary: report.summary.text } : {}),
  };
}

/** The commitments section's coverage and utilisation facts, as the report view shows them (one model for every surface). */
export function commitmentFiguresOf(report: AnalysisReport): NonNullable<ReportSummaryOutput['commitments']>['figures'] {
  const section = buildReportView(report).sections.find((s) => s.id === 'commitments');
  return (section?.facts ?? [])
    .filter((f) => f.id.endsWith('-coverage') || f.id.endsWith('-utilisation'))
    .map((f) => ({ label: f.label, percent: typeof f.value === 'number' ? f.value : null, text: f.text }));
}

export function problemsOf(report: AnalysisReport): string[] {
  return [
    ...report.failures.map((f) => `${f.agent} failed: ${f.reason}`),
    ...report.skipped.map((s) => `${s.agent}${s.checks ? ` (${s.checks.join(', ')})` : ''} skipped: needs ${s.needs}`),
  ];
}

export interface FindingFilter {
  agent?: string | undefined;
  check?: string | undefined;
  account?: string | undefined;
  region?: string | undefined;
  action?: string | undefined;
  tag?: string | undefined;
  minMonthlySavings?: number | undefined;
}

/** Does the finding pass every given filter? A tag filter is "key=value" (exact) or "key" (present). */
export function matchesFilter(f: ExportFinding, filter: FindingFilter): boolean {
  if (filter.agent !== undefined && f.agent !== filter.agent) return false;
  if (filter.check !== undefined && f.check !== filter.check) return false;
  if (filter.account !== undefined && f.account !== filter.account) return false;
  if (filter.region !== undefined && f.region !== filter.region) return false;
  if (filter.action !== undefined && f.action !== filter.action) return false;
  if (filter.minMonthlySavings !== undefined && compareAmounts(f.monthlySavings, String(filter.minMonthlySavings)) < 0) return false;
  if (filter.tag !== undefined) {
    const eq = filter.tag.indexOf('=');
    const key = eq < 0 ? filter.tag : filter.tag.slice(0, eq);
    const wanted = eq < 0 ? undefined : filter.tag.slice(eq + 1);
    if (!f.tags.some(([k, v]) => k === key && (wanted === undefined || v === wanted))) return false;
  }
  return true;
}

/** Matching findings, highest savings first (the report's ranking), one page of them. */
export function searchFindings(report: AnalysisReport, filter: FindingFilter, page: number, pageSize: number): SearchFindingsOutput {
  const items = findingsOf(report);
  const matched = items.filter((f) => matchesFilter(f, filter));
  const from = (page - 1) * pageSize;
  const slice = matched.slice(from, from + pageSize);
  return {
    analysisId: report.analysisId,
    matches: matched.length,
    matchingMonthlySavings: addAmounts(ZERO, ...matched.map((f) => f.monthlySavings)),
    page,
    pageSize,
    ...(from + pageSize < matched.length ? { nextPage: page + 1 } : {}),
    findings: slice.map(findingRowOf),
    searched: items.length,
    truncated: report.findings?.truncated ?? false,
  };
}

export function findingOf(report: AnalysisReport, findingId: string): RankedFinding {
  const finding = findingsOf(report).find((f) => f.id === findingId);
  if (!finding) {
    throw new ToolError(`No finding ${JSON.stringify(findingId)} in analysis ${report.analysisId}; search_findings lists the IDs.`);
  }
  return finding;
}

/** Spend by service (either period) or by day, ISO week (from Monday) or month within the analysed period. */
export function spendOf(
  report: AnalysisReport,
  groupBy: SpendOutput['groupBy'],
  which: 'current' | 'previous',
  range: { start?: string | undefined; end?: string | undefined } = {},
): SpendOutput {
  const spend = report.spend;
  const base = { analysisId: report.analysisId, unit: spend.unit, groupBy, coverage: spend.coverage, estimated: spend.estimated };
  if (groupBy === 'service') {
    if (range.start !== undefined || range.end !== undefined) {
      throw new ToolError('start and end narrow day, week or month groups; by service the report has whole periods only (use period: current or previous).');
    }
    const previous = which === 'previous';
    return {
      ...base,
      period: previous ? report.previousPeriod : report.period,
      total: previous ? spend.previousTotal : spend.total,
      groups: spend.byService
        .map((s) =>
          previous
            ? { key: s.service, amount: s.previousAmount }
            : { key: s.service, amount: s.amount, previousAmount: s.previousAmount, changePct: percentChange(s.amount, s.previousAmount) },
        )
        .filter((g) => !previous || compareAmounts(g.amount, ZERO) !== 0)
        .sort((a, b) => compareAmounts(b.amount, a.amount) || a.key.localeCompare(b.key)),
    };
  }
  if (which === 'previous') {
    throw new ToolError('The report keeps daily costs for the analysed period only; group the previous period by service.');
  }
  const period = narrow(report.period, range);
  const buckets = new Map<string, string>();
  for (const d of spend.daily) {
    if (d.date < period.start || d.date >= period.end) continue;
    const key = bucketOf(d.date, groupBy);
    buckets.set(key, addAmounts(buckets.get(key) ?? ZERO, d.amount));
  }
  const groups = [...buckets].sort(([a], [b]) => a.localeCompare(b)).map(([key, amount]) => ({ key, amount }));
  return { ...base, period, total: addAmounts(ZERO, ...groups.map((g) => g.amount)), groups };
}

function narrow(period: Period, range: { start?: string | undefined; end?: string | undefined }): Period {
  const start = range.start !== undefined && range.start > period.start ? range.start : period.start;
  const end = range.end !== undefined && range.end < period.end ? range.end : period.end;
  if (start >= end) {
    throw new ToolError(`The range ${range.start ?? period.start} to ${range.end ?? period.end} has no day of the analysed period ${period.start} to ${period.end} (end exclusive).`);
  }
  return { start, end };
}

export function bucketOf(date: string, groupBy: 'day' | 'week' | 'month'): string {
  if (groupBy === 'day') return date;
  if (groupBy === 'month') return date.slice(0, 7);
  const d = new Date(`${date}T00:00:00Z`);
  const back = (d.getUTCDay() + 6) % 7; // days since Monday
  return new Date(d.getTime() - back * 86_400_000).toISOString().slice(0, 10);
}

export function forecastOf(report: AnalysisReport): ForecastOutput {
  const f = report.forecast;
  if (!f) {
    const why = problemsOf(report).filter((p) => p.startsWith('forecasting'));
    throw new ToolError(
      `Analysis ${report.analysisId} has no forecast: ${why.length ? why.join('; ') : 'the forecasting agent was not among its agents'}. Start an analysis with the forecasting agent.`,
    );
  }
  return {
    analysisId: report.analysisId,
    asOf: f.asOf,
    horizonDays: f.horizonDays,
    intervalLevel: f.intervalLevel,
    method: f.method,
    total: f.total,
    ...(f.costExplorer ? { costExplorerTotal: f.costExplorer.total } : {}),
    ...(f.difference ? { differencePct: f.difference.pct } : {}),
    ...(f.backtest ? { backtestMape: f.backtest.mape } : {}),
    byService: f.byService.slice(0, 10),
    anomalies: [
      ...f.anomalies.map((a) => ({ start: a.start, end: a.end, source: 'ours' as const, ...(a.service ? { service: a.service } : {}), impact: a.impact })),
      ...f.costExplorerAnomalies
        .filter((a) => !a.matched)
        .map((a) => ({
          start: a.start,
          end: a.end ?? a.start,
          source: 'cost-explorer' as const,
          ...(a.dimensionValue ? { service: a.dimensionValue } : {}),
          impact: a.totalImpact.toFixed(2),
        })),
    ],
    ...(f.budget ? { budget: { ...f.budget } } : {}),
    notes: f.notes,
  };
}

/**
 * Short text renderings of the tools' structured results, for models that read `content` rather than
 * `structuredContent`. Money goes through the project's one formatter (domain/money.ts); resource names
 * and tags are data from the account, quoted as such.
 */
import { formatUsd } from '../domain/money';
import type { ScheduleView } from '../client/schedules';
import type { AnalysisOutput, FindingRow, ForecastOutput, ReportSummaryOutput, SearchFindingsOutput, SpendOutput } from './schemas';

const pct = (value: number | null | undefined) => (value === null || value === undefined ? 'n/a' : `${value > 0 ? '+' : ''}${value}%`);

/** One finding in a line; its ID (check/account/Region/resource) is what explain_finding takes. */
export function findingLine(f: FindingRow): string {
  const name = f.resourceName ? ` ${JSON.stringify(f.resourceName)};` : '';
  return `${formatUsd(f.monthlySavings)}/month: ${f.recommendation} (${f.confidence} confidence;${name} id ${f.id})`;
}

export function analysisText(a: AnalysisOutput): string {
  const lines = [`${a.analysisId}: ${a.status}`];
  if (a.progress) {
    lines.push(
      `${a.progress.step} (${a.progress.agentsDone}/${a.progress.agents} agents done, ${a.progress.findings} findings, ${formatUsd(a.progress.monthlySavingsSoFar)}/month so far)`,
    );
  }
  if (a.summary) {
    lines.push(`Report ready (${a.summary.status}): spend ${formatUsd(a.summary.spend)}, ${a.summary.findings} findings saving ${formatUsd(a.summary.monthlySavings)}/month.`);
  }
  if (a.failure) lines.push(`No report: ${a.failure}`);
  if (a.notice) lines.push(a.notice);
  if (a.status === 'RUNNING' && !a.progress) lines.push('Still running; call get_analysis to follow it.');
  return lines.join('\n');
}

export function summaryText(s: ReportSummaryOutput): string {
  const lines = [
    `Analysis ${s.analysisId} (${s.status}) of ${s.accounts.join(', ')} in ${s.regions.join(', ')}, ${s.period.start} to ${s.period.end} (end exclusive).`,
    `Spend ${formatUsd(s.spend.total, s.spend.unit)} (${pct(s.spend.changePct)} on the period before, ${formatUsd(s.spend.previousTotal, s.spend.unit)}).`,
    `Top services: ${s.topServices.map((t) => `${t.service} ${formatUsd(t.amount, s.spend.unit)}`).join('; ') || 'none'}.`,
    `${s.findings.count} findings save ${formatUsd(s.findings.monthlySavings)}/month. By check: ${
      s.findings.byCheck.map((c) => `${c.check} ${c.count} (${formatUsd(c.monthlySavings)})`).join(', ') || 'none'
    }.`,
  ];
  if (s.topFindings.length) lines.push('Top findings:', ...s.topFindings.map((f, i) => `${i + 1}. ${findingLine(f)}`));
  if (s.commitments) {
    lines.push(`Savings Plans / Reserved Instances: ${s.commitments.recommendations} recommendations, ${formatUsd(s.commitments.monthlySavings)}/month (not in the findings total).`);
    if (s.commitments.figures.length) lines.push(`Commitments: ${s.commitments.figures.map((f) => `${f.label} ${f.text}`).join('; ')}.`);
  }
  if (s.problems.length) lines.push(`Incomplete: ${s.problems.join('; ')}.`);
  return lines.join('\n');
}

export function searchText(r: SearchFindingsOutput): string {
  const head = `${r.matches} matching findings in ${r.analysisId} save ${formatUsd(r.matchingMonthlySavings)}/month; page ${r.page}${
    r.nextPage ? ` (next: page ${r.nextPage})` : ''
  }.`;
  const tail = r.truncated ? `\n(The report keeps its ${r.searched} highest-savings findings inline; smaller ones were not searched.)` : '';
  return [head, ...r.findings.map(findingLine)].join('\n') + tail;
}

export function explainText(f: FindingRow & { title: string; evidence: string; command?: string | undefined; sources: string[] }): string {
  return [
    `${f.title} (${f.check}, ${f.resourceId} in ${f.account}/${f.region})`,
    `Evidence: ${f.evidence || 'none recorded'}`,
    `Action: ${f.recommendation}${/[.!?]$/.test(f.recommendation) ? '' : '.'} Saves ${formatUsd(f.monthlySavings)}/month (${f.confidence} confidence; flagged by ${f.sources.join(', ')}).`,
    ...(f.command ? [`Command (review before running; nothing was changed): ${f.command}`] : []),
  ].join('\n');
}

export function spendText(s: SpendOutput): string {
  const groups = s.groups.slice(0, 15).map((g) => `${g.key}: ${formatUsd(g.amount, s.unit)}${g.changePct !== undefined ? ` (${pct(g.changePct)})` : ''}`);
  const more = s.groups.length > 15 ? [`… and ${s.groups.length - 15} more in the structured result`] : [];
  return [`Spend ${s.period.start} to ${s.period.end} (end exclusive) by ${s.groupBy}: ${formatUsd(s.total, s.unit)}${s.estimated ? ' (partly estimated by AWS)' : ''}.`, ...groups, ...more].join('\n');
}

export function forecastText(f: ForecastOutput): string {
  const band = f.total.lower && f.total.upper ? ` (${Math.round(f.intervalLevel * 100)}% interval ${formatUsd(f.total.lower)} to ${formatUsd(f.total.upper)})` : '';
  return [
    `Forecast for the ${f.horizonDays} days from ${f.asOf}: ${formatUsd(f.total.mean)}${band}.`,
    ...(f.costExplorerTotal ? [`Cost Explorer forecasts ${formatUsd(f.costExplorerTotal.mean)} (difference ${pct(f.differencePct)}).`] : []),
    ...(f.backtestMape !== undefined ? [`Backtest error (MAPE): ${f.backtestMape}%.`] : []),
    `${f.anomalies.length} anomalies.`,
  ].join('\n');
}

export function scheduleLine(s: ScheduleView): string {
  return `${s.scheduleId}${s.paused ? ' (paused)' : ''}: ${s.summary ?? 'weekly review'}; next ${s.nextActionTimes[0] ?? 'none'}`;
}

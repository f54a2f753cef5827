/**
 * The deterministic executive summary: always available, written from the same bounded facts the model
 * sees, and grounded by construction (every figure is a report figure, rounded for display).
 */
import type { AnalysisReport } from '../domain/report';
import { formatUsd } from '../domain/money';
import { reportFacts, type ReportFacts } from './facts';

function pct(value: number | null): string | undefined {
  if (value === null) return undefined;
  return `${Math.abs(value).toFixed(1)}%`;
}

function direction(change: string): 'up' | 'down' | 'flat' {
  const n = Number(change);
  return n > 0 ? 'up' : n < 0 ? 'down' : 'flat';
}

function changeText(change: string, changePct: number | null, unit: string): string {
  const dir = direction(change);
  if (dir === 'flat') return 'unchanged';
  const amount = formatUsd(change.replace(/^-/, ''), unit);
  const p = pct(changePct);
  return `${dir} ${amount}${p ? ` (${p})` : ''}`;
}

export function deterministicSummaryFromFacts(f: ReportFacts): string {
  const lines: string[] = [];
  const scope = `${f.accounts.length === 1 ? `account ${f.accounts[0]}` : `${f.accounts.length} accounts`}, ${f.period.start} to ${f.period.end}`;
  lines.push(
    `Spend was ${formatUsd(f.total, f.unit)} (${scope}), ${changeText(f.change, f.changePct, f.unit)} on the previous period's ${formatUsd(f.previousTotal, f.unit)}.`,
  );
  const top = f.topServices.filter((s) => Number(s.amount) > 0).slice(0, 3);
  if (top.length) {
    lines.push(
      `Where the money goes: ${top
        .map(
          (s) =>
            `${s.service} ${formatUsd(s.amount, f.unit)}${s.sharePct !== null ? ` (${s.sharePct.toFixed(1)}% of the total)` : ''}`,
        )
        .join('; ')}.`,
    );
  }
  const movers = [...f.topServices]
    .filter((s) => Number(s.change) !== 0)
    .sort((a, b) => Math.abs(Number(b.change)) - Math.abs(Number(a.change)))
    .slice(0, 2);
  if (movers.length) {
    lines.push(`What changed: ${movers.map((s) => `${s.service} ${changeText(s.change, s.changePct, f.unit)}`).join('; ')}.`);
  }
  if (f.forecast) {
    const range =
      f.forecast.lower && f.forecast.upper
        ? ` (between ${formatUsd(f.forecast.lower, f.unit)} and ${formatUsd(f.forecast.upper, f.unit)})`
        : '';
    lines.push(`Forecast: ${formatUsd(f.forecast.total, f.unit)} over the next ${f.forecast.horizonDays} days${range}.`);
  }
  if (f.findings && f.findings.count > 0) {
    lines.push(`Savings found: ${formatUsd(f.findings.monthlySavings, f.unit)} a month across ${f.findings.count} findings.`);
    const actions = f.findings.top.slice(0, 3);
    if (actions.length) {
      lines.push('Top actions:');
      actions.forEach((a, i) =>
        lines.push(`${i + 1}. ${a.title}: ${formatUsd(a.monthlySavings, f.unit)} a month (${a.confidence} confidence).`),
      );
    }
  } else if (f.findings) {
    lines.push('No savings findings.');
  }
  if (f.missing.length) lines.push(`Incomplete: ${f.missing.join('; ')}.`);
  return lines.join('\n');
}

export function deterministicSummary(report: AnalysisReport): string {
  return deterministicSummaryFromFacts(reportFacts(report));
}

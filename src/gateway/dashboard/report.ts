/**
 * The report view: headline figures, what is missing (failed agents), executive summary, spend trend,
 * service breakdown, findings, tagging compliance, agents, the analysis's own cost, and exports.
 * Optional sections (summary, findings, forecast, tagging) appear when the report has them, so new
 * agents' output slots in without changing this page's structure.
 */
import { formatUsd } from '../../domain/money';
import type { AnalysisReport } from '../../domain/report';
import { analysisCost, hasFindings, missingAgents, readFindings, summaryText, totalSavings, usageLines } from '../../domain/report-export';
import { analysisPath, download } from './api';
import { serviceBreakdown, trendChart, type BandPoint } from './charts';
import { h, type Child } from './dom';
import { findingsSection } from './findings';

type Loose = Record<string, unknown>;

function isObject(value: unknown): value is Loose {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function pct(value: number | null): string {
  return value === null ? 'no previous data' : `${value >= 0 ? '+' : ''}${value.toFixed(1)}% vs previous period`;
}

function kpi(label: string, value: string, note: Child, id: string, tone = ''): HTMLElement {
  return h('div', { class: `kpi ${tone}`, id }, h('span', { class: 'kpi-label' }, label), h('span', { class: 'kpi-value num' }, value), h('span', { class: 'kpi-note' }, note));
}

/** A forecast band if the report carries one in a shape we can draw: points of {date, mean|amount, lower, upper}. */
function forecastBand(report: AnalysisReport): BandPoint[] {
  const forecast = (report as unknown as Loose).forecast;
  if (!isObject(forecast)) return [];
  const raw = [forecast.daily, forecast.points, forecast.series].find(Array.isArray) as unknown[] | undefined;
  if (!raw) return [];
  return raw.flatMap((p) => {
    if (!isObject(p) || typeof p.date !== 'string') return [];
    const mean = Number(p.mean ?? p.amount ?? p.value);
    const lower = Number(p.lower ?? p.low ?? mean);
    const upper = Number(p.upper ?? p.high ?? mean);
    return Number.isFinite(mean) ? [{ date: p.date, mean, lower, upper }] : [];
  });
}

/** Any object section we do not know yet, shown as a plain list of its simple values. */
function genericSection(title: string, id: string, value: unknown): HTMLElement | null {
  if (!isObject(value)) return null;
  const rows = Object.entries(value).filter(([, v]) => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean');
  if (rows.length === 0) return null;
  return h(
    'section',
    { class: 'panel', id },
    h('h3', {}, title),
    h('dl', { class: 'facts' }, rows.map(([k, v]) => [h('dt', {}, k.replace(/([a-z])([A-Z])/g, '$1 $2')), h('dd', {}, String(v))])),
  );
}

function exportsBar(report: AnalysisReport, onError: (message: string) => void): HTMLElement {
  const path = (query: string) => analysisPath(report.analysisId, `/report?${query}`);
  const button = (label: string, query: string, name: string, id: string) => {
    const el = h('button', { class: 'secondary', type: 'button', id, data: { href: path(query) } }, label);
    el.addEventListener('click', () => {
      download(path(query), name).catch((err: unknown) => onError(err instanceof Error ? err.message : String(err)));
    });
    return el;
  };
  return h(
    'div',
    { class: 'exports', role: 'group', aria: { label: 'Export the report' } },
    h('span', { class: 'muted' }, 'Export'),
    button('JSON', 'format=json', 'report.json', 'export-json'),
    button('Markdown', 'format=md', 'report.md', 'export-md'),
    button(hasFindings(report) ? 'CSV of findings' : 'CSV of spend', 'format=csv', 'report.csv', 'export-csv'),
  );
}

export function reportView(report: AnalysisReport, onError: (message: string) => void): HTMLElement {
  const { spend } = report;
  const findings = readFindings(report);
  const missing = missingAgents(report);
  const sections: Child[] = [];

  if (missing.length) {
    sections.push(
      h(
        'section',
        { class: 'panel warning', id: 'failures', role: 'alert' },
        h('h3', {}, `Partial report: ${missing.length} of ${report.agents.length} agents did not deliver`),
        h('p', {}, 'Everything below comes from the agents that did. What is missing, and why:'),
        h(
          'ul',
          {},
          missing.map((m) =>
            h('li', { data: { agent: m.agent, kind: m.kind } }, h('strong', {}, m.title), m.kind === 'skipped' ? ' (skipped)' : '', ': ', m.reason),
          ),
        ),
      ),
    );
  }

  const usage = usageLines(report);
  const cards = [
    kpi('Total spend', formatUsd(spend.total, spend.unit), pct(spend.changePct), 'kpi-total', spend.changePct !== null && spend.changePct > 0 ? 'up' : 'down'),
    kpi('Previous period', formatUsd(spend.previousTotal, spend.unit), `${report.previousPeriod.start} to ${report.previousPeriod.end}`, 'kpi-previous'),
  ];
  if (hasFindings(report)) {
    cards.push(kpi('Savings identified', `${formatUsd(totalSavings(findings), spend.unit)}`, `per month, ${findings.length} findings`, 'kpi-savings', 'good'));
  }
  cards.push(
    kpi(
      'Cost of this analysis',
      usage.length ? formatUsd(analysisCost(report)) : '—',
      usage.map((u) => `${u.label}: ${u.value}`).join(' · '),
      'kpi-cost',
    ),
  );
  sections.push(h('section', { class: 'kpis' }, cards));

  const summary = summaryText(report);
  if (summary) sections.push(h('section', { class: 'panel summary', id: 'summary' }, h('h3', {}, 'Executive summary'), summary.split(/\n{2,}/).map((p) => h('p', {}, p))));

  const coverage =
    spend.coverage === 'agent-services' ? 'Only the services of the agents that ran are counted.' : spend.coverage === 'none' ? 'No spend was read.' : '';
  sections.push(
    h(
      'section',
      { class: 'panel', id: 'trend' },
      h('h3', {}, 'Daily spend'),
      h('p', { class: 'muted' }, `${report.period.start} to ${report.period.end} (end exclusive)${spend.estimated ? '; some days are still estimated by AWS' : ''}. ${coverage}`),
      trendChart(spend.daily, spend.unit, forecastBand(report)),
    ),
    h('section', { class: 'panel', id: 'services' }, h('h3', {}, 'Spend by service'), serviceBreakdown(spend.byService, spend.unit)),
  );

  if (hasFindings(report)) {
    sections.push(findings.length ? findingsSection(findings, spend.unit) : h('section', { class: 'panel', id: 'findings' }, h('h3', {}, 'Findings'), h('p', {}, 'No savings opportunities were found.')));
  }
  const tagging = genericSection('Tagging compliance', 'tagging', (report as unknown as Loose).tagging);
  if (tagging) sections.push(tagging);
  const forecast = genericSection('Forecast', 'forecast', (report as unknown as Loose).forecast);
  if (forecast) sections.push(forecast);

  sections.push(
    h(
      'section',
      { class: 'panel', id: 'agents-report' },
      h('h3', {}, 'Agents'),
      h(
        'table',
        { class: 'table' },
        h('thead', {}, h('tr', {}, h('th', {}, 'Agent'), h('th', {}, 'Outcome'), h('th', { class: 'num' }, 'Spend'), h('th', {}, 'Note'))),
        h(
          'tbody',
          {},
          report.agents.map((a) =>
            h(
              'tr',
              { data: { agent: a.agent, status: a.status } },
              h('td', {}, a.title),
              h('td', {}, h('span', { class: `state ${a.status}` }, a.status)),
              h('td', { class: 'num' }, a.spend !== undefined ? formatUsd(a.spend, spend.unit) : '—'),
              h('td', { class: 'muted' }, a.reason ?? ''),
            ),
          ),
        ),
      ),
    ),
    exportsBar(report, onError),
  );
  return h('div', { class: 'report', id: 'report', data: { status: report.status } }, sections);
}

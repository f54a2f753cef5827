/**
 * The spend section: totals, groupings (service, account, Region, usage type, tag key), the daily view
 * (stacked by service when the report has it), calendar months as Cost Explorer counts them (UTC days,
 * end exclusive; a month the period covers only in part says so), and month to date against the same
 * days of last month.
 */
import Big from 'big.js';
import { addAmounts, ZERO } from '../domain/money';
import { addDays, daysOf, toEpochDay } from '../domain/period';
import type { AnalysisReport, SpendGrouping } from '../domain/report';
import { changeCell, col, emptySection, fact, moneyCell, section, table, text } from './cells';
import { change, date, money, month, period as periodText } from './format';
import type { ChartView, SectionView, TableView } from './model';

const DIMENSION_TITLES: Record<SpendGrouping['dimension'], string> = {
  service: 'service',
  account: 'account',
  region: 'Region',
  'usage-type': 'usage type',
  tag: 'tag',
};

/** The dimensions the spend section offers; each is a table, or says why it is missing. */
export const SPEND_DIMENSIONS = ['service', 'account', 'region', 'usage-type', 'tag'] as const;

function groupingTitle(g: Pick<SpendGrouping, 'dimension' | 'tagKey'>): string {
  return g.dimension === 'tag' ? `Spend by tag ${g.tagKey ?? ''}`.trim() : `Spend by ${DIMENSION_TITLES[g.dimension]}`;
}

function groupingId(g: Pick<SpendGrouping, 'dimension' | 'tagKey'>): string {
  return g.dimension === 'tag' ? `spend-by-tag-${(g.tagKey ?? '').replace(/[^A-Za-z0-9-]+/g, '-').toLowerCase()}` : `spend-by-${g.dimension}`;
}

function groupingTable(g: SpendGrouping, unit: string, max = 50): TableView {
  const label = g.dimension === 'tag' ? `${g.tagKey ?? 'Tag'} value` : DIMENSION_TITLES[g.dimension][0]!.toUpperCase() + DIMENSION_TITLES[g.dimension].slice(1);
  const rows = g.lines.slice(0, max).map((l) => ({
    key: text(g.dimension === 'tag' && l.key === '' ? `(no ${g.tagKey ?? 'tag'})` : l.key),
    amount: moneyCell(l.amount, unit),
    ...(g.periodOnly ? {} : { previous: moneyCell(l.previousAmount ?? '0', unit), change: changeCell(l.changePct ?? null) }),
  }));
  return table(
    groupingId(g),
    groupingTitle(g),
    [
      col('key', label),
      col('amount', 'Spend', true),
      ...(g.periodOnly ? [] : [col('previous', 'Previous period', true), col('change', 'Change', true)]),
    ],
    rows,
    { ...(g.lines.length > max ? { more: `…and ${g.lines.length - max} more (JSON export)` } : {}), empty: 'No spend in this period.' },
  );
}

/** Calendar months the period touches, with the spend counted in each and whether the period covers it whole. */
export function monthlyRows(daily: readonly { date: string; amount: string }[], p: { start: string; end: string }): { month: string; amount: string; days: number; monthDays: number }[] {
  const months = new Map<string, { amount: string; days: number }>();
  for (const day of daysOf(p)) {
    const key = day.slice(0, 7);
    const m = months.get(key) ?? { amount: ZERO, days: 0 };
    m.days++;
    months.set(key, m);
  }
  for (const d of daily) {
    const m = months.get(d.date.slice(0, 7));
    if (m) m.amount = addAmounts(m.amount, d.amount);
  }
  return [...months].map(([key, m]) => {
    const first = `${key}-01`;
    const next = addDays(first, 32).slice(0, 7);
    return { month: key, amount: m.amount, days: m.days, monthDays: toEpochDay(`${next}-01`) - toEpochDay(first) };
  });
}

function dailyChart(report: AnalysisReport): ChartView {
  const { spend } = report;
  const stacked = spend.dailyByService;
  if (stacked && stacked.days.length) {
    return {
      kind: 'stacked',
      id: 'spend-daily',
      title: 'Daily spend by service',
      unit: spend.unit,
      categories: stacked.days.map((d) => d.date),
      series: stacked.keys.map((name, i) => ({ name, values: stacked.days.map((d) => Number(d.amounts[i] ?? 0)) })),
    };
  }
  return {
    kind: 'stacked',
    id: 'spend-daily',
    title: 'Daily spend',
    unit: spend.unit,
    categories: spend.daily.map((d) => d.date),
    series: [{ name: 'Total', values: spend.daily.map((d) => Number(d.amount)) }],
  };
}

export function spendSection(report: AnalysisReport): SectionView {
  const { spend } = report;
  const unit = spend.unit;
  if (spend.coverage === 'none') {
    return emptySection('spend', 'Spend', 'No spend was read: no agent that reads Cost Explorer delivered (see the notes).');
  }
  const notes: string[] = [];
  if (spend.coverage === 'agent-services') notes.push('Only the services of the agents that ran are counted, not the whole bill.');
  if (spend.estimated) notes.push('Some days are still estimated by AWS and may change.');
  notes.push(
    `Periods are calendar days in UTC, end exclusive, as Cost Explorer counts them. The previous period is the ${periodText(report.previousPeriod)} before.`,
  );

  const tables: TableView[] = [];
  const groupings: SpendGrouping[] = [
    { dimension: 'service', lines: spend.byService.map((l) => ({ ...l, key: l.service })) },
    ...(spend.groupings ?? []).filter((g) => g.dimension !== 'service'),
  ];
  for (const g of groupings) tables.push(groupingTable(g, unit));
  const missing = SPEND_DIMENSIONS.filter((d) => !groupings.some((g) => g.dimension === d));
  if (missing.length) {
    notes.push(
      `Spend by ${missing.map((d) => DIMENSION_TITLES[d]).join(', ')} is not in this report: ${
        spend.coverage === 'whole-bill' ? 'the agents that read the bill did not group it that way' : 'only the agents\' own services were read'
      }.`,
    );
  }

  const months = monthlyRows(spend.daily, report.period);
  tables.push(
    table(
      'spend-monthly',
      'Spend by calendar month',
      [col('month', 'Month'), col('amount', 'Spend', true), col('covered', 'Days counted', true)],
      months.map((m) => ({
        month: text(month(m.month)),
        amount: moneyCell(m.amount, unit),
        covered: { text: m.days === m.monthDays ? `all ${m.monthDays}` : `${m.days} of ${m.monthDays}`, value: m.days },
      })),
    ),
  );

  const facts = [
    fact('total', 'Total spend', moneyCell(spend.total, unit), { note: periodText(report.period) }),
    fact('previous', 'Previous period', moneyCell(spend.previousTotal, unit), { note: periodText(report.previousPeriod) }),
    fact('change', 'Change', { text: `${new Big(spend.change).gte(0) ? '+' : ''}${money(spend.change, unit)} (${change(spend.changePct)})`, value: spend.change }, {
      tone: spend.changePct !== null && spend.changePct > 0 ? 'bad' : 'good',
    }),
  ];
  const mtd = spend.monthToDate;
  if (mtd) {
    facts.push(
      fact('month-to-date', `${month(mtd.month)} to date`, moneyCell(mtd.amount, unit), {
        note: `1–${Number(mtd.through.slice(8))} ${month(mtd.month)}, against ${money(mtd.previousAmount, unit)} over the same days of ${month(mtd.previousMonth)} (${change(mtd.changePct)})`,
        tone: mtd.changePct !== null && mtd.changePct > 0 ? 'bad' : 'good',
      }),
    );
    tables.push(
      table(
        'spend-month-to-date',
        'Month to date against the same days of last month',
        [col('month', 'Month'), col('days', 'Days', true), col('amount', 'Spend', true)],
        [
          { month: text(`${month(mtd.month)} (to ${date(mtd.through)})`), days: { text: String(mtd.days), value: mtd.days }, amount: moneyCell(mtd.amount, unit) },
          { month: text(`${month(mtd.previousMonth)} (same days)`), days: { text: String(mtd.days), value: mtd.days }, amount: moneyCell(mtd.previousAmount, unit) },
        ],
      ),
    );
  } else {
    notes.push('Month to date is not in this report: the analysis did not read the current month.');
  }
  return section('spend', 'Spend', { facts, tables, charts: [dailyChart(report)], notes });
}

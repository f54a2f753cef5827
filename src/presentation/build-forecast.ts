/** The forecast section (band, backtest against the naive baseline, budgets) and the anomalies section. */
import type { AnalysisReport } from '../domain/report';
import { absence, changeCell, col, countCell, emptySection, fact, moneyCell, percentCell, section, table, text } from './cells';
import { date, money, month, number, percent, plural } from './format';
import type { ChartView, Fact, SectionView, TableView } from './model';

export function forecastSection(report: AnalysisReport): SectionView {
  const f = report.forecast;
  if (!f) return emptySection('forecast', 'Forecast', absence(report, 'forecasting', 'forecast'));
  const unit = report.spend.unit;
  const level = `${Math.round(f.intervalLevel * 100)}%`;
  const facts: Fact[] = [
    fact('forecast-total', `Next ${plural(f.horizonDays, 'day')}`, moneyCell(f.total.mean, unit), {
      note: f.total.lower && f.total.upper ? `${level} range ${money(f.total.lower, unit)} – ${money(f.total.upper, unit)}, from ${date(f.asOf)}` : `from ${date(f.asOf)}`,
    }),
  ];
  if (f.costExplorer) {
    facts.push(
      fact('forecast-cost-explorer', "Cost Explorer's forecast", moneyCell(f.costExplorer.total.mean, unit), {
        ...(f.difference ? { note: `ours differs by ${money(f.difference.amount, unit)}${f.difference.pct === null ? '' : ` (${number(f.difference.pct, 1)}%)`}` } : {}),
      }),
    );
  }
  const notes = [...(f.notes ?? [])];
  if (f.backtest) {
    const b = f.backtest;
    const better = b.mape <= b.naiveMape;
    facts.push(
      fact('backtest-error', 'Backtest error (MAPE)', percentCell(b.mape), {
        note: `naive baseline ${percent(b.naiveMape)}: ${better ? 'the model beats it' : 'the baseline does better'}`,
        tone: better ? 'good' : 'bad',
      }),
      fact('backtest-naive', 'Naive baseline error (MAPE)', percentCell(b.naiveMape), { note: b.baseline }),
      fact('backtest-coverage', `Days inside the ${Math.round(b.intervalLevel * 100)}% band`, percentCell(b.coverage * 100), {
        note: `${b.holdoutDays} held-out days after ${b.trainingDays} days of training; total off by ${number(b.totalErrorPct, 1)}%`,
      }),
    );
  } else {
    notes.push('No backtest: the history is too short to hold days out.');
  }
  const tables: TableView[] = [];
  if (f.budget) {
    const b = f.budget;
    facts.push(
      fact('month-projected', `${month(b.month)} projected`, moneyCell(b.projected, unit), {
        note: `${money(b.monthToDate, unit)} so far; ${level} range ${money(b.projectedLower, unit)} – ${money(b.projectedUpper, unit)}`,
      }),
      fact('suggested-budget', 'Suggested monthly budget', moneyCell(b.suggestedMonthlyBudget, unit), { note: b.suggestionBasis }),
    );
    tables.push(
      table(
        'budgets',
        'Budgets',
        [col('name', 'Budget'), col('account', 'Account'), col('limit', 'Limit', true), col('projected', 'Projected', true), col('status', 'Status')],
        (b.budgets ?? []).map((s) => ({
          name: text(s.name),
          account: text(s.account),
          limit: moneyCell(s.limit, unit),
          projected: s.projected !== undefined ? moneyCell(s.projected, unit) : { text: '—', value: null },
          status: text(s.status === 'at-risk' ? 'at risk' : s.status),
        })),
        { empty: 'No budgets are configured in AWS Budgets for these accounts.' },
      ),
    );
    notes.push(...(b.notes ?? []));
  }
  tables.push(
    table(
      'forecast-by-service',
      `Next ${plural(f.horizonDays, 'day')} by service`,
      [col('service', 'Service'), col('last', `Last ${f.horizonDays} days`, true), col('next', 'Forecast', true), col('change', 'Change', true)],
      (f.byService ?? []).map((s) => ({ service: text(s.service), last: moneyCell(s.last, unit), next: moneyCell(s.next, unit), change: changeCell(s.changePct) })),
    ),
  );
  const chart: ChartView = {
    kind: 'band',
    id: 'forecast-band',
    title: `Daily spend and the forecast (${level} band)`,
    unit,
    history: report.spend.daily.map((d) => ({ date: d.date, value: Number(d.amount) })),
    forecast: (f.daily ?? []).map((p) => ({ date: p.date, mean: Number(p.mean), lower: Number(p.lower ?? p.mean), upper: Number(p.upper ?? p.mean) })),
    ...(f.costExplorer?.daily.length ? { reference: f.costExplorer.daily.map((p) => ({ date: p.date, value: Number(p.mean) })) } : {}),
  };
  notes.push(`Method: ${f.method}.`);
  return section('forecast', 'Forecast', { facts, tables, charts: [chart], notes });
}

export function anomaliesSection(report: AnalysisReport): SectionView {
  const f = report.forecast;
  if (!f) return emptySection('anomalies', 'Anomalies', absence(report, 'forecasting', 'anomaly detection'));
  const unit = report.spend.unit;
  const history = `${date(f.history.start)} – ${date(f.history.end)}`;
  const anomalies = f.anomalies ?? [];
  const awsAnomalies = f.costExplorerAnomalies ?? [];
  if (anomalies.length === 0 && awsAnomalies.length === 0) {
    return emptySection('anomalies', 'Anomalies', `No unusual days in ${plural(f.history.days, 'day')} of history (${history}), and none from Cost Anomaly Detection.`);
  }
  const rows = anomalies.map((a) => ({
    when: text(a.start === a.end ? date(a.start) : `${date(a.start)} – ${date(a.end)}`),
    kind: text(a.kind === 'level-shift' ? 'level shift' : 'spike'),
    days: countCell(a.days),
    actual: moneyCell(a.actual, unit),
    expected: moneyCell(a.expected, unit),
    impact: { text: `${money(a.impact, unit)} (${percent(a.impactPct)})`, value: a.impact },
    service: text(a.service ?? 'all services'),
    drivers: text((a.drivers ?? []).map((d) => `${d.key} (${d.dimension}) ${money(d.delta, unit)}, ${percent(d.share * 100, 0)}`).join('; ') || '—'),
    aws: text(a.costExplorerAnomalyId ? 'also seen' : '—'),
  }));
  const drivers = anomalies.flatMap((a) =>
    (a.drivers ?? []).map((d) => ({
      anomaly: text(a.start === a.end ? date(a.start) : `${date(a.start)} – ${date(a.end)}`),
      dimension: text(d.dimension),
      key: text(d.key),
      actual: moneyCell(d.actual, unit),
      expected: moneyCell(d.expected, unit),
      delta: moneyCell(d.delta, unit),
      share: percentCell(d.share * 100, 0),
    })),
  );
  const tables = [
    table(
      'anomalies',
      'Unusual days',
      [
        col('when', 'When'),
        col('kind', 'Kind'),
        col('days', 'Days', true),
        col('actual', 'Actual', true),
        col('expected', 'Expected', true),
        col('impact', 'Impact', true),
        col('service', 'Seen in'),
        col('drivers', 'Drivers'),
        col('aws', 'Cost Anomaly Detection'),
      ],
      rows,
      { empty: `Our model saw no unusual days in ${history}.` },
    ),
    table(
      'anomaly-drivers',
      'What drove them',
      [col('anomaly', 'Anomaly'), col('dimension', 'Dimension'), col('key', 'Driver'), col('actual', 'Actual', true), col('expected', 'Expected', true), col('delta', 'Rise', true), col('share', 'Share of the rise', true)],
      drivers,
      { empty: 'No drivers were found for these anomalies.' },
    ),
    table(
      'cost-explorer-anomalies',
      'Cost Anomaly Detection',
      [col('when', 'When'), col('where', 'Monitor value'), col('impact', 'Impact', true), col('causes', 'Root causes'), col('matched', 'Matches ours')],
      awsAnomalies.map((a) => ({
        when: text(a.end && a.end !== a.start ? `${date(a.start)} – ${date(a.end)}` : date(a.start)),
        where: text(a.dimensionValue ?? '—'),
        impact: moneyCell(String(a.totalImpact), unit),
        causes: text((a.rootCauses ?? []).map((c) => [c.service, c.account, c.region, c.usageType].filter(Boolean).join(' / ')).join('; ') || '—'),
        matched: text(a.matched ? 'yes' : 'no'),
      })),
      { empty: 'Cost Anomaly Detection reported none for these days.' },
    ),
  ];
  const impact = anomalies.reduce((sum, a) => sum + Number(a.impact), 0);
  return section('anomalies', 'Anomalies', {
    facts: [
      fact('anomaly-count', 'Unusual periods', countCell(anomalies.length), { note: `in ${history}` }),
      fact('anomaly-impact', 'Spend above expectation', moneyCell(impact.toFixed(2), unit)),
      fact('anomaly-aws', 'Cost Anomaly Detection', countCell(awsAnomalies.length), { note: `${awsAnomalies.filter((a) => a.matched).length} match ours` }),
    ],
    tables,
  });
}

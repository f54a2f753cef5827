/**
 * The finding states in the report view (the findings section): who accepted or finished what, the
 * dismissed findings listed apart with their reasons (out of the count and the total), and the findings
 * marked done with their estimated against realised savings. Built once here; every surface renders it.
 */
import { addAmounts, multiplyAmount, ZERO } from '../domain/money';
import type { FindingStatesSection } from '../domain/finding-states';
import { COST_EXPLORER_REQUEST_PRICE, type AnalysisReport } from '../domain/report';
import { col, countCell, fact, moneyCell, none, table, text } from './cells';
import { date, plural } from './format';
import type { Fact, TableView } from './model';

/** The parts the findings section adds when the analysis applied finding states. */
export function statesParts(report: AnalysisReport): { facts: Fact[]; tables: TableView[]; notes: string[] } | undefined {
  const states: FindingStatesSection | undefined = report.findingStates;
  if (!states || typeof states !== 'object') return undefined;
  const unit = report.spend.unit;
  const dismissed = Array.isArray(states.dismissed) ? states.dismissed : [];
  const done = Array.isArray(states.done) ? states.done : [];
  const withRealised = done.filter((d) => d.realised);
  const facts: Fact[] = [
    fact('dismissed-count', 'Dismissed', countCell(dismissed.length), {
      note: `${moneyCell(states.dismissedMonthlySavings ?? ZERO, unit).text} a month, not counted`,
    }),
    fact('accepted-count', 'Accepted', countCell(states.accepted ?? 0)),
    fact('done-count', 'Marked done', countCell(done.length), {
      note: `${done.filter((d) => d.stillPresent).length} still present`,
    }),
  ];
  if (withRealised.length) {
    facts.push(
      fact('realised-savings', 'Realised savings', moneyCell(states.realisedMonthlySavings, unit), {
        note: `per month, against ${moneyCell(states.estimatedMonthlySavings, unit).text} estimated for ${plural(withRealised.length, 'finding')}`,
        tone: 'good',
      }),
    );
  }
  const dismissedTable = table(
    'findings-dismissed',
    'Dismissed: not counted in the total or the ranking',
    [
      col('savings', 'Savings / month', true),
      col('resource', 'Resource'),
      col('where', 'Account / Region'),
      col('title', 'Finding'),
      col('reason', 'Reason'),
      col('snoozeUntil', 'Snoozed until'),
      col('by', 'Dismissed by'),
      col('findingId', 'Finding id'),
    ],
    dismissed.map((d) => ({
      savings: moneyCell(d.finding.monthlySavings, unit),
      resource: text(d.finding.resource.id),
      where: text([d.finding.resource.account, d.finding.resource.region].filter(Boolean).join(' / ')),
      title: text(d.finding.title),
      reason: text(d.reason),
      snoozeUntil: d.snoozeUntil ? { text: date(d.snoozeUntil), value: d.snoozeUntil } : none,
      by: text(`${d.by} on ${date(d.at.slice(0, 10))}`),
      findingId: text(d.finding.id),
    })),
    { empty: 'Nothing is dismissed.' },
  );
  const doneTable = table(
    'findings-done',
    'Marked done: estimated against realised savings',
    [
      col('resource', 'Resource'),
      col('title', 'Finding'),
      col('status', 'Now'),
      col('estimated', 'Estimated / month', true),
      col('realised', 'Realised / month', true),
      col('evidence', 'Evidence'),
      col('days', 'Days of data', true),
      col('by', 'Marked done by'),
    ],
    done.map((d) => ({
      resource: text(d.resourceId),
      title: text(d.title),
      status: text(d.stillPresent ? 'marked done, still present' : 'resolved: no longer found'),
      estimated: moneyCell(d.estimatedMonthlySavings, unit),
      realised: d.realised ? moneyCell(d.realised.monthlySavings, unit) : none,
      evidence: text(d.realised?.evidence ?? (d.stillPresent ? 'the finding is still found: nothing realised yet' : 'no resource-level cost data')),
      days: d.realised ? countCell(d.realised.daysBefore + d.realised.daysAfter) : none,
      by: text(`${d.by} on ${date(d.at.slice(0, 10))}`),
    })),
    { empty: 'Nothing is marked done.' },
  );
  const notes = dismissed.length
    ? [`${plural(dismissed.length, 'dismissed finding')} (${moneyCell(addAmounts(ZERO, ...dismissed.map((d) => d.finding.monthlySavings)), unit).text} a month) left out of the count, the total and the ranking.`]
    : [];
  if (states.costExplorerRequests) {
    notes.push(
      `Realised savings read from Cost Explorer's resource-level data (the last 14 days): ${plural(states.costExplorerRequests, 'request')}, ${moneyCell(multiplyAmount(COST_EXPLORER_REQUEST_PRICE, states.costExplorerRequests)).text}.`,
    );
  }
  return { facts, tables: [dismissedTable, doneTable], notes };
}

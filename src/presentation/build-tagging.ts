/** The tagging compliance section (by count and by spend, worst offenders, the policy to download) and the commitments section. */
import Big from 'big.js';
import type { ComplianceCount, SpendSplit } from '../domain/checks/tagging';
import type { CommitmentFigures, CommitmentsSummary } from '../domain/checks/commitments';
import type { AnalysisReport } from '../domain/report';
import { absence, col, countCell, emptySection, fact, moneyCell, percentCell, section, table, text } from './cells';
import { date, money, number, plural } from './format';
import type { ChartView, Fact, SectionView, TableView } from './model';

function countText(c: ComplianceCount): string {
  return `${number(c.compliant, 0)} of ${number(c.resources, 0)}`;
}

/** Groups (account, service, owner) by lowest compliance first: the worst offenders. */
function worst(byCount: Record<string, ComplianceCount>, bySpend: Record<string, SpendSplit> | undefined, unit: string, label: string, id: string, caption: string): TableView {
  const keys = [...new Set([...Object.keys(byCount), ...Object.keys(bySpend ?? {})])];
  const rows = keys
    .map((key) => ({ key, count: byCount[key], spend: bySpend?.[key] }))
    .sort(
      (a, b) =>
        new Big(b.spend?.nonCompliant ?? 0).cmp(a.spend?.nonCompliant ?? 0) ||
        (a.count?.compliantPct ?? 100) - (b.count?.compliantPct ?? 100) ||
        a.key.localeCompare(b.key),
    );
  return table(
    id,
    caption,
    [col('key', label), col('resources', 'Compliant resources', true), col('countPct', 'By count', true), col('nonCompliant', 'Non-compliant spend', true), col('spendPct', 'By spend', true)],
    rows.slice(0, 20).map((r) => ({
      key: text(r.key),
      resources: r.count ? { text: countText(r.count), value: r.count.compliant } : { text: '—', value: null },
      countPct: percentCell(r.count?.compliantPct),
      nonCompliant: r.spend ? moneyCell(r.spend.nonCompliant, unit) : { text: '—', value: null },
      spendPct: percentCell(r.spend?.compliantPct),
    })),
    rows.length > 20 ? { more: `…and ${rows.length - 20} more (JSON export)` } : {},
  );
}

export function taggingSection(report: AnalysisReport): SectionView {
  const t = report.tagging;
  if (!t) return emptySection('tagging', 'Tagging compliance', absence(report, 'tagging', 'tagging compliance'));
  const unit = t.bySpend?.unit ?? report.spend.unit;
  const total = t.byCount.total;
  const facts: Fact[] = [
    fact('compliance-count', 'Compliant by count', percentCell(total.compliantPct), {
      note: `${countText(total)} resources`,
      tone: total.compliantPct >= 90 ? 'good' : 'bad',
    }),
  ];
  const notes: string[] = [];
  if (t.bySpend) {
    const s = t.bySpend.total;
    facts.push(
      fact('compliance-spend', 'Compliant by spend', percentCell(s.compliantPct), {
        note: `${money(s.compliant, unit)} of ${money(s.total, unit)}; ${money(s.nonCompliant, unit)} not attributable`,
        tone: s.compliantPct >= 90 ? 'good' : 'bad',
      }),
    );
  } else {
    notes.push('Compliance by spend is missing: Cost Explorer could not be read grouped by tag (see the notes).');
  }
  facts.push(
    fact('non-compliant', 'Non-compliant resources', countCell(t.nonCompliantResources), {
      note: `${number(t.byCount.suggestions, 0)} with a value we can suggest`,
    }),
  );
  const keys = t.policy.keys.map((k) => k.key);
  const keyRows = keys.map((key) => {
    const c = t.byCount.byKey[key] ?? { missing: 0, fixable: 0, invalid: 0, ok: 0 };
    const s = t.bySpend?.byKey[key];
    const keyTotal = c.missing + c.fixable + c.invalid + c.ok;
    return {
      key: text(key),
      ok: countCell(c.ok),
      missing: countCell(c.missing),
      fixable: countCell(c.fixable),
      invalid: countCell(c.invalid),
      okPct: percentCell(keyTotal ? (c.ok / keyTotal) * 100 : undefined),
      validSpend: s ? moneyCell(s.valid, unit) : { text: '—', value: null },
      untaggedSpend: s ? moneyCell(new Big(s.untagged).plus(s.wrongKey).toString(), unit) : { text: '—', value: null },
      fixableSpend: s ? moneyCell(new Big(s.fixable).plus(s.invalid).toString(), unit) : { text: '—', value: null },
    };
  });
  const tables: TableView[] = [
    table(
      'tagging-by-key',
      'By tag key',
      [
        col('key', 'Key'),
        col('ok', 'Valid', true),
        col('missing', 'Missing', true),
        col('fixable', 'Fixable', true),
        col('invalid', 'Invalid', true),
        col('okPct', 'Valid share', true),
        col('validSpend', 'Spend tagged validly', true),
        col('fixableSpend', 'Spend with a wrong value', true),
        col('untaggedSpend', 'Spend without the key', true),
      ],
      keyRows,
    ),
    worst(t.byCount.byAccount, t.bySpend?.byAccount, unit, 'Account', 'tagging-by-account', 'Worst accounts'),
    worst(t.byCount.byService, t.bySpend?.byService, unit, 'Service', 'tagging-by-service', 'Worst services'),
    worst(t.byCount.byOwner, t.bySpend?.byOwner, unit, `${t.policy.ownerKey}`, 'tagging-by-owner', `Worst by ${t.policy.ownerKey}`),
    table(
      'tagging-examples',
      'Non-compliant resources (first examples)',
      [col('resource', 'Resource'), col('type', 'Type'), col('where', 'Account / Region'), col('problems', 'What is wrong')],
      t.examples.map((r) => ({
        resource: text(r.name && r.name !== r.id ? `${r.name} (${r.id})` : r.id),
        type: text(r.type),
        where: text(`${r.account} / ${r.region}`),
        problems: text(
          r.problems
            .map((p) => `${p.key}: ${p.kind.replace(/-/g, ' ')}${p.foundValue !== undefined ? ` "${p.foundValue}"` : ''}${p.suggestedValue !== undefined ? ` → ${p.suggestedValue}` : ''}`)
            .join('; '),
        ),
      })),
      {
        empty: 'Every resource follows the policy.',
        ...(t.nonCompliantResources > t.examples.length ? { more: `…and ${t.nonCompliantResources - t.examples.length} more (the findings list has them all)` } : {}),
      },
    ),
  ];
  const chart: ChartView = {
    kind: 'percent-bars',
    id: 'tagging-compliance',
    title: 'Compliance by tag key',
    categories: keys,
    series: [
      { name: 'By count', values: keyRows.map((r) => Number(r.okPct.value ?? 0)) },
      ...(t.bySpend
        ? [
            {
              name: 'By spend',
              values: keys.map((k) => {
                const s = t.bySpend!.byKey[k];
                const sum = s ? new Big(s.valid).plus(s.fixable).plus(s.invalid).plus(s.wrongKey).plus(s.untagged) : new Big(0);
                return s && sum.gt(0) ? Number(new Big(s.valid).div(sum).times(100).round(1).toString()) : 0;
              }),
            },
          ]
        : []),
    ],
  };
  notes.push(`Policy keys: ${keys.join(', ')}; owner key ${t.policy.ownerKey}; enforced for ${t.policy.enforcedFor.join(', ')}.`);
  return section('tagging', 'Tagging compliance', {
    facts,
    tables,
    charts: [chart],
    notes,
    attachments: [
      {
        id: 'tag-policy',
        label: 'Download the AWS Organizations tag policy',
        fileName: 'tag-policy.json',
        mediaType: 'application/json',
        content: `${JSON.stringify(t.organizationsPolicy, null, 2)}\n`,
      },
    ],
  });
}

const WINDOWS = [30, 60, 90] as const;

/** The kinds of commitment the section states a coverage and a utilisation for, with their fact ids and labels. */
const KIND_FACTS: readonly { kind: keyof CommitmentFigures; id: string; label: string }[] = [
  { kind: 'savingsPlans', id: 'sp', label: 'Savings Plans' },
  { kind: 'ec2Reservations', id: 'ec2-ri', label: 'EC2 Reserved Instances' },
  { kind: 'rdsReservations', id: 'rds-ri', label: 'RDS Reserved Instances' },
];
/** Reports stored before reservations were measured per service carry one figure for EC2 and RDS together. */
const COMBINED_RESERVATIONS = { kind: 'reservations', id: 'ri', label: 'Reserved Instances (EC2 and RDS together)' } as const;

/**
 * Savings Plans and each service's reservations; a report stored before the split (only the combined
 * reservations figure) shows that figure, labelled for what it is, instead of the per-service ones.
 */
function commitmentKindsOf(c: CommitmentsSummary): readonly { kind: keyof CommitmentFigures; id: string; label: string }[] {
  const perService = (['ec2Reservations', 'rdsReservations'] as const).some(
    (k) => c.coverage[k] !== undefined || c.utilisation[k] !== undefined || c.held?.[k] !== undefined,
  );
  return [...(perService || !hasCombinedReservations(c) ? KIND_FACTS : KIND_FACTS.slice(0, 1)), ...(hasCombinedReservations(c) ? [COMBINED_RESERVATIONS] : [])];
}

function hasCombinedReservations(c: CommitmentsSummary): boolean {
  return c.coverage.reservations !== undefined || c.utilisation.reservations !== undefined || c.held?.reservations !== undefined;
}

export function commitmentsSection(report: AnalysisReport): SectionView {
  const c = report.commitments;
  if (!c) {
    return emptySection(
      'commitments',
      'Commitments',
      report.agents.some((a) => a.agent === 'ec2' || a.agent === 'rds')
        ? 'No commitments data: neither the EC2 nor the RDS agent delivered Savings Plans or Reserved Instance figures (see the notes).'
        : 'No commitments data: the EC2 and RDS agents were not part of this analysis.',
    );
  }
  const unit = report.spend.unit;
  const pct = (v: number | undefined) => (v === undefined ? { text: 'not available', value: null } : percentCell(v));
  // Nothing held: nothing to utilise (and Cost Explorer was not asked, see the notes).
  const use = (kind: keyof CommitmentFigures) =>
    c.utilisation[kind] === undefined && c.held?.[kind] === 0 ? { text: 'no commitments', value: null } : pct(c.utilisation[kind]);
  const kinds = commitmentKindsOf(c);
  const facts: Fact[] = [
    ...kinds.map((k) => fact(`${k.id}-coverage`, `${k.label} coverage`, pct(c.coverage[k.kind]))),
    ...kinds.map((k) => fact(`${k.id}-utilisation`, `${k.label} utilisation`, use(k.kind))),
    fact('recommendations', 'Purchase recommendations', moneyCell(c.monthlySavings, unit), { note: `${plural(c.count, 'recommendation')}, per month` }),
    ...WINDOWS.map((days) => {
      const n = c.expiring.filter((e) => e.daysLeft <= days).length;
      return fact(`expiring-${days}`, `Expiring within ${days} days`, countCell(n), { tone: n > 0 ? ('bad' as const) : ('neutral' as const) });
    }),
  ];
  if (c.reservationCandidates) {
    facts.push(
      fact('reservation-candidates', 'Databases to reserve', countCell(c.reservationCandidates.count), {
        note: `${money(c.reservationCandidates.monthlyOnDemand, unit)}/month on demand`,
      }),
    );
  }
  const expiring = [...c.expiring].sort((a, b) => a.daysLeft - b.daysLeft || a.id.localeCompare(b.id));
  const tables = [
    table(
      'commitments-expiring',
      'Reservations expiring in the next 90 days',
      [col('window', 'Within'), col('id', 'Reservation'), col('service', 'Service'), col('type', 'Type'), col('count', 'Count', true), col('where', 'Account / Region'), col('end', 'Ends'), col('left', 'Days left', true)],
      expiring.map((e) => ({
        window: text(`${WINDOWS.find((w) => e.daysLeft <= w) ?? 90} days`),
        id: text(e.id),
        service: text(e.service),
        type: text(e.type),
        count: countCell(e.count),
        where: text(`${e.account} / ${e.region}`),
        end: text(date(e.end.slice(0, 10))),
        left: countCell(e.daysLeft),
      })),
      { empty: 'No reservation expires in the next 90 days.' },
    ),
    table(
      'commitments-recommendations',
      'Purchase recommendations',
      [col('offering', 'Offering'), col('scope', 'Scope'), col('where', 'Account / Region'), col('term', 'Term and payment'), col('commit', 'Commitment', true), col('upfront', 'Upfront', true), col('savings', 'Saves per month', true), col('savingsPct', 'Saves', true)],
      c.recommendations.map((r) => ({
        offering: text(r.offering),
        scope: text(r.scope ?? '—'),
        where: text(`${r.account}${r.region ? ` / ${r.region}` : ''}`),
        term: text(`${r.term}, ${r.payment}`),
        commit: r.hourlyCommitment !== undefined ? { text: `${money(r.hourlyCommitment, unit)}/hour`, value: r.hourlyCommitment } : r.quantity !== undefined ? { text: `${r.quantity} instance(s)`, value: r.quantity } : { text: '—', value: null },
        upfront: moneyCell(r.upfrontCost, unit),
        savings: moneyCell(r.monthlySavings, unit),
        savingsPct: percentCell(r.savingsPercent),
      })),
      {
        empty: 'Cost Explorer recommends no purchase for this usage.',
        ...(c.count > c.recommendations.length ? { more: `…and ${c.count - c.recommendations.length} more (JSON export)` } : {}),
      },
    ),
  ];
  return section('commitments', 'Commitments', {
    facts,
    tables,
    notes: [
      ...c.notes,
      ...(hasCombinedReservations(c)
        ? ['Reserved Instances: this report was made before EC2 and RDS reservations were measured apart, so it has one figure for both (EC2\'s when both held reservations).']
        : []),
      `Commitment savings are not added to the findings' total: Cost Explorer sizes them on past usage, idle instances included. Act on the findings first, then buy for what is left.`,
    ],
  });
}

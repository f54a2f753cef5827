/**
 * The report view as CSV: the findings (one row each, evidence labelled) or spend by service, as the
 * gateway's `?format=csv&table=` offers; or every table of every section in one file (`all`), each
 * row tagged with its section and table. Numbers are plain decimals; text that a spreadsheet would run
 * as a formula is defused.
 */
import { subtractAmounts } from '../domain/money';
import type { ReportView } from './model';

/** The CSV exports: the findings, spend by service, or every section's figures and tables (`all`). */
export const CSV_TABLES = ['findings', 'spend', 'all'] as const;
export type CsvTable = (typeof CSV_TABLES)[number];

/**
 * One CSV field (RFC 4180). Text cells that a spreadsheet would run as a formula (=, +, -, @, tab, CR)
 * get a leading apostrophe; numeric columns are written as plain decimals.
 */
export function csvField(value: string, kind: 'text' | 'number' = 'text'): string {
  let v = value;
  if (kind === 'text' && /^[=+\-@\t\r]/.test(v)) v = `'${v}`;
  return /[",\r\n]/.test(v) || v !== v.trim() ? `"${v.replace(/"/g, '""')}"` : v;
}

export const FINDINGS_CSV_COLUMNS = [
  'rank',
  'monthly_savings',
  'currency',
  'agent',
  'check',
  'action',
  'confidence',
  'account',
  'region',
  'resource_type',
  'resource_id',
  'resource_name',
  'title',
  'evidence',
  'command',
  'sources',
  'tags',
  'finding_id',
  'state',
] as const;

export const SPEND_CSV_COLUMNS = ['service', 'amount', 'previous_amount', 'change', 'change_pct', 'currency', 'period_start', 'period_end'] as const;

export const ALL_CSV_COLUMNS = ['section', 'table', 'row', 'column', 'value', 'text'] as const;

const lines = (rows: string[][]) => `${rows.map((r) => r.join(',')).join('\r\n')}\r\n`;

export function findingsCsv(view: ReportView): string {
  return lines([
    [...FINDINGS_CSV_COLUMNS],
    ...view.findings.map((f) => [
      csvField(String(f.rank), 'number'),
      csvField(f.monthlySavings, 'number'),
      csvField(f.unit),
      csvField(f.agent),
      csvField(f.check),
      csvField(f.action),
      csvField(f.confidence),
      csvField(f.account),
      csvField(f.region),
      csvField(f.resourceType),
      csvField(f.resourceId),
      csvField(f.resourceName),
      csvField(f.title),
      csvField(f.evidence),
      csvField(f.command),
      csvField(f.sources.join(';')),
      csvField(f.tags.map(([k, v]) => `${k}=${v}`).join(';')),
      csvField(f.id),
      csvField(f.stateText ?? ''),
    ]),
  ]);
}

/** Spend by service over the period, from the spend section's service table. */
export function spendCsv(view: ReportView, period: { start: string; end: string }): string {
  const spend = view.sections.find((s) => s.id === 'spend');
  const t = spend?.tables.find((x) => x.id === 'spend-by-service');
  return lines([
    [...SPEND_CSV_COLUMNS],
    ...(t?.rows ?? []).map((r) => {
      const amount = String(r.amount?.value ?? '0');
      const previous = String(r.previous?.value ?? '0');
      const pct = r.change?.value;
      return [
        csvField(r.key?.text ?? ''),
        csvField(amount, 'number'),
        csvField(previous, 'number'),
        csvField(subtractAmounts(amount, previous), 'number'),
        csvField(pct === null || pct === undefined ? '' : String(pct), 'number'),
        csvField(view.unit),
        csvField(period.start),
        csvField(period.end),
      ];
    }),
  ]);
}

/** Every table of every section, long format: one row per cell. */
export function allTablesCsv(view: ReportView): string {
  const rows: string[][] = [[...ALL_CSV_COLUMNS]];
  for (const s of view.sections) {
    for (const f of s.facts) rows.push([csvField(s.id), csvField('facts'), csvField(f.id), csvField(f.label), csvField(f.value === null ? '' : String(f.value)), csvField(f.text)]);
    for (const t of s.tables) {
      t.rows.forEach((row, i) => {
        for (const c of t.columns) {
          const cell = row[c.key];
          rows.push([csvField(s.id), csvField(t.id), csvField(String(i + 1), 'number'), csvField(c.label), csvField(cell?.value === null || cell?.value === undefined ? '' : String(cell.value)), csvField(cell?.text ?? '')]);
        }
      });
    }
  }
  return lines(rows);
}

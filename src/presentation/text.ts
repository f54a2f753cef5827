/** The report view as plain text for a terminal (`finops get`, `finops analyze`): every section, tables cut to a few rows. */
import type { ReportView, SectionView, TableView } from './model';

export interface TextOptions {
  /** Rows per table (default 10). */
  rows?: number;
  /** Cleans untrusted text (the CLI strips control characters). */
  clean?: (text: string) => string;
  /** Widest a text column may be. */
  columnWidth?: number;
}

function fit(text: string, width: number): string {
  return text.length > width ? `${text.slice(0, width - 1)}…` : text;
}

function tableText(t: TableView, o: Required<TextOptions>): string[] {
  if (t.rows.length === 0) return [`  ${o.clean(t.caption)}: ${o.clean(t.empty ?? 'none')}`];
  const rows = t.rows.slice(0, o.rows).map((r) => t.columns.map((c) => fit(o.clean(r[c.key]?.text ?? ''), o.columnWidth)));
  const header = t.columns.map((c) => fit(c.label, o.columnWidth));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    `    ${cells.map((cell, i) => (t.columns[i]!.numeric ? cell.padStart(widths[i]!) : i === cells.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')}`.trimEnd();
  const out = [`  ${o.clean(t.caption)}:`, line(header), ...rows.map(line)];
  const left = t.rows.length - rows.length;
  if (left > 0) out.push(`    …and ${left} more (finops report <id> --format md)`);
  else if (t.more) out.push(`    ${o.clean(t.more)}`);
  return out;
}

function sectionText(s: SectionView, o: Required<TextOptions>): string[] {
  const out = [`${s.title.toUpperCase()}`];
  if (s.empty) out.push(`  ${o.clean(s.empty)}`);
  const labelWidth = Math.max(0, ...s.facts.map((f) => f.label.length));
  for (const f of s.facts) out.push(`  ${f.label.padEnd(labelWidth)}  ${o.clean(f.text)}${f.note ? `  (${o.clean(f.note)})` : ''}`);
  for (const t of s.tables) out.push(...tableText(t, o));
  for (const n of s.notes) out.push(`  ${s.id === 'summary' ? '' : '- '}${o.clean(n)}`);
  for (const a of s.attachments) out.push(`  ${a.label}: ${a.fileName} in the JSON or HTML export`);
  return out;
}

export function viewToText(view: ReportView, options: TextOptions = {}): string {
  const o: Required<TextOptions> = { rows: options.rows ?? 10, clean: options.clean ?? ((t) => t), columnWidth: options.columnWidth ?? 48 };
  const out = [
    `${view.status === 'complete' ? 'Report' : 'PARTIAL report'} for ${o.clean(view.tenant)}: ${o.clean(view.accounts.join(', '))}, ${view.periodText}`,
    `Compared with ${view.previousPeriodText}. Regions ${o.clean(view.regions.join(', '))}. Generated ${view.generatedText}. ${o.clean(view.statusText)}.`,
    '',
  ];
  for (const s of view.sections) out.push(...sectionText(s, o), '');
  return `${out.join('\n').trimEnd()}\n`;
}

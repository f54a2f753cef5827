/** The report view as Markdown (the `md` export and `finops report --format md`). Account data is escaped. */
import { sectionOf, type ReportView, type SectionView, type TableView } from './model';

/** Escape untrusted text for Markdown (inline and table cells): no HTML, links, emphasis, math or table breaks. */
export function escapeMarkdown(value: string): string {
  return value
    .replace(/[\r\n]+/g, ' ')
    .replace(/[\\`*_{}[\]()#+!|<>~&$]/g, (c) => (c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '&' ? '&amp;' : `\\${c}`));
}

export function tableToMarkdown(t: TableView): string[] {
  const out = [`**${escapeMarkdown(t.caption)}**`, ''];
  if (t.rows.length === 0) return [...out, escapeMarkdown(t.empty ?? 'None.'), ''];
  out.push(`| ${t.columns.map((c) => escapeMarkdown(c.label)).join(' | ')} |`);
  out.push(`|${t.columns.map((c) => (c.numeric ? '---:' : '---')).join('|')}|`);
  for (const row of t.rows) out.push(`| ${t.columns.map((c) => escapeMarkdown(row[c.key]?.text ?? '')).join(' | ')} |`);
  if (t.more) out.push('', escapeMarkdown(t.more));
  out.push('');
  return out;
}

function sectionToMarkdown(s: SectionView): string[] {
  const out = [`## ${escapeMarkdown(s.title)}`, ''];
  if (s.empty) {
    out.push(`_${escapeMarkdown(s.empty)}_`, '');
    for (const n of s.notes) out.push(`- ${escapeMarkdown(n)}`);
    if (s.notes.length) out.push('');
    return out;
  }
  if (s.id === 'summary') {
    for (const p of s.notes) out.push(escapeMarkdown(p), '');
    for (const f of s.facts) out.push(`_${escapeMarkdown(f.label)}: ${escapeMarkdown(f.text)}_`, '');
    return out;
  }
  for (const f of s.facts) out.push(`- **${escapeMarkdown(f.label)}:** ${escapeMarkdown(f.text)}${f.note ? ` (${escapeMarkdown(f.note)})` : ''}`);
  if (s.facts.length) out.push('');
  for (const t of s.tables) out.push(...tableToMarkdown(t));
  if (s.notes.length) {
    for (const n of s.notes) out.push(`- ${escapeMarkdown(n)}`);
    out.push('');
  }
  for (const a of s.attachments) {
    out.push(`<details><summary>${escapeMarkdown(a.label)} (${escapeMarkdown(a.fileName)})</summary>`, '', '```json', a.content.replace(/```/g, '``\u200b`').trimEnd(), '```', '', '</details>', '');
  }
  return out;
}

export function viewToMarkdown(view: ReportView): string {
  const out: string[] = [`# ${escapeMarkdown(view.title)}`, ''];
  out.push(`- **Tenant:** ${escapeMarkdown(view.tenant)}`);
  out.push(`- **Accounts:** ${view.accounts.map(escapeMarkdown).join(', ')}`);
  out.push(`- **Regions:** ${view.regions.map(escapeMarkdown).join(', ')}`);
  out.push(`- **Period:** ${escapeMarkdown(view.periodText)}, compared with ${escapeMarkdown(view.previousPeriodText)}`);
  out.push(`- **Generated:** ${escapeMarkdown(view.generatedText)}`);
  out.push(`- **Status:** ${escapeMarkdown(view.statusText)}`);
  out.push('');
  const head = sectionOf(view, 'headline');
  for (const s of view.sections) {
    if (s === head) {
      for (const f of s.facts) out.push(`- **${escapeMarkdown(f.label)}:** ${escapeMarkdown(f.text)}${f.note ? ` (${escapeMarkdown(f.note)})` : ''}`);
      out.push('');
      continue;
    }
    out.push(...sectionToMarkdown(s));
  }
  return `${out.join('\n').trimEnd()}\n`;
}

/**
 * The report view as one self-contained HTML file: styles inline, charts as inline SVG (rendered with
 * ECharts on the server), the tag policy as a data: link; no script, no external request. Fit to email
 * or print. Every piece of text is HTML-escaped.
 */
import { chartSummary } from './charts';
import { chartSvg } from './echarts';
import type { ChartView, Fact, ReportView, SectionView, TableView } from './model';

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const STYLE = `
:root { color-scheme: light; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Liberation Sans", sans-serif; color: #1d1d1f; margin: 0 auto; max-width: 1040px; padding: 24px; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 18px; margin: 28px 0 8px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
h3 { font-size: 15px; margin: 16px 0 6px; }
.meta { color: #555; margin: 0 0 12px; }
.facts { display: grid; grid-template-columns: repeat(auto-fill, minmax(220px, 1fr)); gap: 8px; margin: 8px 0; }
.fact { border: 1px solid #ddd; border-radius: 6px; padding: 8px 10px; }
.fact .label { display: block; color: #555; font-size: 12px; } .fact .value { display: block; font-size: 18px; font-weight: 600; }
.fact .note { display: block; color: #555; font-size: 12px; } .fact.bad .value { color: #a4262c; } .fact.good .value { color: #0b6a0b; }
table { border-collapse: collapse; width: 100%; margin: 4px 0 12px; font-size: 13px; }
th, td { border-bottom: 1px solid #e5e5e5; padding: 4px 6px; text-align: left; vertical-align: top; }
caption { text-align: left; font-weight: 600; padding: 4px 0; } th { background: #f5f5f7; } td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.empty { color: #555; font-style: italic; } .more { color: #555; }
figure { margin: 8px 0; } figure svg { max-width: 100%; height: auto; } figcaption { color: #555; font-size: 12px; }
@media print { body { padding: 0; } h2 { break-after: avoid; } table, figure { break-inside: avoid; } }
`;

function factHtml(f: Fact): string {
  return `<div class="fact${f.tone ? ` ${f.tone}` : ''}" data-fact="${escapeHtml(f.id)}"><span class="label">${escapeHtml(f.label)}</span><span class="value">${escapeHtml(f.text)}</span>${f.note ? `<span class="note">${escapeHtml(f.note)}</span>` : ''}</div>`;
}

function tableHtml(t: TableView): string {
  if (t.rows.length === 0) return `<h3>${escapeHtml(t.caption)}</h3><p class="empty">${escapeHtml(t.empty ?? 'None.')}</p>`;
  const head = t.columns.map((c) => `<th scope="col"${c.numeric ? ' class="num"' : ''}>${escapeHtml(c.label)}</th>`).join('');
  const body = t.rows
    .map((r) => `<tr>${t.columns.map((c) => `<td${c.numeric ? ' class="num"' : ''}>${escapeHtml(r[c.key]?.text ?? '')}</td>`).join('')}</tr>`)
    .join('\n');
  return `<table id="${escapeHtml(t.id)}"><caption>${escapeHtml(t.caption)}</caption><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>${t.more ? `<p class="more">${escapeHtml(t.more)}</p>` : ''}`;
}

function chartHtml(c: ChartView): string {
  const svg = chartSvg(c);
  const summary = chartSummary(c);
  // The SVG is ECharts' own output from numbers and our labels; the accessible name is ours, escaped.
  return `<figure id="chart-${escapeHtml(c.id)}" role="img" aria-label="${escapeHtml(summary)}">${svg}<figcaption>${escapeHtml(summary)}</figcaption></figure>`;
}

function sectionHtml(s: SectionView): string {
  const parts = [`<section id="section-${s.id}"><h2>${escapeHtml(s.title)}</h2>`];
  if (s.empty) parts.push(`<p class="empty">${escapeHtml(s.empty)}</p>`);
  if (s.facts.length) parts.push(`<div class="facts">${s.facts.map(factHtml).join('')}</div>`);
  for (const c of s.charts) parts.push(chartHtml(c));
  for (const t of s.tables) parts.push(tableHtml(t));
  if (s.notes.length) parts.push(s.id === 'summary' ? s.notes.map((n) => `<p>${escapeHtml(n)}</p>`).join('') : `<ul>${s.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>`);
  for (const a of s.attachments) {
    parts.push(`<p><a download="${escapeHtml(a.fileName)}" href="data:${a.mediaType};charset=utf-8,${encodeURIComponent(a.content)}">${escapeHtml(a.label)}</a></p>`);
  }
  parts.push('</section>');
  return parts.join('\n');
}

export function viewToHtml(view: ReportView): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(view.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<h1>${escapeHtml(view.title)}</h1>
<p class="meta">${escapeHtml(view.tenant)} · ${escapeHtml(view.accounts.join(', '))} · ${escapeHtml(view.regions.join(', '))}<br>${escapeHtml(view.periodText)}, compared with ${escapeHtml(view.previousPeriodText)} · generated ${escapeHtml(view.generatedText)} · ${escapeHtml(view.statusText)}</p>
${view.sections.map(sectionHtml).join('\n')}
</main>
</body>
</html>
`;
}

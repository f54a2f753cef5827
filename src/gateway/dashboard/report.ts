/**
 * The report view: every section of the report view model (src/presentation), in order, each with its
 * figures, charts (ECharts), tables and notes, or saying why it has nothing; the findings as cards with
 * labelled evidence; a follow-up question box; and the exports (JSON, Markdown, CSV, self-contained HTML).
 * Nothing here formats money, dates or evidence: the view model did.
 */
import type { AnalysisReport } from '../../domain/report';
import { buildReportView } from '../../presentation/build';
import { viewToHtml } from '../../presentation/html';
import type { Attachment, Fact, ReportView, SectionView, TableView } from '../../presentation/model';
import { missingAgents } from '../../presentation/read';
import { analysisPath, api, download, saveFile } from './api';
import { chartFigure } from './charts';
import { h, type Child } from './dom';
import { findingsSection } from './findings';

function kpi(f: Fact): HTMLElement {
  const tone = f.tone === 'bad' ? 'up' : f.tone === 'good' ? 'good' : '';
  return h('div', { class: `kpi ${tone}`, id: `kpi-${f.id}` }, h('span', { class: 'kpi-label' }, f.label), h('span', { class: 'kpi-value num' }, f.text), h('span', { class: 'kpi-note' }, f.note ?? ''));
}

function factList(facts: readonly Fact[]): HTMLElement {
  return h('div', { class: 'facts' }, facts.map((f) => h('div', { class: `fact ${f.tone ?? ''}`, data: { fact: f.id } }, h('span', { class: 'fact-label' }, f.label), h('span', { class: 'fact-value num' }, f.text), f.note ? h('span', { class: 'fact-note' }, f.note) : null)));
}

function tableView(t: TableView): HTMLElement {
  if (t.rows.length === 0) return h('div', { class: 'table-block', id: t.id }, h('h4', {}, t.caption), h('p', { class: 'muted empty' }, t.empty ?? 'None.'));
  return h(
    'div',
    // Focusable, so a keyboard can scroll a table wider than the screen.
    { class: 'table-block table-scroll', id: t.id, attrs: { tabindex: '0' }, role: 'region', aria: { label: t.caption } },
    h(
      'table',
      { class: 'table' },
      h('caption', {}, t.caption),
      h('thead', {}, h('tr', {}, t.columns.map((c) => h('th', { class: c.numeric ? 'num' : '', attrs: { scope: 'col' } }, c.label)))),
      h('tbody', {}, t.rows.map((r) => h('tr', {}, t.columns.map((c) => h('td', { class: c.numeric ? 'num' : '' }, r[c.key]?.text ?? ''))))),
    ),
    t.more ? h('p', { class: 'muted small' }, t.more) : null,
  );
}

function attachmentButton(a: Attachment): HTMLElement {
  return h('button', { class: 'secondary', type: 'button', id: `download-${a.id}`, on: { click: () => saveFile(a.content, a.fileName, a.mediaType) } }, a.label);
}

function agentsTable(report: AnalysisReport, view: ReportView): HTMLElement {
  const notes = view.sections.find((s) => s.id === 'notes');
  const rows = notes?.tables.find((t) => t.id === 'agents')?.rows ?? [];
  return h(
    'div',
    { class: 'table-block table-scroll', id: 'agents-report', attrs: { tabindex: '0' }, role: 'region', aria: { label: 'Agents' } },
    h(
      'table',
      { class: 'table' },
      h('caption', {}, 'Agents'),
      h('thead', {}, h('tr', {}, h('th', { attrs: { scope: 'col' } }, 'Agent'), h('th', { attrs: { scope: 'col' } }, 'Outcome'), h('th', { class: 'num', attrs: { scope: 'col' } }, 'Spend'), h('th', { attrs: { scope: 'col' } }, 'Note'))),
      h(
        'tbody',
        {},
        report.agents.map((a, i) =>
          h(
            'tr',
            { data: { agent: a.agent, status: a.status } },
            h('td', {}, a.title),
            h('td', {}, h('span', { class: `state ${a.status}` }, a.status)),
            h('td', { class: 'num' }, rows[i]?.spend?.text ?? '—'),
            h('td', { class: 'muted' }, a.reason ?? ''),
          ),
        ),
      ),
    ),
  );
}

function sectionPanel(s: SectionView, report: AnalysisReport, view: ReportView, onError: (message: string) => void): HTMLElement {
  const body: Child[] = [h('h3', {}, s.title)];
  if (s.empty) body.push(h('p', { class: 'empty-reason' }, s.empty));
  if (s.id === 'summary') {
    body.push(s.notes.map((p) => h('p', {}, p)));
    if (s.facts.length) body.push(h('p', { class: 'muted small' }, s.facts.map((f) => `${f.label}: ${f.text}`).join(' · ')));
    return h('section', { class: `panel report-section${s.empty ? ' empty' : ''}`, id: `section-${s.id}`, data: { section: s.id, state: s.empty ? 'empty' : 'data' } }, body);
  }
  if (s.facts.length) body.push(factList(s.facts));
  for (const c of s.charts) body.push(chartFigure(c));
  if (s.id === 'findings' && view.findings.length) body.push(findingsSection(view.findings, view.unit, report.analysisId, onError));
  for (const t of s.tables) {
    if (s.id === 'findings' && t.id === 'findings') continue; // the cards above show them
    if (s.id === 'notes' && t.id === 'agents') body.push(agentsTable(report, view));
    else body.push(tableView(t));
  }
  if (s.notes.length) body.push(h('ul', { class: 'notes' }, s.notes.map((n) => h('li', {}, n))));
  if (s.attachments.length) body.push(h('p', { class: 'attachments' }, s.attachments.map(attachmentButton)));
  return h('section', { class: `panel report-section${s.empty ? ' empty' : ''}`, id: `section-${s.id}`, data: { section: s.id, state: s.empty ? 'empty' : 'data' } }, body);
}

/** The follow-up question box: answered from this report's facts by the gateway (grounded). */
function questionBox(report: AnalysisReport, onError: (message: string) => void): HTMLElement {
  const input = h('input', { type: 'text', name: 'question', id: 'question', placeholder: 'e.g. Which service grew most?', attrs: { maxlength: '500' } });
  const answer = h('div', { class: 'answer', id: 'answer', role: 'status', aria: { live: 'polite' } });
  const ask = h('button', { type: 'submit', id: 'ask' }, 'Ask');
  const form = h('form', { class: 'panel', id: 'questions' }, h('h3', {}, 'Ask about this report'), h('label', { class: 'ask-row' }, h('span', {}, 'Question'), input, ask), answer);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const question = input.value.trim();
    if (!question) return;
    ask.disabled = true;
    answer.textContent = 'Thinking…';
    api.ask(report.analysisId, question).then(
      (result) => {
        ask.disabled = false;
        answer.replaceChildren(...result.answer.split(/\n+/).map((line) => h('p', {}, line)), h('p', { class: 'muted small' }, `Answered by ${result.source === 'deterministic' ? 'the report itself (no model)' : result.source}.`));
      },
      (err: unknown) => {
        ask.disabled = false;
        answer.textContent = '';
        onError(err instanceof Error ? err.message : String(err));
      },
    );
  });
  return form;
}

function exportsBar(report: AnalysisReport, view: ReportView, onError: (message: string) => void): HTMLElement {
  const path = (query: string) => analysisPath(report.analysisId, `/report?${query}`);
  const button = (label: string, query: string, name: string, id: string) => {
    const el = h('button', { class: 'secondary', type: 'button', id, data: { href: path(query) } }, label);
    el.addEventListener('click', () => {
      download(path(query), name).catch((err: unknown) => onError(err instanceof Error ? err.message : String(err)));
    });
    return el;
  };
  const base = report.analysisId.replace(/[^a-z0-9-]+/gi, '-').replace(/^-+|-+$/g, '');
  return h(
    'div',
    { class: 'exports', role: 'group', aria: { label: 'Export the report' } },
    h('span', { class: 'muted' }, 'Export'),
    button('JSON', 'format=json', 'report.json', 'export-json'),
    button('Markdown', 'format=md', 'report.md', 'export-md'),
    button(view.findings.length ? 'CSV of findings' : 'CSV of spend', 'format=csv', 'report.csv', 'export-csv'),
    h('button', { class: 'secondary', type: 'button', id: 'export-html', on: { click: () => saveFile(viewToHtml(view), `${base}.html`, 'text/html') } }, 'HTML (one file)'),
  );
}

export function reportView(report: AnalysisReport, onError: (message: string) => void): HTMLElement {
  const view = buildReportView(report, { maxFindings: 1000 });
  const missing = missingAgents(report);
  const sections: Child[] = [];
  if (missing.length) {
    sections.push(
      h(
        'section',
        { class: 'panel warning', id: 'failures', role: 'alert' },
        h('h3', {}, `Partial report: ${missing.length} of ${report.agents.length} agents did not deliver`),
        h('p', {}, 'Everything below comes from the agents that did. What is missing, and why:'),
        h('ul', {}, missing.map((m) => h('li', { data: { agent: m.agent, kind: m.kind } }, h('strong', {}, m.title), m.kind === 'skipped' ? ' (skipped)' : '', ': ', m.reason))),
      ),
    );
  }
  const head = view.sections.find((s) => s.id === 'headline');
  sections.push(h('section', { class: 'kpis', id: 'section-headline', aria: { label: 'Headline figures' } }, (head?.facts ?? []).map(kpi)));
  sections.push(questionBox(report, onError));
  for (const s of view.sections) if (s.id !== 'headline') sections.push(sectionPanel(s, report, view, onError));
  sections.push(exportsBar(report, view, onError));
  return h('div', { class: 'report', id: 'report', data: { status: report.status } }, sections);
}

/**
 * Findings as cards, ranked by monthly savings, with filters (agent, account, action, confidence, text).
 * Built for hundreds or thousands: filtering works on the normalised list in memory, cards are rendered
 * in batches as the reader scrolls (an IntersectionObserver on a sentinel, plus a "Show more" button),
 * so the page never builds more DOM than is looked at.
 */
import { formatUsd } from '../../domain/money';
import { totalSavings, type ExportFinding } from '../../domain/report-export';
import { h } from './dom';

const BATCH = 40;

interface Filters {
  agent: string;
  account: string;
  action: string;
  confidence: string;
  text: string;
}

function options(values: readonly string[], all: string): HTMLOptionElement[] {
  return [h('option', { value: '' }, all), ...[...new Set(values)].filter(Boolean).sort().map((v) => h('option', { value: v }, v))];
}

function card(f: ExportFinding): HTMLElement {
  const resource = f.resourceName && f.resourceName !== f.resourceId ? f.resourceName : '';
  return h(
    'article',
    { class: `finding confidence-${/^(high|medium|low)$/.test(f.confidence) ? f.confidence : 'unknown'}`, data: { rank: f.rank, savings: f.monthlySavings, agent: f.agent } },
    h(
      'header',
      {},
      h('span', { class: 'rank' }, `#${f.rank}`),
      h('span', { class: 'savings num' }, formatUsd(f.monthlySavings, f.unit), h('small', {}, ' / month')),
    ),
    h('h4', { class: 'finding-title' }, f.title || f.check),
    h(
      'p',
      { class: 'badges' },
      f.action ? h('span', { class: 'badge action' }, f.action) : null,
      f.confidence ? h('span', { class: `badge conf` }, `${f.confidence} confidence`) : null,
      ...f.sources.map((s) => h('span', { class: 'badge source' }, s)),
    ),
    h(
      'dl',
      { class: 'resource' },
      resource ? [h('dt', {}, 'Name'), h('dd', { class: 'resource-name' }, resource)] : null,
      h('dt', {}, 'Resource'),
      h('dd', { class: 'mono' }, f.resourceId || '—'),
      f.resourceType ? [h('dt', {}, 'Type'), h('dd', {}, f.resourceType)] : null,
      h('dt', {}, 'Where'),
      h('dd', {}, [f.account, f.region].filter(Boolean).join(' · ') || '—'),
    ),
    f.evidenceFields.length
      ? h('dl', { class: 'evidence', aria: { label: 'Evidence' } }, f.evidenceFields.map((e) => [h('dt', { data: { key: e.key } }, e.label), h('dd', { data: { unit: e.unit } }, e.text)]))
      : null,
    f.tags.length ? h('ul', { class: 'tags' }, f.tags.map(([k, v]) => h('li', { class: 'tag' }, h('span', { class: 'tag-key' }, k), h('span', { class: 'tag-value' }, v)))) : null,
    f.command ? h('details', { class: 'command' }, h('summary', {}, 'How to act on it'), h('code', {}, f.command)) : null,
  );
}

/** The findings section; `findings` are already ranked. */
export function findingsSection(findings: readonly ExportFinding[], unit: string): HTMLElement {
  const filters: Filters = { agent: '', account: '', action: '', confidence: '', text: '' };
  const list = h('div', { class: 'finding-list', id: 'finding-list' });
  const summary = h('p', { class: 'finding-summary', role: 'status' });
  const sentinel = h('div', { class: 'sentinel' });
  const more = h('button', { class: 'secondary', type: 'button', id: 'more-findings' }, 'Show more');
  let filtered: readonly ExportFinding[] = findings;
  let shown = 0;

  const renderBatch = () => {
    const fragment = document.createDocumentFragment();
    const next = filtered.slice(shown, shown + BATCH);
    for (const f of next) fragment.append(card(f));
    list.append(fragment);
    shown += next.length;
    more.hidden = shown >= filtered.length;
  };

  const apply = () => {
    const text = filters.text.trim().toLowerCase();
    filtered = findings.filter(
      (f) =>
        (!filters.agent || f.sources.includes(filters.agent) || f.agent === filters.agent) &&
        (!filters.account || f.account === filters.account) &&
        (!filters.action || f.action === filters.action) &&
        (!filters.confidence || f.confidence === filters.confidence) &&
        (!text ||
          [f.title, f.resourceId, f.resourceName, f.check, f.evidence, ...f.tags.flat()].some((v) => v.toLowerCase().includes(text))),
    );
    list.replaceChildren();
    shown = 0;
    summary.replaceChildren(
      filtered.length === findings.length
        ? `${findings.length} findings`
        : `${filtered.length} of ${findings.length} findings`,
      ' · ',
      h('strong', { id: 'filtered-savings' }, `${formatUsd(totalSavings(filtered), unit)} per month`),
    );
    if (filtered.length === 0) list.append(h('p', { class: 'muted empty' }, 'No findings match these filters.'));
    renderBatch();
  };

  const select = (key: keyof Filters, values: string[], label: string) => {
    const el = h('select', { name: key, aria: { label } }, options(values, label));
    el.addEventListener('change', () => {
      filters[key] = el.value;
      apply();
    });
    return el;
  };
  const search = h('input', { type: 'search', name: 'text', placeholder: 'Search resources, tags, checks…', aria: { label: 'Search findings' } });
  let debounce: number | undefined;
  search.addEventListener('input', () => {
    window.clearTimeout(debounce);
    debounce = window.setTimeout(() => {
      filters.text = search.value;
      apply();
    }, 120);
  });
  more.addEventListener('click', renderBatch);
  if ('IntersectionObserver' in window) {
    new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting) && shown < filtered.length) renderBatch();
    }, { rootMargin: '600px' }).observe(sentinel);
  }

  const bar = h(
    'div',
    { class: 'filters', role: 'search' },
    select('agent', findings.flatMap((f) => f.sources.concat(f.agent)), 'All agents'),
    select('account', findings.map((f) => f.account), 'All accounts'),
    select('action', findings.map((f) => f.action), 'All actions'),
    select('confidence', findings.map((f) => f.confidence), 'Any confidence'),
    search,
  );
  apply();
  return h('section', { class: 'panel findings', id: 'findings' }, h('h3', {}, 'Findings'), bar, summary, list, sentinel, more);
}

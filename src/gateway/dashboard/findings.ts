/**
 * Findings as cards, ranked by monthly savings, with filters (agent, account, action, confidence, text).
 * Built for hundreds or thousands: filtering works on the normalised list in memory, cards are rendered
 * in batches as the reader scrolls (an IntersectionObserver on a sentinel, plus a "Show more" button),
 * so the page never builds more DOM than is looked at.
 */
import { formatUsd } from '../../domain/money';
import { totalSavings, type ExportFinding } from '../../domain/report-export';
import { api } from './api';
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

/**
 * What the reader decided about a finding: accept, mark done, dismiss (with a reason, optionally until a
 * date) or reopen. Kept per finding identity; the next analysis applies it.
 */
function stateForm(f: ExportFinding, analysisId: string, onError: (message: string) => void): HTMLElement {
  const state = h(
    'select',
    { name: 'state', aria: { label: 'Decision' } },
    h('option', { value: 'accepted' }, 'Accept'),
    h('option', { value: 'done' }, 'Mark done'),
    h('option', { value: 'dismissed' }, 'Dismiss'),
    h('option', { value: 'open' }, 'Reopen'),
  );
  const reason = h('input', { type: 'text', name: 'reason', placeholder: 'Reason (needed to dismiss)', aria: { label: 'Reason' }, attrs: { maxlength: '500' } });
  const snooze = h('input', { type: 'date', name: 'snoozeUntil', aria: { label: 'Snooze until (optional)' } });
  const status = h('p', { class: 'state-status small', role: 'status', aria: { live: 'polite' } });
  const save = h('button', { type: 'submit', class: 'secondary' }, 'Save');
  const form = h('form', { class: 'state-form', data: { findingId: f.id } }, state, reason, snooze, save, status);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    save.disabled = true;
    status.textContent = 'Saving…';
    api
      .setFindingState({
        findingId: f.id,
        analysisId,
        state: state.value,
        ...(reason.value.trim() ? { reason: reason.value.trim() } : {}),
        ...(snooze.value && state.value === 'dismissed' ? { snoozeUntil: snooze.value } : {}),
      })
      .then(
        (result) => {
          save.disabled = false;
          status.textContent = `Saved: ${result.state.state}, by ${result.state.by} (version ${result.state.version}). The next analysis applies it.`;
          form.dataset.saved = result.state.state;
        },
        (err: unknown) => {
          save.disabled = false;
          const details = (err as { details?: string[] }).details ?? [];
          status.textContent = `Not saved: ${err instanceof Error ? err.message : String(err)}${details.length ? ` (${details.join('; ')})` : ''}`;
          onError(status.textContent);
        },
      );
  });
  return h('details', { class: 'decide' }, h('summary', {}, 'Decide'), form);
}

function card(f: ExportFinding, analysisId: string, onError: (message: string) => void): HTMLElement {
  const resource = f.resourceName && f.resourceName !== f.resourceId ? f.resourceName : '';
  return h(
    'article',
    {
      class: `finding confidence-${/^(high|medium|low)$/.test(f.confidence) ? f.confidence : 'unknown'}${f.state ? ` state-${f.state}` : ''}`,
      data: { rank: f.rank, savings: f.monthlySavings, agent: f.agent, findingId: f.id, ...(f.state ? { state: f.state } : {}) },
    },
    h(
      'header',
      {},
      h('span', { class: 'rank' }, `#${f.rank}`),
      h('span', { class: 'savings num' }, formatUsd(f.monthlySavings, f.unit), h('small', {}, ' / month')),
    ),
    h('h4', { class: 'finding-title' }, f.title || f.check),
    f.stateText ? h('p', { class: `state-mark ${f.state ?? ''}` }, f.stateText) : null,
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
    stateForm(f, analysisId, onError),
  );
}

/** The findings section; `findings` are already ranked. */
export function findingsSection(findings: readonly ExportFinding[], unit: string, analysisId: string, onError: (message: string) => void): HTMLElement {
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
    for (const f of next) fragment.append(card(f, analysisId, onError));
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

/**
 * The dashboard: a small single-page app served by the gateway (bundled by esbuild, no framework).
 *   #/                      past analyses (from Temporal visibility), with filters and paging
 *   #/new                   start an analysis: accounts, period, regions, agents
 *   #/analyses/<id>         watch it live, agent by agent; then the report
 * Everything it shows comes from the gateway's REST API and WebSocket, with the same credentials.
 */
import { formatUsd } from '../../domain/money';
import type { AgentProgress, AnalysisProgress } from '../../domain/progress';
import type { AnalysisReport } from '../../domain/report';
import { api, ApiError, storedToken, storeToken, type AgentInfo, type Caller, type ListItem } from './api';
import { byId, h, mount, type Child } from './dom';
import { LiveAnalysis } from './live';
import { reportView } from './report';

const main = byId('app');
const whoami = byId('whoami');
const toastArea = byId('toasts');

let caller: Caller | undefined;
let agentsCache: AgentInfo[] | undefined;
/** Cleanup of the current view (WebSocket, timers). */
let leaveView: (() => void) | undefined;

function toast(message: string, tone: 'error' | 'info' = 'error'): void {
  const el = h('div', { class: `toast ${tone}`, role: tone === 'error' ? 'alert' : 'status' }, message);
  toastArea.append(el);
  setTimeout(() => el.remove(), 6000);
}

function errorText(err: unknown): string {
  if (err instanceof ApiError) return err.details.length ? `${err.message}: ${err.details.join('; ')}` : err.message;
  return err instanceof Error ? err.message : String(err);
}

function statusBadge(status: string): HTMLElement {
  return h('span', { class: `status ${status.toLowerCase()}`, data: { status } }, status.replace(/_/g, ' ').toLowerCase());
}

function when(iso: string | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' });
}

function duration(startIso: string, endIso?: string): string {
  const ms = (endIso ? Date.parse(endIso) : Date.now()) - Date.parse(startIso);
  if (!Number.isFinite(ms) || ms < 0) return '';
  if (ms < 60_000) return `${Math.round(ms / 1000)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

// --- identity ------------------------------------------------------------------------------------

function renderWhoami(): void {
  if (!caller) {
    mount(whoami);
    return;
  }
  const tenants = caller.tenants === 'all' ? 'all tenants' : caller.tenants.join(', ');
  const signOut = storedToken()
    ? h('button', {
        class: 'link',
        type: 'button',
        on: {
          click: () => {
            storeToken(undefined);
            caller = undefined;
            void route();
          },
        },
      }, 'Sign out')
    : null;
  mount(
    whoami,
    caller.auth === 'none' ? h('span', { class: 'badge warn', title: 'The gateway runs with FINOPS_AUTH=none' }, 'auth off') : null,
    h('span', { class: 'subject' }, caller.subject),
    h('span', { class: 'muted' }, ` · ${tenants}`),
    signOut,
  );
}

function signInView(message: string): void {
  const input = h('input', { type: 'password', name: 'token', placeholder: 'finops_… API key or OIDC token', required: true, aria: { label: 'API key or token' } });
  const form = h(
    'form',
    { class: 'panel narrow', id: 'signin' },
    h('h2', {}, 'Sign in'),
    h('p', { class: 'muted' }, message),
    h('label', {}, 'API key or bearer token', input),
    h('p', { class: 'muted small' }, 'Kept in this tab only (sessionStorage) and sent as Authorization: Bearer.'),
    h('button', { type: 'submit' }, 'Sign in'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    storeToken(input.value.trim());
    caller = undefined;
    void route();
  });
  mount(main, form);
  input.focus();
}

async function ensureCaller(): Promise<boolean> {
  if (caller) return true;
  try {
    caller = await api.me();
    renderWhoami();
    return true;
  } catch (err) {
    if (err instanceof ApiError && (err.status === 401 || err.status === 403)) {
      signInView(storedToken() ? `That did not work: ${err.message}` : 'This gateway needs an API key or an OIDC token.');
      return false;
    }
    mount(main, h('section', { class: 'panel warning' }, h('h2', {}, 'The gateway is not answering'), h('p', {}, errorText(err))));
    return false;
  }
}

// --- list ----------------------------------------------------------------------------------------

function listView(): () => void {
  const filter = { account: '', status: '' };
  const rows = h('tbody', {});
  const more = h('button', { class: 'secondary', type: 'button', hidden: true }, 'Load more');
  const state = h('p', { class: 'muted', role: 'status' }, 'Loading…');
  let token: string | undefined;
  let generation = 0;

  const row = (a: ListItem) => {
    const link = h('a', { href: `#/analyses/${encodeURIComponent(a.analysisId)}` }, a.analysisId);
    return h(
      'tr',
      { data: { id: a.analysisId } },
      h('td', {}, link),
      h('td', {}, a.tenant),
      h('td', {}, a.accounts.join(', ')),
      h('td', {}, statusBadge(a.status)),
      h('td', {}, when(a.startTime)),
      h('td', { class: 'num' }, duration(a.startTime, a.closeTime)),
    );
  };

  const load = async (append: boolean) => {
    const mine = ++generation;
    if (!append) token = undefined;
    try {
      const page = await api.list({ ...filter, pageSize: 25, ...(append && token ? { pageToken: token } : {}) });
      if (mine !== generation) return;
      if (!append) rows.replaceChildren();
      rows.append(...page.analyses.map(row));
      token = page.nextPageToken;
      more.hidden = !token;
      state.textContent = rows.children.length ? '' : 'No analyses yet. Start one.';
    } catch (err) {
      if (mine === generation) state.textContent = errorText(err);
    }
  };

  const account = h('input', { type: 'text', name: 'account', placeholder: 'Account (12 digits)', aria: { label: 'Filter by account' } });
  const status = h(
    'select',
    { name: 'status', aria: { label: 'Filter by status' } },
    h('option', { value: '' }, 'Any status'),
    ['RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED', 'TERMINATED', 'TIMED_OUT'].map((s) => h('option', { value: s }, s.toLowerCase().replace('_', ' '))),
  );
  const apply = () => {
    filter.account = /^\d{12}$/.test(account.value.trim()) ? account.value.trim() : '';
    filter.status = status.value;
    void load(false);
  };
  account.addEventListener('change', apply);
  status.addEventListener('change', apply);
  more.addEventListener('click', () => void load(true));

  mount(
    main,
    h(
      'section',
      { class: 'panel', id: 'analyses' },
      h('div', { class: 'panel-head' }, h('h2', {}, 'Analyses'), h('a', { class: 'button', href: '#/new' }, 'New analysis')),
      h('div', { class: 'filters' }, account, status, h('button', { class: 'secondary', type: 'button', on: { click: () => void load(false) } }, 'Refresh')),
      h(
        'table',
        { class: 'table' },
        h('thead', {}, h('tr', {}, ['Analysis', 'Tenant', 'Accounts', 'Status', 'Started', 'Took'].map((t) => h('th', {}, t)))),
        rows,
      ),
      state,
      more,
      h('p', { class: 'muted small' }, 'Listed from Temporal visibility; a run started a moment ago may take a moment to appear.'),
    ),
  );
  void load(false);
  // Keep running analyses fresh while the list is open.
  const timer = window.setInterval(() => {
    if (document.visibilityState === 'visible' && !token) void load(false);
  }, 10_000);
  return () => window.clearInterval(timer);
}

// --- new analysis --------------------------------------------------------------------------------

function lastFullMonth(): { start: string; end: string } {
  const now = new Date();
  const end = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  const start = new Date(Date.UTC(end.getUTCFullYear(), end.getUTCMonth() - 1, 1));
  return { start: start.toISOString().slice(0, 10), end: end.toISOString().slice(0, 10) };
}

async function newView(): Promise<void> {
  agentsCache ??= (await api.agents()).agents;
  const month = lastFullMonth();
  const tenants = caller?.tenants;
  const tenantField =
    tenants === 'all' || tenants === undefined
      ? h('input', { type: 'text', name: 'tenant', value: 'demo', required: true, attrs: { pattern: '[a-z0-9][a-z0-9\\-]{0,62}', title: 'lowercase letters, digits and hyphens' } })
      : h('select', { name: 'tenant' }, tenants.map((t) => h('option', { value: t }, t)));
  const accounts = h('textarea', { name: 'accounts', required: true, attrs: { rows: '2' } }, '123456789012');
  const start = h('input', { type: 'date', name: 'start', value: month.start, required: true });
  const end = h('input', { type: 'date', name: 'end', value: month.end, required: true });
  const regions = h('input', { type: 'text', name: 'regions', value: 'us-east-1' });
  const agentBoxes = agentsCache.map((a) => {
    const box = h('input', { type: 'checkbox', name: 'agent', value: a.agent, checked: true });
    return { agent: a.agent, box, label: h('label', { class: 'check' }, box, h('span', {}, a.title)) };
  });
  const problems = h('ul', { class: 'problems', role: 'alert', hidden: true });
  const submit = h('button', { type: 'submit', id: 'start' }, 'Start analysis');

  const form = h(
    'form',
    { class: 'panel narrow', id: 'new-analysis' },
    h('h2', {}, 'New analysis'),
    h('label', {}, 'Tenant', tenantField),
    h('label', {}, 'Accounts', h('small', { class: 'muted' }, ' 12-digit IDs, separated by commas or spaces'), accounts),
    h('div', { class: 'row' }, h('label', {}, 'From', start), h('label', {}, 'To (exclusive)', end)),
    h('label', {}, 'Regions', regions),
    h(
      'fieldset',
      { class: 'agents-picker' },
      h('legend', {}, 'Agents'),
      agentBoxes.map((a) => a.label),
      h('button', {
        class: 'link',
        type: 'button',
        on: { click: () => agentBoxes.forEach((a) => (a.box.checked = !agentBoxes.every((b) => b.box.checked))) },
      }, 'All / none'),
    ),
    problems,
    submit,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const split = (value: string) => value.split(/[\s,]+/).map((s) => s.trim()).filter(Boolean);
    const body = {
      tenant: tenantField.value,
      accounts: split(accounts.value),
      regions: split(regions.value),
      period: { start: start.value, end: end.value },
      agents: agentBoxes.filter((a) => a.box.checked).map((a) => a.agent),
    };
    submit.disabled = true;
    problems.hidden = true;
    api.start(body).then(
      (started) => {
        location.hash = `#/analyses/${encodeURIComponent(started.analysisId)}`;
      },
      (err: unknown) => {
        submit.disabled = false;
        const details = err instanceof ApiError && err.details.length ? err.details : [errorText(err)];
        problems.replaceChildren(...details.map((d) => h('li', {}, d)));
        problems.hidden = false;
      },
    );
  });
  mount(main, questionForm(tenantField), form);
}

/** Start an analysis from a question in plain language: the gateway's planner turns it into a request. */
function questionForm(tenantField: HTMLInputElement | HTMLSelectElement): HTMLElement {
  const question = h('textarea', { name: 'plan-question', id: 'plan-question', required: true, attrs: { rows: '2', maxlength: '500' }, placeholder: 'e.g. Why did EC2 spend rise last month in account 123456789012?' });
  const problems = h('ul', { class: 'problems', role: 'alert', hidden: true });
  const submit = h('button', { type: 'submit', id: 'start-question' }, 'Plan and start');
  const form = h(
    'form',
    { class: 'panel narrow', id: 'question-analysis' },
    h('h2', {}, 'Ask a question'),
    h('label', {}, 'What do you want to know?', question),
    h('p', { class: 'muted small' }, 'The planner picks the accounts, period and agents; the analysis starts with them.'),
    problems,
    submit,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    submit.disabled = true;
    problems.hidden = true;
    api.start({ tenant: tenantField.value, question: question.value.trim() }).then(
      (started) => {
        location.hash = `#/analyses/${encodeURIComponent(started.analysisId)}`;
      },
      (err: unknown) => {
        submit.disabled = false;
        const details = err instanceof ApiError && err.details.length ? err.details : [errorText(err)];
        problems.replaceChildren(...details.map((d) => h('li', {}, d)));
        problems.hidden = false;
      },
    );
  });
  return form;
}

// --- one analysis --------------------------------------------------------------------------------

function agentRow(a: AgentProgress): HTMLElement {
  return h(
    'tr',
    { class: `agent ${a.state}`, data: { agent: a.agent, state: a.state } },
    h('td', {}, a.title),
    h('td', {}, h('span', { class: `state ${a.state}` }, a.state)),
    h('td', { class: 'step' }, a.error ? `${a.step}: ${a.error}` : a.step),
    h('td', { class: 'num' }, String(a.requests)),
    h('td', { class: 'num' }, String(a.findings)),
    h('td', { class: 'num' }, formatUsd(a.savings)),
  );
}

/** Whether the reader opened the event log (kept across re-renders). */
let eventsOpen = false;

function progressPanel(progress: AnalysisProgress): Child[] {
  const c = progress.counts;
  const skipped = c.skipped ?? 0;
  const finished = c.succeeded + c.failed + skipped;
  const fraction = c.agents ? finished / c.agents : 0;
  const bar = h('span', { class: 'fill' });
  bar.style.width = `${Math.round(fraction * 100)}%`;
  return [
    h(
      'div',
      { class: 'overall' },
      h('div', { class: 'progress', role: 'progressbar', aria: { valuenow: String(finished), valuemin: '0', valuemax: String(c.agents) } }, bar),
      h('p', { class: 'step', id: 'overall-step' }, progress.step, ' · ', `${finished} of ${c.agents} agents done`, c.failed ? `, ${c.failed} failed` : '', skipped ? `, ${skipped} skipped` : '', c.findings ? ` · ${c.findings} findings, ${formatUsd(progress.savings.amount)} / month so far` : ''),
    ),
    h(
      'table',
      { class: 'table agents', id: 'agents-live' },
      h('thead', {}, h('tr', {}, ['Agent', 'State', 'Step', 'Requests', 'Findings', 'Savings'].map((t) => h('th', {}, t)))),
      h('tbody', {}, progress.agents.map(agentRow)),
    ),
    h(
      'details',
      { class: 'events', on: { toggle: (e) => (eventsOpen = (e.target as HTMLDetailsElement).open) }, ...(eventsOpen ? { attrs: { open: '' } } : {}) },
      h('summary', {}, `Recent events (${progress.events.length})`),
      h('ol', { attrs: { reversed: '' } }, [...progress.events].reverse().map((e) => h('li', { class: e.level }, h('time', {}, new Date(e.at).toLocaleTimeString()), ' ', e.message))),
    ),
  ];
}

function analysisView(id: string): () => void {
  const status = h('span', { id: 'status' });
  const connection = h('span', { class: 'connection muted', id: 'connection', role: 'status' });
  const actions = h('div', { class: 'actions' });
  const meta = h('p', { class: 'muted', id: 'meta' });
  const live = h('section', { class: 'panel', id: 'live' }, h('h3', {}, 'Progress'), h('p', { class: 'muted' }, 'Waiting for the first progress message…'));
  const body = h('div', { id: 'analysis-body' }, live);
  let liveClient: LiveAnalysis | undefined;

  const setStatus = (value: string) => mount(status, statusBadge(value));
  const showReport = (report: AnalysisReport) => {
    mount(status, statusBadge('COMPLETED'), report.status === 'partial' ? h('span', { class: 'status partial', title: 'Some agents did not deliver' }, 'partial') : null);
    actions.replaceChildren();
    meta.textContent = `${report.tenant} · ${report.accounts.join(', ')} · ${report.period.start} to ${report.period.end} · ${report.regions.join(', ')}`;
    live.remove();
    body.replaceChildren(reportView(report, (m) => toast(m)));
  };
  const showFailure = (state: string, failure: string) => {
    setStatus(state);
    actions.replaceChildren();
    body.prepend(h('section', { class: 'panel warning', id: 'failure', role: 'alert' }, h('h3', {}, `The analysis ${state.toLowerCase()} and has no report`), h('p', {}, failure)));
  };
  const cancel = h('button', { class: 'danger', type: 'button', id: 'cancel' }, 'Cancel analysis');
  cancel.addEventListener('click', () => {
    if (!window.confirm('Cancel this analysis? Its agents stop and there will be no report.')) return;
    cancel.disabled = true;
    api.cancel(id).then(
      () => toast('Cancellation requested', 'info'),
      (err: unknown) => {
        cancel.disabled = false;
        toast(errorText(err));
      },
    );
  });

  mount(
    main,
    h(
      'section',
      { class: 'analysis-head' },
      h('a', { href: '#/', class: 'back' }, '← Analyses'),
      h('h2', { class: 'analysis-id' }, id),
      h('div', { class: 'head-row' }, status, connection, actions),
      meta,
    ),
    body,
  );

  api.get(id).then(
    (view) => {
      setStatus(view.status);
      if (view.status === 'RUNNING') {
        actions.replaceChildren(cancel);
        if (view.progress) mount(live, h('h3', {}, 'Progress'), progressPanel(view.progress));
        if (view.notice) live.append(h('p', { class: 'muted' }, view.notice));
      }
      if (view.report) {
        showReport(view.report);
        return;
      }
      if (view.failure !== undefined && view.status !== 'RUNNING') {
        showFailure(view.status, view.failure);
        live.remove();
        return;
      }
      liveClient = new LiveAnalysis(id, {
        progress: (progress) => {
          meta.textContent = `${progress.tenant} · started ${when(progress.startedAt)} · ${progress.agents.length} agents`;
          mount(live, h('h3', {}, 'Progress'), progressPanel(progress));
        },
        report: showReport,
        failed: (state, failure) => showFailure(state, failure),
        connection: (state, detail) => {
          connection.textContent = state === 'live' ? '● live' : state === 'closed' ? '' : `${state}${detail ? ` (${detail})` : ''}…`;
          connection.dataset.state = state;
        },
        fatal: (message, code) => {
          toast(message);
          if (code === 'unauthenticated') {
            storeToken(undefined);
            caller = undefined;
            void route();
          }
        },
      });
      liveClient.start();
    },
    (err: unknown) => {
      if (err instanceof ApiError && err.status === 404) {
        mount(main, h('section', { class: 'panel warning' }, h('h2', {}, 'Analysis not found'), h('p', {}, `${id} does not exist or belongs to another tenant.`), h('a', { href: '#/' }, 'Back to analyses')));
        return;
      }
      toast(errorText(err));
    },
  );
  return () => liveClient?.stop();
}

// --- routing -------------------------------------------------------------------------------------

async function route(): Promise<void> {
  leaveView?.();
  leaveView = undefined;
  renderWhoami();
  if (!(await ensureCaller())) return;
  const hash = location.hash.replace(/^#/, '') || '/';
  for (const link of document.querySelectorAll<HTMLAnchorElement>('nav a')) {
    link.classList.toggle('active', link.getAttribute('href') === `#${hash}`);
  }
  const analysis = /^\/analyses\/(.+)$/.exec(hash);
  try {
    if (analysis) {
      leaveView = analysisView(decodeURIComponent(analysis[1]!));
    } else if (hash === '/new') {
      await newView();
    } else {
      leaveView = listView();
    }
  } catch (err) {
    toast(errorText(err));
  }
}

window.addEventListener('hashchange', () => void route());
void route();

/**
 * `finops`: the command line for the gateway (npm run finops -- <command>). See `finops help`.
 * Talks only to the gateway's REST API and WebSocket, with the same credentials as any client.
 *
 * Exit codes: 0 done; 1 error (gateway refused, unreachable, not found); 2 usage; 3 the analysis ended
 * without a report (failed, cancelled, terminated, timed out).
 */
import { writeFile } from 'node:fs/promises';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ENV } from '../config';
import type { AnalysisProgress } from '../domain/progress';
import type { AnalysisReport } from '../domain/report';
import { CSV_TABLES, reportToViewJson } from '../domain/report-export';
import { buildReportView } from '../presentation/build';
import type { viewToHtml as ViewToHtml } from '../presentation/html';
import { generateApiKey } from '../gateway/api-keys';
import { serveStdio } from '../mcp/stdio';
import { analysisPath, CliError, Gateway, watchAnalysis, type Credentials, type WatchOutcome } from './client';
import { findingsCommand } from './findings';
import { BarsDisplay, LinesDisplay, listText, reportText, safe, type ListRow, type Output } from './render';

const USAGE = `finops: start, watch, list and fetch AWS cost analyses through the gateway.

Usage: npm run finops -- <command> [options]

Commands:
  analyze            start an analysis and watch it live until its report
      --account ID       (repeatable)   --region NAME (repeatable; default us-east-1)
      --ou ID            (repeatable) instead of --account: the tenant's active accounts of these
                         AWS Organizations OUs (or roots), discovered when the analysis starts
      --organization     instead of --account: every active account of the organisation
      --agents a,b       ec2,s3,rds,tagging,forecasting,trusted-advisor (default: all)
      --start DATE --end DATE   period, end exclusive (default: the last 30 full days)
      --as-of DATE       the analysis's "today": metrics and forecast end here (default: today)
      --tenant NAME      (default: your only tenant, or "demo" without auth)
      --no-watch         print the ID and return at once
      --progress MODE    bars | lines | auto (default auto: bars in a terminal)
  watch ID           watch a running analysis until its report
  list               list analyses, newest first
      --account ID  --status RUNNING,FAILED,...  --since DATE  --until DATE  --tenant NAME
      --limit N (default 20)  --all (every page)
  get ID             status, progress or report summary of one analysis
  report ID          download the report
      --format json|md|csv|html|view (default json)  --table findings|spend|all (CSV)  --output FILE
                     json: the report as the API serves it; md, csv: the gateway's exports;
                     html: one self-contained file, charts inline; view: the report view model as JSON
  cancel ID          cancel a running analysis
  findings dismiss ID --reason TEXT [--snooze-until DATE]
  findings accept|done|reopen ID [--reason TEXT]
                     set a finding's state (ID from the report's findings; kept across analyses;
                     you are recorded as who changed it)  [--analysis ID] [--expected-version N]
  findings states    the finding states kept for your tenant
  whoami             who your credentials stand for
  schedules list     weekly-review schedules (IDs review/<tenant>/<scope>)
  schedules get|delete|pause|unpause|trigger ID   [--note TEXT for pause/unpause]
  schedules backfill ID --start DATE --end DATE   run the reviews that were due in that range
  schedules reviews ID [DATE]                     the kept reviews of a scope (dates), or one review (JSON)
  schedules create --account ID ... [--tenant NAME] [--scope NAME (default all)] [--agents a,b]
      [--day MONDAY] [--at 09:00] [--timezone Europe/Paris] [--catchup-window "1 day"]
                     create or update (idempotent) a weekly review
  keys create --id ID (--tenant NAME ... | --operator) [--description TEXT]
                     make a new API key (printed once) and the entry for the gateway's key file
  mcp                an MCP server on stdin/stdout for AI assistants (Claude Desktop, Amazon Q, VS Code),
                     a client of the gateway with these credentials (see README, "AI assistants (MCP)")

Options for every command:
  --gateway URL      default $${ENV.gatewayUrl} or http://127.0.0.1:8080
  --api-key KEY      default $${ENV.apiKey}
  --token JWT        an OIDC bearer token; default $${ENV.token}
  --json             machine-readable output
  -h, --help

Exit codes: 0 ok, 1 error, 2 usage, 3 the analysis ended without a report.`;

const OPTIONS = {
  gateway: { type: 'string' },
  'api-key': { type: 'string' },
  token: { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
  account: { type: 'string', multiple: true },
  ou: { type: 'string', multiple: true },
  organization: { type: 'boolean', default: false },
  region: { type: 'string', multiple: true },
  agents: { type: 'string' },
  start: { type: 'string' },
  end: { type: 'string' },
  'as-of': { type: 'string' },
  tenant: { type: 'string', multiple: true },
  'no-watch': { type: 'boolean', default: false },
  progress: { type: 'string', default: 'auto' },
  status: { type: 'string' },
  since: { type: 'string' },
  until: { type: 'string' },
  limit: { type: 'string' },
  all: { type: 'boolean', default: false },
  format: { type: 'string', default: 'json' },
  table: { type: 'string' },
  output: { type: 'string', short: 'o' },
  id: { type: 'string' },
  operator: { type: 'boolean', default: false },
  description: { type: 'string' },
  scope: { type: 'string' },
  timezone: { type: 'string' },
  day: { type: 'string' },
  at: { type: 'string' },
  'catchup-window': { type: 'string' },
  note: { type: 'string' },
  reason: { type: 'string' },
  'snooze-until': { type: 'string' },
  analysis: { type: 'string' },
  'expected-version': { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

const stdout: Output = { write: (text) => void process.stdout.write(text) };

function usage(message: string): CliError {
  return new CliError(`${message}\nRun "npm run finops -- help" for usage.`, 2);
}

function gatewayFrom(values: Values): Gateway {
  const { url, credentials } = connectionFrom(values);
  return new Gateway(url, credentials);
}

function connectionFrom(values: Values): { url: string; credentials: Credentials } {
  const url = (values.gateway ?? process.env[ENV.gatewayUrl] ?? 'http://127.0.0.1:8080').replace(/\/+$/, '');
  if (!/^https?:\/\//.test(url)) throw usage(`--gateway must be an http(s) URL (got ${JSON.stringify(url)})`);
  const apiKey = values['api-key'] ?? process.env[ENV.apiKey];
  const token = values.token ?? process.env[ENV.token];
  return { url, credentials: { ...(apiKey ? { apiKey } : {}), ...(token ? { token } : {}) } };
}

/** `finops mcp`: the MCP server on stdin/stdout until the client closes it (stdout carries only MCP). */
async function mcp(values: Values): Promise<number> {
  const { url, credentials } = connectionFrom(values);
  await serveStdio(url, credentials);
  return 0;
}

function one(positionals: string[], what: string): string {
  const id = positionals[1];
  if (!id) throw usage(`"${positionals[0]}" needs ${what}`);
  if (positionals.length > 2) throw usage(`unexpected arguments: ${positionals.slice(2).join(' ')}`);
  return id;
}

function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

// --- commands ------------------------------------------------------------------------------------

async function analyze(values: Values): Promise<number> {
  const gateway = gatewayFrom(values);
  const byOrganization = values.organization || (values.ou?.length ?? 0) > 0;
  if (!values.account?.length && !byOrganization) throw usage('analyze needs at least one --account, or --ou ID / --organization');
  if (values.account?.length && byOrganization) throw usage('give --account, or --ou / --organization, not both');
  if ((values.start === undefined) !== (values.end === undefined)) throw usage('give both --start and --end, or neither');
  const tenants = values.tenant ?? [];
  if (tenants.length > 1) throw usage('analyze takes one --tenant');
  const body = {
    ...(tenants[0] ? { tenant: tenants[0] } : {}),
    ...(byOrganization ? { organization: values.ou?.length ? { ous: values.ou } : {} } : { accounts: values.account }),
    ...(values.region ? { regions: values.region } : {}),
    ...(values.agents ? { agents: values.agents.split(',').map((a) => a.trim()).filter(Boolean) } : {}),
    ...(values.start && values.end ? { period: { start: values.start, end: values.end } } : {}),
    ...(values['as-of'] ? { asOf: values['as-of'] } : {}),
  };
  // Without auth (development) the gateway needs a tenant; with a single-tenant key it fills it in.
  const me = await gateway.json<{ tenants: 'all' | string[] }>('/api/me');
  if (!('tenant' in body) && me.tenants === 'all') Object.assign(body, { tenant: 'demo' });
  const started = await gateway.json<{ analysisId: string }>('/api/analyses', { method: 'POST', body });
  if (values['no-watch']) {
    if (values.json) printJson(started);
    else process.stdout.write(`${started.analysisId}\n`);
    return 0;
  }
  if (!values.json) process.stdout.write(`Started ${started.analysisId}\n`);
  return watch(gateway, started.analysisId, values);
}

async function watch(gateway: Gateway, analysisId: string, values: Values): Promise<number> {
  const mode = values.progress;
  if (mode !== 'auto' && mode !== 'bars' && mode !== 'lines') throw usage('--progress must be bars, lines or auto');
  const bars = !values.json && (mode === 'bars' || (mode === 'auto' && process.stdout.isTTY === true));
  const display = values.json ? undefined : bars ? new BarsDisplay(stdout, process.stdout.columns ?? 100, process.stdout.hasColors?.() ?? false) : new LinesDisplay(stdout);
  let first = true;
  let outcome: WatchOutcome;
  try {
    outcome = await watchAnalysis(gateway, analysisId, (event) => {
      if (event.type === 'progress') {
        if (first && !bars && display) process.stdout.write(`  Live progress (${event.progress.agents.length} agents):\n`);
        first = false;
        display?.update(event.progress);
      } else {
        display?.connection(event.state === 'reconnecting' ? `reconnecting (${event.detail ?? ''})` : '');
      }
    });
  } finally {
    display?.stop();
  }
  if (outcome.type === 'failed') {
    if (values.json) printJson({ analysisId, status: outcome.status, failure: outcome.failure });
    else process.stderr.write(`The analysis ended without a report: ${outcome.status}: ${safe(outcome.failure)}\n`);
    return 3;
  }
  if (values.json) printJson(outcome.report);
  else {
    process.stdout.write(`\n${reportText(outcome.report)}`);
    process.stdout.write(`\nReport: ${gateway.baseUrl}${analysisPath(analysisId, '/report')}  (Markdown: --format md, CSV: --format csv)\n`);
    process.stdout.write(`Dashboard: ${gateway.baseUrl}/#/analyses/${encodeURIComponent(analysisId)}\n`);
  }
  return 0;
}

async function list(values: Values): Promise<number> {
  const gateway = gatewayFrom(values);
  const limit = values.limit === undefined ? 20 : Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1) throw usage('--limit must be a positive whole number');
  const query = new URLSearchParams();
  if (values.account?.length) {
    if (values.account.length > 1) throw usage('list takes one --account');
    query.set('account', values.account[0]!);
  }
  if (values.status) query.set('status', values.status);
  if (values.since) query.set('startedAfter', values.since);
  if (values.until) query.set('startedBefore', values.until);
  if (values.tenant?.length) query.set('tenant', values.tenant[0]!);
  query.set('pageSize', String(Math.min(values.all ? 100 : limit, 100)));
  const rows: ListRow[] = [];
  let token: string | undefined;
  do {
    if (token) query.set('pageToken', token);
    const page = await gateway.json<{ analyses: ListRow[]; nextPageToken?: string }>(`/api/analyses?${query.toString()}`);
    rows.push(...page.analyses);
    token = page.nextPageToken;
  } while (token && (values.all || rows.length < limit));
  const shown = values.all ? rows : rows.slice(0, limit);
  if (values.json) printJson(shown.map(({ analysisId, tenant, accounts, status, startTime, closeTime }) => ({ analysisId, tenant, accounts, status, startTime, ...(closeTime ? { closeTime } : {}) })));
  else process.stdout.write(listText(shown));
  return 0;
}

async function get(values: Values, id: string): Promise<number> {
  const gateway = gatewayFrom(values);
  const view = await gateway.json<{ analysisId: string; status: string; startTime: string; closeTime?: string; progress?: AnalysisProgress; report?: AnalysisReport; failure?: string; notice?: string }>(analysisPath(id));
  if (values.json) {
    printJson(view);
    return 0;
  }
  process.stdout.write(`${view.analysisId}\n  Status: ${view.status}\n  Started: ${view.startTime}${view.closeTime ? `\n  Closed: ${view.closeTime}` : ''}\n`);
  if (view.progress) {
    const p = view.progress;
    process.stdout.write(`  Step: ${safe(p.step)} (${p.counts.succeeded + p.counts.failed}/${p.counts.agents} agents done)\n`);
    for (const a of p.agents) process.stdout.write(`    ${a.state.padEnd(10)} ${safe(a.title)}: ${safe(a.step)}\n`);
  }
  if (view.notice) process.stdout.write(`  ${view.notice}\n`);
  if (view.failure) process.stdout.write(`  Failure: ${safe(view.failure)}\n`);
  if (view.report) process.stdout.write(`\n${reportText(view.report)}`);
  return 0;
}

async function report(values: Values, id: string): Promise<number> {
  const gateway = gatewayFrom(values);
  const format = values.format === 'markdown' ? 'md' : values.format;
  if (format !== 'json' && format !== 'md' && format !== 'csv' && format !== 'html' && format !== 'view') {
    throw usage('--format must be json, md, csv, html or view');
  }
  if (values.table && !(CSV_TABLES as readonly string[]).includes(values.table)) throw usage(`--table must be ${CSV_TABLES.join(', ')}`);
  let body: string;
  let table: string | null = null;
  if (format === 'html' || format === 'view') {
    // Rendered here from the report's JSON, with the same view model the gateway's exports use.
    const response = await gateway.fetch(analysisPath(id, '/report?format=json'), { accept: 'application/json' });
    const analysisReport = (await response.json()) as AnalysisReport;
    body = format === 'html' ? reportHtml(analysisReport) : reportToViewJson(analysisReport);
  } else {
    const query = new URLSearchParams({ format, ...(values.table ? { table: values.table } : {}) });
    const response = await gateway.fetch(analysisPath(id, `/report?${query.toString()}`), { accept: '*/*' });
    body = format === 'json' ? `${JSON.stringify(await response.json(), null, 2)}\n` : await response.text();
    table = response.headers.get('x-finops-csv-table');
  }
  if (values.output) {
    await writeFile(values.output, body);
    process.stderr.write(`Wrote ${values.output}${table ? ` (${table} table)` : ''}\n`);
  } else {
    process.stdout.write(body);
  }
  return 0;
}

/** The self-contained HTML export, charts rendered to inline SVG (the chart library is loaded only for it). */
function reportHtml(analysisReport: AnalysisReport): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a synchronous, lazy load in this CommonJS program
  const { viewToHtml } = require('../presentation/html') as { viewToHtml: typeof ViewToHtml };
  return viewToHtml(buildReportView(analysisReport));
}

async function cancel(values: Values, id: string): Promise<number> {
  const gateway = gatewayFrom(values);
  const result = await gateway.json<{ analysisId: string; status: string }>(analysisPath(id, '/cancel'), { method: 'POST' });
  if (values.json) printJson(result);
  else process.stdout.write(`Cancellation requested for ${result.analysisId}\n`);
  return 0;
}

async function whoami(values: Values): Promise<number> {
  const gateway = gatewayFrom(values);
  const me = await gateway.json<{ subject: string; tenants: 'all' | string[]; auth: string }>('/api/me');
  if (values.json) printJson(me);
  else process.stdout.write(`${me.subject} (${me.auth}); tenants: ${me.tenants === 'all' ? 'all' : me.tenants.join(', ')}\n`);
  return 0;
}

interface ScheduleRow {
  scheduleId: string;
  summary?: string;
  paused: boolean;
  note?: string;
  nextActionTimes: string[];
  recentActions: { scheduledAt: string; workflowId: string }[];
}

function scheduleText(s: ScheduleRow): string {
  return [
    `${safe(s.scheduleId)}${s.paused ? ' (paused)' : ''}`,
    ...(s.summary ? [`  ${safe(s.summary)}`] : []),
    ...(s.paused && s.note ? [`  note: ${safe(s.note)}`] : []),
    ...(s.nextActionTimes[0] ? [`  next run: ${s.nextActionTimes[0]}`] : []),
    ...(s.recentActions.length ? [`  last run: ${s.recentActions.at(-1)!.scheduledAt} ${safe(s.recentActions.at(-1)!.workflowId)}`] : []),
  ].join('\n');
}

/** `schedules list|get|create|delete|pause|unpause|trigger|backfill`: weekly reviews (IDs review/<tenant>/<scope>). */
async function schedules(values: Values, positionals: string[]): Promise<number> {
  const gateway = gatewayFrom(values);
  const sub = positionals[1] ?? 'list';
  const id = positionals[2];
  const path = (suffix = '') => `/api/schedules/${encodeURIComponent(id ?? '')}${suffix}`;
  const known = ['list', 'get', 'create', 'delete', 'pause', 'unpause', 'trigger', 'backfill', 'reviews'];
  if (!known.includes(sub)) throw usage(`unknown schedules command ${JSON.stringify(sub)}; use ${known.join(', ')}`);
  if (sub !== 'list' && sub !== 'create' && !id) throw usage(`"schedules ${sub}" needs a schedule ID (review/<tenant>/<scope>)`);

  if (sub === 'list') {
    const { schedules: rows } = await gateway.json<{ schedules: ScheduleRow[] }>('/api/schedules');
    if (values.json) printJson(rows);
    else process.stdout.write(rows.length ? `${rows.map(scheduleText).join('\n')}\n` : 'No schedules.\n');
    return 0;
  }
  if (sub === 'get') {
    const row = await gateway.json<ScheduleRow>(path());
    if (values.json) printJson(row);
    else process.stdout.write(`${scheduleText(row)}\n`);
    return 0;
  }
  if (sub === 'create') {
    if (!values.account?.length) throw usage('schedules create needs at least one --account');
    const tenants = values.tenant ?? [];
    if (tenants.length > 1) throw usage('schedules create takes one --tenant');
    const at = values.at ? /^(\d{1,2}):(\d{2})$/.exec(values.at) : undefined;
    if (values.at && !at) throw usage('--at takes HH:MM, e.g. 09:00');
    const body = {
      ...(tenants[0] ? { tenant: tenants[0] } : {}),
      ...(values.scope ? { scope: values.scope } : {}),
      accounts: values.account,
      ...(values.region ? { regions: values.region } : {}),
      ...(values.agents ? { agents: values.agents.split(',').map((a) => a.trim()).filter(Boolean) } : {}),
      ...(values.timezone ? { timezone: values.timezone } : {}),
      ...(values.day ? { dayOfWeek: values.day.toUpperCase() } : {}),
      ...(at ? { hour: Number(at[1]), minute: Number(at[2]) } : {}),
      ...(values['catchup-window'] ? { catchupWindow: values['catchup-window'] } : {}),
    };
    const row = await gateway.json<ScheduleRow & { created: boolean }>('/api/schedules', { method: 'POST', body });
    if (values.json) printJson(row);
    else process.stdout.write(`${row.created ? 'Created' : 'Updated'} ${scheduleText(row)}\n`);
    return 0;
  }
  if (sub === 'delete') {
    await gateway.fetch(path(), { method: 'DELETE' });
    if (values.json) printJson({ scheduleId: id, status: 'deleted' });
    else process.stdout.write(`Deleted ${safe(id!)}\n`);
    return 0;
  }
  if (sub === 'reviews') {
    const date = positionals[3];
    if (date) {
      printJson(await gateway.json(path(`/reviews/${encodeURIComponent(date)}`)));
      return 0;
    }
    const { reviews } = await gateway.json<{ reviews: { date: string }[] }>(path('/reviews'));
    if (values.json) printJson(reviews);
    else process.stdout.write(reviews.length ? `${reviews.map((r) => r.date).join('\n')}\n` : 'No reviews yet.\n');
    return 0;
  }
  if (sub === 'backfill') {
    if (!values.start || !values.end) throw usage('schedules backfill needs --start DATE and --end DATE');
    const result = await gateway.json(path('/backfill'), { method: 'POST', body: { start: values.start, end: values.end } });
    if (values.json) printJson(result);
    else process.stdout.write(`Backfilling ${safe(id!)} from ${values.start} to ${values.end}\n`);
    return 0;
  }
  const result = await gateway.json<{ status: string }>(path(`/${sub}`), { method: 'POST', body: values.note ? { note: values.note } : {} });
  if (values.json) printJson(result);
  else process.stdout.write(`${safe(id!)}: ${result.status}\n`);
  return 0;
}

function keys(values: Values, positionals: string[]): number {
  if (positionals[1] !== 'create') throw usage('use "keys create --id ID --tenant NAME"');
  if (!values.id) throw usage('keys create needs --id');
  const tenants = values.tenant ?? [];
  if (values.operator === (tenants.length > 0)) throw usage('give --tenant (one or more) or --operator, not both');
  const { key, entry } = generateApiKey(values.id, values.operator ? '*' : tenants, values.description);
  if (values.json) {
    printJson({ key, entry });
    return 0;
  }
  process.stdout.write(
    `API key (shown once; give it to the client, e.g. ${ENV.apiKey}):\n  ${key}\n\n` +
      `Entry for the gateway's key file (${ENV.apiKeysFile}), which stores only its SHA-256:\n  ${JSON.stringify(entry)}\n`,
  );
  return 0;
}

async function run(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    throw usage(err instanceof Error ? err.message : String(err));
  }
  const { values, positionals } = parsed;
  const command = positionals[0];
  if (values.help || !command || command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return command || values.help ? 0 : 2;
  }
  switch (command) {
    case 'analyze':
      return analyze(values);
    case 'watch':
      return watch(gatewayFrom(values), one(positionals, 'an analysis ID'), values);
    case 'list':
      return list(values);
    case 'get':
      return get(values, one(positionals, 'an analysis ID'));
    case 'report':
      return report(values, one(positionals, 'an analysis ID'));
    case 'cancel':
      return cancel(values, one(positionals, 'an analysis ID'));
    case 'whoami':
      return whoami(values);
    case 'schedules':
      return schedules(values, positionals);
    case 'keys':
      return keys(values, positionals);
    case 'mcp':
      return mcp(values);
    case 'findings': {
      if ((values.tenant?.length ?? 0) > 1) throw usage('findings takes one --tenant');
      return findingsCommand(
        gatewayFrom(values),
        positionals,
        {
          json: values.json,
          ...(values.reason !== undefined ? { reason: values.reason } : {}),
          ...(values['snooze-until'] !== undefined ? { snoozeUntil: values['snooze-until'] } : {}),
          ...(values.analysis !== undefined ? { analysis: values.analysis } : {}),
          ...(values.tenant?.[0] !== undefined ? { tenant: values.tenant[0] } : {}),
          ...(values['expected-version'] !== undefined ? { expectedVersion: values['expected-version'] } : {}),
        },
        (text) => void process.stdout.write(text),
      );
    }
    default:
      throw usage(`unknown command ${JSON.stringify(command)}`);
  }
}

run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof CliError) {
      process.stderr.write(`finops: ${err.message}\n`);
      process.exitCode = err.exitCode;
    } else {
      process.stderr.write(`finops: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 1;
    }
  },
);

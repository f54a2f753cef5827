/**
 * /api/analyses: start, list, read, fetch the report of (JSON, Markdown, CSV), and cancel analyses.
 *
 * Analysis IDs contain slashes, so they travel URL-encoded in one path segment:
 *   GET /api/analyses/analysis%2Facme%2F20261121-0930-a1b2c3
 * Every route checks the caller's tenant; other tenants' analyses answer 404 exactly like unknown ones
 * (without asking Temporal, so not even timing tells them apart).
 */
import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/client';
import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import { startAnalysis } from '../../client/analyses';
import type { AnalysisReport } from '../../domain/report';
import { CSV_TABLES, defaultCsvTable, reportToCsv, reportToMarkdown, type CsvTable } from '../../domain/report-export';
import { validateAnalysisRequest, type ValidationResult } from '../../domain/request';
import type { Converser } from '../../llm/bedrock';
import { planQuestion, type PlanResult } from '../../llm/planner';
import { answerQuestion, MAX_QUESTION_CHARS } from '../../llm/questions';
import { callerOf, canAccessAnalysis, canAccessTenant, tenantsOf, type Caller } from '../auth';
import { ApiError, bodyDecodeError, MAX_BODY_BYTES, notFound } from '../errors';
import { analysisLinks } from '../links';
import { DEFAULT_PAGE_SIZE, existingAnalyses, LIST_STATUSES, listAnalyses, MAX_PAGE_SIZE, type AnalysisListItem, type ListFilter, type ListStatus } from '../listing';
import { withDeadline } from '../temporal';
import type { TenantBindings } from '../../activities/tenancy';
import type { ReportStore } from '../../activities/reports';
import { tenantOfAnalysisId } from '../../workflows/ids';
import { readView, type GatewayAnalysisView } from '../views';

export interface AnalysesRouteOptions {
  client: Client;
  taskQueue: string;
  /** Deadline for each Temporal call made while answering a request. */
  rpcTimeoutMs: number;
  /** Deadline for the progress query of a running analysis (GET /:id). */
  queryTimeoutMs: number;
  now: () => Date;
  /** Which accounts each tenant may analyse. */
  tenancy: TenantBindings;
  /** Completed reports, read from here once Temporal no longer holds the run. */
  reports: ReportStore;
  /** The planner and follow-up questions: Bedrock when configured (else the deterministic planner and writer). */
  llm?: AnalysesLlmOptions;
}

export interface AnalysesLlmOptions {
  /** A converser per request; undefined when no model is configured. */
  converser?: () => Converser | undefined;
  /** A tenant's accounts by name, so questions can say "the staging account". */
  accountNames?: (tenant: string) => Record<string, string> | undefined;
}

const JSON_TYPES = ['application/json', 'application/*+json'];

/** 415 for anything but JSON, before the body is read. */
export const requireJson: RequestHandler = (req, _res, next) => {
  if (!req.is(JSON_TYPES)) {
    throw new ApiError(415, 'unsupported_media_type', 'The request body must be JSON with Content-Type: application/json');
  }
  next();
};

const parseJson = express.json({ limit: MAX_BODY_BYTES, type: JSON_TYPES, strict: false });

/** The JSON body parser; anything it fails on (bad compression included) is a 4xx naming the problem. */
export const jsonBody: RequestHandler = (req, res, next) => {
  parseJson(req, res, (err?: unknown) => {
    if (err) next(bodyDecodeError(err, req.headers['content-encoding']));
    else next();
  });
};

const REPORT_FORMATS = ['json', 'md', 'csv'] as const;
type ReportFormat = (typeof REPORT_FORMATS)[number];

/** Registers the routes on `api` (mounted at /api) with their full paths, so the route table is flat. */
export function registerAnalysisRoutes(api: Router, options: AnalysesRouteOptions): void {
  const { client, taskQueue, rpcTimeoutMs, queryTimeoutMs, now } = options;
  const temporal = <T>(fn: () => Promise<T>) => withDeadline(client, rpcTimeoutMs, fn);

  /** The decoded :id, if the caller may see it; otherwise 404 (without asking Temporal). */
  const analysisIdOf = (raw: string | string[] | undefined, caller: Caller): string => {
    const id = typeof raw === 'string' ? raw : '';
    if (!canAccessAnalysis(caller, id)) throw notFound(`Analysis ${JSON.stringify(id)}`);
    return id;
  };

  const read = async (id: string, progress: boolean): Promise<GatewayAnalysisView> => {
    const view = await readView(client, id, { rpcTimeoutMs, queryTimeoutMs, progress });
    if (view) return view;
    // Past Temporal's retention the run is gone, its report is not.
    const stored = await options.reports.get(tenantOfAnalysisId(id) ?? '', id);
    if (!stored) throw notFound(`Analysis ${JSON.stringify(id)}`);
    return {
      analysisId: id,
      status: 'COMPLETED',
      startTime: stored.startTime,
      closeTime: stored.closeTime,
      report: stored.report,
      notice: 'Read from the report store: Temporal no longer holds this run (its retention has ended).',
    };
  };

  api.post('/analyses', requireJson, jsonBody, async (req, res) => {
    const caller = callerOf(res);
    let body: unknown = req.body;
    // A caller who acts for exactly one tenant need not name it.
    if (isPlainObject(body) && body.tenant === undefined && caller.tenants !== 'all' && caller.tenants.length === 1) {
      body = { ...body, tenant: caller.tenants[0] };
    }
    // Who asked comes from the credentials only (API-key id or token subject): a body cannot sign for someone else.
    if (isPlainObject(body) && 'requestedBy' in body) {
      throw new ApiError(400, 'invalid_request', 'requestedBy is set from your credentials (API-key id or token subject); remove it from the body', {
        details: ['requestedBy: not allowed in the body'],
      });
    }
    // A question instead of agents: the planner turns it into a request.
    let plan: Extract<PlanResult, { ok: true }> | undefined;
    let validation: ValidationResult;
    if (isPlainObject(body) && body.question !== undefined) {
      plan = await planFromQuestion(body, caller);
      validation = { ok: true, request: plan.request };
    } else {
      validation = validateAnalysisRequest(body, now());
    }
    if (!validation.ok) {
      throw new ApiError(400, 'invalid_request', 'The analysis request is not valid', { details: validation.errors });
    }
    const request = { ...validation.request, requestedBy: caller.subject };
    if (!canAccessTenant(caller, request.tenant)) {
      throw new ApiError(403, 'forbidden', `You may not start analyses for tenant ${JSON.stringify(request.tenant)}`);
    }
    await enforceBinding(options.tenancy, request.tenant, request.accounts);
    const started = await temporal(() => startAnalysis(client, taskQueue, request, now()));
    const links = analysisLinks(req, started.analysisId);
    res
      .status(202)
      .location(links.self)
      .json({
        analysisId: started.analysisId,
        links,
        ...(plan ? { plan: { ...plan.plan, source: plan.source, ...(plan.error ? { error: plan.error } : {}), usage: plan.usage } } : {}),
      });
  });

  /** { question, tenant?, accounts? } → a plan and a validated request, or 422 saying why not. */
  const planFromQuestion = async (body: Record<string, unknown>, caller: Caller): Promise<Extract<PlanResult, { ok: true }>> => {
    const errors: string[] = [];
    const { question, tenant, accounts } = body;
    if (typeof question !== 'string' || !question.trim()) errors.push('question must be a non-empty string');
    else if (question.length > MAX_QUESTION_CHARS) errors.push(`question must be at most ${MAX_QUESTION_CHARS} characters`);
    if (typeof tenant !== 'string' || !/^[a-z0-9][a-z0-9-]{0,62}$/.test(tenant)) errors.push('tenant must be 1-63 lowercase letters, digits or hyphens');
    if (accounts !== undefined && (!Array.isArray(accounts) || !accounts.every((a) => typeof a === 'string' && /^\d{12}$/.test(a)))) {
      errors.push('accounts must be a list of 12-digit AWS account IDs');
    }
    const unknown = Object.keys(body).filter((k) => !['question', 'tenant', 'accounts'].includes(k));
    if (unknown.length) errors.push(`with a question, give only question, tenant and accounts (not ${unknown.join(', ')})`);
    if (errors.length) throw new ApiError(400, 'invalid_request', 'The analysis request is not valid', { details: errors });
    const tenantId = tenant as string;
    // Check the tenant before planning: nobody spends tokens on a tenant they cannot act for.
    if (!canAccessTenant(caller, tenantId)) {
      throw new ApiError(403, 'forbidden', `You may not start analyses for tenant ${JSON.stringify(tenantId)}`);
    }
    const names = options.llm?.accountNames?.(tenantId);
    const result = await planQuestion(
      question as string,
      { tenant: tenantId, now: now(), ...(accounts ? { accounts: accounts as string[] } : {}), ...(names ? { accountNames: names } : {}) },
      options.llm?.converser?.(),
    );
    if (!result.ok) {
      throw new ApiError(422, 'cannot_plan', `The question could not be turned into an analysis: ${result.reason}`, { details: [result.reason] });
    }
    return result;
  };

  api.post('/analyses/:id/questions', requireJson, jsonBody, async (req, res) => {
    const id = analysisIdOf(req.params.id, callerOf(res));
    const body: unknown = req.body;
    const question = isPlainObject(body) ? body.question : undefined;
    if (typeof question !== 'string' || !question.trim() || question.length > MAX_QUESTION_CHARS) {
      throw new ApiError(400, 'invalid_request', `Give {"question": "..."}, at most ${MAX_QUESTION_CHARS} characters`);
    }
    const report = completedReport(await read(id, false));
    const answer = await answerQuestion(report, question, options.llm?.converser?.());
    res.json({ analysisId: id, question, ...answer, links: analysisLinks(req, id) });
  });

  api.get('/analyses', async (req, res) => {
    const caller = callerOf(res);
    const filter = listFilterOf(req, caller);
    const pageSize = pageSizeOf(req.query.pageSize);
    const pageToken = singleQuery(req.query.pageToken, 'pageToken');
    const page = await temporal(() => listAnalyses(client, filter, { pageSize, ...(pageToken ? { pageToken } : {}) }));
    // Newest first: reports kept past Temporal's retention are older than every run it still holds, so they follow its last page.
    const kept = page.nextPageToken ? [] : await keptReports(filter, new Set(page.analyses.map((a) => a.analysisId)));
    res.json({
      analyses: [...page.analyses, ...kept].map((a) => ({ ...a, links: analysisLinks(req, a.analysisId) })),
      ...(page.nextPageToken ? { nextPageToken: page.nextPageToken } : {}),
    });
  });

  /** Stored reports matching the filter whose runs Temporal no longer holds. */
  const keptReports = async (filter: ListFilter, listed: ReadonlySet<string>): Promise<AnalysisListItem[]> => {
    if (filter.statuses && !filter.statuses.includes('COMPLETED')) return [];
    const tenants = filter.tenants ?? (await options.reports.tenants());
    const summaries = (await Promise.all(tenants.map((t) => options.reports.list(t)))).flat().filter(
      (s) =>
        !listed.has(s.analysisId) &&
        (filter.account === undefined || s.accounts.includes(filter.account)) &&
        (filter.startedAfter === undefined || Date.parse(s.startTime) >= filter.startedAfter.getTime()) &&
        (filter.startedBefore === undefined || Date.parse(s.startTime) < filter.startedBefore.getTime()),
    );
    if (summaries.length === 0) return [];
    const live = await temporal(() => existingAnalyses(client, summaries.map((s) => s.analysisId)));
    return summaries
      .filter((s) => !live.has(s.analysisId))
      .sort((a, b) => b.startTime.localeCompare(a.startTime))
      .map((s) => ({ analysisId: s.analysisId, tenant: s.tenant, accounts: s.accounts, status: 'COMPLETED' as const, startTime: s.startTime, closeTime: s.closeTime, retained: 'report-store' as const }));
  };

  api.get('/analyses/:id', async (req, res) => {
    const id = analysisIdOf(req.params.id, callerOf(res));
    const view = await read(id, true);
    res.json({ ...view, links: analysisLinks(req, id) });
  });

  api.get('/analyses/:id/report', async (req, res) => {
    const id = analysisIdOf(req.params.id, callerOf(res));
    const format = reportFormatOf(req);
    const table = csvTableOf(req.query.table);
    const view = await read(id, false);
    const report = completedReport(view);
    sendReport(res, report, format, table);
  });

  api.post('/analyses/:id/cancel', async (req, res) => {
    const id = analysisIdOf(req.params.id, callerOf(res));
    const handle = client.workflow.getHandle(id);
    const description = await temporal(() => handle.describe()).catch((err: unknown) => {
      if (err instanceof WorkflowNotFoundError) return undefined;
      throw err;
    });
    if (!description || description.type !== 'analysis') throw notFound(`Analysis ${JSON.stringify(id)}`);
    if (description.status.name !== 'RUNNING') {
      throw new ApiError(409, 'already_closed', `The analysis has already finished (${description.status.name}); there is nothing to cancel`, {
        status: description.status.name,
      });
    }
    await temporal(() => handle.cancel());
    res.status(202).json({ analysisId: id, status: 'cancel_requested', links: analysisLinks(req, id) });
  });
}

/** 403 naming the tenant and each account outside its binding (the worker checks the same before any AWS call). */
export async function enforceBinding(tenancy: TenantBindings, tenant: string, accounts: readonly string[]): Promise<void> {
  const decision = await tenancy.check(tenant, accounts);
  if (!decision.ok) throw new ApiError(403, decision.code, decision.message, { details: decision.accounts.map((a) => `account ${a}: not bound to ${tenant}`) });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function singleQuery(value: unknown, name: string): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') throw new ApiError(400, 'invalid_request', `Give ${name} once, as a single value`);
  return value;
}

function pageSizeOf(value: unknown): number {
  const raw = singleQuery(value, 'pageSize');
  if (raw === undefined) return DEFAULT_PAGE_SIZE;
  const size = Number(raw);
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE) {
    throw new ApiError(400, 'invalid_request', `pageSize must be a whole number from 1 to ${MAX_PAGE_SIZE}`);
  }
  return size;
}

function timeOf(value: unknown, name: string): Date | undefined {
  const raw = singleQuery(value, name);
  if (raw === undefined) return undefined;
  const ok = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/.test(raw);
  const date = new Date(raw);
  if (!ok || Number.isNaN(date.getTime())) {
    throw new ApiError(400, 'invalid_request', `${name} must be a date (YYYY-MM-DD) or an ISO 8601 time with a zone, e.g. 2026-11-01T00:00:00Z`);
  }
  return date;
}

/** Filters from the query string; the tenant scope always comes from the caller. */
function listFilterOf(req: Request, caller: Caller): ListFilter {
  const errors: string[] = [];
  const account = singleQuery(req.query.account, 'account');
  if (account !== undefined && !/^\d{12}$/.test(account)) errors.push('account must be a 12-digit AWS account ID');
  const statusRaw = singleQuery(req.query.status, 'status');
  const statuses = statusRaw?.split(',').map((s) => s.trim().toUpperCase()).filter(Boolean) ?? [];
  for (const s of statuses) {
    if (!(LIST_STATUSES as readonly string[]).includes(s)) errors.push(`unknown status ${JSON.stringify(s)}; use ${LIST_STATUSES.join(', ')}`);
  }
  let startedAfter: Date | undefined;
  let startedBefore: Date | undefined;
  try {
    startedAfter = timeOf(req.query.startedAfter, 'startedAfter');
    startedBefore = timeOf(req.query.startedBefore, 'startedBefore');
  } catch (err) {
    if (err instanceof ApiError) errors.push(err.message);
    else throw err;
  }
  const tenant = singleQuery(req.query.tenant, 'tenant');
  if (tenant !== undefined && !/^[a-z0-9][a-z0-9-]{0,62}$/.test(tenant)) errors.push('tenant must be 1-63 lowercase letters, digits or hyphens');
  if (errors.length) throw new ApiError(400, 'invalid_request', 'The list filters are not valid', { details: errors });

  // Narrow to one tenant on request; a tenant the caller cannot see yields an empty list, like an unknown one.
  const allowed = tenantsOf(caller);
  const tenants = tenant === undefined ? allowed : allowed === undefined || allowed.includes(tenant) ? [tenant] : [];
  return {
    tenants,
    ...(account ? { account } : {}),
    ...(statuses.length ? { statuses: statuses as ListStatus[] } : {}),
    ...(startedAfter ? { startedAfter } : {}),
    ...(startedBefore ? { startedBefore } : {}),
  };
}

function reportFormatOf(req: Request): ReportFormat {
  const raw = singleQuery(req.query.format, 'format');
  if (raw !== undefined) {
    const format = raw.toLowerCase() === 'markdown' ? 'md' : raw.toLowerCase();
    if (!(REPORT_FORMATS as readonly string[]).includes(format)) {
      throw new ApiError(400, 'invalid_request', `Unknown report format ${JSON.stringify(raw)}; use json, md or csv`);
    }
    return format as ReportFormat;
  }
  // Without ?format, the Accept header decides; JSON by default.
  const accepted = req.accepts(['application/json', 'text/markdown', 'text/csv']);
  if (accepted === false) {
    throw new ApiError(406, 'not_acceptable', 'The report is available as application/json, text/markdown or text/csv');
  }
  return accepted === 'text/markdown' ? 'md' : accepted === 'text/csv' ? 'csv' : 'json';
}

function csvTableOf(value: unknown): CsvTable | undefined {
  const raw = singleQuery(value, 'table');
  if (raw === undefined) return undefined;
  if (!(CSV_TABLES as readonly string[]).includes(raw)) throw new ApiError(400, 'invalid_request', `table must be ${CSV_TABLES.join(', ')}`);
  return raw as CsvTable;
}

function completedReport(view: GatewayAnalysisView): AnalysisReport {
  switch (view.status) {
    case 'COMPLETED':
      return view.report!;
    case 'RUNNING':
    case 'CONTINUED_AS_NEW':
      throw new ApiError(409, 'not_finished', 'The analysis is still running; its report is not ready yet', { status: view.status });
    case 'CANCELLED':
      throw new ApiError(410, 'analysis_cancelled', 'The analysis was cancelled and has no report', extraOf(view));
    case 'TERMINATED':
      throw new ApiError(410, 'analysis_terminated', 'The analysis was terminated and has no report', extraOf(view));
    case 'TIMED_OUT':
      throw new ApiError(410, 'analysis_timed_out', 'The analysis timed out and has no report', extraOf(view));
    default:
      throw new ApiError(410, 'analysis_failed', 'The analysis failed and has no report', extraOf(view));
  }
}

/** File name for downloads: analysis-acme-20261121-0930-a1b2c3.md */
export function reportFileName(report: AnalysisReport, extension: string, table?: CsvTable): string {
  const base = report.analysisId.replace(/[^a-z0-9-]+/gi, '-').replace(/^-+|-+$/g, '');
  return `${base}${table ? `-${table}` : ''}.${extension}`;
}

function sendReport(res: Response, report: AnalysisReport, format: ReportFormat, table: CsvTable | undefined): void {
  res.vary('Accept');
  switch (format) {
    case 'json':
      res.json(report);
      return;
    case 'md':
      res
        .type('text/markdown; charset=utf-8')
        .attachment(reportFileName(report, 'md'))
        .send(reportToMarkdown(report));
      return;
    case 'csv': {
      const chosen = table ?? defaultCsvTable(report);
      res
        .type('text/csv; charset=utf-8')
        .setHeader('X-Finops-Csv-Table', chosen)
        .attachment(reportFileName(report, 'csv', chosen))
        .send(reportToCsv(report, chosen));
      return;
    }
  }
}

function extraOf(view: GatewayAnalysisView): { status: string; failure?: string } {
  return { status: view.status, ...(view.failure !== undefined ? { failure: view.failure } : {}) };
}

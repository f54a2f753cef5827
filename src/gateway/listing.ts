/**
 * Listing analyses from Temporal visibility, filtered by the project's search attributes:
 *   FinopsKind = 'analysis' AND FinopsTenant IN ('acme') AND FinopsAccount = '123456789012'
 *   AND ExecutionStatus IN ('Running') AND StartTime >= '2026-11-01T00:00:00.000Z'
 * The tenant filter always comes from the caller, never from the client alone. Every value is validated
 * against a strict pattern before it goes into the query, so no input can change the query's shape.
 *
 * Pages: Temporal's next-page token is wrapped in our own opaque token together with a digest of the
 * query it belongs to; a token replayed against another query (another filter, another tenant) is refused.
 * Visibility is eventually consistent: a run started a moment ago may take a moment to appear.
 */
import { createHash } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { AnalysisStatusName } from '../client/analyses';
import { ACCOUNT, KIND, TENANT } from '../workflows/search-attributes';
import { ApiError } from './errors';

export const LIST_STATUSES = ['RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED', 'TERMINATED', 'TIMED_OUT', 'CONTINUED_AS_NEW'] as const;
export type ListStatus = (typeof LIST_STATUSES)[number];

/** Our status names -> visibility's ExecutionStatus values. */
const VISIBILITY_STATUS: Record<ListStatus, string> = {
  RUNNING: 'Running',
  COMPLETED: 'Completed',
  FAILED: 'Failed',
  CANCELLED: 'Canceled',
  TERMINATED: 'Terminated',
  TIMED_OUT: 'TimedOut',
  CONTINUED_AS_NEW: 'ContinuedAsNew',
};

/** WorkflowExecutionStatus enum codes -> our names. */
const STATUS_BY_CODE: Record<number, AnalysisStatusName> = {
  1: 'RUNNING',
  2: 'COMPLETED',
  3: 'FAILED',
  4: 'CANCELLED',
  5: 'TERMINATED',
  6: 'CONTINUED_AS_NEW',
  7: 'TIMED_OUT',
};

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

export interface ListFilter {
  /** undefined: every tenant (operators and development only). */
  tenants: readonly string[] | undefined;
  account?: string;
  statuses?: readonly ListStatus[];
  startedAfter?: Date;
  startedBefore?: Date;
}

export interface AnalysisListItem {
  analysisId: string;
  tenant: string;
  accounts: string[];
  status: AnalysisStatusName;
  startTime: string;
  closeTime?: string;
  /** Set when Temporal no longer holds the run and the entry comes from the report store. */
  retained?: 'report-store';
}

export interface AnalysisListPage {
  analyses: AnalysisListItem[];
  /** Pass as `pageToken` for the next page; absent on the last page. */
  nextPageToken?: string;
}

const TENANT_RE = /^[a-z0-9][a-z0-9-]{0,62}$/;
const ACCOUNT_RE = /^\d{12}$/;

/** The visibility query for a filter (values are validated here too: defence in depth). */
export function visibilityQuery(filter: ListFilter): string {
  const clauses = [`${KIND.name} = 'analysis'`];
  if (filter.tenants !== undefined) {
    for (const t of filter.tenants) if (!TENANT_RE.test(t)) throw new Error(`invalid tenant in filter: ${JSON.stringify(t)}`);
    clauses.push(`${TENANT.name} IN (${filter.tenants.map((t) => `'${t}'`).join(', ')})`);
  }
  if (filter.account !== undefined) {
    if (!ACCOUNT_RE.test(filter.account)) throw new Error(`invalid account in filter: ${JSON.stringify(filter.account)}`);
    clauses.push(`${ACCOUNT.name} = '${filter.account}'`);
  }
  if (filter.statuses?.length) {
    clauses.push(`ExecutionStatus IN (${filter.statuses.map((s) => `'${VISIBILITY_STATUS[s]}'`).join(', ')})`);
  }
  if (filter.startedAfter) clauses.push(`StartTime >= '${filter.startedAfter.toISOString()}'`);
  if (filter.startedBefore) clauses.push(`StartTime < '${filter.startedBefore.toISOString()}'`);
  return clauses.join(' AND ');
}

function queryDigest(query: string, pageSize: number): string {
  return createHash('sha256').update(`${pageSize}\n${query}`).digest('base64url').slice(0, 16);
}

export function encodePageToken(query: string, pageSize: number, temporalToken: Uint8Array): string {
  const body = JSON.stringify({ v: 1, q: queryDigest(query, pageSize), t: Buffer.from(temporalToken).toString('base64') });
  return Buffer.from(body).toString('base64url');
}

export function decodePageToken(token: string, query: string, pageSize: number): Uint8Array {
  let parsed: { v?: unknown; q?: unknown; t?: unknown };
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as typeof parsed;
  } catch {
    throw invalidToken();
  }
  if (parsed?.v !== 1 || typeof parsed.q !== 'string' || typeof parsed.t !== 'string') throw invalidToken();
  if (parsed.q !== queryDigest(query, pageSize)) {
    throw new ApiError(400, 'invalid_request', 'pageToken belongs to a different query: repeat the same filters and pageSize, or start from the first page');
  }
  return Buffer.from(parsed.t, 'base64');
}

function invalidToken(): ApiError {
  return new ApiError(400, 'invalid_request', 'pageToken is not a token this gateway issued');
}

function decodeKeyword(payload: { data?: Uint8Array | null } | undefined): unknown {
  if (!payload?.data) return undefined;
  try {
    return JSON.parse(Buffer.from(payload.data).toString('utf8'));
  } catch {
    return undefined;
  }
}

function timestampToIso(ts: { seconds?: { toNumber(): number } | number | null; nanos?: number | null } | null | undefined): string | undefined {
  if (!ts || ts.seconds === undefined || ts.seconds === null) return undefined;
  const seconds = typeof ts.seconds === 'number' ? ts.seconds : ts.seconds.toNumber();
  return new Date(seconds * 1000 + Math.floor((ts.nanos ?? 0) / 1e6)).toISOString();
}

export async function listAnalyses(
  client: Client,
  filter: ListFilter,
  page: { pageSize: number; pageToken?: string },
): Promise<AnalysisListPage> {
  // A caller narrowed to no tenant at all (e.g. asked for another tenant's runs) sees an empty list.
  if (filter.tenants !== undefined && filter.tenants.length === 0) return { analyses: [] };
  const query = visibilityQuery(filter);
  const nextPageToken = page.pageToken ? decodePageToken(page.pageToken, query, page.pageSize) : undefined;
  const response = await client.workflowService.listWorkflowExecutions({
    namespace: client.options.namespace,
    query,
    pageSize: page.pageSize,
    ...(nextPageToken ? { nextPageToken } : {}),
  });
  const analyses: AnalysisListItem[] = [];
  for (const info of response.executions) {
    const analysisId = info.execution?.workflowId;
    if (!analysisId) continue;
    const fields = info.searchAttributes?.indexedFields ?? {};
    const tenant = decodeKeyword(fields[TENANT.name] ?? undefined);
    const accounts = decodeKeyword(fields[ACCOUNT.name] ?? undefined);
    const startTime = timestampToIso(info.startTime);
    const closeTime = timestampToIso(info.closeTime);
    analyses.push({
      analysisId,
      tenant: typeof tenant === 'string' ? tenant : '',
      accounts: Array.isArray(accounts) ? accounts.filter((a): a is string => typeof a === 'string') : [],
      status: STATUS_BY_CODE[info.status ?? 0] ?? 'UNKNOWN',
      startTime: startTime ?? '',
      ...(closeTime ? { closeTime } : {}),
    });
  }
  // Visibility stores fill every page but the last (LIMIT pageSize), yet may still hand out a token for an
  // empty next page; a short page is the last one.
  const token = response.nextPageToken;
  const more = token && token.length > 0 && response.executions.length >= page.pageSize;
  return { analyses, ...(more ? { nextPageToken: encodePageToken(query, page.pageSize, token) } : {}) };
}

/** Which of these analysis IDs Temporal still holds (visibility, 50 IDs a query). */
export async function existingAnalyses(client: Client, ids: readonly string[]): Promise<Set<string>> {
  const found = new Set<string>();
  const valid = ids.filter((id) => /^analysis\/[a-z0-9-]+\/[0-9-]+[a-z0-9]+$/.test(id));
  for (let i = 0; i < valid.length; i += 50) {
    const chunk = valid.slice(i, i + 50);
    const response = await client.workflowService.listWorkflowExecutions({
      namespace: client.options.namespace,
      query: `WorkflowId IN (${chunk.map((id) => `'${id}'`).join(', ')})`,
      pageSize: chunk.length,
    });
    for (const info of response.executions) if (info.execution?.workflowId) found.add(info.execution.workflowId);
  }
  return found;
}

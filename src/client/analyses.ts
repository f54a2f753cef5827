/**
 * Starting and reading analyses from any Temporal client (gateway, CLI, tests, schedules).
 */
import { type Client, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import { randomBytes } from 'node:crypto';
import { AGENTS } from '../domain/agents';
import { describeOrganizationScope } from '../domain/organization';
import type { AnalysisProgress } from '../domain/progress';
import type { AnalysisReport } from '../domain/report';
import type { AnalysisRequest } from '../domain/request';
import { analysisWorkflowId } from '../workflows/ids';
import { progressQuery } from '../workflows/messages';
import { ACCOUNT, KIND, TENANT } from '../workflows/search-attributes';
import type { analysis } from '../workflows/analysis';

export interface StartedAnalysis {
  analysisId: string;
  runId: string;
}

/** Start an analysis of an already validated request. Retries the rare ID collision with a new suffix. */
export async function startAnalysis(
  client: Client,
  taskQueue: string,
  request: AnalysisRequest,
  now: Date = new Date(),
): Promise<StartedAnalysis> {
  for (let attempt = 0; ; attempt++) {
    const analysisId = analysisWorkflowId(request.tenant, now, randomBytes(3).toString('hex'));
    try {
      const handle = await client.workflow.start<typeof analysis>('analysis', {
        taskQueue,
        workflowId: analysisId,
        args: [request],
        typedSearchAttributes: new TypedSearchAttributes([
          { key: TENANT, value: request.tenant },
          // An organisation-scoped run sets its accounts once it has discovered them.
          ...(request.accounts.length ? [{ key: ACCOUNT, value: request.accounts }] : []),
          { key: KIND, value: 'analysis' },
        ]),
        staticSummary: analysisSummary(request),
        staticDetails: analysisDetails(request),
      });
      return { analysisId, runId: handle.firstExecutionRunId };
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError && attempt < 3) continue;
      throw err;
    }
  }
}

export function analysisSummary(request: AnalysisRequest): string {
  const accounts = request.organization
    ? `accounts of ${describeOrganizationScope(request.organization)}`
    : request.accounts.length === 1
      ? request.accounts[0]
      : `${request.accounts.length} accounts`;
  return `Cost analysis for ${request.tenant}: ${accounts}, ${request.period.start} to ${request.period.end}, ${request.agents.length} agents`;
}

export function analysisDetails(request: AnalysisRequest): string {
  return [
    `**Tenant:** ${request.tenant}`,
    request.organization
      ? `**Accounts:** the tenant's active accounts of ${describeOrganizationScope(request.organization)}, discovered in AWS Organizations`
      : `**Accounts:** ${request.accounts.join(', ')}`,
    `**Regions:** ${request.regions.join(', ')}`,
    `**Period:** ${request.period.start} to ${request.period.end} (end exclusive), compared with the period before`,
    `**Agents:** ${request.agents.map((a) => AGENTS[a].title).join('; ')}`,
    ...(request.requestedBy ? [`**Requested by:** ${request.requestedBy}`] : []),
  ].join('\n\n');
}

export type AnalysisStatusName =
  'RUNNING' | 'COMPLETED' | 'FAILED' | 'CANCELLED' | 'TERMINATED' | 'TIMED_OUT' | 'CONTINUED_AS_NEW' | 'UNKNOWN';

export interface AnalysisView {
  analysisId: string;
  status: AnalysisStatusName;
  startTime: string;
  closeTime?: string;
  progress?: AnalysisProgress;
  report?: AnalysisReport;
  failure?: string;
}

/**
 * Status, progress and (when finished) the report of one analysis. Returns undefined for unknown IDs.
 * Finished analyses are read from their result, never queried (a query would replay the workflow).
 */
export async function readAnalysis(client: Client, analysisId: string): Promise<AnalysisView | undefined> {
  const handle = client.workflow.getHandle<typeof analysis>(analysisId);
  let description;
  try {
    description = await handle.describe();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  }
  if (description.type !== 'analysis') return undefined;
  const view: AnalysisView = {
    analysisId,
    status: description.status.name as AnalysisStatusName,
    startTime: description.startTime.toISOString(),
    ...(description.closeTime ? { closeTime: description.closeTime.toISOString() } : {}),
  };
  if (description.status.name === 'RUNNING') {
    view.progress = await handle.query(progressQuery);
  } else if (description.status.name === 'COMPLETED') {
    view.report = await handle.result();
  } else {
    view.failure = await handle.result().then(
      () => 'unknown',
      (err: unknown) => describeFailure(err),
    );
  }
  return view;
}

export function describeFailure(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const parts = [err.message];
  let cause = (err as { cause?: unknown }).cause;
  while (cause instanceof Error) {
    parts.push(cause.message);
    cause = (cause as { cause?: unknown }).cause;
  }
  return parts.filter(Boolean).join(': ');
}

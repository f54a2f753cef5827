/**
 * The analysis workflow: validates the request, starts one agent child per agent in parallel, keeps
 * live progress for the `progress` query, and assembles the report. A failing agent makes the report
 * partial (naming what failed and why); it never loses the other agents' results.
 */
import {
  ActivityCancellationType,
  ApplicationFailure,
  CancellationScope,
  CancelledFailure,
  ChildWorkflowCancellationType,
  isCancellation,
  ParentClosePolicy,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { TimelineInput } from '../activities/timeline';
import { AGENTS, type AgentKind } from '../domain/agents';
import type { FindingsSummary } from '../domain/findings';
import { formatUsd } from '../domain/money';
import { buildReportView } from '../presentation/build';
import { progressDetails, reportDetails } from '../presentation/web-ui';
import { previousPeriod } from '../domain/period';
import {
  applyAgentUpdate,
  initialProgress,
  setMergedFindings,
  setOverall,
  type AgentProgressUpdate,
  type AnalysisProgress,
} from '../domain/progress';
import { assembleReport, type AgentOutcome, type AnalysisReport } from '../domain/report';
import { attachSummary } from '../llm/attach';
import { describeOrganizationScope } from '../domain/organization';
import { validateAnalysisRequest, workflowClockFor, type AnalysisRequest } from '../domain/request';
import { AGENT_HEARTBEAT_TIMEOUT } from './agents/common';
import { AGENT_WORKFLOWS, type AgentInput } from './agents/index';
import { failureReason } from './failures';
import { applyStatesStep } from './finding-states';
import { resolveOrganizationScope } from './organization-scope';
import { checkBinding } from './tenant-binding';
import { agentWorkflowId } from './ids';
import { agentProgressSignal, progressQuery } from './messages';
import { ACCOUNT, AGENT, KIND, TENANT } from './search-attributes';

/** The parent merges the agents' findings (an activity after the agents); older histories replay without it. */
export const MERGE_PATCH = 'merge-findings-v1';

/** The merge keeps findings inside the requested accounts and Regions; older histories merged without a scope. */
export const MERGE_SCOPE_PATCH = 'merge-scope-v1';

const { mergeAnalysisFindings } = proxyActivities<Activities>({
  startToCloseTimeout: '10 minutes',
  // The worker beats for every attempt (src/worker/liveness.ts): a dead worker's attempt is retried within seconds.
  heartbeatTimeout: AGENT_HEARTBEAT_TIMEOUT,
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 8 },
});

/** Guards the executive-summary step, so histories recorded before it existed still replay. */
export const SUMMARY_PATCH = 'executive-summary-v1';

const { summariseReport } = proxyActivities<Activities>({
  // Bedrock calls have their own per-attempt timeouts inside; this bounds the whole activity.
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: AGENT_HEARTBEAT_TIMEOUT,
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumAttempts: 3 },
});

/** The worker checks the tenant's account binding before any agent starts; older histories replay without it. */
export const TENANCY_PATCH = 'tenant-binding-v1';

/** A completed analysis's report is kept in the report store (beyond Temporal's retention); older histories replay without it. */
export const KEEP_REPORT_PATCH = 'keep-report-v1';

/** The report carries a phase timeline (where the time went); older histories replay without the step. */
export const TIMELINE_PATCH = 'phase-timeline-v1';

const { buildAnalysisTimeline } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumAttempts: 3 },
});

const { keepReport } = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: AGENT_HEARTBEAT_TIMEOUT,
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 10 },
});

export async function analysis(input: AnalysisRequest): Promise<AnalysisReport> {
  const validation = validateAnalysisRequest(input, workflowClockFor(input, new Date()));
  if (!validation.ok) {
    throw ApplicationFailure.nonRetryable(`Invalid analysis request: ${validation.errors.join('; ')}`, 'InvalidRequest');
  }
  const analysisId = workflowInfo().workflowId;
  const children = validation.request.agents.map((agent) => ({ agent, workflowId: agentWorkflowId(analysisId, agent) }));
  let progress = initialProgress(analysisId, validation.request.tenant, children, now());
  const update = (next: AnalysisProgress) => {
    progress = next;
    setCurrentDetails(progressDetails(progress));
  };
  setHandler(progressQuery, () => progress);
  setHandler(agentProgressSignal, (u: AgentProgressUpdate) => update(applyAgentUpdate(progress, u, now())));

  let request = validation.request;
  let scopeNotes: string[] = [];
  if (request.organization) {
    update(setOverall(progress, 'running', `Discovering the accounts of ${describeOrganizationScope(request.organization)}`, now()));
    ({ request, notes: scopeNotes } = await resolveOrganizationScope(request, request.organization));
  }
  if (patched(TENANCY_PATCH)) {
    // Before any agent's AWS call: a run started on Temporal directly, around the gateway, is refused here too
    // (an organisation-scoped run kept only the tenant's accounts, and discovery refused an unknown tenant).
    await checkBinding(request.tenant, request.accounts);
  }
  const baseline = previousPeriod(request.period);
  ensureSearchAttributes(request);
  update(setOverall(progress, 'running', `Running ${children.length} agents`, now()));

  // Each agent's child-workflow window, in workflow time (deterministic), for the report's timeline.
  const windows: TimelineInput['windows'] = [];
  const runAgent = async (agent: AgentKind, workflowId: string): Promise<AgentOutcome> => {
    const start = now();
    try {
      return await runAgentChild(agent, workflowId);
    } finally {
      windows.push({ scope: agent, start, end: now() });
    }
  };
  const runAgentChild = async (agent: AgentKind, workflowId: string): Promise<AgentOutcome> => {
    const agentInput: AgentInput = {
      analysisId,
      agent,
      tenant: request.tenant,
      accounts: request.accounts,
      regions: request.regions,
      period: request.period,
      previousPeriod: baseline,
      // Every agent reads the same day: the request's.
      asOf: request.asOf,
      ...(request.targetConcurrency ? { targetConcurrency: request.targetConcurrency } : {}),
      // Agents plan their shared Cost Explorer reads from the whole list (data only: replays unchanged).
      agents: request.agents,
    };
    try {
      const child = await startChild(AGENT_WORKFLOWS[agent], {
        workflowId,
        args: [agentInput],
        // Cancelling the analysis cancels its agents, and waits for them to stop.
        cancellationType: ChildWorkflowCancellationType.WAIT_CANCELLATION_COMPLETED,
        parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
        staticSummary: `${AGENTS[agent].title} agent for ${request.tenant}, ${request.period.start} to ${request.period.end}`,
        staticDetails: `Part of analysis \`${analysisId}\`. Accounts: ${request.accounts.join(', ')}.`,
        typedSearchAttributes: [
          { key: TENANT, value: request.tenant },
          { key: ACCOUNT, value: request.accounts },
          { key: KIND, value: 'agent' },
          { key: AGENT, value: agent },
        ],
      });
      // The child may already have reported its first step; "Started" must not come after it.
      if (progress.agents.find((a) => a.agent === agent)?.state === 'pending') {
        update(applyAgentUpdate(progress, { agent, state: 'running', step: 'Started' }, now()));
      }
      const result = await child.result();
      update(
        applyAgentUpdate(
          progress,
          {
            agent,
            state: 'succeeded',
            step: `Done: spend ${formatUsd(result.spend.total, result.spend.unit)}`,
            requests: result.costExplorerRequests,
            spend: result.spend.total,
            // Trusted Advisor mostly seconds the other agents' findings: its dollars count once, after the merge.
            ...(result.findings
              ? {
                  findings: result.findings.count,
                  ...(agent === 'trusted-advisor' ? {} : { savings: result.findings.monthlySavings }),
                }
              : {}),
          },
          now(),
        ),
      );
      return { agent, workflowId, status: 'succeeded', result };
    } catch (err) {
      const cancelled = isCancellation(err);
      const { reason, type, needs } = failureReason(err);
      if (needs && !cancelled) {
        update(
          applyAgentUpdate(
            progress,
            { agent, state: 'skipped', step: `Skipped: needs ${needs}`, error: reason, level: 'warn' },
            now(),
          ),
        );
        return { agent, workflowId, status: 'skipped', reason, needs };
      }
      update(
        applyAgentUpdate(
          progress,
          {
            agent,
            state: cancelled ? 'cancelled' : 'failed',
            step: cancelled ? 'Cancelled' : `Failed: ${reason}`,
            error: reason,
          },
          now(),
        ),
      );
      return { agent, workflowId, status: cancelled ? 'cancelled' : 'failed', reason, ...(type ? { errorType: type } : {}) };
    }
  };

  const outcomes = await Promise.all(children.map(({ agent, workflowId }) => runAgent(agent, workflowId)));

  if (CancellationScope.current().consideredCancelled) {
    update(setOverall(progress, 'cancelled', 'Analysis cancelled; agents stopped', now()));
    // Rethrowing a cancellation closes the run as Cancelled (not Failed) in Temporal.
    throw new CancelledFailure('Analysis cancelled');
  }

  const merged = await applyStatesStep(
    analysisId,
    request,
    await mergeStep(analysisId, outcomes, request, (step) => update(setOverall(progress, 'running', step, now()))),
  );
  if (scopeNotes.length) merged.notes = [...scopeNotes, ...(merged.notes ?? [])];
  // From here on, progress tells the report's figures (each resource once, in scope), not the agents' sums.
  if (merged.findings) update(setMergedFindings(progress, merged.findings.count, merged.findings.monthlySavings, now()));
  let report: AnalysisReport = assembleReport(
    {
      analysisId,
      tenant: request.tenant,
      accounts: request.accounts,
      regions: request.regions,
      period: request.period,
      previousPeriod: baseline,
      generatedAt: now(),
    },
    outcomes,
    merged,
  );
  if (patched(SUMMARY_PATCH)) {
    update(setOverall(progress, 'running', 'Writing the executive summary', now()));
    // Never fails the analysis: without a model, or when Bedrock fails, the activity returns the
    // deterministic summary, and says which writer produced it.
    report = attachSummary(
      report,
      await summariseReport.executeWithOptions({ summary: 'Executive summary, grounded in the report' }, [report]),
    );
  }
  if (patched(TIMELINE_PATCH)) {
    report = await withTimeline(report, analysisId, [...windows, { scope: 'analysis', start: workflowInfo().runStartTime.toISOString(), end: now() }]);
  }
  const savings = report.findings
    ? `; ${report.findings.count} findings, ${formatUsd(report.findings.monthlySavings)} a month to save`
    : '';
  const headline = `Total spend ${formatUsd(report.spend.total, report.spend.unit)}${report.spend.changePct === null ? '' : ` (${report.spend.changePct >= 0 ? '+' : ''}${report.spend.changePct}% vs previous period)`}${savings}`;
  if (patched(KEEP_REPORT_PATCH)) {
    update(setOverall(progress, 'running', 'Keeping the report in the report store', now()));
    try {
      await keepReport.executeWithOptions({ summary: 'Keep the report beyond Temporal retention' }, [
        {
          report,
          tenant: request.tenant,
          accounts: request.accounts,
          startTime: workflowInfo().startTime.toISOString(),
          ...(request.requestedBy ? { requestedBy: request.requestedBy } : {}),
        },
      ]);
    } catch (err) {
      if (isCancellation(err)) throw err;
      // The report is still the workflow's result; only its life beyond retention is lost.
      report = { ...report, notes: [...(report.notes ?? []), `The report could not be kept in the report store: ${failureReason(err).reason}`] };
    }
  }
  update(
    report.status === 'complete'
      ? setOverall(progress, 'completed', `Report ready. ${headline}`, now())
      : setOverall(progress, 'partial', `Partial report: ${partialSummary(report)}. ${headline}`, now()),
  );
  // The finished analysis's details: every section of the report view, as the dashboard shows them.
  // Current details are not in the history: this changes nothing on replay.
  try {
    setCurrentDetails(reportDetails(buildReportView(report)));
  } catch {
    // Details are a courtesy: the progress details stay.
  }
  return report;
}

function partialSummary(report: AnalysisReport): string {
  return [
    ...report.failures.map((f) => `${f.agent} failed`),
    ...report.skipped.map((s) =>
      s.checks ? `${s.agent}: ${s.checks.length} check(s) skipped (needs ${s.needs})` : `${s.agent} skipped (needs ${s.needs})`,
    ),
  ].join('; ');
}

/**
 * Merge the agents' findings: one activity reads every agent's full list from the store, folds
 * duplicates and overlaps (each dollar once), ranks, stores the merged list and returns its summary.
 * A failed merge costs the report its findings section, never the report.
 */
async function mergeStep(
  analysisId: string,
  outcomes: readonly AgentOutcome[],
  request: Pick<AnalysisRequest, 'accounts' | 'regions'>,
  step: (text: string) => void,
): Promise<{ findings?: FindingsSummary; notes?: string[] }> {
  if (!patched(MERGE_PATCH)) return {};
  const agents = outcomes.flatMap((o) =>
    o.status === 'succeeded' && o.result.findings?.storeKey ? [{ agent: o.agent, storeKey: o.result.findings.storeKey }] : [],
  );
  if (agents.length === 0) return {};
  step(`Merging the findings of ${agents.length} agent(s)`);
  try {
    const merged = await mergeAnalysisFindings.executeWithOptions(
      { summary: `Merge, de-duplicate and rank the findings of ${agents.map((a) => a.agent).join(', ')}` },
      [
        {
          analysisId,
          agents,
          ...(patched(MERGE_SCOPE_PATCH) ? { scope: { accounts: [...request.accounts], regions: [...request.regions] } } : {}),
        },
      ],
    );
    return { findings: merged.findings, notes: merged.notes };
  } catch (err) {
    if (isCancellation(err)) throw err;
    return { notes: [`Findings could not be merged: ${failureReason(err).reason}`] };
  }
}

/** The timeline is a courtesy: without it (a store that cannot list, an error) the report is unchanged. */
async function withTimeline(report: AnalysisReport, analysisId: string, windows: TimelineInput['windows']): Promise<AnalysisReport> {
  try {
    const timeline = await buildAnalysisTimeline.executeWithOptions({ summary: 'Where the time went: the phase timeline' }, [{ analysisId, windows }]);
    return timeline ? { ...report, timeline } : report;
  } catch (err) {
    if (isCancellation(err)) throw err;
    return report;
  }
}

function now(): string {
  return new Date().toISOString();
}

/** Runs started by the gateway carry their search attributes already; runs started by other means get them here. */
function ensureSearchAttributes(request: AnalysisRequest): void {
  if (workflowInfo().typedSearchAttributes.get(TENANT) !== undefined) return;
  upsertSearchAttributes([
    { key: TENANT, value: request.tenant },
    { key: ACCOUNT, value: request.accounts },
    { key: KIND, value: 'analysis' },
  ]);
}

/**
 * What every agent child workflow shares: its input, how it reports progress to the parent analysis,
 * and reading its slice of the bill. Each agent lives in its own file (ec2.ts, s3.ts, ...) and adds
 * its own checks on top.
 */
import {
  ActivityCancellationType,
  getExternalWorkflowHandle,
  patched,
  proxyActivities,
  setCurrentDetails,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../../activities';
import type { SpendReads } from '../../activities/spend';
import { AGENTS, type AgentKind } from '../../domain/agents';
import { formatUsd } from '../../domain/money';
import type { Period } from '../../domain/period';
import type { AgentProgressUpdate } from '../../domain/progress';
import type { AgentResult } from '../../domain/report';
import { DEFAULT_TARGET_CONCURRENCY } from '../../domain/request';
import type { AwsUsage } from '../../domain/usage';
import { failureReason } from '../failures';
import { agentProgressSignal } from '../messages';
import { checkBinding } from '../tenant-binding';
import { webUiMarkdown } from '../../presentation/web-ui';

export interface AgentInput {
  analysisId: string;
  agent: AgentKind;
  tenant: string;
  accounts: string[];
  regions: string[];
  period: Period;
  previousPeriod: Period;
  /**
   * The analysis day (YYYY-MM-DD): metric windows end at its midnight. Default: today by the activities'
   * clock, read once per agent.
   */
  asOf?: string;
  /** Account-Regions analysed at once (default DEFAULT_TARGET_CONCURRENCY). */
  targetConcurrency?: number;
  /**
   * Every agent of the analysis. With a whole-bill agent among them, the shared spend read is by service
   * and usage type, so every agent asks for the same read (absent in older runs: decided per agent).
   */
  agents?: AgentKind[];
}

/** Agents fan out over account-Regions a bounded number at a time; histories recorded before ran them all at once. */
export const BOUNDED_FAN_OUT_PATCH = 'bounded-fan-out-v1';

/**
 * The S3 and tagging agents read their resources while the spend read runs, instead of after it: neither
 * needs the spend to list buckets or tags, and on a large organisation the spend read is the longest wait.
 * Histories recorded before run the two steps one after the other.
 */
export const SPEND_OVERLAP_PATCH = 'agent-spend-overlap-v1';

/**
 * An agent's spend read and its own check: alongside each other, or one after the other in histories recorded
 * before SPEND_OVERLAP_PATCH. `check` learns which, so that alongside it can join the spend reads it cuts from.
 */
export async function withSpendRead<T>(input: AgentInput, check: (alongside: boolean) => Promise<T>): Promise<[AgentResult, T]> {
  if (patched(SPEND_OVERLAP_PATCH)) return Promise.all([runSpendAgent(input), check(true)]);
  const spend = await runSpendAgent(input);
  return [spend, await check(false)];
}

/** The spend reads an agent running alongside the spend agent joins (src/activities/spend.ts joinSpendReads). */
export function spendReadsOf(input: AgentInput): SpendReads {
  return { period: input.period, previousPeriod: input.previousPeriod, ...(input.asOf ? { asOf: input.asOf } : {}) };
}

/** At most this many of an agent's per-target activities run at once (all of them in histories from before the bound). */
export function targetConcurrencyOf(input: AgentInput): number {
  return patched(BOUNDED_FAN_OUT_PATCH) ? (input.targetConcurrency ?? DEFAULT_TARGET_CONCURRENCY) : Number.POSITIVE_INFINITY;
}

/**
 * Every agent activity's heartbeat timeout. Attempts beat every second (src/worker/liveness.ts), so a
 * worker that dies mid-attempt is noticed within this and the attempt retried on another worker: kill to
 * resume in well under 10 s, where 30-60 s timeouts made it about a minute.
 */
export const AGENT_HEARTBEAT_TIMEOUT = '5 seconds';

const { fetchSpend } = proxyActivities<Activities>({
  startToCloseTimeout: '5 minutes',
  // Short enough that a cancelled analysis reaches a blocked activity within seconds (heartbeats are
  // throttled to 80% of this), and the child waits until its activity has really stopped.
  heartbeatTimeout: AGENT_HEARTBEAT_TIMEOUT,
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 8 },
});

/** An agent started on its own checks the tenant's account binding; older histories replay without it. */
export const AGENT_TENANCY_PATCH = 'agent-tenant-binding-v1';

/**
 * Every agent's first step. An agent run as a child of an analysis was checked by its parent (only
 * workflows can start children, and only the analysis starts agents); one started directly on Temporal,
 * around the analysis, is refused here, before any AWS call, by the same activity the analysis runs.
 */
export async function checkAgentTenantBinding(input: AgentInput): Promise<void> {
  if (workflowInfo().parent || !patched(AGENT_TENANCY_PATCH)) return;
  await checkBinding(input.tenant, input.accounts);
}

/** Tell the parent analysis what this agent is doing. Best effort: progress must never fail an agent. */
export function reportToParent(update: AgentProgressUpdate): void {
  const parent = workflowInfo().parent;
  setCurrentDetails(webUiMarkdown(`**${AGENTS[update.agent].title}** — ${update.step}`));
  if (!parent) return;
  getExternalWorkflowHandle(parent.workflowId, parent.runId)
    .signal(agentProgressSignal, update)
    .catch(() => undefined);
}

export async function runSpendAgent(input: AgentInput): Promise<AgentResult> {
  const { agent } = input;
  const { services, title } = AGENTS[agent];
  reportToParent({ agent, state: 'running', step: 'Reading spend from Cost Explorer' });

  const scope = services ? services.join(', ') : 'all services';
  const wholeBill = input.agents ? input.agents.some((a) => AGENTS[a].services === null) : undefined;
  const { spend, requests, usage } = await fetchSpend.executeWithOptions(
    { summary: `Cost Explorer daily spend, ${scope}, ${input.previousPeriod.start} to ${input.period.end}` },
    [
      {
        analysisId: input.analysisId,
        accounts: input.accounts,
        services,
        period: input.period,
        previousPeriod: input.previousPeriod,
        ...(input.asOf ? { asOf: input.asOf } : {}),
        ...(wholeBill !== undefined ? { wholeBill } : {}),
      },
    ],
  );

  const step = `Spend ${formatUsd(spend.total, spend.unit)} (previous period ${formatUsd(spend.previousTotal, spend.unit)})`;
  setCurrentDetails(webUiMarkdown(`**${title}** — done. ${step}; ${requests} Cost Explorer request(s).`));
  return { agent, spend, costExplorerRequests: requests, ...(usage ? { usage } : {}) };
}

// ---------------------------------------------------------------------------------------------
// Agents with findings (EC2, RDS, Trusted Advisor): shared orchestration
// ---------------------------------------------------------------------------------------------

/** Per account and region: the unit of work of the inventory agents (never one activity per resource). */
export function targetsOf(input: AgentInput): { account: string; region: string }[] {
  return input.accounts.flatMap((account) => input.regions.map((region) => ({ account, region })));
}

/** Billable Cost Explorer requests in a usage record. */
export function costExplorerRequestsOf(usage: AwsUsage): number {
  return Object.entries(usage.requests).reduce((n, [op, count]) => (op.startsWith('ce:') ? n + count : n), 0);
}

/** The spend step's usage: its Cost Explorer pages. */
export function spendUsage(requests: number): AwsUsage {
  return { requests: requests ? { 'ce:GetCostAndUsage': requests } : {}, metricsRequested: 0 };
}

export type ItemOutcome<T, R> = { ok: true; item: T; value: R } | { ok: false; item: T; reason: string; error: unknown };

/**
 * Run one activity per item, at most `concurrency` at once (the next starts as one finishes, in item
 * order), reporting progress to the parent a bounded number of times (at most ~8 signals, whatever the
 * number of items). A failed item does not fail the others: its reason comes back instead of its result.
 * Results come back in item order.
 */
export async function forEachWithProgress<T, R>(
  items: readonly T[],
  run: (item: T) => Promise<R>,
  progress: (done: number, total: number) => void,
  concurrency: number = Number.POSITIVE_INFINITY,
): Promise<ItemOutcome<T, R>[]> {
  const every = Math.max(1, Math.ceil(items.length / 8));
  let done = 0;
  const one = async (item: T): Promise<ItemOutcome<T, R>> => {
    try {
      const value = await run(item);
      return { ok: true as const, item, value };
    } catch (error) {
      return { ok: false as const, item, reason: failureReason(error).reason, error };
    } finally {
      done++;
      if (done % every === 0 || done === items.length) progress(done, items.length);
    }
  };
  if (concurrency >= items.length) return Promise.all(items.map(one));
  const outcomes = new Array<ItemOutcome<T, R>>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      outcomes[index] = await one(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, lane));
  return outcomes;
}

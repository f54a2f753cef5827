/**
 * The EC2, EBS, Elastic IPs and snapshots agent: its slice of the bill, then one activity per account
 * and region (inventories, prices, batched metrics, checks; findings to the store), Cost Explorer's
 * commitment and rightsizing recommendations, and one activity that merges and stores the agent's
 * list. History grows with the number of account-regions, never with the number of resources.
 */
import {
  ActivityCancellationType,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setCurrentDetails,
} from '@temporalio/workflow';
import type { Activities } from '../../activities';
import type { CommitmentsOutput } from '../../activities/agents/commitments';
import { emptyCommitments } from '../../domain/checks/commitments';
import { mergeMissing } from '../../domain/checks/common';
import { formatUsd } from '../../domain/money';
import type { AgentResult } from '../../domain/report';
import { addUsage, emptyUsage } from '../../domain/usage';
import { failureReason } from '../failures';
import {
  costExplorerRequestsOf,
  forEachWithProgress,
  targetConcurrencyOf,
  reportToParent,
  runSpendAgent,
  spendUsage,
  targetsOf,
  type AgentInput,
  AGENT_HEARTBEAT_TIMEOUT,
  checkAgentTenantBinding,
} from './common';
import { webUiMarkdown } from '../../presentation/web-ui';

/** Agents produce findings from here on; histories recorded before replay the spend-only path. */
export const FINDINGS_PATCH = 'agent-findings-v1';

const activities = proxyActivities<Activities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: AGENT_HEARTBEAT_TIMEOUT,
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 10 },
});

const local = proxyLocalActivities<Activities>({ startToCloseTimeout: '10 seconds' });

/** Commitments are extra: when Cost Explorer's recommendations fail for good, the agent goes on without them. */
export function commitmentsUnavailable(err: unknown): CommitmentsOutput {
  const commitments = emptyCommitments();
  commitments.notes.push(`commitments could not be read: ${failureReason(err).reason}`);
  return { commitments, usage: emptyUsage(), missing: [] };
}

/** The analysis day: the input's, or today by the activities' clock. */
export async function analysisDayOf(input: AgentInput): Promise<string> {
  return input.asOf ?? (await local.analysisDay());
}

export async function ec2Agent(input: AgentInput): Promise<AgentResult> {
  await checkAgentTenantBinding(input);
  if (!patched(FINDINGS_PATCH)) return runSpendAgent(input);
  const agent = 'ec2' as const;
  const targets = targetsOf(input);
  const asOf = await analysisDayOf(input);
  const [spend, commitments, parts] = await Promise.all([
    runSpendAgent(input),
    activities.readCommitments
      .executeWithOptions(
        { summary: `Savings Plans, EC2 reservations and rightsizing from Cost Explorer for ${input.accounts.join(', ')}` },
        [{ analysisId: input.analysisId, accounts: input.accounts, regions: input.regions, asOf, side: 'compute' }],
      )
      .catch((err: unknown) => commitmentsUnavailable(err)),
    forEachWithProgress(
      targets,
      (target) =>
        activities.analyseEc2Target.executeWithOptions(
          { summary: `Instances, volumes, Elastic IPs and snapshots in ${target.account} ${target.region}` },
          [{ analysisId: input.analysisId, target, asOf }],
        ),
      (done, total) =>
        reportToParent({ agent, state: 'running', step: `Checked ${done} of ${total} account-region(s) (metrics to ${asOf})` }),
      targetConcurrencyOf(input),
    ),
  ]);

  const delivered = parts.flatMap((p) => (p.ok ? [p.value] : []));
  const failed = parts.flatMap((p) => (p.ok ? [] : [`${p.item.account}/${p.item.region} could not be analysed: ${p.reason}`]));
  reportToParent({ agent, state: 'running', step: 'Merging findings and pricing orphaned snapshots' });
  const finished = await activities.finishAgentFindings.executeWithOptions(
    { summary: `Merge and store the EC2 agent's findings (${delivered.length} part(s))` },
    [
      {
        analysisId: input.analysisId,
        agent,
        accounts: input.accounts,
        asOf,
        parts: [...delivered.map((p) => p.key), ...(commitments.part ? [commitments.part] : [])],
      },
    ],
  );
  const usage = addUsage(spend.usage ?? spendUsage(spend.costExplorerRequests), commitments.usage, finished.usage, ...delivered.map((p) => p.usage));
  const { findings } = finished;
  setCurrentDetails(webUiMarkdown(
    `**EC2** — done. ${findings.count} finding(s), ${formatUsd(findings.monthlySavings)} a month; ` +
      `${targets.length} account-region(s)${failed.length ? `, ${failed.length} failed` : ''}. Metrics to ${asOf}.`,
  ));
  return {
    ...spend,
    costExplorerRequests: costExplorerRequestsOf(usage),
    findings,
    thresholds: finished.thresholds,
    usage,
    notes: [...finished.notes, ...failed, ...delivered.flatMap((p) => p.notes), ...commitments.commitments.notes],
    missing: mergeMissing([finished.missing, commitments.missing, ...delivered.map((p) => p.missing)]),
    commitments: commitments.commitments,
  };
}

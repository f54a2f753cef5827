/**
 * The RDS databases agent: its slice of the bill, then one activity per account and region (databases,
 * prices, four metric queries per database; findings to the store), the database side of commitments
 * (reservation recommendations, coverage, expiring reservations, and the databases that ran long enough
 * to reserve), and one activity that merges and stores the agent's list.
 */
import { ActivityCancellationType, patched, proxyActivities, setCurrentDetails } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { mergeMissing } from '../../domain/checks/common';
import { addAmounts, formatUsd, ZERO } from '../../domain/money';
import type { AgentResult } from '../../domain/report';
import { addUsage } from '../../domain/usage';
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
import { analysisDayOf, commitmentsUnavailable, FINDINGS_PATCH } from './ec2';
import { webUiMarkdown } from '../../presentation/web-ui';

const activities = proxyActivities<Activities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: AGENT_HEARTBEAT_TIMEOUT,
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 10 },
});

export async function rdsAgent(input: AgentInput): Promise<AgentResult> {
  await checkAgentTenantBinding(input);
  if (!patched(FINDINGS_PATCH)) return runSpendAgent(input);
  const agent = 'rds' as const;
  const targets = targetsOf(input);
  const asOf = await analysisDayOf(input);
  const [spend, parts] = await Promise.all([
    runSpendAgent(input),
    forEachWithProgress(
      targets,
      (target) =>
        activities.analyseRdsTarget.executeWithOptions({ summary: `DB instances in ${target.account} ${target.region}` }, [
          { analysisId: input.analysisId, target, asOf },
        ]),
      (done, total) => reportToParent({ agent, state: 'running', step: `Checked databases in ${done} of ${total} account-region(s)` }),
      targetConcurrencyOf(input),
    ),
  ]);
  const delivered = parts.flatMap((p) => (p.ok ? [p.value] : []));
  const failed = parts.flatMap((p) => (p.ok ? [] : [`${p.item.account}/${p.item.region} could not be analysed: ${p.reason}`]));
  const candidates = {
    count: delivered.reduce((n, p) => n + p.reservationCandidates.count, 0),
    monthlyOnDemand: addAmounts(ZERO, ...delivered.map((p) => p.reservationCandidates.monthlyOnDemand)),
  };
  reportToParent({ agent, state: 'running', step: 'Reading reservation recommendations; merging findings' });
  const [commitments, finished] = await Promise.all([
    activities.readCommitments
      .executeWithOptions({ summary: `RDS reservations from Cost Explorer for ${input.accounts.join(', ')}` }, [
        {
          analysisId: input.analysisId,
          accounts: input.accounts,
          regions: input.regions,
          asOf,
          side: 'database',
          reservationCandidates: candidates,
        },
      ])
      .catch((err: unknown) => commitmentsUnavailable(err)),
    activities.finishAgentFindings.executeWithOptions({ summary: `Merge and store the RDS agent's findings` }, [
      { analysisId: input.analysisId, agent, accounts: input.accounts, asOf, parts: delivered.map((p) => p.key) },
    ]),
  ]);
  const usage = addUsage(spend.usage ?? spendUsage(spend.costExplorerRequests), commitments.usage, finished.usage, ...delivered.map((p) => p.usage));
  const { findings } = finished;
  setCurrentDetails(webUiMarkdown(
    `**RDS** — done. ${findings.count} finding(s), ${formatUsd(findings.monthlySavings)} a month; ` +
      `${candidates.count} reservation candidate(s).`,
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

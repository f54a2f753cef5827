/** The tag compliance agent: resources against the tag policy, by count and by spend, with suggested fixes. */
import { ActivityCancellationType, proxyActivities, setCurrentDetails } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import type { AgentResult } from '../../domain/report';
import { addUsage } from '../../domain/usage';
import { AGENT_HEARTBEAT_TIMEOUT, checkAgentTenantBinding, withSpendRead, spendReadsOf, reportToParent, type AgentInput } from './common';
import { webUiMarkdown } from '../../presentation/web-ui';

const { analyseTagging } = proxyActivities<Activities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: AGENT_HEARTBEAT_TIMEOUT,
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 8 },
});

export async function taggingAgent(input: AgentInput): Promise<AgentResult> {
  await checkAgentTenantBinding(input);
  const checkTags = (alongside: boolean) => {
    reportToParent({ agent: 'tagging', state: 'running', step: 'Checking tags against the policy, by resource and by spend' });
    return analyseTagging.executeWithOptions(
      { summary: `Tag compliance of ${input.accounts.join(', ')}, ${input.period.start} to ${input.period.end}` },
      [
        {
          analysisId: input.analysisId,
          accounts: input.accounts,
          regions: input.regions,
          period: input.period,
          // Alongside the spend agent, the tag check joins its reads before cutting the spend by tag from them.
          ...(alongside ? { spend: spendReadsOf(input) } : {}),
        },
      ],
    );
  };
  const [spend, result] = await withSpendRead(input, checkTags);
  const { byCount, bySpend } = result.tagging;
  setCurrentDetails(webUiMarkdown(
    `**Tagging compliance** — done. ${byCount.total.compliantPct}% of ${byCount.total.resources} resources compliant` +
      (bySpend ? `, ${bySpend.total.compliantPct}% of spend.` : '.'),
  ));
  return {
    ...spend,
    costExplorerRequests: spend.costExplorerRequests + result.costExplorerRequests,
    findings: result.findings,
    thresholds: { requiredKeys: result.tagging.policy.keys.map((k) => k.key).join(', ') },
    usage: addUsage(result.usage, spend.usage ?? { requests: { 'ce:GetCostAndUsage': spend.costExplorerRequests }, metricsRequested: 0 }),
    notes: result.notes,
    tagging: result.tagging,
    ...(result.spendGroupings ? { spendGroupings: result.spendGroupings } : {}),
  };
}

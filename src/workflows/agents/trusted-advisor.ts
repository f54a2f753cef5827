/**
 * The Trusted Advisor agent: its slice of the bill (the support plan's fee), then each account's
 * cost-optimizing checks through the Support API, one activity per account, and one activity that
 * stores the agent's list. An account without a Business support plan is a note: the agent succeeds
 * with what the other accounts give.
 */
import { ActivityCancellationType, patched, proxyActivities, setCurrentDetails } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { mergeMissing } from '../../domain/checks/common';
import { formatUsd } from '../../domain/money';
import type { AgentResult } from '../../domain/report';
import { addUsage } from '../../domain/usage';
import { AGENT_HEARTBEAT_TIMEOUT, checkAgentTenantBinding, costExplorerRequestsOf, forEachWithProgress, reportToParent, targetConcurrencyOf, runSpendAgent, spendUsage, type AgentInput } from './common';
import { analysisDayOf, FINDINGS_PATCH } from './ec2';
import { webUiMarkdown } from '../../presentation/web-ui';

const activities = proxyActivities<Activities>({
  startToCloseTimeout: '15 minutes',
  heartbeatTimeout: AGENT_HEARTBEAT_TIMEOUT,
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 10 },
});

export async function trustedAdvisorAgent(input: AgentInput): Promise<AgentResult> {
  await checkAgentTenantBinding(input);
  if (!patched(FINDINGS_PATCH)) return runSpendAgent(input);
  const agent = 'trusted-advisor' as const;
  const asOf = await analysisDayOf(input);
  const [spend, parts] = await Promise.all([
    runSpendAgent(input),
    forEachWithProgress(
      input.accounts,
      (account) =>
        activities.readTrustedAdvisor.executeWithOptions({ summary: `Trusted Advisor cost checks of ${account}` }, [
          { analysisId: input.analysisId, account },
        ]),
      (done, total) => reportToParent({ agent, state: 'running', step: `Read Trusted Advisor in ${done} of ${total} account(s)` }),
      targetConcurrencyOf(input),
    ),
  ]);
  const delivered = parts.flatMap((p) => (p.ok ? [p.value] : []));
  const failed = parts.flatMap((p) => (p.ok ? [] : [`account ${p.item} could not be read: ${p.reason}`]));
  const finished = await activities.finishAgentFindings.executeWithOptions({ summary: `Store the Trusted Advisor findings` }, [
    { analysisId: input.analysisId, agent, accounts: input.accounts, asOf, parts: delivered.map((p) => p.key) },
  ]);
  const usage = addUsage(spend.usage ?? spendUsage(spend.costExplorerRequests), finished.usage, ...delivered.map((p) => p.usage));
  const available = delivered.filter((p) => p.available).length;
  const { findings } = finished;
  setCurrentDetails(webUiMarkdown(
    `**Trusted Advisor** — done. ${findings.count} flagged resource(s), ${formatUsd(findings.monthlySavings)} a month; ` +
      `available in ${available} of ${input.accounts.length} account(s).`,
  ));
  return {
    ...spend,
    costExplorerRequests: costExplorerRequestsOf(usage),
    findings,
    usage,
    notes: [...finished.notes, ...failed, ...delivered.flatMap((p) => p.notes)],
    missing: mergeMissing([finished.missing, ...delivered.map((p) => p.missing)]),
  };
}

/** The S3 storage agent: its slice of the bill, then the bucket checks (lifecycle, versions, uploads, storage class). */
import { ActivityCancellationType, proxyActivities, setCurrentDetails } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { formatUsd } from '../../domain/money';
import type { AgentResult } from '../../domain/report';
import { addUsage } from '../../domain/usage';
import { AGENT_HEARTBEAT_TIMEOUT, checkAgentTenantBinding, withSpendRead, reportToParent, type AgentInput } from './common';
import { webUiMarkdown } from '../../presentation/web-ui';

const { analyseStorage } = proxyActivities<Activities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: AGENT_HEARTBEAT_TIMEOUT,
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 8 },
});

export async function s3Agent(input: AgentInput): Promise<AgentResult> {
  await checkAgentTenantBinding(input);
  const checkBuckets = () => {
    reportToParent({
      agent: 's3',
      state: 'running',
      step: 'Checking buckets: lifecycle rules, versions, uploads, storage classes',
    });
    return analyseStorage.executeWithOptions(
      { summary: `S3 buckets of ${input.accounts.join(', ')} in ${input.regions.join(', ')}` },
      [
        {
          analysisId: input.analysisId,
          accounts: input.accounts,
          regions: input.regions,
          ...(input.asOf ? { asOf: input.asOf } : {}),
        },
      ],
    );
  };
  const [spend, result] = await withSpendRead(input, checkBuckets);
  const { findings } = result;
  setCurrentDetails(webUiMarkdown(
    `**S3 storage** — done. ${result.buckets} bucket(s), ${findings.count} finding(s), ${formatUsd(findings.monthlySavings)} a month.`,
  ));
  return {
    ...spend,
    findings,
    thresholds: result.thresholds,
    usage: addUsage(result.usage, spend.usage ?? { requests: { 'ce:GetCostAndUsage': spend.costExplorerRequests }, metricsRequested: 0 }),
    notes: result.notes,
  };
}

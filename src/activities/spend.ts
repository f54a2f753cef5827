/**
 * Spend from Cost Explorer. Every agent needs a slice of the same thing — the accounts' daily cost by
 * service over the period and the equal-length period before it (for the trend) — so it is one query,
 * made once per analysis and shared (SharedRequests), and each agent cuts its slice locally. Pages
 * heartbeat their position and the folded costs, so a retried activity resumes where it stopped
 * instead of paying for pages again.
 */
import { GetCostAndUsageCommand, type Expression } from '@aws-sdk/client-cost-explorer';
import { daysOf, type Period } from '../domain/period';
import { COST_METRIC, emptyDailyServiceCosts, foldCostPage, spendSliceOf, type SpendSlice } from '../domain/spend';
import type { AwsClientFactory } from './aws-clients';
import { collectPages, whileHeartbeating } from './paging';
import type { SharedRequests } from './shared-requests';

export interface FetchSpendInput {
  /** Scopes request sharing: agents of the same analysis share, different analyses never do. */
  analysisId: string;
  accounts: string[];
  /** Cost Explorer SERVICE values, or null for the whole bill. */
  services: readonly string[] | null;
  period: Period;
  previousPeriod: Period;
}

export interface FetchSpendOutput {
  spend: SpendSlice;
  /** Billable Cost Explorer requests this activity made (each page is one; 0 when it reused another agent's). */
  requests: number;
}

/** The Cost Explorer filter for the accounts. */
export function accountFilter(accounts: readonly string[]): Expression {
  return { Dimensions: { Key: 'LINKED_ACCOUNT', Values: [...accounts] } };
}

export function createSpendActivities(clients: AwsClientFactory, shared: SharedRequests) {
  /** Page through the daily-by-service query; a retried activity resumes from its last page. */
  function readDailyServiceCosts(input: FetchSpendInput) {
    return collectPages({
      listing: 'ce:GetCostAndUsage/daily-by-service',
      action: 'ce:GetCostAndUsage',
      initial: emptyDailyServiceCosts(),
      fetchPage: (nextPageToken, abortSignal) =>
        clients.costExplorer().send(
          new GetCostAndUsageCommand({
            TimePeriod: { Start: input.previousPeriod.start, End: input.period.end },
            Granularity: 'DAILY',
            Metrics: [COST_METRIC],
            GroupBy: [{ Type: 'DIMENSION', Key: 'SERVICE' }],
            Filter: accountFilter(input.accounts),
            ...(nextPageToken ? { NextPageToken: nextPageToken } : {}),
          }),
          { abortSignal },
        ),
      fold: (costs, page) => foldCostPage(costs, page.ResultsByTime ?? []),
      nextToken: (page) => page.NextPageToken,
    });
  }

  return {
    async fetchSpend(input: FetchSpendInput): Promise<FetchSpendOutput> {
      const key = JSON.stringify([
        'daily-by-service',
        input.analysisId,
        [...input.accounts].sort(),
        input.previousPeriod.start,
        input.period.end,
      ]);
      // A waiting agent keeps heartbeating too, or its heartbeat timeout would fire while another reads.
      const { value, reused } = await whileHeartbeating(shared.run(key, () => readDailyServiceCosts(input)));
      return {
        spend: spendSliceOf(value.value, input.services, input.period, input.previousPeriod, daysOf(input.period)),
        requests: reused ? 0 : value.requests,
      };
    },
  };
}

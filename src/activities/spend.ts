/**
 * Spend from Cost Explorer. Every agent needs a slice of the same thing — the accounts' daily cost by
 * service over the period and the equal-length period before it (for the trend) — so it is one query,
 * made once per analysis and shared (SharedRequests), and each agent cuts its slice locally. Pages
 * heartbeat their position and the folded costs, so a retried activity resumes where it stopped
 * instead of paying for pages again.
 */
import { GetCostAndUsageCommand, type Expression, type GetCostAndUsageCommandOutput } from '@aws-sdk/client-cost-explorer';
import { activityInfo, Context } from '@temporalio/activity';
import { CancelledFailure } from '@temporalio/common';
import { daysOf, type Period } from '../domain/period';
import {
  COST_METRIC,
  emptyDailyServiceCosts,
  foldCostPage,
  spendSliceOf,
  type DailyServiceCosts,
  type SpendSlice,
} from '../domain/spend';
import type { AwsClientFactory } from './aws-clients';
import { toActivityFailure } from './aws-errors';
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

const HEARTBEAT_EVERY_MS = 2_000;

interface SpendCheckpoint {
  nextPageToken?: string;
  requests: number;
  costs: DailyServiceCosts;
}

/** The Cost Explorer filter for the accounts. */
export function accountFilter(accounts: readonly string[]): Expression {
  return { Dimensions: { Key: 'LINKED_ACCOUNT', Values: [...accounts] } };
}

export function createSpendActivities(clients: AwsClientFactory, shared: SharedRequests) {
  /** Page through the daily-by-service query, resuming from a heartbeat checkpoint after a retry. */
  async function readDailyServiceCosts(input: FetchSpendInput): Promise<{ costs: DailyServiceCosts; requests: number }> {
    const ctx = Context.current();
    const resumed = activityInfo().heartbeatDetails as SpendCheckpoint | undefined;
    let costs = resumed?.costs ?? emptyDailyServiceCosts();
    let requests = resumed?.requests ?? 0;
    let nextPageToken: string | undefined = resumed?.nextPageToken;

    // Heartbeats record where to resume, and they are how cancellation reaches an activity: keep beating
    // while a slow request is in flight, so a cancelled analysis aborts it promptly.
    const checkpoint = (): SpendCheckpoint => ({ ...(nextPageToken ? { nextPageToken } : {}), requests, costs });
    const ticker = setInterval(() => ctx.heartbeat(checkpoint()), HEARTBEAT_EVERY_MS);
    try {
      do {
        ctx.heartbeat(checkpoint());
        let page: GetCostAndUsageCommandOutput;
        try {
          page = await clients.costExplorer().send(
            new GetCostAndUsageCommand({
              TimePeriod: { Start: input.previousPeriod.start, End: input.period.end },
              Granularity: 'DAILY',
              Metrics: [COST_METRIC],
              GroupBy: [{ Type: 'DIMENSION', Key: 'SERVICE' }],
              Filter: accountFilter(input.accounts),
              ...(nextPageToken ? { NextPageToken: nextPageToken } : {}),
            }),
            { abortSignal: ctx.cancellationSignal },
          );
        } catch (err) {
          if (ctx.cancellationSignal.aborted) throw new CancelledFailure('Cancelled while reading Cost Explorer');
          throw toActivityFailure(err, 'ce:GetCostAndUsage');
        }
        requests++;
        costs = foldCostPage(costs, page.ResultsByTime ?? []);
        nextPageToken = page.NextPageToken || undefined;
      } while (nextPageToken);
    } finally {
      clearInterval(ticker);
    }
    return { costs, requests };
  }

  return {
    async fetchSpend(input: FetchSpendInput): Promise<FetchSpendOutput> {
      const ctx = Context.current();
      const key = JSON.stringify([
        'daily-by-service',
        input.analysisId,
        [...input.accounts].sort(),
        input.previousPeriod.start,
        input.period.end,
      ]);
      // A waiting agent must keep heartbeating too, or its heartbeat timeout would fire while another reads.
      const waiting = setInterval(() => ctx.heartbeat(), HEARTBEAT_EVERY_MS);
      try {
        const { value, reused } = await shared.run(key, () => readDailyServiceCosts(input));
        return {
          spend: spendSliceOf(value.costs, input.services, input.period, input.previousPeriod, daysOf(input.period)),
          requests: reused ? 0 : value.requests,
        };
      } finally {
        clearInterval(waiting);
      }
    },
  };
}

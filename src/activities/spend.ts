/**
 * Spend from Cost Explorer: one GetCostAndUsage query (DAILY, grouped by SERVICE) covering the previous
 * and the current period, so the trend costs no extra request. Pages heartbeat their position and the
 * folded slice, so a retried activity resumes where it stopped instead of paying for pages again.
 */
import { GetCostAndUsageCommand, type Expression, type GetCostAndUsageCommandOutput } from '@aws-sdk/client-cost-explorer';
import { activityInfo, Context } from '@temporalio/activity';
import { CancelledFailure } from '@temporalio/common';
import { daysOf, type Period } from '../domain/period';
import { addCostResults, COST_METRIC, emptySpendSlice, type SpendSlice } from '../domain/spend';
import type { AwsClients } from './aws-clients';
import { toActivityFailure } from './aws-errors';

export interface FetchSpendInput {
  accounts: string[];
  /** Cost Explorer SERVICE values, or null for the whole bill. */
  services: readonly string[] | null;
  period: Period;
  previousPeriod: Period;
}

export interface FetchSpendOutput {
  spend: SpendSlice;
  /** Billable Cost Explorer requests made (each page is one). */
  requests: number;
}

const HEARTBEAT_EVERY_MS = 2_000;

interface SpendCheckpoint {
  nextPageToken?: string;
  requests: number;
  spend: SpendSlice;
}

/** The Cost Explorer filter for accounts and services. CE rejects And/Or with fewer than two operands. */
export function spendFilter(accounts: readonly string[], services: readonly string[] | null): Expression | undefined {
  const parts: Expression[] = [{ Dimensions: { Key: 'LINKED_ACCOUNT', Values: [...accounts] } }];
  if (services) parts.push({ Dimensions: { Key: 'SERVICE', Values: [...services] } });
  return parts.length === 1 ? parts[0] : { And: parts };
}

export function createSpendActivities(clients: AwsClients) {
  return {
    async fetchSpend(input: FetchSpendInput): Promise<FetchSpendOutput> {
      const ctx = Context.current();
      const resumed = activityInfo().heartbeatDetails as SpendCheckpoint | undefined;
      let spend = resumed?.spend ?? emptySpendSlice(input.services, input.period, input.previousPeriod, daysOf(input.period));
      let requests = resumed?.requests ?? 0;
      let nextPageToken: string | undefined = resumed?.nextPageToken;
      const filter = spendFilter(input.accounts, input.services);

      // Heartbeats record where to resume, and they are how cancellation reaches an activity: keep
      // beating while a slow request is in flight, so a cancelled analysis aborts it promptly.
      const checkpoint = (): SpendCheckpoint => ({ ...(nextPageToken ? { nextPageToken } : {}), requests, spend });
      const ticker = setInterval(() => ctx.heartbeat(checkpoint()), HEARTBEAT_EVERY_MS);
      try {
        do {
          ctx.heartbeat(checkpoint());
          let page: GetCostAndUsageCommandOutput;
          try {
            page = await clients.costExplorer.send(
              new GetCostAndUsageCommand({
                TimePeriod: { Start: input.previousPeriod.start, End: input.period.end },
                Granularity: 'DAILY',
                Metrics: [COST_METRIC],
                GroupBy: [{ Type: 'DIMENSION', Key: 'SERVICE' }],
                ...(filter ? { Filter: filter } : {}),
                ...(nextPageToken ? { NextPageToken: nextPageToken } : {}),
              }),
              { abortSignal: ctx.cancellationSignal },
            );
          } catch (err) {
            if (ctx.cancellationSignal.aborted) throw new CancelledFailure('Cancelled while reading Cost Explorer');
            throw toActivityFailure(err, 'ce:GetCostAndUsage');
          }
          requests++;
          spend = addCostResults(spend, page.ResultsByTime ?? []);
          nextPageToken = page.NextPageToken || undefined;
        } while (nextPageToken);
      } finally {
        clearInterval(ticker);
      }

      return { spend, requests };
    },
  };
}

/**
 * One Cost Explorer GetCostAndUsage query, every page, as the forecasting and tagging agents read their
 * breakdowns: unblended cost per time period and per group, amounts added up exactly (big.js), paged with
 * checkpoints (collectPages) and retried step by step (retryTransient). Each page is one billable request.
 */
import { GetCostAndUsageCommand, type Expression, type GroupDefinition } from '@aws-sdk/client-cost-explorer';
import Big from 'big.js';
import { countRequest, type AwsUsage } from '../../domain/usage';
import type { AwsClientFactory } from '../aws-clients';
import { collectPages } from '../paging';
import { retryTransient } from './retry';

const COST = 'UnblendedCost';

export interface CostQuery {
  /** Names the listing in paging checkpoints, e.g. "ce:GetCostAndUsage/tagging/key/Owner". */
  listing: string;
  period: { start: string; end: string };
  granularity: 'DAILY' | 'MONTHLY';
  filter: Expression;
  groupBy: GroupDefinition[];
  /** The key a group is filed under (default: its keys as JSON). */
  keyOf?: (keys: string[]) => string;
}

/** Period start (a day, or a month's first day) → group key → amount (a decimal string). */
export type CostByPeriod = Record<string, Record<string, string>>;

export async function costByPeriodAndGroup(
  clients: AwsClientFactory,
  query: CostQuery,
  usage: AwsUsage,
  purpose?: string,
): Promise<CostByPeriod> {
  const keyOf = query.keyOf ?? ((keys: string[]) => JSON.stringify(keys));
  const initial: CostByPeriod = {};
  const { value, requests } = await retryTransient(() =>
    collectPages({
      listing: query.listing,
      action: 'ce:GetCostAndUsage',
      initial,
      fetchPage: (NextPageToken, abortSignal) =>
        clients.costExplorer().send(
          new GetCostAndUsageCommand({
            TimePeriod: { Start: query.period.start, End: query.period.end },
            Granularity: query.granularity,
            Metrics: [COST],
            Filter: query.filter,
            GroupBy: query.groupBy,
            ...(NextPageToken ? { NextPageToken } : {}),
          }),
          { abortSignal },
        ),
      fold: (acc, page) => {
        const next = { ...acc };
        for (const result of page.ResultsByTime ?? []) {
          const start = result.TimePeriod?.Start;
          if (!start) continue;
          const groups = { ...(next[start] ?? {}) };
          for (const group of result.Groups ?? []) {
            const amount = group.Metrics?.[COST]?.Amount;
            if (amount === undefined) continue;
            const key = keyOf(group.Keys ?? []);
            groups[key] = new Big(groups[key] ?? '0').plus(amount).toString();
          }
          next[start] = groups;
        }
        return next;
      },
      nextToken: (page) => page.NextPageToken,
    }),
  );
  countRequest(usage, 'ce:GetCostAndUsage', requests, purpose);
  return value;
}

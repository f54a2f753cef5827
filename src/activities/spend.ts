/**
 * Spend from Cost Explorer. Every agent needs a slice of the same thing — the accounts' daily cost by
 * service over the period and the equal-length period before it (for the trend) — so it is one read,
 * made once per analysis and shared (CostReads), and each agent cuts its slice locally.
 *
 * When the analysis has a whole-bill agent (tagging, forecasting), that read is by service and usage
 * type, and the whole-bill agents also read cost by account and Region over the forecast's history: the
 * other agents' views (forecast history, anomaly drivers, tagging totals) are cut from these reads
 * instead of asking again. See docs/cost-explorer-requests.md for the whole plan.
 */
import { addDays, type Period } from '../domain/period';
import { FORECAST_HISTORY_DAYS, projectDailyCosts, type CostDimension } from '../domain/daily-costs';
import { spendSliceOf, type SpendSlice } from '../domain/spend';
import { spendBreakdown } from '../domain/spend-breakdown';
import { daysOf } from '../domain/period';
import { countRequest, emptyUsage, type AwsUsage } from '../domain/usage';
import type { Expression } from '@aws-sdk/client-cost-explorer';
import type { CostReads, CostReadScope } from './cost-reads';
import { whileHeartbeating } from './paging';

export interface FetchSpendInput {
  /** Scopes request sharing: agents of the same analysis share, different analyses never do. */
  analysisId: string;
  accounts: string[];
  /** Cost Explorer SERVICE values, or null for the whole bill. */
  services: readonly string[] | null;
  period: Period;
  previousPeriod: Period;
  /** The analysis day; the history reads end on it (default: the period's end). */
  asOf?: string;
  /**
   * The analysis has a whole-bill agent, so the spend read is by service and usage type (default: this
   * agent reads the whole bill). Every agent of one analysis must agree, or they read twice.
   */
  wholeBill?: boolean;
}

export interface FetchSpendOutput {
  spend: SpendSlice;
  /** Billable Cost Explorer requests this activity made (each page is one; 0 when it reused another agent's). */
  requests: number;
  /** The same requests with their purposes. */
  usage?: AwsUsage;
}

/** The Cost Explorer filter for the accounts. */
export function accountFilter(accounts: readonly string[]): Expression {
  return { Dimensions: { Key: 'LINKED_ACCOUNT', Values: [...accounts] } };
}

/** The spend read's span: the previous period and the period. */
export function spendSpan(input: Pick<FetchSpendInput, 'period' | 'previousPeriod'>): Period {
  return { start: input.previousPeriod.start, end: input.period.end };
}

/** The account-and-Region read's span: the spend span and the forecast's history. */
export function historySpan(input: Pick<FetchSpendInput, 'period' | 'previousPeriod' | 'asOf'>): Period {
  const asOf = input.asOf ?? input.period.end;
  const spend = spendSpan(input);
  const start = addDays(asOf, -FORECAST_HISTORY_DAYS);
  return { start: start < spend.start ? start : spend.start, end: asOf > spend.end ? asOf : spend.end };
}

export const PURPOSE = {
  spend: 'daily spend by service and usage type (every agent\'s spend, trend, usage-type view, anomaly drivers)',
  spendByService: 'daily spend by service (every agent\'s spend and trend)',
  accountRegion: 'daily spend by account and Region over the forecast history (account and Region views, month to date, anomaly drivers)',
} as const;

/** What an agent running alongside the spend agent knows of the analysis's spend reads (see joinSpendReads). */
export interface SpendReads {
  period: Period;
  previousPeriod: Period;
  asOf?: string;
}

/**
 * Joins the whole-bill reads fetchSpend makes (by service and usage type over the spend span; by account and
 * Region over the forecast history). The tagging and forecasting agents run alongside the spend agent and cut
 * from those reads: the reads are shared in this worker, so whichever activity asks first reads and the other
 * waits for it, and no day is asked for twice whatever the order. Requests this call made are counted with
 * the purposes fetchSpend gives them, so the analysis's total and purposes are the same either way.
 */
export async function joinSpendReads(reads: CostReads, scope: CostReadScope, spend: SpendReads, usage: AwsUsage): Promise<void> {
  const [byUsageType, byAccountRegion] = await whileHeartbeating(
    Promise.all([reads.daily(scope, ['SERVICE', 'USAGE_TYPE'], spendSpan(spend)), reads.daily(scope, ['LINKED_ACCOUNT', 'REGION'], historySpan(spend))]),
  );
  countRequest(usage, 'ce:GetCostAndUsage', byUsageType.requests, PURPOSE.spend);
  countRequest(usage, 'ce:GetCostAndUsage', byAccountRegion.requests, PURPOSE.accountRegion);
}

export function createSpendActivities(reads: CostReads) {
  return {
    async fetchSpend(input: FetchSpendInput): Promise<FetchSpendOutput> {
      const scope = { analysisId: input.analysisId, accounts: input.accounts };
      const wholeBill = input.wholeBill ?? input.services === null;
      const usage = emptyUsage();
      const fine: CostDimension[] = wholeBill ? ['SERVICE', 'USAGE_TYPE'] : ['SERVICE'];
      const main = reads.daily(scope, fine, spendSpan(input));
      // The whole-bill agents' extra reads, made alongside (shared between them).
      const breakdowns = wholeBill && input.services === null;
      const accountRegion = breakdowns
        ? reads.daily(scope, ['LINKED_ACCOUNT', 'REGION'], historySpan(input)).then((r) => {
            countRequest(usage, 'ce:GetCostAndUsage', r.requests, PURPOSE.accountRegion);
            return r.costs;
          })
        : Promise.resolve(undefined);
      const [read, byAccountRegion] = await whileHeartbeating(Promise.all([main, accountRegion]));
      countRequest(usage, 'ce:GetCostAndUsage', read.requests, wholeBill ? PURPOSE.spend : PURPOSE.spendByService);
      const byService = projectDailyCosts(read.costs, ['SERVICE'], input.accounts);
      const slice = spendSliceOf(byService, input.services, input.period, input.previousPeriod, daysOf(input.period));
      return {
        spend: breakdowns
          ? {
              ...slice,
              breakdown: spendBreakdown({
                serviceUsage: read.costs,
                ...(byAccountRegion ? { accountRegion: byAccountRegion } : {}),
                accounts: input.accounts,
                period: input.period,
                previousPeriod: input.previousPeriod,
                asOf: input.asOf ?? input.period.end,
              }),
            }
          : slice,
        requests: usage.requests['ce:GetCostAndUsage'] ?? 0,
        usage,
      };
    },
  };
}

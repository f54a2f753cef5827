/**
 * What an analysis cost to run: AWS requests by operation and the billable ones priced.
 * Cost Explorer bills $0.01 per request (each page is one); CloudWatch GetMetricData bills
 * $0.01 per 1,000 metrics requested. Everything else the agents call is free.
 */
import Big from 'big.js';

export interface AwsUsage {
  /** Requests per operation, keyed "<iam-prefix>:<Operation>", e.g. "ce:GetCostAndUsage". */
  requests: Record<string, number>;
  /** Metrics requested through GetMetricData (each query in a call counts once per call). */
  metricsRequested: number;
}

export const PRICES = {
  costExplorerRequest: '0.01',
  thousandMetrics: '0.01',
} as const;

export function emptyUsage(): AwsUsage {
  return { requests: {}, metricsRequested: 0 };
}

export function addUsage(...usages: readonly AwsUsage[]): AwsUsage {
  const total = emptyUsage();
  for (const usage of usages) {
    for (const [op, n] of Object.entries(usage.requests)) total.requests[op] = (total.requests[op] ?? 0) + n;
    total.metricsRequested += usage.metricsRequested;
  }
  return total;
}

export function countRequest(usage: AwsUsage, operation: string, n = 1): void {
  usage.requests[operation] = (usage.requests[operation] ?? 0) + n;
}

/** Dollar cost of the billable part of `usage`, as a decimal string. */
export function usageCost(usage: AwsUsage): string {
  const ceRequests = Object.entries(usage.requests)
    .filter(([op]) => op.startsWith('ce:'))
    .reduce((n, [, count]) => n + count, 0);
  return new Big(PRICES.costExplorerRequest)
    .times(ceRequests)
    .plus(new Big(PRICES.thousandMetrics).times(usage.metricsRequested).div(1000))
    .toString();
}

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
  /**
   * Why the billable requests were made: operation → purpose → requests, e.g. "ce:GetCostAndUsage" →
   * "daily spend by service and usage type" → 2. Requests counted without a purpose appear only above.
   */
  purposes?: Record<string, Record<string, number>>;
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
    for (const [op, byPurpose] of Object.entries(usage.purposes ?? {}))
      for (const [purpose, n] of Object.entries(byPurpose)) addPurpose(total, op, purpose, n);
  }
  return total;
}

export function countRequest(usage: AwsUsage, operation: string, n = 1, purpose?: string): void {
  usage.requests[operation] = (usage.requests[operation] ?? 0) + n;
  if (purpose !== undefined && n > 0) addPurpose(usage, operation, purpose, n);
}

function addPurpose(usage: AwsUsage, operation: string, purpose: string, n: number): void {
  const purposes = (usage.purposes ??= {});
  const byPurpose = (purposes[operation] ??= {});
  byPurpose[purpose] = (byPurpose[purpose] ?? 0) + n;
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

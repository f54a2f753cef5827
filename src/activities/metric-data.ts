/**
 * CloudWatch metrics, 500 queries to a GetMetricData call (the API's maximum), calls made concurrently
 * and paged by NextToken when a call's datapoints exceed AWS's per-call limit. Callers get each query's
 * values in time order, to reduce to summaries (p95, max, idle days) inside their activity: raw series
 * never leave the activity.
 */
import { GetMetricDataCommand, type MetricDataQuery, type MetricDataResult } from '@aws-sdk/client-cloudwatch';
import { countRequest, type AwsUsage } from '../domain/usage';
import type { AwsClientFactory, AwsTarget } from './aws-clients';
import { toActivityFailure } from './aws-errors';
import { currentActivity, heartbeat, mapWithConcurrency, requestOptions } from './paging';

export const MAX_QUERIES_PER_CALL = 500;

export interface MetricQuery {
  /** Unique within the request; CloudWatch requires /^[a-z][a-zA-Z0-9_]*$/. */
  id: string;
  namespace: string;
  metricName: string;
  dimensions: Record<string, string>;
  /** Average, Maximum, Sum, p95, ... */
  stat: string;
  /** Seconds, a multiple of 60. */
  period: number;
}

export interface MetricSeries {
  timestamps: number[];
  values: number[];
}

export interface MetricDataOptions {
  start: Date;
  end: Date;
  /** Calls in flight at once; CloudWatch allows 50 GetMetricData calls per second per account and region. */
  concurrency?: number;
}

/** Query IDs CloudWatch accepts, derived from a running index (resource IDs contain characters it rejects). */
export function metricQueryId(index: number): string {
  return `q${index}`;
}

export async function getMetricData(
  clients: AwsClientFactory,
  target: AwsTarget,
  queries: readonly MetricQuery[],
  options: MetricDataOptions,
  usage: AwsUsage,
): Promise<Map<string, MetricSeries>> {
  const cloudWatch = clients.cloudWatch(target);
  const batches: MetricQuery[][] = [];
  for (let i = 0; i < queries.length; i += MAX_QUERIES_PER_CALL) batches.push(queries.slice(i, i + MAX_QUERIES_PER_CALL));
  const results = new Map<string, MetricSeries>();
  const ctx = currentActivity();

  await mapWithConcurrency(batches, options.concurrency ?? 8, async (batch) => {
    const metricQueries: MetricDataQuery[] = batch.map((q) => ({
      Id: q.id,
      MetricStat: {
        Metric: {
          Namespace: q.namespace,
          MetricName: q.metricName,
          Dimensions: Object.entries(q.dimensions).map(([Name, Value]) => ({ Name, Value })),
        },
        Period: q.period,
        Stat: q.stat,
      },
      ReturnData: true,
    }));
    let nextToken: string | undefined;
    do {
      heartbeat(ctx);
      let page;
      try {
        page = await cloudWatch.send(
          new GetMetricDataCommand({
            MetricDataQueries: metricQueries,
            StartTime: options.start,
            EndTime: options.end,
            ScanBy: 'TimestampAscending',
            ...(nextToken ? { NextToken: nextToken } : {}),
          }),
          requestOptions(ctx),
        );
      } catch (err) {
        throw toActivityFailure(err, 'cloudwatch:GetMetricData');
      }
      countRequest(usage, 'cloudwatch:GetMetricData');
      usage.metricsRequested += metricQueries.length;
      for (const result of page.MetricDataResults ?? []) append(results, result);
      nextToken = page.NextToken;
    } while (nextToken);
  });
  return results;
}

function append(results: Map<string, MetricSeries>, result: MetricDataResult): void {
  if (!result.Id) return;
  const series = results.get(result.Id) ?? { timestamps: [], values: [] };
  for (const [i, t] of (result.Timestamps ?? []).entries()) {
    const value = result.Values?.[i];
    if (value === undefined) continue;
    series.timestamps.push(t.getTime());
    series.values.push(value);
  }
  results.set(result.Id, series);
}

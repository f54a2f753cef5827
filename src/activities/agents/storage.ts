/**
 * The S3 storage agent's activity: buckets with their versioning and lifecycle rules, their tags, their
 * storage metrics (CloudWatch AWS/S3 and S3 Storage Lens, 500 queries a call) and S3 prices (Pricing
 * API), judged by the checks in domain/checks/s3.ts. The full list of findings goes to the store; the
 * result carries the summary.
 */
import { AGENT_INLINE_FINDINGS } from './compute';
import { ListMetricsCommand } from '@aws-sdk/client-cloudwatch';
import { GetProductsCommand } from '@aws-sdk/client-pricing';
import Big from 'big.js';
import {
  checkBucket,
  DEFAULT_S3_THRESHOLDS,
  S3_LIST_PRICES,
  type BucketFacts,
  type S3Prices,
  type S3Thresholds,
} from '../../domain/checks/s3';
import type { FindingsSummary } from '../../domain/findings';
import { countRequest, emptyUsage, type AwsUsage } from '../../domain/usage';
import type { AwsClientFactory } from '../aws-clients';
import { toActivityFailure } from '../aws-errors';
import { listBuckets, listTaggedResources, type BucketSummary } from '../inventory';
import { getMetricData, metricQueryId, type MetricQuery, type MetricSeries } from '../metric-data';
import { mapWithConcurrency, whileHeartbeating } from '../paging';
import { findingsKey, type ArtefactStore } from '../store';
import { retryTransient } from './retry';
import { coverageKey } from './common';
import { rankFindings, summariseFindings } from './summary';

export interface AnalyseStorageInput {
  analysisId: string;
  accounts: string[];
  /** Buckets in these regions are analysed (S3 lists every region's buckets; the rest are skipped). */
  regions: string[];
  thresholds?: Partial<S3Thresholds>;
  /** The analysis day (YYYY-MM-DD): metrics are read up to its midnight. Default: today by the clock. */
  asOf?: string;
}

export interface AnalyseStorageOutput {
  findings: FindingsSummary;
  thresholds: Record<string, number | string>;
  usage: AwsUsage;
  notes: string[];
  buckets: number;
}

export const STORAGE_LENS_NAMESPACE = 'AWS/S3/Storage-Lens';
const DAY_MS = 86_400_000;
/** ListBuckets is global; ask the home region. */
const HOME_REGION = 'us-east-1';

export interface StorageOptions {
  store: ArtefactStore;
  now: () => Date;
  /** The Storage Lens configuration publishing to CloudWatch; found through ListMetrics when unset. */
  storageLensConfigurationId?: string;
}

/** Storage prices per region from the Pricing API (GB-month, USD). */
async function s3Prices(clients: AwsClientFactory, regions: string[], usage: AwsUsage): Promise<Map<string, S3Prices>> {
  const wanted = {
    Standard: 'standard',
    'Standard - Infrequent Access': 'standardIa',
    'Intelligent-Tiering Infrequent Access': 'itIa',
  } as const;
  const found = new Map<string, Partial<Record<'standard' | 'standardIa' | 'itIa', string>>>();
  let nextToken: string | undefined;
  do {
    let page;
    try {
      page = await clients.pricing().send(
        new GetProductsCommand({
          ServiceCode: 'AmazonS3',
          FormatVersion: 'aws_v1',
          Filters: [
            { Type: 'TERM_MATCH', Field: 'productFamily', Value: 'Storage' },
            { Type: 'ANY_OF', Field: 'volumeType', Value: Object.keys(wanted).join(',') },
            { Type: 'ANY_OF', Field: 'regionCode', Value: regions.join(',') },
          ],
          MaxResults: 100,
          ...(nextToken ? { NextToken: nextToken } : {}),
        }),
      );
    } catch (err) {
      throw toActivityFailure(err, 'pricing:GetProducts');
    }
    countRequest(usage, 'pricing:GetProducts');
    for (const text of page.PriceList ?? []) {
      const product = JSON.parse(String(text)) as {
        product?: { attributes?: Record<string, string> };
        terms?: {
          OnDemand?: Record<
            string,
            { priceDimensions?: Record<string, { pricePerUnit?: { USD?: string }; beginRange?: string }> }
          >;
        };
      };
      const attributes = product.product?.attributes ?? {};
      const region = attributes['regionCode'];
      const kind = wanted[attributes['volumeType'] as keyof typeof wanted];
      if (!region || !kind) continue;
      // The first tier (beginRange 0) is the price of the first 50 TB; the checks use it.
      for (const term of Object.values(product.terms?.OnDemand ?? {})) {
        for (const dimension of Object.values(term.priceDimensions ?? {})) {
          const usd = dimension.pricePerUnit?.USD;
          if (usd === undefined || (dimension.beginRange !== undefined && dimension.beginRange !== '0')) continue;
          const entry = found.get(region) ?? {};
          entry[kind] ??= usd;
          found.set(region, entry);
        }
      }
    }
    nextToken = page.NextToken || undefined;
  } while (nextToken);
  const prices = new Map<string, S3Prices>();
  for (const [region, p] of found) {
    if (!p.standard || !p.standardIa) continue;
    prices.set(region, {
      standard: p.standard,
      standardIa: p.standardIa,
      intelligentTieringIa: p.itIa ?? new Big(p.standard).times(S3_LIST_PRICES.intelligentTieringIaRatio).toString(),
      transitionToIaPer1000: S3_LIST_PRICES.transitionToIaPer1000,
      iaRetrievalPerGb: S3_LIST_PRICES.iaRetrievalPerGb,
      intelligentTieringMonitoringPer1000: S3_LIST_PRICES.intelligentTieringMonitoringPer1000,
      source: 'AWS Pricing API (storage); AWS list prices (transitions, retrievals, monitoring)',
    });
  }
  return prices;
}

/** The Storage Lens configuration that publishes bucket metrics to CloudWatch here, if any (one ListMetrics call). */
async function storageLensConfiguration(
  clients: AwsClientFactory,
  account: string,
  region: string,
  usage: AwsUsage,
): Promise<string | undefined> {
  let page;
  try {
    page = await clients.cloudWatch({ account, region }).send(
      new ListMetricsCommand({
        Namespace: STORAGE_LENS_NAMESPACE,
        MetricName: 'NonCurrentVersionStorageBytes',
        Dimensions: [{ Name: 'record_type', Value: 'BUCKET' }],
      }),
    );
  } catch (err) {
    throw toActivityFailure(err, 'cloudwatch:ListMetrics');
  }
  countRequest(usage, 'cloudwatch:ListMetrics');
  return page.Metrics?.[0]?.Dimensions?.find((d) => d.Name === 'configuration_id')?.Value;
}

function lensDimensions(configurationId: string, account: string, region: string, bucket: string): Record<string, string> {
  return {
    configuration_id: configurationId,
    metrics_version: '1.0',
    aws_account_number: account,
    aws_region: region,
    bucket_name: bucket,
    record_type: 'BUCKET',
  };
}

/** The latest datapoint of a series, if any. */
function latest(series: { values: number[] } | undefined): number | undefined {
  return series && series.values.length > 0 ? series.values[series.values.length - 1] : undefined;
}

/** Accounts whose buckets are read at once. */
const ACCOUNTS_AT_ONCE = 8;

export function createStorageActivities(clients: AwsClientFactory, options: StorageOptions) {
  async function bucketFacts(
    account: string,
    regions: string[],
    today: Date,
    usage: AwsUsage,
    notes: string[],
  ): Promise<BucketFacts[]> {
    const listed = await whileHeartbeating(retryTransient(() => listBuckets(clients, account, HOME_REGION, usage, { regions })));
    const buckets = listed.buckets;
    notes.push(...listed.notes);
    if (listed.outsideRegions > 0)
      notes.push(`Account ${account}: ${listed.outsideRegions} bucket(s) outside the analysed regions were skipped.`);
    const byRegion = new Map<string, BucketSummary[]>();
    for (const b of buckets) byRegion.set(b.region, [...(byRegion.get(b.region) ?? []), b]);
    const end = new Date(Math.floor(today.getTime() / DAY_MS) * DAY_MS);
    const start = new Date(end.getTime() - 3 * DAY_MS);
    const perRegion = await mapWithConcurrency([...byRegion], 4, async ([region, list]) => {
      const target = { account, region };
      const tags = await retryTransient(() => listTaggedResources(clients, target, ['s3:bucket'], usage));
      const lens =
        options.storageLensConfigurationId ??
        (await retryTransient(() => storageLensConfiguration(clients, account, region, usage)));
      if (!lens)
        notes.push(
          `Account ${account}, ${region}: S3 Storage Lens does not publish to CloudWatch, so noncurrent-version and incomplete-upload bytes are unknown (those findings carry no dollar figure).`,
        );
      const queries: MetricQuery[] = [];
      const ids: { std: string; objects: string; noncurrent?: string; incomplete?: string }[] = [];
      for (const b of list) {
        const q = (metricName: string, namespace: string, dimensions: Record<string, string>): string => {
          const id = metricQueryId(queries.length);
          queries.push({ id, namespace, metricName, dimensions, stat: 'Average', period: 86_400 });
          return id;
        };
        ids.push({
          std: q('BucketSizeBytes', 'AWS/S3', { BucketName: b.name, StorageType: 'StandardStorage' }),
          objects: q('NumberOfObjects', 'AWS/S3', { BucketName: b.name, StorageType: 'AllStorageTypes' }),
          ...(lens
            ? {
                noncurrent: q(
                  'NonCurrentVersionStorageBytes',
                  STORAGE_LENS_NAMESPACE,
                  lensDimensions(lens, account, region, b.name),
                ),
                incomplete: q(
                  'IncompleteMultipartUploadStorageBytes',
                  STORAGE_LENS_NAMESPACE,
                  lensDimensions(lens, account, region, b.name),
                ),
              }
            : {}),
        });
      }
      // AWS/S3 and Storage Lens queries go in separate calls (each call holds one namespace's batch).
      const s3Queries = queries.filter((q) => q.namespace === 'AWS/S3');
      const lensQueries = queries.filter((q) => q.namespace !== 'AWS/S3');
      const [s3Series, lensSeries] = await Promise.all([
        retryTransient(() => getMetricData(clients, target, s3Queries, { start, end }, usage)),
        lensQueries.length
          ? retryTransient(() => getMetricData(clients, target, lensQueries, { start, end }, usage))
          : Promise.resolve(new Map<string, MetricSeries>()),
      ]);
      return list.map((b, i): BucketFacts => {
        const id = ids[i] as (typeof ids)[number];
        const standardBytes = latest(s3Series.get(id.std));
        const objectCount = latest(s3Series.get(id.objects));
        const noncurrent = id.noncurrent ? latest(lensSeries.get(id.noncurrent)) : undefined;
        const incomplete = id.incomplete ? latest(lensSeries.get(id.incomplete)) : undefined;
        return {
          account,
          region,
          name: b.name,
          ...(b.creationDate ? { creationDate: b.creationDate } : {}),
          ...(b.versioning ? { versioning: b.versioning } : {}),
          lifecycleRules: b.lifecycleRules,
          configSource: b.configSource,
          tags: tags.get(`arn:aws:s3:::${b.name}`) ?? {},
          ...(standardBytes !== undefined ? { standardBytes } : {}),
          ...(objectCount !== undefined ? { objectCount } : {}),
          // A configuration that publishes but has no datapoint for a bucket means none of those bytes.
          ...(lens ? { noncurrentBytes: noncurrent ?? 0, incompleteMultipartBytes: incomplete ?? 0 } : {}),
        };
      });
    });
    return perRegion.flat();
  }

  return {
    async analyseStorage(input: AnalyseStorageInput): Promise<AnalyseStorageOutput> {
      const thresholds: S3Thresholds = { ...DEFAULT_S3_THRESHOLDS, ...(input.thresholds ?? {}) };
      const usage = emptyUsage();
      const notes: string[] = [];
      const today = input.asOf ? new Date(`${input.asOf}T00:00:00Z`) : options.now();
      // AWS's limits on these reads (Config, tagging, CloudWatch, S3) are per account, so accounts proceed side by
      // side; the bound keeps one activity's sockets and memory in check on large organisations.
      const perAccount = await mapWithConcurrency(input.accounts, ACCOUNTS_AT_ONCE, (account) =>
        bucketFacts(account, input.regions, today, usage, notes),
      );
      const facts = perAccount.flat();
      const regions = [...new Set(facts.map((b) => b.region))].sort();
      const prices = regions.length ? await retryTransient(() => s3Prices(clients, regions, usage)) : new Map<string, S3Prices>();
      for (const region of regions)
        if (!prices.has(region))
          notes.push(`No S3 storage prices for ${region} from the Pricing API: its buckets' savings are unknown.`);
      const now = today.toISOString();
      const findings = rankFindings(facts.flatMap((b) => checkBucket(b, prices.get(b.region), thresholds, now)));
      const key = findingsKey(input.analysisId, 's3');
      await options.store.putJson(key, findings);
      // Where we read buckets' configurations, so the merge can tell "we looked" from "we did not".
      const coverage = [...new Set(facts.map((b) => `s3/${b.account}/${b.region}`))].sort();
      await options.store.putJson(coverageKey(input.analysisId, 's3'), coverage);
      return {
        findings: summariseFindings(findings, key, AGENT_INLINE_FINDINGS),
        thresholds: { ...thresholds },
        usage,
        notes: [...new Set(notes)].sort(),
        buckets: facts.length,
      };
    },
  };
}

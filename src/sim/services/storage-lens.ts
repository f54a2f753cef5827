/**
 * S3 Storage Lens metrics published to CloudWatch (namespace AWS/S3/Storage-Lens), served beside the
 * sample account's other CloudWatch metrics.
 *
 * Why: CloudWatch's own S3 storage metrics (AWS/S3 BucketSizeBytes per StorageType) count noncurrent
 * versions and incomplete multipart uploads inside StandardStorage without separating them, so the
 * savings of expiring old versions or aborting stale uploads cannot be measured from them. S3 Storage
 * Lens measures both (NonCurrentVersionStorageBytes, IncompleteMultipartUploadStorageBytes) and, with
 * its CloudWatch publishing option, puts them in CloudWatch as daily metrics — what the storage agent
 * reads. The sample account has one Storage Lens configuration (`STORAGE_LENS_CONFIGURATION_ID`) with
 * CloudWatch publishing on; its bucket-level series carry the dimensions configuration_id,
 * metrics_version ("1.0"), aws_account_number, aws_region, bucket_name and record_type ("BUCKET"), and
 * live in the bucket's own region. Values are the scenario's: StorageBytes (all classes), ObjectCount,
 * NonCurrentVersionStorageBytes, IncompleteMultipartUploadStorageBytes, one datapoint a day at
 * 00:00 UTC from the bucket's creation.
 *
 * This wraps the CloudWatch JSON service: GetMetricData requests whose metric queries all name this
 * namespace, and ListMetrics for it, are answered here; everything else goes to the wrapped service
 * unchanged. (A request mixing this namespace with others is left to the wrapped service, which
 * answers this namespace's queries with empty series — as CloudWatch does for a configuration that
 * does not publish.)
 */
import type { IncomingMessage } from 'node:http';
import { AwsError } from '../errors';
import type { S3Bucket, ScenarioResources } from '../model';
import type { JsonObject, JsonServiceDefinition } from '../protocols/json';
import { decodeToken, encodeToken, fingerprint, requestScope, type AccountResolver } from './json-input';

export const STORAGE_LENS_NAMESPACE = 'AWS/S3/Storage-Lens';
export const STORAGE_LENS_CONFIGURATION_ID = 'finops-sample-lens';
const DAY = 86_400;
const METRICS = [
  'StorageBytes',
  'ObjectCount',
  'NonCurrentVersionStorageBytes',
  'IncompleteMultipartUploadStorageBytes',
] as const;
const MAX_QUERIES = 500;
const PAGE = 500;

function valueOf(bucket: S3Bucket, metric: string): number | undefined {
  switch (metric) {
    case 'StorageBytes':
      return Object.values(bucket.storageBytes).reduce((a, b) => a + b, 0);
    case 'ObjectCount':
      return bucket.objectCount;
    case 'NonCurrentVersionStorageBytes':
      return bucket.noncurrentBytes ?? 0;
    case 'IncompleteMultipartUploadStorageBytes':
      return bucket.incompleteMultipartBytes ?? 0;
    default:
      return undefined;
  }
}

function dimensionsOf(bucket: S3Bucket): { Name: string; Value: string }[] {
  return [
    { Name: 'aws_account_number', Value: bucket.account },
    { Name: 'aws_region', Value: bucket.region },
    { Name: 'bucket_name', Value: bucket.name },
    { Name: 'configuration_id', Value: STORAGE_LENS_CONFIGURATION_ID },
    { Name: 'metrics_version', Value: '1.0' },
    { Name: 'record_type', Value: 'BUCKET' },
  ];
}

function invalid(message: string): AwsError {
  return new AwsError('InvalidParameterValue', message, 400);
}

function seconds(value: unknown, name: string): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && Number.isFinite(Date.parse(value))) return Date.parse(value) / 1000;
  throw invalid(`The parameter ${name} must be a timestamp.`);
}

interface LensQuery {
  id: string;
  metric: string;
  dims: Map<string, string>;
  period: number;
  stat: string;
  returnData: boolean;
  label?: string;
}

export function withStorageLens(
  cloudWatch: JsonServiceDefinition,
  resources: ScenarioResources,
  options: { accountFor: AccountResolver; now: () => number },
): JsonServiceDefinition {
  const buckets = new Map<string, S3Bucket>();
  for (const b of resources.buckets) buckets.set(`${b.account}|${b.region}|${b.name}`, b);
  const inner = cloudWatch.operations;

  const isLensRequest = (input: JsonObject): boolean => {
    const queries = input['MetricDataQueries'];
    if (!Array.isArray(queries) || queries.length === 0) return false;
    return queries.every((q) => {
      const stat = (q as JsonObject)['MetricStat'] as JsonObject | undefined;
      const metric = stat?.['Metric'] as JsonObject | undefined;
      return metric?.['Namespace'] === STORAGE_LENS_NAMESPACE;
    });
  };

  const getMetricData = (input: JsonObject, request: IncomingMessage | undefined) => {
    const scope = requestScope(request, options.accountFor);
    const raw = input['MetricDataQueries'] as JsonObject[];
    if (raw.length > MAX_QUERIES)
      throw invalid(`The collection MetricDataQueries must not have a size greater than ${MAX_QUERIES}.`);
    const start = seconds(input['StartTime'], 'StartTime');
    const end = Math.min(seconds(input['EndTime'], 'EndTime'), options.now());
    if (!(start < seconds(input['EndTime'], 'EndTime')))
      throw invalid('The parameter StartTime must be less than the parameter EndTime.');
    const descending = (input['ScanBy'] ?? 'TimestampDescending') === 'TimestampDescending';
    const queries: LensQuery[] = raw.map((q) => {
      const stat = q['MetricStat'] as JsonObject;
      const metric = stat['Metric'] as JsonObject;
      const dims = new Map(
        ((metric['Dimensions'] as JsonObject[] | undefined) ?? []).map((d) => [String(d['Name']), String(d['Value'])]),
      );
      const period = Number(stat['Period']);
      if (!Number.isInteger(period) || period < 60 || period % 60 !== 0)
        throw invalid('The parameter MetricStat.Period must be a multiple of 60.');
      return {
        id: String(q['Id']),
        metric: String(metric['MetricName']),
        dims,
        period,
        stat: String(stat['Stat']),
        returnData: q['ReturnData'] !== false,
        ...(typeof q['Label'] === 'string' ? { label: q['Label'] } : {}),
      };
    });
    const results = queries
      .filter((q) => q.returnData)
      .map((q) => {
        const series = seriesOf(q, scope.account, scope.region, start, end);
        const timestamps = descending ? [...series.timestamps].reverse() : series.timestamps;
        const values = descending ? [...series.values].reverse() : series.values;
        return { Id: q.id, Label: q.label ?? q.metric, Timestamps: timestamps, Values: values, StatusCode: 'Complete' };
      });
    return { MetricDataResults: results, Messages: [] };
  };

  const seriesOf = (q: LensQuery, account: string, region: string, start: number, end: number) => {
    const empty = { timestamps: [] as number[], values: [] as number[] };
    const want = (name: string) => q.dims.get(name);
    if (q.dims.size !== 6 || want('configuration_id') !== STORAGE_LENS_CONFIGURATION_ID || want('metrics_version') !== '1.0')
      return empty;
    if (want('record_type') !== 'BUCKET' || want('aws_account_number') !== account || want('aws_region') !== region) return empty;
    const bucket = buckets.get(`${account}|${region}|${want('bucket_name') ?? ''}`);
    if (!bucket) return empty;
    const value = valueOf(bucket, q.metric);
    if (value === undefined) return empty;
    const since = Math.ceil(Date.parse(bucket.creationDate) / 1000 / DAY) * DAY;
    const timestamps: number[] = [];
    const values: number[] = [];
    for (let t = Math.floor(start / q.period) * q.period; t < end; t += q.period) {
      let count = 0;
      for (let day = Math.ceil(Math.max(t, start, since) / DAY) * DAY; day < Math.min(t + q.period, end); day += DAY) count++;
      if (count === 0) continue;
      timestamps.push(t);
      values.push(q.stat === 'Sum' ? value * count : q.stat === 'SampleCount' ? count : value);
    }
    return { timestamps, values };
  };

  const listMetrics = (input: JsonObject, request: IncomingMessage | undefined) => {
    const scope = requestScope(request, options.accountFor);
    const metricName = typeof input['MetricName'] === 'string' ? input['MetricName'] : undefined;
    const filters = ((input['Dimensions'] as JsonObject[] | undefined) ?? []).map((d) => ({
      name: String(d['Name']),
      value: d['Value'],
    }));
    const entries: { Namespace: string; MetricName: string; Dimensions: { Name: string; Value: string }[] }[] = [];
    for (const b of resources.buckets) {
      if (b.account !== scope.account || b.region !== scope.region) continue;
      const dims = dimensionsOf(b);
      if (
        !filters.every((f) =>
          dims.some((d) => d.Name === f.name && (f.value === undefined || f.value === '' || d.Value === f.value)),
        )
      )
        continue;
      for (const m of METRICS)
        if (metricName === undefined || metricName === m)
          entries.push({ Namespace: STORAGE_LENS_NAMESPACE, MetricName: m, Dimensions: dims });
    }
    const fp = fingerprint({ metricName, filters, ...scope });
    let offset = 0;
    const token = input['NextToken'];
    if (typeof token === 'string' && token !== '') {
      const payload = decodeToken(token);
      if (!payload || payload['h'] !== fp || typeof payload['o'] !== 'number')
        throw new AwsError('InvalidNextToken', 'The NextToken is not valid.', 400);
      offset = payload['o'];
    }
    return {
      Metrics: entries.slice(offset, offset + PAGE),
      ...(offset + PAGE < entries.length ? { NextToken: encodeToken({ h: fp, o: offset + PAGE }) } : {}),
    };
  };

  return {
    ...cloudWatch,
    operations: {
      ...inner,
      GetMetricData: (input, context) =>
        isLensRequest(input)
          ? getMetricData(input, context.request)
          : (inner['GetMetricData'] as NonNullable<(typeof inner)['GetMetricData']>)(input, context),
      ListMetrics: (input, context) =>
        input['Namespace'] === STORAGE_LENS_NAMESPACE
          ? listMetrics(input, context.request)
          : (inner['ListMetrics'] as NonNullable<(typeof inner)['ListMetrics']>)(input, context),
    },
  };
}

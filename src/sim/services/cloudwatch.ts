/**
 * Amazon CloudWatch (signing name `monitoring`) over a scenario: GetMetricData and ListMetrics for
 * the metrics of the scenario's instances (AWS/EC2, InstanceId), volumes (AWS/EBS, VolumeId),
 * databases (AWS/RDS, DBInstanceIdentifier) and buckets (AWS/S3, BucketName + StorageType).
 *
 * Wire protocols, as AWS serves both:
 * - awsJson1_0 with awsQueryCompatible (SDK clients from 3.949): POST /, X-Amz-Target:
 *   GraniteServiceVersion20100801.<Operation>, x-amzn-query-mode: true; timestamps as epoch
 *   seconds; errors with the modelled `__type` (com.amazonaws.cloudwatch#InvalidParameterValueException)
 *   and `x-amzn-query-error: InvalidParameterValue;Sender` (`cloudWatchService`).
 * - awsQuery (older clients): Action=GetMetricData&Version=2010-08-01, XML in the namespace
 *   http://monitoring.amazonaws.com/doc/2010-08-01/ (`cloudWatchQueryService`).
 * Handlers throw the query error codes (InvalidParameterValue, MissingParameter, ValidationError,
 * InvalidNextToken, Throttling); each protocol encodes them its way.
 *
 * GetMetricData, as AWS computes it:
 * - up to 500 MetricDataQueries (more: InvalidParameterValue), each with an Id (unique; a lowercase
 *   letter first, then letters, digits, underscores) and exactly one of MetricStat or Expression;
 *   ReturnData false computes a query (for expressions) without returning it.
 * - MetricStat: Period 1, 5, 10, 20, 30 or a multiple of 60; Stat Average, Sum, Minimum, Maximum,
 *   SampleCount or pNN(.N); Unit (when given, a metric with another unit returns no data). Values come
 *   from metrics.ts (`aggregate`): buckets aligned to the rounded StartTime, each stamped with its start,
 *   buckets without data omitted. S3 storage metrics are daily (one datapoint at 00:00 UTC).
 * - StartTime is rounded down as AWS does (to the minute under 15 days old, to 5 minutes under 63
 *   days, to the hour beyond; to the period's division for periods under a minute); EndTime is
 *   exclusive; nothing is served past the simulated "now".
 * - Retention: 1-minute data for 15 days, 5-minute data for 63 days, 1-hour data for 455 days (and
 *   sub-minute periods for 3 hours): buckets older than what the period's resolution keeps return no
 *   datapoints, so a 60-second period over the last 30 days answers only the last 15.
 * - Dimensions must match a metric's exactly; an unknown metric, dimension or resource is an empty
 *   series (StatusCode Complete), not an error — as on AWS. Resources are those of the account the
 *   request acts as (identity) in the region of its SigV4 scope; S3 storage metrics live in the
 *   bucket's region.
 * - Expressions (metric math): + - * / ^, parentheses, numbers, query Ids, METRICS() and
 *   METRICS('text'), ABS, CEIL, FLOOR, SUM, AVG, MIN, MAX, STDDEV (of an array: per timestamp; of one
 *   series: over time). Other functions, SEARCH and Metrics Insights queries are rejected with a
 *   ValidationError naming what is supported.
 * - ScanBy TimestampDescending (default) or TimestampAscending; at most MaxDatapoints (default and
 *   maximum 100,800) datapoints per call. Pages cut the datapoints in scan order (timestamp, then query
 *   order); every returned query appears on every page, StatusCode PartialData while it has more to
 *   come, and NextToken continues. As AWS documents, a request with math expressions gets no
 *   NextToken: what does not fit is left out and marked PartialData.
 *
 * ListMetrics: Namespace, MetricName and Dimensions filters (a filter without Value matches any
 * value), RecentlyActive PT3H, 500 metrics a page with NextToken; metrics without datapoints in the
 * last two weeks are not listed (as on AWS).
 *
 * Metric keys in a resource's MetricSet are "<Namespace>/<MetricName>" ("AWS/EC2/CPUUtilization").
 * Buckets: "AWS/S3/BucketSizeBytes" is the bucket's total size, split over its storage types
 * (StorageType dimension) in proportion to `storageBytes`; "AWS/S3/BucketSizeBytes/<StorageType>"
 * gives one storage type its own series; "AWS/S3/NumberOfObjects" is served with StorageType
 * AllStorageTypes.
 */
import type { IncomingMessage } from 'node:http';
import { AwsError } from '../errors';
import { aggregate, isSupportedStatistic, percentileOf, rawValue, type Datapoints } from '../metrics';
import type { MetricProfile, MetricSet, MetricStatistic, ScenarioResources } from '../model';
import type { JsonObject, JsonServiceDefinition, QueryCompatibleErrors } from '../protocols/json';
import type { QueryInput, QueryServiceDefinition } from '../protocols/query';
import { xmlList, xmlTimestamp, type XmlNode } from '../protocols/xml';
import {
  decodeToken,
  defaultAccountResolver,
  encodeToken,
  fingerprint,
  optionalBoolean,
  optionalInteger,
  optionalList,
  optionalObject,
  optionalString,
  optionalTimestamp,
  requestScope,
  type AccountResolver,
  type RequestScope,
} from './json-input';

export const CLOUDWATCH_TARGET_PREFIX = 'GraniteServiceVersion20100801';
export const CLOUDWATCH_SIGNING_NAME = 'monitoring';
export const CLOUDWATCH_API_VERSION = '2010-08-01';
export const CLOUDWATCH_XML_NAMESPACE = 'http://monitoring.amazonaws.com/doc/2010-08-01/';
export const MAX_METRIC_DATA_QUERIES = 500;
export const MAX_DATAPOINTS_PER_CALL = 100_800;
export const LIST_METRICS_PAGE_SIZE = 500;

const DAY = 86_400;
const HOUR = 3_600;
/** How long CloudWatch keeps data at each resolution, in seconds. */
const RETENTION = { subMinute: 3 * HOUR, minute: 15 * DAY, fiveMinutes: 63 * DAY, hour: 455 * DAY } as const;
/** ListMetrics lists metrics with datapoints in the last two weeks. */
const LIST_METRICS_WINDOW = 14 * DAY;

const ID_PATTERN = /^[a-z][a-zA-Z0-9_]*$/;

const STANDARD_UNITS = [
  'Seconds',
  'Microseconds',
  'Milliseconds',
  'Bytes',
  'Kilobytes',
  'Megabytes',
  'Gigabytes',
  'Terabytes',
  'Bits',
  'Kilobits',
  'Megabits',
  'Gigabits',
  'Terabits',
  'Percent',
  'Count',
  'Bytes/Second',
  'Kilobytes/Second',
  'Megabytes/Second',
  'Gigabytes/Second',
  'Terabytes/Second',
  'Bits/Second',
  'Kilobits/Second',
  'Megabits/Second',
  'Gigabits/Second',
  'Terabits/Second',
  'Count/Second',
  'None',
] as const;

/** Units of the AWS metrics the sample account serves (a MetricStat.Unit that differs gets no data). */
export const METRIC_UNITS: Readonly<Record<string, string>> = {
  'AWS/EC2/CPUUtilization': 'Percent',
  'AWS/EC2/NetworkIn': 'Bytes',
  'AWS/EC2/NetworkOut': 'Bytes',
  'AWS/EC2/NetworkPacketsIn': 'Count',
  'AWS/EC2/NetworkPacketsOut': 'Count',
  'AWS/EC2/DiskReadOps': 'Count',
  'AWS/EC2/DiskWriteOps': 'Count',
  'AWS/EC2/DiskReadBytes': 'Bytes',
  'AWS/EC2/DiskWriteBytes': 'Bytes',
  'AWS/EC2/CPUCreditUsage': 'Count',
  'AWS/EC2/CPUCreditBalance': 'Count',
  'AWS/EC2/CPUSurplusCreditBalance': 'Count',
  'AWS/EC2/CPUSurplusCreditsCharged': 'Count',
  'AWS/EC2/StatusCheckFailed': 'Count',
  'AWS/EC2/StatusCheckFailed_Instance': 'Count',
  'AWS/EC2/StatusCheckFailed_System': 'Count',
  'AWS/EC2/EBSReadOps': 'Count',
  'AWS/EC2/EBSWriteOps': 'Count',
  'AWS/EC2/EBSReadBytes': 'Bytes',
  'AWS/EC2/EBSWriteBytes': 'Bytes',
  'AWS/EBS/VolumeReadOps': 'Count',
  'AWS/EBS/VolumeWriteOps': 'Count',
  'AWS/EBS/VolumeReadBytes': 'Bytes',
  'AWS/EBS/VolumeWriteBytes': 'Bytes',
  'AWS/EBS/VolumeTotalReadTime': 'Seconds',
  'AWS/EBS/VolumeTotalWriteTime': 'Seconds',
  'AWS/EBS/VolumeIdleTime': 'Seconds',
  'AWS/EBS/VolumeQueueLength': 'Count',
  'AWS/EBS/VolumeThroughputPercentage': 'Percent',
  'AWS/EBS/VolumeConsumedReadWriteOps': 'Count',
  'AWS/EBS/BurstBalance': 'Percent',
  'AWS/RDS/CPUUtilization': 'Percent',
  'AWS/RDS/DatabaseConnections': 'Count',
  'AWS/RDS/FreeStorageSpace': 'Bytes',
  'AWS/RDS/FreeableMemory': 'Bytes',
  'AWS/RDS/ReadIOPS': 'Count/Second',
  'AWS/RDS/WriteIOPS': 'Count/Second',
  'AWS/RDS/ReadLatency': 'Seconds',
  'AWS/RDS/WriteLatency': 'Seconds',
  'AWS/RDS/ReadThroughput': 'Bytes/Second',
  'AWS/RDS/WriteThroughput': 'Bytes/Second',
  'AWS/RDS/NetworkReceiveThroughput': 'Bytes/Second',
  'AWS/RDS/NetworkTransmitThroughput': 'Bytes/Second',
  'AWS/RDS/SwapUsage': 'Bytes',
  'AWS/RDS/DiskQueueDepth': 'Count',
  'AWS/RDS/BurstBalance': 'Percent',
  'AWS/RDS/CPUCreditBalance': 'Count',
  'AWS/RDS/CPUCreditUsage': 'Count',
  'AWS/S3/BucketSizeBytes': 'Bytes',
  'AWS/S3/NumberOfObjects': 'Count',
};

/** Metrics reported once a day (at 00:00 UTC) rather than at the raw resolution. */
const DAILY_METRICS = new Set(['AWS/S3/BucketSizeBytes', 'AWS/S3/NumberOfObjects']);

// ---------------------------------------------------------------------------------------------
// Wire shapes (JSON; the XML form is derived from them)
// ---------------------------------------------------------------------------------------------

export interface MessageData {
  Code: string;
  Value: string;
}

export interface MetricDataResult {
  Id: string;
  Label: string;
  /** Epoch seconds, in ScanBy order. */
  Timestamps: number[];
  Values: number[];
  StatusCode: 'Complete' | 'PartialData' | 'InternalError' | 'Forbidden';
  Messages?: MessageData[];
}

export interface GetMetricDataOutput {
  MetricDataResults: MetricDataResult[];
  NextToken?: string;
  Messages: MessageData[];
}

export interface Dimension {
  Name: string;
  Value: string;
}

export interface MetricDescriptor {
  Namespace: string;
  MetricName: string;
  Dimensions: Dimension[];
}

export interface ListMetricsOutput {
  Metrics: MetricDescriptor[];
  NextToken?: string;
  OwningAccounts?: string[];
}

// ---------------------------------------------------------------------------------------------
// Errors (query codes; the JSON protocol maps them to their modelled __type)
// ---------------------------------------------------------------------------------------------

/** CloudWatch's query error codes as the awsQueryCompatible JSON protocol shows them. */
export const CLOUDWATCH_QUERY_COMPATIBLE: QueryCompatibleErrors = {
  errors: {
    InvalidParameterValue: { type: 'com.amazonaws.cloudwatch#InvalidParameterValueException', messageKey: 'message' },
    InvalidParameterCombination: {
      type: 'com.amazonaws.cloudwatch#InvalidParameterCombinationException',
      messageKey: 'message',
    },
    MissingParameter: { type: 'com.amazonaws.cloudwatch#MissingRequiredParameterException', messageKey: 'message' },
    InvalidNextToken: { type: 'com.amazonaws.cloudwatch#InvalidNextToken', messageKey: 'message' },
    ValidationError: { type: 'com.amazonaws.cloudwatch#ValidationException', messageKey: 'message' },
    LimitExceeded: { type: 'com.amazonaws.cloudwatch#LimitExceededFault', messageKey: 'message' },
    InternalServiceError: { type: 'com.amazonaws.cloudwatch#InternalServiceFault', messageKey: 'Message' },
    Throttling: { type: 'com.amazon.coral.availability#ThrottlingException', messageKey: 'message' },
    AccessDenied: { type: 'com.amazon.coral.service#AccessDeniedException', messageKey: 'Message' },
    AccessDeniedException: { type: 'com.amazon.coral.service#AccessDeniedException', messageKey: 'Message' },
  },
};

function invalidValue(message: string): AwsError {
  return new AwsError('InvalidParameterValue', message, 400);
}

function missing(parameter: string): AwsError {
  return new AwsError('MissingParameter', `The parameter ${parameter} is required.`, 400);
}

function validation(messages: string[]): AwsError {
  return new AwsError('ValidationError', messages.join('\n'), 400);
}

// ---------------------------------------------------------------------------------------------
// Requests, normalised
// ---------------------------------------------------------------------------------------------

interface MetricStatSpec {
  namespace: string;
  metricName: string;
  dimensions: Dimension[];
  period: number;
  stat: MetricStatistic;
  unit?: string;
}

interface QuerySpec {
  id: string;
  /** 1-based position, as in AWS's messages (MetricDataQueries.member.N). */
  member: number;
  label?: string;
  returnData: boolean;
  metricStat?: MetricStatSpec;
  expression?: string;
  accountId?: string;
}

interface GetMetricDataRequest {
  queries: QuerySpec[];
  startTime: number;
  endTime: number;
  scanBy: 'TimestampDescending' | 'TimestampAscending';
  maxDatapoints: number;
  nextToken?: string;
}

function readDimensions(value: unknown, path: string, problems: string[], requireValue: boolean): Dimension[] {
  const list = optionalList(value, path) ?? [];
  if (list.length > 30) problems.push(`The collection ${path} must not have a size greater than 30.`);
  const dimensions: { Name: string; Value: string }[] = [];
  list.forEach((item, i) => {
    const where = `${path}.member.${i + 1}`;
    const dim = optionalObject(item, where) ?? {};
    const name = optionalString(dim['Name'], `${where}.Name`);
    const dimValue = optionalString(dim['Value'], `${where}.Value`);
    if (name === undefined || name === '') problems.push(`The parameter ${where}.Name is required.`);
    else if (name.length > 255) problems.push(`The value for parameter ${where}.Name must not be longer than 255 characters.`);
    if (requireValue && (dimValue === undefined || dimValue === ''))
      problems.push(`The parameter ${where}.Value is required.`);
    else if (dimValue !== undefined && dimValue.length > 1024)
      problems.push(`The value for parameter ${where}.Value must not be longer than 1024 characters.`);
    dimensions.push({ Name: name ?? '', Value: dimValue ?? '' });
  });
  return dimensions;
}

/** AWS statistics the simulator cannot compute (trimmed means and the like): valid, but refused clearly. */
const OTHER_AWS_STATISTIC = /^(tm|wm|tc|ts)\d{1,3}(\.\d+)?$|^(TM|WM|TC|TS|PR)\(.+\)$|^IQM$/;

function validPeriod(period: number): boolean {
  return period >= 1 && (period % 60 === 0 || [1, 5, 10, 20, 30].includes(period));
}

function parseGetMetricData(input: JsonObject): GetMetricDataRequest {
  const queriesValue = optionalList(input['MetricDataQueries'], 'MetricDataQueries');
  if (queriesValue === undefined) throw missing('MetricDataQueries');
  const startTime = optionalTimestamp(input['StartTime'], 'StartTime');
  if (startTime === undefined) throw missing('StartTime');
  const endTime = optionalTimestamp(input['EndTime'], 'EndTime');
  if (endTime === undefined) throw missing('EndTime');
  if (queriesValue.length === 0) throw invalidValue('The collection MetricDataQueries must not be empty.');
  if (queriesValue.length > MAX_METRIC_DATA_QUERIES)
    throw invalidValue(`The collection MetricDataQueries must not have a size greater than ${MAX_METRIC_DATA_QUERIES}.`);

  const problems: string[] = [];
  const scanByValue = optionalString(input['ScanBy'], 'ScanBy') ?? 'TimestampDescending';
  if (scanByValue !== 'TimestampDescending' && scanByValue !== 'TimestampAscending')
    problems.push(
      `1 validation error detected: Value '${scanByValue}' at 'scanBy' failed to satisfy constraint: Member must satisfy enum value set: [TimestampDescending, TimestampAscending]`,
    );
  const maxDatapoints = optionalInteger(input['MaxDatapoints'], 'MaxDatapoints');
  if (maxDatapoints !== undefined && maxDatapoints < 1)
    problems.push(`The value ${maxDatapoints} for parameter MaxDatapoints is not valid: it must be at least 1.`);
  const nextToken = optionalString(input['NextToken'], 'NextToken');
  optionalObject(input['LabelOptions'], 'LabelOptions');
  if (!(endTime > startTime)) problems.push('The parameter StartTime must be less than the parameter EndTime.');

  const queries: QuerySpec[] = [];
  const seen = new Set<string>();
  let duplicate = false;
  queriesValue.forEach((item, i) => {
    const path = `MetricDataQueries.member.${i + 1}`;
    const query = optionalObject(item, path) ?? {};
    const id = optionalString(query['Id'], `${path}.Id`);
    if (id === undefined || id === '') problems.push(`The parameter ${path}.Id is required.`);
    else if (id.length > 255 || !ID_PATTERN.test(id))
      problems.push(
        `The value ${id} for parameter ${path}.Id is not valid: an Id starts with a lowercase letter and contains only letters, numbers and underscores (at most 255).`,
      );
    else if (seen.has(id)) duplicate = true;
    else seen.add(id);
    const label = optionalString(query['Label'], `${path}.Label`);
    const returnData = optionalBoolean(query['ReturnData'], `${path}.ReturnData`) ?? true;
    optionalInteger(query['Period'], `${path}.Period`);
    const accountId = optionalString(query['AccountId'], `${path}.AccountId`);
    const expression = optionalString(query['Expression'], `${path}.Expression`);
    const metricStatValue = optionalObject(query['MetricStat'], `${path}.MetricStat`);
    if ((expression === undefined) === (metricStatValue === undefined)) {
      problems.push(`Exactly one of MetricStat and Expression must be specified for ${path}.`);
    }
    let metricStat: MetricStatSpec | undefined;
    if (metricStatValue) {
      const where = `${path}.MetricStat`;
      const metric = optionalObject(metricStatValue['Metric'], `${where}.Metric`);
      const period = optionalInteger(metricStatValue['Period'], `${where}.Period`);
      const stat = optionalString(metricStatValue['Stat'], `${where}.Stat`);
      const unit = optionalString(metricStatValue['Unit'], `${where}.Unit`);
      if (!metric) problems.push(`The parameter ${where}.Metric is required.`);
      const namespace = metric ? optionalString(metric['Namespace'], `${where}.Metric.Namespace`) : undefined;
      const metricName = metric ? optionalString(metric['MetricName'], `${where}.Metric.MetricName`) : undefined;
      const dimensions = metric ? readDimensions(metric['Dimensions'], `${where}.Metric.Dimensions`, problems, true) : [];
      if (metric && (namespace === undefined || namespace === ''))
        problems.push(`The parameter ${where}.Metric.Namespace is required.`);
      if (metric && (metricName === undefined || metricName === ''))
        problems.push(`The parameter ${where}.Metric.MetricName is required.`);
      if (period === undefined) problems.push(`The parameter ${where}.Period is required.`);
      else if (!validPeriod(period))
        problems.push(`The parameter ${where}.Period must be 1, 5, 10, 20, 30, or a multiple of 60.`);
      if (stat === undefined || stat === '') problems.push(`The parameter ${where}.Stat is required.`);
      else if (!isSupportedStatistic(stat)) {
        problems.push(
          OTHER_AWS_STATISTIC.test(stat)
            ? `The value for parameter ${where}.Stat (${stat}) is a statistic the sample account does not compute; it serves Average, Sum, Minimum, Maximum, SampleCount and percentiles (pNN).`
            : `The value for parameter ${where}.Stat is not a valid statistic.`,
        );
      }
      if (unit !== undefined && !(STANDARD_UNITS as readonly string[]).includes(unit))
        problems.push(
          `1 validation error detected: Value '${unit}' at 'metricDataQueries.${i + 1}.member.metricStat.unit' failed to satisfy constraint: Member must satisfy enum value set: [${STANDARD_UNITS.join(', ')}]`,
        );
      if (metric && namespace && metricName && period !== undefined && stat && isSupportedStatistic(stat)) {
        metricStat = { namespace, metricName, dimensions, period, stat, ...(unit !== undefined ? { unit } : {}) };
      }
    }
    if (expression !== undefined && (expression.length === 0 || expression.length > 2048))
      problems.push(`The value for parameter ${path}.Expression must be between 1 and 2048 characters long.`);
    queries.push({
      id: id ?? '',
      member: i + 1,
      returnData,
      ...(label !== undefined ? { label } : {}),
      ...(metricStat ? { metricStat } : {}),
      ...(expression !== undefined ? { expression } : {}),
      ...(accountId !== undefined ? { accountId } : {}),
    });
  });
  if (duplicate) problems.push('The values for parameter id in MetricDataQueries are not unique.');
  if (problems.length > 0) throw validation(problems);
  return {
    queries,
    startTime,
    endTime,
    scanBy: scanByValue as GetMetricDataRequest['scanBy'],
    maxDatapoints: Math.min(maxDatapoints ?? MAX_DATAPOINTS_PER_CALL, MAX_DATAPOINTS_PER_CALL),
    ...(nextToken !== undefined && nextToken !== '' ? { nextToken } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// Series: where a metric's data comes from
// ---------------------------------------------------------------------------------------------

interface Source {
  key: string;
  profile: MetricProfile;
  /** Multiplies values (an S3 storage type's share of the bucket's size); SampleCount is not scaled. */
  scale: number;
  daily: boolean;
}

interface Series {
  /** Ascending. */
  timestamps: number[];
  values: number[];
}

const EMPTY: Series = { timestamps: [], values: [] };

interface Bounds {
  since: number;
  until: number;
}

const boundsCache = new WeakMap<MetricProfile, Bounds>();

function parseInstant(value: string): number {
  const ms = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
  return Number.isFinite(ms) ? ms / 1000 : NaN;
}

/** When a series has data: [since, until), epoch seconds. */
function boundsOf(profile: MetricProfile): Bounds {
  let bounds = boundsCache.get(profile);
  if (!bounds) {
    bounds = {
      since: parseInstant(profile.since),
      until: profile.until === undefined ? Infinity : parseInstant(profile.until),
    };
    boundsCache.set(profile, bounds);
  }
  return bounds;
}

/** The longest age a bucket may have for the period's resolution to still be kept. */
function retentionFor(period: number): number {
  if (period % 3600 === 0) return RETENTION.hour;
  if (period % 300 === 0) return RETENTION.fiveMinutes;
  if (period % 60 === 0) return RETENTION.minute;
  return RETENTION.subMinute;
}

/** StartTime rounded down as CloudWatch rounds it. */
function roundStart(start: number, period: number, now: number): number {
  let unit: number;
  if (period < 60) unit = period;
  else {
    const age = now - start;
    unit = age > RETENTION.fiveMinutes ? 3600 : age > RETENTION.minute ? 300 : 60;
  }
  return Math.floor(start / unit) * unit;
}

/** Statistics of a few values (daily-sampled series), nearest-rank percentiles as metrics.ts. */
function statOf(values: number[], stat: MetricStatistic): number {
  switch (stat) {
    case 'Sum':
      return values.reduce((a, b) => a + b, 0);
    case 'Average':
      return values.reduce((a, b) => a + b, 0) / values.length;
    case 'Minimum':
      return Math.min(...values);
    case 'Maximum':
      return Math.max(...values);
    case 'SampleCount':
      return values.length;
    default: {
      const p = percentileOf(stat) ?? 100;
      const sorted = [...values].sort((a, b) => a - b);
      const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1;
      return sorted[rank] as number;
    }
  }
}

/** A once-a-day metric (S3 storage): one raw datapoint at each 00:00 UTC, aggregated per bucket. */
function aggregateDaily(profile: MetricProfile, start: number, end: number, period: number, stat: MetricStatistic): Datapoints {
  const timestamps: number[] = [];
  const values: number[] = [];
  const { since, until } = boundsOf(profile);
  const from = Math.max(start, since);
  const to = Math.min(end, until);
  let bucket = start + Math.max(0, Math.floor((from - start) / period)) * period;
  for (; bucket < to; bucket += period) {
    const bucketEnd = Math.min(bucket + period, end);
    const samples: number[] = [];
    for (let day = Math.ceil(bucket / DAY) * DAY; day < bucketEnd; day += DAY) {
      if (day < since || day >= until) continue;
      const value = rawValue(profile, day);
      if (value !== undefined) samples.push(value);
    }
    if (samples.length === 0) continue;
    timestamps.push(bucket);
    values.push(statOf(samples, stat));
  }
  return { timestamps, values };
}

// ---------------------------------------------------------------------------------------------
// Metric math
// ---------------------------------------------------------------------------------------------

type Token =
  | { kind: 'number'; value: number }
  | { kind: 'name'; value: string }
  | { kind: 'string'; value: string }
  | { kind: 'op'; value: string };

type Ast =
  | { kind: 'number'; value: number }
  | { kind: 'ref'; id: string }
  | { kind: 'neg'; operand: Ast }
  | { kind: 'binary'; op: string; left: Ast; right: Ast }
  | { kind: 'call'; name: string; args: Ast[] }
  | { kind: 'string'; value: string }
  | { kind: 'array'; items: Ast[] };

interface LabelledSeries {
  label: string;
  series: Series;
}

type MathValue =
  | { kind: 'scalar'; value: number }
  | { kind: 'series'; item: LabelledSeries }
  | { kind: 'array'; items: LabelledSeries[] };

const ELEMENTWISE = new Set(['ABS', 'CEIL', 'FLOOR']);
const REDUCERS = new Set(['SUM', 'AVG', 'MIN', 'MAX', 'STDDEV']);
const SUPPORTED_MATH =
  'the sample account evaluates + - * / ^, parentheses, numbers, query Ids, METRICS(), ABS, CEIL, FLOOR, SUM, AVG, MIN, MAX and STDDEV';

class ExpressionError extends Error {}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const number = /^(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?/.exec(text.slice(i));
    if (number) {
      tokens.push({ kind: 'number', value: Number(number[0]) });
      i += number[0].length;
      continue;
    }
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i));
    if (name) {
      tokens.push({ kind: 'name', value: name[0] });
      i += name[0].length;
      continue;
    }
    if (c === '"' || c === "'") {
      const close = text.indexOf(c, i + 1);
      if (close < 0) throw new ExpressionError(`unterminated string at position ${i + 1}`);
      tokens.push({ kind: 'string', value: text.slice(i + 1, close) });
      i = close + 1;
      continue;
    }
    if ('+-*/^()[],'.includes(c)) {
      tokens.push({ kind: 'op', value: c });
      i++;
      continue;
    }
    throw new ExpressionError(`unexpected character '${c}' at position ${i + 1}`);
  }
  return tokens;
}

function parseExpression(text: string): Ast {
  if (/^\s*SELECT\b/i.test(text)) throw new ExpressionError('Metrics Insights queries (SELECT ...) are not supported by the sample account');
  const tokens = tokenize(text);
  let pos = 0;
  const peek = (): Token | undefined => tokens[pos];
  const isOp = (value: string): boolean => {
    const t = peek();
    return t?.kind === 'op' && t.value === value;
  };
  const expect = (value: string): void => {
    if (!isOp(value)) throw new ExpressionError(`expected '${value}'${peek() ? '' : ' before the end'}`);
    pos++;
  };
  const additive = (): Ast => {
    let left = multiplicative();
    while (isOp('+') || isOp('-')) {
      const op = (tokens[pos++] as Token).value as string;
      left = { kind: 'binary', op, left, right: multiplicative() };
    }
    return left;
  };
  const multiplicative = (): Ast => {
    let left = unary();
    while (isOp('*') || isOp('/')) {
      const op = (tokens[pos++] as Token).value as string;
      left = { kind: 'binary', op, left, right: unary() };
    }
    return left;
  };
  const unary = (): Ast => {
    if (isOp('-')) {
      pos++;
      return { kind: 'neg', operand: unary() };
    }
    if (isOp('+')) {
      pos++;
      return unary();
    }
    return power();
  };
  const power = (): Ast => {
    const base = primary();
    if (isOp('^')) {
      pos++;
      return { kind: 'binary', op: '^', left: base, right: unary() };
    }
    return base;
  };
  const list = (close: string): Ast[] => {
    const items: Ast[] = [];
    if (isOp(close)) return items;
    items.push(additive());
    while (isOp(',')) {
      pos++;
      items.push(additive());
    }
    return items;
  };
  const primary = (): Ast => {
    const token = peek();
    if (!token) throw new ExpressionError('unexpected end of expression');
    pos++;
    if (token.kind === 'number') return { kind: 'number', value: token.value };
    if (token.kind === 'string') return { kind: 'string', value: token.value };
    if (token.kind === 'name') {
      if (isOp('(')) {
        pos++;
        const args = list(')');
        expect(')');
        return { kind: 'call', name: token.value.toUpperCase(), args };
      }
      return { kind: 'ref', id: token.value };
    }
    if (token.value === '(') {
      const inner = additive();
      expect(')');
      return inner;
    }
    if (token.value === '[') {
      const items = list(']');
      expect(']');
      return { kind: 'array', items };
    }
    throw new ExpressionError(`unexpected '${token.value}'`);
  };
  const ast = additive();
  if (pos < tokens.length) throw new ExpressionError(`unexpected '${String((tokens[pos] as Token).value)}'`);
  return ast;
}

/** Ids an expression refers to (for dependency checks). */
function referencesOf(ast: Ast, out: Set<string> = new Set()): Set<string> {
  switch (ast.kind) {
    case 'ref':
      out.add(ast.id);
      break;
    case 'neg':
      referencesOf(ast.operand, out);
      break;
    case 'binary':
      referencesOf(ast.left, out);
      referencesOf(ast.right, out);
      break;
    case 'call':
    case 'array':
      for (const item of ast.kind === 'call' ? ast.args : ast.items) referencesOf(item, out);
      break;
    default:
  }
  return out;
}

function applyOp(op: string, a: number, b: number): number {
  switch (op) {
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '*':
      return a * b;
    case '/':
      return a / b;
    default:
      return a ** b;
  }
}

function mapSeries(series: Series, f: (v: number) => number): Series {
  const timestamps: number[] = [];
  const values: number[] = [];
  series.values.forEach((v, i) => {
    const r = f(v);
    if (Number.isFinite(r)) {
      timestamps.push(series.timestamps[i] as number);
      values.push(r);
    }
  });
  return { timestamps, values };
}

/** Pointwise combination on the timestamps both series have. */
function zipSeries(a: Series, b: Series, f: (x: number, y: number) => number): Series {
  const timestamps: number[] = [];
  const values: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.timestamps.length && j < b.timestamps.length) {
    const ta = a.timestamps[i] as number;
    const tb = b.timestamps[j] as number;
    if (ta < tb) i++;
    else if (tb < ta) j++;
    else {
      const r = f(a.values[i] as number, b.values[j] as number);
      if (Number.isFinite(r)) {
        timestamps.push(ta);
        values.push(r);
      }
      i++;
      j++;
    }
  }
  return { timestamps, values };
}

function reduce(name: string, values: number[]): number {
  if (values.length === 0) return NaN;
  const sum = values.reduce((x, y) => x + y, 0);
  switch (name) {
    case 'SUM':
      return sum;
    case 'AVG':
      return sum / values.length;
    case 'MIN':
      return Math.min(...values);
    case 'MAX':
      return Math.max(...values);
    default: {
      const mean = sum / values.length;
      return Math.sqrt(values.reduce((acc, v) => acc + (v - mean) ** 2, 0) / values.length);
    }
  }
}

/** Per timestamp across the array's series. */
function reduceAcross(name: string, items: LabelledSeries[]): Series {
  const byTime = new Map<number, number[]>();
  for (const { series } of items) {
    series.timestamps.forEach((t, i) => {
      let bucket = byTime.get(t);
      if (!bucket) byTime.set(t, (bucket = []));
      bucket.push(series.values[i] as number);
    });
  }
  const timestamps = [...byTime.keys()].sort((a, b) => a - b);
  const values = timestamps.map((t) => reduce(name, byTime.get(t) as number[]));
  return { timestamps, values };
}

interface MathContext {
  /** Result of another query by Id (evaluated on demand). */
  resolve(id: string): MathValue | undefined;
  /** The MetricStat queries, for METRICS(). */
  metrics(): { id: string; item: LabelledSeries }[];
}

function evaluate(ast: Ast, ctx: MathContext, label: string): MathValue {
  switch (ast.kind) {
    case 'number':
      return { kind: 'scalar', value: ast.value };
    case 'string':
      throw new ExpressionError('a string is only allowed as the argument of METRICS()');
    case 'ref': {
      const value = ctx.resolve(ast.id);
      if (!value) throw new ExpressionError(`Unrecognized metric or expression Id '${ast.id}'`);
      return value;
    }
    case 'neg':
      return combine('*', { kind: 'scalar', value: -1 }, evaluate(ast.operand, ctx, label), label);
    case 'binary':
      return combine(ast.op, evaluate(ast.left, ctx, label), evaluate(ast.right, ctx, label), label);
    case 'array': {
      const items: LabelledSeries[] = [];
      for (const member of ast.items) {
        const value = evaluate(member, ctx, label);
        if (value.kind === 'series') items.push(value.item);
        else if (value.kind === 'array') items.push(...value.items);
        else throw new ExpressionError('an array holds time series, not numbers');
      }
      return { kind: 'array', items };
    }
    case 'call':
      return call(ast.name, ast.args, ctx, label);
  }
}

function call(name: string, args: Ast[], ctx: MathContext, label: string): MathValue {
  if (name === 'METRICS') {
    if (args.length > 1) throw new ExpressionError('METRICS() takes at most one argument');
    const filterAst = args[0];
    if (filterAst && filterAst.kind !== 'string') throw new ExpressionError("METRICS() takes a string, e.g. METRICS('cpu')");
    const filter = filterAst?.kind === 'string' ? filterAst.value : undefined;
    const items = ctx
      .metrics()
      .filter(({ id, item }) => filter === undefined || id.includes(filter) || item.label.includes(filter))
      .map(({ item }) => item);
    return { kind: 'array', items };
  }
  if (!ELEMENTWISE.has(name) && !REDUCERS.has(name)) {
    throw new ExpressionError(`Unsupported function ${name}: ${SUPPORTED_MATH}`);
  }
  if (args.length !== 1) throw new ExpressionError(`${name}() takes one argument`);
  const arg = evaluate(args[0] as Ast, ctx, label);
  if (ELEMENTWISE.has(name)) {
    const f = name === 'ABS' ? Math.abs : name === 'CEIL' ? Math.ceil : Math.floor;
    if (arg.kind === 'scalar') return { kind: 'scalar', value: f(arg.value) };
    if (arg.kind === 'series') return { kind: 'series', item: { label: arg.item.label, series: mapSeries(arg.item.series, f) } };
    return { kind: 'array', items: arg.items.map((it) => ({ label: it.label, series: mapSeries(it.series, f) })) };
  }
  if (arg.kind === 'scalar') return arg;
  if (arg.kind === 'array') return { kind: 'series', item: { label, series: reduceAcross(name, arg.items) } };
  // One series: a single value over its time range, shown at each of its timestamps.
  const value = reduce(name, arg.item.series.values);
  if (!Number.isFinite(value)) return { kind: 'series', item: { label, series: EMPTY } };
  return { kind: 'series', item: { label, series: mapSeries(arg.item.series, () => value) } };
}

function combine(op: string, a: MathValue, b: MathValue, label: string): MathValue {
  const f = (x: number, y: number): number => applyOp(op, x, y);
  if (a.kind === 'scalar' && b.kind === 'scalar') return { kind: 'scalar', value: f(a.value, b.value) };
  if (a.kind === 'array' && b.kind === 'array') throw new ExpressionError(`cannot apply '${op}' to two arrays of time series`);
  if (a.kind === 'array' || b.kind === 'array') {
    const array = (a.kind === 'array' ? a : b) as { kind: 'array'; items: LabelledSeries[] };
    const other = a.kind === 'array' ? b : a;
    return {
      kind: 'array',
      items: array.items.map((item) => {
        const left: MathValue = { kind: 'series', item };
        const combined = a.kind === 'array' ? combine(op, left, other, item.label) : combine(op, other, left, item.label);
        return (combined as { kind: 'series'; item: LabelledSeries }).item;
      }),
    };
  }
  if (a.kind === 'scalar' && b.kind === 'series')
    return { kind: 'series', item: { label, series: mapSeries(b.item.series, (y) => f(a.value, y)) } };
  if (a.kind === 'series' && b.kind === 'scalar')
    return { kind: 'series', item: { label, series: mapSeries(a.item.series, (x) => f(x, b.value)) } };
  const left = (a as { kind: 'series'; item: LabelledSeries }).item.series;
  const right = (b as { kind: 'series'; item: LabelledSeries }).item.series;
  return { kind: 'series', item: { label, series: zipSeries(left, right, f) } };
}

// ---------------------------------------------------------------------------------------------
// Pages: datapoints in scan order (timestamp, then query order), cut at MaxDatapoints
// ---------------------------------------------------------------------------------------------

interface Output {
  id: string;
  label: string;
  /** In scan order. */
  timestamps: number[];
  values: number[];
}

interface Cursor {
  /** Timestamp of the next datapoint to deliver ... */
  t: number;
  /** ... and the index (in the outputs) of the first output still to deliver it. */
  q: number;
}

/** Is datapoint (t, i) at or after the cursor in scan order? */
function atOrAfter(t: number, i: number, cursor: Cursor, descending: boolean): boolean {
  if (t === cursor.t) return i >= cursor.q;
  return descending ? t < cursor.t : t > cursor.t;
}

function paginate(
  outputs: Output[],
  descending: boolean,
  budget: number,
  cursor: Cursor | undefined,
): { slices: [number, number][]; next?: Cursor } {
  const starts = outputs.map((out, i) => {
    if (!cursor) return 0;
    let k = 0;
    while (k < out.timestamps.length && !atOrAfter(out.timestamps[k] as number, i, cursor, descending)) k++;
    return k;
  });
  const remaining = outputs.reduce((n, out, i) => n + out.timestamps.length - (starts[i] as number), 0);
  if (remaining <= budget) return { slices: outputs.map((out, i) => [starts[i] as number, out.timestamps.length]) };
  const heads = [...starts];
  let left = budget;
  for (;;) {
    // The next timestamp in scan order among the outputs' heads.
    let next: number | undefined;
    outputs.forEach((out, i) => {
      const h = heads[i] as number;
      if (h >= out.timestamps.length) return;
      const t = out.timestamps[h] as number;
      if (next === undefined || (descending ? t > next : t < next)) next = t;
    });
    if (next === undefined) break;
    for (let i = 0; i < outputs.length; i++) {
      const out = outputs[i] as Output;
      const h = heads[i] as number;
      if (h >= out.timestamps.length || out.timestamps[h] !== next) continue;
      if (left === 0) return { slices: outputs.map((_, k) => [starts[k] as number, heads[k] as number]), next: { t: next, q: i } };
      heads[i] = h + 1;
      left--;
    }
  }
  return { slices: outputs.map((_, k) => [starts[k] as number, heads[k] as number]) };
}

// ---------------------------------------------------------------------------------------------
// The simulator
// ---------------------------------------------------------------------------------------------

export interface CloudWatchOptions {
  /**
   * The simulated current time, epoch seconds. Default: the real clock while it is within the
   * scenario's anchor date, otherwise the end of the anchor date (so a scenario of a past date has
   * all of that day's data, and none later).
   */
  now?: () => number;
  /** Which account a request acts as (identity.ts). Default: the scenario's first account. */
  accountFor?: AccountResolver;
}

interface CatalogueEntry {
  namespace: string;
  metricName: string;
  dimensions: Dimension[];
  source: Source;
  /** Sort key. */
  key: string;
}

interface ResourceMetrics {
  account: string;
  region: string;
  metrics: MetricSet;
}

interface BucketMetrics extends ResourceMetrics {
  storageBytes: Record<string, number>;
}

function scopeKey(account: string, region: string, id: string): string {
  return `${account}|${region}|${id}`;
}

export class CloudWatchSimulator {
  private readonly instances = new Map<string, ResourceMetrics>();
  private readonly volumes = new Map<string, ResourceMetrics>();
  private readonly databases = new Map<string, ResourceMetrics>();
  private readonly buckets = new Map<string, BucketMetrics>();
  private readonly catalogues = new Map<string, CatalogueEntry[]>();
  private readonly now: () => number;
  readonly accountFor: AccountResolver;

  constructor(
    private readonly resources: ScenarioResources,
    options: CloudWatchOptions = {},
  ) {
    for (const i of resources.instances) this.instances.set(scopeKey(i.account, i.region, i.instanceId), i);
    for (const v of resources.volumes) this.volumes.set(scopeKey(v.account, v.region, v.volumeId), v);
    for (const d of resources.databases) this.databases.set(scopeKey(d.account, d.region, d.dbInstanceIdentifier), d);
    for (const b of resources.buckets) this.buckets.set(scopeKey(b.account, b.region, b.name), b);
    this.accountFor = options.accountFor ?? defaultAccountResolver(resources);
    if (options.now) this.now = options.now;
    else {
      const anchorStart = Date.parse(`${resources.anchorDate}T00:00:00Z`) / 1000;
      const anchorEnd = anchorStart + DAY;
      this.now = () => {
        const real = Date.now() / 1000;
        return real >= anchorStart && real < anchorEnd ? real : anchorEnd;
      };
    }
  }

  /** The simulated current time, epoch seconds. */
  currentTime(): number {
    return this.now();
  }

  // ----- GetMetricData ---------------------------------------------------------------------

  getMetricData(input: JsonObject, scope: RequestScope): GetMetricDataOutput {
    const request = parseGetMetricData(input);
    const now = this.now();
    const descending = request.scanBy === 'TimestampDescending';
    const { nextToken, ...rest } = request;
    // Binds a NextToken to its request; computed only when paginating.
    const requestFingerprint = (): string => fingerprint({ ...rest, account: scope.account, region: scope.region });
    let cursor: Cursor | undefined;
    if (nextToken !== undefined) {
      const payload = decodeToken(nextToken);
      const t = payload?.['t'];
      const q = payload?.['q'];
      if (!payload || payload['h'] !== requestFingerprint() || typeof t !== 'number' || typeof q !== 'number')
        throw new AwsError('InvalidNextToken', 'The service couldn\'t process the NextToken: it is not from a previous call of this request.', 400);
      cursor = { t, q };
    }

    const byId = new Map(request.queries.map((q) => [q.id, q]));
    const computed = new Map<string, MathValue>();
    const inProgress = new Set<string>();
    const hasExpressions = request.queries.some((q) => q.expression !== undefined);
    const parsed = new Map<string, Ast>();
    const problems: string[] = [];
    for (const q of request.queries) {
      if (q.expression === undefined) continue;
      try {
        const ast = parseExpression(q.expression);
        for (const ref of referencesOf(ast)) {
          if (!byId.has(ref)) throw new ExpressionError(`Unrecognized metric or expression Id '${ref}'`);
        }
        parsed.set(q.id, ast);
      } catch (error) {
        if (!(error instanceof ExpressionError)) throw error;
        problems.push(`Error in expression ${q.id} (MetricDataQueries.member.${q.member}.Expression): ${error.message}`);
      }
    }
    if (problems.length > 0) throw validation(problems);

    const labelOf = (q: QuerySpec): string => q.label ?? (q.metricStat ? q.metricStat.metricName : q.id);
    const metricValue = (q: QuerySpec): MathValue => ({
      kind: 'series',
      item: { label: labelOf(q), series: this.statSeries(q, scope, request.startTime, request.endTime, now) },
    });
    const resolve = (id: string): MathValue | undefined => {
      const q = byId.get(id);
      if (!q) return undefined;
      const done = computed.get(id);
      if (done) return done;
      if (inProgress.has(id)) throw new ExpressionError(`circular reference through '${id}'`);
      inProgress.add(id);
      let value: MathValue;
      if (q.metricStat) value = metricValue(q);
      else if (q.expression !== undefined) value = evaluate(parsed.get(id) as Ast, context, labelOf(q));
      else value = { kind: 'series', item: { label: labelOf(q), series: EMPTY } };
      inProgress.delete(id);
      computed.set(id, value);
      return value;
    };
    const context: MathContext = {
      resolve,
      metrics: () =>
        request.queries
          .filter((q) => q.metricStat !== undefined)
          .map((q) => ({ id: q.id, item: (resolve(q.id) as { kind: 'series'; item: LabelledSeries }).item })),
    };

    const outputs: Output[] = [];
    for (const q of request.queries) {
      if (!q.returnData) continue;
      let value: MathValue;
      try {
        value = resolve(q.id) as MathValue;
      } catch (error) {
        if (!(error instanceof ExpressionError)) throw error;
        throw validation([`Error in expression ${q.id} (MetricDataQueries.member.${q.member}.Expression): ${error.message}`]);
      }
      if (value.kind === 'scalar')
        throw validation([
          `Error in expression ${q.id} (MetricDataQueries.member.${q.member}.Expression): the expression must return a time series, not a single number.`,
        ]);
      const items = value.kind === 'series' ? [{ ...value.item, label: labelOf(q) }] : value.items;
      for (const item of items) {
        const { timestamps, values } = item.series;
        outputs.push({
          id: q.id,
          label: item.label,
          timestamps: descending ? [...timestamps].reverse() : timestamps,
          values: descending ? [...values].reverse() : values,
        });
      }
    }

    const { slices, next } = paginate(outputs, descending, request.maxDatapoints, cursor);
    const results: MetricDataResult[] = outputs.map((out, i) => {
      const [from, to] = slices[i] as [number, number];
      return {
        Id: out.id,
        Label: out.label,
        Timestamps: out.timestamps.slice(from, to),
        Values: out.values.slice(from, to),
        StatusCode: to < out.timestamps.length ? 'PartialData' : 'Complete',
      };
    });
    const output: GetMetricDataOutput = { MetricDataResults: results, Messages: [] };
    if (next && !hasExpressions) output.NextToken = encodeToken({ h: requestFingerprint(), t: next.t, q: next.q });
    else if (next)
      output.Messages.push({
        Code: 'MaxDatapointsExceeded',
        Value: `More than ${request.maxDatapoints} datapoints: requests with math expressions are not paginated; narrow the time range or raise the period.`,
      });
    return output;
  }

  /** The datapoints of one MetricStat query (ascending). */
  private statSeries(q: QuerySpec, scope: RequestScope, startTime: number, endTime: number, now: number): Series {
    const stat = q.metricStat as MetricStatSpec;
    if (q.accountId !== undefined && q.accountId !== scope.account) return EMPTY;
    const source = this.resolveSource(scope, stat.namespace, stat.metricName, stat.dimensions);
    if (!source) return EMPTY;
    const unit = METRIC_UNITS[`${stat.namespace}/${stat.metricName}`];
    if (stat.unit !== undefined && unit !== undefined && stat.unit !== unit) return EMPTY;
    const period = stat.period;
    let start = roundStart(startTime, period, now);
    const end = Math.min(endTime, now);
    const oldest = now - retentionFor(period);
    if (start < oldest) start += Math.ceil((oldest - start) / period) * period;
    if (start >= end) return EMPTY;
    const { since, until } = boundsOf(source.profile);
    if (until <= start || since >= end) return EMPTY;
    const points = source.daily
      ? aggregateDaily(source.profile, start, end, period, stat.stat)
      : aggregate(source.profile, start, end, period, stat.stat);
    if (source.scale !== 1 && stat.stat !== 'SampleCount') {
      const scale = source.scale;
      for (let i = 0; i < points.values.length; i++) points.values[i] = (points.values[i] as number) * scale;
    }
    return points;
  }

  /** The series behind (namespace, metric, dimensions) for the request's account and region. */
  private resolveSource(scope: RequestScope, namespace: string, metricName: string, dimensions: Dimension[]): Source | undefined {
    const key = `${namespace}/${metricName}`;
    const daily = DAILY_METRICS.has(key);
    const single = (map: Map<string, ResourceMetrics>, name: string): Source | undefined => {
      if (dimensions.length !== 1 || dimensions[0]?.Name !== name) return undefined;
      const resource = map.get(scopeKey(scope.account, scope.region, dimensions[0].Value));
      const profile = resource?.metrics[key];
      return profile ? { key, profile, scale: 1, daily } : undefined;
    };
    const names = dimensions.map((d) => d.Name);
    if (names.length === 1) {
      switch (names[0]) {
        case 'InstanceId':
          return single(this.instances, 'InstanceId');
        case 'VolumeId':
          return single(this.volumes, 'VolumeId');
        case 'DBInstanceIdentifier':
          return single(this.databases, 'DBInstanceIdentifier');
        default:
          return undefined;
      }
    }
    if (namespace !== 'AWS/S3' || dimensions.length !== 2) return undefined;
    const bucketName = dimensions.find((d) => d.Name === 'BucketName')?.Value;
    const storageType = dimensions.find((d) => d.Name === 'StorageType')?.Value;
    if (bucketName === undefined || storageType === undefined) return undefined;
    const bucket = this.buckets.get(scopeKey(scope.account, scope.region, bucketName));
    if (!bucket) return undefined;
    return s3Source(bucket, metricName, storageType);
  }

  // ----- ListMetrics -----------------------------------------------------------------------

  listMetrics(input: JsonObject, scope: RequestScope): ListMetricsOutput {
    const namespace = optionalString(input['Namespace'], 'Namespace');
    const metricName = optionalString(input['MetricName'], 'MetricName');
    const problems: string[] = [];
    const filters = readDimensions(input['Dimensions'], 'Dimensions', problems, false);
    if (filters.length > 10) problems.push('The collection Dimensions must not have a size greater than 10.');
    const nextToken = optionalString(input['NextToken'], 'NextToken');
    const recentlyActive = optionalString(input['RecentlyActive'], 'RecentlyActive');
    const includeLinked = optionalBoolean(input['IncludeLinkedAccounts'], 'IncludeLinkedAccounts') ?? false;
    const owningAccount = optionalString(input['OwningAccount'], 'OwningAccount');
    if (namespace !== undefined && (namespace.length < 1 || namespace.length > 255 || namespace.startsWith(':')))
      problems.push(`The value ${namespace} for parameter Namespace is not valid.`);
    if (metricName !== undefined && (metricName.length < 1 || metricName.length > 255))
      problems.push(`The value ${metricName} for parameter MetricName is not valid.`);
    if (recentlyActive !== undefined && recentlyActive !== 'PT3H')
      problems.push(
        `1 validation error detected: Value '${recentlyActive}' at 'recentlyActive' failed to satisfy constraint: Member must satisfy enum value set: [PT3H]`,
      );
    if (problems.length > 0) throw validation(problems);

    const now = this.now();
    const activeSince = recentlyActive === 'PT3H' ? now - 3 * HOUR : now - LIST_METRICS_WINDOW;
    const fp = fingerprint({ namespace, metricName, filters, recentlyActive, owningAccount, includeLinked, ...scope });
    let offset = 0;
    if (nextToken !== undefined && nextToken !== '') {
      const payload = decodeToken(nextToken);
      const o = payload?.['o'];
      if (!payload || payload['h'] !== fp || typeof o !== 'number' || !Number.isInteger(o) || o < 0)
        throw new AwsError('InvalidNextToken', 'The service couldn\'t process the NextToken: it is not from a previous call of this request.', 400);
      offset = o;
    }
    const matches =
      owningAccount !== undefined && owningAccount !== scope.account
        ? []
        : this.catalogue(scope).filter((entry) => {
            if (namespace !== undefined && entry.namespace !== namespace) return false;
            if (metricName !== undefined && entry.metricName !== metricName) return false;
            for (const f of filters) {
              const dim = entry.dimensions.find((d) => d.Name === f.Name);
              if (!dim || (f.Value !== '' && dim.Value !== f.Value)) return false;
            }
            return hasDataBetween(entry.source, activeSince, now);
          });
    const page = matches.slice(offset, offset + LIST_METRICS_PAGE_SIZE);
    const output: ListMetricsOutput = {
      Metrics: page.map((e) => ({ Namespace: e.namespace, MetricName: e.metricName, Dimensions: e.dimensions })),
    };
    if (includeLinked) output.OwningAccounts = page.map(() => scope.account);
    if (offset + LIST_METRICS_PAGE_SIZE < matches.length)
      output.NextToken = encodeToken({ h: fp, o: offset + LIST_METRICS_PAGE_SIZE });
    return output;
  }

  /** Every metric of an account and region, sorted (built once per scope). */
  private catalogue(scope: RequestScope): CatalogueEntry[] {
    const cacheKey = `${scope.account}|${scope.region}`;
    const cached = this.catalogues.get(cacheKey);
    if (cached) return cached;
    const entries: CatalogueEntry[] = [];
    const here = (r: { account: string; region: string }): boolean => r.account === scope.account && r.region === scope.region;
    const add = (metrics: MetricSet, dimension: string, value: string): void => {
      for (const [key, profile] of Object.entries(metrics)) {
        const slash = key.lastIndexOf('/');
        if (slash <= 0) continue;
        const namespace = key.slice(0, slash);
        const metricName = key.slice(slash + 1);
        entries.push({
          namespace,
          metricName,
          dimensions: [{ Name: dimension, Value: value }],
          source: { key, profile, scale: 1, daily: DAILY_METRICS.has(key) },
          key: `${namespace}\u0000${metricName}\u0000${value}`,
        });
      }
    };
    for (const i of this.resources.instances) if (here(i)) add(i.metrics, 'InstanceId', i.instanceId);
    for (const v of this.resources.volumes) if (here(v)) add(v.metrics, 'VolumeId', v.volumeId);
    for (const d of this.resources.databases) if (here(d)) add(d.metrics, 'DBInstanceIdentifier', d.dbInstanceIdentifier);
    for (const b of this.resources.buckets) {
      if (!here(b)) continue;
      for (const [metricName, storageType] of s3Series(b)) {
        const source = s3Source(b, metricName, storageType);
        if (!source) continue;
        entries.push({
          namespace: 'AWS/S3',
          metricName,
          dimensions: [
            { Name: 'BucketName', Value: b.name },
            { Name: 'StorageType', Value: storageType },
          ],
          source,
          key: `AWS/S3\u0000${metricName}\u0000${b.name}\u0000${storageType}`,
        });
      }
    }
    entries.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    this.catalogues.set(cacheKey, entries);
    return entries;
  }
}

/** Does the series have a datapoint in [from, to)? (Daily series: a 00:00 UTC in the window.) */
function hasDataBetween(source: Source, from: number, to: number): boolean {
  const { since, until } = boundsOf(source.profile);
  const lo = Math.max(from, since);
  const hi = Math.min(to, until);
  if (hi <= lo) return false;
  if (!source.daily) return true;
  return Math.ceil(lo / DAY) * DAY < hi;
}

/** (MetricName, StorageType) pairs a bucket reports. */
function s3Series(bucket: BucketMetrics): [string, string][] {
  const pairs: [string, string][] = [];
  const types = new Set<string>();
  for (const key of Object.keys(bucket.metrics)) {
    if (key === 'AWS/S3/BucketSizeBytes') {
      for (const [type, bytes] of Object.entries(bucket.storageBytes)) if (bytes > 0) types.add(type);
    } else if (key.startsWith('AWS/S3/BucketSizeBytes/')) {
      types.add(key.slice('AWS/S3/BucketSizeBytes/'.length));
    } else if (key === 'AWS/S3/NumberOfObjects') {
      pairs.push(['NumberOfObjects', 'AllStorageTypes']);
    }
  }
  for (const type of types) pairs.push(['BucketSizeBytes', type]);
  return pairs;
}

function s3Source(bucket: BucketMetrics, metricName: string, storageType: string): Source | undefined {
  if (metricName === 'NumberOfObjects') {
    const profile = storageType === 'AllStorageTypes' ? bucket.metrics['AWS/S3/NumberOfObjects'] : undefined;
    return profile ? { key: 'AWS/S3/NumberOfObjects', profile, scale: 1, daily: true } : undefined;
  }
  if (metricName !== 'BucketSizeBytes') return undefined;
  const own = bucket.metrics[`AWS/S3/BucketSizeBytes/${storageType}`];
  if (own) return { key: 'AWS/S3/BucketSizeBytes', profile: own, scale: 1, daily: true };
  const total = bucket.metrics['AWS/S3/BucketSizeBytes'];
  const bytes = bucket.storageBytes[storageType] ?? 0;
  if (!total || !(bytes > 0)) return undefined;
  const all = Object.values(bucket.storageBytes).reduce((sum, b) => sum + (b > 0 ? b : 0), 0);
  return { key: 'AWS/S3/BucketSizeBytes', profile: total, scale: bytes / all, daily: true };
}

// ---------------------------------------------------------------------------------------------
// Protocol bindings
// ---------------------------------------------------------------------------------------------

function scopeOf(simulator: CloudWatchSimulator, request: IncomingMessage | undefined): RequestScope {
  return requestScope(request, simulator.accountFor);
}

/** awsJson1_0 (query-compatible): what current SDK clients speak. */
export function cloudWatchService(simulator: CloudWatchSimulator): JsonServiceDefinition {
  return {
    targetPrefix: CLOUDWATCH_TARGET_PREFIX,
    signingName: CLOUDWATCH_SIGNING_NAME,
    title: 'Amazon CloudWatch',
    jsonVersion: '1.0',
    queryCompatible: CLOUDWATCH_QUERY_COMPATIBLE,
    operations: {
      GetMetricData: (input, context) => simulator.getMetricData(input, scopeOf(simulator, context.request)),
      ListMetrics: (input, context) => simulator.listMetrics(input, scopeOf(simulator, context.request)),
    },
  };
}

// ----- awsQuery: form parameters in, XML out -------------------------------------------------

function queryNumber(value: string | undefined, name: string, integer: boolean): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || (integer && !Number.isInteger(n)))
    throw invalidValue(`Invalid value '${value}' for parameter ${name}: expected ${integer ? 'an integer' : 'a number'}.`);
  return n;
}

function queryBoolean(value: string | undefined, name: string): boolean | undefined {
  if (value === undefined) return undefined;
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw invalidValue(`Invalid value '${value}' for parameter ${name}: expected true or false.`);
}

function queryDimensions(input: QueryInput): Dimension[] | undefined {
  if (!input.mentions('Dimensions')) return undefined;
  return input.members('Dimensions.member').map((d) => ({ Name: d.string('Name') ?? '', Value: d.string('Value') ?? '' }));
}

function withoutUndefined(record: Record<string, unknown>): JsonObject {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined));
}

/** GetMetricData's form parameters in the JSON shape the handler reads. */
function getMetricDataFromQuery(input: QueryInput): JsonObject {
  const queries = input.mentions('MetricDataQueries')
    ? input.members('MetricDataQueries.member').map((q, i) => {
        const path = `MetricDataQueries.member.${i + 1}`;
        const hasStat = q.names().some((n) => n.startsWith('MetricStat.'));
        const dims = q.members('MetricStat.Metric.Dimensions.member');
        const metricStat = hasStat
          ? withoutUndefined({
              Metric: withoutUndefined({
                Namespace: q.string('MetricStat.Metric.Namespace'),
                MetricName: q.string('MetricStat.Metric.MetricName'),
                Dimensions: dims.map((d) => withoutUndefined({ Name: d.string('Name'), Value: d.string('Value') })),
              }),
              Period: queryNumber(q.string('MetricStat.Period'), `${path}.MetricStat.Period`, true),
              Stat: q.string('MetricStat.Stat'),
              Unit: q.string('MetricStat.Unit'),
            })
          : undefined;
        return withoutUndefined({
          Id: q.string('Id'),
          MetricStat: metricStat,
          Expression: q.string('Expression'),
          Label: q.string('Label'),
          ReturnData: queryBoolean(q.string('ReturnData'), `${path}.ReturnData`),
          Period: queryNumber(q.string('Period'), `${path}.Period`, true),
          AccountId: q.string('AccountId'),
        });
      })
    : undefined;
  return withoutUndefined({
    MetricDataQueries: queries,
    StartTime: input.string('StartTime'),
    EndTime: input.string('EndTime'),
    NextToken: input.string('NextToken'),
    ScanBy: input.string('ScanBy'),
    MaxDatapoints: queryNumber(input.string('MaxDatapoints'), 'MaxDatapoints', true),
  });
}

function listMetricsFromQuery(input: QueryInput): JsonObject {
  return withoutUndefined({
    Namespace: input.string('Namespace'),
    MetricName: input.string('MetricName'),
    Dimensions: queryDimensions(input),
    NextToken: input.string('NextToken'),
    RecentlyActive: input.string('RecentlyActive'),
    IncludeLinkedAccounts: queryBoolean(input.string('IncludeLinkedAccounts'), 'IncludeLinkedAccounts'),
    OwningAccount: input.string('OwningAccount'),
  });
}

function messagesXml(messages: MessageData[] | undefined): XmlNode | '' {
  return xmlList(messages ?? [], 'member', (m) => ({ Code: m.Code, Value: m.Value }));
}

export function getMetricDataXml(output: GetMetricDataOutput): XmlNode {
  return {
    MetricDataResults: xmlList(output.MetricDataResults, 'member', (r) => ({
      Id: r.Id,
      Label: r.Label,
      Timestamps: xmlList(r.Timestamps, 'member', (t) => xmlTimestamp(new Date(t * 1000))),
      Values: xmlList(r.Values, 'member', (v) => v),
      StatusCode: r.StatusCode,
      Messages: messagesXml(r.Messages),
    })),
    NextToken: output.NextToken,
    Messages: messagesXml(output.Messages),
  };
}

export function listMetricsXml(output: ListMetricsOutput): XmlNode {
  return {
    Metrics: xmlList(output.Metrics, 'member', (m) => ({
      Namespace: m.Namespace,
      MetricName: m.MetricName,
      Dimensions: xmlList(m.Dimensions, 'member', (d) => ({ Name: d.Name, Value: d.Value })),
    })),
    NextToken: output.NextToken,
    OwningAccounts: output.OwningAccounts ? xmlList(output.OwningAccounts, 'member', (a) => a) : undefined,
  };
}

/** awsQuery (Action=...&Version=2010-08-01, XML): what SDK clients up to 3.948 and older tools speak. */
export function cloudWatchQueryService(simulator: CloudWatchSimulator): QueryServiceDefinition {
  return {
    flavor: 'awsQuery',
    signingName: CLOUDWATCH_SIGNING_NAME,
    title: 'Amazon CloudWatch',
    serviceName: 'GraniteServiceVersion20100801',
    version: CLOUDWATCH_API_VERSION,
    xmlNamespace: CLOUDWATCH_XML_NAMESPACE,
    operations: {
      GetMetricData: (input, context) =>
        getMetricDataXml(simulator.getMetricData(getMetricDataFromQuery(input), { account: context.account, region: context.region })),
      ListMetrics: (input, context) =>
        listMetricsXml(simulator.listMetrics(listMetricsFromQuery(input), { account: context.account, region: context.region })),
    },
  };
}

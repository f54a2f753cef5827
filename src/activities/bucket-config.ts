/**
 * Bucket configuration from AWS Config's advanced query. S3 has no batch API for a bucket's versioning
 * and lifecycle rules: reading them from S3 costs two calls per bucket. Where AWS Config records S3
 * buckets (most organisations that care about their bill do), one SelectResourceConfig call returns
 * both for 100 buckets of an account and Region, and advanced queries cost nothing.
 *
 * What Config returns is the configuration as last recorded, usually minutes behind S3. Buckets
 * Config has not recorded (recorder off in their Region, created since the last recording) are not
 * in the answer; the caller reads those from S3 itself.
 */
import { SelectResourceConfigCommand } from '@aws-sdk/client-config-service';
import type { LifecycleRule } from '@aws-sdk/client-s3';
import { lifecycleScope, type LifecycleFilterParts, type LifecycleRuleFacts } from '../domain/checks/s3';
import { countRequest, type AwsUsage } from '../domain/usage';
import type { AwsClientFactory, AwsTarget } from './aws-clients';
import { collectPages } from './paging';

/** A bucket's lifecycle rules as the S3 checks read them. */
export type LifecycleRuleSummary = LifecycleRuleFacts;

export interface RecordedBucketConfig {
  name: string;
  /** 'Enabled' or 'Suspended'; undefined when versioning was never enabled (as S3's own API answers). */
  versioning?: string;
  lifecycleRules: LifecycleRuleSummary[];
}

/** Advanced queries return at most 100 results a page. */
export const CONFIG_PAGE_LIMIT = 100;

export const BUCKET_CONFIG_QUERY =
  'SELECT resourceName, supplementaryConfiguration.BucketVersioningConfiguration, ' +
  "supplementaryConfiguration.BucketLifecycleConfiguration WHERE resourceType = 'AWS::S3::Bucket'";

const ACTION = 'config:SelectResourceConfig';

type Json = Record<string, unknown>;

const object = (value: unknown): Json | undefined =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : undefined;

/** Config records the Java SDK's shape, where -1 (or null) means "not set"; S3 never allows 0 days. */
const days = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined;

/** S3's rule filter (or the deprecated rule-level prefix) as the parts lifecycleScope describes. */
export function s3FilterParts(rule: LifecycleRule): LifecycleFilterParts {
  const filter = rule.Filter;
  const and = filter?.And;
  const tags: Record<string, string> = {};
  for (const tag of [...(filter?.Tag ? [filter.Tag] : []), ...(and?.Tags ?? [])])
    if (tag.Key !== undefined) tags[tag.Key] = tag.Value ?? '';
  const prefix = filter?.Prefix || and?.Prefix || rule.Prefix;
  const greater = filter?.ObjectSizeGreaterThan ?? and?.ObjectSizeGreaterThan;
  const less = filter?.ObjectSizeLessThan ?? and?.ObjectSizeLessThan;
  return {
    ...(prefix ? { prefix } : {}),
    ...(Object.keys(tags).length > 0 ? { tags } : {}),
    ...(greater !== undefined ? { objectSizeGreaterThan: greater } : {}),
    ...(less !== undefined ? { objectSizeLessThan: less } : {}),
  };
}

/**
 * Config records a rule's filter as a predicate tree (the Java SDK's LifecycleFilter): a prefix, a tag, an
 * object size, or an "and" of those. Older recordings carry only the deprecated rule-level prefix.
 */
export function configFilterParts(rule: Json): LifecycleFilterParts {
  const parts: LifecycleFilterParts = {};
  const add = (predicate: Json | undefined) => {
    if (!predicate) return;
    if (typeof predicate.prefix === 'string' && predicate.prefix) parts.prefix = predicate.prefix;
    const tag = object(predicate.tag);
    if (tag && typeof tag.key === 'string')
      parts.tags = { ...parts.tags, [tag.key]: typeof tag.value === 'string' ? tag.value : '' };
    if (typeof predicate.objectSizeGreaterThan === 'number') parts.objectSizeGreaterThan = predicate.objectSizeGreaterThan;
    if (typeof predicate.objectSizeLessThan === 'number') parts.objectSizeLessThan = predicate.objectSizeLessThan;
    if (Array.isArray(predicate.operands)) for (const operand of predicate.operands) add(object(operand));
  };
  add(object(object(rule.filter)?.predicate));
  if (typeof rule.prefix === 'string' && rule.prefix && !parts.prefix) parts.prefix = rule.prefix;
  return parts;
}

function lifecycleRule(value: unknown): LifecycleRuleSummary | undefined {
  const rule = object(value);
  if (!rule) return undefined;
  const id = typeof rule.id === 'string' && rule.id ? rule.id : undefined;
  const expiration = days(rule.expirationInDays);
  // Older recordings carry noncurrentVersionExpirationInDays; newer ones may nest it.
  const noncurrent = days(rule.noncurrentVersionExpirationInDays) ?? days(object(rule.noncurrentVersionExpiration)?.days);
  const abort = days(object(rule.abortIncompleteMultipartUpload)?.daysAfterInitiation);
  const scope = lifecycleScope(configFilterParts(rule));
  return {
    ...(id ? { id } : {}),
    enabled: rule.status === 'Enabled',
    ...(scope ? { scope } : {}),
    hasTransition: Array.isArray(rule.transitions) && rule.transitions.length > 0,
    ...(expiration !== undefined ? { expirationDays: expiration } : {}),
    ...(noncurrent !== undefined ? { noncurrentExpirationDays: noncurrent } : {}),
    ...(abort !== undefined ? { abortIncompleteMultipartDays: abort } : {}),
  };
}

/**
 * One Results entry of BUCKET_CONFIG_QUERY (a JSON string) → the bucket's configuration, or undefined
 * when the entry is not a bucket we can read.
 */
export function parseBucketConfigResult(result: string): RecordedBucketConfig | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(result);
  } catch {
    return undefined;
  }
  const item = object(parsed);
  const name = item?.resourceName;
  if (typeof name !== 'string' || !name) return undefined;
  const supplementary = object(item?.supplementaryConfiguration);
  const status = object(supplementary?.BucketVersioningConfiguration)?.status;
  const rules = object(supplementary?.BucketLifecycleConfiguration)?.rules;
  return {
    name,
    // Config says "Off" for a bucket whose versioning was never enabled; S3 omits the status.
    ...(status === 'Enabled' || status === 'Suspended' ? { versioning: status } : {}),
    lifecycleRules: Array.isArray(rules) ? rules.flatMap((r) => lifecycleRule(r) ?? []) : [],
  };
}

/**
 * Every S3 bucket AWS Config has recorded in one account and Region, with its versioning and lifecycle
 * rules. AWS errors are thrown as toActivityFailure makes them (access denied is non-retryable).
 */
export async function readRecordedBucketConfigs(
  clients: AwsClientFactory,
  target: AwsTarget,
  usage: AwsUsage,
): Promise<Map<string, RecordedBucketConfig>> {
  const config = clients.config(target);
  const { value, requests } = await collectPages({
    listing: `${ACTION}:s3-buckets/${target.account}/${target.region}`,
    action: ACTION,
    initial: [] as RecordedBucketConfig[],
    fetchPage: (NextToken, abortSignal) =>
      config.send(
        new SelectResourceConfigCommand({
          Expression: BUCKET_CONFIG_QUERY,
          Limit: CONFIG_PAGE_LIMIT,
          ...(NextToken ? { NextToken } : {}),
        }),
        { abortSignal },
      ),
    fold: (all, page) => {
      for (const result of page.Results ?? []) {
        const bucket = parseBucketConfigResult(result);
        if (bucket) all.push(bucket);
      }
      return all;
    },
    nextToken: (page) => page.NextToken,
  });
  countRequest(usage, ACTION, requests);
  return new Map(value.map((b) => [b.name, b]));
}

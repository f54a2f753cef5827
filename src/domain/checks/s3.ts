/**
 * S3 checks: what a bucket's configuration, storage metrics and prices say it wastes.
 *
 * Checks (names as in the simulator's ground truth, plus two of our own):
 * - s3-no-lifecycle — no Enabled lifecycle rule (Trusted Advisor c18d2gz100, Thrifty). Action: a rule
 *   moving objects to STANDARD_IA after 30 days (and aborting incomplete uploads). Savings: current
 *   STANDARD bytes (noncurrent versions and incomplete uploads excluded: they have checks of their own)
 *   × (STANDARD − STANDARD_IA) per GiB-month. Evidence carries the one-time transition charge (one
 *   lifecycle request per object) and the months it takes to earn back, and — when access metrics are
 *   known — the monthly retrieval charge that IA would add.
 * - s3-versioned-no-noncurrent-expiration — versioning Enabled and no Enabled rule expiring noncurrent
 *   versions (c18d2gz171). Savings: noncurrent bytes × STANDARD price.
 * - s3-no-abort-multipart — no Enabled rule aborting incomplete multipart uploads (c1cj39rr6v).
 *   Savings: incomplete-upload bytes × STANDARD price.
 * - s3-storage-class — a large STANDARD bucket that has lifecycle rules but none that transitions,
 *   read rarely: STANDARD_IA when the bytes read per month are a small share of the bytes stored and
 *   the change pays back its transition charge within `maxBreakEvenMonths`; otherwise
 *   Intelligent-Tiering (no retrieval fees; a monitoring fee per object) when access is unknown.
 * - s3-empty-bucket — no objects for `emptyMinAgeDays` or more: delete it (no dollars, less clutter
 *   and attack surface). Savings "0".
 *
 * Byte sources: STANDARD bytes and object counts are CloudWatch's daily AWS/S3 BucketSizeBytes
 * (StorageType StandardStorage) and NumberOfObjects. CloudWatch's S3 metrics do not separate noncurrent
 * versions or incomplete multipart uploads (BucketSizeBytes includes both), so those come from S3
 * Storage Lens, published to CloudWatch (namespace AWS/S3/Storage-Lens: NonCurrentVersionStorageBytes,
 * IncompleteMultipartUploadStorageBytes, and the activity metrics GetRequests and BytesDownloaded).
 * When Storage Lens is not publishing, those bytes are unknown: the findings are still made (the
 * configuration is the problem) with savings "0", low confidence, and a note saying what to enable.
 */
import Big from 'big.js';
import { findingId, type Confidence, type Finding } from '../findings';

export const GIB = 2 ** 30;

export interface LifecycleRuleFacts {
  id?: string;
  enabled: boolean;
  /**
   * The objects a filtered rule applies to, e.g. `prefix "logs/"` (see lifecycleScope); absent when the rule
   * applies to the whole bucket. A rule for one prefix does not stop old versions or parts piling up elsewhere.
   */
  scope?: string;
  hasTransition: boolean;
  expirationDays?: number;
  noncurrentExpirationDays?: number;
  abortIncompleteMultipartDays?: number;
}

/** A lifecycle rule's filter, as both readers (S3 and AWS Config) find it. */
export interface LifecycleFilterParts {
  prefix?: string;
  tags?: Record<string, string>;
  objectSizeGreaterThan?: number;
  objectSizeLessThan?: number;
}

/**
 * What a filtered rule covers, in words, or undefined when it covers the whole bucket (no filter, or an
 * empty prefix and nothing else — S3's way of saying "all objects").
 */
export function lifecycleScope(filter: LifecycleFilterParts): string | undefined {
  const parts: string[] = [];
  if (filter.prefix) parts.push(`prefix "${filter.prefix}"`);
  for (const [key, value] of Object.entries(filter.tags ?? {}).sort(([a], [b]) => a.localeCompare(b)))
    parts.push(`tag ${key}=${value}`);
  if (filter.objectSizeGreaterThan !== undefined && filter.objectSizeGreaterThan > 0)
    parts.push(`objects over ${filter.objectSizeGreaterThan} bytes`);
  if (filter.objectSizeLessThan !== undefined) parts.push(`objects under ${filter.objectSizeLessThan} bytes`);
  return parts.length > 0 ? parts.join(' and ') : undefined;
}

/** What the storage agent knows about one bucket. */
export interface BucketFacts {
  account: string;
  region: string;
  name: string;
  creationDate?: string;
  versioning?: string;
  lifecycleRules: LifecycleRuleFacts[];
  /** Where versioning and lifecycle were read: AWS Config's recorded configuration, or S3 itself. */
  configSource?: 'aws-config' | 's3';
  /** Untrusted text. */
  tags: Record<string, string>;
  /** Latest daily BucketSizeBytes for StandardStorage; undefined when CloudWatch had no datapoint. */
  standardBytes?: number;
  /** Latest daily NumberOfObjects (all storage types). */
  objectCount?: number;
  /** From Storage Lens; undefined = unknown. */
  noncurrentBytes?: number;
  incompleteMultipartBytes?: number;
  /** Storage Lens activity over the last 30 days; undefined = unknown. */
  getRequests30d?: number;
  bytesDownloaded30d?: number;
}

/** USD prices for one region, as decimal strings. */
export interface S3Prices {
  /** Per GB-month (AWS's GB is 2^30 bytes). */
  standard: string;
  standardIa: string;
  /** Intelligent-Tiering's Infrequent Access tier, per GB-month. */
  intelligentTieringIa: string;
  /** Lifecycle transition requests into STANDARD_IA, per 1,000 requests. */
  transitionToIaPer1000: string;
  /** STANDARD_IA retrieval, per GB. */
  iaRetrievalPerGb: string;
  /** Intelligent-Tiering monitoring and automation, per 1,000 objects a month. */
  intelligentTieringMonitoringPer1000: string;
  /** Where the storage prices came from. */
  source: string;
}

/**
 * AWS list prices (us-east-1) for what the Pricing API lookup does not cover: lifecycle transitions,
 * retrievals and monitoring. Documented at aws.amazon.com/s3/pricing; used when no better price is known.
 */
export const S3_LIST_PRICES = {
  transitionToIaPer1000: '0.01',
  iaRetrievalPerGb: '0.01',
  intelligentTieringMonitoringPer1000: '0.0025',
  intelligentTieringIaRatio: '0.5435', // IT Infrequent Access tier (0.0125) / STANDARD (0.023)
} as const;

export interface S3Thresholds {
  /** Days after which the suggested rule moves objects to STANDARD_IA. */
  transitionDays: number;
  noncurrentExpirationDays: number;
  abortMultipartDays: number;
  /** Storage-class check: only buckets with at least this much STANDARD data. */
  storageClassMinGiB: number;
  /** Storage-class check: bytes read in 30 days at most this share of bytes stored, for STANDARD_IA. */
  maxMonthlyReadRatio: number;
  /** Storage-class check: the transition charge must be earned back within this many months. */
  maxBreakEvenMonths: number;
  /** Empty-bucket check: only buckets at least this old. */
  emptyMinAgeDays: number;
}

export const DEFAULT_S3_THRESHOLDS: S3Thresholds = {
  transitionDays: 30,
  noncurrentExpirationDays: 30,
  abortMultipartDays: 7,
  storageClassMinGiB: 1024,
  maxMonthlyReadRatio: 0.2,
  maxBreakEvenMonths: 6,
  emptyMinAgeDays: 30,
};

const money = (value: Big): string => value.round(6, Big.roundHalfUp).toString();
const gib = (bytes: number): Big => new Big(bytes).div(GIB);
/** A dollar figure as an evidence number, to the cent. */
const usdOf = (value: Big): number => Number(value.round(2, Big.roundHalfEven).toFixed(2));
const shortGib = (bytes: number): number => Math.round((bytes / GIB) * 10) / 10;

function base(bucket: BucketFacts, check: string) {
  const resource = { account: bucket.account, region: bucket.region, id: bucket.name };
  return {
    id: findingId(check, resource),
    check,
    agent: 's3' as const,
    sources: ['s3'],
    resource: { ...resource, name: bucket.name, type: 'S3 bucket', tags: bucket.tags },
    consoleUrl: `https://s3.console.aws.amazon.com/s3/buckets/${encodeURIComponent(bucket.name)}?region=${bucket.region}&tab=management`,
  };
}

/** A lifecycle configuration JSON for `aws s3api put-bucket-lifecycle-configuration`, one rule. */
function lifecycleCommand(bucket: BucketFacts, rule: Record<string, unknown>): string {
  const config = JSON.stringify({ Rules: [{ ID: 'finops-recommended', Status: 'Enabled', Filter: {}, ...rule }] });
  return `aws s3api put-bucket-lifecycle-configuration --bucket ${bucket.name} --region ${bucket.region} --lifecycle-configuration '${config}'`;
}

/** The rule our recommendations add, complete for a bucket that has none. */
function recommendedRule(bucket: BucketFacts, t: S3Thresholds): Record<string, unknown> {
  return {
    Transitions: [{ Days: t.transitionDays, StorageClass: 'STANDARD_IA' }],
    AbortIncompleteMultipartUpload: { DaysAfterInitiation: t.abortMultipartDays },
    ...(bucket.versioning === 'Enabled' ? { NoncurrentVersionExpiration: { NoncurrentDays: t.noncurrentExpirationDays } } : {}),
  };
}

const MERGE_NOTE =
  'put-bucket-lifecycle-configuration replaces the whole configuration: read it with get-bucket-lifecycle-configuration and add this rule to the existing ones.';

const CONFIG_SOURCE = {
  'aws-config': 'AWS Config (the configuration as last recorded)',
  s3: 'S3',
} as const;

export function checkBucket(
  bucket: BucketFacts,
  prices: S3Prices | undefined,
  t: S3Thresholds = DEFAULT_S3_THRESHOLDS,
  now?: string,
): Finding[] {
  const out: Finding[] = [];
  const enabled = bucket.lifecycleRules.filter((r) => r.enabled);
  const hasRules = enabled.length > 0;
  // Expiring old versions and aborting uploads only protect the bucket when a rule covers all of it.
  const bucketWide = enabled.filter((r) => r.scope === undefined);
  const scopesWith = (has: (rule: LifecycleRuleFacts) => boolean) =>
    enabled.filter((r) => r.scope !== undefined && has(r)).map((r) => r.scope!);
  const lensKnown = bucket.noncurrentBytes !== undefined && bucket.incompleteMultipartBytes !== undefined;
  const standard = bucket.standardBytes ?? 0;
  const noncurrent = bucket.noncurrentBytes ?? 0;
  const incomplete = bucket.incompleteMultipartBytes ?? 0;
  const transitionable = Math.max(0, standard - noncurrent - incomplete);
  const objects = bucket.objectCount;
  const std = prices ? new Big(prices.standard) : undefined;
  const priceNote = prices ? { priceSource: prices.source } : { priceSource: 'unknown' };

  if (!hasRules) {
    const perGib = prices ? new Big(prices.standard).minus(prices.standardIa) : undefined;
    const savings = perGib ? gib(transitionable).times(perGib) : new Big(0);
    const transitionCharge =
      prices && objects !== undefined ? new Big(objects).div(1000).times(prices.transitionToIaPer1000) : undefined;
    const retrieval =
      prices && bucket.bytesDownloaded30d !== undefined
        ? gib(bucket.bytesDownloaded30d).times(prices.iaRetrievalPerGb)
        : undefined;
    const net = retrieval ? savings.minus(retrieval) : savings;
    const breakEven = transitionCharge && net.gt(0) ? Number(transitionCharge.div(net).round(1).toString()) : undefined;
    const evidence: Finding['evidence'] = {
      enabledLifecycleRules: 0,
      standardGiB: shortGib(standard),
      transitionableGiB: shortGib(transitionable),
      ...(objects !== undefined ? { objects } : {}),
      ...(transitionCharge ? { oneTimeTransitionChargeUsd: usdOf(transitionCharge) } : {}),
      ...(retrieval ? { monthlyRetrievalChargeUsd: usdOf(retrieval) } : {}),
      ...(breakEven !== undefined ? { breakEvenMonths: breakEven } : {}),
      storageLens: lensKnown,
      ...priceNote,
    };
    const confidence: Confidence =
      !prices || bucket.standardBytes === undefined ? 'low' : retrieval && net.lte(0) ? 'low' : 'medium';
    out.push({
      ...base(bucket, 's3-no-lifecycle'),
      title: `Bucket ${bucket.name} has no lifecycle rules`,
      evidence,
      action: 'add-lifecycle-rule',
      recommendation:
        `Add a lifecycle rule moving objects to STANDARD_IA after ${t.transitionDays} days` +
        ` (${shortGib(transitionable)} GiB in STANDARD)` +
        (breakEven !== undefined ? `; the one-time transition charge is earned back in ${breakEven} month(s)` : '') +
        (retrieval ? `; expected retrievals cost ${money(retrieval)} USD a month` : '') +
        '.',
      monthlySavings: money(savings),
      confidence,
      cliCommand: lifecycleCommand(bucket, recommendedRule(bucket, t)),
    });
  }

  const expiresNoncurrent = (r: LifecycleRuleFacts) => r.noncurrentExpirationDays !== undefined;
  if (bucket.versioning === 'Enabled' && !bucketWide.some(expiresNoncurrent)) {
    const known = bucket.noncurrentBytes !== undefined;
    // Storage Lens sizes old versions per bucket, not per prefix: with a rule for part of the bucket, some of
    // them already expire and the figure is an upper bound.
    const partly = scopesWith(expiresNoncurrent);
    const savings = known && std ? gib(noncurrent).times(std) : new Big(0);
    out.push({
      ...base(bucket, 's3-versioned-no-noncurrent-expiration'),
      title: `Versioned bucket ${bucket.name} keeps noncurrent versions forever`,
      evidence: {
        versioning: 'Enabled',
        ...(known ? { noncurrentGiB: shortGib(noncurrent) } : {}),
        ...(partly.length > 0 ? { coveredOnlyFor: partly.join('; ') } : {}),
        storageLens: known,
        ...priceNote,
      },
      action: 'add-lifecycle-rule',
      recommendation:
        `Expire noncurrent versions after ${t.noncurrentExpirationDays} days` +
        (partly.length > 0 ? ` for the whole bucket (a rule covers only ${partly.join('; ')})` : '') +
        (known
          ? ` (${shortGib(noncurrent)} GiB of old versions${partly.length > 0 ? ' in the whole bucket, an upper bound' : ''}).`
          : ' (enable S3 Storage Lens CloudWatch publishing to size them).') +
        (hasRules ? ` ${MERGE_NOTE}` : ''),
      monthlySavings: money(savings),
      confidence: known && std && partly.length === 0 ? 'high' : 'low',
      ...(hasRules ? {} : { cliCommand: lifecycleCommand(bucket, recommendedRule(bucket, t)) }),
    });
  }

  const abortsUploads = (r: LifecycleRuleFacts) => r.abortIncompleteMultipartDays !== undefined;
  if (!bucketWide.some(abortsUploads)) {
    const known = bucket.incompleteMultipartBytes !== undefined;
    const partly = scopesWith(abortsUploads);
    const savings = known && std ? gib(incomplete).times(std) : new Big(0);
    out.push({
      ...base(bucket, 's3-no-abort-multipart'),
      title: `Bucket ${bucket.name} never aborts incomplete multipart uploads`,
      evidence: {
        ...(known ? { incompleteMultipartGiB: shortGib(incomplete) } : {}),
        ...(partly.length > 0 ? { coveredOnlyFor: partly.join('; ') } : {}),
        storageLens: known,
        ...priceNote,
      },
      action: 'add-lifecycle-rule',
      recommendation:
        `Abort incomplete multipart uploads after ${t.abortMultipartDays} days` +
        (partly.length > 0 ? ` for the whole bucket (a rule covers only ${partly.join('; ')})` : '') +
        (known
          ? ` (${shortGib(incomplete)} GiB of parts are billed now${partly.length > 0 ? ' in the whole bucket, an upper bound' : ''}).`
          : '.') +
        (hasRules ? ` ${MERGE_NOTE}` : ''),
      monthlySavings: money(savings),
      confidence: known && std && partly.length === 0 ? 'high' : 'low',
      ...(hasRules ? {} : { cliCommand: lifecycleCommand(bucket, recommendedRule(bucket, t)) }),
    });
  }

  if (hasRules && !enabled.some((r) => r.hasTransition) && prices && standard / GIB >= t.storageClassMinGiB) {
    const finding = storageClassFinding(bucket, prices, t, transitionable);
    if (finding) out.push(finding);
  }

  if (objects === 0 && bucket.creationDate && now && ageDays(bucket.creationDate, now) >= t.emptyMinAgeDays) {
    out.push({
      ...base(bucket, 's3-empty-bucket'),
      title: `Bucket ${bucket.name} is empty`,
      evidence: { objects: 0, ageDays: ageDays(bucket.creationDate, now) },
      action: 'delete',
      recommendation: 'Delete the empty bucket if nothing writes to it (check its policy and any notifications first).',
      monthlySavings: '0',
      confidence: 'medium',
      cliCommand: `aws s3api delete-bucket --bucket ${bucket.name} --region ${bucket.region}`,
    });
  }
  // Say where the configuration behind a finding was read: AWS Config's view can be minutes old.
  const from = bucket.configSource ? CONFIG_SOURCE[bucket.configSource] : undefined;
  if (!from) return out;
  return out.map((f) => (f.check === 's3-empty-bucket' ? f : { ...f, evidence: { ...f.evidence, configurationFrom: from } }));
}

function ageDays(from: string, now: string): number {
  return Math.floor((Date.parse(now) - Date.parse(from)) / 86_400_000);
}

/**
 * STANDARD_IA when reads are known and rare enough to pay back; Intelligent-Tiering when access is
 * unknown (it charges no retrievals, so it cannot lose more than its monitoring fee).
 */
function storageClassFinding(bucket: BucketFacts, prices: S3Prices, t: S3Thresholds, bytes: number): Finding | undefined {
  const objects = bucket.objectCount ?? 0;
  const stored = gib(bytes);
  const std = new Big(prices.standard);
  if (bucket.bytesDownloaded30d !== undefined) {
    const read = gib(bucket.bytesDownloaded30d);
    const ratio = stored.gt(0) ? Number(read.div(stored).toString()) : 0;
    const storage = stored.times(std.minus(prices.standardIa));
    const retrieval = read.times(prices.iaRetrievalPerGb);
    const net = storage.minus(retrieval);
    const transition = new Big(objects).div(1000).times(prices.transitionToIaPer1000);
    if (ratio > t.maxMonthlyReadRatio || net.lte(0)) return undefined;
    const breakEven = Number(transition.div(net).round(1).toString());
    if (breakEven > t.maxBreakEvenMonths) return undefined;
    return {
      ...base(bucket, 's3-storage-class'),
      title: `Rarely read STANDARD data in ${bucket.name} suits STANDARD_IA`,
      evidence: {
        standardGiB: shortGib(bytes),
        readGiB30d: shortGib(bucket.bytesDownloaded30d),
        monthlyReadRatio: Math.round(ratio * 1000) / 1000,
        storageMonthlySavingsUsd: usdOf(storage),
        monthlyRetrievalChargeUsd: usdOf(retrieval),
        oneTimeTransitionChargeUsd: usdOf(transition),
        breakEvenMonths: breakEven,
        priceSource: prices.source,
      },
      action: 'change-storage-class',
      recommendation: `Add a transition to STANDARD_IA after ${t.transitionDays} days: storage saves ${money(storage)} USD a month, retrievals cost ${money(retrieval)}, and the transition charge of ${money(transition)} is earned back in ${breakEven} month(s). ${MERGE_NOTE}`,
      monthlySavings: money(net),
      confidence: 'medium',
    };
  }
  // Access unknown: Intelligent-Tiering moves objects idle for 30 days to its IA tier by itself.
  const itIa = new Big(prices.intelligentTieringIa);
  const monitoring = new Big(objects).div(1000).times(prices.intelligentTieringMonitoringPer1000);
  // Without access data, assume half the bytes go cold (a conservative middle); the report says so.
  const coldShare = new Big('0.5');
  const net = stored.times(coldShare).times(std.minus(itIa)).minus(monitoring);
  if (net.lte(0)) return undefined;
  return {
    ...base(bucket, 's3-storage-class'),
    title: `Large STANDARD bucket ${bucket.name} without transitions: Intelligent-Tiering`,
    evidence: {
      standardGiB: shortGib(bytes),
      objects,
      assumedColdShare: 0.5,
      monthlyMonitoringFeeUsd: usdOf(monitoring),
      accessMetrics: false,
      priceSource: prices.source,
    },
    action: 'change-storage-class',
    recommendation: `Transition objects to INTELLIGENT_TIERING (no retrieval charges; ${money(monitoring)} USD a month of monitoring). Savings assume half the data goes unread for 30 days; enable Storage Lens activity metrics for a measured figure. ${MERGE_NOTE}`,
    monthlySavings: money(net),
    confidence: 'low',
  };
}

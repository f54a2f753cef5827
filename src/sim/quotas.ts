/**
 * Request quotas for the sample account, enforced like AWS enforces its API rate limits: token
 * buckets per account and region (or per account for global services), refilled continuously.
 * A request that finds its bucket empty is answered with the service's own throttling error
 * (`THROTTLING_ERRORS`) before it reaches the handler — and before injected faults — and is counted
 * as throttled.
 *
 * Quotas are off by default. Turn them on at start-up (`SimulatorOptions.quotas`) or at run time
 * (`PUT /__sim/quotas`), either with the preset `aws` (the published or commonly quoted limits,
 * `AWS_QUOTA_PRESET`), with your own rules, or both (your rules first: the first rule matching an
 * operation applies):
 *
 *   {"preset": "aws"}
 *   {"preset": "aws", "rules": [{"operation": "monitoring:GetMetricData", "ratePerSecond": 5}]}
 *   {"rules": [{"operation": "ec2:Describe*", "ratePerSecond": 20, "burst": 100}]}
 *   {"enabled": false}
 *
 * Time comes from an injected clock (milliseconds), so tests are deterministic.
 */
import { z } from 'zod';
import { AwsError } from './errors';

export interface QuotaRule {
  /**
   * Which operations the rule covers, by stats key: 'monitoring:GetMetricData', 'ec2:Describe*'
   * (a trailing * matches any operation name with that prefix), 'ce:*', or '*'.
   */
  operation: string;
  /** Sustained rate: tokens added to the bucket per second. */
  ratePerSecond: number;
  /** Bucket capacity, i.e. the largest burst; default one second's worth (ratePerSecond, at least 1). */
  burst?: number;
  /**
   * Bucket scope: 'account-region' (default; most AWS APIs), 'account' (global services such as
   * Cost Explorer) or 'global' (one bucket for everyone).
   */
  per?: QuotaScope;
  /**
   * true: one bucket for every operation the rule matches (RDS's account-wide API limit, Cost
   * Explorer); false (default): a bucket per operation (EC2's per-API buckets).
   */
  shared?: boolean;
  /** Error code to answer with; default the service's throttling error (THROTTLING_ERRORS). */
  error?: string;
  /**
   * 'unfiltered-unpaginated': the rule applies only to requests with no filters, no IDs and no
   * MaxResults/NextToken (EC2 gives those their own, smaller buckets).
   */
  requests?: 'unfiltered-unpaginated';
  /** Free text: where the number comes from. */
  note?: string;
}

export type QuotaScope = 'account-region' | 'account' | 'global';

export type QuotaPreset = 'aws';

/** Quota configuration as accepted at start-up and by PUT /__sim/quotas. */
export interface QuotaSettings {
  /** Default: true when a preset or rules are given, else false. */
  enabled?: boolean;
  preset?: QuotaPreset;
  /** Rules checked before the preset's (the first matching rule applies). */
  rules?: QuotaRule[];
}

/** What GET /__sim/quotas answers. */
export interface QuotaState {
  enabled: boolean;
  preset?: QuotaPreset;
  /** The effective rules, your own first, then the preset's. */
  rules: QuotaRule[];
  /** Throttled requests per operation since start, the last reset or the last change of settings. */
  throttled: Record<string, number>;
}

/** A service's throttling error as AWS returns it. */
export interface ThrottlingErrorSpec {
  code: string;
  status: number;
  message: string;
}

/**
 * The throttling error of each service, keyed by the prefix of the simulator's stats keys (the
 * service's SigV4 signing name: 'ec2', 'rds', 's3', 'sts', 'ce', 'monitoring' (CloudWatch),
 * 'tagging' (Resource Groups Tagging API), ...). Every protocol encodes it its
 * own way (JSON `__type`, query `<Code>`, REST-XML `<Error><Code>`); the codes are those AWS sends and
 * the SDKs' retry strategies recognise as throttling.
 */
export const THROTTLING_ERRORS: Readonly<Record<string, ThrottlingErrorSpec>> = {
  // awsJson1_1: Cost Explorer's own throttling exception, HTTP 400.
  ce: { code: 'LimitExceededException', status: 400, message: 'Rate exceeded' },
  // awsQuery code; over awsJson1_0 (query-compatible) the JSON protocol adds x-amzn-query-error: Throttling;Sender.
  monitoring: { code: 'Throttling', status: 400, message: 'Rate exceeded' },
  // ec2Query: <Response><Errors><Error><Code>RequestLimitExceeded</Code>, HTTP 503.
  ec2: { code: 'RequestLimitExceeded', status: 503, message: 'Request limit exceeded.' },
  // awsQuery: <ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code>, HTTP 400.
  rds: { code: 'Throttling', status: 400, message: 'Rate exceeded' },
  sts: { code: 'Throttling', status: 400, message: 'Rate exceeded' },
  // restXml: <Error><Code>SlowDown</Code>, HTTP 503.
  s3: { code: 'SlowDown', status: 503, message: 'Please reduce your request rate.' },
  // awsJson1_1 (Resource Groups Tagging API).
  tagging: { code: 'ThrottledException', status: 400, message: 'Rate exceeded' },
  support: { code: 'ThrottlingException', status: 400, message: 'Rate exceeded' },
  pricing: { code: 'ThrottlingException', status: 400, message: 'Rate exceeded' },
  budgets: { code: 'ThrottlingException', status: 400, message: 'Rate exceeded' },
  'compute-optimizer': { code: 'ThrottlingException', status: 400, message: 'Rate exceeded' },
  // restJson1: Bedrock answers 429.
  bedrock: { code: 'ThrottlingException', status: 429, message: 'Too many requests, please wait before trying again.' },
};

const DEFAULT_THROTTLING: ThrottlingErrorSpec = { code: 'ThrottlingException', status: 400, message: 'Rate exceeded' };

/** The throttling error for a service (by stats-key prefix), as an AwsError any protocol can encode. */
export function throttlingError(service: string, code?: string): AwsError {
  const spec = THROTTLING_ERRORS[service] ?? DEFAULT_THROTTLING;
  if (code !== undefined && code !== spec.code) {
    const known = Object.values(THROTTLING_ERRORS).find((s) => s.code === code);
    return new AwsError(code, known?.message ?? spec.message, known?.status ?? spec.status);
  }
  return new AwsError(spec.code, spec.message, spec.status);
}

/**
 * The preset `aws`. Published limits where AWS publishes them; otherwise a documented choice.
 */
export const AWS_QUOTA_PRESET: readonly QuotaRule[] = [
  {
    operation: 'monitoring:GetMetricData',
    ratePerSecond: 50,
    note: 'CloudWatch service quotas: GetMetricData 50 transactions per second per account and Region',
  },
  {
    operation: 'monitoring:ListMetrics',
    ratePerSecond: 25,
    note: 'CloudWatch service quotas: ListMetrics 25 transactions per second per account and Region',
  },
  {
    operation: 'monitoring:*',
    ratePerSecond: 50,
    note: 'other CloudWatch reads (GetMetricStatistics: 400 TPS on AWS; 50 here)',
  },
  {
    operation: 'ec2:Describe*',
    requests: 'unfiltered-unpaginated',
    ratePerSecond: 10,
    burst: 50,
    note: 'EC2 request token buckets: unfiltered and unpaginated non-mutating actions, bucket 50, refill 10/s',
  },
  {
    operation: 'ec2:Describe*',
    ratePerSecond: 20,
    burst: 100,
    note: 'EC2 request token buckets: non-mutating actions, bucket 100, refill 20/s, per API, account and Region',
  },
  {
    operation: 'ec2:*',
    ratePerSecond: 5,
    burst: 50,
    note: 'EC2 other actions (mutating: bucket 50, refill 5/s)',
  },
  {
    operation: 'rds:*',
    ratePerSecond: 12,
    burst: 300,
    shared: true,
    note: 'RDS API throttling: a burst of 300 and 12 requests/s sustained per account and Region, all actions',
  },
  {
    operation: 'ce:*',
    ratePerSecond: 10,
    per: 'account',
    shared: true,
    note: 'Cost Explorer publishes no rate; about 10 requests/s is the commonly quoted safe rate (global service)',
  },
  {
    operation: 'tagging:GetResources',
    ratePerSecond: 10,
    burst: 10,
    note: 'Resource Groups Tagging API publishes no rate; the simulator chooses 10 requests/s per account and Region',
  },
  {
    operation: 'tagging:*',
    ratePerSecond: 5,
    note: 'other Resource Groups Tagging API actions: chosen, 5 requests/s',
  },
  {
    operation: 's3:*',
    ratePerSecond: 5500,
    per: 'account',
    shared: true,
    note: 'S3: 5,500 GET/HEAD requests/s per prefix; bucket-level reads share one bucket per account here',
  },
  {
    operation: 'sts:*',
    ratePerSecond: 600,
    shared: true,
    note: 'STS: 600 requests/s per account and Region (request quota)',
  },
  {
    operation: 'support:*',
    ratePerSecond: 10,
    per: 'account',
    shared: true,
    note: 'AWS Support API publishes no rate; chosen 10 requests/s (us-east-1 only)',
  },
  {
    operation: 'pricing:*',
    ratePerSecond: 10,
    per: 'account',
    shared: true,
    note: 'Price List Query API publishes no rate; chosen 10 requests/s',
  },
  {
    operation: 'config:*',
    ratePerSecond: 5,
    burst: 10,
    note: 'AWS Config publishes no rate for advanced queries; the simulator chooses 5 requests/s (burst 10) per account and Region',
  },
];

const OPERATION_PATTERN = /^(\*|[a-z0-9-]+:(\*|[A-Za-z][A-Za-z0-9]*\*?))$/;

const quotaRuleSchema = z
  .object({
    operation: z
      .string()
      .regex(OPERATION_PATTERN, "must be 'service:Operation', 'service:Prefix*', 'service:*' or '*' (e.g. 'ec2:Describe*')"),
    ratePerSecond: z.number().positive().max(1_000_000),
    burst: z.number().positive().max(10_000_000).optional(),
    per: z.enum(['account-region', 'account', 'global']).optional(),
    shared: z.boolean().optional(),
    error: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9.]*$/, 'must be an AWS error code such as ThrottlingException')
      .optional(),
    requests: z.enum(['unfiltered-unpaginated']).optional(),
    note: z.string().max(500).optional(),
  })
  .strict();

const quotaSettingsSchema = z
  .object({
    enabled: z.boolean().optional(),
    preset: z.enum(['aws']).optional(),
    rules: z.array(quotaRuleSchema).max(1000).optional(),
    // Accepted (and ignored) so GET /__sim/quotas output can be PUT back.
    throttled: z.record(z.string(), z.number()).optional(),
  })
  .strict();

export class QuotaSettingsError extends Error {
  override name = 'QuotaSettingsError';

  constructor(readonly problems: string[]) {
    super(`invalid quota settings: ${problems.join('; ')}`);
  }
}

/**
 * Validate untrusted quota settings. Also accepts the string "aws" (the preset) and "off".
 * When the preset is given alongside rules, the effective rules are `rules` followed by the preset's.
 */
export function parseQuotaSettings(value: unknown): QuotaSettings {
  if (value === 'aws') return { enabled: true, preset: 'aws' };
  if (value === 'off' || value === null) return { enabled: false };
  const parsed = quotaSettingsSchema.safeParse(value);
  if (!parsed.success) {
    throw new QuotaSettingsError(
      parsed.error.issues.map((issue) => `${issue.path.length ? issue.path.join('.') : '(settings)'}: ${issue.message}`),
    );
  }
  const { throttled: _ignored, ...settings } = parsed.data;
  const rules = settings.rules?.map((rule) => stripUndefined(rule));
  return {
    ...(settings.enabled !== undefined ? { enabled: settings.enabled } : {}),
    ...(settings.preset !== undefined ? { preset: settings.preset } : {}),
    ...(rules !== undefined ? { rules } : {}),
  };
}

function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** Does a quota pattern match the stats key "service:Operation"? */
export function quotaPatternMatches(pattern: string, key: string): boolean {
  if (pattern === '*') return true;
  const colon = key.indexOf(':');
  const service = key.slice(0, colon);
  const operation = key.slice(colon + 1);
  const patternColon = pattern.indexOf(':');
  if (pattern.slice(0, patternColon) !== service) return false;
  const op = pattern.slice(patternColon + 1);
  if (op === '*') return true;
  return op.endsWith('*') ? operation.startsWith(op.slice(0, -1)) : op === operation;
}

/** The request facts a quota decision needs. */
export interface QuotaRequest {
  /** Stats-key prefix (signing name), e.g. 'monitoring'. */
  service: string;
  operation: string;
  account: string;
  region: string;
  /** The request names no filters, IDs, MaxResults or NextToken (see `isUnfilteredUnpaginated`). */
  unfilteredUnpaginated?: boolean;
}

/** Parameters that make an EC2-style Describe request filtered or paginated. */
const NARROWING = /^(Filters?|MaxResults|NextToken|MaxRecords|Marker|[A-Za-z]*Ids?|OwnerIds?|PublicIps?|RestorableByUserIds?)(\.|$)/;

/**
 * Does a request's input (query parameters or a JSON object) carry no filter, ID list or
 * pagination parameter? EC2 throttles such "unfiltered and unpaginated" Describe calls harder.
 */
export function isUnfilteredUnpaginated(input: unknown): boolean {
  if (input === null || typeof input !== 'object') return true;
  return !Object.keys(input).some((key) => key !== 'Action' && key !== 'Version' && NARROWING.test(key));
}

interface Bucket {
  tokens: number;
  updatedMs: number;
}

/**
 * Token buckets for the configured rules. `check` takes a token from the bucket of the first rule
 * matching the request, or returns the throttling error to answer with.
 */
export class QuotaEnforcer {
  private settings: QuotaSettings = { enabled: false };
  private rules: QuotaRule[] = [];
  private buckets = new Map<string, Bucket>();
  private throttledCounts = new Map<string, number>();
  /** Memo of the indexes of the rules matching each stats key, in order. */
  private rulesFor = new Map<string, number[]>();

  constructor(private readonly clock: () => number = Date.now) {}

  /** Replace the settings (already validated): buckets start full, throttled counts restart. */
  configure(settings: QuotaSettings): void {
    const rules = [...(settings.rules ?? []), ...(settings.preset === 'aws' ? AWS_QUOTA_PRESET : [])];
    const enabled = settings.enabled ?? (settings.preset !== undefined || rules.length > 0);
    this.settings = { ...settings, enabled };
    this.rules = rules.map((rule) => ({ ...rule }));
    this.buckets.clear();
    this.rulesFor.clear();
    this.throttledCounts.clear();
  }

  get enabled(): boolean {
    return this.settings.enabled === true;
  }

  state(): QuotaState {
    return {
      enabled: this.enabled,
      ...(this.settings.preset !== undefined ? { preset: this.settings.preset } : {}),
      rules: this.rules.map((rule) => ({ ...rule })),
      throttled: this.throttled(),
    };
  }

  /** Throttled requests per stats key ("monitoring:GetMetricData"). */
  throttled(): Record<string, number> {
    return Object.fromEntries([...this.throttledCounts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }

  resetThrottled(): void {
    this.throttledCounts.clear();
  }

  /**
   * Take a token for the request. Returns undefined when the request may proceed, or the AwsError
   * to answer with when its bucket is empty (the request is then counted as throttled).
   */
  check(request: QuotaRequest): AwsError | undefined {
    if (!this.enabled || this.rules.length === 0) return undefined;
    const key = `${request.service}:${request.operation}`;
    let candidates = this.rulesFor.get(key);
    if (!candidates) {
      candidates = this.rules.flatMap((rule, i) => (quotaPatternMatches(rule.operation, key) ? [i] : []));
      this.rulesFor.set(key, candidates);
    }
    const index = candidates.find(
      (i) => this.rules[i]?.requests !== 'unfiltered-unpaginated' || request.unfilteredUnpaginated === true,
    );
    if (index === undefined) return undefined;
    const rule = this.rules[index] as QuotaRule;
    const scope = rule.per ?? 'account-region';
    const where = scope === 'global' ? '*' : scope === 'account' ? request.account : `${request.account}/${request.region}`;
    const bucketKey = `${index}|${rule.shared ? '*' : request.operation}|${where}`;
    const capacity = rule.burst ?? Math.max(1, rule.ratePerSecond);
    const now = this.clock();
    let bucket = this.buckets.get(bucketKey);
    if (!bucket) {
      bucket = { tokens: capacity, updatedMs: now };
      this.buckets.set(bucketKey, bucket);
    } else if (now > bucket.updatedMs) {
      bucket.tokens = Math.min(capacity, bucket.tokens + ((now - bucket.updatedMs) / 1000) * rule.ratePerSecond);
      bucket.updatedMs = now;
    }
    // A hair of tolerance: refills are floating-point.
    if (bucket.tokens >= 1 - 1e-9) {
      bucket.tokens -= 1;
      return undefined;
    }
    this.throttledCounts.set(key, (this.throttledCounts.get(key) ?? 0) + 1);
    return throttlingError(request.service, rule.error);
  }
}

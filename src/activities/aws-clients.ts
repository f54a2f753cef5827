/**
 * One factory for every AWS SDK v3 client the agents use. Endpoints, regions and base credentials come
 * from the SDK's own configuration (AWS_REGION, AWS_PROFILE, AWS_ENDPOINT_URL[_<SERVICE>], the default
 * credential chain), so the sample account and a real account differ only in environment.
 *
 * Organisations: when a member-account role is configured, clients for any account other than the
 * caller's own use credentials from STS AssumeRole (cached and refreshed by the SDK's provider).
 * Clients are cached per service, account and region: building one is not free, and each keeps its
 * own adaptive-retry state, which must persist across calls to back off under throttling.
 */
import { BudgetsClient } from '@aws-sdk/client-budgets';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { ConfigServiceClient } from '@aws-sdk/client-config-service';
import { CostExplorerClient } from '@aws-sdk/client-cost-explorer';
import { EC2Client } from '@aws-sdk/client-ec2';
import { PricingClient } from '@aws-sdk/client-pricing';
import { RDSClient } from '@aws-sdk/client-rds';
import { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { S3Client } from '@aws-sdk/client-s3';
import { SavingsplansClient } from '@aws-sdk/client-savingsplans';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { SupportClient } from '@aws-sdk/client-support';
import { fromNodeProviderChain, fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { ConfiguredRetryStrategy } from '@smithy/core/retry';
import { timeAwsCalls } from './aws-wait';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider, Logger } from '@smithy/types';

/** Cost Explorer, Support and (for our purposes) Pricing are global APIs served from us-east-1. */
export const GLOBAL_API_REGION = 'us-east-1';

export interface AwsClientOptions {
  /** Override every client's endpoint (tests point this at the simulator). Normally unset. */
  endpoint?: string;
  /** Base credentials; default: the SDK's default chain (env, profile, SSO, instance role, ...). */
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** Attempts per call by the SDK (adaptive mode backs off on throttling). Activities retry beyond this. */
  maxAttempts?: number;
  /** Role assumed in member accounts, by name (arn:aws:iam::<account>:role/<name>). */
  memberRoleName?: string;
  /** Explicit role ARNs per account; win over memberRoleName. */
  memberRoleArns?: Record<string, string>;
  /** External ID the member roles' trust policies require. */
  externalId?: string;
  /** External IDs per account, where they differ from `externalId`. */
  externalIds?: Record<string, string>;
  /**
   * The role of the tenant an account is bound to (src/activities/tenancy.ts), asked lazily; wins over
   * memberRoleName and externalId(s) for the accounts it answers for.
   */
  tenantRoleFor?: (account: string) => Promise<{ roleName: string; externalId?: string } | undefined>;
}

/**
 * The SDK's default logger is a no-op that still has an `info` method, and the SDK builds every
 * response's redacted log record before calling it: a walk of the whole output through its schema,
 * per call (a DescribeInstances page of 1,000 instances included) — about 7% of the data layer's CPU
 * on the large sample account. Without `info`, the SDK's `logger?.info?.(...)` skips that work; the
 * SDK logged nothing before either.
 */
const QUIET_SDK_LOGGER = { debug: () => {}, warn: () => {}, error: () => {} } as unknown as Logger;

/**
 * Clients that only page through listings, one request after another per listing. Adaptive retry mode
 * adds a client-side rate limiter that, after one throttle, holds a sequential listing below the rate it
 * was throttled at and climbs back slowly, and the standard mode waits on average 250 ms, doubling, after
 * a throttle: on the large sample account a 42-page tagging listing took 6.6–9.5 s adaptive and
 * 6.0–6.6 s standard, against 3.2 s allowed by its quota. These clients retry with full-jitter
 * exponential backoff from 100 ms — one token's refill at 10 requests/s — since a listing has one request
 * in flight and cannot storm. Clients that fan requests out (CloudWatch, S3, Cost Explorer) keep adaptive
 * mode, where the limiter does prevent retry storms.
 */
const SEQUENTIAL_PAGING_SERVICES = new Set(['ec2', 'rds', 'tagging', 'config']);
const PAGING_BACKOFF_BASE_MS = 100;
const MAX_BACKOFF_MS = 20_000;

/** Full jitter: a random wait up to base × 2^(attempt − 1), capped. */
export function pagingBackoffMs(attempt: number, random: () => number = Math.random): number {
  return Math.floor(random() * Math.min(MAX_BACKOFF_MS, PAGING_BACKOFF_BASE_MS * 2 ** Math.max(0, attempt - 1)));
}

export interface AwsTarget {
  account: string;
  region: string;
}

type Client = { destroy(): void; middlewareStack: unknown };

export class AwsClientFactory {
  private readonly clients = new Map<string, Client>();
  private readonly credentialProviders = new Map<string, AwsCredentialIdentityProvider>();
  private readonly baseCredentials: AwsCredentialIdentityProvider;
  private callerAccountPromise: Promise<string> | undefined;

  constructor(private readonly options: AwsClientOptions = {}) {
    const given = options.credentials;
    this.baseCredentials =
      given === undefined ? fromNodeProviderChain() : typeof given === 'function' ? given : () => Promise.resolve(given);
  }

  /** The endpoint override (the simulator's URL in tests), or undefined for AWS itself. */
  get endpoint(): string | undefined {
    return this.options.endpoint;
  }

  costExplorer(): CostExplorerClient {
    return this.cached('ce', undefined, GLOBAL_API_REGION, (config) => new CostExplorerClient(config));
  }

  pricing(): PricingClient {
    return this.cached('pricing', undefined, GLOBAL_API_REGION, (config) => new PricingClient(config));
  }

  /** AWS Budgets is a global API (us-east-1); budgets are read in each account with its own credentials. */
  budgets(account: string): BudgetsClient {
    return this.cached('budgets', account, GLOBAL_API_REGION, (config) => new BudgetsClient(config));
  }

  support(account: string): SupportClient {
    return this.cached('support', account, GLOBAL_API_REGION, (config) => new SupportClient(config));
  }

  ec2(target: AwsTarget): EC2Client {
    return this.cached('ec2', target.account, target.region, (config) => new EC2Client(config));
  }

  rds(target: AwsTarget): RDSClient {
    return this.cached('rds', target.account, target.region, (config) => new RDSClient(config));
  }

  cloudWatch(target: AwsTarget): CloudWatchClient {
    return this.cached('cloudwatch', target.account, target.region, (config) => new CloudWatchClient(config));
  }

  /** AWS Config is regional: each Region's recorder holds the resources of that Region. */
  config(target: AwsTarget): ConfigServiceClient {
    return this.cached('config', target.account, target.region, (config) => new ConfigServiceClient(config));
  }

  tagging(target: AwsTarget): ResourceGroupsTaggingAPIClient {
    return this.cached('tagging', target.account, target.region, (config) => new ResourceGroupsTaggingAPIClient(config));
  }

  /** S3 with path-style addressing when an endpoint override is set (a local endpoint has no bucket DNS). */
  s3(target: AwsTarget): S3Client {
    return this.cached(
      's3',
      target.account,
      target.region,
      (config) => new S3Client({ ...config, ...(this.options.endpoint ? { forcePathStyle: true } : {}) }),
    );
  }

  /** AWS Organizations is a global API (us-east-1), called with the base (management account) credentials. */
  organizations(): OrganizationsClient {
    return this.cached('organizations', undefined, GLOBAL_API_REGION, (config) => new OrganizationsClient(config));
  }

  /** Savings Plans is a global API (us-east-1): each account lists the plans it owns, with its own credentials. */
  savingsPlans(account: string): SavingsplansClient {
    return this.cached('savingsplans', account, GLOBAL_API_REGION, (config) => new SavingsplansClient(config));
  }

  /** STS as `account` (through the member role where one is configured): who the analysis acts as there. */
  sts(account: string): STSClient {
    return this.cached('sts', account, GLOBAL_API_REGION, (config) => new STSClient(config));
  }

  /** The account the base credentials belong to (STS GetCallerIdentity, asked once). */
  callerAccount(): Promise<string> {
    this.callerAccountPromise ??= this.baseSts()
      .send(new GetCallerIdentityCommand({}))
      .then((identity) => {
        if (!identity.Account) throw new Error('STS GetCallerIdentity returned no account');
        return identity.Account;
      })
      .catch((err: unknown) => {
        this.callerAccountPromise = undefined; // let a later call try again
        throw err;
      });
    return this.callerAccountPromise;
  }

  /** The role ARN used to reach `account`, or undefined when the base credentials are used as they are. */
  roleArnFor(account: string): string | undefined {
    const explicit = this.options.memberRoleArns?.[account];
    if (explicit) return explicit;
    return this.options.memberRoleName ? `arn:aws:iam::${account}:role/${this.options.memberRoleName}` : undefined;
  }

  /**
   * The role clients for `account` assume — an explicit ARN, the owning tenant's role, else the member role
   * by name (as credentialsFor decides) — or undefined when the base credentials reach it as they are.
   */
  async assumedRoleArn(account: string): Promise<string | undefined> {
    if ((await this.callerAccount()) === account) return undefined;
    const explicit = this.options.memberRoleArns?.[account];
    if (explicit) return explicit;
    const tenantRole = await this.options.tenantRoleFor?.(account);
    return tenantRole ? `arn:aws:iam::${account}:role/${tenantRole.roleName}` : this.roleArnFor(account);
  }

  /** Whether clients for `account` assume a role: only when one is configured and it is not our own account. */
  async needsAssumeRole(account: string): Promise<boolean> {
    if (!this.roleArnFor(account)) return false;
    return (await this.callerAccount()) !== account;
  }

  destroy(): void {
    for (const client of this.clients.values()) client.destroy();
    this.clients.clear();
    this.credentialProviders.clear();
  }

  private baseConfig(region: string, service?: string) {
    const maxAttempts = this.options.maxAttempts ?? 4;
    return {
      region,
      ...(service && SEQUENTIAL_PAGING_SERVICES.has(service)
        ? { retryStrategy: new ConfiguredRetryStrategy(maxAttempts, (attempt) => pagingBackoffMs(attempt)) }
        : { retryMode: 'adaptive' as const }),
      logger: QUIET_SDK_LOGGER,
      maxAttempts,
      credentials: this.baseCredentials,
      ...(this.options.endpoint ? { endpoint: this.options.endpoint } : {}),
    };
  }

  private baseSts(): STSClient {
    return this.cached('sts', undefined, GLOBAL_API_REGION, (config) => new STSClient(config));
  }

  /**
   * Credentials for an account: the base ones, or a provider that assumes the member role. Whether the
   * role is needed depends on the caller's account (an async STS call), so the provider decides lazily.
   */
  private credentialsFor(account: string): AwsCredentialIdentityProvider {
    let provider = this.credentialProviders.get(account);
    if (provider) return provider;
    const tenantRoleFor = this.options.tenantRoleFor;
    if (tenantRoleFor && !this.options.memberRoleArns?.[account]) {
      const fallback = this.fixedCredentialsFor(account);
      let assumed: { key: string; provider: AwsCredentialIdentityProvider } | undefined;
      provider = async (props) => {
        const role = await tenantRoleFor(account);
        if (!role || (await this.callerAccount()) === account) return fallback(props);
        const key = `${role.roleName}|${role.externalId ?? ''}`;
        if (assumed?.key !== key) assumed = { key, provider: this.assumeRole(`arn:aws:iam::${account}:role/${role.roleName}`, role.externalId) };
        return assumed.provider(props);
      };
      this.credentialProviders.set(account, provider);
      return provider;
    }
    provider = this.fixedCredentialsFor(account);
    this.credentialProviders.set(account, provider);
    return provider;
  }

  private assumeRole(roleArn: string, externalId: string | undefined): AwsCredentialIdentityProvider {
    return fromTemporaryCredentials({
      params: { RoleArn: roleArn, RoleSessionName: 'finops-analysis', DurationSeconds: 3600, ...(externalId ? { ExternalId: externalId } : {}) },
      masterCredentials: this.baseCredentials,
      clientConfig: { region: GLOBAL_API_REGION, ...(this.options.endpoint ? { endpoint: this.options.endpoint } : {}) },
    });
  }

  /** Credentials from the process-wide options (memberRoleName, memberRoleArns, externalId[s]). */
  private fixedCredentialsFor(account: string): AwsCredentialIdentityProvider {
    let provider: AwsCredentialIdentityProvider;
    const roleArn = this.roleArnFor(account);
    if (!roleArn) {
      provider = this.baseCredentials;
    } else {
      const externalId = this.options.externalIds?.[account] ?? this.options.externalId;
      const assumed = fromTemporaryCredentials({
        params: {
          RoleArn: roleArn,
          RoleSessionName: 'finops-analysis',
          DurationSeconds: 3600,
          ...(externalId ? { ExternalId: externalId } : {}),
        },
        masterCredentials: this.baseCredentials,
        clientConfig: { region: GLOBAL_API_REGION, ...(this.options.endpoint ? { endpoint: this.options.endpoint } : {}) },
      });
      provider = async (props) => ((await this.needsAssumeRole(account)) ? assumed(props) : this.baseCredentials(props));
    }
    return provider;
  }

  private cached<T extends Client>(
    service: string,
    account: string | undefined,
    region: string,
    create: (config: ReturnType<AwsClientFactory['baseConfig']>) => T,
  ): T {
    const key = `${service}|${account ?? '-'}|${region}`;
    let client = this.clients.get(key) as T | undefined;
    if (!client) {
      const config = this.baseConfig(region, service);
      client = create(account ? { ...config, credentials: this.credentialsFor(account) } : config);
      // Each call's span counts towards the running activity's AWS wait (the report's timeline).
      timeAwsCalls(client);
      this.clients.set(key, client);
    }
    return client;
  }
}

/**
 * Helpers shared by the simulated EC2, RDS, STS and S3 services (services/{ec2,rds,sts,s3}.ts):
 * where resources live (account and region), pagination tokens bound to their request, AWS-style
 * wildcard filters, derived identifiers, and reading a scenario's resources.
 */
import { createHash } from 'node:crypto';
import type { ScenarioResources } from '../model';

/** Resources grouped by account and region, built once per service. */
export class ResourceIndex<T extends { account: string; region: string }> {
  private readonly groups = new Map<string, T[]>();

  constructor(items: readonly T[]) {
    for (const item of items) {
      const key = `${item.account}/${item.region}`;
      let group = this.groups.get(key);
      if (!group) this.groups.set(key, (group = []));
      group.push(item);
    }
  }

  in(account: string, region: string): readonly T[] {
    return this.groups.get(`${account}/${region}`) ?? [];
  }
}

/**
 * Opaque pagination tokens: base64url of {o: offset, f: fingerprint}. The fingerprint ties a token
 * to the request that produced it (same account, region, operation and filters), so a token from
 * another request is refused rather than silently applied.
 */
export function encodePageToken(offset: number, listing: string): string {
  return Buffer.from(JSON.stringify({ o: offset, f: listing }), 'utf8').toString('base64url');
}

/** The offset a token stands for, or undefined when it is not one of ours for this listing. */
export function decodePageToken(token: string, listing: string): number | undefined {
  if (token.length === 0 || token.length > 1024 || !/^[A-Za-z0-9_-]+$/.test(token)) return undefined;
  try {
    const value = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as unknown;
    if (value === null || typeof value !== 'object') return undefined;
    const { o, f } = value as { o?: unknown; f?: unknown };
    if (f !== listing || typeof o !== 'number' || !Number.isSafeInteger(o) || o < 0) return undefined;
    return o;
  } catch {
    return undefined;
  }
}

/** A short stable hash of the parts of a request that define a listing. */
export function fingerprint(...parts: unknown[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('base64url').slice(0, 16);
}

/** Hex digest, for identifiers derived from resource data (reservation IDs, canonical user IDs). */
export function hexDigest(text: string, length: number): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}

const wildcardCache = new Map<string, RegExp>();

/**
 * EC2 filter value matching: `*` matches any run of characters, `?` exactly one, and a backslash
 * escapes either. Values are case-sensitive.
 */
export function wildcardMatch(pattern: string, value: string): boolean {
  if (!pattern.includes('*') && !pattern.includes('?') && !pattern.includes('\\')) return pattern === value;
  let regex = wildcardCache.get(pattern);
  if (!regex) {
    let source = '';
    for (let i = 0; i < pattern.length; i++) {
      const ch = pattern[i] as string;
      if (ch === '\\' && i + 1 < pattern.length) source += escapeRegex(pattern[++i] as string);
      else if (ch === '*') source += '[\\s\\S]*';
      else if (ch === '?') source += '[\\s\\S]';
      else source += escapeRegex(ch);
    }
    regex = new RegExp(`^${source}$`);
    if (wildcardCache.size > 1000) wildcardCache.clear();
    wildcardCache.set(pattern, regex);
  }
  return regex.test(value);
}

function escapeRegex(ch: string): string {
  return /[\\^$.*+?()[\]{}|/-]/.test(ch) ? `\\${ch}` : ch;
}

/** Tags ordered by key, so responses are deterministic. */
export function sortedTags(tags: Readonly<Record<string, string>>): [string, string][] {
  return Object.entries(tags).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

const RESOURCE_LISTS = ['instances', 'volumes', 'addresses', 'snapshots', 'databases', 'buckets'] as const;

/**
 * The resources a scenario serves. A scenario that already is a `ScenarioResources` is returned as
 * it is; an older scenario (accounts and regions only) serves no EC2, RDS or S3 resources.
 */
export function resourcesFromScenario(scenario: object): ScenarioResources {
  const candidate = scenario as Partial<ScenarioResources>;
  if (RESOURCE_LISTS.every((key) => Array.isArray(candidate[key]))) return candidate as ScenarioResources;
  return {
    seed: typeof candidate.seed === 'number' ? candidate.seed : 0,
    anchorDate: typeof candidate.anchorDate === 'string' ? candidate.anchorDate : new Date().toISOString().slice(0, 10),
    accounts: Array.isArray(candidate.accounts) ? candidate.accounts.map((a) => ({ id: a.id, name: a.name })) : [],
    regions: Array.isArray(candidate.regions) ? [...candidate.regions] : [],
    supportPlans: {},
    instances: [],
    volumes: [],
    addresses: [],
    snapshots: [],
    databases: [],
    buckets: [],
    prices: [],
    trustedAdvisor: [],
    planted: [],
    events: [],
  };
}

/**
 * AWS Resource Groups Tagging API (signing name `tagging`, awsJson1_1, X-Amz-Target
 * ResourceGroupsTaggingAPI_20170126.<Operation>) over a scenario: GetResources.
 *
 * As AWS serves it:
 * - Region-scoped: the resources of the account the request acts as, in the region of its SigV4
 *   scope. S3 buckets appear in the listing of their own region.
 * - Only tagged resources are returned (AWS returns "tagged or previously tagged" resources; the
 *   scenario does not record tag history, so a resource without tags is not listed).
 * - ARNs in AWS's formats: arn:aws:ec2:<region>:<account>:instance/i-…, …:volume/vol-…,
 *   …:elastic-ip/eipalloc-…, arn:aws:ec2:<region>::snapshot/snap-… (no account, as EC2 writes
 *   snapshot ARNs), arn:aws:rds:<region>:<account>:db:<name>, arn:aws:s3:::<bucket>.
 * - ResourceTypeFilters: "service" or "service:resourceType" (ec2, ec2:instance, ec2:volume,
 *   ec2:elastic-ip, ec2:snapshot, rds, rds:db, s3, s3:bucket); other well-formed types simply match
 *   nothing here.
 * - TagFilters (up to 50, each up to 20 values): every filter must match (AND); a filter's values
 *   are alternatives (OR); a filter without values matches any value of the key.
 * - ResourceARNList (1–100 ARNs): only those resources; not combinable with ResourcesPerPage,
 *   TagsPerPage or PaginationToken (InvalidParameterException), as AWS documents.
 * - Pagination: ResourcesPerPage 1–100 (default 50 here; AWS does not document its default),
 *   TagsPerPage 100–500 (a resource and its tags never split across pages; an untagged resource
 *   counts as one tag). PaginationToken "" (or absent) starts; the last page answers
 *   PaginationToken "" — AWS's way of saying "no more".
 * - IncludeComplianceDetails: ComplianceDetails per resource against the scenario's tag policy
 *   (options.tagPolicy; none by default, so every resource is compliant). ExcludeCompliantResources
 *   requires IncludeComplianceDetails.
 */
import type { IncomingMessage } from 'node:http';
import { AwsError } from '../errors';
import type { ScenarioResources } from '../model';
import type { JsonObject, JsonServiceDefinition } from '../protocols/json';
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
  requestScope,
  type AccountResolver,
  type RequestScope,
} from './json-input';

export const TAGGING_TARGET_PREFIX = 'ResourceGroupsTaggingAPI_20170126';
export const TAGGING_SIGNING_NAME = 'tagging';
export const DEFAULT_RESOURCES_PER_PAGE = 50;
export const MAX_RESOURCES_PER_PAGE = 100;

export interface TagPolicy {
  /**
   * Tag keys the policy governs, in their required capitalisation, with the values allowed (absent:
   * any value). A resource with a governed key in another capitalisation has a noncompliant key; with
   * a value not allowed, a key with a noncompliant value.
   */
  keys: Record<string, { values?: string[] }>;
}

export interface TaggingOptions {
  accountFor?: AccountResolver;
  tagPolicy?: TagPolicy;
}

export interface Tag {
  Key: string;
  Value: string;
}

export interface ComplianceDetails {
  NoncompliantKeys: string[];
  KeysWithNoncompliantValues: string[];
  ComplianceStatus: boolean;
}

export interface ResourceTagMapping {
  ResourceARN: string;
  Tags: Tag[];
  ComplianceDetails?: ComplianceDetails;
}

export interface GetResourcesOutput {
  PaginationToken: string;
  ResourceTagMappingList: ResourceTagMapping[];
}

interface TaggedResource {
  arn: string;
  /** "ec2:instance", "rds:db", "s3" ... */
  service: string;
  resourceType: string;
  tags: Tag[];
}

function invalidParameter(message: string): AwsError {
  return new AwsError('InvalidParameterException', message, 400, { messageKey: 'Message' });
}

function tagList(tags: Record<string, string>): Tag[] {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}

interface Matched {
  resource: TaggedResource;
  compliance: ComplianceDetails | undefined;
}

/** Listings whose matches are remembered at once (one per account, Region and filter set in use). */
const MATCH_CACHE_ENTRIES = 256;

const RESOURCE_TYPE_FILTER = /^[a-z0-9-]+(:[A-Za-z0-9-]+(\/[A-Za-z0-9-]+)?)?$/;

export class TaggingSimulator {
  /** Tagged resources per "account|region", sorted by ARN. */
  private readonly byScope = new Map<string, TaggedResource[]>();
  private readonly byArn = new Map<string, { scope: string; resource: TaggedResource }>();
  readonly accountFor: AccountResolver;
  private readonly tagPolicy: TagPolicy | undefined;
  /** Matching resources per listing (request fingerprint), oldest first. */
  private readonly matches = new Map<string, Matched[]>();

  constructor(resources: ScenarioResources, options: TaggingOptions = {}) {
    this.accountFor = options.accountFor ?? defaultAccountResolver(resources);
    this.tagPolicy = options.tagPolicy;
    const add = (
      r: { account: string; region: string; tags: Record<string, string> },
      arn: string,
      service: string,
      resourceType: string,
    ): void => {
      const tags = tagList(r.tags);
      if (tags.length === 0) return;
      const scope = `${r.account}|${r.region}`;
      const resource = { arn, service, resourceType, tags };
      let list = this.byScope.get(scope);
      if (!list) this.byScope.set(scope, (list = []));
      list.push(resource);
      this.byArn.set(arn, { scope, resource });
    };
    for (const i of resources.instances)
      add(i, `arn:aws:ec2:${i.region}:${i.account}:instance/${i.instanceId}`, 'ec2', 'instance');
    for (const v of resources.volumes) add(v, `arn:aws:ec2:${v.region}:${v.account}:volume/${v.volumeId}`, 'ec2', 'volume');
    for (const a of resources.addresses)
      add(a, `arn:aws:ec2:${a.region}:${a.account}:elastic-ip/${a.allocationId}`, 'ec2', 'elastic-ip');
    for (const s of resources.snapshots) add(s, `arn:aws:ec2:${s.region}::snapshot/${s.snapshotId}`, 'ec2', 'snapshot');
    for (const d of resources.databases)
      add(d, `arn:aws:rds:${d.region}:${d.account}:db:${d.dbInstanceIdentifier}`, 'rds', 'db');
    for (const b of resources.buckets) add(b, `arn:aws:s3:::${b.name}`, 's3', 'bucket');
    for (const list of this.byScope.values()) list.sort((a, b) => (a.arn < b.arn ? -1 : a.arn > b.arn ? 1 : 0));
  }

  getResources(input: JsonObject, scope: RequestScope): GetResourcesOutput {
    const token = optionalString(input['PaginationToken'], 'PaginationToken');
    const tagFiltersValue = optionalList(input['TagFilters'], 'TagFilters');
    const resourcesPerPage = optionalInteger(input['ResourcesPerPage'], 'ResourcesPerPage');
    const tagsPerPage = optionalInteger(input['TagsPerPage'], 'TagsPerPage');
    const typeFiltersValue = optionalList(input['ResourceTypeFilters'], 'ResourceTypeFilters');
    const includeCompliance = optionalBoolean(input['IncludeComplianceDetails'], 'IncludeComplianceDetails') ?? false;
    const excludeCompliant = optionalBoolean(input['ExcludeCompliantResources'], 'ExcludeCompliantResources') ?? false;
    const arnListValue = optionalList(input['ResourceARNList'], 'ResourceARNList');

    const tagFilters = (tagFiltersValue ?? []).map((item, i) => {
      const filter = optionalObject(item, `TagFilters.${i + 1}`) ?? {};
      const key = optionalString(filter['Key'], `TagFilters.${i + 1}.Key`);
      const values = (optionalList(filter['Values'], `TagFilters.${i + 1}.Values`) ?? []).map((v, j) => {
        const text = optionalString(v, `TagFilters.${i + 1}.Values.${j + 1}`);
        if (text === undefined) throw invalidParameter(`TagFilters.${i + 1}.Values.${j + 1} must not be null.`);
        return text;
      });
      if (key === undefined || key.length < 1 || key.length > 128)
        throw invalidParameter(`Each TagFilter needs a Key of 1 to 128 characters (TagFilters.${i + 1}).`);
      if (values.length > 20) throw invalidParameter(`A TagFilter can have at most 20 values (TagFilters.${i + 1} has ${values.length}).`);
      for (const v of values)
        if (v.length > 256) throw invalidParameter(`Tag values are at most 256 characters (TagFilters.${i + 1}).`);
      return { key, values };
    });
    if (tagFilters.length > 50) throw invalidParameter(`TagFilters can have at most 50 filters; the request has ${tagFilters.length}.`);
    const typeFilters = (typeFiltersValue ?? []).map((item, i) => {
      const text = optionalString(item, `ResourceTypeFilters.${i + 1}`);
      if (text === undefined || !RESOURCE_TYPE_FILTER.test(text))
        throw invalidParameter(
          `Invalid resource type filter ${JSON.stringify(text ?? null)}: use service[:resourceType], e.g. ec2:instance or s3.`,
        );
      return text;
    });
    if (typeFilters.length > 100) throw invalidParameter('ResourceTypeFilters can have at most 100 entries.');
    if (resourcesPerPage !== undefined && (resourcesPerPage < 1 || resourcesPerPage > MAX_RESOURCES_PER_PAGE))
      throw invalidParameter(`ResourcesPerPage must be between 1 and ${MAX_RESOURCES_PER_PAGE}; got ${resourcesPerPage}.`);
    if (tagsPerPage !== undefined && (tagsPerPage < 100 || tagsPerPage > 500))
      throw invalidParameter(`TagsPerPage must be between 100 and 500; got ${tagsPerPage}.`);
    if (excludeCompliant && !includeCompliance)
      throw invalidParameter('ExcludeCompliantResources can be true only when IncludeComplianceDetails is true.');
    const arns = arnListValue?.map((item, i) => {
      const text = optionalString(item, `ResourceARNList.${i + 1}`);
      if (text === undefined || text.length < 1 || text.length > 1011)
        throw invalidParameter(`ResourceARNList.${i + 1} must be an ARN of 1 to 1011 characters.`);
      return text;
    });
    if (arns !== undefined) {
      if (arns.length < 1 || arns.length > 100)
        throw invalidParameter(`ResourceARNList must have 1 to 100 ARNs; got ${arns.length}.`);
      if (resourcesPerPage !== undefined || tagsPerPage !== undefined || (token !== undefined && token !== ''))
        throw invalidParameter(
          'You cannot specify ResourceARNList together with the pagination parameters ResourcesPerPage, TagsPerPage or PaginationToken.',
        );
    }

    const scopeKey = `${scope.account}|${scope.region}`;
    const candidates: TaggedResource[] =
      arns !== undefined
        ? [...new Set(arns)].flatMap((arn) => {
            const found = this.byArn.get(arn);
            return found && found.scope === scopeKey ? [found.resource] : [];
          })
        : (this.byScope.get(scopeKey) ?? []);
    const fp = fingerprint({ tagFilters, typeFilters, resourcesPerPage, tagsPerPage, includeCompliance, excludeCompliant, scopeKey });
    // Every page of a listing filters the same candidates: remember the matches per listing, or reading
    // N resources 100 a page costs the simulator N²/100 comparisons (resources and tags never change).
    const cached = arns === undefined ? this.matches.get(fp) : undefined;
    const withCompliance = cached ?? this.match(candidates, typeFilters, tagFilters, includeCompliance, excludeCompliant);
    if (arns === undefined && !cached) {
      if (this.matches.size >= MATCH_CACHE_ENTRIES) this.matches.delete(this.matches.keys().next().value as string);
      this.matches.set(fp, withCompliance);
    }

    let offset = 0;
    if (token !== undefined && token !== '') {
      const payload = decodeToken(token);
      const o = payload?.['o'];
      if (!payload || payload['h'] !== fp || typeof o !== 'number' || !Number.isInteger(o) || o < 0 || o > withCompliance.length)
        throw invalidParameter('The specified PaginationToken is not valid for this request. Start again without a PaginationToken.');
      offset = o;
    }
    const perPage = arns !== undefined ? MAX_RESOURCES_PER_PAGE : (resourcesPerPage ?? DEFAULT_RESOURCES_PER_PAGE);
    const page: ResourceTagMapping[] = [];
    let tagsOnPage = 0;
    let i = offset;
    for (; i < withCompliance.length && page.length < perPage; i++) {
      const { resource, compliance } = withCompliance[i] as (typeof withCompliance)[number];
      const weight = Math.max(1, resource.tags.length);
      if (tagsPerPage !== undefined && page.length > 0 && tagsOnPage + weight > tagsPerPage) break;
      tagsOnPage += weight;
      page.push({
        ResourceARN: resource.arn,
        Tags: resource.tags.map((t) => ({ ...t })),
        ...(compliance ? { ComplianceDetails: compliance } : {}),
      });
    }
    return {
      PaginationToken: i < withCompliance.length ? encodeToken({ h: fp, o: i }) : '',
      ResourceTagMappingList: page,
    };
  }

  private match(
    candidates: readonly TaggedResource[],
    typeFilters: readonly string[],
    tagFilters: readonly { key: string; values: string[] }[],
    includeCompliance: boolean,
    excludeCompliant: boolean,
  ): Matched[] {
    const types = typeFilters.map((f) => f.split(':') as [string, string | undefined]);
    const typeMatches = (r: TaggedResource): boolean =>
      types.length === 0 || types.some(([service, type]) => service === r.service && (type === undefined || type === r.resourceType));
    const tagMatches = (r: TaggedResource): boolean =>
      tagFilters.every((f) => r.tags.some((t) => t.Key === f.key && (f.values.length === 0 || f.values.includes(t.Value))));
    return candidates
      .filter((r) => typeMatches(r) && tagMatches(r))
      .map((r) => ({ resource: r, compliance: includeCompliance ? this.compliance(r.tags) : undefined }))
      .filter((entry) => !excludeCompliant || entry.compliance?.ComplianceStatus === false);
  }

  private compliance(tags: Tag[]): ComplianceDetails {
    const noncompliantKeys: string[] = [];
    const noncompliantValues: string[] = [];
    const policy = this.tagPolicy?.keys ?? {};
    const governed = new Map(Object.keys(policy).map((k) => [k.toLowerCase(), k]));
    for (const tag of tags) {
      const canonical = governed.get(tag.Key.toLowerCase());
      if (canonical === undefined) continue;
      if (canonical !== tag.Key) noncompliantKeys.push(tag.Key);
      const allowed = policy[canonical]?.values;
      if (allowed && !allowed.includes(tag.Value)) noncompliantValues.push(tag.Key);
    }
    return {
      NoncompliantKeys: noncompliantKeys,
      KeysWithNoncompliantValues: noncompliantValues,
      ComplianceStatus: noncompliantKeys.length === 0 && noncompliantValues.length === 0,
    };
  }
}

function scopeOf(simulator: TaggingSimulator, request: IncomingMessage | undefined): RequestScope {
  return requestScope(request, simulator.accountFor);
}

export function taggingService(simulator: TaggingSimulator): JsonServiceDefinition {
  return {
    targetPrefix: TAGGING_TARGET_PREFIX,
    signingName: TAGGING_SIGNING_NAME,
    title: 'AWS Resource Groups Tagging API',
    jsonVersion: '1.1',
    operations: {
      GetResources: (input, context) => simulator.getResources(input, scopeOf(simulator, context.request)),
    },
  };
}
